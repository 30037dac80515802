"""Taken per fase (#15): per framework and phase, a template of partner tasks — who, what, by when.

A new case or phase offers its template; adopted tasks become ordinary ``case_action`` records (owner,
action, due, ``phase`` = the phase's Dutch name), editable and marked done like any other, and an open one
past its date shows in the agenda as overdue. The phases and tasks below are this app's reading of
DOMAIN.md §1.3, §2, §3.3 and the Willem case **(verify)** with the ZVH partners. ``"3RO"`` as owner means the
supervising reclassering organisation of the case (RN, SVG or LJ&R).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from .records_legal import BINDING_STATUSES
from .timeutil import local_date
from .vocab import KaderFase, KaderType, Label, OvergangStatus, OvergangType

SUPERVISOR = "3RO"

PHASES: dict[str, Label] = {
    "ISD_INTRAMURAAL": Label("ISD intramuraal", "ISD inside the institution"),
    "ISD_EXTRAMURAAL": Label("ISD extramuraal", "ISD outside the institution"),
    "OVERGANG": Label("Overgang", "Transition"),
    "VRIJLATING_NA_ZITTING": Label("Vrij na de zitting", "Released after the hearing"),
    "NAZORG": Label("Nazorg", "Aftercare"),
}


@dataclass(frozen=True)
class TaskTemplate:
    owner: str  # PartnerOrganisatie code, or SUPERVISOR
    nl: str
    en: str
    days: int  # due this many days after the phase starts (negative: before)


T = TaskTemplate
TEMPLATES: dict[str, tuple[TaskTemplate, ...]] = {
    "ISD_INTRAMURAAL": (
        T("DJI", "D&R-plan opstellen met de casemanager", "Draw up the detention and reintegration plan", 28),
        T("GEMEENTE", "Vijf basisvoorwaarden in beeld (ID, onderdak, inkomen, zorg, schulden)",
          "Map the five basic conditions (ID, housing, income, care, debts)", 60),
        T(SUPERVISOR, "Advies over de extramurale fase", "Advice on the extramural phase", 90),
        T("ZVH", "Casusoverleg: plan voor de extramurale fase", "Case conference: plan for the extramural phase", 120),
    ),
    "ISD_EXTRAMURAAL": (
        T(SUPERVISOR, "Eerste toezichtgesprek (binnen twee weken)", "First supervision meeting (within two weeks)", 14),
        T("ZORGINSTELLING", "Behandelplan en terugkoppeling aan de reclassering",
          "Treatment plan and feedback to probation", 28),
        T(SUPERVISOR, "Toezichtplan vastgesteld", "Supervision plan adopted", 42),
        T("ZVH", "Evaluatie in het casusoverleg", "Evaluation in the case conference", 90),
    ),
    "OVERGANG": (
        T("DJI", "Vervoer (DV&O) en tijdstip bevestigen", "Confirm transport (DV&O) and time", -2),
        T("ZORGINSTELLING", "Bed en intake bevestigen", "Confirm the bed and the intake", -2),
        T("ZVH", "Afspreken wie wie belt als het vervoer te laat is", "Agree who calls whom if transport is late", -1),
        T(SUPERVISOR, "Bezoek na de overplaatsing", "Visit after the transfer", 3),
        T("GEMEENTE", "ID en zorgverzekering geregeld", "ID and health insurance arranged", 7),
    ),
    "VRIJLATING_NA_ZITTING": (
        T("GEMEENTE", "Onderdak eerste nacht, ID en inkomen (spoedprocedure nazorg)",
          "First night's bed, ID and income (urgent aftercare)", 0),
        T("ZVH", "Meldcode-afweging als hij bij een (eerder) slachtoffer intrekt",
          "Reporting-code weighing if he moves in with a (former) victim", 1),
        T("POLITIE", "Wijkagent informeren", "Inform the community police officer", 1),
        T("VEILIG_THUIS", "Veiligheidsbeoordeling op het woonadres", "Safety assessment at the address", 5),
        T("ZVH", "Casusoverleg: drang of vrijwillige hulp", "Case conference: pressure or voluntary help", 7),
    ),
    "NAZORG": (
        T("GEMEENTE", "ID-bewijs aangevraagd", "ID document applied for", 7),
        T("GEMEENTE", "Inkomen aangevraagd", "Income applied for", 7),
        T("GEMEENTE", "Zorgverzekering geregeld", "Health insurance arranged", 14),
        T("MAATSCHAPPELIJKE_OPVANG", "Onderdak geregeld", "Housing arranged", 14),
        T("GEMEENTE", "Schulden in beeld", "Debts mapped", 28),
    ),
}


def _day(ms: Any) -> date | None:
    return local_date(ms) if type(ms) is int else None


def applicable(ctx: Any) -> list[tuple[str, date | None]]:
    """The phases this case is in or has just been through, with the day each started (``None`` when
    unknown), most relevant first: a binding ISD framework's current phase, the latest transition, aftercare."""
    out: list[tuple[str, date | None]] = []
    for _, f in ctx.records("framework"):
        if f.get("framework_type") == KaderType.ISD.value and f.get("status", "ACTIEF") in BINDING_STATUSES:
            phase = f.get("current_phase")
            if phase in (KaderFase.INTRAMURAAL.value, KaderFase.EXTRAMURAAL.value):
                start = next((p.get("from") for p in f.get("phases") or [] if p.get("phase") == phase), None)
                out.append((f"ISD_{phase}", date.fromisoformat(start) if start else None))
    live = [t for _, t in ctx.records("transition") if t.get("status") != OvergangStatus.GEANNULEERD.value]
    if live:
        latest = max(live, key=lambda t: t.get("planned_at") or t.get("actual_at") or 0)
        start = _day(latest.get("planned_at") or latest.get("actual_at"))
        key = ("VRIJLATING_NA_ZITTING" if latest.get("transition_type") == OvergangType.VRIJLATING_NA_ZITTING.value
               else "OVERGANG")
        out.append((key, start))
    if ctx.records("aftercare") or any(c.get("approach") == "NAZORG" for _, c in ctx.records("zvh_case")):
        out.append(("NAZORG", next((s for k, s in out if k == "VRIJLATING_NA_ZITTING"), None)))
    return out


