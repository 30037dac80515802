"""Urgent flags (signalen, DOMAIN.md §4.3, §9.13): reason, urgency → deadline, route, assignee, status."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from .fieldkit import Bad, Errors, choice, leaf, moment, opt_text, record_id_re, text
from .schema import Derived, Field, Schema
from .timeutil import DAY_MS, HOUR_MS, end_of_day, local_date, local_ms
from .vocab import FlagReden, FlagRegel, FlagStatus, Route, Urgentie

# Deadlines per urgency. VOLGEND_OVERLEG has no fixed date; a fortnightly meeting is assumed **(verify)**.
ZELFDE_DAG_MIN_MS = 4 * HOUR_MS  # a same-day flag raised late in the evening still gets a few hours
VOLGEND_OVERLEG_MS = 14 * DAY_MS


def flag_deadline(urgency: str, raised_at: int) -> int:
    """When a flag with this urgency, raised at ``raised_at`` (UTC ms), must be handled.

    DIRECT: one hour. ZELFDE_DAG: end of that Dutch day, at least four hours. BINNEN_24U: 24 hours.
    BINNEN_5_WERKDAGEN: five working days (Mon–Fri; public holidays not counted **(verify)**) at the
    same time of day. VOLGEND_OVERLEG: 14 days.
    """
    u = Urgentie(urgency)
    if u is Urgentie.DIRECT:
        return raised_at + HOUR_MS
    if u is Urgentie.ZELFDE_DAG:
        return max(end_of_day(raised_at), raised_at + ZELFDE_DAG_MIN_MS)
    if u is Urgentie.BINNEN_24U:
        return raised_at + DAY_MS
    if u is Urgentie.BINNEN_5_WERKDAGEN:
        day, left = local_date(raised_at), 5
        while left:
            day += timedelta(days=1)
            if day.weekday() < 5:
                left -= 1
        since_midnight = raised_at - local_ms(local_date(raised_at))
        return local_ms(day) + since_midnight
    return raised_at + VOLGEND_OVERLEG_MS


_URGENCY_RANK = {u.value: i for i, u in enumerate(Urgentie)}  # most urgent first


def deadline_order(deadline: Any, urgency: Any, record_id: str) -> tuple:
    """The sort key of a list of flags "by deadline" (UX.md, *Signalen*): the earliest deadline first, so
    the overdue ones lead; a flag without a deadline after those with one; on the same deadline the more
    urgent first; then the id, so the order is stable."""
    has = type(deadline) is int
    return (not has, deadline if has else 0, _URGENCY_RANK.get(urgency, len(_URGENCY_RANK)), record_id)


def _source(value: Any, ctx: Any) -> str:
    # Checked only when the flag is made: a source note retracted later must not block handling the flag.
    if not isinstance(value, str) or not record_id_re(value) or ctx.record(value) is None:
        raise Bad("Het record waar dit signaal over gaat is niet gevonden.")
    return value


_SOURCE = leaf(_source, "id → any record")


def _flag_check(f: dict, ctx: Any, errors: Errors) -> None:
    if f.get("status") == FlagStatus.AFGEHANDELD.value and "resolution_note" in f and not f["resolution_note"]:
        errors.add("resolution_note", "Schrijf kort op hoe het signaal is afgehandeld.")


FLAG = Schema(
    fields={
        "reason": Field(choice(FlagReden, "Kies de reden van het signaal."), required=True,
                        required_msg="Kies de reden van het signaal.", doc="reden"),
        "urgency": Field(choice(Urgentie, "Kies hoe dringend het is."), required=True,
                         required_msg="Kies hoe dringend het is.", doc="urgentie"),
        "route": Field(choice(Route, "Kies de route."), required=True, required_msg="Kies de route.",
                       doc="route"),
        "assignee": Field(opt_text(120), doc="toegewezen aan (display name)"),
        "status": Field(choice(FlagStatus, "Kies de status."), default=FlagStatus.OPEN.value, doc="status"),
        "raised_at": Field(moment(not_future=True), fixed=True, default_fn=lambda ctx: ctx.now,
                           doc="when raised (ms)"),
        "source_id": Field(_SOURCE, fixed=True, doc="record of this client it came from (checked at create)"),
        "raised_by_rule": Field(choice(FlagRegel), fixed=True, doc="FlagRegel code of an automatic flag"),
        "note": Field(text(4000), default="", doc="toelichting"),
        "resolution_note": Field(text(4000), default="", doc="afhandeling_notitie; required when AFGEHANDELD"),
        "acknowledged_by": Field(opt_text(120), doc="who acknowledged it (Gezien, ik pak het op)"),
        "acknowledged_at": Field(moment(), doc="when it was acknowledged (ms)"),
    },
    check=_flag_check,
    derived={"deadline": Derived(lambda f, ctx: flag_deadline(f["urgency"], f["raised_at"]),
                                 "De deadline volgt uit de urgentie.",
                                 doc="flag_deadline(urgency, raised_at)", kind="ms")},
)
