"""Records that answer a flag (issue #14): an arrival settles the late-transition flag with a note saying
when the person arrived; a meldcode decision updates the flag it is about; the flags that ask for the
weighing offer it."""

from field_app.domain.links import asks_for_meldcode, flag_awaiting_weighing, settlements
from field_app.domain.records import DictContext, validate_create, validate_update
from field_app.domain.rules import evaluate
from field_app.domain.timeutil import HOUR_MS, format_moment

NOW = 1_760_000_000_000


def person() -> DictContext:
    ctx = DictContext("client-1", NOW)
    ctx.add("client", validate_create("client", {"display_name": "Test", "fictional": True}, ctx))
    return ctx


def add(ctx: DictContext, type_: str, record_id: str | None = None, **fields) -> str:
    return ctx.add(type_, validate_create(type_, fields, ctx), record_id)


def raise_flags(ctx: DictContext) -> list[str]:
    ids = []
    for p in evaluate(ctx):
        ids.append(add(ctx, "flag", p.record_id(ctx.client_id), **p.fields(), raised_at=ctx.now))
    return ids


def apply(ctx: DictContext) -> None:
    for s in settlements(ctx):
        ctx.set(s.flag_id, validate_update("flag", ctx.record(s.flag_id)[1], s.fields, ctx))


def test_arrival_settles_the_late_flag_with_when_the_person_arrived():
    ctx = person()
    tid = add(ctx, "transition", transition_type="VI_INGANG", planned_at=NOW - 2 * HOUR_MS)
    [fid] = raise_flags(ctx)
    assert settlements(ctx) == []  # not arrived: the flag stays open
    arrived = NOW - HOUR_MS
    ctx.set(tid, validate_update("transition", ctx.record(tid)[1], {"status": "AANGEKOMEN", "actual_at": arrived}, ctx))
    [s] = settlements(ctx)
    assert s.flag_id == fid
    assert s.fields == {"status": "AFGEHANDELD", "resolution_note": f"Aangekomen op {format_moment(arrived, 'nl')}."}
    apply(ctx)
    assert ctx.record(fid)[1]["status"] == "AFGEHANDELD"
    assert settlements(ctx) == []  # written once


def test_an_arrival_time_without_the_status_still_settles_it():
    ctx = person()
    tid = add(ctx, "transition", transition_type="VI_INGANG", planned_at=NOW - 2 * HOUR_MS)
    raise_flags(ctx)
    ctx.set(tid, {"actual_at": NOW - 30 * 60_000})
    assert [s.fields["status"] for s in settlements(ctx)] == ["AFGEHANDELD"]


def _living_with_victim() -> tuple[DictContext, str]:
    ctx = person()
    add(ctx, "network_person", name="Moeder (fictief)", relation="MOEDER", roles=["SLACHTOFFER"],
        lives_with_client=True)
    [fid] = raise_flags(ctx)
    return ctx, fid


def test_the_living_with_victim_flag_asks_for_the_weighing():
    ctx, fid = _living_with_victim()
    flag = ctx.record(fid)[1]
    assert flag["raised_by_rule"] == "VERHUIZING_SLACHTOFFERADRES"
    assert asks_for_meldcode(flag)
    assert flag_awaiting_weighing(ctx) == fid


def test_help_decision_settles_the_flag():
    ctx, fid = _living_with_victim()
    add(ctx, "meldcode", q1_vermoeden="JA", q2_acuut_of_structureel_onveilig="NEE", q3_hulp_mogelijk="JA",
        q4_hulp_aanvaard="JA", q5_leidt_tot_veiligheid="JA", flag_id=fid)
    [s] = settlements(ctx)
    assert s.fields == {"status": "AFGEHANDELD",
                        "resolution_note": "Meldcode-afweging gedaan, besluit: Hulp bieden of organiseren."}
    apply(ctx)
    assert not asks_for_meldcode(ctx.record(fid)[1])
    assert flag_awaiting_weighing(ctx) is None


def test_report_decision_keeps_the_flag_in_progress_with_the_decision():
    ctx, fid = _living_with_victim()
    add(ctx, "meldcode", q1_vermoeden="JA", q2_acuut_of_structureel_onveilig="JA",
        q2_toelichting="Dreiging (fictief).", flag_id=fid)
    [s] = settlements(ctx)
    assert s.fields["status"] == "IN_BEHANDELING"
    assert "Melden bij Veilig Thuis" in s.fields["resolution_note"]
    apply(ctx)
    assert settlements(ctx) == []  # the decision is noted once; a person may change the status after
    ctx.set(fid, {"status": "OPEN"})
    assert settlements(ctx) == []


def test_a_weighing_about_another_flag_leaves_this_one_open():
    ctx, fid = _living_with_victim()
    add(ctx, "meldcode", q1_vermoeden="NEE")
    assert settlements(ctx) == []
    assert flag_awaiting_weighing(ctx) == fid
