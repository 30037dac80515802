"""Als hij niet meewerkt (#15): violations per condition, ladder step reached and next, regime, next overleg."""

from __future__ import annotations

from field_app.domain import noncooperation as nc
from field_app.domain.demo_cases import DEMO_CASES, DEMO_NOW, seed_context
from field_app.domain.records import validate_create
from field_app.domain.timeutil import DAY_MS


def _violate(ctx, condition_id, at, response="AANSPREKEN", severity="MATIG"):
    ctx.add("contact", validate_create("contact", {
        "contact_type": "KANTOOR", "outcome": "PLAATSGEVONDEN", "occurred_at": at, "report": "r",
        "compliance": [{"condition_id": condition_id, "status": "OVERTREDING",
                        "violation": {"severity": severity, "response": response}}]}, ctx))


def test_case_a_without_violations_shows_the_first_step_per_condition_and_the_victim_ban_as_urgent():
    ctx, ids = seed_context(DEMO_CASES["A"])
    p = nc.path(ctx, DEMO_NOW)
    assert p.regime == "DWANG" and "afdwingbaar" in p.allows_text("nl") and "enforceable" in p.allows_text("en")
    assert p.next_conference == "2025-10-22"
    by_id = {c.condition_id: c for c in p.conditions}
    ban = by_id[ids["v_contact"]]
    assert ban.victim and ban.next.step == "SPOEDMELDING_OM_POLITIE" and ban.next.decided_by == "OM"
    alcohol = by_id[ids["v_middelen"]]
    assert (alcohol.violations, alcohol.reached, alcohol.next.step) == ([], None, "AANSPREKEN")
    assert nc.decider_label(alcohol.next, "nl").startswith("de toezichthouder")
    assert p.conditions[0].condition_id == ids["v_contact"]  # the victim ban first


def test_violations_climb_the_ladder_and_show_who_decides():
    ctx, ids = seed_context(DEMO_CASES["A"])
    cid = ids["v_middelen"]
    _violate(ctx, cid, DEMO_NOW - 20 * DAY_MS)
    _violate(ctx, cid, DEMO_NOW - 5 * DAY_MS, response="SCHRIFTELIJKE_WAARSCHUWING")
    alcohol = next(c for c in nc.path(ctx, DEMO_NOW).conditions if c.condition_id == cid)
    assert len(alcohol.violations) == 2 and alcohol.reached == "SCHRIFTELIJKE_WAARSCHUWING"
    assert alcohol.next.step == "OVERLEG_OPDRACHTGEVER" and alcohol.next.decided_by == "OPDRACHTGEVER"
    assert nc.path(ctx, DEMO_NOW).conditions[0].condition_id == cid  # most violations first


def test_case_b_without_a_framework_is_drang_with_no_ladder():
    ctx, _ = seed_context(DEMO_CASES["B"])
    p = nc.path(ctx, DEMO_NOW)
    assert p.regime == "DRANG" and p.conditions == [] and "casusoverleg" in p.allows_text("nl")
    assert p.next_conference is None  # the evaluation of 7 October has passed


def test_an_unrecorded_regime_says_so_and_a_planned_conference_counts():
    ctx, _ = seed_context(DEMO_CASES["A"][:1])
    ctx.set(ctx.client_id, {"regime": None})
    case = ctx.add("zvh_case", validate_create("zvh_case", {"approach": "TOP_X"}, ctx))
    ctx.add("case_conference", validate_create("case_conference", {
        "case_id": case, "date": "2025-10-14", "kind": "ICO", "next_evaluation": "2025-11-04"}, ctx))
    p = nc.path(ctx, DEMO_NOW)
    assert p.regime is None and p.allows == nc.NO_REGIME and p.next_conference == "2025-11-04"
