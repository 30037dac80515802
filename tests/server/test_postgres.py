"""The server on PostgreSQL as operators run it: several real server processes on one database, and the
schema version rules of ``sync-server migrate`` (both stores)."""

from __future__ import annotations

import asyncio
import socket
import subprocess
import time
from collections import Counter

import httpx
import pytest

from field_app.crypto.canonical import b64e
from sync_server.settings import now_ms
from sync_server.store import open_store
from sync_server.store.base import SchemaTooNew

from .pgcluster import Cluster
from .support import PUBLIC_URL, Clock, Server
from .test_cli import COMMAND, run

PROCESSES, DEVICES, ROUNDS, PER_PUSH, PAGE = 4, 50, 3, 2, 3


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start(url: str) -> tuple[subprocess.Popen, str]:
    port = _free_port()
    proc = subprocess.Popen([*COMMAND, "serve", "--db", url, "--port", str(port), "--public-url", PUBLIC_URL,
                             "--log-level", "warning"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            if httpx.get(base + "/healthz", timeout=1).status_code == 200:
                return proc, base
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    proc.kill()
    raise RuntimeError(proc.stderr.read().decode() if proc.stderr else "server did not start")


async def _pull_all(client: httpx.AsyncClient, device, stop: asyncio.Event) -> list[int]:
    """Pull in small pages until the pushers are done and the end is reached; assert every page continues
    the cursor without a hole (a skipped seq could never be pulled again)."""
    seen: list[int] = []
    after = 0
    while True:
        done = stop.is_set()
        response = await client.get(f"/v1/teams/{device.team}/changes?after={after}&limit={PAGE}",
                                    headers=device.auth)
        assert response.status_code == 200, response.text
        page = response.json()
        seqs = [c["seq"] for c in page["changes"]]
        assert seqs == list(range(after + 1, after + 1 + len(seqs))), f"gap after {after}: {seqs}"
        seen += seqs
        after = page["next"]
        if done and not page["more"]:
            return seen
        if not seqs:
            await asyncio.sleep(0.01)


async def test_four_processes_fifty_devices_no_pull_skips_a_change(pg_cluster: Cluster) -> None:
    url = pg_cluster.new_database()
    store = open_store(url)
    procs = [_start(url) for _ in range(PROCESSES)]
    clients = [httpx.AsyncClient(base_url=base, timeout=60) for _, base in procs]
    try:
        setup = Server(clients[0], store, Clock(now_ms()), url)
        admin = await setup.admin()
        devices = [await Server(clients[i % PROCESSES], store, setup.clock, url).member(admin)
                   for i in range(DEVICES)]
        readers = [admin, *devices[:3]]
        head = (await clients[0].get(f"/v1/teams/{admin.team}/ledger", headers=admin.auth)).json()["head"]
        for device in devices:
            device.ledger_head = head["hash"]
        sent: list[str] = []

        async def pusher(i: int) -> None:
            device = devices[i]
            for _ in range(ROUNDS):
                made = [device.envelope() for _ in range(PER_PUSH)]
                response = await clients[i % PROCESSES].post(
                    f"/v1/teams/{device.team}/changes",
                    json={"envelopes": [b64e(e) for _, e in made]}, headers=device.auth)
                assert response.status_code == 200, response.text
                sent.extend(op for op, _ in made)

        stop = asyncio.Event()
        pulls = [asyncio.create_task(_pull_all(clients[i % PROCESSES], r, stop)) for i, r in enumerate(readers)]
        await asyncio.gather(*(pusher(i) for i in range(DEVICES)))
        stop.set()
        results = await asyncio.gather(*pulls)
        total = DEVICES * ROUNDS * PER_PUSH
        assert len(sent) == total
        for seen in results:
            assert seen == list(range(1, total + 1))  # every change exactly once, in seq order
        ops = Counter(op for _, op, _ in setup.rows("SELECT seq, op_id, device FROM changes"))
        assert set(ops) == set(sent) and set(ops.values()) == {1}
    finally:
        for client in clients:
            await client.aclose()
        for proc, _ in procs:
            proc.terminate()
        for proc, _ in procs:
            proc.wait(timeout=30)
        store.close()


@pytest.mark.parametrize("kind", ["sqlite", "postgres"])
def test_migrate_reports_the_version_and_a_newer_schema_is_refused(kind: str, tmp_path,
                                                                   request: pytest.FixtureRequest) -> None:
    db = request.getfixturevalue("pg_cluster").new_database() if kind == "postgres" else str(tmp_path / "m.db")
    migrated = run("migrate", "--db", db)
    assert migrated.returncode == 0, migrated.stderr
    store = open_store(db, migrate=False)
    version = store.schema_version()
    assert f"schema version: {version}" in migrated.stdout
    Server(None, store, Clock(), db).rows("INSERT INTO schema_version (version, applied_at) VALUES (?, ?)",
                                          [version + 1, "later"])
    with pytest.raises(SchemaTooNew):
        store.migrate()
    for command in (["migrate", "--db", db], ["init", "--db", db]):
        refused = run(*command)
        assert refused.returncode == 2 and "newer server" in refused.stderr
    assert Server(None, store, Clock(), db).count("teams") == 0  # init changed nothing
