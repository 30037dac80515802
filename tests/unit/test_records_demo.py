"""The fictional demo cases of DOMAIN.md §10 A–E, expressed as records, validate and behave as the story."""

import pytest

from field_app.demo import COORDINATOR_FLAGS
from field_app.domain import escalation
from field_app.domain.demo_cases import (
    CASE_TITLES,
    DEMO_CASES,
    DEMO_NOW,
    DemoRecord,
    resolve_refs,
    seed_context,
    shifted,
)
from field_app.domain.records import RECORD_SPECS, validate_update
from field_app.domain.rules import (
    active_conditions,
    contact_overdue,
    evaluate,
    lapse_followup,
    latest_compliance,
    risk_level,
)
from field_app.domain.timeutil import DAY_MS


def walk(value):
    if isinstance(value, dict):
        for v in value.values():
            yield from walk(v)
    elif isinstance(value, list):
        for v in value:
            yield from walk(v)
    else:
        yield value


@pytest.mark.parametrize("letter", sorted(DEMO_CASES))
def test_demo_case_validates_record_by_record(letter):
    case = DEMO_CASES[letter]
    assert case[0].type == "client" and case[0].fields["fictional"] is True
    assert letter in CASE_TITLES
    refs = [r.ref for r in case if r.ref]
    assert len(refs) == len(set(refs))
    seen: set[str] = set()
    for record in case:
        assert record.type in RECORD_SPECS
        for value in walk(record.fields):
            if isinstance(value, str) and value.startswith("@"):
                assert value[1:] in seen, f"{record.ref} points to {value} before it exists"
        if record.ref:
            seen.add(record.ref)
    ctx, ids = seed_context(case)
    assert len(ctx.data) == len(case) and ctx.record(ctx.client_id)[0] == "client"


@pytest.mark.parametrize("letter", sorted(DEMO_CASES))
def test_demo_flags_are_the_ones_the_rules_raise(letter):
    ctx, _ = seed_context(DEMO_CASES[letter])
    for proposal in evaluate(ctx):
        assert proposal.record_id(ctx.client_id) in ctx.data, proposal  # already there: nothing new to write
    assert lapse_followup(ctx) is None


def _demo_flags():
    for letter, case in sorted(DEMO_CASES.items()):
        for r in case:
            if r.type == "flag":
                yield f"{letter}:{r.ref}", r.fields
    for name, fields, _ in COORDINATOR_FLAGS:
        yield f"coordinator:{name}", fields


DEMO_FLAGS = list(_demo_flags())


@pytest.mark.parametrize(("which", "fields"), DEMO_FLAGS, ids=[w for w, _ in DEMO_FLAGS])
def test_every_demo_flag_goes_the_route_and_urgency_of_its_reason(which, fields):
    """DOMAIN.md §4.3/§9.13 through the one table in domain.escalation: a flag whose reason has a row (or that
    a rule raised) has that row's route and urgency; a flag 'Anders' may go anywhere."""
    got = escalation.Trigger(fields["reason"], fields["route"], fields["urgency"])
    row = escalation.trigger_for(fields["reason"])
    if fields.get("raised_by_rule"):
        assert got == escalation.for_reason(fields["reason"]), which
    elif which == "E:flag_e":  # DOMAIN.md §10 case E: the worker chose the teamleider over the proposed OM
        assert got == escalation.Trigger("ONTTREKKING", "TEAMLEIDER", "ZELFDE_DAG")
    elif row is not None:
        assert got == row, which
    else:
        assert fields["reason"] == "ANDERS", which
    if which.startswith("coordinator:"):  # not in a case file: its note says it is fictional
        assert "(fictief)" in fields["note"]


def test_case_e_no_show_streak_escaleren_proposes_the_om_and_the_demo_keeps_the_workers_choice():
    ctx, ids = seed_context(DEMO_CASES["E"])
    contact = ctx.record(ids["c_e4"])[1]
    [item] = contact["compliance"]
    advice = escalation.for_violation(ctx, item["condition_id"], ctx.record(item["condition_id"])[1],
                                      at=contact["occurred_at"], severity=item["violation"]["severity"],
                                      response=item["violation"]["response"], exclude=ids["c_e4"])
    flag = ctx.record(ids["flag_e"])[1]
    assert advice.trigger == escalation.Trigger("ONTTREKKING", "OM_PIKET_VIA_RECLASSERING", "ZELFDE_DAG")  # §4.3
    assert (flag["reason"], flag["route"], flag["urgency"]) == ("ONTTREKKING", "TEAMLEIDER", "ZELFDE_DAG")  # §10 E


