"""Automatic flags and follow-ups: pure functions of one client's records and the time.

``evaluate(ctx)`` proposes every flag whose condition holds *now*; it proposes it again on every run
while the condition holds. Callers write a proposal only when no flag with ``flag_record_id(...)``
exists yet, so the same automatic flag raised on two offline devices is one record after sync.

Indicators (overdue contacts, risk level, compliance) live in ``indicators`` and the agenda in
``agenda``; both are re-exported here.
"""

from __future__ import annotations

import base64
import functools
import hashlib
from dataclasses import dataclass
from typing import Any

from . import escalation
from .agenda import AgendaItem, agenda, meldplicht_moments
from .escalation import Trigger
from .indicators import (
    CLIENT_CONTACT_TYPES,
    CONTACT_INTERVAL_DAYS,
    NO_SUPERVISION_INTERVAL_DAYS,
    RISK_WINDOW_DAYS,
    active_conditions,
    contact_interval_days,
    contact_overdue,
    current_supervision,
    days_since_last_contact,
    last_contact_at,
    latest_compliance,
    risk_level,
    risk_trend_series,
)
from .records import singleton_record_id
from .records_legal import BINDING_STATUSES, LAPSED_STATUSES, victim_related
from .records_transition import BASIC_ITEMS, CLOSED_STATUSES, victim_in_network
from .timeutil import MINUTE_MS, format_moment
from .vocab import (
    CasusFase,
    ChecklistItem,
    ChecklistStatus,
    ClientStatus,
    Ernst,
    FlagReden,
    FlagRegel,
    KaderRegime,
    KaderStatus,
    KaderType,
    NalevingStatus,
    NetwerkRol,
    OvergangStatus,
    OvergangType,
    Relatie,
    RisicoDomein,
    Route,
    Verblijfstype,
    VoorwaardeType,
)

__all__ = [
    "FlagProposal", "flag_record_id", "evaluate", "lapsed_framework", "lapse_followup", "TRANSITION_GRACE_MS",
    "transition_is_late", "victim_related",
    "ACUTE_REASONS", "acute_trigger", "AgendaItem", "agenda", "meldplicht_moments", "CLIENT_CONTACT_TYPES",
    "CONTACT_INTERVAL_DAYS", "NO_SUPERVISION_INTERVAL_DAYS", "RISK_WINDOW_DAYS", "active_conditions",
    "contact_interval_days", "contact_overdue", "current_supervision", "days_since_last_contact",
    "last_contact_at", "latest_compliance", "risk_level", "risk_trend_series",
]

TRANSITION_GRACE_MS = 30 * MINUTE_MS  # a transport this late without arrival raises a flag

# Acute risk (severity ACUUT) → the flag's reason, in order of priority: when one contact has several acute
# domains on the same route, the first one here names the flag. Domains not listed: acute danger to life or
# limb. The route and urgency are the reason's escalation trigger (``escalation.for_reason``: DOMAIN.md §4.3
# and §9.13), the same table *Escaleren?* proposes from, so acute domestic violence or an unsafe child goes to
# Veilig Thuis within 24 hours ("cf. VT acute") and an acute absconding to the OM the same day.
ACUTE_REASONS: tuple[tuple[str | None, str], ...] = (
    (RisicoDomein.SUICIDALITEIT, FlagReden.SUICIDERISICO),
    (RisicoDomein.EMOTIONEEL_PSYCHISCH, FlagReden.PSYCHIATRISCHE_CRISIS),
    (RisicoDomein.MEDICATIEONTROUW, FlagReden.PSYCHIATRISCHE_CRISIS),
    # DOMAIN.md names no row for acute self-neglect; it is serious harm to oneself without violence, which
    # §4.3 sends to the GGZ-crisisdienst (Wvggz crisismaatregel, §3.1 "onmiddellijk dreigend ernstig nadeel"),
    # not to the police as "acute danger"
    (RisicoDomein.ZELFVERWAARLOZING, FlagReden.PSYCHIATRISCHE_CRISIS),
    (RisicoDomein.KINDERVEILIGHEID, FlagReden.KIND_ONVEILIG),
    (RisicoDomein.HUISELIJK_GEWELD, FlagReden.HUISELIJK_GEWELD_ACUUT),
    (RisicoDomein.ONTTREKKING_TOEZICHT, FlagReden.ONTTREKKING),
    (None, FlagReden.ACUUT_GEVAAR),  # every other domain
    (RisicoDomein.VEILIGHEID_MEDEWERKER, FlagReden.DREIGING_MEDEWERKER),
)
_LISTED = frozenset(d for d, _ in ACUTE_REASONS if d is not None)
_ACUTE_RULE = {Route.POLITIE_112: FlagRegel.ACUUT_RISICO_POLITIE,
               Route.GGZ_CRISISDIENST: FlagRegel.ACUUT_RISICO_GGZ,
               Route.VEILIG_THUIS_MELDING: FlagRegel.ACUUT_RISICO_VEILIG_THUIS,
               Route.OM_PIKET_VIA_RECLASSERING: FlagRegel.ACUUT_RISICO_OM}


