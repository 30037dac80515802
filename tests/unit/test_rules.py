"""Automatic flags: acute risk, victim-risk violations, late transitions, lapsed frameworks, living with a victim."""

import base64
import hashlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from field_app.domain import escalation, vocab
from field_app.domain.records import DictContext, validate_create, validate_update
from field_app.domain.rules import (
    TRANSITION_GRACE_MS,
    FlagProposal,
    evaluate,
    flag_record_id,
    lapse_followup,
    lapsed_framework,
)
from field_app.domain.timeutil import HOUR_MS, MINUTE_MS

NOW = 1_760_000_000_000
DAY = 24 * HOUR_MS


def person(**client) -> DictContext:
    ctx = DictContext("client-1", NOW)
    ctx.add("client", validate_create("client", {"display_name": "Test", "fictional": True, **client}, ctx))
    return ctx


def add(ctx: DictContext, type_: str, **fields) -> str:
    return ctx.add(type_, validate_create(type_, fields, ctx))


def contact(ctx: DictContext, **fields) -> str:
    base = {"contact_type": "HUISBEZOEK_AANGEKONDIGD", "outcome": "PLAATSGEVONDEN", "report": "Verslag.",
            "occurred_at": NOW - HOUR_MS}
    return add(ctx, "contact", **{**base, **fields})


def rules(ctx) -> list[str]:
    return [p.rule for p in evaluate(ctx)]


def assert_writable(ctx, proposals):
    """Every proposal is a valid flag record."""
    for p in proposals:
        validate_create("flag", p.fields(), ctx)
        assert p.note_nl and p.note_en


# -- flag ids ----------------------------------------------------------------------------------------

def test_flag_id_is_sha256_of_the_namespaced_parts_as_unpadded_base64url():
    digest = hashlib.sha256(b"veldwerk/auto-flag/v1\0client-1\0KADER_VERVALLEN\0fw-9").digest()[:16]
    assert flag_record_id("client-1", "KADER_VERVALLEN", "fw-9") == base64.urlsafe_b64encode(digest).decode().rstrip("=")
    assert len(flag_record_id("a", "b", "c")) == 22


@given(st.tuples(st.text(), st.text(), st.text()), st.tuples(st.text(), st.text(), st.text()))
def test_flag_ids_are_deterministic_and_distinct_per_client_rule_and_source(a, b):
    assert flag_record_id(*a) == flag_record_id(*a)
    if a != b and all("\0" not in s for s in a + b):
        assert flag_record_id(*a) != flag_record_id(*b)


def test_two_devices_raise_the_same_automatic_flag_as_one_record():
    one, two = person(), person()
    for ctx in (one, two):
        ctx.data.update({"t1": ("transition", validate_create("transition", {
            "transition_type": "ONTSLAG_DETENTIE", "planned_at": NOW - 2 * HOUR_MS}, ctx))})
    [p1], [p2] = evaluate(one), evaluate(two)
    assert p1 == p2 and p1.record_id("client-1") == p2.record_id("client-1")


# -- acute risk --------------------------------------------------------------------------------------

# DOMAIN.md §4.3 (trigger → route) with the urgencies of §9.13: (reason, route, urgency) per acute domain.
EXPECTED_ROUTE = {
    "SUICIDALITEIT": ("SUICIDERISICO", "GGZ_CRISISDIENST", "DIRECT"),
    "EMOTIONEEL_PSYCHISCH": ("PSYCHIATRISCHE_CRISIS", "GGZ_CRISISDIENST", "DIRECT"),
    "MEDICATIEONTROUW": ("PSYCHIATRISCHE_CRISIS", "GGZ_CRISISDIENST", "DIRECT"),
    # serious harm to oneself: the crisis service (Wvggz), not the police's "acute danger"
    "ZELFVERWAARLOZING": ("PSYCHIATRISCHE_CRISIS", "GGZ_CRISISDIENST", "DIRECT"),
    # acute unsafety at home: melden bij Veilig Thuis, acute = within 24 hours (§4.1 VT triage, §9.13)
    "HUISELIJK_GEWELD": ("HUISELIJK_GEWELD_ACUUT", "VEILIG_THUIS_MELDING", "BINNEN_24U"),
    "KINDERVEILIGHEID": ("KIND_ONVEILIG", "VEILIG_THUIS_MELDING", "BINNEN_24U"),
    "ONTTREKKING_TOEZICHT": ("ONTTREKKING", "OM_PIKET_VIA_RECLASSERING", "ZELFDE_DAG"),
    "VEILIGHEID_MEDEWERKER": ("DREIGING_MEDEWERKER", "POLITIE_112", "DIRECT"),
}
RULE_OF_ROUTE = {"POLITIE_112": "ACUUT_RISICO_POLITIE", "GGZ_CRISISDIENST": "ACUUT_RISICO_GGZ",
                 "VEILIG_THUIS_MELDING": "ACUUT_RISICO_VEILIG_THUIS", "OM_PIKET_VIA_RECLASSERING": "ACUUT_RISICO_OM"}


