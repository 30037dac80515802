""""En nu?" (#15): every automatic flag rule has an action list; ticks are notes, the latest per step counts."""

from __future__ import annotations

import pytest

from field_app.domain import flag_steps as fs
from field_app.domain.demo_cases import DEMO_CASES, seed_context
from field_app.domain.records import validate_create
from field_app.domain.vocab import FlagRegel


@pytest.mark.parametrize("rule", FlagRegel.codes())
def test_every_automatic_rule_has_a_short_list_with_required_steps(rule):
    steps = fs.steps_for(rule)
    assert 3 <= len(steps) <= 7 and any(s.required for s in steps)
    assert len({s.code for s in steps}) == len(steps)
    assert all(s.label("nl") and s.label("en") for s in steps)


def test_a_flag_by_hand_has_no_list():
    assert fs.steps_for(None) == ()


def test_the_late_transport_follows_domains_procedure():
    assert [s.code for s in fs.steps_for("OVERGANG_TE_LAAT")] == [
        "VERWACHTE_TIJD", "ONTVANGER_INFORMEREN", "WIE_BLIJFT", "PROCESREGISSEUR_INFORMEREN", "AANKOMST_VASTLEGGEN"]


def _tick(ctx, flag, step, at, done=True, by="Anouk"):
    return ctx.add("flag_step", validate_create("flag_step", {"flag_id": flag, "step": step, "done": done,
                                                              "by": by, "at": at}, ctx))


def test_case_a_has_its_late_transport_half_done():
    ctx, ids = seed_context(DEMO_CASES["A"])
    rows = fs.progress(ctx, ids["flag_a1"], "OVERGANG_TE_LAAT")
    done = [(s.code, t.by) for s, t in rows if t]
    assert done == [("VERWACHTE_TIJD", "Anouk Prins"), ("ONTVANGER_INFORMEREN", "Anouk Prins"),
                    ("WIE_BLIJFT", "Lotte de Boer")]
    assert not fs.required_done(ctx, ids["flag_a1"], "OVERGANG_TE_LAAT")
    assert fs.resolution(ctx, ids["flag_a1"], "OVERGANG_TE_LAAT") is None


def test_ticks_from_two_devices_both_count_and_the_latest_per_step_wins():
    ctx, ids = seed_context(DEMO_CASES["A"])
    flag = ids["flag_a1"]
    _tick(ctx, flag, "PROCESREGISSEUR_INFORMEREN", ctx.now - 50, by="Device 1")
    _tick(ctx, flag, "AANKOMST_VASTLEGGEN", ctx.now - 40, by="Device 2")
    _tick(ctx, flag, "AANKOMST_VASTLEGGEN", ctx.now - 60, done=False, by="Device 1")  # older untick loses
    assert fs.required_done(ctx, flag, "OVERGANG_TE_LAAT")
    res = fs.resolution(ctx, flag, "OVERGANG_TE_LAAT")
    assert res["status"] == "AFGEHANDELD" and res["resolution_note"].startswith("Alle verplichte stappen gedaan")
    validate_create("flag", {"reason": "ANDERS", "urgency": "DIRECT", "route": "TEAMLEIDER", **res}, ctx)
    _tick(ctx, flag, "WIE_BLIJFT", ctx.now - 10, done=False, by="Device 2")  # a later untick reopens the step
    assert not fs.required_done(ctx, flag, "OVERGANG_TE_LAAT")


def test_optional_steps_do_not_hold_up_resolving():
    ctx, ids = seed_context(DEMO_CASES["B"])
    flag = ids["flag_verhuizing"]
    for s in fs.steps_for("VERHUIZING_SLACHTOFFERADRES"):
        if s.required:
            _tick(ctx, flag, s.code, ctx.now - 5)
    assert fs.required_done(ctx, flag, "VERHUIZING_SLACHTOFFERADRES")
