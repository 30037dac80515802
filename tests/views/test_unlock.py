"""Ontgrendelen on a real device: wrong passphrase, then the right one; pending count; growing wait."""

from __future__ import annotations

import flet as ft
from ui_helpers import (
    PASSPHRASE,
    dump,
    field,
    has_text,
    mark,
    press,
    semantics,
    sent_since,
    type_into,
    unlock,
)

from field_app.ui.views.caseload import CaseloadView
from field_app.ui.views.unlock import UnlockView


async def test_wrong_then_right_passphrase_unlocks_real_device(real_device):
    client, app = await real_device.open()
    assert isinstance(app.screen, UnlockView)
    assert has_text(client, "Alles is verstuurd."), dump(client)
    pw = field(client, "Wachtwoordzin")
    assert pw.password is True

    start = mark(client)
    await unlock(client, "niet mijn wachtwoordzin")
    assert has_text(client, "Onjuiste wachtwoordzin. Je gegevens blijven veilig."), dump(client)
    assert sent_since(client, start, "Onjuiste wachtwoordzin"), "the error must reach the browser"
    live = [s for s in semantics(client, "unlock-error") if s.live_region]
    assert live, "a screen reader must announce the error (live region)"
    assert not real_device.services.unlocked
    assert isinstance(app.screen, UnlockView)
    assert pw.value == ""  # the attempt is not kept in the field

    start = mark(client)
    await unlock(client, PASSPHRASE)
    assert real_device.services.unlocked
    assert isinstance(app.screen, CaseloadView), dump(client)
    assert sent_since(client, start, "Nog geen cliënten")
    assert not has_text(client, "Onjuiste wachtwoordzin")
    assert client.page.navigation_bar is not None


async def test_empty_passphrase_says_what_to_do(real_device):
    client, app = await real_device.open()
    await press(client, "Ontgrendelen")
    assert has_text(client, "Vul je wachtwoordzin in."), dump(client)
    assert semantics(client, "unlock-error")


async def test_unlock_screen_shows_how_much_waits_to_be_sent(real_device):
    svc = real_device.services
    svc.unlock(PASSPHRASE)
    cid = svc.add_client("Jan Jansen (fictief)", fictional=True)
    svc.record_contact(cid, contact_type="TELEFONISCH", outcome="PLAATSGEVONDEN", report="Gebeld.")
    svc.lock()
    client, _ = await real_device.open()
    assert has_text(client, "2 contacten of wijzigingen wachten op verzending."), dump(client)


async def test_wrong_attempts_are_counted_by_the_device_and_the_screen_says_what_follows(real_device):
    client, app = await real_device.open()
    for _ in range(4):
        await unlock(client, "fout fout fout")
    assert has_text(client, "Na nog 6 onjuiste pogingen worden de sleutels van dit apparaat vernietigd."), \
        dump(client)
    await unlock(client, "fout fout fout")  # the 5th: the device makes us wait
    assert has_text(client, "Wacht 1 minuut voor de volgende poging."), dump(client)
    await unlock(client, PASSPHRASE)  # refused while waiting, even with the right passphrase
    assert not real_device.services.unlocked
    assert has_text(client, "Wacht 1 minuut voor de volgende poging.")
    # a new tab (or a reload) shows the wait before anyone types
    other, _ = await real_device.open()
    assert has_text(other, "Wacht 1 minuut voor de volgende poging."), dump(other)


async def test_controls_have_labels_and_big_targets(fake_device):
    client, _ = await fake_device.open()
    for tf in client.find_all(ft.TextField):
        assert tf.label
    await type_into(client, "Wachtwoordzin", PASSPHRASE)
    await press(client, "Ontgrendelen")
    assert isinstance(fake_device.apps[0].screen, CaseloadView)
