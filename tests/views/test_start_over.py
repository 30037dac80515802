"""PIN or passphrase forgotten: "Opnieuw beginnen" from the unlock screen, on a real device.

It delivers first, never erases work that could still arrive, gives up work that can never travel only
after an explicit second choice, and ends on the Aanmelden screen. The delivery itself against a live
server is `tests/integration/test_security_lifecycle.py::test_a_forgotten_pin_on_the_same_phone_delivers_first_then_starts_over`.
"""

from __future__ import annotations

import flet as ft
from ui_helpers import PASSPHRASE, button, dump, has_text, press, semantics, type_into

from field_app.ui.views.enrol import EnrolView
from field_app.ui.views.unlock import UnlockView


def _dialog(client) -> ft.AlertDialog:
    dialogs = [d for d in client.page._dialogs.controls if isinstance(d, ft.AlertDialog) and d.open]
    assert dialogs, "no dialog open"
    return dialogs[-1]


async def test_cancel_changes_nothing(real_device):
    client, app = await real_device.open(platform="linux")
    await press(client, "Wachtwoordzin vergeten?")
    dialog = _dialog(client)
    assert "Niemand kan je wachtwoordzin terughalen" in " ".join(client.texts(dialog)), dump(client)
    assert "Alles is al verstuurd." in " ".join(client.texts(dialog))
    await press(client, "Annuleren")
    assert real_device.services.enrolled and isinstance(app.screen, UnlockView)
    real_device.services.unlock(PASSPHRASE)


async def test_work_that_can_never_travel_is_given_up_only_after_a_second_choice(real_device):
    svc = real_device.services
    svc.unlock(PASSPHRASE)
    svc.add_client("Kees Klaver (fictief)", fictional=True)  # offline, never synced: sealed locally only
    svc.lock()
    client, app = await real_device.open(platform="linux")
    await press(client, "Wachtwoordzin vergeten?")
    assert "1 wijziging wacht nog op verzending." in " ".join(client.texts(_dialog(client))), dump(client)
    await press(client, "Afleveren en wissen")
    assert semantics(client, "start-over-message"), dump(client)
    assert has_text(client, "1 wijziging kan zonder je pincode of wachtwoordzin nooit worden afgeleverd"), dump(client)
    assert svc.enrolled  # nothing erased yet
    go = button(client, "Toch wissen")
    assert go.disabled
    box = client.find(ft.Checkbox, label="Ik begrijp dat deze 1 wijziging verloren gaat")
    client.session.apply_patch(box._i, {"value": True})
    await client.event(box, "change", "true")
    assert not go.disabled
    await client.click(go)
    assert not svc.enrolled, dump(client)
    assert isinstance(app.screen, EnrolView), dump(client)
    assert has_text(client, "Aanmelden bij je team")


async def test_nothing_pending_erases_and_enrols_again(real_device):
    client, app = await real_device.open(platform="linux")
    await press(client, "Wachtwoordzin vergeten?")
    await press(client, "Afleveren en wissen")
    assert not real_device.services.enrolled, dump(client)
    assert isinstance(app.screen, EnrolView)
    await press(client, "Geen uitnodiging? Serveradres en code")
    await type_into(client, "Serveradres", "http://127.0.0.1:9")
    await type_into(client, "Eenmalige code", "ABCD-EFGH")
    await type_into(client, "Je naam", "Lotte de Boer (fictief)")
    await type_into(client, "Kies een wachtwoordzin", "een nieuwe wachtwoordzin")
    await type_into(client, "Herhaal de wachtwoordzin", "een nieuwe wachtwoordzin")
    await press(client, "Aanmelden")
    assert real_device.services.enrolled and real_device.services.unlocked, dump(client)
