"""``sync-server serve --workers 2``: two server processes on one port and one database. A whole round
(enrol, log in, confirm, push, pull) goes through them, one new connection per request, so the kernel
hands requests to either worker: a login challenge made by one is used at the other, a ledger entry
appended by one is seen by the other's pushes. On PostgreSQL, and on a SQLite file (which allows it:
every write takes SQLite's database lock, see docs/deploy.md)."""

from __future__ import annotations

import time
from pathlib import Path

import httpx
import pytest

from field_app.crypto.canonical import b64e
from sync_server.settings import now_ms
from sync_server.store import open_store

from .serving import start, stop
from .support import Clock, DeviceKeys, Server

DEVICES, ROUNDS, PER_PUSH = 4, 3, 2


def _children(pid: int) -> list[int]:
    children = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        children += [int(c) for c in (task / "children").read_text().split()]
    return children


def _workers(pid: int, expected: int) -> list[int]:
    """The worker processes of a ``serve --workers`` parent (uvicorn starts them after binding)."""
    for _ in range(100):
        workers = [c for c in _children(pid) if "spawn_main" in _cmdline(c)]  # not the resource tracker
        if len(workers) >= expected:
            return workers
        time.sleep(0.1)
    return workers


def _cpu_ticks(pid: int) -> int:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # utime + stime


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_text().replace("\0", " ")
    except OSError:
        return ""


async def _pull(client: httpx.AsyncClient, device: DeviceKeys) -> list[int]:
    seen, after = [], 0
    while True:
        response = await client.get(f"/v1/teams/{device.team}/changes?after={after}&limit=5", headers=device.auth)
        assert response.status_code == 200, response.text
        page = response.json()
        seen += [c["seq"] for c in page["changes"]]
        after = page["next"]
        if not page["more"]:
            return seen


@pytest.mark.parametrize("kind", ["postgres", "sqlite"])
async def test_two_workers_serve_a_push_and_pull_round(kind: str, tmp_path: Path,
                                                       request: pytest.FixtureRequest) -> None:
    db = request.getfixturevalue("pg_cluster").new_database() if kind == "postgres" else str(tmp_path / "w.db")
    store = open_store(db)
    proc, base = start(db, "--workers", "2")
    try:
        workers = _workers(proc.pid, 2)
        assert len(workers) == 2
        idle = [_cpu_ticks(w) for w in workers]
        fresh = httpx.Limits(max_keepalive_connections=0)  # a new connection, and so any worker, per request
        async with httpx.AsyncClient(base_url=base, timeout=30, limits=fresh) as client:
            server = Server(client, store, Clock(now_ms()), db)
            admin = await server.admin()
            devices = [admin, *[await server.member(admin) for _ in range(DEVICES - 1)]]
            head = (await client.get(f"/v1/teams/{admin.team}/ledger", headers=admin.auth)).json()["head"]
            sent: dict[str, int] = {}
            for _ in range(ROUNDS):
                for device in devices:
                    device.ledger_head = head["hash"]
                    made = [device.envelope() for _ in range(PER_PUSH)]
                    response = await client.post(f"/v1/teams/{device.team}/changes", headers=device.auth,
                                                 json={"envelopes": [b64e(e) for _, e in made]})
                    assert response.status_code == 200, response.text
                    sent.update({r["op_id"]: r["seq"] for r in response.json()["results"]})
            total = DEVICES * ROUNDS * PER_PUSH
            assert sorted(sent.values()) == list(range(1, total + 1))
            for device in devices:
                assert await _pull(client, device) == list(range(1, total + 1))
        assert all(_cpu_ticks(w) > before for w, before in zip(workers, idle, strict=True))  # both served
    finally:
        stop(proc)
        store.close()
    assert proc.returncode == 0  # SIGTERM: both workers stop, the parent exits cleanly
