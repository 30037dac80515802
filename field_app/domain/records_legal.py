"""Legal frameworks, their conditions, and supervision orders (DOMAIN.md §3, §9.8, §9.9)."""

from __future__ import annotations

from typing import Any

from .fieldkit import Errors, a_date, boolean, choice, choices, hhmm, names, opt_text, ref, text
from .schema import Field, Schema, check_order, list_of, obj
from .vocab import (
    ControleMiddel,
    Handhaver,
    KaderFase,
    KaderStatus,
    KaderType,
    MeldFrequentie,
    MeldInstantie,
    Middel,
    Opdrachtgever,
    Organisatie3RO,
    Toezichtniveau,
    ToezichtStatus,
    VoorwaardeType,
    Weekdag,
)

MAX_NOTE = 2000

# A framework in one of these states still binds the person (a suspended v.i. is still a v.i.).
BINDING_STATUSES = frozenset({KaderStatus.ACTIEF.value, KaderStatus.GESCHORST.value})
# Ended without sending the person back to detention: they walk out with nothing (the Willem case).
# Revocation and enforcement are left out on purpose: they mean a return to detention, a transition.
LAPSED_STATUSES = frozenset({KaderStatus.VERVALLEN.value, KaderStatus.BEEINDIGD_REGULIER.value})


def _phase_check(p: dict, path: str, errors: Errors, ctx: Any) -> None:
    check_order(p, "from", "to", errors, path)


def _framework_check(f: dict, ctx: Any, errors: Errors) -> None:
    check_order(f, "start", "end", errors)
    phases = f.get("phases") or []
    if f.get("current_phase") and phases and f["current_phase"] not in {p["phase"] for p in phases}:
        errors.add("current_phase", "Deze fase staat niet bij de fasen van het kader.")


FRAMEWORK = Schema(
    fields={
        "framework_type": Field(choice(KaderType, "Kies het soort kader."), required=True,
                                required_msg="Kies het soort kader.", doc="type (§3.1)"),
        "status": Field(choice(KaderStatus, "Kies de status van het kader."), default=KaderStatus.ACTIEF.value,
                        doc="status"),
        "commissioner": Field(choice(Opdrachtgever), doc="opdrachtgever"),
        "decision_date": Field(a_date(), doc="uitspraakdatum"),
        "start": Field(a_date(), doc="start (proeftijd_start)"),
        "end": Field(a_date(), doc="end (proeftijd_eind)"),
        "immediately_enforceable": Field(boolean(), default=False, doc="dadelijk uitvoerbaar (art. 14e Sr)"),
        "phases": Field(list_of(obj({
            "phase": Field(choice(KaderFase, "Kies de fase."), required=True, required_msg="Kies de fase."),
            "from": Field(a_date(), required=True, required_msg="Vul de begindatum van de fase in."),
            "to": Field(a_date()),
            "location": Field(opt_text(200)),
        }, _phase_check), 10, kind="list[{phase: KaderFase, from: date, to: date, location}]"), default=[],
            doc="KaderFase list (ISD/TBS)"),
        "current_phase": Field(choice(KaderFase), doc="the phase now"),
        "note": Field(text(MAX_NOTE), default="", doc="toelichting"),
    },
    check=_framework_check,
)

_TIME_WINDOW = obj({
    "days": Field(choices(Weekdag, message="Kies de dagen."), required=True, required_msg="Kies de dagen."),
    "from": Field(hhmm(), required=True, required_msg="Vul de begintijd in."),
    "to": Field(hhmm(), required=True, required_msg="Vul de eindtijd in."),
}, kind="{days: list[Weekdag], from: HH:MM, to: HH:MM}")  # from > to runs past midnight

PARAMETERS = obj({
    "protected_persons": Field(names(20), default=[], doc="network_person ids or names"),
    "zone": Field(opt_text(200), doc="area or address (geofence described in words)"),
    "time_windows": Field(list_of(_TIME_WINDOW, 14), default=[]),
    "frequency": Field(choice(MeldFrequentie, "Kies hoe vaak.")),
    "report_to": Field(choice(MeldInstantie)),
    "institution": Field(opt_text(200)),
    "substances": Field(choices(Middel), default=[]),
}, kind="parameters object")

