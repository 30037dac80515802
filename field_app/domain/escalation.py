"""What *Escaleren?* proposes for a flag by hand: its reason, route and urgency.

The route of an escalation follows its trigger (DOMAIN.md §4.3 "Escalation triggers", with the route and
urgency codes of §9.13 UrgentFlag). For a violation of a condition the trigger follows the response ladder
(§3.4 "Response ladder", :mod:`ladder`) given the earlier violations on this client: the first steps stay
with the reclassering, from consulting the opdrachtgever on it goes to the OM through the reclassering, and
a violation that puts a victim at risk, a no-show streak or acute danger take their own §4.3 row. The worker
can still choose another route and urgency before saving the flag.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from . import ladder
from .records_legal import victim_related
from .vocab import FlagReden, OvertredingErnst, OvertredingReactie, Route, Urgentie, VoorwaardeType

R, U, F = Route, Urgentie, FlagReden


@dataclass(frozen=True)
class Trigger:
    """Where a flag goes and how fast: a reason (FlagReden), a route (Route) and an urgency (Urgentie)."""

    reason: str
    route: str
    urgency: str


def _t(reason: FlagReden, route: Route, urgency: Urgentie) -> Trigger:
    return Trigger(reason.value, route.value, urgency.value)


# DOMAIN.md §4.3 "Escalation triggers": trigger → route, one entry per row (the urgency from the row's words,
# else from §9.13: DIRECT is "<1 h, 112/crisis", BINNEN_24U "cf. VT acute", BINNEN_5_WERKDAGEN "cf. VT standard").
TRIGGERS: dict[str, Trigger] = {t.reason: t for t in (
    # "Immediate danger to life or limb; weapons; violence in progress" → 112 / politie now
    _t(F.ACUUT_GEVAAR, R.POLITIE_112, U.DIRECT),
    # "Psychiatric crisis with onmiddellijk dreigend ernstig nadeel" → GGZ-crisisdienst
    _t(F.PSYCHIATRISCHE_CRISIS, R.GGZ_CRISISDIENST, U.DIRECT),
    # "Suicidality (active plans, means, recent attempt)" → crisisdienst / huisarts
    _t(F.SUICIDERISICO, R.GGZ_CRISISDIENST, U.DIRECT),
    # "(Suspected) acute or structural unsafety at home (huiselijk geweld, kindermishandeling)" → melden bij
    # Veilig Thuis; children: the GI / RvdK are informed via Veilig Thuis (the row "Children involved")
    _t(F.HUISELIJK_GEWELD_ACUUT, R.VEILIG_THUIS_MELDING, U.BINNEN_24U),
    _t(F.HUISELIJK_GEWELD_STRUCTUREEL, R.VEILIG_THUIS_MELDING, U.BINNEN_5_WERKDAGEN),
    _t(F.KIND_ONVEILIG, R.VEILIG_THUIS_MELDING, U.BINNEN_24U),
    # "Condition violation with victim risk (contact- or locatieverbod, EM zone)" → reclassering → OM / piket:
    # aanhouding, schorsing
    _t(F.OVERTREDING_SLACHTOFFERRISICO, R.OM_PIKET_VIA_RECLASSERING, U.DIRECT),
    # "Client out of sight (onttrekking), absconding, no-show streak" → reclassering → OM
    _t(F.ONTTREKKING, R.OM_PIKET_VIA_RECLASSERING, U.ZELFDE_DAG),
    # "Failed or late transition" → procesregisseur ZVH + gemeente nazorg; same day
    _t(F.OVERGANG_MISLUKT_OF_VERTRAAGD, R.PROCESREGISSEUR_ZVH, U.ZELFDE_DAG),
)}

# Reasons the automatic rules (rules.py) raise that have no §4.3 row of their own, each with the row or case it
# follows. The manual proposal does not use them (``trigger_for`` gives ``None`` for these reasons).
RULE_TRIGGERS: dict[str, Trigger] = {t.reason: t for t in (
    # an acute threat to a worker is "immediate danger to life or limb" (§4.3 first row): as ACUUT_GEVAAR
    Trigger(F.DREIGING_MEDEWERKER.value, TRIGGERS[F.ACUUT_GEVAAR.value].route,
            TRIGGERS[F.ACUUT_GEVAAR.value].urgency),
    # no legal framework left is a "release without a plan" (§4.3 failed transition row; §8 Willem; §10 case B)
    Trigger(F.KADER_VERVALLEN.value, TRIGGERS[F.OVERGANG_MISLUKT_OF_VERTRAAGD.value].route,
            TRIGGERS[F.OVERGANG_MISLUKT_OF_VERTRAAGD.value].urgency),
    # living with a victim: unsafety at home → melden bij Veilig Thuis (§4.3); within 24 h as §10 case B has it
    _t(F.VERHUIZING_NAAR_RISICOADRES, R.VEILIG_THUIS_MELDING, U.BINNEN_24U),
)}

# DOMAIN.md §3.4 "Response ladder" (reclassering → OM), for a violation without a §4.3 row of its own: the
# toezichthouder addresses and warns the client (within the reclassering: the teamleider hears of it); from
# consulting the opdrachtgever on the OM decides, so the flag goes to the OM through the reclassering; a
# spoedmelding is "by phone to OM or piket" (§3.4 report types), at once.
LADDER_STEPS: dict[str, Trigger] = {
    OvertredingReactie.AANSPREKEN.value: _t(F.ANDERS, R.TEAMLEIDER, U.VOLGEND_OVERLEG),
    OvertredingReactie.SCHRIFTELIJKE_WAARSCHUWING.value: _t(F.ANDERS, R.TEAMLEIDER, U.BINNEN_5_WERKDAGEN),
    OvertredingReactie.BIJSTELLEN_TOEZICHTPLAN.value: _t(F.ANDERS, R.TEAMLEIDER, U.BINNEN_5_WERKDAGEN),
    OvertredingReactie.OVERLEG_OPDRACHTGEVER.value: _t(F.ANDERS, R.OM_PIKET_VIA_RECLASSERING, U.BINNEN_5_WERKDAGEN),
    OvertredingReactie.RAPPORTAGE_OM.value: _t(F.ANDERS, R.OM_PIKET_VIA_RECLASSERING, U.BINNEN_5_WERKDAGEN),
    OvertredingReactie.TIME_OUT.value: _t(F.ANDERS, R.TEAMLEIDER, U.ZELFDE_DAG),  # the casusoverleg decides
    OvertredingReactie.SPOEDMELDING_OM_POLITIE.value: _t(F.ANDERS, R.OM_PIKET_VIA_RECLASSERING, U.DIRECT),
}

# A reporting duty broken again within the ladder's window is a no-show streak (§4.3 onttrekking row):
# this many violations in a row, this one included **(verify)**.
NO_SHOW_STREAK = 2

_URGENCY_RANK = {u.value: i for i, u in enumerate(Urgentie)}  # most urgent first
_ROUTE_RANK = {r: i for i, r in enumerate((R.POLITIE_112.value, R.GGZ_CRISISDIENST.value,
                                           R.OM_PIKET_VIA_RECLASSERING.value, R.VEILIG_THUIS_MELDING.value))}


def _weight(t: Trigger) -> tuple[int, int]:
    """Lower is more pressing: the urgency first, then the route (police before the OM before the rest)."""
    return _URGENCY_RANK.get(t.urgency, len(_URGENCY_RANK)), _ROUTE_RANK.get(t.route, len(_ROUTE_RANK))


def trigger_for(reason: str) -> Trigger | None:
    """The §4.3 row of a flag reason, or ``None`` when the reason has no row (ANDERS, KADER_VERVALLEN, ...)."""
    return TRIGGERS.get(reason)


def for_reason(reason: str) -> Trigger:
    """The route and urgency of a flag an automatic rule raises with this reason: its §4.3 row
    (:data:`TRIGGERS`), else :data:`RULE_TRIGGERS`. ``KeyError`` for a reason in neither."""
    found = TRIGGERS.get(reason) or RULE_TRIGGERS.get(reason)
    if found is None:
        raise KeyError(reason)
    return found


def more_pressing(a: Trigger, b: Trigger) -> Trigger:
    """The more pressing of two triggers (the urgency first, then the route); ``a`` on a tie."""
    return b if _weight(b) < _weight(a) else a


@dataclass(frozen=True)
class ViolationAdvice:
    """The escalation of one violation: its trigger and the ladder step it came from."""

    condition_id: str
    trigger: Trigger
    step: ladder.Proposal  # what the ladder proposes given the earlier violations on this client


def for_violation(ctx: Any, condition_id: str, condition: dict, *, at: int, severity: str | None,
                  response: str | None = None, exclude: str | None = None) -> ViolationAdvice:
    """The trigger for a violation of ``condition`` recorded at ``at`` ms (on the contact ``exclude``, so it
    does not count itself as an earlier one).

    Acute danger → the police (§4.3 first row); a victim at risk → the OM via the piket; a reporting duty
    broken :data:`NO_SHOW_STREAK` times in a row → onttrekking; otherwise the ladder's step, or the response
    the worker recorded when that one is more pressing."""
    victim = victim_related(condition)
    step = ladder.propose(ctx, condition_id, at=at, severity=severity, victim_risk=victim, exclude=exclude)
    if severity == OvertredingErnst.ACUUT_GEVAAR.value:
        trigger = TRIGGERS[F.ACUUT_GEVAAR.value]
    elif victim:
        trigger = TRIGGERS[F.OVERTREDING_SLACHTOFFERRISICO.value]
    elif (condition.get("condition_type") == VoorwaardeType.MELDPLICHT.value
          and step.earlier + 1 >= NO_SHOW_STREAK):
        trigger = TRIGGERS[F.ONTTREKKING.value]
    else:
        trigger = LADDER_STEPS[step.step]
        chosen = LADDER_STEPS.get(response or "")
        if chosen is not None and _weight(chosen) < _weight(trigger):
            trigger = chosen
    return ViolationAdvice(condition_id, trigger, step)


def combine(advice: list[ViolationAdvice]) -> Trigger:
    """One flag for several violations: the most pressing trigger (a teamleider flag when there are none)."""
    if not advice:
        return LADDER_STEPS[OvertredingReactie.AANSPREKEN.value]
    return min((a.trigger for a in advice), key=_weight)
