"""Escape is the back arrow on a pushed screen (found in the browser: it did nothing): the client file goes
back to the list, a half-typed contact form keeps its draft as the back arrow does. While a dialog is open
Escape is the dialog's (Flutter closes it), and on a tab (no back arrow) it does nothing."""

from __future__ import annotations

import flet as ft
from ui_helpers import PASSPHRASE, dump, has_text, press, type_into, unlock

from field_app.ui.views.caseload import CaseloadView
from field_app.ui.views.client import ClientView
from field_app.ui.views.contact_form import ContactFormView


async def escape(client, taken: bool = False, **mods) -> None:
    """Escape as the web build sends it: the page's keyboard event first (every key), then the app's key
    listener's key_down, unless a widget took the key (an open dropdown menu closing on it)."""
    data = {"key": "Escape", "shift": False, "ctrl": False, "alt": False, "meta": False, **mods}
    await client.event(client.page, "keyboard_event", data)
    if not taken:
        await client.event(client.find(ft.KeyboardListener), "key_down", {"key": "Escape"})


async def _file(device):
    svc = device.services
    svc.unlock(PASSPHRASE)
    cid = svc.add_client("Eva Escape (fictief)", fictional=True)
    svc.lock()
    client, app = await device.open()
    await unlock(client, PASSPHRASE)
    app.open_client(cid)
    assert isinstance(app.screen, ClientView), dump(client)
    return client, app, cid


async def test_escape_goes_back_from_the_client_file_and_not_from_a_tab(real_device):
    client, app, _ = await _file(real_device)
    await escape(client, ctrl=True)  # a shortcut with a modifier is not "back"
    assert isinstance(app.screen, ClientView)
    await escape(client)
    assert isinstance(app.screen, CaseloadView), dump(client)
    await escape(client)  # a tab has no back arrow: nothing happens
    assert isinstance(app.screen, CaseloadView) and app.errors == []


async def test_escape_from_a_half_typed_contact_form_keeps_the_draft_like_the_back_arrow(real_device):
    client, app, cid = await _file(real_device)
    await press(client, "Contact vastleggen")
    assert isinstance(app.screen, ContactFormView)
    await type_into(client, "Verslag (feiten)", "Half getypt verslag")
    await escape(client)
    assert isinstance(app.screen, ClientView) and app.screen.client_id == cid
    assert has_text(client, "Je concept is bewaard."), dump(client)
    assert real_device.services.load_draft(f"contact:{cid}") is not None


async def test_escape_with_a_dialog_open_leaves_the_screen_alone(real_device):
    client, app, _ = await _file(real_device)
    await press(client, "Contact vastleggen")
    await type_into(client, "Verslag (feiten)", "Iets")
    app.open_sync_info()  # the sync sheet, as the chip opens it
    dialog = next(d for d in client.find_all(ft.AlertDialog) if d.open)
    await escape(client)  # Flutter closes the dialog itself; the app must not also leave the form
    assert isinstance(app.screen, ContactFormView) and dialog.open
    app.page.pop_dialog()
    await escape(client)
    assert isinstance(app.screen, ClientView)


async def test_escape_an_open_dropdown_menu_took_leaves_the_form_alone(real_device):
    """Found in the browser: with 'Soort contact' open, one Escape closed the menu and also left the form.
    The web build sends no event when a menu opens; the page still hears the Escape, the app's key listener
    does not (the menu took it). The focus goes back to the listener so that the next Escape reaches it."""
    client, app, _ = await _file(real_device)
    await press(client, "Contact vastleggen")
    await type_into(client, "Verslag (feiten)", "Iets")
    client.conn.invoked.clear()
    await escape(client, taken=True)
    await client.settle()
    assert isinstance(app.screen, ContactFormView), dump(client)
    assert "focus" in client.conn.invoked
    await escape(client)  # the menu is gone: Escape is the back arrow again
    assert isinstance(app.screen, ClientView), dump(client)
    assert has_text(client, "Je concept is bewaard."), dump(client)


async def test_a_dropdown_choice_puts_the_focus_back_where_escape_is_heard(real_device):
    """A dropdown's menu that closes with a choice leaves the keyboard focus nowhere (found in the browser:
    the next Escape reached only the page), so the choice puts it back on the app's key listener."""
    client, app, _ = await _file(real_device)
    await press(client, "Contact vastleggen")
    await client.settle()
    client.conn.invoked.clear()
    dropdown = client.find(ft.Dropdown, label="Soort contact")
    client.session.apply_patch(dropdown._i, {"value": "TELEFONISCH"})
    await client.event(dropdown, "select", "TELEFONISCH")
    await client.settle()
    assert "focus" in client.conn.invoked and app.errors == []
