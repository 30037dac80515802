"""The team dashboard's figures (DOMAIN.md §6, §9.13): open flags by deadline, counted by urgency and
overdue, clients whose next contact is overdue for their supervision level, recent violations, the review
queue, reports due, the last successful sync of each team device, and the weekly series behind its charts.

Pure: plain dicts and numbers in, frozen values out; the device gathers the (decrypted) records and the
view draws them. Weeks run Monday to Sunday in Dutch local time.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from .records_flag import deadline_order
from .records_report import REVIEWABLE_TYPES
from .review import ReviewEntry, in_queue, report_status, review_state
from .timeutil import DAY_MS, local_date, local_ms, parse_date
from .vocab import FlagStatus, NalevingStatus, RapportageStatus, Urgentie

WEEKS = 8  # weeks shown in the charts
RECENT_VIOLATION_DAYS = 14  # "recent" violations **(verify)**
REPORT_HORIZON_DAYS = 14  # reports due within this many days are listed (overdue ones always)
OPEN_FLAG_STATES = (FlagStatus.OPEN.value, FlagStatus.IN_BEHANDELING.value)
# Requests of a device that mean it completed (part of) a sync round with the server.
SYNC_ACTIONS = frozenset({"changes.pull", "changes.push", "heads.read"})
URGENCY_ORDER = tuple(Urgentie.codes())


@dataclass(frozen=True)
class Rec:
    """One record as the dashboard needs it (a RecordView has these members too)."""

    id: str
    type: str
    client_id: str
    fields: Mapping[str, Any]
    author: str = ""
    created_at: int = 0


@dataclass(frozen=True)
class FlagLine:
    id: str
    client_id: str
    urgency: str
    reason: str
    deadline: int | None
    overdue: bool
    assignee: str
    acknowledged_by: str
    automatic: bool


@dataclass(frozen=True)
class OverdueClient:
    client_id: str
    name: str
    overdue_days: int
    supervision_level: str | None
    assigned_to: str


@dataclass(frozen=True)
class Violation:
    record_id: str
    client_id: str
    at: int
    condition_id: str
    severity: str
    response: str


@dataclass(frozen=True)
class ReportDue:
    id: str
    client_id: str
    due: int  # start of the Dutch due day (UTC ms)
    days_left: int  # negative: overdue by that many days
    status: str  # shown status (DEFINITIEF once approved)
    report_type: str

    @property
    def overdue(self) -> bool:
        return self.days_left < 0


@dataclass(frozen=True)
class DeviceSync:
    device_id: str
    user: str
    role: str
    last_sync_at: int | None
    me: bool = False


@dataclass(frozen=True)
class Dashboard:
    now: int
    flags: tuple[FlagLine, ...]
    flag_counts: dict[str, tuple[int, int]]  # urgency -> (open, overdue)
    overdue_clients: tuple[OverdueClient, ...]
    violations: tuple[Violation, ...]
    review_waiting: int
    reports: tuple[ReportDue, ...]
    weeks: tuple[int, ...]  # start of each charted week (UTC ms), oldest first
    flags_per_week: dict[str, tuple[int, ...]]  # urgency -> count per week (by raised_at)
    violations_per_week: tuple[int, ...]
    risks_per_week: dict[str, tuple[int, ...]] = field(default_factory=dict)  # domain -> signals per week

    @property
    def overdue_flags(self) -> int:
        return sum(1 for f in self.flags if f.overdue)


# -- weeks --------------------------------------------------------------------------------------------

def week_start(at: int) -> int:
    """The Monday 00:00 (Dutch time) of the week holding ``at``."""
    day = local_date(at)
    return local_ms(day - timedelta(days=day.weekday()))


def week_starts(now: int, weeks: int = WEEKS) -> tuple[int, ...]:
    monday = local_date(week_start(now))
    return tuple(local_ms(monday - timedelta(weeks=weeks - 1 - i)) for i in range(weeks))


def _week_index(at: Any, starts: tuple[int, ...]) -> int | None:
    if type(at) is not int or not starts or at < starts[0]:
        return None
    end = local_ms(local_date(starts[-1]) + timedelta(weeks=1))
    if at >= end:
        return None
    idx = 0
    for i, s in enumerate(starts):
        if at >= s:
            idx = i
    return idx


def per_week(moments: Iterable[Any], starts: tuple[int, ...]) -> tuple[int, ...]:
    counts = [0] * len(starts)
    for at in moments:
        i = _week_index(at, starts)
        if i is not None:
            counts[i] += 1
    return tuple(counts)


# -- flags --------------------------------------------------------------------------------------------

def flag_lines(flags: Iterable[Rec], now: int) -> list[FlagLine]:
    """Open flags by deadline, the earliest first, so the overdue ones lead; on the same deadline the more
    urgent first (``records_flag.deadline_order``).

    This is the order of *Signalen* (UX.md: "urgent flags: mine first, by deadline") without "mine first":
    the team overview is a coordinator's view of the whole team's flags, for which UX.md names no order of
    its own, so both lists read urgency the same way, through the deadline it sets (DOMAIN.md §9.13). A
    flag due in ten minutes comes before a DIRECT one due in fifty, and a long-overdue flag before one that
    has just passed its deadline, whatever their urgency."""
    out = []
    for r in flags:
        f = r.fields
        if f.get("status", FlagStatus.OPEN.value) not in OPEN_FLAG_STATES:
            continue
        deadline = f.get("deadline") if type(f.get("deadline")) is int else None
        out.append(FlagLine(r.id, r.client_id, f.get("urgency") or "", f.get("reason") or "", deadline,
                            deadline is not None and deadline < now, f.get("assignee") or "",
                            f.get("acknowledged_by") or "", bool(f.get("raised_by_rule"))))
    return sorted(out, key=lambda x: deadline_order(x.deadline, x.urgency, x.id))


def flag_counts(lines: Iterable[FlagLine]) -> dict[str, tuple[int, int]]:
    counts = {u: [0, 0] for u in URGENCY_ORDER}
    for line in lines:
        c = counts.setdefault(line.urgency, [0, 0])
        c[0] += 1
        c[1] += int(line.overdue)
    return {u: (a, b) for u, (a, b) in counts.items()}


def flags_per_week(flags: Iterable[Rec], starts: tuple[int, ...]) -> dict[str, tuple[int, ...]]:
    """Flags raised per week, per urgency (every flag, handled or not)."""
    by: dict[str, list[int]] = {u: [] for u in URGENCY_ORDER}
    for r in flags:
        by.setdefault(r.fields.get("urgency") or "", []).append(r.fields.get("raised_at"))
    return {u: per_week(ats, starts) for u, ats in by.items() if u}


# -- contacts: overdue, violations, risk signals -------------------------------------------------------

def overdue_clients(items: Iterable[Any]) -> list[OverdueClient]:
    """Active clients whose next contact is overdue for their supervision level (caseload items with
    ``overdue_days``), longest overdue first."""
    out = [OverdueClient(i.id, i.display_name, i.overdue_days, i.supervision_level, i.assigned_to)
           for i in items if i.overdue_days and i.status == "ACTIEF"]
    return sorted(out, key=lambda o: (-o.overdue_days, o.name.casefold(), o.client_id))


def violations(contacts: Iterable[Rec]) -> list[Violation]:
    """Every violation recorded in a contact's compliance checks, newest first."""
    out = []
    for r in contacts:
        at = r.fields.get("occurred_at") or r.created_at
        for item in r.fields.get("compliance") or []:
            if isinstance(item, dict) and item.get("status") == NalevingStatus.OVERTREDING.value:
                v = item.get("violation") or {}
                out.append(Violation(r.id, r.client_id, at, item.get("condition_id") or "",
                                     v.get("severity") or "", v.get("response") or ""))
    return sorted(out, key=lambda v: (-v.at, v.record_id, v.condition_id))


