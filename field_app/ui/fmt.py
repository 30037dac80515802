"""Times as people read them: stored as UTC milliseconds, shown in Europe/Amsterdam."""

from __future__ import annotations

import time
from datetime import date, datetime
from zoneinfo import ZoneInfo

from field_app.ui.i18n import I18n

TZ = ZoneInfo("Europe/Amsterdam")


def now_ms() -> int:
    return int(time.time() * 1000)


def local(ms: int) -> datetime:
    return datetime.fromtimestamp(ms / 1000, TZ)


def clock(ms: int) -> str:
    """``10:42`` in Amsterdam time."""
    return local(ms).strftime("%H:%M")


def day_text(i18n: I18n, ms: int, now: int | None = None) -> str:
    """``vandaag``, ``gisteren``, ``morgen`` or ``28-11-2026``: from the calendar dates in Amsterdam, not
    from a number of hours (a deadline tomorrow morning is "morgen", never "vandaag")."""
    day = local(ms).date()
    today = local(now if now is not None else now_ms()).date()
    delta = (today - day).days
    if delta == 0:
        return i18n.t("time.today")
    if delta == 1:
        return i18n.t("time.yesterday")
    if delta == -1:
        return i18n.t("time.tomorrow")
    return day.strftime("%d-%m-%Y")


def long_day(i18n: I18n, day: date, today: date | None = None) -> str:
    """``vrijdag 4 december`` (``Friday 4 December``), with the year when it is not this year's: how the
    agenda names a day."""
    text = i18n.t("lists.day", weekday=i18n.t(f"lists.weekday.{day.weekday()}"), day=day.day,
                  month=i18n.t(f"lists.month.{day.month}"))
    this_year = (today or local(now_ms()).date()).year
    return text if day.year == this_year else f"{text} {day.year}"


def moment(i18n: I18n, ms: int, now: int | None = None) -> str:
    """``vandaag 10:42`` / ``gisteren 10:42`` / ``28-11-2026 10:42``."""
    return f"{day_text(i18n, ms, now)} {clock(ms)}"


def days_between(ms: int, now: int | None = None) -> int:
    """Whole calendar days (Amsterdam) from ``ms`` until now."""
    return (local(now if now is not None else now_ms()).date() - local(ms).date()).days


def last_contact_text(i18n: I18n, ms: int | None, now: int | None = None) -> str:
    if ms is None:
        return i18n.t("caseload.no_contact")
    days = days_between(ms, now)
    if days <= 0:
        return i18n.t("caseload.last_contact_today")
    if days == 1:
        return i18n.t("caseload.last_contact_yesterday")
    return i18n.n("caseload.last_contact_days", days)


def date_field(ms: int) -> str:
    """Value for the editable date field: ``28-11-2026``."""
    return local(ms).strftime("%d-%m-%Y")


def time_field(ms: int) -> str:
    """Value for the editable time field: ``10:42``."""
    return local(ms).strftime("%H:%M")


def parse_date(text: str) -> date:
    """``28-11-2026`` (also ``28/11/2026``, ``28-11``: this year) → date. ``ValueError`` if not a date."""
    parts = text.strip().replace("/", "-").replace(".", "-").split("-")
    if len(parts) == 2:
        parts.append(str(datetime.now(TZ).year))
    if len(parts) != 3 or not all(p.strip().isdigit() for p in parts):
        raise ValueError(text)
    d, m, y = (int(p) for p in parts)
    if y < 100:
        y += 2000
    return date(y, m, d)


def parse_clock(text: str) -> tuple[int, int]:
    """``10:42`` (also ``10.42``, ``1042``, ``10``) → (10, 42). ``ValueError`` if not a time."""
    t = text.strip().replace(".", ":")
    if ":" in t:
        h, _, m = t.partition(":")
    elif t.isdigit() and len(t) in (3, 4):
        h, m = t[:-2], t[-2:]
    else:
        h, m = t, "0"
    if not (h.strip().isdigit() and m.strip().isdigit()):
        raise ValueError(text)
    hour, minute = int(h), int(m)
    if not (0 <= hour <= 23 and 0 <= minute <= 59):
        raise ValueError(text)
    return hour, minute


def to_ms(day: date, hour: int, minute: int) -> int:
    """Amsterdam wall-clock time → UTC milliseconds."""
    dt = datetime(day.year, day.month, day.day, hour, minute, tzinfo=TZ)
    return int(dt.timestamp() * 1000)


def count(i18n: I18n, n: int) -> str:
    """A whole number as the language writes it: 12.000 in Dutch, 12,000 in English."""
    text = f"{n:,}"
    return text.replace(",", ".") if i18n.lang == "nl" else text