@pytest.mark.parametrize("domain", vocab.RisicoDomein.codes())
def test_acute_risk_goes_to_the_route_of_its_domain_with_the_urgency_of_its_trigger(domain):
    ctx = person()
    cid = contact(ctx, risks=[{"domain": domain, "severity": "ACUUT"}])
    [p] = evaluate(ctx)
    reason, route, urgency = EXPECTED_ROUTE.get(domain, ("ACUUT_GEVAAR", "POLITIE_112", "DIRECT"))
    assert (p.reason, p.route, p.urgency) == (reason, route, urgency)
    assert p.source_id == cid and p.rule == RULE_OF_ROUTE[route]
    assert_writable(ctx, [p])


@pytest.mark.parametrize("domain", vocab.RisicoDomein.codes())
def test_an_acute_risk_flag_is_what_escaleren_proposes_for_its_reason(domain):
    """One table: the automatic flag takes the route and urgency of its reason's §4.3 row in escalation."""
    ctx = person()
    contact(ctx, risks=[{"domain": domain, "severity": "ACUUT"}])
    [p] = evaluate(ctx)
    row = escalation.trigger_for(p.reason)
    if row is None:  # a reason without a row of its own (a threat to a worker)
        row = escalation.RULE_TRIGGERS[p.reason]
    assert escalation.Trigger(p.reason, p.route, p.urgency) == row


def test_acute_domestic_violence_and_an_unsafe_child_are_one_veilig_thuis_flag_within_24_hours():
    ctx = person()
    contact(ctx, risks=[{"domain": d, "severity": "ACUUT"} for d in ("HUISELIJK_GEWELD", "KINDERVEILIGHEID")])
    [p] = evaluate(ctx)
    assert (p.rule, p.reason, p.route, p.urgency) == (
        "ACUUT_RISICO_VEILIG_THUIS", "KIND_ONVEILIG", "VEILIG_THUIS_MELDING", "BINNEN_24U")
    assert "Huiselijk geweld" in p.note_nl


def test_high_risk_is_not_acute():
    ctx = person()
    contact(ctx, risks=[{"domain": d, "severity": "HOOG"} for d in ("SUICIDALITEIT", "WAPENS")])
    assert evaluate(ctx) == []


def test_several_acute_domains_make_one_flag_per_route():
    ctx = person()
    contact(ctx, risks=[{"domain": d, "severity": "ACUUT"} for d in
                        ("VEILIGHEID_MEDEWERKER", "WAPENS", "SUICIDALITEIT", "EMOTIONEEL_PSYCHISCH")])
    by_route = {p.route: p for p in evaluate(ctx)}
    assert set(by_route) == {"POLITIE_112", "GGZ_CRISISDIENST"}
    assert by_route["POLITIE_112"].reason == "ACUUT_GEVAAR"  # weapons outrank the threat to the worker
    assert by_route["GGZ_CRISISDIENST"].reason == "SUICIDERISICO"
    assert "Wapens" in by_route["POLITIE_112"].note_nl and "Weapons" in by_route["POLITIE_112"].note_en
    assert len({p.record_id("client-1") for p in by_route.values()}) == 2


def test_a_retracted_contact_raises_nothing():
    ctx = person()
    cid = contact(ctx, risks=[{"domain": "WAPENS", "severity": "ACUUT"}])
    ctx.retracted.add(cid)
    assert evaluate(ctx) == []


# -- violations with victim risk ---------------------------------------------------------------------

def framework(ctx, **fields) -> str:
    return add(ctx, "framework", framework_type="VI", start="2025-01-01", **fields)


