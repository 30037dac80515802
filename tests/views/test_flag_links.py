"""Links between a flag and what answers it (issue #14): the automatic *woont bij slachtoffer* flag offers
the meldcode weighing (Signalen list and client file), and the decision updates the flag."""

from __future__ import annotations

from test_contact_full import seed
from ui_helpers import PASSPHRASE, dump, has_text, press, semantics, unlock

from field_app.ui.views.client import ClientView
from field_app.ui.views.flags import FlagsView
from field_app.ui.views.meldcode import MeldcodeView


async def _flags_tab(device):
    cid, _ = seed(device.services, victim_mother=True, extra_conditions=False)
    svc = device.services
    svc.unlock(PASSPHRASE)
    [flag] = [f for f in svc.records(cid, "flag") if f.fields["raised_by_rule"] == "VERHUIZING_SLACHTOFFERADRES"]
    svc.lock()
    client, app = await device.open()
    await unlock(client, PASSPHRASE)
    await client.select_nav(app.page.navigation_bar, 2)
    assert isinstance(app.screen, FlagsView), dump(client)
    return client, app, cid, flag


async def answer(client, yes: bool) -> None:
    await client.click(semantics(client, "meldcode-ja" if yes else "meldcode-nee")[0].content)


async def test_the_flag_opens_the_weighing_and_the_decision_settles_it(real_device):
    client, app, cid, flag = await _flags_tab(real_device)
    svc = real_device.services
    button = semantics(client, f"flags-meldcode-{flag.id}")
    assert button, dump(client)
    await press(client, "Meldcode-afweging doen")
    assert isinstance(app.screen, MeldcodeView) and app.screen.flag_id == flag.id
    for yes in (True, False, True, True, True):  # suspicion, not acute, help possible, accepted, safe in time
        await answer(client, yes)
    assert has_text(client, "Besluit: Hulp bieden of organiseren"), dump(client)
    await press(client, "Vastleggen")
    settled = svc.record(flag.id).fields
    assert settled["status"] == "AFGEHANDELD"
    assert settled["resolution_note"] == "Meldcode-afweging gedaan, besluit: Hulp bieden of organiseren."
    assert all(f.id != flag.id for f in svc.open_flags())
    # opening it from the Signalen list is in the access log like opening the file
    assert any(e.get("client_id") == cid for e in svc.device.projection.audit_entries(cid))


async def test_a_report_decision_keeps_the_flag_in_progress_and_says_so_on_its_card(real_device):
    client, app, cid, flag = await _flags_tab(real_device)
    svc = real_device.services
    app.open_client(cid)
    assert isinstance(app.screen, ClientView)
    app.open_meldcode(cid)  # opened from the file without a flag: it is about the open flag
    assert app.screen.flag_id == flag.id
    await answer(client, True)
    await answer(client, True)
    from ui_helpers import type_into

    await type_into(client, "Waarom is het acuut of structureel onveilig?", "Dreiging tegen moeder (fictief).")
    await press(client, "Vastleggen")
    fields = svc.record(flag.id).fields
    assert fields["status"] == "IN_BEHANDELING"
    assert "Melden bij Veilig Thuis" in fields["resolution_note"]
    await press(client, "Terug naar het dossier")
    assert isinstance(app.screen, ClientView), dump(client)
    app.screen.show_section("network")
    assert has_text(client, "Afhandeling: Meldcode-afweging gedaan, besluit: Melden bij Veilig Thuis."), dump(client)
    assert semantics(client, f"flag-meldcode-{flag.id}")  # still open (in progress): the weighing stays at hand
