"""Dutch local time without tzdata, and flag deadlines per urgency."""

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from field_app.domain.records_flag import flag_deadline
from field_app.domain.timeutil import (
    DAY_MS,
    HOUR_MS,
    end_of_day,
    format_moment,
    local_date,
    local_ms,
    offset_ms,
)
from field_app.domain.vocab import Urgentie


def utc(*args) -> int:
    return int(datetime(*args, tzinfo=UTC).timestamp() * 1000)


def test_summer_and_winter_time_switch_at_one_utc_on_the_last_sundays():
    assert offset_ms(utc(2025, 3, 30, 0, 59)) == HOUR_MS
    assert offset_ms(utc(2025, 3, 30, 1, 0)) == 2 * HOUR_MS
    assert offset_ms(utc(2025, 10, 26, 0, 59)) == 2 * HOUR_MS
    assert offset_ms(utc(2025, 10, 26, 1, 0)) == HOUR_MS
    assert offset_ms(utc(2026, 1, 15)) == HOUR_MS and offset_ms(utc(2026, 7, 1)) == 2 * HOUR_MS


def test_local_date_changes_at_dutch_midnight():
    assert local_date(utc(2025, 6, 1, 21, 59)) == date(2025, 6, 1)
    assert local_date(utc(2025, 6, 1, 22, 0)) == date(2025, 6, 2)
    assert local_date(utc(2025, 12, 31, 23, 0)) == date(2026, 1, 1)
    assert format_moment(utc(2025, 10, 3, 16, 20)) == "3 okt 2025 18:20"
    assert format_moment(utc(2025, 10, 3, 16, 20), "en") == "3 Oct 2025 18:20"


@given(st.dates(date(2000, 1, 1), date(2099, 12, 31)), st.integers(0, 23), st.integers(0, 59))
def test_wall_clock_times_round_trip(d, hour, minute):
    ms = local_ms(d, hour, minute)
    back = datetime.fromtimestamp((ms + offset_ms(ms)) / 1000, UTC)
    spring_gap = d.month == 3 and hour == 2 and offset_ms(ms) == 2 * HOUR_MS
    assert back.date() == d and (back.hour, back.minute) == ((3, minute) if spring_gap else (hour, minute))


@given(st.integers(utc(2000, 1, 1), utc(2099, 1, 1)))
def test_end_of_day_is_the_last_millisecond_of_that_dutch_day(ms):
    end = end_of_day(ms)
    assert local_date(end) == local_date(ms) and local_date(end + 1) == local_date(ms) + timedelta(days=1)


# -- deadlines ---------------------------------------------------------------------------------------

MONDAY_10 = local_ms(date(2025, 10, 6), 10, 0)
FRIDAY_15 = local_ms(date(2025, 10, 10), 15, 0)


def test_deadline_per_urgency():
    assert flag_deadline("DIRECT", MONDAY_10) == MONDAY_10 + HOUR_MS
    assert flag_deadline("ZELFDE_DAG", MONDAY_10) == local_ms(date(2025, 10, 7)) - 1
    assert flag_deadline("BINNEN_24U", MONDAY_10) == MONDAY_10 + DAY_MS
    assert flag_deadline("BINNEN_5_WERKDAGEN", MONDAY_10) == local_ms(date(2025, 10, 13), 10, 0)
    assert flag_deadline("BINNEN_5_WERKDAGEN", FRIDAY_15) == local_ms(date(2025, 10, 17), 15, 0)
    assert flag_deadline("VOLGEND_OVERLEG", MONDAY_10) == MONDAY_10 + 14 * DAY_MS


def test_same_day_flag_raised_late_in_the_evening_still_gets_four_hours():
    late = local_ms(date(2025, 10, 6), 22, 30)
    assert flag_deadline("ZELFDE_DAG", late) == late + 4 * HOUR_MS


@pytest.mark.parametrize("urgency", Urgentie.codes())
@given(raised=st.integers(utc(2000, 1, 1), utc(2099, 1, 1)))
def test_every_deadline_lies_after_the_moment_it_was_raised(urgency, raised):
    assert raised < flag_deadline(urgency, raised) <= raised + 15 * DAY_MS


def test_unknown_urgency_is_refused():
    with pytest.raises(ValueError):
        flag_deadline("OOIT", MONDAY_10)
