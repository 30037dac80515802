"""The full contact form on the real Services: compliance per active condition, violations with ernst
and reactie, risk details, escalation right after saving, and drafts of the whole form."""

from __future__ import annotations

import flet as ft
from ui_helpers import (
    PASSPHRASE,
    USER,
    choice_error,
    dump,
    field,
    has_text,
    press,
    select,
    semantics,
    type_into,
    unlock,
)

from field_app.domain.hlc import now_ms
from field_app.domain.timeutil import DAY_MS
from field_app.ui.views.contact_form import ContactFormView
from field_app.ui.views.meldcode import MeldcodeView


def seed(svc, name="Henk Veldman (fictief)", *, victim_mother=False, extra_conditions=True):
    """A client with a v.i. framework and an alcohol ban (plus a reporting duty and a lifted condition)."""
    svc.unlock(PASSPHRASE)
    cid = svc.intake(name, fictional=True)
    fw = svc.create_record("framework", cid, {"framework_type": "VI", "status": "ACTIEF", "start": "2025-01-01"})
    ban = svc.create_record("condition", cid, {
        "framework_id": fw, "condition_type": "MIDDELENVERBOD", "wording": "Geen alcohol drinken.",
        "parameters": {"substances": ["ALCOHOL"]}, "control_means": ["ADEMTEST"]})
    conds = [ban]
    if extra_conditions:
        conds.append(svc.create_record("condition", cid, {"framework_id": fw, "condition_type": "MELDPLICHT",
                                                                 "parameters": {"frequency": "WEKELIJKS", "report_to": "RECLASSERING"}}))
        svc.create_record("condition", cid, {"framework_id": fw, "condition_type": "REISVERBOD", "active": False})
    if victim_mother:
        svc.create_record("network_person", cid, {"name": "Moeder (fictief)", "relation": "MOEDER",
                                                  "roles": ["SLACHTOFFER"], "lives_with_client": True})
    svc.lock()
    return cid, conds


async def open_form(device, **kw):
    cid, conds = seed(device.services, **kw)
    client, app = await device.open()
    await unlock(client, PASSPHRASE)
    app.open_client(cid)
    app.open_contact_form(cid)
    assert isinstance(app.screen, ContactFormView), dump(client)
    return client, app, cid, conds


async def toggle(client, index: int, status: str) -> None:
    sem = semantics(client, f"compliance-{index}-{status}")
    assert sem, f"no toggle compliance-{index}-{status}"
    await client.click(sem[0].content)


async def fill_basics(client, report="Thuis aangetroffen. Ademtest afgenomen."):
    await select(client, "Soort contact", "HUISBEZOEK_ONAANGEKONDIGD")
    await type_into(client, "Verslag (feiten)", report)


def escalation(client) -> ft.AlertDialog | None:
    """The "Escaleren?" dialog when it is open."""
    shown = [d for d in client.page._dialogs.controls if isinstance(d, ft.AlertDialog) and d.open]
    return shown[-1] if shown and "Escaleren?" in client.texts(shown[-1]) else None


def says(client, fragment: str) -> bool:
    dlg = escalation(client)
    return dlg is not None and any(fragment in t for t in client.texts(dlg) if t)


async def tap(client, text: str) -> None:
    """Tap a button of the open dialog."""
    found = [b for b in client.walk(escalation(client)) if isinstance(b, (ft.FilledButton, ft.OutlinedButton,
                                                                           ft.TextButton)) and b.content == text]
    assert len(found) == 1, (text, dump(client))
    await client.click(found[0])


def first(client, label: str) -> ft.Dropdown:
    return client.find_all(ft.Dropdown, label=label)[0]


