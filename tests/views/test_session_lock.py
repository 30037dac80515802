"""Web mode exposes a device: one unlocked browser session at a time, lock on disconnect and after
inactivity, and a half-typed contact form survives as a sealed draft."""

from __future__ import annotations

import flet as ft
from ui_helpers import PASSPHRASE, dump, field, has_text, press, select, semantics, type_into, unlock

from field_app.ui.views.caseload import CaseloadView
from field_app.ui.views.contact_form import ContactFormView
from field_app.ui.views.unlock import UnlockView


async def _typing_in_form(device, report="Half getypt: cliënt was"):
    svc = device.services
    svc.unlock(PASSPHRASE)
    cid = svc.add_client("Gert Gerritsen (fictief)", fictional=True)
    svc.lock()
    client, app = await device.open()
    await unlock(client, PASSPHRASE)
    app.open_client(cid)
    await press(client, "Contact vastleggen")
    await select(client, "Soort contact", "HUISBEZOEK_ONAANGEKONDIGD")
    await type_into(client, "Verslag (feiten)", report)
    return client, app, cid


async def test_second_session_unlocking_locks_the_first_and_gets_the_draft(real_device):
    a, app_a, cid = await _typing_in_form(real_device)
    b, app_b = await real_device.open()
    assert isinstance(app_b.screen, UnlockView)  # the device is unlocked, but not for this tab
    assert not has_text(b, "Gert Gerritsen")

    await unlock(b, PASSPHRASE)
    assert isinstance(app_a.screen, UnlockView)
    assert has_text(a, "Vergrendeld omdat Veldwerk in een ander venster is geopend."), dump(a)
    assert not has_text(a, "Gert Gerritsen")
    assert real_device.guard.owner is app_b
    # the half-typed form comes back in the session that unlocked
    assert isinstance(app_b.screen, ContactFormView), dump(b)
    assert field(b, "Verslag (feiten)").value == "Half getypt: cliënt was"
    assert b.find(ft.Dropdown, label="Soort contact").value == "HUISBEZOEK_ONAANGEKONDIGD"
    assert has_text(b, "Je was dit contact aan het vastleggen toen de app vergrendelde.")


async def test_a_wrong_passphrase_in_a_second_tab_does_not_leave_data_open(real_device):
    a, app_a = await real_device.open()
    await unlock(a, PASSPHRASE)
    b, app_b = await real_device.open()
    await unlock(b, "verkeerd verkeerd")
    assert isinstance(app_a.screen, UnlockView)
    assert isinstance(app_b.screen, UnlockView)
    assert not real_device.services.unlocked
    assert real_device.guard.owner is None


async def test_idle_session_locks_and_the_form_comes_back_after_unlock(real_device, clock):
    a, app, cid = await _typing_in_form(real_device)
    clock.advance(299)
    real_device.guard.tick()
    assert real_device.services.unlocked
    await type_into(a, "Verslag (feiten)", "Half getypt: cliënt was thuis")  # activity restarts the timer
    clock.advance(299)
    real_device.guard.tick()
    assert real_device.services.unlocked
    clock.advance(2)
    real_device.guard.tick()
    await a.settle()
    assert not real_device.services.unlocked
    assert isinstance(app.screen, UnlockView)
    assert has_text(a, "Vergrendeld omdat de app een tijd niet is gebruikt."), dump(a)
    assert has_text(a, "Wat je aan het typen was, is bewaard.")
    assert not has_text(a, "Gert Gerritsen")

    await unlock(a, PASSPHRASE)
    assert isinstance(app.screen, ContactFormView)
    assert field(a, "Verslag (feiten)").value == "Half getypt: cliënt was thuis"
    assert semantics(a, "draft-restored")
    await type_into(a, "Verslag (feiten)", "Cliënt was thuis.")
    await press(a, "Opslaan")
    assert [n.report for n in real_device.services.timeline(cid)] == ["Cliënt was thuis."]
    assert real_device.services.load_draft(f"contact:{cid}") is None


async def test_disconnect_locks_the_device_and_keeps_the_draft(real_device):
    a, app, cid = await _typing_in_form(real_device)
    await a.session.disconnect(60)  # what flet_web does when the tab closes or the socket drops
    assert not real_device.services.unlocked
    assert real_device.guard.owner is None
    real_device.services.unlock(PASSPHRASE)
    assert real_device.services.load_draft(f"contact:{cid}")["report"] == "Half getypt: cliënt was"
    assert real_device.services.load_draft("resume") == {"client_id": cid}


async def test_disconnect_of_a_locked_tab_leaves_the_other_tab_alone(real_device):
    a, _ = await real_device.open()
    b, app_b = await real_device.open()
    await unlock(b, PASSPHRASE)
    await a.session.disconnect(60)
    assert real_device.services.unlocked
    assert isinstance(app_b.screen, CaseloadView)


async def test_manual_lock_from_meer(real_device):
    a, app = await real_device.open()
    await unlock(a, PASSPHRASE)
    await a.select_nav(a.page.navigation_bar, len(a.page.navigation_bar.destinations) - 1)  # Meer is last
    assert has_text(a, "Tekstgrootte"), dump(a)
    await press(a, "Vergrendelen")
    assert not real_device.services.unlocked
    assert isinstance(app.screen, UnlockView)


async def test_unlocked_device_without_a_session_is_locked_by_the_guard(real_device, clock):
    real_device.services.unlock(PASSPHRASE)  # e.g. a tab died without a disconnect event
    clock.advance(real_device.guard.orphan_grace + 1)
    real_device.guard.tick()
    assert not real_device.services.unlocked


async def test_actions_from_a_locked_screen_are_refused(real_device):
    a, app = await real_device.open()
    await unlock(a, PASSPHRASE)
    add = next(c for c in a.walk() if isinstance(c, ft.FloatingActionButton) and c.content == "Cliënt toevoegen")
    real_device.services.lock()  # locked underneath (another path); the old button is still on screen
    await a.click(add)
    assert isinstance(app.screen, UnlockView)


async def test_lock_message_mentions_a_kept_draft_only_when_there_was_one(real_device, clock):
    a, app = await real_device.open()
    await unlock(a, PASSPHRASE)
    clock.advance(301)
    real_device.guard.tick()
    await a.settle()
    assert has_text(a, "Vergrendeld omdat de app een tijd niet is gebruikt."), dump(a)
    assert not has_text(a, "Wat je aan het typen was")


async def test_going_to_the_background_locks_and_keeps_the_form(real_device):
    """The phone is pocketed (Flutter lifecycle "hide"; "pause" on Android): lock at once, keep the form."""
    a, app, cid = await _typing_in_form(real_device, report="Half getypt: cliënt was thuis")
    svc = real_device.services
    await a.event(a.page, "app_lifecycle_state_change", {"state": "inactive"})
    assert svc.unlocked and isinstance(app.screen, ContactFormView)  # a system dialog is not the background
    await a.event(a.page, "app_lifecycle_state_change", {"state": "hide"})
    assert not svc.unlocked, dump(a)
    assert isinstance(app.screen, UnlockView)
    assert has_text(a, "Vergrendeld omdat de app naar de achtergrond ging. Wat je aan het typen was, is bewaard."), dump(a)
    assert not has_text(a, "Gert Gerritsen")
    await a.event(a.page, "app_lifecycle_state_change", {"state": "show"})
    assert not svc.unlocked  # coming back asks for the passphrase again
    await unlock(a, PASSPHRASE)
    assert isinstance(app.screen, ContactFormView), dump(a)
    assert field(a, "Verslag (feiten)").value == "Half getypt: cliënt was thuis"
