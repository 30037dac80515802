""""Escaleren?" survives a kill -9 (issue #14): a device process saves a contact with a violation and is
killed before anyone answers; the restarted process still has the question open, until it is answered,
and then keeps that it was declined."""

from __future__ import annotations

from procs import WORK_PASS, DeviceShell


def test_the_question_survives_a_kill_between_save_and_answer(team):
    tmp = team["tmp"]
    worker = DeviceShell(team["work"], WORK_PASS, tmp / "worker.log")
    try:
        cid = worker.call("add_client", name="Vraag Na Crash (fictief)")
        fw = worker.call("create_record", type="framework", client_id=cid,
                         fields={"framework_type": "VI", "status": "ACTIEF", "start": "2025-01-01"})
        ban = worker.call("create_record", type="condition", client_id=cid, fields={
            "framework_id": fw, "condition_type": "MIDDELENVERBOD", "parameters": {"substances": ["ALCOHOL"]}})
        note = worker.call("create_record", type="contact", client_id=cid, ask=True, fields={
            "contact_type": "HUISBEZOEK_ONAANGEKONDIGD", "outcome": "PLAATSGEVONDEN",
            "report": "Ademtest positief (fictief).",
            "compliance": [{"condition_id": ban, "status": "OVERTREDING",
                            "violation": {"severity": "MATIG", "response": "AANSPREKEN"}}]})
        assert [q["record_id"] for q in worker.call("pending_questions")] == [note]
    finally:
        worker.proc.kill()  # kill -9 before the question is answered
        worker.proc.wait(10)

    worker = DeviceShell(team["work"], WORK_PASS, tmp / "worker.log")
    try:
        [q] = worker.call("pending_questions")
        assert (q["kind"], q["client_id"], q["record_id"], q["status"]) == ("escalate", cid, note, "open")
        worker.call("answer_question", question_id=q["id"], outcome="declined")
    finally:
        worker.close()

    worker = DeviceShell(team["work"], WORK_PASS, tmp / "worker.log")
    try:
        assert worker.call("pending_questions") == []
        [done] = worker.call("question_history")
        assert done["status"] == "declined" and done["record_id"] == note
    finally:
        worker.close()
