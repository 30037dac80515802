""""En nu?" (#15) on two device processes and a real server: the action list of a late-transport flag ticked
on both devices while the server is down; after it comes back, each device shows both ticks."""

import time

from procs import SUP_PASS, WORK_PASS, DeviceShell, wait_until

HOUR = 3_600_000




def _ticks(device, client_id: str, flag_id: str) -> dict[str, str]:
    return {s["fields"]["step"]: s["fields"]["by"] for s in device.call("records", client_id=client_id, type="flag_step")
            if s["fields"]["flag_id"] == flag_id and s["fields"]["done"]}


def test_late_transport_steps_ticked_on_two_devices_are_seen_on_both(team):
    server, tmp = team["server"], team["tmp"]
    worker = DeviceShell(team["work"], WORK_PASS, tmp / "worker.log")
    supervisor = DeviceShell(team["sup"], SUP_PASS, tmp / "supervisor.log")
    try:
        client_id = worker.call("add_client", name="Busje Laat (fictief)", fictional=True)
        worker.call("create_record", type="transition", client_id=client_id, fields={
            "transition_type": "OVERPLAATSING_KLINIEK_VOORWAARDELIJK", "transport": "DV_O",
            "planned_at": int(time.time() * 1000) - 2 * HOUR, "to_place": "FPK (fictief)"})
        flags = worker.call("records", client_id=client_id, type="flag")  # raised by the rule on this device
        [flag] = [f for f in flags if f["fields"]["raised_by_rule"] == "OVERGANG_TE_LAAT"]

        def flag_arrived():
            if not any(c["id"] == client_id for c in supervisor.call("caseload")):
                return False
            return any(f["id"] == flag["id"] for f in supervisor.call("records", client_id=client_id, type="flag"))

        assert wait_until(flag_arrived, 30), "the flag did not reach the supervisor"

        server.kill()  # both tick offline, different steps of the same flag
        worker.call("create_record", type="flag_step", client_id=client_id,
                    fields={"flag_id": flag["id"], "step": "VERWACHTE_TIJD", "by": "Lotte de Boer (fictief)"})
        supervisor.call("create_record", type="flag_step", client_id=client_id,
                        fields={"flag_id": flag["id"], "step": "WIE_BLIJFT", "by": "Fatima El Amrani (fictief)"})
        assert _ticks(worker, client_id, flag["id"]) == {"VERWACHTE_TIJD": "Lotte de Boer (fictief)"}

        server.start()
        both = {"VERWACHTE_TIJD": "Lotte de Boer (fictief)", "WIE_BLIJFT": "Fatima El Amrani (fictief)"}
        assert wait_until(lambda: _ticks(worker, client_id, flag["id"]) == both, 30), _ticks(worker, client_id, flag["id"])
        assert wait_until(lambda: _ticks(supervisor, client_id, flag["id"]) == both, 30)
        received = [s for s in supervisor.call("records", client_id=client_id, type="flag_step")
                    if s["fields"]["step"] == "VERWACHTE_TIJD"]
        assert received[0]["sync_state"] == "ontvangen" and received[0]["author"] == "Lotte de Boer (fictief)"
    finally:
        worker.close()
        supervisor.close()
