"""Two device processes and a real server on loopback: what a worker records offline reaches the supervisor."""

import time

from procs import SUP_PASS, WORK_PASS, DeviceShell, wait_until

REPORT = "Huisbezoek: cliënt nuchter, woning opgeruimd. Afspraak volgende week dinsdag 10:00 — ‘ok’."




def test_contact_recorded_offline_reaches_supervisor_without_pressing_sync(team):
    server, tmp = team["server"], team["tmp"]
    worker = DeviceShell(team["work"], WORK_PASS, tmp / "worker.log")
    supervisor = DeviceShell(team["sup"], SUP_PASS, tmp / "supervisor.log")
    try:
        client_id = worker.call("add_client", name="Testcliënt Jansen (fictief)")
        assert wait_until(lambda: worker.call("status")["pending"] == 0, 15), "client did not sync while online"

        server.kill()  # the server goes down; the worker keeps working
        note_id = worker.call("record_contact", client_id=client_id, contact_type="HUISBEZOEK_AANGEKONDIGD",
                              outcome="PLAATSGEVONDEN", report=REPORT, risks=[["ALCOHOL", "MIDDEN"]])
        timeline = worker.call("timeline", client_id=client_id)
        assert timeline[0]["id"] == note_id and timeline[0]["sync_state"] == "wachtend"
        time.sleep(3)
        status = worker.call("status")
        assert status["pending"] == 1 and status["state"] == "offline"

        server.start()
        started = time.monotonic()

        def seen():
            notes = supervisor.call("timeline", client_id=client_id) if any(
                c["id"] == client_id for c in supervisor.call("caseload")) else []
            return [n for n in notes if n["id"] == note_id]

        notes = wait_until(seen, 30)
        elapsed = time.monotonic() - started
        assert notes, "supervisor did not receive the note within 30 s"
        note = notes[0]
        assert note["report"] == REPORT
        assert note["author"] == "Lotte de Boer (fictief)"
        assert note["sync_state"] == "ontvangen"
        assert note["risks"] == [{"domain": "ALCOHOL", "severity": "MIDDEN"}]
        assert wait_until(lambda: worker.call("timeline", client_id=client_id)[0]["sync_state"] == "verzonden", 10)
        print(f"\nserver up → note visible on supervisor: {elapsed:.1f} s")
    finally:
        worker.close()
        supervisor.close()


def test_pending_work_survives_a_device_restart(team):
    server, tmp = team["server"], team["tmp"]
    server.kill()
    worker = DeviceShell(team["work"], WORK_PASS, tmp / "worker.log")
    client_id = worker.call("add_client", name="Herstart Test (fictief)")
    worker.call("record_contact", client_id=client_id, contact_type="TELEFONISCH", outcome="PLAATSGEVONDEN",
                report="Telefonisch contact, afspraak bevestigd.")
    worker.proc.kill()  # the app is killed before anything was sent
    worker.proc.wait(10)

    worker = DeviceShell(team["work"], WORK_PASS, tmp / "worker.log")
    try:
        assert worker.call("status")["pending"] == 2
        server.start()
        assert wait_until(lambda: worker.call("status")["pending"] == 0, 20)
    finally:
        worker.close()
    supervisor = DeviceShell(team["sup"], SUP_PASS, tmp / "supervisor.log")
    try:
        def got():
            ids = [c["id"] for c in supervisor.call("caseload")]
            return client_id in ids and len(supervisor.call("timeline", client_id=client_id)) == 1
        assert wait_until(got, 20)
    finally:
        supervisor.close()