async def test_one_compliance_row_per_active_condition_and_only_touched_ones_are_sent(real_device):
    client, app, cid, (ban, duty) = await open_form(real_device)
    form = app.screen
    assert [r.condition_id for r in form.compliance_rows] == [ban, duty]  # the lifted travel ban is not there
    assert has_text(client, "Verbod op alcohol en/of drugs, met controle")
    assert has_text(client, "Meldplicht")
    assert not has_text(client, "Reisverbod")
    assert has_text(client, "Geen alcohol drinken.")  # the wording of the decision as a second line
    for status in ("NAGELEEFD", "SIGNAAL_TWIJFEL", "OVERTREDING", "NIET_TE_BEOORDELEN"):
        assert semantics(client, f"compliance-0-{status}")
    assert semantics(client, "compliance-0-NAGELEEFD")[0].label.startswith("Verbod op alcohol")
    assert not form.compliance_rows[0].violation.visible  # ernst/reactie only with a violation
    await fill_basics(client)
    await toggle(client, 1, "NAGELEEFD")
    await select(client, "Bron", "EIGEN_WAARNEMING", index=1)
    await press(client, "Opslaan")
    assert not isinstance(app.screen, ContactFormView), dump(client)
    [note] = real_device.services.records(cid, "contact")
    assert note.fields["compliance"] == [
        {"condition_id": duty, "status": "NAGELEEFD", "source": "EIGEN_WAARNEMING", "evidence": None,
         "note": "", "violation": None}]
    assert escalation(client) is None  # nothing to escalate


async def test_tapping_the_chosen_answer_again_clears_it(real_device):
    client, app, cid, _ = await open_form(real_device)
    await toggle(client, 0, "SIGNAAL_TWIJFEL")
    assert app.screen.compliance_rows[0].status == "SIGNAAL_TWIJFEL"
    # the chosen answer is a state of its own node for a screen reader (aria-checked), not colour alone
    chosen = semantics(client, "compliance-0-SIGNAAL_TWIJFEL")[0]
    assert chosen.checked is True and chosen.exclude_semantics and chosen.on_tap
    assert [semantics(client, f"compliance-0-{s}")[0].checked for s in ("NAGELEEFD", "OVERTREDING", "NIET_TE_BEOORDELEN")] \
        == [False, False, False]
    await toggle(client, 0, "SIGNAAL_TWIJFEL")
    assert app.screen.compliance_rows[0].status is None
    assert semantics(client, "compliance-0-SIGNAAL_TWIJFEL")[0].checked is False
    # a screen reader's double tap reaches the node itself
    await client.event(semantics(client, "compliance-0-OVERTREDING")[0], "tap")
    assert app.screen.compliance_rows[0].status == "OVERTREDING"
    assert semantics(client, "compliance-0-OVERTREDING")[0].checked is True


async def test_a_violation_needs_ernst_and_reactie_shown_next_to_the_controls(real_device):
    client, app, cid, _ = await open_form(real_device)
    await fill_basics(client)
    await toggle(client, 0, "OVERTREDING")
    row = app.screen.compliance_rows[0]
    assert row.violation.visible
    await press(client, "Opslaan")
    assert isinstance(app.screen, ContactFormView), dump(client)
    assert choice_error(client, "Ernst van de overtreding") == "Kies hoe ernstig de overtreding is."
    # the ladder proposes the response (a first violation: address the client), the worker decides
    assert first(client, "Reactie op de overtreding").value == "AANSPREKEN"
    assert has_text(client, "Voorstel: Aanspreken. Eerste overtreding van deze voorwaarde.")
    assert has_text(client, "Nog niet opgeslagen")
    assert real_device.services.records(cid, "contact") == []
    await select(client, "Ernst van de overtreding", "MATIG")
    assert choice_error(client, "Ernst van de overtreding") is None
    await select(client, "Reactie op de overtreding", "SCHRIFTELIJKE_WAARSCHUWING")
    await press(client, "Opslaan")  # another choice than proposed needs a reason
    assert row.reason_box.visible and row.reason.error == (
        "Je kiest een andere reactie dan voorgesteld: schrijf kort op waarom."), dump(client)
    assert real_device.services.records(cid, "contact") == []
    await client.type(row.reason, "Al eerder mondeling gewaarschuwd.")
    await press(client, "Opslaan")
    [note] = real_device.services.records(cid, "contact")
    assert note.fields["compliance"][0]["violation"] == {
        "severity": "MATIG", "response": "SCHRIFTELIJKE_WAARSCHUWING", "proposed": "AANSPREKEN",
        "reason": "Al eerder mondeling gewaarschuwd."}
    # no rule covers an alcohol ban: "Escaleren?" proposes a flag by hand, urgency and route from the ladder
    assert escalation(client) is not None, dump(client)
    assert says(client, "Je legde een overtreding vast: Verbod op alcohol en/of drugs, met controle "
                            "(ernst: Matig; reactie: Schriftelijke waarschuwing).")
    assert client.find(ft.Dropdown, label="Urgentie").value == "BINNEN_5_WERKDAGEN"
    assert client.find(ft.Dropdown, label="Route").value == "TEAMLEIDER"
    await type_into(client, "Toelichting", "Besproken met cliënt.")
    await tap(client, "Signaal maken")
    [flag] = real_device.services.records(cid, "flag")
    assert flag.fields["reason"] == "ANDERS" and flag.fields["source_id"] == note.id
    assert flag.fields["assignee"] == USER and flag.fields["route"] == "TEAMLEIDER"
    assert "Besproken met cliënt." in flag.fields["note"]
    assert escalation(client) is None


