"""The response ladder proposes, reviews decide an item's state, and an OM decision changes the file."""

import pytest

from field_app.domain import ladder
from field_app.domain.errors import ValidationError
from field_app.domain.records import DictContext, decision_changes, validate_create
from field_app.domain.review import ReviewEntry, queue_order, report_status, review_state
from field_app.domain.timeutil import DAY_MS, HOUR_MS

NOW = 1_760_000_000_000


def client_with_meldplicht():
    ctx = DictContext("c1", NOW)
    ctx.add("client", validate_create("client", {"display_name": "Test", "fictional": True}, ctx))
    fw = ctx.add("framework", validate_create("framework", {"framework_type": "VV", "start": "2025-01-01"}, ctx))
    cond = ctx.add("condition", validate_create(
        "condition", {"framework_id": fw, "condition_type": "MELDPLICHT", "parameters": {"frequency": "WEKELIJKS"}},
        ctx))
    return ctx, fw, cond


def violation(ctx, cond, at, response, severity="GERING"):
    return ctx.add("contact", validate_create("contact", {
        "contact_type": "KANTOOR", "outcome": "NIET_VERSCHENEN", "excused": False, "occurred_at": at,
        "compliance": [{"condition_id": cond, "status": "OVERTREDING",
                        "violation": {"severity": severity, "response": response}}]}, ctx))


def test_the_ladder_climbs_one_rung_per_earlier_violation_of_the_same_condition():
    ctx, _, cond = client_with_meldplicht()
    assert ladder.propose(ctx, cond, at=NOW).step == "AANSPREKEN"
    violation(ctx, cond, NOW - 3 * DAY_MS, "AANSPREKEN")
    assert ladder.propose(ctx, cond, at=NOW).step == "SCHRIFTELIJKE_WAARSCHUWING"
    violation(ctx, cond, NOW - 2 * DAY_MS, "SCHRIFTELIJKE_WAARSCHUWING")
    p = ladder.propose(ctx, cond, at=NOW)
    assert (p.step, p.earlier, p.decided_by) == ("OVERLEG_OPDRACHTGEVER", 2, "OPDRACHTGEVER")
    violation(ctx, cond, NOW - 1 * DAY_MS, "OVERLEG_OPDRACHTGEVER")
    violation(ctx, cond, NOW - HOUR_MS, "RAPPORTAGE_OM")
    assert ladder.propose(ctx, cond, at=NOW).step == "RAPPORTAGE_OM"  # the top rung stays the top


def test_old_violations_fall_out_of_the_window_and_a_higher_choice_is_not_undone():
    ctx, _, cond = client_with_meldplicht()
    violation(ctx, cond, NOW - (ladder.LADDER_WINDOW_DAYS + 1) * DAY_MS, "AANSPREKEN")
    assert ladder.propose(ctx, cond, at=NOW).step == "AANSPREKEN"
    violation(ctx, cond, NOW - DAY_MS, "OVERLEG_OPDRACHTGEVER")  # the worker chose higher than proposed
    assert ladder.propose(ctx, cond, at=NOW).step == "RAPPORTAGE_OM"


def test_serious_or_victim_violations_skip_to_an_urgent_notification():
    ctx, _, cond = client_with_meldplicht()
    assert ladder.propose(ctx, cond, at=NOW, severity="ERNSTIG").step == "SPOEDMELDING_OM_POLITIE"
    assert ladder.propose(ctx, cond, at=NOW, victim_risk=True).step == "SPOEDMELDING_OM_POLITIE"


def test_an_unexcused_no_show_at_the_office_is_proposed_as_a_violation_of_the_reporting_duty():
    ctx, _, cond = client_with_meldplicht()
    args = {"contact_type": "KANTOOR", "outcome": "NIET_VERSCHENEN", "at": NOW}
    assert ladder.proposed_no_show(ctx, excused=False, **args) == [cond]
    assert ladder.proposed_no_show(ctx, excused=True, **args) == []
    assert ladder.proposed_no_show(ctx, excused=False, contact_type="TELEFONISCH", outcome="NIET_VERSCHENEN",
                                   at=NOW) == []
    # three no-shows in a week: three violations, and the proposal climbs
    for i, step in enumerate(("AANSPREKEN", "SCHRIFTELIJKE_WAARSCHUWING", "OVERLEG_OPDRACHTGEVER")):
        at = NOW - (6 - 2 * i) * DAY_MS
        assert ladder.propose(ctx, cond, at=at).step == step
        violation(ctx, cond, at, step)
    assert [p["count"] for p in ladder.path(ctx, NOW)] == [3]


