"""Betrokken organisaties (#15): involved organisations derived from the file, and the ones it calls for."""

from __future__ import annotations

from field_app.domain import organisations as o
from field_app.domain.demo_cases import DEMO_CASES, seed_context
from field_app.domain.records import validate_create


def _by_key(ctx):
    return {i.key: i for i in o.involved(ctx)}


def test_case_a_involves_court_supervision_zvh_police_transport_and_clinic():
    ctx, _ = seed_context(DEMO_CASES["A"])
    found = _by_key(ctx)
    assert set(found) == {"RECHTBANK", "SVG", "ZVH", "POLITIE", "DJI", "name:fpk de linde (fictief)"}
    assert found["SVG"].contact == "Lotte de Boer"
    assert ("Toezicht (reclassering)", "Supervision (probation)") in found["SVG"].roles
    assert any(nl.startswith("Handhaaft: contactverbod") for nl, _ in found["POLITIE"].roles)  # enforcer BEIDE
    assert found["ZVH"].contact == "Anouk Prins"
    assert ("Casusregisseur: Sanne Kok", "Case director: Sanne Kok") in found["ZVH"].roles
    assert found["DJI"].name == "DV&O"
    # last contact: the PI's phone call (DJI) and the three-way meeting with the clinic's clinician
    assert found["DJI"].last_contact is not None
    assert found["name:fpk de linde (fictief)"].last_contact > found["DJI"].last_contact
    assert found["RECHTBANK"].last_contact is None
    assert o.proposed(ctx) == []


def test_case_b_proposes_veilig_thuis_with_the_reason():
    ctx, _ = seed_context(DEMO_CASES["B"])
    found = _by_key(ctx)
    assert set(found) == {"GEMEENTE", "POLITIE", "VERSLAVINGSZORG", "ZVH"}  # actions and conference
    assert found["POLITIE"].last_contact is not None  # attended the conference
    [vt] = o.proposed(ctx)
    assert vt.organisation == "VEILIG_THUIS" and vt.rules == ("HG_SIGNAAL",)
    assert "Veilig Thuis" in vt.reason("nl") and "domestic" in vt.reason("en").lower()


def test_adding_the_organisation_makes_it_involved_with_its_contact():
    ctx, _ = seed_context(DEMO_CASES["B"])
    rid = ctx.add("organisation", validate_create("organisation", {
        "organisation": "VEILIG_THUIS", "name": "Veilig Thuis Noordrand (fictief)", "contact_person": "Ilse Janssen",
        "last_contact": "2025-09-24"}, ctx))
    vt = _by_key(ctx)["VEILIG_THUIS"]
    assert vt.record_id == rid and vt.contact == "Ilse Janssen" and vt.last_contact is not None
    assert o.proposed(ctx) == []


def test_dismissing_a_proposal_keeps_it_out_of_both_lists():
    ctx, _ = seed_context(DEMO_CASES["B"])
    ctx.add("organisation", validate_create("organisation", {
        "organisation": "VEILIG_THUIS", "status": "AFGEWEZEN", "dismiss_reason": "Politie heeft al gemeld."}, ctx))
    assert "VEILIG_THUIS" not in _by_key(ctx)
    assert o.proposed(ctx) == []


def test_em_calls_for_the_monitoring_room_and_dji_and_a_victim_ban_for_the_police():
    ctx, _ = seed_context(DEMO_CASES["E"])
    assert {p.organisation: p.rules for p in o.proposed(ctx)} == {
        "EM_MELDKAMER": ("EM_MELDKAMER",), "DJI": ("EM_DJI",), "POLITIE": ("SLACHTOFFER_VERBOD",)}
    ctx, _ = seed_context(DEMO_CASES["C"])  # the police enforce C's bans already: only EM is proposed
    assert {p.organisation for p in o.proposed(ctx)} == {"EM_MELDKAMER", "DJI"}


def test_acute_psychiatric_risk_calls_for_the_crisis_service():
    ctx, _ = seed_context(DEMO_CASES["D"])
    assert [p.organisation for p in o.proposed(ctx)] == ["GGZ_CRISISDIENST"]


def test_each_row_of_the_table_fires_on_its_own_situation():
    ctx, _ = seed_context(DEMO_CASES["A"][:1])  # the client alone
    assert o.involved(ctx) == [] and o.proposed(ctx) == []
    ctx.set(ctx.client_id, {"housing_type": "DAKLOOS"})
    kid = ctx.add("network_person", validate_create("network_person", {"name": "K", "relation": "KIND",
                                                                       "minor": True}, ctx))
    ctx.add("contact", validate_create("contact", {
        "contact_type": "TELEFONISCH", "outcome": "PLAATSGEVONDEN", "occurred_at": ctx.now - 1000, "report": "r",
        "risks": [{"domain": "KINDERVEILIGHEID", "severity": "MIDDEN", "persons": [kid]},
                  {"domain": "DRUGS", "severity": "HOOG"}]}, ctx))
    ctx.add("transition", validate_create("transition", {"transition_type": "ONTSLAG_DETENTIE"}, ctx))
    rules = {r for p in o.proposed(ctx) for r in p.rules}
    assert rules == {"HG_SIGNAAL", "KIND_BETROKKEN", "VRIJLATING", "VERSLAVING", "GEEN_ONDERDAK"}


def test_an_employer_in_the_network_is_an_organisation_by_name():
    ctx, _ = seed_context(DEMO_CASES["A"][:1])
    ctx.add("network_person", validate_create("network_person", {"name": "Bakkerij Jansen (fictief)",
                                                                  "relation": "WERKGEVER"}, ctx))
    [item] = o.involved(ctx)
    assert item.code is None and item.name == "Bakkerij Jansen (fictief)"
