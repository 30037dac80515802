"""What *Escaleren?* proposes: the route of each escalation trigger (DOMAIN.md §4.3) and, for a violation,
the step of the response ladder (§3.4) given the earlier violations on this client."""

import pytest

from field_app.domain import escalation
from field_app.domain.records import DictContext, validate_create
from field_app.domain.timeutil import DAY_MS
from field_app.domain.vocab import FlagReden, Route, Urgentie

NOW = 1_760_000_000_000

# DOMAIN.md §4.3, one row each: (trigger, the flag reasons of §9.13 it covers, route, urgency)
SECTION_4_3 = [
    ("Immediate danger to life or limb; weapons; violence in progress", ["ACUUT_GEVAAR"], "POLITIE_112", "DIRECT"),
    ("Psychiatric crisis", ["PSYCHIATRISCHE_CRISIS"], "GGZ_CRISISDIENST", "DIRECT"),
    ("Suicidality", ["SUICIDERISICO"], "GGZ_CRISISDIENST", "DIRECT"),
    ("Acute unsafety at home (huiselijk geweld, kindermishandeling)", ["HUISELIJK_GEWELD_ACUUT", "KIND_ONVEILIG"],
     "VEILIG_THUIS_MELDING", "BINNEN_24U"),
    ("Structural unsafety at home", ["HUISELIJK_GEWELD_STRUCTUREEL"], "VEILIG_THUIS_MELDING", "BINNEN_5_WERKDAGEN"),
    ("Condition violation with victim risk", ["OVERTREDING_SLACHTOFFERRISICO"], "OM_PIKET_VIA_RECLASSERING", "DIRECT"),
    ("Client out of sight, absconding, no-show streak", ["ONTTREKKING"], "OM_PIKET_VIA_RECLASSERING", "ZELFDE_DAG"),
    ("Failed or late transition", ["OVERGANG_MISLUKT_OF_VERTRAAGD"], "PROCESREGISSEUR_ZVH", "ZELFDE_DAG"),
]


@pytest.mark.parametrize(("row", "reasons", "route", "urgency"), SECTION_4_3, ids=[r[0] for r in SECTION_4_3])
def test_each_escalation_trigger_goes_the_route_of_its_row(row, reasons, route, urgency):
    for reason in reasons:
        assert escalation.trigger_for(reason) == escalation.Trigger(reason, route, urgency), row


def test_every_trigger_uses_codes_of_the_vocabulary_and_other_reasons_have_no_row():
    for t in [*escalation.TRIGGERS.values(), *escalation.LADDER_STEPS.values()]:
        FlagReden(t.reason), Route(t.route), Urgentie(t.urgency)
    covered = {r for _, reasons, _, _ in SECTION_4_3 for r in reasons}
    assert set(escalation.TRIGGERS) == covered
    assert escalation.trigger_for("ANDERS") is None


# Reasons only the automatic rules raise, without a §4.3 row of their own: (reason, route, urgency, basis)
RULE_ONLY = [
    ("DREIGING_MEDEWERKER", "POLITIE_112", "DIRECT", "§4.3 immediate danger to life or limb"),
    ("KADER_VERVALLEN", "PROCESREGISSEUR_ZVH", "ZELFDE_DAG", "§4.3 release without a plan; §10 case B"),
    ("VERHUIZING_NAAR_RISICOADRES", "VEILIG_THUIS_MELDING", "BINNEN_24U", "§4.3 unsafety at home; §10 case B"),
]


@pytest.mark.parametrize(("reason", "route", "urgency", "basis"), RULE_ONLY, ids=[r[0] for r in RULE_ONLY])
def test_a_reason_only_a_rule_raises_has_its_route_but_no_row_for_the_manual_proposal(reason, route, urgency, basis):
    assert escalation.for_reason(reason) == escalation.Trigger(reason, route, urgency), basis
    assert escalation.trigger_for(reason) is None


@pytest.mark.parametrize(("row", "reasons", "route", "urgency"), SECTION_4_3, ids=[r[0] for r in SECTION_4_3])
def test_an_automatic_flag_with_a_reason_of_a_row_takes_that_row(row, reasons, route, urgency):
    for reason in reasons:
        assert escalation.for_reason(reason) == escalation.trigger_for(reason), row


def test_anders_has_no_route_of_its_own():
    with pytest.raises(KeyError):
        escalation.for_reason("ANDERS")


def client(condition_type="MIDDELENVERBOD", parameters=None, **extra):
    if parameters is None and condition_type == "MIDDELENVERBOD":
        parameters = {"substances": ["ALCOHOL"]}
    ctx = DictContext("c1", NOW)
    ctx.add("client", validate_create("client", {"display_name": "Test", "fictional": True}, ctx))
    fw = ctx.add("framework", validate_create("framework", {"framework_type": "VI", "start": "2025-01-01"}, ctx))
    fields = {"framework_id": fw, "condition_type": condition_type, **extra}
    if parameters is not None:
        fields["parameters"] = parameters
    cond = ctx.add("condition", validate_create("condition", fields, ctx))
    return ctx, cond, ctx.records("condition")[0][1]


