"""Small steps a person takes, expressed through the harness."""

from __future__ import annotations

import json

import flet as ft
from flet_harness import FakeClient

from field_app.crypto.vault import ScryptParams

PASSPHRASE = "correct horse battery"
USER = "Lotte de Boer (fictief)"
FAST_SCRYPT = ScryptParams(n=2**10, r=8, p=1)


def dump(client: FakeClient) -> str:
    """All visible texts, for assertion messages."""
    return json.dumps([t for t in client.texts() if t], ensure_ascii=False)


def field(client: FakeClient, label: str) -> ft.TextField:
    return client.find(ft.TextField, label=label)


_BUTTONS = (ft.Button, ft.FilledButton, ft.OutlinedButton, ft.TextButton, ft.FloatingActionButton)


def buttons(client: FakeClient, text: str) -> list:
    """Buttons that say ``text``; also an action drawn without a button widget whose semantics node is the
    button (components.pinned_action: the contact form's Opslaan bar)."""
    return [c for c in client.walk() if (isinstance(c, _BUTTONS) and c.content == text)
            or (isinstance(c, ft.Semantics) and c.button and c.label == text and c.on_tap)]


def button(client: FakeClient, text: str):
    """The one button that says ``text``. A form's action is there twice by design (the pinned bar, and
    the end of the form that Tab reaches, components.pinned_action): then the pinned one, as a thumb taps."""
    found = buttons(client, text)
    pinned = [f for f in found if isinstance(f, ft.Semantics)]
    if len(found) == 2 and len(pinned) == 1:
        return pinned[0]
    assert len(found) == 1, f"expected one button {text!r}, found {len(found)}"
    return found[0]


async def press(client: FakeClient, text: str) -> None:
    found = button(client, text)
    if isinstance(found, ft.Semantics):  # a pinned action: its face takes the click, as in the browser
        face = found.content.controls[0]
        await client.click(face)
    else:
        await client.click(found)


async def type_into(client: FakeClient, label: str, text: str) -> None:
    await client.type(field(client, label), text)


async def select(client: FakeClient, label: str, key: str, index: int = 0) -> None:
    """Choose an option of the ``index``-th Dropdown labelled ``label`` (as the client does)."""
    dds = client.find_all(ft.Dropdown, label=label)
    dd = dds[index]
    assert key in [o.key for o in dd.options], key
    client.session.apply_patch(dd._i, {"value": key})
    await client.event(dd, "select", key)


async def unlock(client: FakeClient, passphrase: str) -> None:
    await type_into(client, "Wachtwoordzin", passphrase)
    await press(client, "Ontgrendelen")


def visible_texts(client: FakeClient) -> list[str]:
    return [t for t in client.texts() if t]


def has_text(client: FakeClient, fragment: str) -> bool:
    return any(fragment in t for t in visible_texts(client))


def choice_error(client: FakeClient, label: str, index: int = 0) -> str | None:
    """The message under the ``index``-th Dropdown labelled ``label`` (components.Choice shows it as a
    wrapping line below the dropdown, not as the dropdown's one-line error text), or None."""
    dd = client.find_all(ft.Dropdown, label=label)[index]
    assert dd.error_text is None, "a Choice's message is drawn under it, never cut off as error_text"
    box = dd.parent.parent.parent.controls[1]  # Row -> Semantics -> Column [named, error box]
    texts = [t for t in client.texts(box) if t] if box.visible else []
    return " ".join(texts) or None


def semantics(client: FakeClient, identifier: str) -> list[ft.Semantics]:
    return [c for c in client.walk() if isinstance(c, ft.Semantics) and c.identifier == identifier]


async def open_client(client: FakeClient, name: str) -> None:
    """Tap the caseload card of ``name``."""
    for card in client.find_all(ft.Card):
        if name in client.texts(card):
            tap = next(c for c in client.walk(card) if isinstance(c, ft.Container) and c.on_click)
            await client.click(tap)
            return
    raise AssertionError(f"no client card {name!r}")


def mark(client: FakeClient) -> int:
    """Position in the message log (see :func:`sent_since`)."""
    return len(client.conn.messages)


def sent_since(client: FakeClient, start: int, fragment: str) -> bool:
    """Did the app push ``fragment`` to the browser after ``start``? (Python-side state alone is not
    enough: a change that is never sent is invisible.)"""
    return any(fragment in str(m.body) for m in client.conn.messages[start:])
