"""Cliënten: the list, search, the empty state, adding a client, opening one."""

from __future__ import annotations

import flet as ft
from ui_helpers import PASSPHRASE, dump, field, has_text, open_client, press, semantics, type_into, unlock

from field_app.ui.views.client import ClientView


async def _unlocked(device):
    client, app = await device.open()
    await unlock(client, PASSPHRASE)
    return client, app


async def test_empty_caseload_says_how_to_add_a_client(real_device):
    client, _ = await _unlocked(real_device)
    assert has_text(client, "Nog geen cliënten"), dump(client)
    assert has_text(client, "Tik onderaan op 'Cliënt toevoegen'")
    assert semantics(client, "caseload-empty")


async def test_lists_clients_with_last_contact_risk_and_fictional_label(real_device):
    svc = real_device.services
    svc.unlock(PASSPHRASE)
    a = svc.add_client("Anna de Vries (fictief)", fictional=True)
    svc.add_client("Bram Bakker (fictief)", fictional=True)
    svc.record_contact(a, contact_type="HUISBEZOEK_AANGEKONDIGD", outcome="PLAATSGEVONDEN",
                       report="Thuis aangetroffen.", risks=[("HUISVESTING", "HOOG")])
    svc.lock()
    client, _ = await _unlocked(real_device)
    texts = [t for t in client.texts() if t]
    assert texts.index("Anna de Vries (fictief)") < texts.index("Bram Bakker (fictief)")
    assert "2 cliënten" in texts
    assert "Laatste contact: vandaag" in texts
    assert "Nog geen contact" in texts
    assert "Risico: Hoog" in texts, dump(client)
    assert texts.count("FICTIEF") == 2
    # colour is never the only signal: the risk badge has an icon too
    badge = next(s for s in client.find_all(ft.Semantics) if s.label == "Risico: Hoog")
    assert any(isinstance(c, ft.Icon) for c in client.walk(badge))


async def test_search_filters_by_name_and_says_when_nothing_matches(real_device):
    svc = real_device.services
    svc.unlock(PASSPHRASE)
    for name in ("Anna de Vries", "Bram Bakker", "Annemiek Smit"):
        svc.add_client(name, fictional=True)
    svc.lock()
    client, _ = await _unlocked(real_device)
    await type_into(client, "Zoek op naam", "ann")
    assert has_text(client, "Anna de Vries") and has_text(client, "Annemiek Smit")
    assert not has_text(client, "Bram Bakker")
    assert has_text(client, "2 cliënten")
    await type_into(client, "Zoek op naam", "xyz")
    assert has_text(client, "Geen cliënt gevonden met 'xyz'"), dump(client)
    await type_into(client, "Zoek op naam", "")
    assert has_text(client, "Bram Bakker")


async def test_add_client_dialog_adds_and_opens_the_client(real_device):
    client, app = await _unlocked(real_device)
    await press(client, "Cliënt toevoegen")
    await press(client, "Toevoegen")  # no name yet
    assert field(client, "Naam").error == "Vul een naam in."
    await type_into(client, "Naam", "Cees Claassen (fictief)")
    client.find(ft.Checkbox).value = True
    await press(client, "Toevoegen")
    assert isinstance(app.screen, ClientView), dump(client)
    assert has_text(client, "Cees Claassen (fictief)")
    assert has_text(client, "Nog geen contacten vastgelegd")
    summary = real_device.services.caseload()[0]
    assert summary.display_name == "Cees Claassen (fictief)" and summary.fictional


async def test_tapping_a_client_opens_the_timeline_and_back_returns(real_device):
    svc = real_device.services
    svc.unlock(PASSPHRASE)
    svc.add_client("Dirk Dekker", fictional=True)
    svc.lock()
    client, app = await _unlocked(real_device)
    await open_client(client, "Dirk Dekker")
    assert isinstance(app.screen, ClientView)
    assert has_text(client, "Tijdlijn")
    await client.click(client.find(ft.IconButton, tooltip="Terug"))
    assert has_text(client, "Dirk Dekker") and has_text(client, "1 cliënt")


async def test_opening_a_file_is_logged_and_outside_the_caseload_asks_a_reason(real_device):
    svc = real_device.services
    svc.unlock(PASSPHRASE)
    svc.add_client("Eigen Cliënt (fictief)", fictional=True)
    svc.intake("Andere Cliënt (fictief)", assigned_to="Piet Pietersen (fictief)", fictional=True)
    svc.lock()
    client, app = await _unlocked(real_device)
    before, counted = svc.device.store.outbox_count(), svc.unsynced_count()
    await open_client(client, "Eigen Cliënt (fictief)")
    assert isinstance(app.screen, ClientView)
    assert svc.device.store.outbox_count() == before + 1  # the access-log entry, sealed and on its way
    assert svc.unsynced_count() == counted  # but not counted as work waiting to be sent (issue #14)

    await client.click(client.find(ft.IconButton, tooltip="Terug"))
    await open_client(client, "Andere Cliënt (fictief)")
    assert not isinstance(app.screen, ClientView)
    assert has_text(client, "Deze cliënt staat niet in jouw caseload."), dump(client)
    await press(client, "Openen en vastleggen")  # no reason yet
    assert field(client, "Reden").error
    await type_into(client, "Reden", "Collega ziek; crisis gemeld door wijkagent.")
    await press(client, "Openen en vastleggen")
    assert isinstance(app.screen, ClientView), dump(client)
    assert has_text(client, "Andere Cliënt (fictief)")
    assert svc.device.store.outbox_count() == before + 2
    assert svc.unsynced_count() == counted