def acute_trigger(domain: str) -> tuple[int, Trigger]:
    """The priority (lower first) and the escalation trigger (reason, route, urgency) of an acute risk."""
    prio, reason = next((i, reason) for i, (d, reason) in enumerate(ACUTE_REASONS)
                        if d == domain or (d is None and domain not in _LISTED))
    return prio, escalation.for_reason(str(reason))


# Where a person cannot be living with someone from their network.
_INSTITUTIONAL = frozenset({Verblijfstype.PI.value, Verblijfstype.KLINIEK.value})


@dataclass(frozen=True)
class FlagProposal:
    """A flag an automatic rule wants raised. ``fields()`` is what to pass to ``validate_create("flag")``."""

    rule: str
    source_id: str
    reason: str
    urgency: str
    route: str
    note_nl: str
    note_en: str

    def fields(self) -> dict:
        return {"reason": self.reason, "urgency": self.urgency, "route": self.route, "source_id": self.source_id,
                "raised_by_rule": self.rule, "note": self.note_nl}

    def record_id(self, client_id: str) -> str:
        return flag_record_id(client_id, self.rule, self.source_id)


def flag_record_id(client_id: str, rule: str, source_id: str) -> str:
    """The id of an automatic flag: the same on every device, distinct per client, rule and source."""
    data = b"veldwerk/auto-flag/v1\0" + b"\0".join(s.encode() for s in (client_id, rule, source_id))
    return base64.urlsafe_b64encode(hashlib.sha256(data).digest()[:16]).rstrip(b"=").decode()


def _trigger(reason: FlagReden) -> dict[str, str]:
    """The reason, route and urgency of an automatic flag, from the escalation table (DOMAIN.md §4.3)."""
    t = escalation.for_reason(reason.value)
    return {"reason": t.reason, "route": t.route, "urgency": t.urgency}


def _label(vocab: Any, code: Any, lang: str) -> str:
    try:
        return vocab(code).label.get(lang)
    except ValueError:
        return str(code)


def _client(ctx: Any) -> dict:
    found = ctx.record(ctx.client_id)
    return found[1] if found and found[0] == "client" else {}


def evaluate(ctx: Any) -> list[FlagProposal]:
    """Every automatic flag whose condition holds now, in a stable order. A closed client gets none."""
    if _client(ctx).get("status") == ClientStatus.AFGESLOTEN.value:
        return []
    proposals = [*_acute_risks(ctx), *_victim_violations(ctx), *_transitions(ctx), *_lapse(ctx),
                 *_living_with_victim(ctx)]
    return sorted(proposals, key=lambda p: (p.rule, p.source_id))


def _acute_risks(ctx: Any) -> list[FlagProposal]:
    out = []
    for cid, contact in ctx.records("contact"):
        acute = [r.get("domain") for r in contact.get("risks") or []
                 if isinstance(r, dict) and r.get("severity") == Ernst.ACUUT.value]
        by_route: dict[str, list[tuple[int, Trigger, str]]] = {}
        for domain in acute:
            prio, trigger = acute_trigger(domain)
            by_route.setdefault(trigger.route, []).append((prio, trigger, domain))
        when = contact.get("occurred_at")
        for route, hits in by_route.items():
            hits.sort(key=lambda h: h[0])
            nl = ", ".join(_label(RisicoDomein, d, "nl") for _, _, d in hits)
            en = ", ".join(_label(RisicoDomein, d, "en") for _, _, d in hits)
            urgency = functools.reduce(escalation.more_pressing, (t for _, t, _ in hits)).urgency
            out.append(FlagProposal(
                rule=_ACUTE_RULE[Route(route)].value, source_id=cid, reason=hits[0][1].reason,
                urgency=urgency, route=route,
                note_nl=f"Acuut risico vastgelegd bij het contact{_at(when, 'nl')}: {nl}.",
                note_en=f"Acute risk recorded at the contact{_at(when, 'en')}: {en}."))
    return out


