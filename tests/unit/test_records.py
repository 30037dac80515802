"""Records: every type validates its fields in plain Dutch, all problems at once, and nothing else breaks."""

import copy
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from field_app.domain import vocab
from field_app.domain.errors import ValidationError
from field_app.domain.records import (
    MSG_NOTE_IMMUTABLE,
    NOTE_TYPES,
    RECORD_SPECS,
    DictContext,
    singleton_record_id,
    validate_addendum,
    validate_create,
    validate_retract,
    validate_update,
)
from field_app.domain.records_doc import render
from field_app.domain.records_flag import flag_deadline
from field_app.domain.records_transition import default_checklist
from field_app.domain.timeutil import HOUR_MS

NOW = 1_760_000_000_000  # 2025-10-09 10:53 Dutch time
DAY = 24 * HOUR_MS


def world() -> tuple[DictContext, dict[str, str]]:
    """A client with one of every record other records point to."""
    ctx = DictContext("client-1", NOW)
    ids: dict[str, str] = {}
    ctx.add("client", validate_create("client", {"display_name": "Test Persoon", "fictional": True}, ctx))
    ids["victim"] = ctx.add("network_person", validate_create(
        "network_person", {"name": "Slachtoffer X", "relation": "EX_PARTNER", "roles": ["SLACHTOFFER"]}, ctx))
    ids["framework"] = ctx.add("framework", validate_create(
        "framework", {"framework_type": "VV", "start": "2025-01-01", "end": "2026-12-31"}, ctx))
    ids["condition"] = ctx.add("condition", validate_create(
        "condition", {"framework_id": ids["framework"], "condition_type": "MELDPLICHT",
                      "parameters": {"frequency": "WEKELIJKS"}}, ctx))
    ids["ban"] = ctx.add("condition", validate_create(
        "condition", {"framework_id": ids["framework"], "condition_type": "CONTACTVERBOD",
                      "parameters": {"protected_persons": [ids["victim"]]}}, ctx))
    ids["case"] = ctx.add("zvh_case", validate_create("zvh_case", {"approach": "TOP_X"}, ctx))
    ids["conference"] = ctx.add("case_conference", validate_create(
        "case_conference", {"case_id": ids["case"], "date": "2025-10-01", "kind": "ICO"}, ctx))
    ids["flag"] = ctx.add("flag", validate_create(
        "flag", {"reason": "ANDERS", "urgency": "ZELFDE_DAG", "route": "TEAMLEIDER"}, ctx))
    ids["auto_flag"] = ctx.add("flag", validate_create(
        "flag", {"reason": "OVERGANG_MISLUKT_OF_VERTRAAGD", "urgency": "ZELFDE_DAG", "route": "PROCESREGISSEUR_ZVH",
                 "raised_by_rule": "OVERGANG_TE_LAAT"}, ctx))
    ids["contact"] = ctx.add("contact", validate_create(
        "contact", {"contact_type": "TELEFONISCH", "outcome": "PLAATSGEVONDEN", "occurred_at": NOW - DAY,
                    "report": "Gebeld."}, ctx))
    ids["report"] = ctx.add("report", validate_create(
        "report", {"report_type": "OVERTREDING", "requested_by": "OM"}, ctx))
    return ctx, ids