async def test_a_failed_save_scrolls_to_the_violation_whose_ernst_is_missing(real_device):
    """The first message is a violation's ernst far down the form: the form scrolls to that condition's
    row (before, any dropdown sent it to the top, where nothing was wrong; found in the browser)."""
    from flet.messaging.protocol import MessageAction

    client, app, cid, _ = await open_form(real_device)
    await fill_basics(client)
    await toggle(client, 1, "OVERTREDING")  # the reporting duty, the second row
    start = len(client.conn.messages)
    await press(client, "Opslaan")
    assert app.screen.compliance_rows[1].severity.error, dump(client)
    keys = [m.body.args.get("scroll_key") for m in client.conn.messages[start:]
            if m.action == MessageAction.INVOKE_METHOD and m.body.name == "scroll_to"]
    # Flet's client finds a scroll target only by a ScrollKey (a plain string is a ValueKey it cannot find)
    assert app.screen.compliance_rows[1].control.key == ft.ScrollKey("compliance-row-1")
    assert keys[-1] == "compliance-row-1", keys
    assert real_device.services.records(cid, "contact") == []


async def test_a_checked_condition_keeps_its_test_result_and_the_timeline_shows_it(real_device):
    """An alcohol ban checked with a breath test: the result goes with the check (``evidence``) and the
    timeline says what the check rests on (before, the form had no place for it; found in the browser)."""
    client, app, cid, (ban, _) = await open_form(real_device)
    await fill_basics(client)
    row = app.screen.compliance_rows[0]
    assert not row.evidence_box.visible  # an untouched condition asks nothing more
    await toggle(client, 0, "NAGELEEFD")
    assert row.evidence_box.visible and semantics(client, "compliance-evidence-0")
    await select(client, "Bron", "TESTUITSLAG")
    await client.type(row.evidence, "Ademtest negatief")
    app.screen.save_draft()  # left and come back: the result is in the draft too
    assert real_device.services.load_draft(f"contact:{cid}")["compliance"][0]["evidence"] == "Ademtest negatief"
    await press(client, "Opslaan")
    [note] = real_device.services.records(cid, "contact")
    [check] = note.fields["compliance"]
    assert (check["condition_id"], check["status"], check["source"], check["evidence"]) == (
        ban, "NAGELEEFD", "TESTUITSLAG", "Ademtest negatief"), check
    assert has_text(client, "Bron: Testuitslag · Ademtest negatief"), dump(client)


async def test_a_compliance_row_says_whom_a_contact_ban_protects_and_how_often_to_report(real_device):
    """At the check the worker sees what the condition asks: whom the contact ban protects (by the network
    person's name) and the reporting duty's rhythm (before, both rows said only their type; found in the
    browser)."""
    svc = real_device.services
    cid, _ = seed(svc)
    svc.unlock(PASSPHRASE)
    fw = svc.records(cid, "framework")[0].id
    np = svc.create_record("network_person", cid, {"name": "Marieke (fictief)", "relation": "EX_PARTNER",
                                                   "roles": ["SLACHTOFFER"]})
    svc.create_record("condition", cid, {"framework_id": fw, "condition_type": "CONTACTVERBOD",
                                         "parameters": {"protected_persons": [np]}})
    svc.lock()
    client, app = await real_device.open()
    await unlock(client, PASSPHRASE)
    app.open_contact_form(cid)
    assert isinstance(app.screen, ContactFormView), dump(client)
    assert has_text(client, "Beschermde personen: Marieke (fictief)"), dump(client)
    assert has_text(client, "Hoe vaak: Elke week · Melden bij: Reclassering"), dump(client)


