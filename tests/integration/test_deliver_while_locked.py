"""Delivery while locked (issue #14): as long as the app runs, a locked device keeps delivering its
already sealed and signed outbox by signature; pulling waits for the unlock. Two device processes and a
real server: the supervisor's device receives the worker's note while the worker's device stays locked."""

from __future__ import annotations

from procs import SUP_PASS, WORK_PASS, DeviceShell, wait_until


def test_a_locked_device_delivers_and_the_other_device_receives(team):
    server, tmp = team["server"], team["tmp"]
    worker = DeviceShell(team["work"], WORK_PASS, tmp / "worker.log")
    supervisor = DeviceShell(team["sup"], SUP_PASS, tmp / "supervisor.log")
    try:
        client_id = worker.call("add_client", name="Vergrendeld Test (fictief)")
        assert wait_until(lambda: worker.call("status")["pending"] == 0, 20)

        server.kill()  # the note is written offline, so it is still in the outbox when the app locks
        note_id = worker.call("record_contact", client_id=client_id, contact_type="HUISBEZOEK_AANGEKONDIGD",
                              outcome="PLAATSGEVONDEN", report="Geschreven vlak voor het vergrendelen (fictief).")
        worker.call("lock")
        assert worker.call("unlocked") is False
        assert worker.call("unsynced_count") == 1

        server.start()
        assert wait_until(lambda: worker.call("unsynced_count") == 0, 30), "the locked device did not deliver"
        assert worker.call("unlocked") is False  # delivered without the passphrase

        def received() -> bool:
            if not any(c["id"] == client_id for c in supervisor.call("caseload")):
                return False
            return any(n["id"] == note_id for n in supervisor.call("timeline", client_id=client_id))

        assert wait_until(received, 30), "the supervisor's device did not receive the note"
        assert worker.call("unlocked") is False  # still locked while the other device got it

        worker.call("unlock", passphrase=WORK_PASS)  # now pulling resumes; the note is known as sent
        assert wait_until(lambda: worker.call("timeline", client_id=client_id)[0]["sync_state"] == "verzonden", 20)
        assert worker.call("status")["pending"] == 0
    finally:
        worker.close()
        supervisor.close()