@pytest.mark.parametrize("ctype, params, means, flagged", [
    ("CONTACTVERBOD", {"protected_persons": ["Slachtoffer X"]}, [], True),
    ("LOCATIEVERBOD", {"zone": "Woning ex", "protected_persons": ["Slachtoffer X"]}, [], True),
    ("LOCATIEVERBOD", {"zone": "Woning ex"}, ["EM_GPS"], True),
    ("LOCATIEVERBOD", {"zone": "Centrum"}, [], False),
    ("MELDPLICHT", {"frequency": "WEKELIJKS"}, [], False),
    ("LOCATIEGEBOD", {"time_windows": [{"days": ["MA"], "from": "22:00", "to": "07:00"}]}, ["EM_RF"], False),
])
def test_violation_of_a_condition_that_protects_someone_raises_a_direct_flag(ctype, params, means, flagged):
    ctx = person()
    fid = framework(ctx)
    cond = add(ctx, "condition", framework_id=fid, condition_type=ctype, parameters=params, control_means=means)
    cid = contact(ctx, compliance=[{"condition_id": cond, "status": "OVERTREDING",
                                    "violation": {"severity": "ERNSTIG", "response": "SPOEDMELDING_OM_POLITIE"}}])
    proposals = evaluate(ctx)
    if not flagged:
        assert proposals == []
        return
    [p] = proposals
    assert (p.rule, p.source_id, p.reason, p.urgency, p.route) == (
        "OVERTREDING_SLACHTOFFER", cid, "OVERTREDING_SLACHTOFFERRISICO", "DIRECT", "OM_PIKET_VIA_RECLASSERING")
    assert_writable(ctx, proposals)


def test_compliance_without_violation_raises_nothing():
    ctx = person()
    cond = add(ctx, "condition", framework_id=framework(ctx), condition_type="CONTACTVERBOD",
               parameters={"protected_persons": ["X"]})
    contact(ctx, compliance=[{"condition_id": cond, "status": "SIGNAAL_TWIJFEL"}])
    assert evaluate(ctx) == []


# -- transitions -------------------------------------------------------------------------------------

transition_states = st.fixed_dictionaries({
    "planned_at": st.one_of(st.none(), st.integers(NOW - 3 * DAY, NOW + DAY)),
    "actual_at": st.one_of(st.none(), st.integers(NOW - 3 * DAY, NOW)),
    "status": st.sampled_from(vocab.OvergangStatus.codes()),
})


@settings(max_examples=300, deadline=None)
@given(transition_states, st.integers(NOW - DAY, NOW + 2 * DAY))
def test_late_transition_flag_exactly_when_planned_plus_grace_passed_and_not_arrived(state, now):
    ctx = DictContext("client-1", now)
    tid = ctx.add("transition", {"transition_type": "ONTSLAG_DETENTIE", **state})
    late = (state["planned_at"] is not None and state["planned_at"] + TRANSITION_GRACE_MS < now
            and state["actual_at"] is None and state["status"] not in ("AANGEKOMEN", "MISLUKT", "GEANNULEERD"))
    assert ("OVERGANG_TE_LAAT" in rules(ctx)) == late
    if late:
        [p] = [p for p in evaluate(ctx) if p.rule == "OVERGANG_TE_LAAT"]
        assert (p.source_id, p.reason, p.urgency, p.route) == (
            tid, "OVERGANG_MISLUKT_OF_VERTRAAGD", "ZELFDE_DAG", "PROCESREGISSEUR_ZVH")


def test_grace_period_boundary_is_thirty_minutes():
    assert TRANSITION_GRACE_MS == 30 * MINUTE_MS
    ctx = person()
    add(ctx, "transition", transition_type="OVERPLAATSING_KLINIEK_VOORWAARDELIJK",
        planned_at=NOW - TRANSITION_GRACE_MS)
    assert evaluate(ctx) == []
    ctx.now += 1
    [p] = evaluate(ctx)
    assert p.rule == "OVERGANG_TE_LAAT" and "nog niet aangekomen" in p.note_nl
    assert_writable(ctx, [p])


def test_arrival_ends_the_late_flag_and_failure_raises_its_own():
    ctx = person()
    tid = add(ctx, "transition", transition_type="VI_INGANG", planned_at=NOW - 2 * HOUR_MS)
    assert rules(ctx) == ["OVERGANG_TE_LAAT"]
    current = ctx.record(tid)[1]
    ctx.set(tid, validate_update("transition", current, {"status": "AANGEKOMEN", "actual_at": NOW - HOUR_MS}, ctx))
    assert rules(ctx) == []
    ctx.set(tid, {"status": "MISLUKT", "actual_at": None})
    assert rules(ctx) == ["OVERGANG_MISLUKT"]


# -- lapsed frameworks -------------------------------------------------------------------------------

frameworks = st.lists(st.tuples(st.sampled_from(vocab.KaderType.codes()), st.sampled_from(vocab.KaderStatus.codes()),
                                st.one_of(st.none(), st.dates().map(str))), max_size=5)