def full_examples(ids: dict[str, str]) -> dict[str, dict]:
    """A valid record of every type with every field given."""
    return {
        "client": {
            "display_name": "Henk V.", "birth_date": "1984-03-11", "gender": "M", "housing_type": "KLINIEK",
            "address_note": "FPK (fictief)", "safety_warning": "DUO_BEZOEK", "safety_note": "Dreiging bekend.",
            "lvb": "VERMOEDEN", "interpreter_language": "Pools", "regime": "DWANG", "status": "ACTIEF",
            "assigned_to": "Lotte", "cover_by": "Jeroen", "cover_until": "2025-10-20", "fictional": True,
            "created_at": NOW - DAY},
        "network_person": {"name": "Truus D.", "relation": "MOEDER", "roles": ["SLACHTOFFER", "MANTELZORGER"],
                           "minor": False, "lives_with_client": True, "consent_collateral": True, "note": "n"},
        "framework": {
            "framework_type": "ISD", "status": "ACTIEF", "commissioner": "RECHTER", "decision_date": "2024-02-20",
            "start": "2024-02-20", "end": "2026-02-19", "immediately_enforceable": True,
            "phases": [{"phase": "INTRAMURAAL", "from": "2024-02-20", "to": "2025-05-31", "location": "PI"},
                       {"phase": "EXTRAMURAAL", "from": "2025-06-02", "to": None, "location": None}],
            "current_phase": "EXTRAMURAAL", "note": "n"},
        "condition": {
            "framework_id": ids["framework"], "condition_type": "LOCATIEGEBOD", "wording": "Thuis van 22 tot 7.",
            "parameters": {"protected_persons": [], "zone": "Woonadres",
                           "time_windows": [{"days": ["MA", "ZO"], "from": "22:00", "to": "07:00"}],
                           "frequency": None, "report_to": None, "institution": None, "substances": []},
            "control_means": ["EM_RF"], "enforcer": "BEIDE", "active": True, "start": "2025-01-01",
            "end": "2025-12-31", "note": "n"},
        "supervision": {"organisation": "SVG", "supervisor": "Lotte", "work_supervisor": "Paul", "level": "NIVEAU_3",
                        "intensified": True, "status": "LOPEND", "framework_id": ids["framework"],
                        "start": "2025-01-01", "end": "2026-01-01", "note": "n"},
        "contact": {
            "contact_type": "HUISBEZOEK_AANGEKONDIGD", "outcome": "PLAATSGEVONDEN", "excused": None,
            "occurred_at": NOW - HOUR_MS, "recorded_at": NOW, "location_kind": "WONING",
            "participants": [{"name": "Moeder", "role": "moeder"}], "purpose": "Toezicht.", "report": "Verslag.",
            "interpretation": "Duiding.", "life_domains": [{"domain": "ONDERDAK", "status": "GEREGELD", "note": ""}],
            "worker_safety": "VERBALE_AGRESSIE", "duo_next_time": True,
            "compliance": [{"condition_id": ids["ban"], "status": "OVERTREDING", "source": "DERDE",
                            "evidence": "Melding buurvrouw", "note": "n",
                            "violation": {"severity": "ERNSTIG", "response": "SPOEDMELDING_OM_POLITIE",
                                          "proposed": "SPOEDMELDING_OM_POLITIE", "reason": None}},
                           {"condition_id": ids["condition"], "status": "NAGELEEFD", "source": None,
                            "evidence": None, "note": "", "violation": None}],
            "risks": [{"domain": "HUISELIJK_GEWELD", "severity": "HOOG", "trend": "NIEUW", "certainty": "VERMOEDEN",
                       "source": "EIGEN_WAARNEMING", "persons": [ids["victim"]], "note": "n"}],
            "protective": [{"category": "EXTERN", "code": "STEUNEND_NETWERK", "note": "n"}],
            "agreements": "Volgende week.", "next_contact_at": NOW + 7 * DAY},
        "transition": {
            "transition_type": "OVERPLAATSING_KLINIEK_VOORWAARDELIJK", "from_place": "PI", "to_place": "FPK",
            "planned_at": NOW - 3 * HOUR_MS, "actual_at": NOW - HOUR_MS, "transport": "DV_O",
            "accompanied_by": "Gert", "information_source": "D_R_PLAN", "status": "AANGEKOMEN",
            "checklist": {"BED_BEVESTIGD": "GEREGELD", "ID_GELDIG": "OPEN"}, "note": "n"},
        "aftercare": {
            **{area: {"status": "IN_AANVRAAG", "note": "n", "owner": "Gemeente", "as_of": "2025-10-01"}
               for area in ("ID", "ONDERDAK", "INKOMEN_WERK", "SCHULDEN", "ZORG_ZORGVERZEKERING", "SOCIAAL_NETWERK")},
            "spoed": True, "spoed_checklist": {"ID_GELDIG": "MISLUKT"}, "note": "n"},
        "zvh_case": {
            "approach": "NAZORG", "phase": "AFGESLOTEN", "regime": "DRANG", "process_director": "Anouk",
            "case_director": "Sanne",
            "referral": {"date": "2025-09-17", "referred_by": "Gemeente", "reason": "r", "goal": "g",
                         "criteria": {"multiproblem": True, "meerdere_ketens": True, "systeem_impact": False,
                                      "gebiedsgebonden": False},
                         "partners": ["GEMEENTE", "POLITIE"], "informed": "NEE_VEILIGHEID",
                         "not_informed_reason": "Dreiging."},
            "triage": {"outcome": "PROCESREGIE", "date": "2025-09-18", "note": "n"}, "legal_basis": ["WGS_ZVH"],
            "evaluation_date": "2025-11-01", "close_reason": "DOELEN_BEHAALD", "note": "n"},
        "case_action": {"case_id": ids["case"], "conference_id": ids["conference"], "action": "Intake",
                        "owner": "VERSLAVINGSZORG", "due": "2025-10-30", "phase": "directe veiligheid",
                        "status": "OPEN", "note": "n"},
        "case_conference": {
            "case_id": ids["case"], "date": "2025-10-01", "kind": "ICO", "chair": "Anouk",
            "attendees": [{"organisation": "VEILIG_THUIS", "role": "medewerker"}], "legal_basis": ["WGS_ZVH"],
            "duiding": "d", "decisions": "b", "case_director": "Sanne", "next_evaluation": "2025-10-15",
            "informed": "NOG_NIET", "not_informed_reason": ""},
        "meldcode": {"q1_vermoeden": "JA", "q2_acuut_of_structureel_onveilig": "NEE", "q3_hulp_mogelijk": "JA",
                     "q4_hulp_aanvaard": "JA", "q5_leidt_tot_veiligheid": "NEE", "q2_toelichting": "",
                     "flag_id": ids["flag"], "note": "n", "decision": "MELDEN_VT"},
        "flag": {"reason": "KIND_ONVEILIG", "urgency": "BINNEN_24U", "route": "VEILIG_THUIS_MELDING",
                 "assignee": "Sanne", "status": "AFGEHANDELD", "raised_at": NOW - HOUR_MS, "source_id": ids["victim"],
                 "raised_by_rule": None, "note": "n", "resolution_note": "Gemeld.", "deadline": NOW + 23 * HOUR_MS,
                 "acknowledged_by": "Sanne", "acknowledged_at": NOW - HOUR_MS // 2},
        "report": {"report_type": "OVERTREDING", "requested_by": "OM", "due_date": "2025-10-20",
                   "advice": "VOORWAARDEN_WIJZIGEN", "conditions_advised": ["MELDPLICHT"], "text": "Advies.",
                   "status": "TER_GOEDKEURING", "source_id": ids["contact"], "sent_on": None},
        "om_decision": {"decision": "VORDERING_WIJZIGING", "date": "2025-10-08", "report_id": ids["report"],
                        "effect": "VOORWAARDEN_GEWIJZIGD", "framework_id": ids["framework"],
                        "condition_ids": [ids["condition"]], "court_outcome": "Toegewezen.", "note": "n"},
        "review": {"target_id": ids["contact"], "decision": "AANPASSEN", "comment": "Graag de bron noemen.",
                   "at": NOW - HOUR_MS},
        "organisation": {"organisation": "VEILIG_THUIS", "name": "Veilig Thuis Noordrand (fictief)",
                         "contact_person": "Ilse Janssen", "contact_details": "0800-2000", "last_contact": "2025-10-01",
                         "status": "AFGEWEZEN", "dismiss_reason": "Al gemeld via de politie.", "note": "n"},
        "flag_step": {"flag_id": ids["auto_flag"], "step": "VERWACHTE_TIJD", "done": True, "by": "Anouk",
                      "at": NOW - HOUR_MS, "note": "DV&O: verwacht 13:00."},
    }


def minimal_examples(ids: dict[str, str]) -> dict[str, dict]:
    return {
        "client": {"display_name": "X"},
        "network_person": {"name": "Y", "relation": "ANDERS"},
        "framework": {"framework_type": "GEEN_KADER"},
        "condition": {"framework_id": ids["framework"], "condition_type": "ALG_GEEN_STRAFBAAR_FEIT"},
        "supervision": {"organisation": "RN", "level": "NIVEAU_1"},
        "contact": {"contact_type": "TELEFONISCH", "outcome": "NIET_VERSCHENEN", "excused": True, "occurred_at": NOW},
        "transition": {"transition_type": "VERHUIZING"},
        "aftercare": {},
        "zvh_case": {"approach": "COMPLEX_ALGEMEEN"},
        "case_action": {"case_id": ids["case"], "action": "Bellen", "owner": "Sanne"},
        "case_conference": {"case_id": ids["case"], "date": "2025-10-01", "kind": "WEGING"},
        "meldcode": {"q1_vermoeden": "NEE"},
        "flag": {"reason": "ANDERS", "urgency": "DIRECT", "route": "TEAMLEIDER"},
        "report": {"report_type": "VOORTGANG", "requested_by": "CVVI"},
        "om_decision": {"decision": "GEEN_ACTIE", "date": "2025-10-08"},
        "review": {"target_id": ids["report"], "decision": "GOEDGEKEURD"},
        "organisation": {"organisation": "POLITIE"},
        "flag_step": {"flag_id": ids["auto_flag"], "step": "WIE_BLIJFT"},
    }


def assert_dutch(errors: dict[str, str]) -> None:
    for path, message in errors.items():
        assert message[0].isupper() and message.rstrip()[-1] in ".?", (path, message)
        assert "_" not in message, (path, message)  # a sentence, not a code


def errors_of(type_, fields, ctx) -> dict[str, str]:
    with pytest.raises(ValidationError) as exc:
        validate_create(type_, fields, ctx)
    assert_dutch(exc.value.errors)
    return exc.value.errors


# -- valid records -----------------------------------------------------------------------------------

def test_every_record_type_has_a_full_and_a_minimal_example():
    _, ids = world()
    assert set(full_examples(ids)) == set(RECORD_SPECS) == set(minimal_examples(ids))
    for type_, spec in RECORD_SPECS.items():
        assert set(full_examples(ids)[type_]) == set(spec.schema.fields) | set(spec.schema.derived), type_


@pytest.mark.parametrize("type_", sorted(RECORD_SPECS))
def test_full_record_validates_and_is_kept_as_given(type_):
    ctx, ids = world()
    if type_ == "aftercare":
        ctx = DictContext(ctx.client_id, NOW, {k: v for k, v in ctx.data.items() if v[0] != "aftercare"})
    fields = full_examples(ids)[type_]
    assert validate_create(type_, copy.deepcopy(fields), ctx) == fields


@pytest.mark.parametrize("type_", sorted(RECORD_SPECS))
def test_minimal_record_gets_every_default_and_cleans_to_a_fixed_point(type_):
    ctx, ids = world()
    clean = validate_create(type_, minimal_examples(ids)[type_], ctx)
    spec = RECORD_SPECS[type_].schema
    assert set(clean) == set(spec.fields) | set(spec.derived)
    assert validate_create(type_, copy.deepcopy(clean), ctx) == clean


def test_defaults_are_not_shared_between_records():
    ctx, _ = world()
    a = validate_create("network_person", {"name": "A", "relation": "BUUR"}, ctx)
    a["roles"].append("SLACHTOFFER")
    assert validate_create("network_person", {"name": "B", "relation": "BUUR"}, ctx)["roles"] == []


def test_texts_are_trimmed_and_names_collapsed():
    ctx, _ = world()
    clean = validate_create("client", {"display_name": "  Henk   V. ", "safety_note": "  regel 1\n regel 2  "}, ctx)
    assert clean["display_name"] == "Henk V." and clean["safety_note"] == "regel 1\n regel 2"


def test_new_transition_gets_the_default_checklist_of_its_type_with_vt_when_there_is_a_victim():
    ctx, _ = world()  # the world has a victim in the network
    clean = validate_create("transition", {"transition_type": "VRIJLATING_NA_ZITTING"}, ctx)
    assert clean["checklist"] == default_checklist("VRIJLATING_NA_ZITTING", victim_in_network=True)
    assert "VT_AFWEGING_GEDAAN" in clean["checklist"] and set(clean["checklist"].values()) == {"OPEN"}
    empty = DictContext("c", NOW)
    assert "VT_AFWEGING_GEDAAN" not in validate_create("transition", {"transition_type": "ONTSLAG_DETENTIE"},
                                                       empty)["checklist"]


@pytest.mark.parametrize("kind", vocab.OvergangType.codes())
def test_every_transition_type_has_a_default_checklist(kind):
    items = default_checklist(kind)
    assert items and set(items) <= set(vocab.ChecklistItem.codes())


# -- invalid fields: each gives its own Dutch message, and only that one ------------------------------

INVALID = [
    ("client", "display_name", "   ", "display_name", "Vul een naam in."),
    ("client", "display_name", "x" * 121, "display_name", None),
    ("client", "birth_date", "2030-01-01", "birth_date", "Deze datum ligt in de toekomst."),
    ("client", "birth_date", "2025-02-30", "birth_date", "Deze datum bestaat niet."),
    ("client", "birth_date", "11-03-1984", "birth_date", None),
    ("client", "safety_warning", "ALTIJD", "safety_warning", "Kies een veiligheidswaarschuwing."),
    ("client", "fictional", "ja", "fictional", "Kies ja of nee."),
    ("client", "cover_until", "2025-10-20", "cover_by", "Vul in wie waarneemt."),
    ("client", "cover_by", "Jeroen", "cover_until", "Vul in tot wanneer de waarneming loopt."),
    ("network_person", "roles", ["SLACHTOFFER", "SLACHTOFFER"], "roles", None),
    ("network_person", "relation", "OOM", "relation", "Kies de relatie tot de persoon."),
    ("framework", "end", "2020-01-01", "end", "De einddatum ligt vóór de begindatum."),
    ("framework", "current_phase", "PROEFVERLOF", "current_phase", None),
    ("framework", "phases", [{"phase": "INTRAMURAAL"}], "phases.0.from", "Vul de begindatum van de fase in."),
    ("framework", "phases", [{"phase": "X", "from": "2025-01-01"}], "phases.0.phase", None),
    ("condition", "framework_id", "onbekend", "framework_id", "Kies het kader waar deze voorwaarde bij hoort."),
    ("condition", "parameters", {"zone": ""}, "parameters.zone", None),
    ("condition", "parameters", {"zone": "x", "time_windows": [{"days": ["MA"], "from": "25:00", "to": "07:00"}]},
     "parameters.time_windows.0.from", None),
    ("condition", "parameters", {"zone": "x", "kleur": "rood"}, "parameters.kleur",
     "Dit veld hoort niet bij dit soort gegevens."),
    ("condition", "control_means", ["ENKELBAND"], "control_means", None),
    ("supervision", "level", "NIVEAU_4", "level", "Kies het toezichtniveau."),
    ("contact", "occurred_at", NOW + HOUR_MS, "occurred_at", "Het tijdstip ligt in de toekomst."),
    ("contact", "occurred_at", 1.5, "occurred_at", "Vul een geldig tijdstip in."),
    ("contact", "report", "", "report", None),
    ("contact", "excused", True, "excused", "Geoorloofd of niet vul je alleen in bij 'niet verschenen'."),
    ("contact", "next_contact_at", NOW - 2 * HOUR_MS, "next_contact_at",
     "Het volgende contact moet na dit contact liggen."),
    ("contact", "risks", [{"domain": "ALCOHOL", "severity": "HOOG"}, {"domain": "ALCOHOL", "severity": "LAAG"}],
     "risks.1.domain", "Dit domein staat er twee keer in."),
    ("contact", "risks", [{"domain": "ALCOHOL", "severity": "ERG"}], "risks.0.severity",
     "Kies voor elk risicosignaal de ernst."),
    ("contact", "risks", [{"domain": "ALCOHOL", "severity": "HOOG", "persons": ["iemand"]}], "risks.0.persons", None),
    ("contact", "compliance", [{"condition_id": "@ban", "status": "OVERTREDING"}], "compliance.0.violation",
     "Vul bij een overtreding de ernst en de reactie in."),
    ("contact", "compliance", [{"condition_id": "@ban", "status": "NAGELEEFD",
                                "violation": {"severity": "GERING", "response": "AANSPREKEN"}}],
     "compliance.0.violation", "Een overtreding vul je alleen in bij de status 'Overtreding'."),
    ("contact", "compliance", [{"condition_id": "@ban", "status": "NAGELEEFD"},
                               {"condition_id": "@ban", "status": "NAGELEEFD"}],
     "compliance.1.condition_id", "Deze voorwaarde staat er twee keer in."),
    ("contact", "compliance", [{"condition_id": "@victim", "status": "NAGELEEFD"}], "compliance.0.condition_id",
     "Kies een voorwaarde van deze persoon."),
    ("contact", "life_domains", [{"domain": "WERK", "status": "GEREGELD"}], "life_domains.0.domain", None),
    ("contact", "participants", [{"name": ""}], "participants.0.name", "Vul een naam in."),
    ("transition", "status", "AANGEKOMEN", "actual_at", "Vul in wanneer de persoon is aangekomen."),
    ("transition", "checklist", {"KOFFIE": "OPEN"}, "checklist", None),
    ("transition", "checklist", {"ID_GELDIG": "KLAAR"}, "checklist", None),
    ("aftercare", "ONDERDAK", {"status": "MISSCHIEN"}, "ONDERDAK.status", None),
    ("zvh_case", "phase", "AFGESLOTEN", "close_reason", "Kies waarom de casus is afgesloten."),
    ("zvh_case", "referral", {"informed": "NEE_VEILIGHEID"}, "referral.not_informed_reason",
     "Schrijf op waarom de persoon niet is geïnformeerd."),
    ("zvh_case", "triage", {"date": "2025-01-01"}, "triage.outcome", "Kies het besluit van de weging."),
    ("case_action", "case_id", "nergens", "case_id", None),
    ("case_action", "action", "", "action", "Schrijf op wat er moet gebeuren."),
    ("case_conference", "next_evaluation", "2025-09-01", "next_evaluation",
     "De volgende evaluatie moet na het overleg liggen."),
    ("case_conference", "attendees", [{"organisation": "KERK"}], "attendees.0.organisation", None),
    ("case_conference", "informed", "NEE_STRAFRECHTELIJK_ONDERZOEK", "not_informed_reason", None),
    ("meldcode", "q1_vermoeden", "JA", "q2_acuut_of_structureel_onveilig", "Beantwoord deze vraag."),
    ("meldcode", "q1_vermoeden", "MISSCHIEN", "q1_vermoeden", "Kies ja of nee."),
    ("meldcode", "decision", "MELDEN_VT", "decision", "Het besluit volgt uit de antwoorden; pas de antwoorden aan."),
    ("meldcode", "q3_hulp_mogelijk", "JA", "q3_hulp_mogelijk", None),
    ("flag", "route", "112", "route", "Kies de route."),
    ("flag", "status", "AFGEHANDELD", "resolution_note", "Schrijf kort op hoe het signaal is afgehandeld."),
    ("flag", "deadline", NOW, "deadline", "De deadline volgt uit de urgentie."),
    ("flag", "source_id", "bestaat-niet", "source_id", None),
    ("flag", "raised_by_rule", "ZELFBEDACHT", "raised_by_rule", None),
    ("flag", "raised_at", NOW + DAY, "raised_at", None),
]


# Other fields a case needs before its one bad field can be judged.
CONTEXT_FIELDS = {
    ("contact", "report"): {"outcome": "PLAATSGEVONDEN", "excused": None},
    ("contact", "excused"): {"outcome": "AFGEMELD_CLIENT"},
    ("framework", "end"): {"start": "2024-01-01"},
    ("framework", "current_phase"): {"phases": [{"phase": "INTRAMURAAL", "from": "2024-01-01"}]},
    ("condition", "parameters"): {"condition_type": "LOCATIEVERBOD"},
}


@pytest.mark.parametrize("type_, field, value, path, message", INVALID,
                         ids=[f"{c[0]}.{c[1]}->{c[3]}" for c in INVALID])
def test_invalid_field_gives_its_dutch_message_and_nothing_else(type_, field, value, path, message):
    ctx, ids = world()
    if isinstance(value, list) and value and isinstance(value[0], dict):
        value = [{k: (ids[v[1:]] if isinstance(v, str) and v.startswith("@") else v) for k, v in item.items()}
                 for item in value]
    fields = {**minimal_examples(ids)[type_], **CONTEXT_FIELDS.get((type_, field), {}), field: value}
    errors = errors_of(type_, fields, ctx)
    assert set(errors) == {path}
    if message:
        assert errors[path] == message


SELF_COVER = ("De waarnemer is dezelfde persoon als de casusverantwoordelijke (Lotte de Boer); niemand kan voor "
              "zichzelf waarnemen. Kies een collega als waarnemer.")


def test_a_case_manager_cannot_be_her_own_cover():
    ctx, _ = world()
    base = {"display_name": "Test", "assigned_to": "Lotte de Boer", "cover_until": "2025-10-20"}
    # the same person, also with the "(fictief)" marker of demo and training names, or other case and spacing
    for same in ("Lotte de Boer", "Lotte de Boer (fictief)", " lotte  de boer "):
        errors = errors_of("client", {**base, "cover_by": same}, ctx)
        assert set(errors) == {"cover_by"} and errors["cover_by"] == SELF_COVER
    assert validate_create("client", {**base, "cover_by": "Jeroen Smit"}, ctx)["cover_by"] == "Jeroen Smit"
    stored = validate_create("client", {**base, "cover_by": "Jeroen Smit"}, ctx)
    for changes in ({"cover_by": "Lotte de Boer (fictief)"}, {"assigned_to": "Jeroen Smit"}):
        with pytest.raises(ValidationError) as exc:
            validate_update("client", stored, changes, ctx)
        assert set(exc.value.errors) == {"cover_by"}
    # a client stored with a self-cover before this check: its other fields can still be changed, and the
    # cover ended
    legacy = {**stored, "cover_by": "Lotte de Boer (fictief)"}
    assert validate_update("client", legacy, {"safety_note": "Let op."}, ctx) == {"safety_note": "Let op."}
    assert validate_update("client", legacy, {"cover_by": None, "cover_until": None}, ctx) == {
        "cover_by": None, "cover_until": None}


def test_all_problems_are_reported_at_once():
    ctx, _ = world()
    errors = errors_of("contact", {"contact_type": "X", "outcome": "PLAATSGEVONDEN", "occurred_at": "gisteren",
                                   "risks": [{"domain": "ALCOHOL"}], "kleur": "rood"}, ctx)
    assert set(errors) == {"contact_type", "occurred_at", "risks.0.severity", "kleur", "report"}


def test_required_fields_have_their_own_message():
    ctx, _ = world()
    errors = errors_of("condition", {}, ctx)
    assert errors == {"framework_id": "Kies het kader waar deze voorwaarde bij hoort.",
                      "condition_type": "Kies het soort voorwaarde."}


@pytest.mark.parametrize("ctype, param, message", [
    ("CONTACTVERBOD", "protected_persons", "Vul in met wie de persoon geen contact mag hebben."),
    ("MELDPLICHT", "frequency", "Kies hoe vaak de persoon zich moet melden."),
    ("LOCATIEVERBOD", "zone", "Beschrijf het gebied of adres waar de persoon niet mag komen."),
    ("LOCATIEGEBOD", "time_windows", "Vul in op welke dagen en tijden de persoon er moet zijn."),
    ("MIDDELENVERBOD", "substances", "Kies om welke middelen het gaat."),
    ("OPNAME_ZORGINSTELLING", "institution", "Vul de naam van de instelling in."),
    ("BEGELEID_WONEN_MO", "institution", "Vul de naam van de instelling in."),
])
def test_condition_that_needs_a_parameter_asks_for_it(ctype, param, message):
    ctx, ids = world()
    assert errors_of("condition", {"framework_id": ids["framework"], "condition_type": ctype}, ctx) == {
        f"parameters.{param}": message}


def test_compliance_only_for_conditions_that_applied_on_the_day_of_the_contact():
    ctx, ids = world()
    ctx.set(ids["ban"], {"end": "2025-09-30"})
    fields = {**minimal_examples(ids)["contact"], "compliance": [{"condition_id": ids["ban"], "status": "NAGELEEFD"}]}
    assert errors_of("contact", fields, ctx) == {
        "compliance.0.condition_id": "Deze voorwaarde gold niet op de dag van het contact."}
    fields["occurred_at"] = NOW - 20 * DAY  # 19 September: the ban still applied
    assert validate_create("contact", fields, ctx)["compliance"][0]["condition_id"] == ids["ban"]
    ctx.set(ids["framework"], {"status": "VERVALLEN"})
    assert "compliance.0.condition_id" in errors_of("contact", fields, ctx)


@pytest.mark.parametrize("type_", sorted(RECORD_SPECS))
def test_a_wrong_value_in_any_field_is_reported_on_that_field_only(type_):
    ctx, ids = world()
    spec = RECORD_SPECS[type_].schema
    for field in list(spec.fields) + list(spec.derived):
        fields = {**full_examples(ids)[type_], field: {"onzin": object()}}
        if type_ == "aftercare":
            ctx = DictContext(ctx.client_id, NOW)
        errors = errors_of(type_, fields, ctx)
        assert errors and all(p == field or p.startswith(field + ".") for p in errors), (field, errors)


def test_unknown_type_is_refused():
    ctx, _ = world()
    for call in (lambda: validate_create("rapport", {}, ctx), lambda: validate_update("rapport", {}, {}, ctx)):
        with pytest.raises(ValidationError) as exc:
            call()
        assert exc.value.errors == {"type": "Onbekend soort gegevens."}


def test_second_aftercare_record_is_refused_and_has_a_fixed_id():
    ctx, _ = world()
    ctx.add("aftercare", validate_create("aftercare", {}, ctx), singleton_record_id(ctx.client_id, "aftercare"))
    assert set(errors_of("aftercare", {"spoed": True}, ctx)) == {"type"}
    assert singleton_record_id("a", "aftercare") == singleton_record_id("a", "aftercare")
    assert singleton_record_id("a", "aftercare") != singleton_record_id("b", "aftercare")


# -- updates -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("type_", sorted(NOTE_TYPES))
def test_notes_cannot_be_changed(type_):
    ctx, ids = world()
    with pytest.raises(ValidationError) as exc:
        validate_update(type_, full_examples(ids)[type_], {"note": "anders"}, ctx)
    assert exc.value.errors == {"kind": MSG_NOTE_IMMUTABLE}
    assert MSG_NOTE_IMMUTABLE == "Een notitie verander je niet; voeg een aanvulling toe."
    assert RECORD_SPECS[type_].update is None


def test_update_returns_only_the_clean_changed_fields():
    ctx, ids = world()
    current = validate_create("client", {"display_name": "Henk"}, ctx)
    assert validate_update("client", current, {"housing_type": "BIJ_FAMILIE", "assigned_to": "  Sanne  "}, ctx) == {
        "housing_type": "BIJ_FAMILIE", "assigned_to": "Sanne"}
    assert validate_update("client", {**current, "assigned_to": "Sanne"}, {"assigned_to": None}, ctx) == {
        "assigned_to": None}


def test_update_checks_cross_field_rules_against_the_merged_record():
    ctx, ids = world()
    current = ctx.record(ids["condition"])[1]
    with pytest.raises(ValidationError) as exc:
        validate_update("condition", {**current, "start": "2025-06-01"}, {"end": "2025-05-01"}, ctx)
    assert exc.value.errors == {"end": "De einddatum ligt vóór de begindatum."}
    with pytest.raises(ValidationError) as exc:
        validate_update("condition", current, {"parameters": {"frequency": None}}, ctx)
    assert set(exc.value.errors) == {"parameters.frequency"}


def test_update_refuses_fixed_and_unknown_fields():
    ctx, ids = world()
    current = ctx.record(ids["condition"])[1]
    with pytest.raises(ValidationError) as exc:
        validate_update("condition", current, {"framework_id": ids["framework"], "kleur": "rood", "active": False},
                        ctx)
    assert exc.value.errors == {"framework_id": "Dit veld kun je na het aanmaken niet meer veranderen.",
                                "kleur": "Dit veld hoort niet bij dit soort gegevens."}


def test_update_merges_partial_checklists_and_none_removes_an_item():
    ctx, _ = world()
    current = validate_create("transition", {"transition_type": "OPNAME_CRISIS"}, ctx)
    change = validate_update("transition", current, {"checklist": {"BED_BEVESTIGD": "GEREGELD",
                                                                   "NETWERK_GEINFORMEERD": None}}, ctx)
    assert change == {"checklist": {"BED_BEVESTIGD": "GEREGELD", "MEDICATIE_MEE": "OPEN",
                                    "VT_AFWEGING_GEDAAN": "OPEN"}}
    after = validate_create("aftercare", {}, DictContext("c", NOW))
    change = validate_update("aftercare", after, {"ONDERDAK": {"status": "GEREGELD"}}, ctx)
    assert change == {"ONDERDAK": {"status": "GEREGELD", "note": "", "owner": None, "as_of": None}}


def test_transition_arrives_only_with_an_actual_time():
    ctx, _ = world()
    current = validate_create("transition", {"transition_type": "VI_INGANG", "planned_at": NOW - HOUR_MS}, ctx)
    with pytest.raises(ValidationError) as exc:
        validate_update("transition", current, {"status": "AANGEKOMEN"}, ctx)
    assert set(exc.value.errors) == {"actual_at"}
    assert validate_update("transition", current, {"status": "AANGEKOMEN", "actual_at": NOW}, ctx) == {
        "status": "AANGEKOMEN", "actual_at": NOW}


def test_flag_deadline_follows_urgency_on_create_and_update():
    ctx, _ = world()
    flag = validate_create("flag", {"reason": "ANDERS", "urgency": "DIRECT", "route": "TEAMLEIDER"}, ctx)
    assert flag["raised_at"] == NOW and flag["deadline"] == NOW + HOUR_MS
    change = validate_update("flag", flag, {"urgency": "BINNEN_24U", "status": "IN_BEHANDELING"}, ctx)
    assert change == {"urgency": "BINNEN_24U", "status": "IN_BEHANDELING", "deadline": flag_deadline("BINNEN_24U", NOW)}
    assert validate_update("flag", flag, {"assignee": "Sanne"}, ctx) == {"assignee": "Sanne"}
    with pytest.raises(ValidationError) as exc:
        validate_update("flag", flag, {"raised_at": NOW - 1, "status": "AFGEHANDELD"}, ctx)
    assert set(exc.value.errors) == {"raised_at", "resolution_note"}


# -- addenda and retractions -------------------------------------------------------------------------

def test_addendum_and_retraction_forms():
    assert validate_addendum("contact", {"text": "  Aanvulling.  "}) == {"text": "Aanvulling."}
    for bad in ({"text": ""}, {"text": "x" * 10_001}, {}, {"text": 5}):
        with pytest.raises(ValidationError) as exc:
            validate_addendum("contact", bad)
        assert set(exc.value.errors) == {"text"}
        assert_dutch(exc.value.errors)
    with pytest.raises(ValidationError) as exc:
        validate_addendum("client", {"text": "x"})
    assert set(exc.value.errors) == {"kind"}
    assert validate_retract({"reason": "Verkeerde persoon."}) == {"reason": "Verkeerde persoon."}
    for bad in ({"reason": "oeps"}, {"reason": "x" * 1001}, {"reden": "Verkeerde persoon"}):
        with pytest.raises(ValidationError) as exc:
            validate_retract(bad)
        assert "reason" in exc.value.errors or "reden" in exc.value.errors
        assert_dutch(exc.value.errors)


# -- property tests ----------------------------------------------------------------------------------

TEXT = st.text(alphabet=st.characters(blacklist_characters="\x00"), max_size=200)


def codes(enum):
    return st.sampled_from(enum.codes())


def optional(strategy):
    return st.one_of(st.none(), strategy)


risk = st.fixed_dictionaries({"domain": codes(vocab.RisicoDomein), "severity": codes(vocab.Ernst)},
                             optional={"trend": optional(codes(vocab.Trend)),
                                       "certainty": optional(codes(vocab.Zekerheid)),
                                       "source": optional(codes(vocab.Bron)),
                                       "note": TEXT})


@st.composite
def contacts(draw):
    outcome = draw(codes(vocab.ContactUitkomst))
    occurred = draw(st.integers(946_684_800_000, NOW))
    fields = {"contact_type": draw(codes(vocab.ContactType)), "outcome": outcome, "occurred_at": occurred,
              "report": draw(TEXT.filter(str.strip))}
    if draw(st.booleans()):
        fields["risks"] = draw(st.lists(risk, max_size=6, unique_by=lambda r: r["domain"]))
    if draw(st.booleans()):
        fields["next_contact_at"] = occurred + draw(st.integers(1, 400 * DAY))
    if outcome == "NIET_VERSCHENEN":
        fields["excused"] = draw(st.booleans())  # a no-show needs the answer
    fields["worker_safety"] = draw(codes(vocab.VeiligheidMedewerker))
    fields["life_domains"] = draw(st.lists(st.fixed_dictionaries(
        {"domain": codes(vocab.Leefgebied), "status": codes(vocab.NazorgStatus)}), max_size=7,
        unique_by=lambda d: d["domain"]))
    fields["protective"] = draw(st.lists(st.fixed_dictionaries(
        {"category": codes(vocab.BeschermCategorie), "code": codes(vocab.BeschermendeFactor)}), max_size=4,
        unique_by=lambda p: (p["category"], p["code"])))
    return fields


def test_a_no_show_is_refused_without_whether_it_was_excused():
    """The escalation ladder proposes a violation for an unexcused no-show: the answer is never left open."""
    ctx = DictContext("c", NOW)
    fields = {"contact_type": "KANTOOR", "outcome": "NIET_VERSCHENEN", "occurred_at": NOW}
    with pytest.raises(ValidationError) as exc:
        validate_create("contact", fields, ctx)
    assert exc.value.errors == {"excused": "Kies of het wegblijven geoorloofd of ongeoorloofd was."}
    assert validate_create("contact", {**fields, "excused": False}, ctx)["excused"] is False


@settings(max_examples=150, deadline=None)
@given(contacts())
def test_any_well_formed_contact_validates_and_cleans_to_a_fixed_point(fields):
    ctx = DictContext("c", NOW)
    clean = validate_create("contact", fields, ctx)
    assert len(clean["risks"]) == len(fields.get("risks", []))
    assert validate_create("contact", copy.deepcopy(clean), ctx) == clean


@settings(max_examples=150, deadline=None)
@given(contacts(), st.sampled_from(["contact_type", "outcome", "occurred_at", "worker_safety"]),
       st.one_of(st.text(max_size=5), st.integers(), st.none(), st.floats()))
def test_breaking_one_field_of_a_good_contact_only_reports_that_field(fields, field, value):
    ctx = DictContext("c", NOW)
    broken = {**fields, field: value}
    try:
        validate_create("contact", broken, ctx)
    except ValidationError as exc:
        assert_dutch(exc.errors)
        # a bad time may also hide the check against the next contact; nothing else may break
        assert set(exc.errors) <= {field, "report", "excused"}, exc.errors
        assert field in exc.errors or set(exc.errors) <= {"report", "excused"}


@given(st.text(max_size=300))
def test_free_text_is_either_clean_or_refused(value):
    ctx = DictContext("c", NOW)
    try:
        clean = validate_create("network_person", {"name": value, "relation": "BUUR"}, ctx)
    except ValidationError as exc:
        assert set(exc.errors) == {"name"}
    else:
        assert clean["name"] == clean["name"].strip() and 0 < len(clean["name"]) <= 120


# -- vocabulary and docs -----------------------------------------------------------------------------

def test_every_vocabulary_code_is_an_identifier_with_both_labels():
    for cls in vars(vocab).values():
        if isinstance(cls, type) and issubclass(cls, vocab.Vocab) and cls is not vocab.Vocab:
            for member in cls:
                assert member.value.isidentifier() and member.value.upper() == member.value, member
                assert member.label.nl and member.label.en, member


def test_existing_codes_are_unchanged():
    assert vocab.ContactType.codes()[0] == "KANTOOR" and len(vocab.ContactType) == 15
    assert vocab.Rol.codes() == ["VELDWERKER", "WERKBEGELEIDER", "PROCESREGISSEUR", "CASUSREGISSEUR",
                                 "PARTNER_LEZER", "FG_AUDITOR", "BEHEERDER"]


def test_docs_reference_is_generated_from_the_specs():
    path = Path(__file__).resolve().parents[2] / "docs" / "records.md"
    assert path.read_text(encoding="utf-8") == render(), \
        "run: python -m field_app.domain.records_doc > docs/records.md"


def test_a_flag_can_be_handled_after_its_source_note_was_retracted():
    ctx, ids = world()
    cid = ctx.add("contact", validate_create("contact", minimal_examples(ids)["contact"], ctx))
    flag = validate_create("flag", {"reason": "ANDERS", "urgency": "DIRECT", "route": "TEAMLEIDER",
                                    "source_id": cid}, ctx)
    ctx.retracted.add(cid)
    assert validate_update("flag", flag, {"status": "IN_BEHANDELING"}, ctx) == {"status": "IN_BEHANDELING"}
    assert set(errors_of("flag", {k: v for k, v in flag.items() if k != "deadline"}, ctx)) == {"source_id"}


# -- organisation and flag_step (#15) ------------------------------------------------------------------

def test_a_dismissed_organisation_needs_a_reason():
    ctx, _ = world()
    assert "dismiss_reason" in errors_of("organisation", {"organisation": "POLITIE", "status": "AFGEWEZEN"}, ctx)
    assert "organisation" in errors_of("organisation", {"organisation": "NIET_BESTAAND"}, ctx)


def test_a_flag_step_must_belong_to_the_flags_rule():
    ctx, ids = world()
    assert "step" in errors_of("flag_step", {"flag_id": ids["auto_flag"], "step": "BEL_112"}, ctx)
    assert "step" in errors_of("flag_step", {"flag_id": ids["flag"], "step": "VERWACHTE_TIJD"}, ctx)  # by hand
    assert "step" in errors_of("flag_step", {"flag_id": ids["auto_flag"], "step": "ONZIN"}, ctx)
    assert "flag_id" in errors_of("flag_step", {"flag_id": ids["contact"], "step": "WIE_BLIJFT"}, ctx)
