"""Two device processes and a real server on loopback (#11): both change the same field of a client while the
server is down; after sync both show the conflict (both values, who, when); one keeps a value; both end with
that value, no conflict, and one client (nothing dropped, nothing duplicated)."""


from procs import SUP_PASS, WORK_PASS, DeviceShell, wait_until

WORKER, SUPERVISOR = "Lotte de Boer (fictief)", "Fatima El Amrani (fictief)"




def _conflicts(shell, record_id):
    return shell.call("record", record_id=record_id)["conflicts"]


def test_both_devices_show_a_concurrent_change_and_converge_on_the_pick(team):
    server, tmp = team["server"], team["tmp"]
    worker = DeviceShell(team["work"], WORK_PASS, tmp / "worker.log")
    supervisor = DeviceShell(team["sup"], SUP_PASS, tmp / "supervisor.log")
    try:
        cid = worker.call("add_client", name="Conflict de Vries (fictief)", fictional=True)
        assert wait_until(lambda: any(c["id"] == cid for c in supervisor.call("caseload")), 30), "client never arrived"

        server.kill()  # both work offline, neither sees the other's change
        worker.call("update_record", record_id=cid, changes={"safety_warning": "DUO_BEZOEK"})
        supervisor.call("update_record", record_id=cid, changes={"safety_warning": "WAPENBEZIT_BEKEND"})
        assert _conflicts(worker, cid) == [] and _conflicts(supervisor, cid) == []
        server.start()

        seen = {}
        for name, shell in (("worker", worker), ("supervisor", supervisor)):
            found = wait_until(lambda shell=shell: _conflicts(shell, cid), 45)
            assert found, f"{name} never showed the conflict"
            (conflict,) = found
            assert conflict["field"] == "safety_warning"
            seen[name] = sorted((v["value"], v["author"]) for v in conflict["values"])
            assert all(v["at"] > 0 for v in conflict["values"])
            assert [r["id"] for r in shell.call("conflicted_records")] == [cid]
        assert seen["worker"] == seen["supervisor"] == [("DUO_BEZOEK", WORKER), ("WAPENBEZIT_BEKEND", SUPERVISOR)]
        winner = {shell.call("record", record_id=cid)["fields"]["safety_warning"] for shell in (worker, supervisor)}
        assert len(winner) == 1  # both show the same (last writer's) value meanwhile

        # the worker keeps its own value, whichever won by clock
        worker.call("resolve_conflict", record_id=cid, field="safety_warning", value="DUO_BEZOEK")
        assert _conflicts(worker, cid) == []

        def settled(shell):
            rec = shell.call("record", record_id=cid)
            return not rec["conflicts"] and rec["fields"]["safety_warning"] == "DUO_BEZOEK"

        assert wait_until(lambda: settled(supervisor), 45), "the pick did not reach the supervisor"
        assert settled(worker)
        for shell in (worker, supervisor):
            assert [c["id"] for c in shell.call("caseload")].count(cid) == 1
            assert len(shell.call("records", client_id=cid, type="client")) == 1
            assert shell.call("conflicted_records") == []
    finally:
        worker.close()
        supervisor.close()
