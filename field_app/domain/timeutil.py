"""Dutch local time for a pure core: dates and day boundaries in Europe/Amsterdam without tzdata.

Phones may ship Python without the IANA database, so the EU summer-time rule (since 1996: last Sunday of
March 01:00 UTC to last Sunday of October 01:00 UTC; CET +1 h, CEST +2 h) is computed here. Times in
records are int UTC milliseconds; dates are ``"YYYY-MM-DD"`` strings in Dutch local time.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

MINUTE_MS = 60_000
HOUR_MS = 60 * MINUTE_MS
DAY_MS = 24 * HOUR_MS
_EPOCH = date(1970, 1, 1)


def _last_sunday(year: int, month: int) -> date:
    last = date(year, month + 1, 1) - timedelta(days=1)
    return last - timedelta(days=(last.weekday() - 6) % 7)


def _utc_ms(d: date, hour: int) -> int:
    return (d - _EPOCH).days * DAY_MS + hour * HOUR_MS


def offset_ms(utc_ms: int) -> int:
    """Offset of Dutch local time from UTC at ``utc_ms``: one hour in winter, two in summer."""
    year = datetime.fromtimestamp(utc_ms / 1000, UTC).year
    start = _utc_ms(_last_sunday(year, 3), 1)
    end = _utc_ms(_last_sunday(year, 10), 1)
    return 2 * HOUR_MS if start <= utc_ms < end else HOUR_MS


def local_date(utc_ms: int) -> date:
    """The Dutch calendar date of a moment."""
    return _EPOCH + timedelta(days=(utc_ms + offset_ms(utc_ms)) // DAY_MS)


def local_iso(utc_ms: int) -> str:
    return local_date(utc_ms).isoformat()


def local_ms(d: date, hour: int = 0, minute: int = 0) -> int:
    """The UTC moment of a Dutch wall-clock time (in the autumn overlap: the first one)."""
    wall = _utc_ms(d, hour) + minute * MINUTE_MS
    for off in (2 * HOUR_MS, HOUR_MS):
        if offset_ms(wall - off) == off:
            return wall - off
    return wall - HOUR_MS  # the spring gap: a wall time that does not exist, read as winter time


def start_of_day(d: date) -> int:
    return local_ms(d)


def end_of_day(utc_ms: int) -> int:
    """The last millisecond of the Dutch day that contains ``utc_ms``."""
    return start_of_day(local_date(utc_ms) + timedelta(days=1)) - 1


def parse_date(value: str) -> date:
    return date.fromisoformat(value)


def format_moment(utc_ms: int, lang: str = "nl") -> str:
    """``"3 okt 2025 18:20"``: short, for generated notes (not for the UI, which formats itself)."""
    local = datetime.fromtimestamp((utc_ms + offset_ms(utc_ms)) / 1000, UTC)
    months = (_MONTHS_EN if lang == "en" else _MONTHS_NL)
    return f"{local.day} {months[local.month - 1]} {local.year} {local.hour:02d}:{local.minute:02d}"


_MONTHS_NL = ("jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov", "dec")
_MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