def risks_per_week(contacts: Iterable[Rec], starts: tuple[int, ...]) -> dict[str, tuple[int, ...]]:
    """Risk signals recorded per week, per risk domain (domains with at least one signal in range)."""
    by: dict[str, list[int]] = {}
    for r in contacts:
        at = r.fields.get("occurred_at") or r.created_at
        for risk in r.fields.get("risks") or []:
            if isinstance(risk, dict) and risk.get("domain"):
                by.setdefault(risk["domain"], []).append(at)
    series = {d: per_week(ats, starts) for d, ats in sorted(by.items())}
    return {d: s for d, s in series.items() if any(s)}


# -- reviews and reports ---------------------------------------------------------------------------------

def review_entries(reviews: Iterable[Rec]) -> dict[str, list[ReviewEntry]]:
    """Review records by the id of the item they review."""
    out: dict[str, list[ReviewEntry]] = {}
    for r in reviews:
        f = r.fields
        target = f.get("target_id")
        if target:
            out.setdefault(target, []).append(ReviewEntry(r.id, f.get("decision") or "", f.get("comment") or "",
                                                          f.get("at") or r.created_at, r.author))
    return out


def review_waiting(items: Iterable[Rec], reviews: Mapping[str, list[ReviewEntry]], me: str, now: int) -> int:
    """How many contacts and reports wait for a review by ``me`` (not my own)."""
    n = 0
    for r in items:
        if r.type not in REVIEWABLE_TYPES or r.author == me:
            continue
        state = review_state(r.author, reviews.get(r.id, []))
        n += in_queue(r.type, dict(r.fields), r.created_at, state, now)
    return n


