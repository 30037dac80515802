"""Caseload indicators of one client: contact overdue, risk level and trend, conditions and compliance."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .records_legal import condition_applies
from .timeutil import DAY_MS, local_date, local_iso, parse_date
from .vocab import ClientStatus, ContactType, ContactUitkomst, Ernst, Toezichtniveau, ToezichtStatus

# Days between contacts per supervision level. Contact norms per level are not public: configurable
# data, to be confirmed with the 3RO **(verify)** [DOMAIN.md §3.3, §12.1]. Verscherpt toezicht counts as
# level 3; a person without supervision (aftercare, drang) is seen at least every 28 days.
CONTACT_INTERVAL_DAYS: dict[str, int] = {
    Toezichtniveau.NIVEAU_1.value: 28,
    Toezichtniveau.NIVEAU_2.value: 14,
    Toezichtniveau.NIVEAU_3.value: 7,
}
NO_SUPERVISION_INTERVAL_DAYS = 28
RISK_WINDOW_DAYS = 90

# Contacts in which the worker met or spoke to the person (not the network, not a letter or an EM alert).
CLIENT_CONTACT_TYPES = frozenset(ContactType.codes()) - {
    ContactType.NETWERKCONTACT.value, ContactType.NETWERKOVERLEG.value, ContactType.SCHRIFTELIJK.value,
    ContactType.EM_ACTIE.value}
_RUNNING = frozenset({ToezichtStatus.LOPEND.value, ToezichtStatus.IN_VOORBEREIDING.value})


def _client(ctx: Any) -> dict:
    found = ctx.record(ctx.client_id)
    return found[1] if found and found[0] == "client" else {}


def _ms(value: Any) -> int | None:
    return value if type(value) is int else None


def met_the_person(contact: Mapping) -> bool:
    """A contact note in which the worker actually met or spoke to the person, at a known moment (not a
    no-show, not the network): what "Laatste contact" counts, on the caseload card and in the file."""
    return (contact.get("outcome") == ContactUitkomst.PLAATSGEVONDEN.value
            and contact.get("contact_type") in CLIENT_CONTACT_TYPES and _ms(contact.get("occurred_at")) is not None)


def last_contact_at(ctx: Any) -> int | None:
    """When the worker last actually met or spoke to the person."""
    return max((c["occurred_at"] for _, c in ctx.records("contact") if met_the_person(c)), default=None)


def days_since_last_contact(ctx: Any) -> int | None:
    """Calendar days (Dutch time) since the last real contact; ``None`` if there was none."""
    last = last_contact_at(ctx)
    return None if last is None else (local_date(ctx.now) - local_date(last)).days


def current_supervision(ctx: Any) -> tuple[str, dict] | None:
    """The running supervision order with the shortest contact interval, if any."""
    today = local_iso(ctx.now)
    running = [(sid, s) for sid, s in ctx.records("supervision")
               if s.get("status", ToezichtStatus.LOPEND.value) in _RUNNING
               and (s.get("start") is None or s["start"] <= today)
               and (s.get("end") is None or today <= s["end"])]
    return min(running, key=lambda item: (_interval(item[1]), item[0]), default=None)


def _interval(supervision: dict) -> int:
    if supervision.get("intensified"):
        return CONTACT_INTERVAL_DAYS[Toezichtniveau.NIVEAU_3.value]
    return CONTACT_INTERVAL_DAYS.get(supervision.get("level"), NO_SUPERVISION_INTERVAL_DAYS)


def contact_interval_days(ctx: Any) -> int:
    found = current_supervision(ctx)
    return NO_SUPERVISION_INTERVAL_DAYS if found is None else _interval(found[1])


def contact_overdue(ctx: Any) -> int | None:
    """Days past the contact interval, or ``None`` if not overdue (or the person is closed).

    Counted from the last real contact; with none yet, from the start of the supervision or else from
    when the person was added. Exactly the interval is still on time.
    """
    if _client(ctx).get("status") == ClientStatus.AFGESLOTEN.value:
        return None
    today = local_date(ctx.now)
    last = last_contact_at(ctx)
    if last is not None:
        since = local_date(last)
    else:
        sup = current_supervision(ctx)
        created = _ms(_client(ctx).get("created_at"))
        if sup and sup[1].get("start"):
            since = parse_date(sup[1]["start"])
        elif created is not None:
            since = local_date(created)
        else:
            return None
    late = (today - since).days - contact_interval_days(ctx)
    return late if late > 0 else None


def _risks(ctx: Any) -> list[tuple[int, dict]]:
    return [(c["occurred_at"], r) for _, c in ctx.records("contact") if _ms(c.get("occurred_at")) is not None
            for r in c.get("risks") or [] if isinstance(r, dict) and r.get("severity") in Ernst.codes()]


def risk_level(ctx: Any, window_days: int = RISK_WINDOW_DAYS) -> str | None:
    """The highest severity of risk signals recorded in contacts of the last ``window_days`` days."""
    since = ctx.now - window_days * DAY_MS
    found = [Ernst(r["severity"]) for at, r in _risks(ctx) if at >= since]
    return max(found, key=lambda e: e.rank).value if found else None


def risk_trend_series(ctx: Any, domain: str) -> list[tuple[int, int]]:
    """``(occurred_at, severity rank 0–3)`` of every signal in one domain, oldest first, for a chart."""
    return sorted((at, Ernst(r["severity"]).rank) for at, r in _risks(ctx) if r.get("domain") == domain)


def active_conditions(ctx: Any, at: int | None = None) -> list[tuple[str, dict]]:
    """Conditions that bind the person at ``at`` (default now): active, in date, framework binding."""
    day = local_iso(ctx.now if at is None else at)
    frameworks = dict(ctx.records("framework"))
    return [(cid, c) for cid, c in ctx.records("condition")
            if condition_applies(c, frameworks.get(c.get("framework_id")), day)]


def latest_compliance(ctx: Any) -> dict[str, tuple[str, int]]:
    """Per condition id the most recent compliance status and when it was observed."""
    latest: dict[str, tuple[str, int]] = {}
    contacts = sorted(((c["occurred_at"], cid, c) for cid, c in ctx.records("contact")
                       if _ms(c.get("occurred_at")) is not None), key=lambda t: (t[0], t[1]))
    for at, _, c in contacts:
        for item in c.get("compliance") or []:
            if isinstance(item, dict) and item.get("condition_id") and item.get("status"):
                latest[item["condition_id"]] = (item["status"], at)
    return latest