async def test_acute_risk_opens_escalation_with_the_crisis_service_route(real_device):
    client, app, cid, _ = await open_form(real_device)
    await fill_basics(client, "Cliënt sprak over een plan om zichzelf iets aan te doen.")
    await press(client, "Risicosignaal toevoegen")
    await select(client, "Domein", "SUICIDALITEIT")
    await select(client, "Ernst", "ACUUT")
    await select(client, "Trend", "TOENEMEND")
    await select(client, "Zekerheid", "WAARGENOMEN")
    await press(client, "Opslaan")
    [note] = real_device.services.records(cid, "contact")
    assert note.fields["risks"][0]["trend"] == "TOENEMEND" and note.fields["risks"][0]["certainty"] == "WAARGENOMEN"
    assert escalation(client) is not None, dump(client)
    assert says(client, "Je legde een acuut risico vast: Suïcidaliteit.")
    assert says(client, "Route: GGZ-crisisdienst")
    assert says(client, "Reden: Suïciderisico")
    assert not [b for b in client.walk(escalation(client)) if isinstance(b, ft.OutlinedButton)
                and b.content == "Meldcode-afweging"]
    [flag] = real_device.services.records(cid, "flag")
    assert flag.fields["raised_by_rule"] == "ACUUT_RISICO_GGZ" and flag.fields.get("assignee") is None
    await type_into(client, "Toelichting", "Crisisdienst gebeld.")
    await tap(client, "Signaal bevestigen")
    flag = real_device.services.record(flag.id)
    assert flag.fields["assignee"] == USER
    assert flag.fields["note"].endswith("Crisisdienst gebeld.")
    assert len(real_device.services.records(cid, "flag")) == 1  # confirmed, not doubled


async def test_violation_and_threat_to_others_route_to_police_and_a_flag_by_hand(real_device):
    client, app, cid, _ = await open_form(real_device, extra_conditions=False)
    await fill_basics(client)
    await toggle(client, 0, "OVERTREDING")
    await select(client, "Ernst van de overtreding", "ERNSTIG")
    await select(client, "Reactie op de overtreding", "SPOEDMELDING_OM_POLITIE")
    await press(client, "Risicosignaal toevoegen")
    await select(client, "Domein", "GEWELD_DREIGING_ANDEREN")
    await select(client, "Ernst", "ACUUT")
    await press(client, "Opslaan")
    assert says(client, "Route: 112 / politie"), dump(client)
    assert client.find(ft.Dropdown, label="Urgentie").value == "DIRECT"
    assert client.find(ft.Dropdown, label="Route").value == "OM_PIKET_VIA_RECLASSERING"
    await tap(client, "Signalen vastleggen")
    flags = real_device.services.records(cid, "flag")
    assert sorted(f.fields["reason"] for f in flags) == ["ACUUT_GEVAAR", "ANDERS"]
    assert all(f.fields["assignee"] == USER for f in flags)


async def test_not_now_closes_without_a_flag_by_hand(real_device):
    client, app, cid, _ = await open_form(real_device)
    await fill_basics(client)
    await toggle(client, 0, "OVERTREDING")
    await select(client, "Ernst van de overtreding", "GERING")
    await select(client, "Reactie op de overtreding", "AANSPREKEN")
    await press(client, "Opslaan")
    assert escalation(client) is not None
    await tap(client, "Nu niet")
    assert escalation(client) is None
    assert real_device.services.records(cid, "flag") == []
    assert len(real_device.services.records(cid, "contact")) == 1


