"""The server's cost per pushed envelope and per served pull page (issue #11), against one real
``sync-server serve`` process on loopback.

One enrolled, confirmed, logged-in device seals ``N`` sealed-looking envelopes (real Ed25519 signatures over
random ~1 KiB ciphertexts, its real chain and ledger head) before the clock starts. It pushes them in
batches of ``batch`` (one request at a time, as the app does), then a fresh cursor pulls them back in pages
of ``page``. Reported per push and per pull page: the median wall time as the client sees it and the
server's CPU time (user + system of its process, from /proc: steadier than wall time on a shared machine),
with the load average. Not a test: no asserts. ``python -m bench.server_push [N] [batch ...]``.
"""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

from bench.server_rounds import tree_cpu_s
from field_app.crypto.canonical import b64e


async def _device(base: str, db: str) -> Any:
    from sync_server.settings import now_ms
    from sync_server.store import open_store
    from tests.server.support import Clock, Server

    store = open_store(db, migrate=False)
    try:
        async with httpx.AsyncClient(base_url=base, timeout=120) as client:
            return await Server(client, store, Clock(now_ms()), db).admin()
    finally:
        store.close()


def _timed(pid: int, call: Any) -> tuple[float, float, Any]:
    cpu, t0 = tree_cpu_s(pid), time.perf_counter()
    result = call()
    return time.perf_counter() - t0, tree_cpu_s(pid) - cpu, result


def measure(n: int, batch: int, page: int = 500) -> dict[str, Any]:
    from sync_server.store import open_store
    from tests.server.serving import start, stop

    with tempfile.TemporaryDirectory(prefix="veldwerk-bench-") as tmp:
        db = str(Path(tmp) / "server.db")
        open_store(db).close()
        proc, base = start(db, "--log-level", "error")
        try:
            device = asyncio.run(_device(base, db))
            envelopes = [b64e(device.envelope(ciphertext_len=1024)[1]) for _ in range(n)]
            load = os.getloadavg()[0]
            push_wall, push_cpu, pull_wall, pull_cpu = [], [], [], []
            with httpx.Client(base_url=base, timeout=120, headers=device.auth) as client:
                path = f"/v1/teams/{device.team}/changes"
                for start_at in range(0, n, batch):
                    body = json.dumps({"envelopes": envelopes[start_at:start_at + batch]}).encode()
                    wall, cpu, response = _timed(proc.pid, lambda b=body: client.post(
                        path, content=b, headers={"Content-Type": "application/json"}))
                    response.raise_for_status()
                    push_wall.append(wall)
                    push_cpu.append(cpu)
                after, served = 0, 0
                while True:
                    wall, cpu, response = _timed(proc.pid, lambda a=after: client.get(
                        path, params={"after": a, "limit": page}))
                    response.raise_for_status()
                    answer = response.json()
                    served += len(answer["changes"])
                    pull_wall.append(wall)
                    pull_cpu.append(cpu)
                    after = answer["next"]
                    if not answer["more"]:
                        break
            assert served == n, (served, n)
        finally:
            stop(proc)
    ms = 1000
    return {
        "n": n, "batch": batch, "page": page, "load_before": round(load, 2),
        "load_after": round(os.getloadavg()[0], 2),
        "push_ms_median": round(statistics.median(push_wall) * ms, 1),
        "push_server_cpu_ms_mean": round(statistics.fmean(push_cpu) * ms, 1),
        "push_server_cpu_us_per_envelope": round(sum(push_cpu) * 1e6 / n, 1),
        "pull_page_ms_median": round(statistics.median(pull_wall) * ms, 1),
        "pull_page_server_cpu_ms_mean": round(statistics.fmean(pull_cpu) * ms, 1),
        "push_total_s": round(sum(push_wall), 3), "pull_total_s": round(sum(pull_wall), 3),
    }


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    batches = [int(b) for b in sys.argv[2:]] or [200, 500]
    for batch in batches:
        print(json.dumps(measure(n, batch)))


if __name__ == "__main__":
    main()