def reports_due(reports: Iterable[Rec], reviews: Mapping[str, list[ReviewEntry]], now: int,
                horizon_days: int = REPORT_HORIZON_DAYS) -> list[ReportDue]:
    """Reports not yet sent whose due date is missed or within the horizon, soonest first."""
    today = local_date(now)
    out = []
    for r in reports:
        due = r.fields.get("due_date")
        if not isinstance(due, str):
            continue
        status = report_status(dict(r.fields), review_state(r.author, reviews.get(r.id, [])))
        if status == RapportageStatus.VERZONDEN.value:
            continue
        day = parse_date(due)
        left = (day - today).days
        if left <= horizon_days:
            out.append(ReportDue(r.id, r.client_id, local_ms(day), left, status, r.fields.get("report_type") or ""))
    return sorted(out, key=lambda x: (x.days_left, x.id))


# -- devices -----------------------------------------------------------------------------------------------

def device_syncs(devices: Iterable[Mapping[str, Any]], server_log: Iterable[Mapping[str, Any]] | None,
                 own_last_sync: int | None) -> list[DeviceSync]:
    """The last successful sync request of each active team device, from the server's request log (``None``
    when it could not be read: only this device's own time is known then). Longest silent first."""
    last: dict[str, int] = {}
    for row in server_log or ():
        at, dev = row.get("at"), row.get("device")
        ok = str(row.get("result", "")).lower() in ("ok", "200")
        if ok and row.get("action") in SYNC_ACTIONS and type(at) is int and dev:
            last[dev] = max(last.get(dev, 0), at)
    out = []
    for d in devices:
        if d.get("status") != "actief":
            continue
        at = last.get(d["id"])
        if d.get("me") and own_last_sync:
            at = max(at or 0, own_last_sync)
        out.append(DeviceSync(d["id"], d.get("user") or "", d.get("role") or "", at, bool(d.get("me"))))
    return sorted(out, key=lambda s: (s.last_sync_at is not None, s.last_sync_at or 0, s.user.casefold()))


# -- everything ----------------------------------------------------------------------------------------------

def build(*, items: Iterable[Any], flags: Iterable[Rec], contacts: Iterable[Rec], reports: Iterable[Rec],
          reviews: Iterable[Rec], me: str, now: int, weeks: int = WEEKS,
          review_waiting_count: int | None = None) -> Dashboard:
    """The whole dashboard. ``items`` are caseload items; the record lists hold every client's records of
    that type. ``review_waiting_count`` (the device's own review queue) wins over the count made here."""
    flags, contacts, reports = list(flags), list(contacts), list(reports)
    starts = week_starts(now, weeks)
    lines = flag_lines(flags, now)
    entries = review_entries(reviews)
    viol = violations(contacts)
    since = now - RECENT_VIOLATION_DAYS * DAY_MS
    waiting = review_waiting_count if review_waiting_count is not None else \
        review_waiting([*contacts, *reports], entries, me, now)
    return Dashboard(
        now=now, flags=tuple(lines), flag_counts=flag_counts(lines), overdue_clients=tuple(overdue_clients(items)),
        violations=tuple(v for v in viol if v.at >= since), review_waiting=waiting,
        reports=tuple(reports_due(reports, entries, now)), weeks=starts,
        flags_per_week=flags_per_week(flags, starts), violations_per_week=per_week((v.at for v in viol), starts),
        risks_per_week=risks_per_week(contacts, starts))
