"""Caseload indicators and the agenda: overdue contacts, risk level and trend, conditions, compliance."""

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from field_app.domain.records import DictContext, validate_create
from field_app.domain.rules import (
    CONTACT_INTERVAL_DAYS,
    NO_SUPERVISION_INTERVAL_DAYS,
    active_conditions,
    agenda,
    contact_overdue,
    days_since_last_contact,
    latest_compliance,
    risk_level,
    risk_trend_series,
)
from field_app.domain.timeutil import HOUR_MS, local_date, local_ms

NOW = local_ms(date(2025, 10, 9), 11, 0)  # a Thursday
DAY = 24 * HOUR_MS


def person(client_id="client-1", now=NOW, **client) -> DictContext:
    ctx = DictContext(client_id, now)
    ctx.add("client", validate_create("client", {"display_name": "Test", "created_at": now - 400 * DAY,
                                                 **client}, ctx))
    return ctx


def add(ctx, type_, **fields) -> str:
    return ctx.add(type_, validate_create(type_, fields, ctx))


def seen(ctx, days_ago: int, **fields) -> str:
    base = {"contact_type": "KANTOOR", "outcome": "PLAATSGEVONDEN", "report": "Gesproken.",
            "occurred_at": NOW - days_ago * DAY}
    if fields.get("outcome") == "NIET_VERSCHENEN":
        base["excused"] = False  # a no-show says whether it was excused
    return add(ctx, "contact", **{**base, **fields})


# -- contact overdue ---------------------------------------------------------------------------------

@pytest.mark.parametrize("level, intensified, interval", [
    ("NIVEAU_1", False, 28), ("NIVEAU_2", False, 14), ("NIVEAU_3", False, 7), ("NIVEAU_1", True, 7),
    (None, False, 28),
])
def test_overdue_counts_days_past_the_interval_of_the_supervision_level(level, intensified, interval):
    assert CONTACT_INTERVAL_DAYS == {"NIVEAU_1": 28, "NIVEAU_2": 14, "NIVEAU_3": 7}
    assert NO_SUPERVISION_INTERVAL_DAYS == 28
    for days_ago, overdue in ((interval - 1, None), (interval, None), (interval + 1, 1), (interval + 10, 10)):
        ctx = person()
        if level:
            add(ctx, "supervision", organisation="RN", level=level, intensified=intensified)
        seen(ctx, days_ago)
        assert days_since_last_contact(ctx) == days_ago
        assert contact_overdue(ctx) == overdue, (level, days_ago)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 200), st.sampled_from(["KANTOOR", "NETWERKCONTACT", "SCHRIFTELIJK",
                                                                 "TELEFONISCH"]),
                          st.sampled_from(["PLAATSGEVONDEN", "NIET_VERSCHENEN"])), min_size=1, max_size=6),
       st.sampled_from(["NIVEAU_1", "NIVEAU_2", "NIVEAU_3"]))
def test_overdue_is_measured_from_the_last_real_contact_with_the_person(contacts, level):
    ctx = person()
    add(ctx, "supervision", organisation="SVG", level=level)
    for days_ago, kind, outcome in contacts:
        seen(ctx, days_ago, contact_type=kind, outcome=outcome, report="x")
    real = [d for d, kind, outcome in contacts if kind in ("KANTOOR", "TELEFONISCH") and outcome == "PLAATSGEVONDEN"]
    since = min(real) if real else 400  # no real contact: counted from when the person was added
    assert days_since_last_contact(ctx) == (min(real) if real else None)
    late = since - CONTACT_INTERVAL_DAYS[level]
    assert contact_overdue(ctx) == (late if late > 0 else None)


def test_without_any_contact_overdue_counts_from_the_start_of_supervision():
    ctx = person()
    add(ctx, "supervision", organisation="RN", level="NIVEAU_2", start=str(local_date(NOW) - timedelta(days=20)))
    assert days_since_last_contact(ctx) is None and contact_overdue(ctx) == 6


