"""The ZVH network case, its agreed actions and its case conferences (DOMAIN.md §1.3, §9.4, §9.5)."""

from __future__ import annotations

from typing import Any

from .fieldkit import Errors, a_date, boolean, choice, choices, opt_text, ref, text
from .schema import Field, Schema, check_order, list_of, obj, opt_obj
from .vocab import (
    Aanpak,
    ActieStatus,
    Afsluitreden,
    CasusFase,
    Geinformeerd,
    Grondslag,
    KaderRegime,
    OverlegSoort,
    PartnerOrganisatie,
    WegingBesluit,
)

MAX_NOTE = 4000
MSG_NOT_INFORMED = "Schrijf op waarom de persoon niet is geïnformeerd."

# Landelijk kader ZVH (§1.1): (1 and 2 and 3) or 4.
CRITERIA = ("multiproblem", "meerdere_ketens", "systeem_impact", "gebiedsgebonden")


def meets_zvh_criteria(criteria: dict) -> bool:
    """Whether a referral meets the national criteria for complex cases."""
    c = {k: bool(criteria.get(k)) for k in CRITERIA}
    return (c["multiproblem"] and c["meerdere_ketens"] and c["systeem_impact"]) or c["gebiedsgebonden"]


def _informed_check(values: dict, path: str, errors: Errors, ctx: Any = None) -> None:
    informed = values.get("informed")
    if informed and Geinformeerd(informed).refused and not values.get("not_informed_reason"):
        errors.add(f"{path}.not_informed_reason" if path else "not_informed_reason", MSG_NOT_INFORMED)


def empty_referral() -> dict:
    return {"date": None, "referred_by": None, "reason": "", "goal": "",
            "criteria": dict.fromkeys(CRITERIA, False), "partners": [], "informed": None,
            "not_informed_reason": ""}


REFERRAL = obj({
    "date": Field(a_date()),
    "referred_by": Field(opt_text(120)),  # aanmelder: organisation or person
    "reason": Field(text(MAX_NOTE), default=""),  # aanleiding
    "goal": Field(text(MAX_NOTE), default=""),  # "wat wilt u bereiken?"
    "criteria": Field(obj({k: Field(boolean(), default=False) for k in CRITERIA},
                          kind="{multiproblem, meerdere_ketens, systeem_impact, gebiedsgebonden: bool}"),
                      default_fn=lambda ctx: dict.fromkeys(CRITERIA, False)),
    "partners": Field(choices(PartnerOrganisatie), default=[]),
    "informed": Field(choice(Geinformeerd, "Kies of de persoon is geïnformeerd.")),
    "not_informed_reason": Field(text(1000), default=""),
}, _informed_check, kind="{date, referred_by, reason, goal, criteria, partners: [PartnerOrganisatie], "
                         "informed: Geinformeerd, not_informed_reason}")

TRIAGE = opt_obj({
    "outcome": Field(choice(WegingBesluit, "Kies het besluit van de weging."), required=True,
                     required_msg="Kies het besluit van de weging."),
    "date": Field(a_date()),
    "note": Field(text(MAX_NOTE), default=""),  # motivatie
}, kind="{outcome: WegingBesluit, date, note} | null")


def _case_check(c: dict, ctx: Any, errors: Errors) -> None:
    if c.get("phase") == CasusFase.AFGESLOTEN.value and "close_reason" in c and not c.get("close_reason"):
        errors.add("close_reason", "Kies waarom de casus is afgesloten.")


ZVH_CASE = Schema(
    fields={
        "approach": Field(choice(Aanpak, "Kies de aanpak."), required=True, required_msg="Kies de aanpak.",
                          doc="aanpak"),
        "phase": Field(choice(CasusFase, "Kies de fase."), default=CasusFase.AANGEMELD.value, doc="fase (§1.3)"),
        "regime": Field(choice(KaderRegime), doc="kader_regime"),
        "process_director": Field(opt_text(120), doc="procesregisseur (display name)"),
        "case_director": Field(opt_text(120), doc="casusregisseur (display name)"),
        "referral": Field(REFERRAL, default_fn=lambda ctx: empty_referral(), doc="aanmelding (§9.5)"),
        "triage": Field(TRIAGE, doc="weging (§9.5)"),
        "legal_basis": Field(choices(Grondslag), default=[], doc="grondslag"),
        "evaluation_date": Field(a_date(), doc="evaluatiedatum"),
        "close_reason": Field(choice(Afsluitreden, "Kies waarom de casus is afgesloten."),
                              doc="afsluitreden; required when AFGESLOTEN"),
        "note": Field(text(MAX_NOTE), default="", doc="toelichting"),
    },
    check=_case_check,
)

CASE_ACTION = Schema(
    fields={
        "case_id": Field(ref("zvh_case", "Kies een casus van deze persoon."), required=True, fixed=True,
                         required_msg="Kies de casus.", doc="zvh_case of this client"),
        "conference_id": Field(ref("case_conference", "Kies een casusoverleg van deze persoon."), fixed=True,
                               doc="the conference where it was agreed (optional)"),
        "action": Field(text(500), required=True, required_msg="Schrijf op wat er moet gebeuren.", doc="actie"),
        "owner": Field(text(120, single_line=True), required=True, required_msg="Vul in wie dit doet.",
                       doc="actiehouder: PartnerOrganisatie code or a name"),
        "due": Field(a_date(), doc="deadline"),
        "phase": Field(opt_text(80), doc="phase of the plan it belongs to"),
        "status": Field(choice(ActieStatus, "Kies de status."), default=ActieStatus.OPEN.value, doc="status"),
        "note": Field(text(2000), default="", doc="toelichting"),
    },
)


def _conference_check(c: dict, ctx: Any, errors: Errors) -> None:
    _informed_check(c, "", errors)
    check_order(c, "date", "next_evaluation", errors,
                message="De volgende evaluatie moet na het overleg liggen.")


CASE_CONFERENCE = Schema(
    fields={
        "case_id": Field(ref("zvh_case", "Kies een casus van deze persoon."), required=True,
                         required_msg="Kies de casus.", doc="zvh_case of this client"),
        "date": Field(a_date(), required=True, required_msg="Vul de datum van het overleg in.", doc="datum"),
        "kind": Field(choice(OverlegSoort, "Kies het soort overleg."), required=True,
                      required_msg="Kies het soort overleg.", doc="type overleg"),
        "chair": Field(opt_text(120), doc="voorzitter"),
        "attendees": Field(list_of(obj({
            "organisation": Field(choice(PartnerOrganisatie, "Kies de organisatie."), required=True,
                                  required_msg="Kies de organisatie."),
            "role": Field(opt_text(80)),
        }), 40, kind="list[{organisation: PartnerOrganisatie, role}]"), default=[], doc="deelnemers"),
        "legal_basis": Field(choices(Grondslag), default=[], doc="grondslag"),
        "duiding": Field(text(10_000), default="", doc="shared risk picture"),
        "decisions": Field(text(10_000), default="", doc="besluiten (inclusion, approach, scaling)"),
        "case_director": Field(opt_text(120), doc="named casusregisseur"),
        "next_evaluation": Field(a_date(), doc="next evaluation date"),
        "informed": Field(choice(Geinformeerd, "Kies of de persoon is geïnformeerd."),
                          doc="betrokkene geïnformeerd"),
        "not_informed_reason": Field(text(1000), default="", doc="required when informed is NEE_*"),
    },
    check=_conference_check,
)