def test_a_different_choice_than_proposed_needs_a_reason():
    ctx, _, cond = client_with_meldplicht()
    fields = {"contact_type": "KANTOOR", "outcome": "NIET_VERSCHENEN", "excused": False, "occurred_at": NOW,
              "compliance": [{"condition_id": cond, "status": "OVERTREDING",
                              "violation": {"severity": "GERING", "response": "SCHRIFTELIJKE_WAARSCHUWING",
                                            "proposed": "AANSPREKEN"}}]}
    with pytest.raises(ValidationError) as exc:
        validate_create("contact", fields, ctx)
    assert "compliance.0.violation.reason" in exc.value.errors
    fields["compliance"][0]["violation"]["reason"] = "Tweede keer deze maand volgens de politie."
    assert validate_create("contact", fields, ctx)["compliance"][0]["violation"]["proposed"] == "AANSPREKEN"


def entry(i, decision, by, at):
    return ReviewEntry(f"r{i}", decision, "c", at, by)


def test_review_state_latest_by_clock_wins_and_both_decisions_are_kept():
    state = review_state("Sanne", [entry(2, "GOEDGEKEURD", "Petra", NOW + 5), entry(1, "AANPASSEN", "Joop", NOW)])
    assert state.status == "GOEDGEKEURD" and [h.by for h in state.history] == ["Joop", "Petra"]


def test_four_eyes_the_author_cannot_approve_and_only_the_author_resubmits():
    assert review_state("Sanne", [entry(1, "GOEDGEKEURD", "Sanne", NOW)]).status == "TE_BEOORDELEN"
    returned = [entry(1, "AANPASSEN", "Petra", NOW)]
    assert review_state("Sanne", returned).returned
    assert review_state("Sanne", returned + [entry(2, "OPNIEUW_INGEDIEND", "Joop", NOW + 1)]).returned
    again = review_state("Sanne", returned + [entry(2, "OPNIEUW_INGEDIEND", "Sanne", NOW + 1)])
    assert again.status == "OPNIEUW_INGEDIEND" and again.waiting


def test_a_report_is_final_only_after_approval():
    approved = review_state("Sanne", [entry(1, "GOEDGEKEURD", "Petra", NOW)])
    assert report_status({"status": "TER_GOEDKEURING"}, approved) == "DEFINITIEF"
    assert report_status({"status": "VERZONDEN"}, approved) == "VERZONDEN"
    assert report_status({"status": "TER_GOEDKEURING"}, review_state("Sanne", [])) == "TER_GOEDKEURING"
    ctx, _, _ = client_with_meldplicht()
    with pytest.raises(ValidationError) as exc:
        validate_create("report", {"report_type": "EIND", "requested_by": "OM", "status": "DEFINITIEF"}, ctx)
    assert "status" in exc.value.errors


def test_queue_groups_by_worker_urgent_first_then_reports_then_oldest():
    """A group with a violation or high risk comes first; within a group urgent contacts, then reports,
    then routine contacts, oldest first (a routine report used to come before an acute violation)."""
    class Item:
        def __init__(self, author, created_at, risky, type_="contact", violation=False):
            self.author, self.type, self.created_at = author, type_, created_at
            self.fields = {"risks": [{"severity": "ACUUT"}]} if risky else {}
            if violation:
                self.fields["compliance"] = [{"condition_id": "c", "status": "OVERTREDING"}]

    items = [Item("Sanne", 1, False), Item("Bram", 5, False), Item("Sanne", 3, True), Item("Bram", 2, False),
             Item("Anna", 0, False, "report"), Item("Sanne", 0, False, "report"), Item("Sanne", 4, False, violation=True)]
    assert [(i.author, i.created_at) for i in queue_order(items)] == [
        ("Sanne", 3), ("Sanne", 4), ("Sanne", 0), ("Sanne", 1), ("Anna", 0), ("Bram", 2), ("Bram", 5)]


def test_an_om_decision_ends_the_framework_or_conditions_it_names():
    ctx, fw, cond = client_with_meldplicht()
    end = validate_create("om_decision", {"decision": "VORDERING_HERROEPING_VI", "date": "2025-10-08",
                                          "effect": "KADER_BEEINDIGD", "framework_id": fw}, ctx)
    assert decision_changes(end) == [(fw, {"status": "BEEINDIGD_HERROEPEN", "end": "2025-10-08"})]
    lift = validate_create("om_decision", {"decision": "VORDERING_WIJZIGING", "date": "2025-10-08",
                                           "effect": "VOORWAARDEN_BEEINDIGD", "condition_ids": [cond]}, ctx)
    assert decision_changes(lift) == [(cond, {"active": False, "end": "2025-10-08"})]
    with pytest.raises(ValidationError) as exc:
        validate_create("om_decision", {"decision": "WAARSCHUWING", "date": "2025-10-08",
                                        "effect": "KADER_GESCHORST"}, ctx)
    assert "framework_id" in exc.value.errors
