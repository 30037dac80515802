"""Accessible names a screen reader needs (found by a tester in the browser): a dialog is announced by its
title, not as Flutter's generic "Melding"; the eye button of a passphrase or PIN field says what it does.
The browser side (Flutter web's aria labels) is tests/e2e/test_a11y_browser.py."""

from __future__ import annotations

import ast
from pathlib import Path

import flet as ft
from ui_helpers import PASSPHRASE, dump, field, press, semantics, type_into, unlock

from field_app.ui.views.devices import SecurityView

UI = Path(__file__).resolve().parents[2] / "field_app" / "ui"


def _calls(name: str) -> list[str]:
    """Where ``ft.<name>(...)`` is called in the app's UI outside components.py."""
    found = []
    for path in UI.rglob("*.py"):
        if path.name == "components.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == name
                    and isinstance(node.func.value, ast.Name) and node.func.value.id == "ft"):
                found.append(f"{path.relative_to(UI)}:{node.lineno}")
    return found


def _open_dialog(client) -> ft.AlertDialog:
    shown = [d for d in client.page._dialogs.controls if isinstance(d, ft.AlertDialog) and d.open]
    assert shown, "no dialog open"
    return shown[-1]


def test_every_dialog_is_made_by_the_helper_that_names_it():
    assert _calls("AlertDialog") == [], "use components.dialog(title, ...): it names the dialog by its title"


async def test_a_dialog_is_named_by_its_title(real_device, fake_device):
    client, _ = await real_device.open(platform="linux")
    await press(client, "Wachtwoordzin vergeten?")
    dialog = _open_dialog(client)
    assert dialog.semantics_label == "Opnieuw beginnen op dit toestel"
    assert dialog.semantics_label in client.texts(dialog.title), dump(client)

    client, _ = await fake_device.open()
    await unlock(client, PASSPHRASE)
    await client.click(semantics(client, "sync-chip")[0].content)
    dialog = _open_dialog(client)
    assert dialog.semantics_label == "Synchronisatie" == client.texts(dialog.title)[0]


def _eye(tf: ft.TextField) -> ft.Semantics:
    assert not tf.can_reveal_password, "Flutter's own reveal button has no accessible name"
    eye = tf.suffix_icon
    assert isinstance(eye, ft.Semantics) and eye.button and isinstance(eye.content, ft.IconButton)
    assert eye.content.tooltip == eye.label
    return eye


async def test_the_eye_button_of_the_passphrase_is_named_and_shows_and_hides(fake_device):
    client, _ = await fake_device.open()
    tf = field(client, "Wachtwoordzin")
    eye = _eye(tf)
    assert tf.password and eye.label == "Wachtwoordzin tonen"
    await client.click(eye.content)
    assert not tf.password and eye.label == "Wachtwoordzin verbergen"
    assert eye.content.icon == ft.Icons.VISIBILITY_OFF_OUTLINED
    await client.click(eye.content)
    assert tf.password and eye.label == "Wachtwoordzin tonen"
    await type_into(client, "Wachtwoordzin", PASSPHRASE)
    await press(client, "Ontgrendelen")  # the field still works as before
    assert not any(f.label == "Wachtwoordzin" for f in client.find_all(ft.TextField)), dump(client)


async def test_the_security_screens_passphrase_fields_have_named_eye_buttons(real_device):
    client, app = await real_device.open(platform="linux")
    await unlock(client, PASSPHRASE)
    app.push(SecurityView(app))
    assert isinstance(app.screen, SecurityView), dump(client)
    names = [_eye(field(client, label)).label for label in
             ("Huidige wachtwoordzin", "Nieuwe wachtwoordzin", "Nieuwe wachtwoordzin nog een keer")]
    assert names == ["Huidige wachtwoordzin tonen", "Nieuwe wachtwoordzin tonen",
                     "Nieuwe wachtwoordzin nog een keer tonen"]
