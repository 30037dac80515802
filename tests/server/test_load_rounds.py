"""Load (issue #11): 200 simulated devices with real identities (Ed25519 keys, enrolled, confirmed in their
team's ledger, logged in) sync in small rounds against one real ``sync-server serve`` process on loopback —
each round a push of signed envelopes now and then and ``GET /round`` from its cursors, all devices at once.

Afterwards: no request failed; every envelope a device pushed was stored once and pulled exactly once, in seq
order, by every device of its team (``bench.server_rounds.check``); and the access log, written in batches
by the server (store/access_buffer.py), holds one row for every push and every pull that was answered
(after the server's clean stop). Bounded: 6 rounds half a second apart, each device stops after 30 s.
No timing asserts: ``make bench`` measures the latencies (bench/server_load.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.server_rounds import Plan, check, run
from sync_server.store import open_store

from .serving import start, stop
from .support import Clock, Server

PLAN = Plan(devices=200, team_size=4, rounds=6, push_every=2, per_push=5, interval_s=0.5, bound_s=30.0)


def _logged(db: str) -> dict[str, int]:
    store = open_store(db, migrate=False)
    try:
        rows = Server(None, store, Clock(), db).rows(  # type: ignore[arg-type]
            "SELECT action, result, COUNT(*) FROM access_log WHERE action IN ('changes.push', 'changes.pull')"
            " GROUP BY action, result")
    finally:
        store.close()
    return {f"{action} {result}": count for action, result, count in rows}


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["sqlite", "postgres"])
def test_200_devices_sync_rounds_with_no_error_loss_or_duplicate(kind: str, tmp_path: Path,
                                                                   request: pytest.FixtureRequest) -> None:
    db = request.getfixturevalue("pg_cluster").new_database() if kind == "postgres" else str(tmp_path / "load.db")
    open_store(db).close()
    proc, base = start(db)
    try:
        measured, sims = run(base, db, PLAN)
    finally:
        stop(proc)
    assert proc.returncode == 0
    assert measured["errors"] == 0, measured["error_kinds"]
    counts = check(sims)  # raises on a lost, unknown, doubled or out-of-order envelope
    pushes_per_device = PLAN.rounds // PLAN.push_every
    assert counts == {"teams": PLAN.devices // PLAN.team_size, "pushed": PLAN.devices * pushes_per_device * PLAN.per_push,
                      "pulled": PLAN.devices * pushes_per_device * PLAN.per_push * PLAN.team_size}
    assert measured["rounds"] == PLAN.devices * PLAN.rounds  # no device was cut short
    answered = measured["answered"]
    assert _logged(db) == {"changes.push ok": answered["push"],
                           "changes.pull ok": answered["round"] + answered["changes"]}
