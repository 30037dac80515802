"""Taken per fase (#15): templates per framework phase, adoption as case actions, overdue in the agenda."""

from __future__ import annotations

from datetime import date

import pytest

from field_app.domain import phase_tasks as pt
from field_app.domain.agenda import agenda
from field_app.domain.demo_cases import DEMO_CASES, DEMO_NOW, seed_context
from field_app.domain.records import validate_create
from field_app.domain.timeutil import DAY_MS, local_date, local_ms

TODAY = local_date(DEMO_NOW)


@pytest.mark.parametrize("phase", sorted(pt.PHASES))
def test_every_phase_has_tasks_with_an_owner_and_a_due_offset(phase):
    rows = pt.TEMPLATES[phase]
    assert len(rows) >= 4
    for t in rows:
        assert t.owner and t.nl and t.en and -7 <= t.days <= 180


def test_case_a_is_in_isd_extramural_after_a_transition():
    ctx, _ = seed_context(DEMO_CASES["A"])
    assert pt.applicable(ctx) == [("ISD_EXTRAMURAAL", date(2025, 6, 2)), ("OVERGANG", date(2025, 6, 2))]
    first = pt.tasks(ctx, "ISD_EXTRAMURAAL", date(2025, 6, 2), TODAY)[0]
    assert (first.owner, first.due, first.adopted) == ("SVG", "2025-06-16", None)  # the supervising 3RO
    before = pt.tasks(ctx, "OVERGANG", date(2025, 6, 2), TODAY)[0]
    assert before.owner == "DJI" and before.due == "2025-05-31"  # two days before the transfer


def test_case_b_is_released_after_the_hearing_and_in_aftercare():
    ctx, _ = seed_context(DEMO_CASES["B"])
    assert pt.applicable(ctx) == [("VRIJLATING_NA_ZITTING", date(2025, 9, 16)), ("NAZORG", date(2025, 9, 16))]
    owners = [t.owner for t in pt.tasks(ctx, "VRIJLATING_NA_ZITTING", date(2025, 9, 16), TODAY)]
    assert "VEILIG_THUIS" in owners and "GEMEENTE" in owners


def test_a_case_without_a_start_counts_from_today():
    ctx, _ = seed_context(DEMO_CASES["A"][:1])
    assert pt.applicable(ctx) == []
    assert pt.tasks(ctx, "NAZORG", None, TODAY)[0].due == "2025-10-22"


def test_adopting_makes_valid_case_actions_once():
    ctx, ids = seed_context(DEMO_CASES["A"])
    writes = pt.adoption(ctx, "OVERGANG", date(2025, 6, 2), TODAY, ids["case"])
    assert len(writes) == len(pt.TEMPLATES["OVERGANG"])
    first = ctx.add("case_action", validate_create("case_action", writes[0], ctx))
    assert pt.tasks(ctx, "OVERGANG", date(2025, 6, 2), TODAY)[0].adopted == first
    for w in writes[1:]:
        ctx.add("case_action", validate_create("case_action", w, ctx))
    assert pt.adoption(ctx, "OVERGANG", date(2025, 6, 2), TODAY, ids["case"]) == []
    assert {a["phase"] for _, a in ctx.records("case_action")} == {"Overgang"}


def test_an_open_task_past_its_date_shows_in_todays_agenda_as_overdue():
    ctx, ids = seed_context(DEMO_CASES["A"])
    ctx.add("case_action", validate_create("case_action", {"case_id": ids["case"], "action": "Bed bevestigen",
                                                           "owner": "ZORGINSTELLING", "due": "2025-10-01"}, ctx))
    ctx.add("case_action", validate_create("case_action", {"case_id": ids["case"], "action": "Al gedaan",
                                                           "owner": "GGZ", "due": "2025-10-01", "status": "GEDAAN"},
                                           ctx))
    today = local_ms(TODAY)
    items = [i for i in agenda([ctx], today, today + DAY_MS) if i.kind == "ACTIE_DEADLINE"]
    assert [(i.label_nl, i.at, i.all_day, i.due) for i in items] == [
        ("Over tijd: Bed bevestigen", today, True, "2025-10-01")]  # the screen says the date in words
    later = today + 7 * DAY_MS  # a range that does not hold today shows no overdue item
    assert [i for i in agenda([ctx], later, later + DAY_MS) if i.kind == "ACTIE_DEADLINE"] == []