def test_ended_supervision_and_closed_clients():
    ctx = person()
    add(ctx, "supervision", organisation="RN", level="NIVEAU_3", status="AFGEROND_POSITIEF")
    seen(ctx, 20)
    assert contact_overdue(ctx) is None  # back to the 28-day norm without supervision
    closed = person(status="AFGESLOTEN")
    assert contact_overdue(closed) is None


# -- risk --------------------------------------------------------------------------------------------

def test_risk_level_is_the_highest_recent_signal():
    ctx = person()
    assert risk_level(ctx) is None
    seen(ctx, 100, risks=[{"domain": "WAPENS", "severity": "ACUUT"}])
    seen(ctx, 30, risks=[{"domain": "ALCOHOL", "severity": "MIDDEN"}, {"domain": "DRUGS", "severity": "LAAG"}])
    seen(ctx, 5, risks=[{"domain": "ALCOHOL", "severity": "HOOG"}])
    assert risk_level(ctx) == "HOOG"
    assert risk_level(ctx, window_days=120) == "ACUUT"
    assert risk_trend_series(ctx, "ALCOHOL") == [(NOW - 30 * DAY, 1), (NOW - 5 * DAY, 2)]
    assert risk_trend_series(ctx, "SUICIDALITEIT") == []


# -- conditions and compliance -----------------------------------------------------------------------

def test_active_conditions_respect_flag_dates_and_framework_status():
    ctx = person()
    fid = add(ctx, "framework", framework_type="VI", start="2025-01-01", end="2026-01-01")
    on = add(ctx, "condition", framework_id=fid, condition_type="ALG_MEDEWERKING_TOEZICHT")
    add(ctx, "condition", framework_id=fid, condition_type="ALG_IDENTITEIT", active=False)
    add(ctx, "condition", framework_id=fid, condition_type="REISVERBOD", end="2025-10-08")
    later = add(ctx, "condition", framework_id=fid, condition_type="VERHUISPLICHT", start="2025-10-10")
    assert [c for c, _ in active_conditions(ctx)] == [on]
    assert {c for c, _ in active_conditions(ctx, at=NOW + DAY)} == {on, later}
    ctx.set(fid, {"status": "GESCHORST"})
    assert [c for c, _ in active_conditions(ctx)] == [on]  # a suspended framework still binds
    ctx.set(fid, {"status": "VERVALLEN"})
    assert active_conditions(ctx) == []


def test_latest_compliance_per_condition():
    ctx = person()
    fid = add(ctx, "framework", framework_type="SVH")
    meld = add(ctx, "condition", framework_id=fid, condition_type="MELDPLICHT", parameters={"frequency": "WEKELIJKS"})
    gebod = add(ctx, "condition", framework_id=fid, condition_type="LOCATIEGEBOD",
                parameters={"time_windows": [{"days": ["MA"], "from": "22:00", "to": "07:00"}]})
    seen(ctx, 3, compliance=[{"condition_id": meld, "status": "NAGELEEFD"}])
    seen(ctx, 10, compliance=[{"condition_id": meld, "status": "OVERTREDING",
                               "violation": {"severity": "GERING", "response": "AANSPREKEN"}},
                              {"condition_id": gebod, "status": "SIGNAAL_TWIJFEL"}])
    assert latest_compliance(ctx) == {meld: ("NAGELEEFD", NOW - 3 * DAY), gebod: ("SIGNAAL_TWIJFEL", NOW - 10 * DAY)}


# -- agenda ------------------------------------------------------------------------------------------

def week(start_day: date) -> tuple[int, int]:
    return local_ms(start_day), local_ms(start_day + timedelta(days=7))


