"""Error texts are never cut off: Flutter draws a TextField's error on one line with an ellipsis unless
``error_max_lines`` is set, and a DropdownMenu's error text always on one line; so every text field is made
through ``components.text_field`` and a dropdown (``components.Choice``) says its message in a wrapping
line under it (found in the browser at 100 % zoom)."""

from __future__ import annotations

import ast
from pathlib import Path

import flet as ft
from ui_helpers import PASSPHRASE, choice_error, dump, press, semantics, unlock

from field_app.ui import components as c
from field_app.ui.views.contact_form import ContactFormView

UI = Path(__file__).resolve().parents[2] / "field_app" / "ui"


def test_every_text_field_of_the_app_is_made_with_room_for_its_message():
    raw = []
    for path in UI.rglob("*.py"):
        if path.name == "components.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "TextField"
                    and isinstance(node.func.value, ast.Name) and node.func.value.id == "ft"):
                raw.append(f"{path.relative_to(UI)}:{node.lineno}")
    assert raw == [], f"use components.text_field (error_max_lines), not ft.TextField: {raw}"
    assert c.text_field(label="x").error_max_lines >= 4


async def test_the_contact_forms_messages_wrap_under_their_fields(real_device):
    svc = real_device.services
    svc.unlock(PASSPHRASE)
    cid = svc.add_client("Eva Evers (fictief)", fictional=True)
    svc.lock()
    client, app = await real_device.open()
    await unlock(client, PASSPHRASE)
    app.open_client(cid)
    await press(client, "Contact vastleggen")
    assert isinstance(app.screen, ContactFormView), dump(client)
    await press(client, "Opslaan")
    fields = client.find_all(ft.TextField)
    assert fields and all((f.error_max_lines or 1) >= 4 for f in fields), \
        [f.label for f in fields if (f.error_max_lines or 1) < 4]
    # the dropdown's own error text (one line, an ellipsis) stays empty; its message is a line under it
    assert all(d.error_text is None for d in client.find_all(ft.Dropdown))
    assert choice_error(client, "Soort contact") == "Kies het soort contact."
    texts = [t for t in client.texts() if t]
    assert "Kies het soort contact." in texts, dump(client)
    line = next(x for x in client.walk() if isinstance(x, ft.Text) and x.value == "Kies het soort contact.")
    assert line.expand and not line.no_wrap and line.max_lines is None and line.overflow in (None, ft.TextOverflow.CLIP)
    # and the choice's accessible name still says it
    assert semantics(client, "contact-type")[0].label == "Soort contact, Kies het soort contact."
