"""Review and follow-up across real devices and a real server: the return-for-revision loop, a report's
four eyes, two supervisors deciding offline, flags acknowledged and resolved, roles refused and ignored."""

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from secsupport import make_team  # noqa: E402

from field_app.app_api import NotAllowed, ValidationError  # noqa: E402

COORD_PASS = "coordinator passphrase long enough"
SUP2_PASS = "second supervisor passphrase long"


@pytest.fixture
def t(tmp_path):
    team = make_team(tmp_path)
    team.coord = team.enrol("coordinator", "Kees Visser (fictief)", COORD_PASS, role="PROCESREGISSEUR")
    yield team
    team.close()


def round_trip(*devices):
    for d in devices:
        d.sync_once()
    for d in devices:
        d.sync_once()


def violation_contact(work, cid):
    fw = work.create_record("framework", cid, {"framework_type": "VV", "start": "2025-01-01"})
    cond = work.create_record("condition", cid, {"framework_id": fw, "condition_type": "MELDPLICHT",
                                                  "parameters": {"frequency": "WEKELIJKS"}})
    return work.create_record("contact", cid, {
        "contact_type": "KANTOOR", "outcome": "NIET_VERSCHENEN", "excused": False,
        "compliance": [{"condition_id": cond, "status": "OVERTREDING",
                        "violation": {"severity": "GERING", "response": "AANSPREKEN", "proposed": "AANSPREKEN"}}]})


def test_return_for_revision_loop_end_to_end(t):
    cid = t.work.intake("Review Persoon (fictief)", fictional=True)
    calm = t.work.create_record("contact", cid, {"contact_type": "TELEFONISCH", "outcome": "PLAATSGEVONDEN",
                                                 "report": "Gebeld, alles rustig."})
    note = violation_contact(t.work, cid)
    round_trip(t.work, t.sup)

    # the supervisor reads the team's file without breaking the glass; the opening is logged as a review
    t.sup.open_client_file(cid)
    queue = t.sup.review_queue()
    assert [i.record.id for i in queue] == [note, calm]  # the violation first within the worker's group
    assert queue[0].attention and queue[0].client_name == "Review Persoon (fictief)"
    with pytest.raises(ValidationError) as exc:
        t.sup.review(note, "AANPASSEN", "")
    assert "comment" in exc.value.errors
    t.sup.review(note, "AANPASSEN", "Noem de bron van de melding.")
    t.sup.review(calm, "GOEDGEKEURD")
    assert [i.record.id for i in t.sup.review_queue()] == []
    round_trip(t.sup, t.work)

    returned = t.work.review_queue()  # the author's view: what came back
    assert [i.record.id for i in returned] == [note]
    state = t.work.review_state(note)
    assert state.status == "AANPASSEN" and state.current.comment == "Noem de bron van de melding."
    assert state.current.by == "Fatima El Amrani (fictief)"
    assert t.work.review_state(calm).approved
    t.work.resubmit(note, "Bron: de balie van het kantoor.")
    assert t.work.record(note).addenda[-1].text == "Bron: de balie van het kantoor."
    round_trip(t.work, t.sup)

    again = t.sup.review_queue()
    assert [(i.record.id, i.state.status) for i in again] == [(note, "OPNIEUW_INGEDIEND")]
    t.sup.review(note, "GOEDGEKEURD")
    round_trip(t.sup, t.work, t.coord)
    for device in (t.work, t.coord):
        final = device.review_state(note)
        assert final.approved and [h.decision for h in final.history] == ["AANPASSEN", "OPNIEUW_INGEDIEND",
                                                                          "GOEDGEKEURD"]
    log = t.sup.access_log(cid)
    assert any(e["action"] == "review" and not e["break_glass"] for e in log)


def test_report_needs_a_second_reader_and_is_locked_once_approved(t):
    cid = t.work.intake("Rapport Persoon (fictief)", fictional=True)
    rid = t.work.create_record("report", cid, {"report_type": "OVERTREDING", "requested_by": "OM",
                                               "due_date": "2030-01-15", "advice": "WAARSCHUWING_OM",
                                               "text": "Advies aan het OM.", "status": "TER_GOEDKEURING"})
    with pytest.raises(ValidationError):
        t.work.update_record(rid, {"status": "DEFINITIEF"})
    with pytest.raises(ValidationError):
        t.work.update_record(rid, {"status": "VERZONDEN"})  # not before approval
    with pytest.raises(NotAllowed):
        t.work.review(rid, "GOEDGEKEURD")  # a field worker does not approve
    round_trip(t.work, t.sup)
    assert [i.record.id for i in t.sup.review_queue()] == [rid]
    t.sup.review(rid, "GOEDGEKEURD", "Akkoord.")
    round_trip(t.sup, t.work)
    assert t.work.report_status(rid) == "DEFINITIEF"
    with pytest.raises(ValidationError) as exc:
        t.work.update_record(rid, {"text": "Toch iets anders."})
    assert "goedgekeurd" in exc.value.errors["record_id"]
    t.work.update_record(rid, {"status": "VERZONDEN", "sent_on": "2030-01-10"})
    assert t.work.report_status(rid) == "VERZONDEN"

    # the OM's decision changes the file: the conditions it names end
    fw = t.work.create_record("framework", cid, {"framework_type": "VV", "start": "2025-01-01"})
    cond = t.work.create_record("condition", cid, {"framework_id": fw, "condition_type": "BEHANDELVERPLICHTING"})
    t.work.record_decision(cid, {"decision": "VORDERING_WIJZIGING", "date": "2030-01-20", "report_id": rid,
                                 "effect": "VOORWAARDEN_BEEINDIGD", "condition_ids": [cond]})
    assert t.work.record(cond).fields["active"] is False