async def test_domestic_violence_offers_the_meldcode(real_device):
    client, app, cid, _ = await open_form(real_device, victim_mother=True)
    await fill_basics(client, "Moeder had een blauwe plek en was bang.")
    await press(client, "Risicosignaal toevoegen")
    await select(client, "Domein", "HUISELIJK_GEWELD")
    await select(client, "Ernst", "ACUUT")
    await press(client, "Opslaan")
    assert says(client, "Route: Melding bij Veilig Thuis"), dump(client)
    assert says(client, "Urgentie: Binnen 24 uur")  # DOMAIN.md §4.3/§9.13: VT acute, as Escaleren? proposes
    await tap(client, "Meldcode-afweging")
    assert isinstance(app.screen, MeldcodeView), dump(client)
    vt = [f for f in real_device.services.records(cid, "flag") if f.fields["raised_by_rule"] == "ACUUT_RISICO_VEILIG_THUIS"]
    assert (vt[0].fields["reason"], vt[0].fields["urgency"]) == ("HUISELIJK_GEWELD_ACUUT", "BINNEN_24U")
    assert app.screen.flag_id == vt[0].id


async def test_a_no_show_is_not_saved_without_whether_it_was_excused(real_device):
    """The escalation ladder needs the answer (an unexcused no-show at the office may break the reporting
    duty): the form says so beside the choice, and the domain refuses it too."""
    client, app, cid, _ = await open_form(real_device)
    await select(client, "Soort contact", "KANTOOR")
    await select(client, "Uitkomst", "NIET_VERSCHENEN")
    await press(client, "Opslaan")
    assert isinstance(app.screen, ContactFormView), dump(client)
    assert choice_error(client, "Geoorloofd of ongeoorloofd?") == (
        "Kies of het wegblijven geoorloofd of ongeoorloofd was."), dump(client)
    assert real_device.services.records(cid, "contact") == []
    await select(client, "Geoorloofd of ongeoorloofd?", "JA")
    assert choice_error(client, "Geoorloofd of ongeoorloofd?") is None
    await press(client, "Opslaan")
    assert not isinstance(app.screen, ContactFormView), dump(client)
    [note] = real_device.services.records(cid, "contact")
    assert note.fields["outcome"] == "NIET_VERSCHENEN" and note.fields["excused"] is True


async def test_the_whole_form_survives_leaving_it_as_a_draft(real_device):
    client, app, cid, (ban, duty) = await open_form(real_device)
    await select(client, "Uitkomst", "NIET_VERSCHENEN")
    await select(client, "Geoorloofd of ongeoorloofd?", "NEE")
    await type_into(client, "Naam", "Ans (fictief)")
    await type_into(client, "Rol (bijv. moeder, behandelaar)", "moeder")
    await press(client, "Persoon toevoegen")
    assert has_text(client, "Ans (fictief) · moeder")
    await toggle(client, 0, "OVERTREDING")
    await select(client, "Ernst van de overtreding", "MATIG")
    await press(client, "Risicosignaal toevoegen")
    await select(client, "Domein", "ALCOHOL")
    await select(client, "Trend", "STABIEL")
    await select(client, "Soort factor", "EXTERN")
    await select(client, "Factor", "STEUNEND_NETWERK")
    await press(client, "Factor toevoegen")
    await type_into(client, "Duiding (jouw interpretatie)", "Lijkt terugval.")
    await press(client, "Leefgebieden invullen (niet verplicht)")
    await select(client, "Onderdak", "GEREGELD")
    await select(client, "Veiligheid medewerker", "VERBALE_AGRESSIE")
    await client.event(client.find(ft.Checkbox, label="Volgende keer met z'n tweeën op bezoek"), "change", "true")
    client.find(ft.Checkbox, label="Volgende keer met z'n tweeën op bezoek").value = True
    await type_into(client, "Afspraken en vervolgacties", "Volgende week ademtest.")
    await type_into(client, "Datum volgende contact", "01-01-2099")
    await client.click(client.find(ft.IconButton, tooltip="Terug"))
    assert not isinstance(app.screen, ContactFormView)

    app.open_contact_form(cid)
    form = app.screen
    assert has_text(client, "Je concept is teruggezet."), dump(client)
    assert form.outcome.value == "NIET_VERSCHENEN" and form.excused.value == "NEE"
    assert form.excused.control.visible
    assert form.participants.items == [{"name": "Ans (fictief)", "role": "moeder"}]
    row = form.compliance_rows[0]
    assert row.status == "OVERTREDING" and row.severity.value == "MATIG" and row.violation.visible
    assert form.compliance_rows[1].status is None
    assert [r.draft() for r in form.risk_rows] == [["ALCOHOL", "", "STABIEL", ""]]
    assert form.protective.items == [{"category": "EXTERN", "code": "STEUNEND_NETWERK"}]
    assert field(client, "Duiding (jouw interpretatie)").value == "Lijkt terugval."
    assert form.life_choices["ONDERDAK"].value == "GEREGELD" and form.life_column.visible
    assert form.worker_safety.value == "VERBALE_AGRESSIE" and form.duo.value is True
    assert field(client, "Afspraken en vervolgacties").value == "Volgende week ademtest."
    assert field(client, "Datum volgende contact").value == "01-01-2099"


