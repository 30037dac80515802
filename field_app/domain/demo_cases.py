"""The five FICTIONAL demo cases of DOMAIN.md §10 as records, for demos, training and tests.

FICTIEF / FICTIONAL: every name, address, institution and event here is invented ("ZVH Noordrand",
"PI Oostervaart", "FPK De Linde", "BW Het Anker" do not exist). Every person is marked ``fictional``.

Format: ``DEMO_CASES[letter]`` is a list of ``DemoRecord(ref, type, fields)`` in an order where every
record comes after the records it points to. ``fields`` are the input of ``validate_create(type, ...)``;
any string value ``"@name"`` (anywhere, also inside lists and objects) stands for the id of the record
whose ``ref`` is ``name``. A seeder:

1. gives the first record (always the ``client``) the new client id as its record id;
2. gives a ``flag`` with ``raised_by_rule`` the id ``flag_record_id(client_id, rule, source_id)`` (so
   ``rules.evaluate`` recognises it and does not raise it again) and ``aftercare`` the id
   ``singleton_record_id(client_id, "aftercare")``; every other record a new id;
3. resolves ``"@name"`` values with ``resolve_refs`` and writes a ``create`` per record.

``seed_context`` does exactly that into a ``DictContext``. Times are Dutch local wall-clock times in
2025; ``DEMO_NOW`` is a moment after all of them. ``shifted`` moves a case in time (e.g. so its last
event is yesterday).
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from typing import Any, NamedTuple

from .context import DictContext, new_id
from .fieldkit import EARLIEST_MS
from .records import singleton_record_id, validate_create
from .rules import flag_record_id
from .timeutil import local_ms, offset_ms
from .vocab import Label


class DemoRecord(NamedTuple):
    ref: str | None
    type: str
    fields: dict


def t(text: str) -> int:
    """``"2025-06-02T09:30"`` (Dutch local time) as UTC ms."""
    day, _, clock = text.partition("T")
    hh, mm = (int(x) for x in (clock or "10:00").split(":"))
    return local_ms(date.fromisoformat(day), hh, mm)


DEMO_NOW = t("2025-10-15T12:00")
R = DemoRecord
_ALL_DAYS = ["MA", "DI", "WO", "DO", "VR", "ZA", "ZO"]

CASE_TITLES: dict[str, Label] = {
    "A": Label("Henk V.: ISD extramuraal, overplaatsing naar kliniek, vervoer te laat",
               "Henk V.: ISD extramural phase, clinic transfer, transport late"),
    "B": Label("Rob D.: vrij na de zitting zonder voorwaarden, trekt in bij moeder",
               "Rob D.: released after the hearing without conditions, moves in with his mother"),
    "C": Label("Sandra K.: v.i. met contactverbod, gebiedsverbod en enkelband; MDA++",
               "Sandra K.: conditional release with contact ban, zone ban and ankle tag; MDA++"),
    "D": Label("Erik M.: Levensloop, geen strafrechtelijk kader, suïcidaliteit",
               "Erik M.: life-course approach, no criminal framework, suicidality"),
    "E": Label("Dennis A.: Top X, schorsing voorlopige hechtenis met enkelband, reeks no-shows",
               "Dennis A.: Top X, suspended pre-trial detention with ankle tag, series of no-shows"),
}

CASE_A = [
    R("client", "client", {
        "display_name": "Henk V.", "birth_date": "1984-03-11", "gender": "M", "housing_type": "KLINIEK",
        "address_note": "FPK De Linde (fictief), sinds 2 juni 2025", "safety_warning": "DUO_BEZOEK",
        "safety_note": "Dreigend gedrag naar hulpverleners bekend (fictief).", "regime": "DWANG",
        "assigned_to": "Lotte de Boer", "fictional": True}),
    R("np_marieke", "network_person", {"name": "Marieke V.", "relation": "EX_PARTNER", "roles": ["SLACHTOFFER"],
                                       "note": "Fictief."}),
    R("np_gert", "network_person", {"name": "Gert V.", "relation": "BROER_ZUS", "roles": ["STEUNFIGUUR"]}),
    R("case", "zvh_case", {"approach": "TOP_X", "phase": "UITVOERING_MONITORING", "regime": "DWANG",
                           "process_director": "Anouk Prins", "case_director": "Sanne Kok",
                           "legal_basis": ["WGS_ZVH"], "evaluation_date": "2025-10-22"}),
    R("kader_isd", "framework", {
        "framework_type": "ISD", "commissioner": "RECHTER", "decision_date": "2024-02-20", "start": "2024-02-20",
        "end": "2026-02-19", "current_phase": "EXTRAMURAAL", "phases": [
            {"phase": "INTRAMURAAL", "from": "2024-02-20", "to": "2025-05-31",
             "location": "PI Oostervaart, ISD-afdeling (fictief)"},
            {"phase": "EXTRAMURAAL", "from": "2025-06-02",
             "location": "FPK De Linde (fictief), klinische verslavingsbehandeling"}]}),
    R("v_opname", "condition", {
        "framework_id": "@kader_isd", "condition_type": "OPNAME_ZORGINSTELLING",
        "wording": "Opname FPK De Linde tot einde maatregel of zoveel korter (fictief).",
        "parameters": {"institution": "FPK De Linde (fictief)"}, "enforcer": "RECLASSERING", "start": "2025-06-02"}),
    R("v_middelen", "condition", {
        "framework_id": "@kader_isd", "condition_type": "MIDDELENVERBOD", "parameters": {"substances": ["ALCOHOL"]},
        "control_means": ["ADEMTEST", "URINECONTROLE"], "enforcer": "RECLASSERING", "start": "2025-06-02"}),
    R("v_contact", "condition", {
        "framework_id": "@kader_isd", "condition_type": "CONTACTVERBOD",
        "parameters": {"protected_persons": ["@np_marieke"]}, "enforcer": "BEIDE"}),
    R("v_alg", "condition", {"framework_id": "@kader_isd", "condition_type": "ALG_MEDEWERKING_TOEZICHT"}),
    R("toezicht", "supervision", {"organisation": "SVG", "supervisor": "Lotte de Boer",
                                  "work_supervisor": "Paul Verhoef", "level": "NIVEAU_3",
                                  "framework_id": "@kader_isd"}),
    R("c_a1", "contact", {
        "contact_type": "PI_BEZOEK", "outcome": "PLAATSGEVONDEN", "occurred_at": t("2025-05-20T10:00"),
        "location_kind": "PI", "purpose": "Voorbereiding overplaatsing.",
        "report": "Voorbereiding overplaatsing; H. gespannen, uit zorgen over 'weer opgesloten zitten'.",
        "risks": [{"domain": "EMOTIONEEL_PSYCHISCH", "severity": "MIDDEN", "trend": "TOENEMEND",
                   "certainty": "WAARGENOMEN"},
                  {"domain": "GEWELD_DREIGING_ANDEREN", "severity": "MIDDEN", "trend": "STABIEL",
                   "certainty": "VERMOEDEN", "note": "Uitspraak over medegedetineerde."}]}),
    R("overgang", "transition", {
        "transition_type": "OVERPLAATSING_KLINIEK_VOORWAARDELIJK", "from_place": "PI Oostervaart (fictief)",
        "to_place": "FPK De Linde (fictief)", "planned_at": t("2025-06-02T09:30"),
        "transport": "DV_O", "information_source": "D_R_PLAN",
        # still on its way: the late flag's action list is half done, recording the arrival is still to do
        "status": "VERTRAAGD", "checklist": {
            "BED_BEVESTIGD": "GEREGELD", "MEDICATIE_MEE": "GEREGELD", "BEHANDELAAR_INTAKE_GEPLAND": "GEREGELD",
            "ID_GELDIG": "OPEN", "ZORGVERZEKERING": "GEREGELD"},
        "note": "Vervoer DV&O is uren later dan gepland; H. wacht in de PI."}),
    R("c_a2", "contact", {
        "contact_type": "TELEFONISCH", "outcome": "PLAATSGEVONDEN", "occurred_at": t("2025-06-02T11:00"),
        "location_kind": "TELEFOON", "participants": [{"name": "PI Oostervaart (fictief)", "role": "afdeling"}],
        "report": "PI meldt: vervoer DV&O nog niet gearriveerd; H. wacht in transitieruimte, wordt onrustig."}),
    R("flag_a1", "flag", {
        "reason": "OVERGANG_MISLUKT_OF_VERTRAAGD", "urgency": "ZELFDE_DAG", "route": "PROCESREGISSEUR_ZVH",
        "assignee": "Anouk Prins", "status": "IN_BEHANDELING", "raised_at": t("2025-06-02T10:01"),
        "source_id": "@overgang", "raised_by_rule": "OVERGANG_TE_LAAT",
        "note": "Overplaatsing naar kliniek: gepland om 09:30, nog niet aangekomen."}),
    # "En nu?": the late transport's action list, half done (FICTIEF)
    R(None, "flag_step", {"flag_id": "@flag_a1", "step": "VERWACHTE_TIJD", "by": "Anouk Prins",
                          "at": t("2025-06-02T10:15"), "note": "DV&O: bus verwacht rond 13:00."}),
    R(None, "flag_step", {"flag_id": "@flag_a1", "step": "ONTVANGER_INFORMEREN", "by": "Anouk Prins",
                          "at": t("2025-06-02T10:20"), "note": "FPK De Linde gebeld: bed blijft vrij."}),
    R(None, "flag_step", {"flag_id": "@flag_a1", "step": "WIE_BLIJFT", "by": "Lotte de Boer",
                          "at": t("2025-06-02T11:00"), "note": "PI: afdelingsmedewerker blijft bij H."}),
    R("c_a3", "contact", {
        "contact_type": "INSTELLING", "outcome": "PLAATSGEVONDEN", "occurred_at": t("2025-06-05T10:00"),
        "location_kind": "INSTELLING", "report": "Eerste bezoek in de kliniek; opname verloopt rustig (fictief).",
        "compliance": [{"condition_id": "@v_opname", "status": "NAGELEEFD", "source": "EIGEN_WAARNEMING"},
                       {"condition_id": "@v_middelen", "status": "NAGELEEFD", "source": "TESTUITSLAG",
                        "evidence": "Ademtest negatief"}],
        "protective": [{"category": "EXTERN", "code": "PROFESSIONELE_STEUN"}]}),
    R("c_a4", "contact", {
        "contact_type": "DRIEGESPREK", "outcome": "PLAATSGEVONDEN", "occurred_at": t("2025-06-19T14:00"),
        "location_kind": "INSTELLING", "participants": [{"name": "Behandelaar FPK (fictief)", "role": "behandelaar"}],
        "report": "Behandelaar: H. dreigend richting medepatiënt na weigering verlof.",
        "risks": [{"domain": "GEWELD_DREIGING_ANDEREN", "severity": "HOOG", "trend": "TOENEMEND",
                   "certainty": "BEVESTIGD", "source": "PARTNER"}],
        "next_contact_at": t("2025-06-26T10:00")}),
    R("flag_a2", "flag", {
        "reason": "ANDERS", "urgency": "BINNEN_24U", "route": "TEAMLEIDER", "raised_at": t("2025-06-19T15:00"),
        "source_id": "@c_a4", "note": "Hoog risicosignaal geweld in de kliniek: bespreken met de teamleider."}),
]

CASE_B = [
    R("client", "client", {
        "display_name": "Rob D.", "birth_date": "1985-09-02", "gender": "M", "housing_type": "BIJ_FAMILIE",
        "address_note": "Verblijft sinds 16 september bij zijn moeder (fictief adres).", "regime": "DRANG",
        "assigned_to": "Sanne Kok", "fictional": True}),
    R("np_truus", "network_person", {
        "name": "Truus D.", "relation": "MOEDER", "roles": ["SLACHTOFFER", "MANTELZORGER"],
        "lives_with_client": True, "consent_collateral": True,
        "note": "Eerdere incidenten huiselijk geweld 2022 (fictief)."}),
    R("case", "zvh_case", {
        "approach": "NAZORG", "phase": "PVA_VASTGESTELD", "regime": "DRANG", "process_director": "Anouk Prins",
        "case_director": "Sanne Kok", "legal_basis": ["WGS_ZVH", "MELDRECHT_MELDCODE"],
        "referral": {"date": "2025-09-17", "referred_by": "Gemeente Noordrand (fictief)",
                     "reason": "Direct vrij na zitting zonder voorwaarden; woont bij moeder die eerder slachtoffer was.",
                     "goal": "Veiligheid moeder, onderdak, inkomen en verslavingszorg regelen.",
                     "criteria": {"multiproblem": True, "meerdere_ketens": True, "systeem_impact": True,
                                  "gebiedsgebonden": False},
                     "partners": ["GEMEENTE", "VEILIG_THUIS", "POLITIE", "VERSLAVINGSZORG"], "informed": "JA"},
        "triage": {"outcome": "PROCESREGIE", "date": "2025-09-18"}}),
    R("kader_svh", "framework", {"framework_type": "SVH", "status": "BEEINDIGD_REGULIER", "commissioner": "RECHTER",
                                 "end": "2025-09-16", "note": "Voorlopige hechtenis geëindigd bij uitspraak."}),
    R("kader_vv", "framework", {
        "framework_type": "VV", "status": "VERVALLEN", "commissioner": "RECHTER", "decision_date": "2025-09-16",
        "end": "2025-09-16",
        "note": "Rechter legt straf gelijk aan voorarrest op; geen bijzondere voorwaarden, geen tbs (fictief)."}),
    R("overgang", "transition", {
        "transition_type": "VRIJLATING_NA_ZITTING", "planned_at": None, "actual_at": t("2025-09-16T15:40"),
        "information_source": "PARTNER_TELEFONISCH", "status": "AANGEKOMEN", "to_place": "Bij moeder (fictief)",
        "checklist": {"ID_GELDIG": "MISLUKT", "ONDERDAK_EERSTE_NACHT": "GEREGELD", "INKOMEN_AANGEVRAAGD": "OPEN",
                      "VOORSCHOT": "OPEN", "ZORGVERZEKERING": "OPEN", "MEDICATIE_MEE": "NVT",
                      "VT_AFWEGING_GEDAAN": "OPEN"},
        "note": "Onderdak eerste nacht: bij moeder."}),
    R("flag_kader", "flag", {
        "reason": "KADER_VERVALLEN", "urgency": "ZELFDE_DAG", "route": "PROCESREGISSEUR_ZVH",
        "assignee": "Anouk Prins", "status": "IN_BEHANDELING", "raised_at": t("2025-09-16T16:00"),
        "source_id": "@kader_vv", "raised_by_rule": "KADER_VERVALLEN",
        "note": "Geen justitieel kader meer. Spoedprocedure nazorg gestart."}),
    R("nazorg", "aftercare", {
        "ID": {"status": "NIET_GEREGELD", "note": "ID verlopen; aanvraag gepland."},
        "ONDERDAK": {"status": "IN_AANVRAAG", "note": "Tijdelijk bij moeder; alternatieve woonplek via MO."},
        "INKOMEN_WERK": {"status": "IN_AANVRAAG", "owner": "Gemeente Noordrand (fictief)"},
        "spoed": True, "spoed_checklist": {
            "ID_GELDIG": "MISLUKT", "ONDERDAK_EERSTE_NACHT": "GEREGELD", "INKOMEN_AANGEVRAAGD": "OPEN",
            "SCHULDEN_IN_BEELD": "OPEN", "ZORGVERZEKERING": "OPEN", "VT_AFWEGING_GEDAAN": "GEREGELD"}}),
    R("c_b1", "contact", {
        "contact_type": "HUISBEZOEK_AANGEKONDIGD", "outcome": "PLAATSGEVONDEN", "occurred_at": t("2025-09-17T10:00"),
        "location_kind": "WONING", "participants": [{"name": "Truus D.", "role": "moeder"}],
        "report": "R. verblijft bij moeder; moeder zegt 'het gaat wel', oogt gespannen; lege flessen in keuken.",
        "life_domains": [{"domain": "ID", "status": "NIET_GEREGELD"},
                         {"domain": "INKOMEN_WERK", "status": "IN_AANVRAAG"}],
        "risks": [{"domain": "HUISELIJK_GEWELD", "severity": "HOOG", "trend": "NIEUW", "certainty": "VERMOEDEN",
                   "persons": ["@np_truus"]},
                  {"domain": "ALCOHOL", "severity": "MIDDEN", "trend": "ONBEKEND", "certainty": "WAARGENOMEN"}]}),
    R("flag_verhuizing", "flag", {
        "reason": "VERHUIZING_NAAR_RISICOADRES", "urgency": "BINNEN_24U", "route": "VEILIG_THUIS_MELDING",
        "assignee": "Sanne Kok", "status": "IN_BEHANDELING", "raised_at": t("2025-09-17T12:00"),
        "source_id": "@np_truus", "raised_by_rule": "VERHUIZING_SLACHTOFFERADRES",
        "note": "R. woont bij zijn moeder, eerder slachtoffer van huiselijk geweld."}),
    R("meldcode_b", "meldcode", {
        "q1_vermoeden": "JA", "q2_acuut_of_structureel_onveilig": "JA",
        "q2_toelichting": "Structureel: eerdere incidenten, nu samenwonen.", "flag_id": "@flag_verhuizing",
        "note": "Besluit: melden bij Veilig Thuis; de melding volgt na het casusoverleg (fictief)."}),
    R("c_b2", "contact", {
        "contact_type": "NETWERKCONTACT", "outcome": "PLAATSGEVONDEN", "occurred_at": t("2025-09-19T10:00"),
        "participants": [{"name": "Truus D.", "role": "moeder"}],
        "report": "Apart gesprek moeder (met toestemming): voelt zich onder druk gezet over geld."}),
    R("c_b3", "contact", {
        "contact_type": "NETWERKOVERLEG", "outcome": "PLAATSGEVONDEN", "occurred_at": t("2025-09-23T14:00"),
        "report": "ZVH casusoverleg: gemeente, politie (wijkagent), verslavingszorg. Veilig Thuis was er niet bij.",
        "agreements": "Melding bij VT; R. vrijwillig intake verslavingszorg; alternatieve woonplek via MO."}),
    R("overleg", "case_conference", {
        "case_id": "@case", "date": "2025-09-23", "kind": "ICO", "chair": "Anouk Prins",
        "attendees": [{"organisation": "GEMEENTE", "role": "nazorgcoördinator"},
                      {"organisation": "POLITIE", "role": "wijkagent"},
                      {"organisation": "VERSLAVINGSZORG", "role": "intaker"}],
        "legal_basis": ["WGS_ZVH"], "duiding": "Hoog risico op huiselijk geweld door samenwonen en alcohol.",
        "decisions": "Procesregie ZVH; melding bij Veilig Thuis; vrijwillige verslavingszorg; alternatieve woonplek.",
        "case_director": "Sanne Kok", "next_evaluation": "2025-10-07", "informed": "JA"}),
    R("actie_1", "case_action", {"case_id": "@case", "conference_id": "@overleg", "action": "Intake verslavingszorg",
                                 "owner": "VERSLAVINGSZORG", "due": "2025-09-30"}),
    R("actie_2", "case_action", {"case_id": "@case", "conference_id": "@overleg", "action": "Aanvraag ID en bijstand",
                                 "owner": "GEMEENTE", "due": "2025-09-26"}),
]

CASE_C = [
    R("client", "client", {
        "display_name": "Sandra K.", "birth_date": "1991-01-27", "gender": "V", "housing_type": "BEGELEID_WONEN",
        "address_note": "BW Het Anker (fictief)", "regime": "DWANG", "assigned_to": "Jeroen Smit",
        "fictional": True}),
    R("np_dirk", "network_person", {"name": "Dirk L.", "relation": "EX_PARTNER", "roles": ["SLACHTOFFER"]}),
    R("np_kind1", "network_person", {"name": "Kind 1 (8)", "relation": "KIND", "minor": True}),
    R("np_kind2", "network_person", {"name": "Kind 2 (5)", "relation": "KIND", "minor": True}),
    R("case", "zvh_case", {"approach": "MDA_PLUSPLUS", "phase": "UITVOERING_MONITORING", "regime": "DWANG",
                           "case_director": "Casusregisseur lokaal team (fictief)"}),
    R("kader_vi", "framework", {"framework_type": "VI", "commissioner": "OM", "start": "2025-03-01",
                                "end": "2026-08-31"}),
    R("v_contact", "condition", {
        "framework_id": "@kader_vi", "condition_type": "CONTACTVERBOD", "parameters": {"protected_persons": ["@np_dirk"]},
        "enforcer": "BEIDE", "note": "Uitzondering: omgang met de kinderen via GI-begeleide overdracht."}),
    R("v_zone", "condition", {
        "framework_id": "@kader_vi", "condition_type": "LOCATIEVERBOD",
        "parameters": {"zone": "Woning ex-partner, straal 500 m (fictief)"}, "control_means": ["EM_GPS"],
        "enforcer": "BEIDE"}),
    R("v_bw", "condition", {"framework_id": "@kader_vi", "condition_type": "BEGELEID_WONEN_MO",
                            "parameters": {"institution": "BW Het Anker (fictief)"}}),
    R("v_interventie", "condition", {"framework_id": "@kader_vi", "condition_type": "GEDRAGSINTERVENTIE",
                                     "wording": "Interventie gericht op relationeel geweld (fictieve naam)."}),
    R("v_meld", "condition", {"framework_id": "@kader_vi", "condition_type": "MELDPLICHT", "start": "2025-03-04",
                              "parameters": {"report_to": "RECLASSERING", "frequency": "WEKELIJKS"}}),
    R("toezicht", "supervision", {"organisation": "RN", "supervisor": "Jeroen Smit",
                                  "work_supervisor": "Fatima El Amrani", "level": "NIVEAU_3",
                                  "framework_id": "@kader_vi", "start": "2025-03-01"}),
    R("c_c1", "contact", {
        "contact_type": "KANTOOR", "outcome": "PLAATSGEVONDEN", "occurred_at": t("2025-07-08T10:00"),
        "location_kind": "KANTOOR", "report": "Meldplicht op tijd; interventie loopt volgens de trainer.",
        "compliance": [{"condition_id": "@v_meld", "status": "NAGELEEFD", "source": "EIGEN_WAARNEMING"},
                       {"condition_id": "@v_interventie", "status": "NAGELEEFD", "source": "PARTNER"}]}),
    R("c_c2", "contact", {
        "contact_type": "EM_ACTIE", "outcome": "PLAATSGEVONDEN", "occurred_at": t("2025-07-12T02:14"),
        "participants": [{"name": "Meldkamer reclassering (fictief)", "role": "meldkamer"}],
        "report": "Meldkamer: GPS-zone-alarm woning ex-partner; politie ingeschakeld door meldkamer.",
        "compliance": [{"condition_id": "@v_zone", "status": "OVERTREDING", "source": "EM_DATA",
                        "evidence": "EM-alarm 12-07 02:14 (fictief)",
                        "violation": {"severity": "ERNSTIG", "response": "SPOEDMELDING_OM_POLITIE"}}]}),
    R("flag_c", "flag", {
        "reason": "OVERTREDING_SLACHTOFFERRISICO", "urgency": "DIRECT", "route": "OM_PIKET_VIA_RECLASSERING",
        "assignee": "Jeroen Smit", "status": "AFGEHANDELD", "raised_at": t("2025-07-12T02:20"),
        "source_id": "@c_c2", "raised_by_rule": "OVERTREDING_SLACHTOFFER",
        "resolution_note": "OM-piket geïnformeerd; politie ter plaatse, S. niet meer in de zone (fictief)."}),
    R("c_c3", "contact", {
        "contact_type": "KANTOOR", "outcome": "PLAATSGEVONDEN", "occurred_at": t("2025-07-14T10:00"),
        "location_kind": "KANTOOR", "report": "S. verklaart 'alleen langs gereden om kinderen te zien'.",
        "compliance": [{"condition_id": "@v_meld", "status": "NAGELEEFD", "source": "EIGEN_WAARNEMING"}],
        "agreements": "Overtredingsrapportage met advies 'voorwaarden wijzigen' naar CVvi, ondertekend door "
                      "Jeroen Smit en Fatima El Amrani. OM-beslissing 21-07: waarschuwing (fictief).",
        "next_contact_at": t("2025-07-22T10:00")}),
]

CASE_D = [
    R("client", "client", {
        "display_name": "Erik M.", "birth_date": "1973-05-30", "gender": "M", "housing_type": "ZELFSTANDIG",
        "lvb": "NEE", "regime": "GEMENGD", "assigned_to": "Kevin Mulder", "fictional": True}),
    R("np_buren", "network_person", {"name": "Buren portiek (fictief)", "relation": "BUUR",
                                     "roles": ["MOGELIJK_SLACHTOFFER"]}),
    R("case", "zvh_case", {"approach": "LEVENSLOOP", "phase": "UITVOERING_MONITORING", "regime": "GEMENGD",
                           "process_director": "Anouk Prins",
                           "case_director": "Gemeentelijke casusregisseur (fictief)"}),
    R("kader_zm", "framework", {"framework_type": "WVGGZ_ZM", "commissioner": "RECHTER",
                                "note": "Ambulante verplichte zorg inclusief medicatie (fictief)."}),
    R("c_d1", "contact", {
        "contact_type": "OUTREACHEND", "outcome": "PLAATSGEVONDEN", "occurred_at": t("2025-10-02T11:00"),
        "location_kind": "OPENBARE_RUIMTE",
        "report": "E. aangetroffen bij supermarkt; praat over 'stralen uit de muur' van bovenburen; medicatie "
                  "'weggegooid'.",
        "risks": [{"domain": "MEDICATIEONTROUW", "severity": "HOOG", "trend": "NIEUW", "certainty": "VERMOEDEN",
                   "source": "VERKLARING_BETROKKENE"},
                  {"domain": "GEWELD_DREIGING_ANDEREN", "severity": "HOOG", "trend": "TOENEMEND",
                   "certainty": "VERMOEDEN", "persons": ["@np_buren"]}]}),
    R("c_d2", "contact", {
        "contact_type": "HUISBEZOEK_ONAANGEKONDIGD", "outcome": "TOEGANG_GEWEIGERD",
        "occurred_at": t("2025-10-03T16:30"), "location_kind": "WONING",
        "report": "Door de deur: 'het heeft allemaal geen zin meer'.",
        "risks": [{"domain": "SUICIDALITEIT", "severity": "ACUUT", "trend": "NIEUW", "certainty": "WAARGENOMEN"}]}),
    R("flag_d", "flag", {
        "reason": "SUICIDERISICO", "urgency": "DIRECT", "route": "GGZ_CRISISDIENST", "assignee": "Kevin Mulder",
        "status": "AFGEHANDELD", "raised_at": t("2025-10-03T16:35"), "source_id": "@c_d2",
        "raised_by_rule": "ACUUT_RISICO_GGZ",
        "resolution_note": "Crisisdienst ter plaatse; opname via crisismaatregel (fictief)."}),
    R("kader_cm", "framework", {"framework_type": "WVGGZ_CM", "commissioner": "BURGEMEESTER",
                                "decision_date": "2025-10-03", "start": "2025-10-03"}),
    R("overgang", "transition", {
        "transition_type": "OPNAME_CRISIS", "actual_at": t("2025-10-03T18:20"), "status": "AANGEKOMEN",
        "to_place": "GGZ-kliniek (fictief)", "transport": "HULPVERLENER",
        "checklist": {"BED_BEVESTIGD": "GEREGELD", "MEDICATIE_MEE": "GEREGELD", "NETWERK_GEINFORMEERD": "OPEN"}}),
    R("c_d3", "contact", {
        "contact_type": "INSTELLING", "outcome": "PLAATSGEVONDEN", "occurred_at": t("2025-10-10T10:00"),
        "location_kind": "INSTELLING", "report": "Bezoek in de kliniek; E. rustiger, neemt medicatie (fictief).",
        "protective": [{"category": "EXTERN", "code": "PROFESSIONELE_STEUN"},
                       {"category": "MOTIVATIONEEL", "code": "BEHANDELMOTIVATIE"}],
        "next_contact_at": t("2025-10-17T10:00")}),
]

CASE_E = [
    R("client", "client", {
        "display_name": "Dennis A.", "birth_date": "2002-11-14", "gender": "M", "housing_type": "BIJ_FAMILIE",
        "lvb": "VERMOEDEN", "regime": "DWANG", "assigned_to": "Kevin Mulder", "fictional": True}),
    R("np_yvonne", "network_person", {"name": "Yvonne A.", "relation": "MOEDER", "roles": ["STEUNFIGUUR"],
                                      "lives_with_client": True, "consent_collateral": True}),
    R("np_groep", "network_person", {"name": "Groep 'pleintje' (fictief)", "relation": "VRIEND",
                                     "roles": ["RISICOFIGUUR"]}),
    R("case", "zvh_case", {"approach": "TOP_X", "phase": "UITVOERING_MONITORING", "regime": "DWANG"}),
    R("kader_svh", "framework", {"framework_type": "SVH", "commissioner": "RECHTER", "start": "2025-07-15"}),
    R("v_gebod", "condition", {
        "framework_id": "@kader_svh", "condition_type": "LOCATIEGEBOD", "control_means": ["EM_RF"],
        "parameters": {"zone": "Woonadres (fictief)",
                       "time_windows": [{"days": _ALL_DAYS, "from": "22:00", "to": "07:00"}]}}),
    R("v_meld", "condition", {
        "framework_id": "@kader_svh", "condition_type": "MELDPLICHT",
        "parameters": {"report_to": "RECLASSERING", "frequency": "TWEE_PER_WEEK",
                       "time_windows": [{"days": ["MA", "DO"], "from": "10:00", "to": "11:00"}]}}),
    R("v_overig", "condition", {"framework_id": "@kader_svh", "condition_type": "OVERIGE_GEDRAG",
                                "wording": "Meewerken aan dagbesteding of opleiding."}),
    R("v_contact", "condition", {"framework_id": "@kader_svh", "condition_type": "CONTACTVERBOD",
                                 "parameters": {"protected_persons": ["Medeverdachten (fictief)"]}}),
    R("toezicht", "supervision", {"organisation": "LJR", "supervisor": "Kevin Mulder", "level": "NIVEAU_3",
                                  "intensified": True, "framework_id": "@kader_svh", "start": "2025-07-15"}),
    R("c_e1", "contact", {
        "contact_type": "KANTOOR", "outcome": "NIET_VERSCHENEN", "excused": False, "occurred_at": t("2025-08-04T10:00"),
        "compliance": [{"condition_id": "@v_meld", "status": "OVERTREDING", "source": "EIGEN_WAARNEMING",
                        "violation": {"severity": "GERING", "response": "AANSPREKEN"}}]}),
    R("c_e2", "contact", {
        "contact_type": "KANTOOR", "outcome": "NIET_VERSCHENEN", "excused": False, "occurred_at": t("2025-08-07T10:00"),
        "compliance": [{"condition_id": "@v_meld", "status": "OVERTREDING", "source": "EIGEN_WAARNEMING",
                        "violation": {"severity": "MATIG", "response": "SCHRIFTELIJKE_WAARSCHUWING"}}]}),
    R("c_e3", "contact", {
        "contact_type": "HUISBEZOEK_ONAANGEKONDIGD", "outcome": "PLAATSGEVONDEN", "occurred_at": t("2025-08-08T14:00"),
        "location_kind": "WONING", "participants": [{"name": "Yvonne A.", "role": "moeder"}],
        "report": "D. slaapt om 14:00; moeder: 'komt elke nacht pas laat thuis'. EM-data tonen geen overtreding "
                  "locatiegebod.",
        "compliance": [{"condition_id": "@v_gebod", "status": "NAGELEEFD", "source": "EM_DATA"}],
        "risks": [{"domain": "NETWERK_VRIENDEN", "severity": "MIDDEN", "trend": "TOENEMEND", "certainty": "VERMOEDEN",
                   "source": "VERKLARING_BETROKKENE", "persons": ["@np_groep"]},
                  {"domain": "HOUDING_MOTIVATIE", "severity": "MIDDEN", "trend": "TOENEMEND",
                   "certainty": "WAARGENOMEN"}],
        "protective": [{"category": "EXTERN", "code": "STEUNEND_NETWERK", "note": "Moeder."}],
        "agreements": "Maandag om 10 uur kom je naar kantoor. Neem je pas mee. Ik stuur je zondag een "
                      "herinnering."}),
    R("c_e4", "contact", {
        "contact_type": "KANTOOR", "outcome": "NIET_VERSCHENEN", "excused": False, "occurred_at": t("2025-08-11T10:00"),
        "compliance": [{"condition_id": "@v_meld", "status": "OVERTREDING", "source": "EIGEN_WAARNEMING",
                        "violation": {"severity": "MATIG", "response": "RAPPORTAGE_OM"}}],
        "agreements": "Overtredingsrapportage met advies 'voorwaarden wijzigen'."}),
    # as DOMAIN.md §10 case E has it: the worker sent it to the teamleider, though Escaleren? proposes the OM
    # for this third no-show (§4.3 onttrekking, domain.escalation): the proposal is a proposal
    R("flag_e", "flag", {
        "reason": "ONTTREKKING", "urgency": "ZELFDE_DAG", "route": "TEAMLEIDER",
        "raised_at": t("2025-08-11T11:00"),
        "source_id": "@c_e4", "note": "Derde no-show in een week; D. reageert niet op berichten."}),
]

DEMO_CASES: dict[str, list[DemoRecord]] = {"A": CASE_A, "B": CASE_B, "C": CASE_C, "D": CASE_D, "E": CASE_E}


def resolve_refs(value: Any, ids: dict[str, str]) -> Any:
    """Replace every ``"@name"`` string (also inside lists and dicts) by ``ids[name]``."""
    if isinstance(value, str) and value.startswith("@"):
        return ids[value[1:]]
    if isinstance(value, list):
        return [resolve_refs(v, ids) for v in value]
    if isinstance(value, dict):
        return {k: resolve_refs(v, ids) for k, v in value.items()}
    return value


def record_id_for(record: DemoRecord, fields: dict, client_id: str) -> str:
    """The id a seeder gives a (resolved) demo record; see the module docstring."""
    if record.type == "client":
        return client_id
    if record.type == "aftercare":
        return singleton_record_id(client_id, "aftercare")
    if record.type == "flag" and fields.get("raised_by_rule"):
        return flag_record_id(client_id, fields["raised_by_rule"], fields["source_id"])
    return new_id()


def seed_context(records: list[DemoRecord], *, client_id: str | None = None,
                 now: int = DEMO_NOW) -> tuple[DictContext, dict[str, str]]:
    """Validate and store a case in a fresh ``DictContext``; returns it and the ref → id map. Raises
    ``ValidationError`` (with the ref in the message) if a record does not validate."""
    ctx = DictContext(client_id or new_id(), now)
    ids: dict[str, str] = {}
    for record in records:
        fields = resolve_refs(record.fields, ids)
        clean = validate_create(record.type, fields, ctx)
        rid = ctx.add(record.type, clean, record_id_for(record, clean, ctx.client_id))
        if record.ref:
            ids[record.ref] = rid
    return ctx, ids


_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def shifted(records: list[DemoRecord], days: int) -> list[DemoRecord]:
    """The same case ``days`` later: every moment (ms) and every date moves, birth dates included. A moment
    keeps its Dutch wall-clock time: a transition planned at 09:30 in June is planned at 09:30 in December
    too (moved by whole 24 hours it showed 08:30 on its card while its flag, written as text, said 09:30)."""

    def moment(ms: int) -> int:
        wall = datetime.fromtimestamp((ms + offset_ms(ms)) / 1000, UTC)
        rest = wall.second * 1000 + wall.microsecond // 1000
        return local_ms(wall.date() + timedelta(days=days), wall.hour, wall.minute) + rest

    def move(value: Any) -> Any:
        if type(value) is int and value >= EARLIEST_MS:
            return moment(value)
        if isinstance(value, str) and _DATE.match(value):
            return (date.fromisoformat(value) + timedelta(days=days)).isoformat()
        if isinstance(value, list):
            return [move(v) for v in value]
        if isinstance(value, dict):
            return {k: move(v) for k, v in value.items()}
        return value

    return [DemoRecord(r.ref, r.type, move(r.fields)) for r in records]