@settings(max_examples=300, deadline=None)
@given(frameworks)
def test_lapse_flag_exactly_when_no_binding_framework_is_left_and_one_lapsed(items):
    ctx = person()
    for ftype, status, end in items:
        ctx.add("framework", {"framework_type": ftype, "status": status, "end": end})
    real = [(t, s) for t, s, _ in items if t != "GEEN_KADER"]
    binding = any(s in ("ACTIEF", "GESCHORST") for _, s in real)
    lapsed = any(s in ("VERVALLEN", "BEEINDIGD_REGULIER") for _, s in real)
    assert ("KADER_VERVALLEN" in rules(ctx)) == (lapsed and not binding)
    assert (lapse_followup(ctx) is not None) == (lapsed and not binding)


def test_revocation_is_not_a_lapse_it_is_a_return_to_detention():
    ctx = person()
    ctx.add("framework", {"framework_type": "VI", "status": "BEEINDIGD_HERROEPEN"})
    assert lapsed_framework(ctx) is None and evaluate(ctx) == []


def test_lapse_names_the_last_framework_to_end():
    ctx = person(regime="DWANG")
    add(ctx, "framework", framework_type="SVH", status="BEEINDIGD_REGULIER", end="2025-09-16")
    vv = add(ctx, "framework", framework_type="VV", status="VERVALLEN", decision_date="2025-09-16", end="2025-09-16")
    add(ctx, "framework", framework_type="GEEN_KADER")
    [p] = evaluate(ctx)
    assert (p.rule, p.source_id, p.reason, p.urgency, p.route) == (
        "KADER_VERVALLEN", vv, "KADER_VERVALLEN", "ZELFDE_DAG", "PROCESREGISSEUR_ZVH")
    assert_writable(ctx, [p])


def apply(ctx: DictContext, writes: list[dict]) -> None:
    """Write the follow-up as the services would: validated create or set."""
    for w in writes:
        if w["kind"] == "create":
            ctx.add(w["type"], validate_create(w["type"], w["fields"], ctx), w["record_id"])
        else:
            current = ctx.record(w["record_id"])[1]
            ctx.set(w["record_id"], validate_update(w["type"], current, w["fields"], ctx))


def test_lapsed_framework_opens_spoed_nazorg_and_keeps_the_person_under_drang():
    ctx = person(regime="DWANG")
    fid = add(ctx, "framework", framework_type="VV", status="VERVALLEN")
    case = add(ctx, "zvh_case", approach="NAZORG", regime="DWANG")
    add(ctx, "network_person", name="Moeder", relation="MOEDER", roles=["SLACHTOFFER"])
    follow = lapse_followup(ctx)
    assert follow["framework_id"] == fid
    apply(ctx, follow["writes"])
    [(_, aftercare)] = ctx.records("aftercare")
    assert aftercare["spoed"] is True
    assert aftercare["spoed_checklist"] == {k: "OPEN" for k in (
        "ID_GELDIG", "ONDERDAK_EERSTE_NACHT", "INKOMEN_AANGEVRAAGD", "ZORGVERZEKERING", "SCHULDEN_IN_BEELD",
        "VT_AFWEGING_GEDAAN")}
    assert ctx.record("client-1")[1]["regime"] == "DRANG" and ctx.record(case)[1]["regime"] == "DRANG"
    assert lapse_followup(ctx) is None  # written once; calling again is harmless


def test_followup_keeps_voluntary_regime_and_existing_aftercare_items():
    ctx = person(regime="VRIJWILLIG")
    add(ctx, "framework", framework_type="HUISVERBOD", status="BEEINDIGD_REGULIER")
    aid = add(ctx, "aftercare", spoed_checklist={"ID_GELDIG": "GEREGELD"})
    follow = lapse_followup(ctx)
    assert [w["type"] for w in follow["writes"]] == ["aftercare"]
    apply(ctx, follow["writes"])
    after = ctx.record(aid)[1]
    assert after["spoed"] and after["spoed_checklist"]["ID_GELDIG"] == "GEREGELD"
    assert "VT_AFWEGING_GEDAAN" not in after["spoed_checklist"]  # no victim, no child at home
    assert ctx.record("client-1")[1]["regime"] == "VRIJWILLIG"
    assert lapse_followup(ctx) is None


# -- living with a victim ----------------------------------------------------------------------------

