"""The response ladder after a violation (DOMAIN.md §3.4): the app proposes, the worker decides.

The toezichthouder first addresses the client (*aanspreken*); when the same condition is broken again
within a period the response climbs: a written warning, then consulting the opdrachtgever, then a report
to the OM. A serious violation, or one that puts a victim at risk, goes straight to an urgent notification
(*spoedmelding*). The steps and periods below are this app's reading of that practice **(verify)** with
the 3RO organisations; they live in this one table.

A worker may choose another response than the proposal, with a reason; both are recorded on the
contact (``compliance[].violation.proposed`` and ``.reason``) and shown on the timeline.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .records_legal import condition_applies
from .timeutil import DAY_MS, local_iso
from .vocab import (
    ContactType,
    ContactUitkomst,
    NalevingStatus,
    OvertredingErnst,
    OvertredingReactie,
    VoorwaardeType,
)

R = OvertredingReactie

# The ordinary ladder, one rung per earlier violation of the same condition within the window.
LADDER: tuple[OvertredingReactie, ...] = (R.AANSPREKEN, R.SCHRIFTELIJKE_WAARSCHUWING, R.OVERLEG_OPDRACHTGEVER,
                                          R.RAPPORTAGE_OM)
# Earlier violations count when they are at most this old **(verify)**: a quarter, as a supervision plan
# is usually evaluated every three months.
LADDER_WINDOW_DAYS = 90
# Violations this serious skip the ladder.
SERIOUS = frozenset({OvertredingErnst.ERNSTIG.value, OvertredingErnst.ACUUT_GEVAAR.value})
URGENT = R.SPOEDMELDING_OM_POLITIE
# Who decides each step **(verify)**: the worker addresses and warns; from consulting the opdrachtgever on,
# the OM (or the court after a claim) decides what follows.
DECIDED_BY: dict[str, str] = {
    R.AANSPREKEN.value: "TOEZICHTHOUDER",
    R.SCHRIFTELIJKE_WAARSCHUWING.value: "TOEZICHTHOUDER",
    R.BIJSTELLEN_TOEZICHTPLAN.value: "TOEZICHTHOUDER",
    R.OVERLEG_OPDRACHTGEVER.value: "OPDRACHTGEVER",
    R.RAPPORTAGE_OM.value: "OM",
    R.SPOEDMELDING_OM_POLITIE.value: "OM",
    R.TIME_OUT.value: "CASUSOVERLEG",
}
DECIDER_LABELS = {
    "TOEZICHTHOUDER": ("de toezichthouder (met de werkbegeleider)", "the probation officer (with the supervisor)"),
    "OPDRACHTGEVER": ("de opdrachtgever (OM of CVvi) na overleg", "the commissioning authority after consultation"),
    "OM": ("het OM (en zo nodig de rechter)", "the prosecution (and the court if needed)"),
    "CASUSOVERLEG": ("het casusoverleg", "the case conference"),
}


@dataclass(frozen=True)
class Violation:
    """An earlier violation of one condition, as recorded on a contact."""

    contact_id: str
    at: int  # occurred_at of the contact (UTC ms)
    severity: str
    response: str
    proposed: str | None


@dataclass(frozen=True)
class Proposal:
    step: str  # OvertredingReactie code
    rung: int  # 0-based place on LADDER; -1 when the ladder was skipped (serious / victim)
    earlier: int  # earlier violations of this condition counted (inside the window)
    reason_nl: str
    reason_en: str
    decided_by: str  # a DECIDED_BY value

    def reason(self, lang: str) -> str:
        return self.reason_en if lang == "en" else self.reason_nl


def violations(ctx: Any, condition_id: str, *, before: int | None = None,
               exclude: str | None = None) -> list[Violation]:
    """Every recorded violation of ``condition_id`` on this client's live contacts, oldest first
    (optionally only those before ``before`` ms, and not the contact ``exclude``)."""
    out = []
    for contact_id, contact in ctx.records("contact"):
        if contact_id == exclude:
            continue
        at = contact.get("occurred_at")
        if type(at) is not int or (before is not None and at >= before):
            continue
        for item in contact.get("compliance") or []:
            if (isinstance(item, dict) and item.get("condition_id") == condition_id
                    and item.get("status") == NalevingStatus.OVERTREDING.value):
                v = item.get("violation") or {}
                out.append(Violation(contact_id, at, v.get("severity") or "", v.get("response") or "",
                                     v.get("proposed")))
    return sorted(out, key=lambda v: (v.at, v.contact_id))


def _rung_of(response: str) -> int:
    codes = [s.value for s in LADDER]
    return codes.index(response) if response in codes else -1


def propose(ctx: Any, condition_id: str, *, at: int, severity: str | None = None,
            victim_risk: bool = False, exclude: str | None = None) -> Proposal:
    """The proposed response to a violation of ``condition_id`` at ``at`` ms.

    Serious (ERNSTIG, ACUUT_GEVAAR) or with a victim at risk: *spoedmelding*. Otherwise one rung per
    earlier violation of this condition within :data:`LADDER_WINDOW_DAYS`, and never below one rung above
    the highest response already taken in that window."""
    if severity in SERIOUS or victim_risk:
        why = ("ernstige overtreding" if severity in SERIOUS else "risico voor een slachtoffer",
               "serious violation" if severity in SERIOUS else "risk to a victim")
        return Proposal(URGENT.value, -1, 0, f"Spoedmelding: {why[0]}.", f"Urgent notification: {why[1]}.",
                        DECIDED_BY[URGENT.value])
    since = at - LADDER_WINDOW_DAYS * DAY_MS
    earlier = [v for v in violations(ctx, condition_id, before=at, exclude=exclude) if v.at >= since]
    rung = len(earlier)
    if earlier:
        rung = max(rung, max(_rung_of(v.response) for v in earlier) + 1)
    rung = min(rung, len(LADDER) - 1)
    step = LADDER[rung]
    if not earlier:
        nl, en = "Eerste overtreding van deze voorwaarde.", "First violation of this condition."
    else:
        nl = f"{len(earlier)} eerdere overtreding(en) van deze voorwaarde in de laatste {LADDER_WINDOW_DAYS} dagen."
        en = f"{len(earlier)} earlier violation(s) of this condition in the last {LADDER_WINDOW_DAYS} days."
    return Proposal(step.value, rung, len(earlier), nl, en, DECIDED_BY[step.value])


def proposed_no_show(ctx: Any, *, contact_type: str | None, outcome: str | None, excused: bool | None,
                     at: int) -> list[str]:
    """Condition ids a contact breaks by itself: an office appointment not attended, not excused, while a
    reporting duty (meldplicht) applies, is proposed as a violation of that duty."""
    if (contact_type != ContactType.KANTOOR.value or outcome != ContactUitkomst.NIET_VERSCHENEN.value
            or excused is not False):
        return []
    day = local_iso(at)
    frameworks = dict(ctx.records("framework"))
    return [cid for cid, cond in ctx.records("condition")
            if cond.get("condition_type") == VoorwaardeType.MELDPLICHT.value
            and condition_applies(cond, frameworks.get(cond.get("framework_id")), day)]


def path(ctx: Any, now: int) -> list[dict]:
    """Per condition with violations: ``{condition_id, count, last_at, last_response, next: Proposal}``
    (the non-cooperation path on the client screen), most recent first."""
    out = []
    for cid, _cond in ctx.records("condition"):
        vs = violations(ctx, cid)
        if not vs:
            continue
        last = vs[-1]
        out.append({"condition_id": cid, "count": len(vs), "last_at": last.at, "last_response": last.response,
                    "next": propose(ctx, cid, at=now)})
    return sorted(out, key=lambda p: -p["last_at"])