def test_case_a_late_transport_raises_the_same_flag_as_the_demo_record():
    ctx, ids = seed_context(DEMO_CASES["A"])
    tid = ids["overgang"]
    ctx.set(tid, {"status": "VERTRAAGD", "actual_at": None})
    ctx.now = ctx.record(tid)[1]["planned_at"] + 31 * 60_000
    [late] = [p for p in evaluate(ctx) if p.rule == "OVERGANG_TE_LAAT"]
    assert late.record_id(ctx.client_id) == ids["flag_a1"]
    assert len(active_conditions(ctx, at=ctx.now)) == 4


def test_case_b_without_the_aftercare_record_asks_for_spoed_nazorg_with_a_vt_weighing():
    case = [r for r in DEMO_CASES["B"] if r.type != "aftercare"]
    ctx, _ = seed_context(case)
    follow = lapse_followup(ctx)
    [write] = follow["writes"]  # the regime is already DRANG
    assert write["type"] == "aftercare" and write["kind"] == "create"
    assert write["fields"]["spoed"] is True and "VT_AFWEGING_GEDAAN" in write["fields"]["spoed_checklist"]
    assert {p.rule for p in evaluate(ctx)} == {"KADER_VERVALLEN", "VERHUIZING_SLACHTOFFERADRES"}


def test_case_c_zone_violation_is_a_victim_risk_and_the_meldplicht_is_followed():
    ctx, ids = seed_context(DEMO_CASES["C"])
    compliance = latest_compliance(ctx)
    assert compliance[ids["v_zone"]][0] == "OVERTREDING" and compliance[ids["v_meld"]][0] == "NAGELEEFD"
    assert [p.rule for p in evaluate(ctx)] == ["OVERTREDING_SLACHTOFFER"]


def test_case_d_acute_suicidality_goes_to_the_crisis_service():
    ctx, ids = seed_context(DEMO_CASES["D"])
    [p] = evaluate(ctx)
    assert (p.route, p.source_id) == ("GGZ_CRISISDIENST", ids["c_d2"])
    assert risk_level(ctx) == "ACUUT"


def test_case_e_no_show_series_is_overdue_under_intensified_supervision():
    ctx, ids = seed_context(DEMO_CASES["E"])
    assert latest_compliance(ctx)[ids["v_meld"]][0] == "OVERTREDING"
    assert contact_overdue(ctx) == 68 - 7  # last real contact 8 August, now 15 October; verscherpt: 7 days
    assert evaluate(ctx) == []


def test_a_case_moved_in_time_still_validates_and_a_ref_is_resolved_everywhere():
    moved = shifted(DEMO_CASES["C"], 200)
    ctx, _ = seed_context(moved, now=DEMO_NOW + 200 * DAY_MS)
    assert ctx.record(ctx.client_id)[1]["birth_date"] == "1991-08-15"
    assert resolve_refs({"a": ["@x", {"b": "@x"}], "c": "x@y"}, {"x": "ID"}) == {"a": ["ID", {"b": "ID"}], "c": "x@y"}
    assert isinstance(moved[0], DemoRecord)


def test_demo_records_update_like_any_other_record():
    ctx, ids = seed_context(DEMO_CASES["B"])
    flag = ctx.record(ids["flag_verhuizing"])[1]
    change = validate_update("flag", flag, {"status": "AFGEHANDELD", "resolution_note": "VT-onderzoek loopt."}, ctx)
    assert change == {"status": "AFGEHANDELD", "resolution_note": "VT-onderzoek loopt."}


def test_a_moved_case_keeps_its_wall_clock_times_across_summer_time():
    """Found in the browser: Henk's transition, planned at 09:30 on 2 June, was moved into December by whole
    24 hours and showed 08:30 on its card while its flag (text) said 09:30."""
    from datetime import UTC, datetime

    from field_app.domain.timeutil import offset_ms

    def wall(ms: int) -> str:
        return datetime.fromtimestamp((ms + offset_ms(ms)) / 1000, UTC).strftime("%H:%M")

    case = DEMO_CASES["A"]
    planned = next(r for r in case if r.type == "transition").fields["planned_at"]
    assert wall(planned) == "09:30"
    for days in (0, 150, 183, 200):  # June into November, December, January
        moved = next(r for r in shifted(case, days) if r.type == "transition").fields["planned_at"]
        assert wall(moved) == "09:30", days
