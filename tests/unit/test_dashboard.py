"""The team dashboard's figures (field_app.domain.dashboard) and the report due dates in the agenda."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from field_app.domain import dashboard as d
from field_app.domain.agenda import agenda
from field_app.domain.records import DictContext, validate_create
from field_app.domain.timeutil import DAY_MS, HOUR_MS, local_date, local_ms

NOW = local_ms(date(2025, 10, 15), 12, 0)  # a Wednesday
MONDAY = local_ms(date(2025, 10, 13))


def flag(fid, urgency, raised_days_ago, status="OPEN", **extra):
    raised = NOW - raised_days_ago * DAY_MS
    deadline = raised + {"DIRECT": HOUR_MS, "BINNEN_24U": DAY_MS}.get(urgency, 14 * DAY_MS)
    return d.Rec(fid, "flag", "c1", {"urgency": urgency, "reason": "ACUUT_RISICO", "status": status,
                                    "raised_at": raised, "deadline": deadline, **extra})


def contact(rid, days_ago, *, client="c1", author="Lotte", compliance=(), risks=(), created_days_ago=None):
    at = NOW - days_ago * DAY_MS
    created = NOW - (created_days_ago if created_days_ago is not None else days_ago) * DAY_MS
    return d.Rec(rid, "contact", client, {"occurred_at": at, "compliance": list(compliance), "risks": list(risks)},
                 author, created)


def violation(cond="cond-1", severity="GERING", response="AANSPREKEN"):
    return {"condition_id": cond, "status": "OVERTREDING", "violation": {"severity": severity, "response": response}}


def test_weeks_start_on_monday_in_dutch_time_and_end_this_week():
    starts = d.week_starts(NOW, 3)
    assert [local_date(s) for s in starts] == [date(2025, 9, 29), date(2025, 10, 6), date(2025, 10, 13)]
    assert d.week_start(NOW) == MONDAY
    assert d.per_week([MONDAY - 1, MONDAY, NOW, NOW + 7 * DAY_MS, "x", None], starts) == (0, 1, 2)


def test_open_flags_overdue_first_then_by_urgency_and_counted():
    flags = [flag("late", "BINNEN_24U", 2), flag("direct", "DIRECT", 0), flag("done", "DIRECT", 3, "AFGEHANDELD"),
             flag("ack", "VOLGEND_OVERLEG", 1, "IN_BEHANDELING", acknowledged_by="Lotte", raised_by_rule="X")]
    lines = d.flag_lines(flags, NOW)
    assert [f.id for f in lines] == ["late", "direct", "ack"]
    assert lines[0].overdue and not lines[1].overdue
    assert lines[2].acknowledged_by == "Lotte" and lines[2].automatic
    counts = d.flag_counts(lines)
    assert counts["BINNEN_24U"] == (1, 1) and counts["DIRECT"] == (1, 0) and counts["ZELFDE_DAG"] == (0, 0)


def test_open_flags_by_deadline_as_signalen_so_a_sooner_deadline_beats_a_higher_urgency():
    """UX.md *Signalen*: "by deadline"; the team overview orders the same way (without "mine first")."""
    def at(fid, urgency, deadline):
        return d.Rec(fid, "flag", "c1", {"urgency": urgency, "reason": "ANDERS", "deadline": deadline})
    flags = [at("direct-soon", "DIRECT", NOW + 50 * 60_000), at("sameday-sooner", "ZELFDE_DAG", NOW + 10 * 60_000),
             at("direct-late", "DIRECT", NOW - 2 * HOUR_MS), at("meeting-long-late", "VOLGEND_OVERLEG", NOW - 3 * DAY_MS),
             at("tie-24u", "BINNEN_24U", NOW + DAY_MS), at("tie-direct", "DIRECT", NOW + DAY_MS),
             d.Rec("no-deadline", "flag", "c1", {"urgency": "DIRECT", "reason": "ANDERS"})]
    lines = d.flag_lines(flags, NOW)
    assert [f.id for f in lines] == ["meeting-long-late", "direct-late", "sameday-sooner", "direct-soon",
                                     "tie-direct", "tie-24u", "no-deadline"]
    assert [f.overdue for f in lines] == [True, True, False, False, False, False, False]


def test_team_overview_and_signalen_order_the_same_flags_alike():
    from field_app.domain.records_flag import deadline_order

    flags = [flag("a", "DIRECT", 0), flag("b", "BINNEN_24U", 2), flag("c", "VOLGEND_OVERLEG", 20),
             flag("d", "BINNEN_24U", 0.5)]
    signalen = sorted(flags, key=lambda r: deadline_order(r.fields["deadline"], r.fields["urgency"], r.id))
    assert [f.id for f in d.flag_lines(flags, NOW)] == [r.id for r in signalen] == ["c", "b", "a", "d"]


def test_flags_per_week_by_urgency_count_every_flag_raised():
    starts = d.week_starts(NOW, 2)
    flags = [flag("a", "DIRECT", 0), flag("b", "DIRECT", 8, "AFGEHANDELD"), flag("c", "BINNEN_24U", 1),
             flag("old", "DIRECT", 40)]
    series = d.flags_per_week(flags, starts)
    assert series["DIRECT"] == (1, 1) and series["BINNEN_24U"] == (0, 1) and series["ZELFDE_DAG"] == (0, 0)


def test_violations_newest_first_and_per_week():
    contacts = [contact("k1", 1, compliance=[violation(), {"condition_id": "c2", "status": "NAGELEEFD"}]),
                contact("k2", 9, compliance=[violation("cond-2", "ERNSTIG", "RAPPORTAGE_OM")]),
                contact("k3", 3)]
    found = d.violations(contacts)
    assert [(v.record_id, v.condition_id, v.severity) for v in found] == [("k1", "cond-1", "GERING"),
                                                                         ("k2", "cond-2", "ERNSTIG")]
    assert d.per_week([v.at for v in found], d.week_starts(NOW, 2)) == (1, 1)


def test_risk_signals_per_domain_per_week_leave_out_silent_domains():
    starts = d.week_starts(NOW, 2)
    contacts = [contact("k1", 1, risks=[{"domain": "DRUGS", "severity": "HOOG"}]),
                contact("k2", 8, risks=[{"domain": "DRUGS", "severity": "LAAG"},
                                        {"domain": "HUISVESTING", "severity": "MIDDEN"}]),
                contact("k3", 60, risks=[{"domain": "ALCOHOL", "severity": "LAAG"}])]
    assert d.risks_per_week(contacts, starts) == {"DRUGS": (1, 1), "HUISVESTING": (1, 0)}


@dataclass
class Item:
    id: str
    display_name: str
    overdue_days: int | None
    supervision_level: str | None = "NIVEAU_2"
    assigned_to: str = "Lotte"
    status: str = "ACTIEF"


def test_overdue_clients_longest_first_active_only():
    items = [Item("a", "Anna", 2), Item("b", "Bert", None), Item("c", "Cees", 9), Item("e", "Eva", 5, status="AFGESLOTEN")]
    assert [(o.client_id, o.overdue_days) for o in d.overdue_clients(items)] == [("c", 9), ("a", 2)]


def review(rid, target, decision, by, days_ago=0):
    return d.Rec(rid, "review", "c1", {"target_id": target, "decision": decision, "comment": "x",
                                      "at": NOW - days_ago * DAY_MS}, by, NOW)


def test_review_queue_counts_what_waits_for_me_and_not_my_own_work():
    items = [contact("new", 1), contact("mine", 1, author="Fatima"), contact("ok", 2), contact("back", 3),
             contact("again", 4), contact("stale", 60)]
    reviews = d.review_entries([review("r1", "ok", "GOEDGEKEURD", "Fatima"),
                                review("r2", "back", "AANPASSEN", "Fatima", 1),
                                review("r3", "again", "AANPASSEN", "Fatima", 2),
                                review("r4", "again", "OPNIEUW_INGEDIEND", "Lotte", 1)])
    assert d.review_waiting(items, reviews, "Fatima", NOW) == 2  # "new" and the resubmitted "again"


def report(rid, due: date, status="TER_GOEDKEURING", author="Lotte"):
    return d.Rec(rid, "report", "c1", {"report_type": "ADVIES", "due_date": due.isoformat(), "status": status},
                 author, NOW - DAY_MS)


def test_reports_due_soonest_first_overdue_flagged_sent_left_out_approved_shows_final():
    today = local_date(NOW)
    reports = [report("late", today - timedelta(days=2)), report("soon", today + timedelta(days=3)),
               report("far", today + timedelta(days=40)), report("sent", today, status="VERZONDEN")]
    reviews = d.review_entries([review("r", "soon", "GOEDGEKEURD", "Fatima")])
    due = d.reports_due(reports, reviews, NOW)
    assert [(r.id, r.days_left, r.overdue, r.status) for r in due] == [
        ("late", -2, True, "TER_GOEDKEURING"), ("soon", 3, False, "DEFINITIEF")]


def test_last_sync_per_active_device_from_the_server_log_silent_first():
    devices = [{"id": "A", "user": "Lotte", "role": "VELDWERKER", "status": "actief", "me": False},
               {"id": "B", "user": "Fatima", "role": "WERKBEGELEIDER", "status": "actief", "me": True},
               {"id": "C", "user": "Oud", "role": "VELDWERKER", "status": "ingetrokken", "me": False},
               {"id": "D", "user": "Nooit", "role": "VELDWERKER", "status": "actief", "me": False}]
    log = [{"device": "A", "action": "changes.pull", "result": "ok", "at": 100},
           {"device": "A", "action": "changes.push", "result": "ok", "at": 300},
           {"device": "A", "action": "changes.pull", "result": "denied", "at": 900},
           {"device": "A", "action": "invites.create", "result": "ok", "at": 950},
           {"device": "B", "action": "heads.read", "result": "ok", "at": 200}]
    rows = d.device_syncs(devices, log, own_last_sync=500)
    assert [(r.device_id, r.last_sync_at) for r in rows] == [("D", None), ("A", 300), ("B", 500)]
    offline = d.device_syncs(devices, None, own_last_sync=500)
    assert [(r.device_id, r.last_sync_at) for r in offline] == [("A", None), ("D", None), ("B", 500)]


def test_build_puts_it_together():
    dash = d.build(items=[Item("c1", "Anna", 3)], flags=[flag("f", "DIRECT", 0), flag("g", "DIRECT", 1)],
                   contacts=[contact("k", 1, compliance=[violation()]), contact("old", 40, compliance=[violation()])],
                   reports=[report("r", local_date(NOW) + timedelta(days=2))], reviews=[], me="Fatima", now=NOW)
    assert dash.overdue_flags == 1 and dash.flag_counts["DIRECT"] == (2, 1)
    assert [v.record_id for v in dash.violations] == ["k"]  # the 40-day-old one is not recent
    assert dash.review_waiting == 2  # the recent contact and the report awaiting approval
    assert [r.id for r in dash.reports] == ["r"] and len(dash.weeks) == d.WEEKS
    assert dash.violations_per_week[-1] == 1 and dash.flags_per_week["DIRECT"][-1] == 2
    assert d.build(items=[], flags=[], contacts=[], reports=[], reviews=[], me="x", now=NOW,
                   review_waiting_count=7).review_waiting == 7


def test_report_due_dates_are_in_the_agenda_until_sent():
    ctx = DictContext("client-r", NOW)
    ctx.add("client", validate_create("client", {"display_name": "Test"}, ctx))
    for status, due in (("CONCEPT", "2025-10-16"), ("VERZONDEN", "2025-10-17")):
        ctx.add("report", validate_create("report", {"report_type": "ADVIES", "requested_by": "OM",
                                                     "due_date": due, "status": status}, ctx))
    items = agenda([ctx], MONDAY, MONDAY + 7 * DAY_MS)
    assert [(i.kind, str(local_date(i.at)), i.all_day) for i in items] == [("RAPPORTAGE_DEADLINE", "2025-10-16", True)]
    assert items[0].label_nl.startswith("Uiterste datum rapportage") and items[0].label_en.startswith("Report due")