def _at(when: Any, lang: str) -> str:
    if type(when) is not int:
        return ""
    return f" van {format_moment(when, 'nl')}" if lang == "nl" else f" of {format_moment(when, 'en')}"


def _victim_violations(ctx: Any) -> list[FlagProposal]:
    conditions = dict(ctx.records("condition"))
    out = []
    for cid, contact in ctx.records("contact"):
        hit = [conditions[c["condition_id"]] for c in contact.get("compliance") or []
               if isinstance(c, dict) and c.get("status") == NalevingStatus.OVERTREDING.value
               and c.get("condition_id") in conditions and victim_related(conditions[c["condition_id"]])]
        if not hit:
            continue
        nl = ", ".join(_label(VoorwaardeType, c["condition_type"], "nl").lower() for c in hit)
        en = ", ".join(_label(VoorwaardeType, c["condition_type"], "en").lower() for c in hit)
        when = contact.get("occurred_at")
        out.append(FlagProposal(
            rule=FlagRegel.OVERTREDING_SLACHTOFFER.value, source_id=cid,
            **_trigger(FlagReden.OVERTREDING_SLACHTOFFERRISICO),
            note_nl=f"Overtreding met risico voor een slachtoffer{_at(when, 'nl')}: {nl}.",
            note_en=f"Violation with a risk to a victim{_at(when, 'en')}: {en}."))
    return out


def transition_is_late(transition: dict, now: int) -> bool:
    """Planned time plus the grace period has passed, and the person has not arrived (nor is the
    transition closed as failed or cancelled)."""
    planned = transition.get("planned_at")
    return (type(planned) is int and planned + TRANSITION_GRACE_MS < now
            and transition.get("actual_at") is None
            and transition.get("status", OvergangStatus.GEPLAND.value) not in CLOSED_STATUSES)


def _transitions(ctx: Any) -> list[FlagProposal]:
    out = []
    for tid, t in ctx.records("transition"):
        nl_type, en_type = (_label(OvergangType, t.get("transition_type"), lang) for lang in ("nl", "en"))
        common = {"source_id": tid, **_trigger(FlagReden.OVERGANG_MISLUKT_OF_VERTRAAGD)}
        if transition_is_late(t, ctx.now):
            planned = t["planned_at"]
            out.append(FlagProposal(
                rule=FlagRegel.OVERGANG_TE_LAAT.value, **common,
                note_nl=f"{nl_type}: gepland om {format_moment(planned, 'nl')}, nog niet aangekomen.",
                note_en=f"{en_type}: planned for {format_moment(planned, 'en')}, not arrived yet."))
        elif t.get("status") == OvergangStatus.MISLUKT.value:
            out.append(FlagProposal(rule=FlagRegel.OVERGANG_MISLUKT.value, **common,
                                    note_nl=f"{nl_type}: mislukt.", note_en=f"{en_type}: failed."))
    return out


def lapsed_framework(ctx: Any) -> tuple[str, dict] | None:
    """The framework that lapsed last, when the person has no binding legal framework left (a
    ``GEEN_KADER`` record does not count); ``None`` otherwise."""
    real = [(fid, f) for fid, f in ctx.records("framework")
            if f.get("framework_type") != KaderType.GEEN_KADER.value]
    if any(f.get("status", "ACTIEF") in BINDING_STATUSES for _, f in real):
        return None
    lapsed = [(fid, f) for fid, f in real if f.get("status") in LAPSED_STATUSES]
    if not lapsed:
        return None
    # The latest end; on the same day a lapse (VERVALLEN) names the flag before a regular end; then the id.
    return max(lapsed, key=lambda item: (item[1].get("end") or item[1].get("decision_date") or "",
                                         item[1].get("status") == KaderStatus.VERVALLEN.value, item[0]))