async def test_saved_contact_keeps_every_part(real_device):
    client, app, cid, (ban, duty) = await open_form(real_device)
    await fill_basics(client)
    await type_into(client, "Naam", "Ans (fictief)")
    await press(client, "Persoon toevoegen")
    await select(client, "Soort factor", "MOTIVATIONEEL")
    await select(client, "Factor", "BEHANDELMOTIVATIE")
    await press(client, "Factor toevoegen")
    await type_into(client, "Duiding (jouw interpretatie)", "Gemotiveerd.")
    await type_into(client, "Afspraken en vervolgacties", "Ademtest volgende week.")
    await type_into(client, "Datum volgende contact", "01-01-2099")
    await type_into(client, "Tijd volgende contact", "10:30")
    await press(client, "Opslaan")
    [note] = real_device.services.records(cid, "contact")
    f = note.fields
    assert f["participants"] == [{"name": "Ans (fictief)", "role": None}]
    assert f["protective"] == [{"category": "MOTIVATIONEEL", "code": "BEHANDELMOTIVATIE", "note": ""}]
    assert f["interpretation"] == "Gemotiveerd." and f["agreements"] == "Ademtest volgende week."
    assert f["next_contact_at"] > f["occurred_at"] and f["worker_safety"] == "GEEN_BIJZONDERHEDEN"
    assert real_device.services.load_draft(f"contact:{cid}") is None


async def test_next_contact_before_this_one_is_explained_next_to_the_field(real_device):
    client, app, cid, _ = await open_form(real_device)
    await fill_basics(client)
    await type_into(client, "Datum volgende contact", "01-01-2001")
    await press(client, "Opslaan")
    assert field(client, "Datum volgende contact").error == "Het volgende contact moet na dit contact liggen."


async def _with_earlier_violations(device, condition_index, responses, **kw):
    """The form for a client whose condition ``condition_index`` was broken before, with these responses."""
    svc = device.services
    cid, conds = seed(svc, **kw)
    svc.unlock(PASSPHRASE)
    now = now_ms()
    for i, response in enumerate(responses):
        svc.create_record("contact", cid, {
            "contact_type": "KANTOOR", "outcome": "PLAATSGEVONDEN", "report": "Eerder contact (fictief).",
            "occurred_at": now - (20 - i) * DAY_MS,
            "compliance": [{"condition_id": conds[condition_index], "status": "OVERTREDING",
                            "violation": {"severity": "GERING", "response": response}}]})
    svc.lock()
    client, app = await device.open()
    await unlock(client, PASSPHRASE)
    app.open_client(cid)
    app.open_contact_form(cid)
    return client, app, cid


