"""Als hij niet meewerkt (#15): the non-cooperation path of one client in one place.

Per active condition: the violations so far, the ladder step reached and the step the ladder proposes next
(:mod:`ladder`; a condition that protects a victim goes straight to a *spoedmelding*), and who decides it.
Around it: the regime (dwang / drang / vrijwillig) and what it allows, and the date of the next case
conference when one is planned. What each regime allows is this app's summary of DOMAIN.md §3.1 and §3.4
**(verify)**.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from . import ladder
from .rules import victim_related
from .timeutil import local_date
from .vocab import KaderRegime

# What a regime allows when the person does not cooperate **(verify)**.
REGIME_ALLOWS: dict[str, tuple[str, str]] = {
    KaderRegime.DWANG.value: (
        "Justitieel kader: de voorwaarden zijn afdwingbaar. Bij overtreding volgt de ladder tot een rapportage "
        "aan het OM; het OM of de rechter beslist over tenuitvoerlegging, herroeping of aanhouding.",
        "Legal framework: the conditions are enforceable. A violation climbs the ladder up to a report to the "
        "prosecution, which (or the court) decides on enforcement, revocation or arrest."),
    KaderRegime.DRANG.value: (
        "Geen afdwingbare voorwaarden. Drang: afspraken met een stok achter de deur; niet meewerken bespreek je "
        "in het casusoverleg. Andere middelen: meldcode en Veilig Thuis, een huisverbod van de burgemeester, "
        "of de Wvggz bij een psychische stoornis.",
        "No enforceable conditions. Pressure: agreements with leverage; non-cooperation goes to the case "
        "conference. Other means: the reporting code and Veilig Thuis, a mayor's house ban, or compulsory "
        "mental-health care."),
    KaderRegime.VRIJWILLIG.value: (
        "Vrijwillig: alleen wat de persoon zelf wil. Niet meewerken: in beeld houden via het netwerk en het "
        "casusoverleg; bij acuut gevaar de crisisdienst of de politie.",
        "Voluntary: only what the person wants. Non-cooperation: keep in view through the network and the case "
        "conference; in acute danger the crisis service or the police."),
    KaderRegime.GEMENGD.value: (
        "Gemengd: de voorwaarden van het kader zijn afdwingbaar (de ladder geldt), de rest van de hulp is "
        "drang of vrijwillig.",
        "Mixed: the framework's conditions are enforceable (the ladder applies), the rest of the help is "
        "pressure or voluntary."),
}
NO_REGIME = ("Het regime is niet vastgelegd: leg dwang, drang of vrijwillig vast bij de persoon.",
             "The regime is not recorded: record compulsion, pressure or voluntary on the person.")


@dataclass(frozen=True)
class ConditionPath:
    condition_id: str
    condition_type: str
    violations: list[ladder.Violation]
    reached: str | None  # the latest response taken (OvertredingReactie code), None without violations
    next: ladder.Proposal  # what the ladder proposes at the next violation
    victim: bool  # protects a victim: the next violation is a spoedmelding


@dataclass(frozen=True)
class Path:
    regime: str | None
    allows: tuple[str, str]
    conditions: list[ConditionPath]
    next_conference: str | None  # ISO date of the next planned case conference or evaluation

    def allows_text(self, lang: str) -> str:
        return self.allows[1] if lang == "en" else self.allows[0]


def regime(ctx: Any) -> str | None:
    found = ctx.record(ctx.client_id)
    own = found[1].get("regime") if found else None
    cases = [c.get("regime") for _, c in ctx.records("zvh_case") if c.get("regime") and c.get("phase") != "AFGESLOTEN"]
    return own or (cases[0] if cases else None)


def next_conference(ctx: Any, now: int) -> str | None:
    """The earliest planned date from today on: a conference's next evaluation or date, a case's evaluation."""
    today = local_date(now).isoformat()
    dates = [d for _, c in ctx.records("case_conference") for d in (c.get("date"), c.get("next_evaluation"))]
    dates += [c.get("evaluation_date") for _, c in ctx.records("zvh_case") if c.get("phase") != "AFGESLOTEN"]
    upcoming = sorted(d for d in dates if isinstance(d, str) and d >= today)
    return upcoming[0] if upcoming else None


def path(ctx: Any, now: int) -> Path:
    """The whole non-cooperation path of the client at ``now``."""
    conditions = []
    for cid, cond in ctx.records("condition"):
        if cond.get("active") is False:
            continue
        vs = ladder.violations(ctx, cid)
        victim = victim_related(cond)
        conditions.append(ConditionPath(cid, cond.get("condition_type", ""), vs, vs[-1].response if vs else None,
                                        ladder.propose(ctx, cid, at=now, victim_risk=victim), victim))
    conditions.sort(key=lambda p: (-len(p.violations), not p.victim, p.condition_type))
    code = regime(ctx)
    return Path(code, REGIME_ALLOWS.get(code or "", NO_REGIME), conditions, next_conference(ctx, now))


def decider_label(proposal: ladder.Proposal, lang: str) -> str:
    nl, en = ladder.DECIDER_LABELS.get(proposal.decided_by, (proposal.decided_by, proposal.decided_by))
    return en if lang == "en" else nl