def violation(ctx, cond, at, response, severity="GERING"):
    return ctx.add("contact", validate_create("contact", {
        "contact_type": "KANTOOR", "outcome": "PLAATSGEVONDEN", "occurred_at": at, "report": "Test.",
        "compliance": [{"condition_id": cond, "status": "OVERTREDING",
                        "violation": {"severity": severity, "response": response}}]}, ctx))


def advise(ctx, cond, condition, severity="GERING", response=None):
    note = violation(ctx, cond, NOW, response or "AANSPREKEN", severity)
    return escalation.for_violation(ctx, cond, condition, at=NOW, severity=severity, response=response,
                                    exclude=note)


# (earlier responses on this condition, the ladder's step now, reason, route, urgency)
LADDER_CASES = [
    ([], "AANSPREKEN", "ANDERS", "TEAMLEIDER", "VOLGEND_OVERLEG"),
    (["AANSPREKEN"], "SCHRIFTELIJKE_WAARSCHUWING", "ANDERS", "TEAMLEIDER", "BINNEN_5_WERKDAGEN"),
    (["AANSPREKEN", "SCHRIFTELIJKE_WAARSCHUWING"], "OVERLEG_OPDRACHTGEVER", "ANDERS", "OM_PIKET_VIA_RECLASSERING",
     "BINNEN_5_WERKDAGEN"),
    (["AANSPREKEN", "SCHRIFTELIJKE_WAARSCHUWING", "OVERLEG_OPDRACHTGEVER"], "RAPPORTAGE_OM", "ANDERS",
     "OM_PIKET_VIA_RECLASSERING", "BINNEN_5_WERKDAGEN"),
]


@pytest.mark.parametrize(("earlier", "step", "reason", "route", "urgency"), LADDER_CASES)
def test_a_violation_climbs_the_ladder_from_the_reclassering_to_the_om(earlier, step, reason, route, urgency):
    ctx, cond, condition = client()
    for i, response in enumerate(earlier):
        violation(ctx, cond, NOW - (10 - i) * DAY_MS, response)
    a = advise(ctx, cond, condition)
    assert a.step.step == step and a.step.earlier == len(earlier)  # this contact does not count itself
    assert a.trigger == escalation.Trigger(reason, route, urgency)


def test_a_recorded_response_more_pressing_than_the_ladder_wins_a_lower_one_does_not():
    ctx, cond, condition = client()
    assert advise(ctx, cond, condition, response="RAPPORTAGE_OM").trigger.route == "OM_PIKET_VIA_RECLASSERING"
    ctx, cond, condition = client()
    violation(ctx, cond, NOW - 5 * DAY_MS, "AANSPREKEN")
    violation(ctx, cond, NOW - 4 * DAY_MS, "SCHRIFTELIJKE_WAARSCHUWING")
    assert advise(ctx, cond, condition, response="AANSPREKEN").trigger.route == "OM_PIKET_VIA_RECLASSERING"


def test_serious_victim_and_acute_violations_take_their_own_rows():
    ctx, cond, condition = client()
    a = advise(ctx, cond, condition, severity="ERNSTIG")  # serious: the ladder's spoedmelding, at once
    assert (a.step.step, a.trigger.route, a.trigger.urgency) == (
        "SPOEDMELDING_OM_POLITIE", "OM_PIKET_VIA_RECLASSERING", "DIRECT")
    assert advise(ctx, cond, condition, severity="ACUUT_GEVAAR").trigger == escalation.TRIGGERS["ACUUT_GEVAAR"]
    ctx, cond, condition = client("LOCATIEVERBOD", {"zone": "Wijk X (fictief)"}, control_means=["EM_GPS"])
    a = advise(ctx, cond, condition)  # a first, minor violation of a victim zone still goes to the OM
    assert a.trigger == escalation.TRIGGERS["OVERTREDING_SLACHTOFFERRISICO"] and a.step.step == "SPOEDMELDING_OM_POLITIE"


def test_a_second_missed_report_in_a_row_is_a_no_show_streak():
    ctx, cond, condition = client("MELDPLICHT", {"frequency": "WEKELIJKS"})
    assert advise(ctx, cond, condition).trigger.route == "TEAMLEIDER"  # the first one: the reclassering talks
    ctx, cond, condition = client("MELDPLICHT", {"frequency": "WEKELIJKS"})
    violation(ctx, cond, NOW - 7 * DAY_MS, "AANSPREKEN")
    assert advise(ctx, cond, condition).trigger == escalation.TRIGGERS["ONTTREKKING"]


def test_several_violations_make_one_flag_with_the_most_pressing_trigger():
    ctx, cond, condition = client()
    minor = advise(ctx, cond, condition)
    acute = advise(ctx, cond, condition, severity="ACUUT_GEVAAR")
    assert escalation.combine([minor, acute]) == escalation.TRIGGERS["ACUUT_GEVAAR"]
    assert escalation.combine([minor]).route == "TEAMLEIDER"
    assert escalation.combine([]).route == "TEAMLEIDER"