@pytest.mark.parametrize("housing, roles, lives_with, flagged", [
    ("BIJ_FAMILIE", ["SLACHTOFFER"], True, True),
    ("ONBEKEND", ["SLACHTOFFER", "MANTELZORGER"], True, True),
    ("ZELFSTANDIG", ["SLACHTOFFER"], True, True),
    ("BIJ_FAMILIE", ["SLACHTOFFER"], False, False),
    ("BIJ_FAMILIE", ["STEUNFIGUUR"], True, False),
    ("PI", ["SLACHTOFFER"], True, False),
])
def test_living_with_a_victim_asks_for_a_veilig_thuis_weighing_within_24_hours(housing, roles, lives_with, flagged):
    ctx = person(housing_type=housing)
    pid = add(ctx, "network_person", name="Truus", relation="MOEDER", roles=roles, lives_with_client=lives_with)
    proposals = evaluate(ctx)
    assert bool(proposals) == flagged
    if flagged:
        [p] = proposals
        assert (p.rule, p.source_id, p.reason, p.urgency, p.route) == (
            "VERHUIZING_SLACHTOFFERADRES", pid, "VERHUIZING_NAAR_RISICOADRES", "BINNEN_24U", "VEILIG_THUIS_MELDING")
        assert_writable(ctx, proposals)


# -- general -----------------------------------------------------------------------------------------

def test_closed_client_gets_no_flags_and_no_followup():
    ctx = person(status="AFGESLOTEN")
    contact(ctx, risks=[{"domain": "WAPENS", "severity": "ACUUT"}])
    add(ctx, "framework", framework_type="VV", status="VERVALLEN")
    assert evaluate(ctx) == [] and lapse_followup(ctx) is None


def test_evaluate_is_deterministic_and_repeats_while_the_condition_holds():
    ctx = person(housing_type="BIJ_FAMILIE")
    add(ctx, "network_person", name="T", relation="MOEDER", roles=["SLACHTOFFER"], lives_with_client=True)
    add(ctx, "framework", framework_type="VV", status="VERVALLEN")
    contact(ctx, risks=[{"domain": "HUISELIJK_GEWELD", "severity": "ACUUT"}])
    first = evaluate(ctx)
    assert first == evaluate(ctx) and len(first) == 3
    assert [p.rule for p in first] == sorted(p.rule for p in first)
    assert all(isinstance(p, FlagProposal) for p in first)


def test_rules_tolerate_records_from_older_app_versions():
    ctx = DictContext("client-1", NOW)
    ctx.add("contact", {"contact_type": "KANTOOR", "outcome": "PLAATSGEVONDEN", "report": "x",
                        "occurred_at": NOW - DAY, "risks": [{"domain": "NIEUW_DOMEIN", "severity": "ACUUT"}]})
    ctx.add("transition", {"transition_type": "NIEUW_TYPE", "planned_at": NOW - DAY})
    ctx.add("framework", {"framework_type": "NIEUW", "status": "NIEUWE_STATUS"})
    assert sorted(rules(ctx)) == ["ACUUT_RISICO_POLITIE", "OVERGANG_TE_LAAT"]


def test_every_automatic_flag_takes_reason_route_and_urgency_from_the_escalation_table():
    """Each rule fires here once; every proposal is its reason's entry in ``escalation`` (DOMAIN.md §4.3)."""
    ctx = person(housing_type="BIJ_FAMILIE")
    add(ctx, "network_person", name="T", relation="MOEDER", roles=["SLACHTOFFER"], lives_with_client=True)
    add(ctx, "transition", transition_type="VI_INGANG", planned_at=NOW - 2 * HOUR_MS)
    fid = framework(ctx)
    ban = add(ctx, "condition", framework_id=fid, condition_type="CONTACTVERBOD",
              parameters={"protected_persons": ["X"]})
    contact(ctx, compliance=[{"condition_id": ban, "status": "OVERTREDING",
                              "violation": {"severity": "ERNSTIG", "response": "SPOEDMELDING_OM_POLITIE"}}])
    for domain in vocab.RisicoDomein.codes():
        contact(ctx, risks=[{"domain": domain, "severity": "ACUUT"}])
    ctx.set(fid, {"status": "VERVALLEN"})  # the v.i. lapsed after the violation
    proposals = evaluate(ctx)
    assert {p.rule for p in proposals} == set(vocab.FlagRegel.codes()) - {"OVERGANG_MISLUKT"}
    for p in proposals:
        assert escalation.Trigger(p.reason, p.route, p.urgency) == escalation.for_reason(p.reason), p.rule
    table = {**escalation.TRIGGERS, **escalation.RULE_TRIGGERS}
    assert {p.reason for p in proposals} <= set(table)
