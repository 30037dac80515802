"""The client file on the real Services: header card, the five sections, addenda and retracting, flags by
hand, transitions (late, Aangekomen, checklist), a lapsed framework opening spoed-nazorg."""

from __future__ import annotations

from datetime import datetime

import flet as ft
import flet_charts as fch
from ui_helpers import (
    PASSPHRASE,
    choice_error,
    dump,
    field,
    has_text,
    press,
    select,
    semantics,
    type_into,
    unlock,
    visible_texts,
)

from field_app.domain import flag_steps
from field_app.domain.hlc import now_ms
from field_app.ui import fmt
from field_app.ui.views.client import ClientView
from field_app.ui.views.forms.base import FormView

HOUR = 3_600_000


def _earlier_today(ms: int) -> int:
    """``ms`` before now, but never before the start of this day in Amsterdam: what the screen calls
    "vandaag" (run just after midnight, two hours back was "gisteren": the CI failed from 23:00 to 01:00 UTC)."""
    now = now_ms()
    local = datetime.fromtimestamp(now / 1000, fmt.TZ)
    since_midnight = ((local.hour * 60 + local.minute) * 60 + local.second) * 1000 + local.microsecond // 1000
    return now - min(ms, since_midnight // 2)


def _seed(svc, *, late_transition=False):
    svc.unlock(PASSPHRASE)
    cid = svc.intake("Kees Kader (fictief)", fictional=True, safety_warning="DUO_BEZOEK", regime="DWANG",
                     safety_note="Honden in huis.")
    fw = svc.create_record("framework", cid, {"framework_type": "ISD", "current_phase": "EXTRAMURAAL",
                                              "start": "2025-01-01"})
    cond = svc.create_record("condition", cid, {"framework_id": fw, "condition_type": "MIDDELENVERBOD",
                                                "wording": "Geen alcohol gebruiken.",
                                                "parameters": {"substances": ["ALCOHOL"]},
                                                "control_means": ["ADEMTEST"], "enforcer": "RECLASSERING"})
    svc.create_record("supervision", cid, {"organisation": "SVG", "level": "NIVEAU_2", "framework_id": fw})
    note = svc.create_record("contact", cid, {
        "contact_type": "HUISBEZOEK_AANGEKONDIGD", "outcome": "PLAATSGEVONDEN", "report": "Rustig gesprek.",
        "interpretation": "Lijkt stabieler dan vorige maand.", "agreements": "Volgende week ademtest.",
        "occurred_at": _earlier_today(2 * HOUR),
        "compliance": [{"condition_id": cond, "status": "OVERTREDING",
                        "violation": {"severity": "MATIG", "response": "AANSPREKEN"}}],
        "risks": [{"domain": "ALCOHOL", "severity": "MIDDEN"}],
        "protective": [{"category": "EXTERN", "code": "DAGBESTEDING"}]})
    tr = None
    if late_transition:
        tr = svc.create_record("transition", cid, {
            "transition_type": "ONTSLAG_DETENTIE", "from_place": "PI Zwaag (fictief)", "to_place": "De Haven (fictief)",
            "planned_at": now_ms() - 3 * HOUR, "transport": "FAMILIE"})
    svc.lock()
    return cid, {"framework": fw, "condition": cond, "note": note, "transition": tr}


SECTIONS = {"Tijdlijn": "timeline", "Voorwaarden": "conditions", "Risico's": "risks",
            "Netwerk & partners": "network", "Overgang & nazorg": "transitions",
            "Timeline": "timeline", "Transition & aftercare": "transitions"}


async def _section(client, name: str) -> None:
    """Tap a section of the client file (its button holds a Text, so it is found by its identifier)."""
    node = semantics(client, f"section-{SECTIONS[name]}")[0]
    await client.click(next(c for c in client.walk(node) if isinstance(c, (ft.OutlinedButton, ft.FilledTonalButton))))


async def _open(device, cid, section=None):
    client, app = await device.open()
    await unlock(client, PASSPHRASE)
    app.open_client(cid)
    assert isinstance(app.screen, ClientView), dump(client)
    if section:
        await _section(client, section)
    return client, app


def _within(client, identifier: str, text: str):
    node = semantics(client, identifier)
    assert node, f"no {identifier}"
    return next(c for c in client.walk(node[0]) if isinstance(c, (ft.OutlinedButton, ft.FilledButton))
                and c.content == text)


async def _note_action(client, note_id: str, text: str) -> None:
    """A note's actions are behind its ⋮ (a dialog with the three actions)."""
    card = semantics(client, f"note-{note_id}")[0]
    assert not any(isinstance(c, ft.OutlinedButton) and c.content == text for c in client.walk(card))
    await client.click(next(c for c in client.walk(card) if isinstance(c, ft.IconButton)
                            and (c.tooltip or "").startswith("Acties voor")))
    dialog = next(d for d in client.walk() if isinstance(d, ft.AlertDialog) and d.open)
    await client.click(next(c for c in client.walk(dialog) if isinstance(c, ft.OutlinedButton) and c.content == text))


async def test_header_card_shows_framework_regime_supervision_and_safety(real_device):
    cid, _ = _seed(real_device.services)
    client, app = await _open(real_device, cid)
    for text in ("Kees Kader (fictief)", "FICTIEF", "Alleen duobezoek", "Honden in huis.",
                 "Kader: ISD-maatregel", "Regime:", "Toezicht: Verslavingsreclassering GGZ (SVG)",
                 "Laatste contact: vandaag", "Risico: Midden"):
        assert has_text(client, text), (text, dump(client))
    assert semantics(client, "safety-warning")
    assert semantics(client, "section-timeline")[0].selected


async def test_sections_render_conditions_risks_and_timeline(real_device):
    cid, ids = _seed(real_device.services)
    client, app = await _open(real_device, cid)
    assert has_text(client, "Rustig gesprek.")
    # the interpretation apart from the facts, and what was agreed (both were saved and never shown)
    card = client.texts(semantics(client, f"note-{ids['note']}")[0])
    assert "Duiding (interpretatie): Lijkt stabieler dan vorige maand." in card, card
    assert "Afspraken en vervolgacties: Volgende week ademtest." in card
    await _section(client, "Voorwaarden")
    assert has_text(client, "“Geen alcohol gebruiken.”"), dump(client)
    assert semantics(client, f"compliance-{ids['condition']}")[0].label.startswith("Laatste naleving: Overtreding")
    await _section(client, "Risico's")
    assert semantics(client, "risk-ALCOHOL"), dump(client)
    assert has_text(client, "Midden") and has_text(client, "Beschermende factoren")
    chart = semantics(client, "risk-chart-ALCOHOL")[0]  # a flet-charts line chart, its values in its name
    assert isinstance(chart.content, fch.LineChart) and "Midden" in chart.label
    await _section(client, "Netwerk & partners")
    assert has_text(client, "Nog niemand uit het netwerk vastgelegd.")


async def test_a_risk_signal_in_the_timeline_shows_its_trend_and_zekerheid(real_device):
    """The contact form records a risk signal's trend and zekerheid; the timeline showed only domain and ernst.
    Each signal's words now stand under its own chip, with the form's labels (and none when not recorded)."""
    svc = real_device.services
    svc.unlock(PASSPHRASE)
    cid = svc.intake("Rob Risico (fictief)", fictional=True)
    note = svc.create_record("contact", cid, {
        "contact_type": "KANTOOR", "outcome": "PLAATSGEVONDEN", "report": "Gesprek.",
        "occurred_at": _earlier_today(HOUR),
        "risks": [{"domain": "ALCOHOL", "severity": "MIDDEN", "trend": "TOENEMEND", "certainty": "WAARGENOMEN"},
                  {"domain": "HUISVESTING", "severity": "LAAG"}]})
    svc.lock()
    client, app = await _open(real_device, cid)
    card = client.texts(semantics(client, f"note-{note}")[0])
    first, words, second = "Alcohol · Midden", "Trend: Toenemend · Zekerheid: Waargenomen", "Huisvesting · Laag"
    assert first in card and words in card and second in card, card
    assert card.index(first) + 1 == card.index(words) < card.index(second), card  # the words under their chip
    assert not any(t.startswith("Trend:") for t in card[card.index(second):]), card  # nothing recorded: no words
    # at 200 % text a chip's words wrap inside the card (seen at 390 px: "Houding / motivatie · Mid" ran off)
    chip_words = [x for x in client.walk(semantics(client, f"note-{note}")[0])
                  if isinstance(x, ft.Text) and x.value in (first, second)]
    assert len(chip_words) == 2 and all(x.expand_loose for x in chip_words), chip_words
    app.set_language("en")
    await client.settle()
    card = client.texts(semantics(client, f"note-{note}")[0])
    assert "Trend: Increasing · Certainty: Observed" in card, card


async def test_addendum_is_shown_with_its_original_and_retract_leaves_a_stub(real_device):
    cid, ids = _seed(real_device.services)
    client, app = await _open(real_device, cid)
    note = ids["note"]
    await _note_action(client, note, "Aanvulling toevoegen")
    assert isinstance(app.screen, FormView)
    await press(client, "Opslaan")  # empty: the services' Dutch message at the field
    assert client.find(ft.TextField, label="Aanvulling").error, dump(client)
    await type_into(client, "Aanvulling", "Later gehoord: hij werkt weer.")
    await press(client, "Opslaan")
    assert isinstance(app.screen, ClientView), dump(client)
    card = semantics(client, f"note-{note}")[0]
    assert "Later gehoord: hij werkt weer." in client.texts(card) and "Rustig gesprek." in client.texts(card)

    await _note_action(client, note, "Intrekken")
    await type_into(client, "Reden van intrekken", "kort")
    await client.click(next(c for c in client.walk() if isinstance(c, ft.FilledButton) and c.content == "Intrekken"))
    assert client.find(ft.TextField, label="Reden van intrekken").error  # too short
    await type_into(client, "Reden van intrekken", "Verkeerde cliënt gekozen.")
    await client.click(next(c for c in client.walk() if isinstance(c, ft.FilledButton) and c.content == "Intrekken"))
    assert semantics(client, f"retracted-{note}"), dump(client)
    assert has_text(client, "Ingetrokken door") and has_text(client, ": Verkeerde cliënt gekozen.")
    assert not has_text(client, "Rustig gesprek.")


async def test_flag_by_hand_from_a_note(real_device):
    cid, ids = _seed(real_device.services)
    client, app = await _open(real_device, cid)
    await _note_action(client, ids["note"], "Signaal maken")
    await press(client, "Opslaan")
    assert choice_error(client, "Reden"), dump(client)
    await select(client, "Reden", "ACUUT_GEVAAR")
    await select(client, "Urgentie", "DIRECT")
    await select(client, "Route", "POLITIE_112")
    await press(client, "Opslaan")
    assert isinstance(app.screen, ClientView), dump(client)
    flags = real_device.services.records(cid, "flag")
    assert [f.fields["source_id"] for f in flags] == [ids["note"]]
    assert has_text(client, "1 open signaal") and has_text(client, "Gemaakt door")


async def test_late_transition_is_red_with_its_flag_and_aangekomen_updates(real_device):
    cid, ids = _seed(real_device.services, late_transition=True)
    tr = ids["transition"]
    client, app = await _open(real_device, cid, "Overgang & nazorg")
    assert semantics(client, f"tr-late-{tr}"), dump(client)
    assert has_text(client, "Te laat") and has_text(client, "Overgang mislukt of vertraagd"), dump(client)
    assert has_text(client, "Van PI Zwaag (fictief) naar De Haven (fictief)")
    await client.click(_within(client, f"tr-delayed-{tr}", "Vertraagd"))
    assert real_device.services.record(tr).fields["status"] == "VERTRAAGD"
    await client.click(_within(client, f"tr-arrived-{tr}", "Aangekomen"))
    # the actual arrival is asked (date and time pickers, now to start with): here a quarter past the hour
    assert has_text(client, "Aankomst vastleggen"), dump(client)
    when = field(client, "Aangekomen op (dd-mm-jjjj)")
    assert when.value == fmt.date_field(fmt.now_ms())
    await type_into(client, "Tijd (uu:mm)", "")
    await type_into(client, "Aangekomen op (dd-mm-jjjj)", "")
    await press(client, "Opslaan")
    assert real_device.services.record(tr).fields["status"] == "VERTRAAGD"  # nothing saved without a time
    arrived = _earlier_today(20 * 60_000)
    await type_into(client, "Aangekomen op (dd-mm-jjjj)", fmt.date_field(arrived))
    await type_into(client, "Tijd (uu:mm)", fmt.time_field(arrived))
    await press(client, "Opslaan")
    assert isinstance(app.screen, ClientView), dump(client)
    f = real_device.services.record(tr).fields
    assert f["status"] == "AANGEKOMEN" and abs(f["actual_at"] - arrived) < 60_000
    assert not semantics(client, f"tr-late-{tr}") and has_text(client, "Aangekomen: vandaag")
    # arriving settled the automatic "te laat" flag, with a note saying when
    [flag] = [x for x in real_device.services.records(cid, "flag") if x.fields.get("raised_by_rule") == "OVERGANG_TE_LAAT"]
    assert flag.fields["status"] == "AFGEHANDELD"
    assert flag.fields["resolution_note"].startswith("Aangekomen op ")
    assert real_device.services.open_flags() == []
    # and its own step "Leg de werkelijke aankomsttijd vast" is ticked with it (it stayed open, found in the browser)
    ticks = flag_steps.ticks(real_device.services.client_context(cid), flag.id)
    assert ticks["AANKOMST_VASTLEGGEN"].done and ticks["AANKOMST_VASTLEGGEN"].by
    assert len([r for r in real_device.services.records(cid, "flag_step")]) == 1  # once, not at every rules run
    real_device.services.run_rules([cid])
    assert len(real_device.services.records(cid, "flag_step")) == 1


async def test_checklist_item_toggles(real_device):
    cid, ids = _seed(real_device.services, late_transition=True)
    tr = ids["transition"]
    svc = real_device.services
    client, app = await _open(real_device, cid, "Overgang & nazorg")
    checklist = svc.record(tr).fields["checklist"]
    item = next(iter(checklist))
    assert checklist[item] == "OPEN"
    row = semantics(client, f"tr-{tr}-{item}")[0]
    assert row.label.endswith("Open. Tik om te wijzigen."), row.label
    await client.click(next(c for c in client.walk(row) if isinstance(c, ft.Container) and c.on_click))
    assert svc.record(tr).fields["checklist"][item] == "GEREGELD"
    assert "Geregeld" in semantics(client, f"tr-{tr}-{item}")[0].label


async def test_framework_lapse_opens_spoed_nazorg_and_a_flag(real_device):
    cid, ids = _seed(real_device.services)
    client, app = await _open(real_device, cid, "Voorwaarden")
    await client.click(_within(client, f"fw-change-{ids['framework']}", "Status wijzigen"))
    await select(client, "Status", "VERVALLEN")
    await press(client, "Opslaan")
    assert isinstance(app.screen, ClientView), dump(client)
    assert has_text(client, "Justitieel kader vervallen"), dump(client)  # the automatic flag, listed
    assert has_text(client, "Automatisch: Geen justitieel kader meer")
    assert has_text(client, "Geen actief justitieel kader")
    await _section(client, "Overgang & nazorg")
    assert semantics(client, "spoed-nazorg"), dump(client)
    assert has_text(client, "Spoedprocedure nazorg")


async def test_network_case_and_action_marked_done(real_device):
    svc = real_device.services
    cid, _ = _seed(svc)
    svc.unlock(PASSPHRASE)
    svc.create_record("network_person", cid, {"name": "Ria (fictief)", "relation": "MOEDER", "roles": ["STEUNFIGUUR"],
                                              "consent_collateral": True})
    case = svc.create_record("zvh_case", cid, {"approach": "NAZORG", "process_director": "Sanne (fictief)"})
    action = svc.create_record("case_action", cid, {"case_id": case, "action": "Bed regelen", "owner": "GEMEENTE",
                                                    "phase": "Week 1"})
    svc.lock()
    client, app = await _open(real_device, cid, "Netwerk & partners")
    for text in ("Ria (fictief)", "Steunfiguur", "Toestemming voor contact", "Procesregisseur: Sanne (fictief)",
                 "Acties · Week 1", "Bed regelen"):
        assert has_text(client, text), (text, dump(client))
    await client.click(_within(client, f"action-done-{action}", "Markeer als gedaan"))
    assert svc.record(action).fields["status"] == "GEDAAN"
    assert not semantics(client, f"action-done-{action}")


async def test_add_transition_form_parses_date_and_time(real_device):
    cid, _ = _seed(real_device.services)
    client, app = await _open(real_device, cid, "Overgang & nazorg")
    await client.click(_within(client, "add-transition", "Overgang toevoegen"))
    await select(client, "Soort overgang", "VERHUIZING")
    await type_into(client, "Gepland (dd-mm-jjjj)", "31-02-2030")
    await press(client, "Opslaan")
    assert client.find(ft.TextField, label="Gepland (dd-mm-jjjj)").error == "Vul een datum (dd-mm-jjjj) en tijd (uu:mm) in."
    await type_into(client, "Gepland (dd-mm-jjjj)", "01-03-2030")
    await type_into(client, "Tijd (uu:mm)", "14:30")
    await press(client, "Opslaan")
    assert isinstance(app.screen, ClientView), dump(client)
    [tr] = real_device.services.records(cid, "transition")
    from field_app.ui import fmt
    assert fmt.moment(app.i18n, tr.fields["planned_at"]).endswith("01-03-2030 14:30")


async def test_case_conference_with_actions_and_english(real_device):
    svc = real_device.services
    cid, _ = _seed(svc)
    svc.unlock(PASSPHRASE)
    case = svc.create_record("zvh_case", cid, {"approach": "TOP_X"})
    svc.lock()
    client, app = await _open(real_device, cid, "Netwerk & partners")
    await client.click(_within(client, "add-conference", "Casusoverleg vastleggen"))
    await type_into(client, "Datum (dd-mm-jjjj)", "27-11-2026")
    await select(client, "Soort overleg", "ICO")
    await type_into(client, "Actie 1", "Woning zoeken")
    await type_into(client, "Besluiten", "Opschalen naar procesregie.")
    owners = client.find_all(ft.TextField, label="Wie (organisatie of naam)")
    await client.type(owners[0], "GEMEENTE")
    await press(client, "Opslaan")
    assert isinstance(app.screen, ClientView), dump(client)
    [action] = svc.records(cid, "case_action")
    assert action.fields["case_id"] == case and action.fields["conference_id"]
    assert has_text(client, "Woning zoeken") and has_text(client, "Wie: Gemeente · uiterlijk …"), dump(client)
    app.set_language("en")
    await _section(client, "Timeline")
    assert has_text(client, "Case conference: ICO (individueel casusoverleg)") or has_text(client, "Case conference"), \
        dump(client)
    await _section(client, "Transition & aftercare")
    assert has_text(client, "Aftercare") and has_text(client, "Housing"), dump(client)


async def test_every_demo_case_renders_every_section(real_device):
    from field_app.demo import seed

    svc = real_device.services
    svc.unlock(PASSPHRASE)
    seed(svc)
    ids = [c.id for c in svc.caseload()]
    svc.lock()
    client, app = await real_device.open()
    await unlock(client, PASSPHRASE)
    for cid in ids:
        app.show_client(cid)
        assert isinstance(app.screen, ClientView), dump(client)
        for section, key in (("Voorwaarden", "conditions"), ("Risico's", "risks"), ("Netwerk & partners", "network"),
                             ("Overgang & nazorg", "transitions"), ("Tijdlijn", "timeline")):
            await _section(client, section)
            assert semantics(client, f"section-{key}")[0].selected, (cid, section, dump(client))
        app.back()
    assert app.errors == []


async def test_aftercare_area_edit(real_device):
    cid, _ = _seed(real_device.services)
    client, app = await _open(real_device, cid, "Overgang & nazorg")
    await client.click(client.find(ft.IconButton, tooltip="Onderdak wijzigen"))
    await select(client, "Status", "IN_AANVRAAG")
    await type_into(client, "Wie (organisatie of naam)", "Wijkteam Noord (fictief)")
    await type_into(client, "Stand van (dd-mm-jjjj)", "27-11-2026")
    await press(client, "Opslaan")
    assert isinstance(app.screen, ClientView), dump(client)
    [after] = real_device.services.records(cid, "aftercare")
    assert after.fields["ONDERDAK"]["status"] == "IN_AANVRAAG" and after.fields["ONDERDAK"]["as_of"] == "2026-11-27"
    assert has_text(client, "Wie regelt het: Wijkteam Noord (fictief)") and has_text(client, "In aanvraag")


async def test_a_record_form_has_one_heading_its_title_in_the_top_bar(real_device):
    """The form's title is the top bar's heading; the body no longer repeats it (a screen reader read the
    title twice, found in the browser)."""
    from field_app.ui.views.forms.records import network_person_form

    cid, _ids = _seed(real_device.services)
    client, app = await _open(real_device, cid)
    network_person_form(app, cid)
    assert isinstance(app.screen, FormView)
    title = app.screen.title()
    headings = [s for s in client.walk() if isinstance(s, ft.Semantics) and s.header]
    assert [(s.identifier, client.texts(s)) for s in headings] == [("screen-title", [title])], dump(client)
    assert visible_texts(client).count(title) == 1, dump(client)


async def test_a_half_typed_record_form_survives_a_lock_as_a_sealed_draft(real_device):
    from field_app.ui.views.forms.records import network_person_form

    cid, _ids = _seed(real_device.services)
    client, app = await _open(real_device, cid)
    network_person_form(app, cid)
    assert isinstance(app.screen, FormView)
    await type_into(client, "Naam", "Tante Bep (fictief)")
    app.lock("idle")  # the app locks (or is killed) halfway
    assert not real_device.services.unlocked
    await unlock(client, PASSPHRASE)
    app.open_client(cid)
    network_person_form(app, cid)
    assert client.find(ft.TextField, label="Naam").value == "Tante Bep (fictief)", dump(client)
    app.back()
    network_person_form(app, "another-client")  # drafts are per client file
    assert client.find(ft.TextField, label="Naam").value == "", dump(client)


def _scroll_event(pixels: float) -> dict:
    return {"event_type": "update", "pixels": pixels, "min_scroll_extent": 0, "max_scroll_extent": 5000,
            "viewport_dimension": 600, "scroll_delta": 10}


async def test_sections_and_actions_are_one_row_and_the_header_collapses_when_scrolled(real_device):
    """Issue 14: header and seven chips filled the first screen. The five sections and the two actions are
    one row that scrolls sideways (it keeps its place when a section is chosen); the header card scrolls
    away with the section and leaves its badges, the safety warning first, above the row."""
    cid, _ = _seed(real_device.services)
    client, app = await _open(real_device, cid)
    view = app.screen
    row = view.bar.row
    assert row.scroll is not None and not row.wrap  # one row, scrolling sideways
    assert [n.identifier for n in row.controls if isinstance(n, ft.Semantics)] == [
        "section-timeline", "section-conditions", "section-risks", "section-network", "section-transitions",
        "section-reports", "section-case",
        "flag-client", "open-meldcode"]
    await _section(client, "Voorwaarden")
    assert view.bar.row is row and semantics(client, "section-conditions")[0].selected
    assert not semantics(client, "section-timeline")[0].selected
    assert semantics(client, "flag-client") and semantics(client, "open-meldcode")  # in every section
    assert has_text(client, "“Geen alcohol gebruiken.”"), dump(client)
    listing = next(c for c in client.walk() if isinstance(c, ft.ListView) and c.on_scroll)
    collapsed = view.bar.collapsed
    assert not collapsed.visible
    await client.event(listing, "scroll", _scroll_event(30))
    assert not collapsed.visible  # the header card is still in sight
    await client.event(listing, "scroll", _scroll_event(2000))
    assert collapsed.visible
    shown = client.texts(collapsed)
    assert shown[0] == "Alleen duobezoek" and "Risico: Midden" in shown, shown
    await client.event(listing, "scroll", _scroll_event(0))
    assert not collapsed.visible


async def test_at_200_percent_the_header_keeps_its_badges_and_folds_its_details(real_device):
    """At large text the header card would fill the first screen: the safety warning and the badges stay,
    framework, case manager, regime, supervision and last contact wait behind "Meer over deze cliënt" (one
    tap, kept open when the header is drawn again)."""
    cid, _ = _seed(real_device.services)
    client, app = await _open(real_device, cid)
    app.set_text_scale(2.0)
    await client.settle()
    app.open_client(cid)
    header = app.screen.header
    tile = next(c for c in client.walk(header) if isinstance(c, ft.ExpansionTile))
    assert tile.title.value == "Meer over deze cliënt" and not tile.expanded
    assert "Laatste contact: vandaag" in client.texts(tile, visible_only=False)
    assert semantics(client, "safety-warning") and "Risico: Midden" in client.texts(header)
    await client.event(tile, "change", True)
    app.screen.show_section("timeline")  # drawn again
    tile = next(c for c in client.walk(app.screen.header) if isinstance(c, ft.ExpansionTile))
    assert tile.expanded


async def test_review_decisions_are_not_drawn_as_notes_of_their_own(supervisor_device):
    """Found in the browser: every note type other than a contact or a case conference was drawn as a
    "Meldcode-afweging" card, so a supervisor's review decision showed as a weighing with its raw code
    (AANPASSEN). A review belongs under the contact it is about."""
    cid, ids = _seed(supervisor_device.services)
    svc = supervisor_device.services
    svc.unlock(PASSPHRASE)
    review = svc.create_record("review", cid, {"target_id": ids["note"], "decision": "AANPASSEN",
                                                "comment": "Graag de afspraken aanvullen (fictief)."})
    svc.lock()
    client, app = await _open(supervisor_device, cid)
    assert has_text(client, "Rustig gesprek.")
    assert not semantics(client, f"note-{review}")
    assert not has_text(client, "Meldcode-afweging") and not has_text(client, "AANPASSEN"), dump(client)


async def test_flutters_own_words_follow_the_apps_language(real_device):
    """Found in the browser: the date picker and a dialog's screen-reader name ("Alert", "Dismiss") were
    English in the Dutch app. The page's locale follows the app's language."""
    client, app = await real_device.open()
    locale = client.page.locale_configuration
    assert (locale.current_locale.language_code, locale.current_locale.country_code) == ("nl", "NL")
    app.set_language("en")
    assert client.page.locale_configuration.current_locale.language_code == "en"
    app.set_language("nl")
    assert client.page.locale_configuration.current_locale.language_code == "nl"


async def test_last_contact_in_the_header_counts_as_the_caseload_card_does(real_device):
    """Found in the browser: the header said "Laatste contact: vandaag" beside "Contact 7 dagen te laat" after a
    no-show; the header counted any contact note, the card and the rules only a contact that took place with
    the person (not a no-show, not the network)."""
    svc = real_device.services
    svc.unlock(PASSPHRASE)
    cid = svc.add_client("Dennis Teller (fictief)", fictional=True)
    earlier = _earlier_today(3 * HOUR)
    svc.create_record("contact", cid, {"contact_type": "KANTOOR", "outcome": "NIET_VERSCHENEN", "report": "Niet gekomen.",
                                       "occurred_at": _earlier_today(HOUR), "excused": False})
    svc.create_record("contact", cid, {"contact_type": "NETWERKCONTACT", "outcome": "PLAATSGEVONDEN",
                                       "report": "Moeder gebeld.", "occurred_at": _earlier_today(HOUR)})
    assert svc.client(cid).last_contact_at is None
    svc.create_record("contact", cid, {"contact_type": "TELEFONISCH", "outcome": "PLAATSGEVONDEN",
                                       "report": "Gebeld.", "occurred_at": earlier})
    assert svc.client(cid).last_contact_at == earlier