def test_agenda_collects_planned_contacts_reporting_duties_transitions_and_deadlines():
    a = person("client-a")
    seen(a, 2, next_contact_at=local_ms(date(2025, 10, 14), 14, 0))
    seen(a, 20, next_contact_at=local_ms(date(2025, 10, 15), 9, 0), report="ouder")  # superseded by the later one
    seen(a, 1, contact_type="NETWERKOVERLEG")  # a later contact without a plan keeps the plan
    fid = add(a, "framework", framework_type="VI", start="2025-01-06")
    add(a, "condition", framework_id=fid, condition_type="MELDPLICHT", start="2025-01-06",
        parameters={"frequency": "WEKELIJKS", "report_to": "RECLASSERING"})  # Mondays
    add(a, "transition", transition_type="VI_INGANG", planned_at=local_ms(date(2025, 10, 16), 9, 30))
    add(a, "flag", reason="ANDERS", urgency="BINNEN_5_WERKDAGEN", route="TEAMLEIDER")
    case = add(a, "zvh_case", approach="TOP_X")
    add(a, "case_action", case_id=case, action="Intake regelen", owner="GGZ", due="2025-10-17")
    add(a, "case_action", case_id=case, action="Al gedaan", owner="GGZ", due="2025-10-17", status="GEDAAN")
    b = person("client-b")
    fb = add(b, "framework", framework_type="SVH")
    add(b, "condition", framework_id=fb, condition_type="MELDPLICHT",
        parameters={"frequency": "TWEE_PER_WEEK", "time_windows": [{"days": ["MA", "DO"], "from": "10:00",
                                                                    "to": "11:00"}]})
    closed = person("client-c", status="AFGESLOTEN")
    seen(closed, 1, next_contact_at=local_ms(date(2025, 10, 14), 9, 0))

    items = agenda([a, b, closed], *week(date(2025, 10, 13)))
    summary = [(i.client_id, i.kind, str(local_date(i.at)), i.all_day) for i in items]
    assert summary == [
        ("client-a", "MELDPLICHT", "2025-10-13", True),
        ("client-b", "MELDPLICHT", "2025-10-13", False),
        ("client-a", "CONTACT_GEPLAND", "2025-10-14", False),
        ("client-a", "OVERGANG", "2025-10-16", False),
        ("client-b", "MELDPLICHT", "2025-10-16", False),
        ("client-a", "SIGNAAL_DEADLINE", "2025-10-16", False),
        ("client-a", "ACTIE_DEADLINE", "2025-10-17", True),
    ]
    meld = items[0]
    assert meld.label_nl == "Meldplicht bij reclassering (elke week)" and "weekly" in meld.label_en
    assert items[1].at == local_ms(date(2025, 10, 13), 10, 0)
    assert all(i.label_nl and i.label_en and i.record_id for i in items)


@pytest.mark.parametrize("frequency, anchor, expected_days", [
    ("DAGELIJKS", "2025-10-01", 7),
    ("DRIE_PER_WEEK", "2025-10-06", 3),
    ("TWEE_PER_WEEK", "2025-10-06", 2),
    ("WEKELIJKS", "2025-10-08", 1),
    ("TWEEWEKELIJKS", "2025-10-06", 0),
    ("TWEEWEKELIJKS", "2025-10-13", 1),
    ("TWEEWEKELIJKS", "2025-09-29", 1),
    ("MAANDELIJKS", "2025-09-15", 1),
    ("MAANDELIJKS", "2025-09-25", 0),
])
def test_reporting_frequency_counts_from_the_start_of_the_condition(frequency, anchor, expected_days):
    ctx = person()
    fid = add(ctx, "framework", framework_type="VV")
    add(ctx, "condition", framework_id=fid, condition_type="MELDPLICHT", start=anchor,
        parameters={"frequency": frequency})
    items = agenda([ctx], *week(date(2025, 10, 13)))
    assert len(items) == expected_days and all(i.kind == "MELDPLICHT" for i in items)


def test_reporting_duty_stops_with_its_condition_or_framework():
    ctx = person()
    fid = add(ctx, "framework", framework_type="VV")
    add(ctx, "condition", framework_id=fid, condition_type="MELDPLICHT", start="2025-01-01", end="2025-10-15",
        parameters={"frequency": "DAGELIJKS"})
    assert len(agenda([ctx], *week(date(2025, 10, 13)))) == 3
    ctx.set(fid, {"status": "VERVALLEN"})
    assert agenda([ctx], *week(date(2025, 10, 13))) == []


def test_agenda_range_is_bounded():
    with pytest.raises(ValueError):
        agenda([], NOW, NOW + 500 * DAY)