async def test_a_repeated_violation_proposes_the_om_route_the_ladder_reached(real_device):
    # DOMAIN.md §3.4: addressed, then warned; the third violation of the alcohol ban goes to the OM
    client, app, cid = await _with_earlier_violations(real_device, 0, ["AANSPREKEN", "SCHRIFTELIJKE_WAARSCHUWING"])
    await fill_basics(client)
    await toggle(client, 0, "OVERTREDING")
    await select(client, "Ernst van de overtreding", "GERING")
    await press(client, "Opslaan")
    assert escalation(client) is not None, dump(client)
    assert says(client, "Reactieladder bij Verbod op alcohol en/of drugs, met controle: Overleg met opdrachtgever. "
                        "2 eerdere overtreding(en) van deze voorwaarde in de laatste 90 dagen.")
    assert client.find(ft.Dropdown, label="Route").value == "OM_PIKET_VIA_RECLASSERING"
    assert client.find(ft.Dropdown, label="Urgentie").value == "BINNEN_5_WERKDAGEN"
    await select(client, "Urgentie", "ZELFDE_DAG")  # the worker can still change it
    await tap(client, "Signaal maken")
    [flag] = real_device.services.records(cid, "flag")
    assert (flag.fields["route"], flag.fields["urgency"]) == ("OM_PIKET_VIA_RECLASSERING", "ZELFDE_DAG")


async def test_a_second_missed_report_proposes_onttrekking_to_the_om(real_device):
    client, app, cid = await _with_earlier_violations(real_device, 1, ["AANSPREKEN"])
    await fill_basics(client)
    await toggle(client, 1, "OVERTREDING")
    await select(client, "Ernst van de overtreding", "MATIG", index=1)
    await press(client, "Opslaan")
    assert says(client, "Reden: Onttrekking (uit beeld)."), dump(client)
    assert client.find(ft.Dropdown, label="Route").value == "OM_PIKET_VIA_RECLASSERING"
    assert client.find(ft.Dropdown, label="Urgentie").value == "ZELFDE_DAG"
    await tap(client, "Signaal maken")
    [flag] = real_device.services.records(cid, "flag")
    assert flag.fields["reason"] == "ONTTREKKING"


async def test_english_words_come_from_the_english_files_and_the_vocabulary(real_device):
    client, app, cid, _ = await open_form(real_device)
    app.set_language("en")
    app.open_contact_form(cid)
    assert has_text(client, "Compliance with conditions"), dump(client)
    assert has_text(client, "Alcohol/drug ban with testing")
    assert semantics(client, "compliance-0-OVERTREDING")[0].label == "Alcohol/drug ban with testing: Violation"
    assert has_text(client, "Protective factors") and has_text(client, "Agreements and next contact")
    app.set_language("nl")


async def test_the_form_opens_for_every_demo_case(real_device):
    from field_app import demo

    svc = real_device.services
    svc.unlock(PASSPHRASE)
    demo.seed(svc)
    ids = [item.id for item in svc.caseload_items()]
    svc.lock()
    client, app = await real_device.open()
    await unlock(client, PASSPHRASE)
    rows = 0
    for cid in ids:
        app.open_contact_form(cid)
        assert isinstance(app.screen, ContactFormView), dump(client)
        rows += len(app.screen.compliance_rows)
        await client.click(client.find(ft.IconButton, tooltip="Terug"))
    assert len(ids) == 5 and rows >= 1


async def test_locking_keeps_the_extended_form_and_unlocking_brings_it_back(real_device):
    client, app, cid, (ban, duty) = await open_form(real_device)
    await toggle(client, 0, "OVERTREDING")
    await select(client, "Reactie op de overtreding", "RAPPORTAGE_OM")
    await type_into(client, "Duiding (jouw interpretatie)", "Terugval.")
    app.lock("idle")
    assert not real_device.services.unlocked
    await unlock(client, PASSPHRASE)
    form = app.screen
    assert isinstance(form, ContactFormView), dump(client)
    assert has_text(client, "Je was dit contact aan het vastleggen toen de app vergrendelde.")
    assert form.compliance_rows[0].status == "OVERTREDING"
    assert form.compliance_rows[0].response.value == "RAPPORTAGE_OM"
    assert field(client, "Duiding (jouw interpretatie)").value == "Terugval."


def test_the_escalation_intro_does_not_call_every_proposal_urgent():
    """Found in the browser: Escaleren? said 'Dit moet snel worden opgepakt' beside its own proposal 'Bij het
    volgende overleg' for a first no-show. The intro no longer judges the urgency; the proposal does."""
    from field_app.ui.i18n import I18n

    for lang in ("nl", "en"):
        intro = I18n(lang).t("contact_c.esc.intro")
        assert "snel" not in intro and "quick" not in intro, intro