@dataclass(frozen=True)
class PlannedTask:
    owner: str  # PartnerOrganisatie code (SUPERVISOR resolved) or a name
    nl: str
    en: str
    due: str  # ISO date
    adopted: str | None  # the case_action id when adopted already

    def action(self, lang: str) -> str:
        return self.en if lang == "en" else self.nl


def _supervisor(ctx: Any) -> str:
    live = [s for _, s in ctx.records("supervision") if s.get("status", "LOPEND") in ("LOPEND", "IN_VOORBEREIDING")]
    return live[0]["organisation"] if live else "RN"


def tasks(ctx: Any, phase: str, start: date | None, today: date) -> list[PlannedTask]:
    """The template of ``phase`` with due dates from ``start`` (``today`` when unknown), each marked with the
    ``case_action`` that adopted it (same phase and action)."""
    label = PHASES[phase].nl
    begin = start or today
    adopted = {(a.get("phase"), a.get("action")): rid for rid, a in ctx.records("case_action")}
    return [PlannedTask(_supervisor(ctx) if t.owner == SUPERVISOR else t.owner, t.nl, t.en,
                        (begin + timedelta(days=t.days)).isoformat(), adopted.get((label, t.nl)))
            for t in TEMPLATES[phase]]


def adoption(ctx: Any, phase: str, start: date | None, today: date, case_id: str) -> list[dict]:
    """``case_action`` fields for every task of the phase not adopted yet."""
    label = PHASES[phase].nl
    return [{"case_id": case_id, "action": t.nl, "owner": t.owner, "due": t.due, "phase": label,
             "note": "Uit het takensjabloon van deze fase."}
            for t in tasks(ctx, phase, start, today) if t.adopted is None]
