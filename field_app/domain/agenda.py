"""The worker's agenda over several clients: planned contacts, reporting duties, transitions, deadlines."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from .records_legal import condition_applies
from .timeutil import DAY_MS, local_date, local_ms, parse_date
from .vocab import (
    ActieStatus,
    AgendaSoort,
    ClientStatus,
    FlagReden,
    FlagStatus,
    MeldFrequentie,
    MeldInstantie,
    OvergangStatus,
    OvergangType,
    RapportageStatus,
    RapportageType,
    VoorwaardeType,
    Weekdag,
)

MAX_RANGE_DAYS = 400
_EPOCH_MONDAY = date(1970, 1, 5)
# Weekday offsets from the anchor day (the condition's start) for frequencies of more than once a week.
_WEEKLY_OFFSETS = {
    MeldFrequentie.DAGELIJKS.value: (0, 1, 2, 3, 4, 5, 6),
    MeldFrequentie.DRIE_PER_WEEK.value: (0, 2, 4),
    MeldFrequentie.TWEE_PER_WEEK.value: (0, 3),
    MeldFrequentie.WEKELIJKS.value: (0,),
}


@dataclass(frozen=True)
class AgendaItem:
    kind: str  # AgendaSoort
    client_id: str
    at: int  # UTC ms; for all-day items the start of the Dutch day
    label_nl: str
    label_en: str
    record_id: str
    all_day: bool = False
    due: str | None = None  # an overdue action's own date (ISO): the screen says it in words


def _label(vocab: Any, code: Any, lang: str) -> str:
    try:
        return vocab(code).label.get(lang)
    except ValueError:
        return str(code)


def _days(first: date, last: date) -> Iterable[date]:
    d = first
    while d <= last:
        yield d
        d += timedelta(days=1)


def _on_schedule(day: date, anchor: date, frequency: str | None) -> bool:
    delta = (day - anchor).days
    if frequency == MeldFrequentie.TWEEWEKELIJKS.value:
        return delta % 14 == 0
    if frequency == MeldFrequentie.MAANDELIJKS.value:
        last_of_month = ((day.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)).day
        return day.day == min(anchor.day, last_of_month)
    return delta % 7 in _WEEKLY_OFFSETS.get(frequency or "", (0,))


def meldplicht_moments(condition: dict, framework: dict | None, start: int, end: int) -> list[tuple[int, bool]]:
    """``(at, all_day)`` of each reporting moment of a MELDPLICHT in ``[start, end)`` while it applies.

    With time windows, their days and start times are the moments. Otherwise the frequency counts from
    the condition's start (else the framework's, else a Monday) and the moment is the whole day.
    """
    params = condition.get("parameters") or {}
    windows = [w for w in params.get("time_windows") or [] if isinstance(w, dict)]
    anchor_text = condition.get("start") or (framework or {}).get("start")
    anchor = parse_date(anchor_text) if anchor_text else _EPOCH_MONDAY
    out: list[tuple[int, bool]] = []
    for day in _days(local_date(start), local_date(max(start, end - 1))):
        if not condition_applies(condition, framework, day.isoformat()):
            continue
        if windows:
            for w in windows:
                if Weekdag.codes()[day.weekday()] in (w.get("days") or []):
                    hh, mm = (int(x) for x in w.get("from", "09:00").split(":"))
                    out.append((local_ms(day, hh, mm), False))
        elif day >= anchor and _on_schedule(day, anchor, params.get("frequency")):
            out.append((local_ms(day), True))
    # A timed moment must fall in the range; an all-day one must overlap it.
    return sorted({(at, all_day) for at, all_day in out
                   if (start <= at < end) or (all_day and at < end and at + DAY_MS > start)})


def agenda(ctxs: Iterable[Any], start: int, end: int) -> list[AgendaItem]:
    """Agenda items of these clients in ``[start, end)`` (UTC ms), in time order. Closed clients are
    left out. Ranges longer than ``MAX_RANGE_DAYS`` raise ``ValueError``."""
    if end - start > MAX_RANGE_DAYS * DAY_MS:
        raise ValueError("agenda range too long")
    items: list[AgendaItem] = []
    for ctx in ctxs:
        found = ctx.record(ctx.client_id)
        if found and found[1].get("status") == ClientStatus.AFGESLOTEN.value:
            continue
        items += _client_items(ctx, start, end)
    return sorted(items, key=lambda i: (i.at, not i.all_day, i.client_id, i.kind, i.record_id))


def _within(at: Any, start: int, end: int) -> bool:
    return type(at) is int and start <= at < end


def _client_items(ctx: Any, start: int, end: int) -> list[AgendaItem]:
    cid, items = ctx.client_id, []
    # The plan made at the most recent contact that made one (a later contact without a plan keeps it).
    planned = [(c.get("occurred_at"), rid, c) for rid, c in ctx.records("contact")
               if type(c.get("occurred_at")) is int and c.get("next_contact_at") is not None]
    if planned:
        _, rid, latest = max(planned, key=lambda t: (t[0], t[1]))
        if _within(latest.get("next_contact_at"), start, end):
            items.append(AgendaItem(AgendaSoort.CONTACT_GEPLAND.value, cid, latest["next_contact_at"],
                                    "Gepland contact", "Planned contact", rid))
    frameworks = dict(ctx.records("framework"))
    for rid, c in ctx.records("condition"):
        if c.get("condition_type") != VoorwaardeType.MELDPLICHT.value:
            continue
        params = c.get("parameters") or {}
        freq_nl, freq_en = (_label(MeldFrequentie, params.get("frequency"), lang).lower()
                            for lang in ("nl", "en"))
        to = params.get("report_to")
        where_nl = f" bij {_label(MeldInstantie, to, 'nl').lower()}" if to else ""
        where_en = f" at the {_label(MeldInstantie, to, 'en').lower()}" if to else ""
        for at, all_day in meldplicht_moments(c, frameworks.get(c.get("framework_id")), start, end):
            items.append(AgendaItem(AgendaSoort.MELDPLICHT.value, cid, at, f"Meldplicht{where_nl} ({freq_nl})",
                                    f"Reporting duty{where_en} ({freq_en})", rid, all_day))
    for rid, t in ctx.records("transition"):
        if t.get("status") != OvergangStatus.GEANNULEERD.value and _within(t.get("planned_at"), start, end):
            items.append(AgendaItem(AgendaSoort.OVERGANG.value, cid, t["planned_at"],
                                    _label(OvergangType, t.get("transition_type"), "nl"),
                                    _label(OvergangType, t.get("transition_type"), "en"), rid))
    for rid, f in ctx.records("flag"):
        if f.get("status") in (FlagStatus.OPEN.value, FlagStatus.IN_BEHANDELING.value) and _within(
                f.get("deadline"), start, end):
            items.append(AgendaItem(AgendaSoort.SIGNAAL_DEADLINE.value, cid, f["deadline"],
                                    f"Deadline signaal: {_label(FlagReden, f.get('reason'), 'nl').lower()}",
                                    f"Flag due: {_label(FlagReden, f.get('reason'), 'en').lower()}", rid))
    for rid, a in ctx.records("case_action"):
        due = a.get("due")
        if a.get("status") == ActieStatus.OPEN.value and isinstance(due, str):
            at = local_ms(parse_date(due))
            action = str(a.get("action", ""))[:80]
            if at < end and at + DAY_MS > start:
                items.append(AgendaItem(AgendaSoort.ACTIE_DEADLINE.value, cid, at, f"Afspraak: {action}",
                                        f"Action due: {action}", rid, all_day=True))
            elif at + DAY_MS <= start and _today_in(ctx, start, end):  # overdue: shown on today (#15)
                today = local_ms(local_date(ctx.now))
                items.append(AgendaItem(AgendaSoort.ACTIE_DEADLINE.value, cid, today,
                                        f"Over tijd: {action}", f"Overdue: {action}", rid,
                                        all_day=True, due=due))
    for rid, r in ctx.records("report"):  # a report's due date, until it is sent
        due = r.get("due_date")
        if r.get("status") != RapportageStatus.VERZONDEN.value and isinstance(due, str):
            at = local_ms(parse_date(due))
            if at < end and at + DAY_MS > start:
                kind_nl, kind_en = (_label(RapportageType, r.get("report_type"), lang) for lang in ("nl", "en"))
                items.append(AgendaItem(AgendaSoort.RAPPORTAGE_DEADLINE.value, cid, at,
                                        f"Uiterste datum rapportage: {kind_nl}",
                                        f"Report due: {kind_en}", rid, all_day=True))
    return items


def _today_in(ctx: Any, start: int, end: int) -> bool:
    now = getattr(ctx, "now", None)
    return type(now) is int and start <= now < end