def test_own_report_is_not_approved_by_its_author(t):
    cid = t.sup.intake("Eigen Rapport (fictief)", fictional=True)
    rid = t.sup.create_record("report", cid, {"report_type": "EIND", "requested_by": "OM",
                                              "status": "TER_GOEDKEURING"})
    with pytest.raises(NotAllowed):
        t.sup.review(rid, "GOEDGEKEURD")
    assert t.sup.report_status(rid) == "TER_GOEDKEURING"


def test_two_supervisors_offline_both_kept_the_later_counts(t):
    sup2 = t.enrol("supervisor2", "Joop Smit (fictief)", SUP2_PASS, role="WERKBEGELEIDER")
    cid = t.work.intake("Twee Oordelen (fictief)", fictional=True)
    note = t.work.create_record("contact", cid, {"contact_type": "TELEFONISCH", "outcome": "PLAATSGEVONDEN",
                                                 "report": "Kort gebeld."})
    round_trip(t.work, t.sup, sup2)
    t.clocks["supervisor"].advance(0)
    t.sup.review(note, "AANPASSEN", "Te kort.")
    sup2.review(note, "GOEDGEKEURD", "Prima zo.")  # written later by the wall clock
    round_trip(t.sup, sup2, t.work)
    for device in (t.sup, sup2, t.work):
        state = device.review_state(note)
        assert len(state.history) == 2
        assert state.status == "GOEDGEKEURD" and state.current.by == "Joop Smit (fictief)"


def test_flag_acknowledged_by_the_assignee_and_resolved_seen_by_the_coordinator(t):
    cid = t.work.intake("Signaal Persoon (fictief)", fictional=True)
    round_trip(t.work, t.coord)
    flag = t.coord.create_record("flag", cid, {"reason": "ONTTREKKING", "urgency": "ZELFDE_DAG",
                                               "route": "PROCESREGISSEUR_ZVH", "assignee": "Lotte de Boer (fictief)",
                                               "note": "Niet verschenen en telefoon uit."})
    round_trip(t.coord, t.work)
    mine = t.work.flag_queue()
    assert [i.record.id for i in mine] == [flag] and mine[0].mine and not mine[0].acknowledged_by
    t.work.acknowledge_flag(flag)
    round_trip(t.work, t.coord)
    seen = {i.record.id: i for i in t.coord.flag_queue()}[flag]
    assert seen.acknowledged_by == "Lotte de Boer (fictief)" and seen.acknowledged_at
    assert seen.record.fields["status"] == "IN_BEHANDELING"
    with pytest.raises(ValidationError):
        t.work.resolve_flag(flag, " ")
    t.work.resolve_flag(flag, "Bereikt via zijn moeder; afspraak morgen.")
    round_trip(t.work, t.coord)
    assert flag not in {i.record.id for i in t.coord.flag_queue()}
    assert t.coord.record(flag).fields["resolution_note"].startswith("Bereikt")


def test_an_overdue_flag_moves_up_the_queue(t):
    cid = t.work.intake("Te Laat (fictief)", fictional=True)
    late = t.work.create_record("flag", cid, {"reason": "ANDERS", "urgency": "BINNEN_5_WERKDAGEN",
                                              "route": "TEAMLEIDER"})
    direct = t.work.create_record("flag", cid, {"reason": "ACUUT_GEVAAR", "urgency": "DIRECT",
                                                "route": "POLITIE_112"})
    deadline = t.work.record(late).fields["deadline"]
    order = [i.record.id for i in t.work.flag_queue(now=deadline - 1)]
    assert order.index(direct) < order.index(late)
    items = t.work.flag_queue(now=deadline + 1)
    assert [i.record.id for i in items][0] in (late, direct) and all(i.overdue for i in items)


def test_a_review_from_a_role_that_may_not_review_is_refused_and_ignored(t):
    cid = t.work.intake("Rol Persoon (fictief)", fictional=True)
    note = t.work.create_record("contact", cid, {"contact_type": "TELEFONISCH", "outcome": "PLAATSGEVONDEN",
                                                 "report": "Gebeld."})
    round_trip(t.work, t.coord)
    with pytest.raises(NotAllowed):  # the coordinator's device refuses to write it
        t.coord.review(note, "GOEDGEKEURD")
    with pytest.raises(NotAllowed):  # and the generic path refuses it too
        t.coord.create_record("review", cid, {"target_id": note, "decision": "GOEDGEKEURD"})
    # a buggy client that writes it anyway (bypassing its own check): every other device ignores it
    from field_app.core import policy
    original = policy.may_write
    try:
        policy.may_write = lambda *a, **k: True  # only this device's own check is lifted
        import field_app.core.device as device_module
        device_module.may_write = policy.may_write
        t.coord.create_record("review", cid, {"target_id": note, "decision": "GOEDGEKEURD"})
    finally:
        device_module.may_write = original
        policy.may_write = original
    round_trip(t.coord, t.work, t.sup)
    assert t.work.review_state(note).status == "TE_BEOORDELEN"
    assert t.sup.review_state(note).status == "TE_BEOORDELEN"