# Conditions that mean nothing without a parameter, and what to ask for.
REQUIRED_PARAMETERS: dict[str, tuple[str, str]] = {
    VoorwaardeType.CONTACTVERBOD: ("protected_persons", "Vul in met wie de persoon geen contact mag hebben."),
    VoorwaardeType.MELDPLICHT: ("frequency", "Kies hoe vaak de persoon zich moet melden."),
    VoorwaardeType.LOCATIEVERBOD: ("zone", "Beschrijf het gebied of adres waar de persoon niet mag komen."),
    VoorwaardeType.LOCATIEGEBOD: ("time_windows", "Vul in op welke dagen en tijden de persoon er moet zijn."),
    VoorwaardeType.MIDDELENVERBOD: ("substances", "Kies om welke middelen het gaat."),
    VoorwaardeType.OPNAME_ZORGINSTELLING: ("institution", "Vul de naam van de instelling in."),
    VoorwaardeType.BEGELEID_WONEN_MO: ("institution", "Vul de naam van de instelling in."),
}


def empty_parameters() -> dict:
    return {"protected_persons": [], "zone": None, "time_windows": [], "frequency": None, "report_to": None,
            "institution": None, "substances": []}


def _condition_check(c: dict, ctx: Any, errors: Errors) -> None:
    check_order(c, "start", "end", errors)
    needed = REQUIRED_PARAMETERS.get(c.get("condition_type"))
    params = c.get("parameters")
    if needed and params is not None and not params.get(needed[0]):
        errors.add(f"parameters.{needed[0]}", needed[1])


CONDITION = Schema(
    fields={
        "framework_id": Field(ref("framework", "Kies het kader waar deze voorwaarde bij hoort."), required=True,
                              required_msg="Kies het kader waar deze voorwaarde bij hoort.", fixed=True,
                              doc="framework of this client"),
        "condition_type": Field(choice(VoorwaardeType, "Kies het soort voorwaarde."), required=True,
                                required_msg="Kies het soort voorwaarde.", doc="type (§3.2)"),
        "wording": Field(text(4000), default="", doc="omschrijving: verbatim wording of the decision"),
        "parameters": Field(PARAMETERS, default_fn=lambda ctx: empty_parameters(),
                            doc="{protected_persons, zone, time_windows, frequency, report_to, institution, "
                                "substances}"),
        "control_means": Field(choices(ControleMiddel), default=[], doc="controle_middel"),
        "enforcer": Field(choice(Handhaver), doc="handhaver"),
        "active": Field(boolean(), default=True, doc="false when lifted or changed"),
        "start": Field(a_date(), doc="geldig_van"),
        "end": Field(a_date(), doc="geldig_tot"),
        "note": Field(text(MAX_NOTE), default="", doc="toelichting, e.g. an exception"),
    },
    check=_condition_check,
)


def _supervision_check(s: dict, ctx: Any, errors: Errors) -> None:
    check_order(s, "start", "end", errors)


SUPERVISION = Schema(
    fields={
        "organisation": Field(choice(Organisatie3RO, "Kies de reclasseringsorganisatie."), required=True,
                              required_msg="Kies de reclasseringsorganisatie.", doc="3RO organisation"),
        "supervisor": Field(opt_text(120), doc="toezichthouder (display name)"),
        "work_supervisor": Field(opt_text(120), doc="werkbegeleider (display name)"),
        "level": Field(choice(Toezichtniveau, "Kies het toezichtniveau."), required=True,
                       required_msg="Kies het toezichtniveau.", doc="niveau"),
        "intensified": Field(boolean(), default=False, doc="verscherpt toezicht"),
        "status": Field(choice(ToezichtStatus), default=ToezichtStatus.LOPEND.value, doc="status"),
        "framework_id": Field(ref("framework", "Kies een kader van deze persoon."), doc="optional framework"),
        "start": Field(a_date(), doc="start_datum"),
        "end": Field(a_date(), doc="end"),
        "note": Field(text(MAX_NOTE), default="", doc="toelichting"),
    },
    check=_supervision_check,
)


def condition_applies(condition: dict, framework: dict | None, day: str) -> bool:
    """Whether a condition binds the person on ``day`` (``YYYY-MM-DD``): marked active, within its own
    dates and its framework's, and the framework still binding."""
    if not condition.get("active", True) or framework is None:
        return False
    if framework.get("status", KaderStatus.ACTIEF.value) not in BINDING_STATUSES:
        return False
    return all((start is None or start <= day) and (end is None or day <= end)
               for start, end in ((condition.get("start"), condition.get("end")),
                                  (framework.get("start"), framework.get("end"))))


_VICTIM_CONDITIONS = frozenset({VoorwaardeType.CONTACTVERBOD.value, VoorwaardeType.LOCATIEVERBOD.value})


def victim_related(condition: dict) -> bool:
    """A contact or zone ban that protects people: named protected persons, or a GPS-monitored zone."""
    params = condition.get("parameters") or {}
    return condition.get("condition_type") in _VICTIM_CONDITIONS and bool(
        params.get("protected_persons") or ControleMiddel.EM_GPS.value in (condition.get("control_means") or []))
