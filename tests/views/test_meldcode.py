"""The guided meldcode weighing: one question at a time, early stop, decision in plain Dutch, saved."""

from __future__ import annotations

import flet as ft
from test_contact_full import seed
from ui_helpers import PASSPHRASE, dump, field, has_text, press, semantics, type_into, unlock

from field_app.ui.views.meldcode import MeldcodeView


async def open_meldcode(device, flag=True):
    cid, _ = seed(device.services, victim_mother=True, extra_conditions=False)
    svc = device.services
    svc.unlock(PASSPHRASE)
    flags = svc.records(cid, "flag")  # "woont bij slachtoffer", raised by the rules
    svc.lock()
    client, app = await device.open()
    await unlock(client, PASSPHRASE)
    app.open_client(cid)
    app.open_meldcode(cid, flags[0].id if flag else None)
    assert isinstance(app.screen, MeldcodeView), dump(client)
    return client, app, cid, flags


async def answer(client, yes: bool) -> None:
    sem = semantics(client, "meldcode-ja" if yes else "meldcode-nee")
    assert sem, dump(client)
    await client.click(sem[0].content)


async def test_no_suspicion_stops_after_the_first_question(real_device):
    client, app, cid, flags = await open_meldcode(real_device)
    assert flags and flags[0].fields["raised_by_rule"] == "VERHUIZING_SLACHTOFFERADRES"
    assert has_text(client, "Vraag 1 van 5")
    assert has_text(client, "Is er een vermoeden van huiselijk geweld of kindermishandeling?")
    assert semantics(client, "meldcode-ja")[0].label == "Ja"
    await answer(client, False)
    assert has_text(client, "Besluit: Geen vermoeden: afsluiten"), dump(client)
    assert not has_text(client, "Vraag 2 van 5")
    await press(client, "Vastleggen")
    [m] = real_device.services.records(cid, "meldcode")
    assert m.fields["decision"] == "GEEN_ZORGEN_AFSLUITEN" and m.fields["flag_id"] == flags[0].id
    assert m.fields.get("q2_acuut_of_structureel_onveilig") is None
    assert has_text(client, "Vastgelegd: Geen vermoeden: afsluiten. De afweging staat in het dossier.")
    await press(client, "Terug naar het dossier")
    assert not isinstance(app.screen, MeldcodeView)


async def test_acute_unsafety_means_report_and_needs_an_explanation(real_device):
    client, app, cid, _ = await open_meldcode(real_device)
    await answer(client, True)
    assert has_text(client, "Is er sprake van acute of structurele onveiligheid?")
    await answer(client, True)
    assert has_text(client, "Besluit: Melden bij Veilig Thuis"), dump(client)
    assert has_text(client, "Meld bij Veilig Thuis.")
    assert semantics(client, "meldcode-decision")
    await press(client, "Vastleggen")
    assert field(client, "Waarom is het acuut of structureel onveilig?").error == \
        "Leg uit waarom het acuut of structureel onveilig is."
    assert has_text(client, "Nog niet vastgelegd.")
    assert real_device.services.records(cid, "meldcode") == []
    await type_into(client, "Waarom is het acuut of structureel onveilig?", "Moeder vertelt over slaan, wekelijks.")
    await press(client, "Vastleggen")
    assert not has_text(client, "Nog niet vastgelegd."), dump(client)  # it stayed beside "Vastgelegd" (browser)
    [m] = real_device.services.records(cid, "meldcode")
    assert m.fields["decision"] == "MELDEN_VT"
    assert m.fields["q2_toelichting"] == "Moeder vertelt over slaan, wekelijks."
    assert m.fields.get("q3_hulp_mogelijk") is None


async def test_all_five_questions_lead_to_help_and_a_no_on_four_to_report(real_device):
    client, app, cid, flags = await open_meldcode(real_device, flag=False)
    for yes in (True, False, True, True):
        await answer(client, yes)
    assert has_text(client, "Vraag 5 van 5")
    assert has_text(client, "Antwoord: Nee")  # the answers so far stay visible
    await answer(client, True)
    assert has_text(client, "Besluit: Hulp bieden of organiseren"), dump(client)
    await press(client, "Vorige vraag opnieuw")  # change the last answer
    assert has_text(client, "Vraag 5 van 5")
    await press(client, "Vorige vraag opnieuw")
    await answer(client, False)  # q4: help is not accepted
    assert has_text(client, "Besluit: Melden bij Veilig Thuis")
    await press(client, "Vastleggen")
    [m] = real_device.services.records(cid, "meldcode")
    assert (m.fields["q3_hulp_mogelijk"], m.fields["q4_hulp_aanvaard"], m.fields.get("q5_leidt_tot_veiligheid")) == \
        ("JA", "NEE", None)
    # opened without a flag, the weighing is about the open "woont bij slachtoffer" flag (issue #14)
    assert m.fields["decision"] == "MELDEN_VT" and m.fields.get("flag_id") == flags[0].id


async def test_answers_survive_leaving_the_form(real_device):
    client, app, cid, flags = await open_meldcode(real_device)
    await answer(client, True)
    await answer(client, False)
    await client.click(client.find(ft.IconButton, tooltip="Terug"))
    assert not isinstance(app.screen, MeldcodeView)
    app.open_meldcode(cid)
    assert app.screen.answers == {"q1_vermoeden": "JA", "q2_acuut_of_structureel_onveilig": "NEE"}
    assert app.screen.flag_id == flags[0].id
    assert has_text(client, "Vraag 3 van 5"), dump(client)