def _lapse(ctx: Any) -> list[FlagProposal]:
    found = lapsed_framework(ctx)
    if found is None:
        return []
    fid, f = found
    nl, en = (_label(KaderType, f.get("framework_type"), lang) for lang in ("nl", "en"))
    return [FlagProposal(
        rule=FlagRegel.KADER_VERVALLEN.value, source_id=fid, **_trigger(FlagReden.KADER_VERVALLEN),
        note_nl=f"Geen justitieel kader meer ({nl} is {_label_status(f, 'nl')}). Houd de persoon in beeld: "
                "spoedprocedure nazorg, drang of vrijwillig.",
        note_en=f"No legal framework left ({en} is {_label_status(f, 'en')}). Keep the person in view: urgent "
                "aftercare procedure, pressure or voluntary.")]


def _label_status(framework: dict, lang: str) -> str:
    return _label(KaderStatus, framework.get("status"), lang).lower()


def _living_with_victim(ctx: Any) -> list[FlagProposal]:
    if _client(ctx).get("housing_type") in _INSTITUTIONAL:
        return []
    out = []
    for pid, p in ctx.records("network_person"):
        if NetwerkRol.SLACHTOFFER.value in (p.get("roles") or []) and p.get("lives_with_client") is True:
            rel_nl, rel_en = (_label(Relatie, p.get("relation"), lang).lower() for lang in ("nl", "en"))
            out.append(FlagProposal(
                rule=FlagRegel.VERHUIZING_SLACHTOFFERADRES.value, source_id=pid,
                **_trigger(FlagReden.VERHUIZING_NAAR_RISICOADRES),
                note_nl=f"De persoon woont samen met een slachtoffer ({rel_nl}). Doe de meldcode-afweging.",
                note_en=f"The person lives with a victim ({rel_en}). Do the reporting-code weighing."))
    return out


def lapse_followup(ctx: Any) -> dict | None:
    """What to write when the person has lost every legal framework, or ``None`` when it is written
    already (or nothing lapsed). Returns ``{"framework_id": id, "writes": [{type, record_id, kind,
    fields}]}`` where each write is a ``create`` or ``set`` to validate and store as usual:

    * the aftercare record with ``spoed`` on and the spoed-nazorg checklist: the five basisvoorwaarden,
      plus the Veilig Thuis weighing when there is a (possible) victim or a child at home;
    * the client's ``regime`` to ``DRANG`` (``VRIJWILLIG`` stays) so the person stays in the caseload;
    * open ZVH cases under ``DWANG`` to ``DRANG``.
    """
    found = lapsed_framework(ctx)
    client = _client(ctx)
    if found is None or client.get("status") == ClientStatus.AFGESLOTEN.value:
        return None
    items = list(BASIC_ITEMS) + ([ChecklistItem.VT_AFWEGING_GEDAAN] if victim_in_network(ctx) else [])
    writes: list[dict] = []
    existing = ctx.records("aftercare")
    if existing:
        aid, after = existing[0]
        checklist = dict(after.get("spoed_checklist") or {})
        changes: dict = {} if after.get("spoed") is True else {"spoed": True}
        missing = {str(i): ChecklistStatus.OPEN.value for i in items if i not in checklist}
        if missing:
            changes["spoed_checklist"] = missing  # a partial field: merged into the current checklist
        if changes:
            writes.append({"type": "aftercare", "record_id": aid, "kind": "set", "fields": changes})
    else:
        writes.append({"type": "aftercare", "record_id": singleton_record_id(ctx.client_id, "aftercare"),
                       "kind": "create", "fields": {"spoed": True, "spoed_checklist": {
                           str(i): ChecklistStatus.OPEN.value for i in items}}})
    if client.get("regime") not in (KaderRegime.DRANG.value, KaderRegime.VRIJWILLIG.value):
        writes.append({"type": "client", "record_id": ctx.client_id, "kind": "set",
                       "fields": {"regime": KaderRegime.DRANG.value}})
    for case_id, case in ctx.records("zvh_case"):
        if case.get("regime") == KaderRegime.DWANG.value and case.get("phase") != CasusFase.AFGESLOTEN.value:
            writes.append({"type": "zvh_case", "record_id": case_id, "kind": "set",
                           "fields": {"regime": KaderRegime.DRANG.value}})
    return {"framework_id": found[0], "writes": writes} if writes else None
