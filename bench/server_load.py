"""Server-side load: SQLite vs PostgreSQL, 1 and 4 server processes, 200 concurrent simulated devices.

For each configuration a real ``sync-server serve --workers N`` on loopback (PostgreSQL: a throwaway cluster
on a unix socket, as the tests use) gets one team of 200 enrolled, confirmed, logged-in devices. Then:

- push: all devices at once, each pushing ``BATCHES`` batches of ``PER_BATCH`` sealed-looking envelopes
  (real Ed25519 signatures over random 1 KiB ciphertexts, made before the clock starts; the server checks
  every signature, the device chain and assigns seqs in the team-row-locked transaction);
- pull: all devices at once, each reading ``PULL_PAGES`` pages of ``PULL_LIMIT`` from its own cursor.

Every device stops starting requests after ``DEVICE_BOUND_S`` seconds. Reported per phase: envelopes per
second over the phase's wall time, and p50 / p99 request latency as the client sees it. One load-generating
process on the same machine as the server (2 cores here), so the figures compare configurations; they are
not a capacity claim. Not a test: no asserts. ``python -m bench.server_load`` runs only this part and
merges it into bench/results/latest.json; ``bench/run.py`` calls ``bench_server_load()``.

``bench_server_rounds()`` (key ``server_rounds``): issue #11's target, many devices doing small sync rounds
against one server process (bench/server_rounds.py), for 50 and 200 devices (``BENCH_ROUND_DEVICES``).
"""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import tempfile
import time
from functools import partial
from pathlib import Path
from typing import Any

import httpx

from field_app.crypto.canonical import b64e
from sync_server.settings import now_ms
from sync_server.store import open_store

ROOT = Path(__file__).resolve().parents[1]
DEVICES = int(os.environ.get("BENCH_DEVICES", "200"))
PROCESSES = [int(n) for n in os.environ.get("BENCH_SERVER_PROCESSES", "1,4").split(",")]
BATCHES, PER_BATCH, ENVELOPE_BYTES = 5, 10, 1024
PULL_PAGES, PULL_LIMIT = 5, 100
DEVICE_BOUND_S = 30.0


def _latency(samples: list[float]) -> dict[str, float]:
    if not samples:
        return {"p50_ms": 0.0, "p99_ms": 0.0, "max_ms": 0.0}
    ordered = sorted(samples)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return {"p50_ms": statistics.median(ordered) * 1000, "p99_ms": p99 * 1000, "max_ms": ordered[-1] * 1000}


class _Phase:
    """Counts and latencies of one phase over all devices."""

    def __init__(self) -> None:
        self.latencies: list[float] = []
        self.envelopes = self.errors = self.cut_short = self.retries = 0
        self.error_kinds: dict[str, int] = {}
        self.started = time.perf_counter()

    async def timed(self, send: Any) -> httpx.Response | None:
        """``send()`` once, and once more if a kept-alive connection was closed under it (as the app's sync
        client does: pushes are idempotent by op_id); the latency counts both."""
        t0 = time.perf_counter()
        try:
            try:
                response = await send()
            except (httpx.ReadError, httpx.RemoteProtocolError):
                self.retries += 1
                response = await send()
        except httpx.HTTPError as exc:
            self._error(type(exc).__name__)
            return None
        self.latencies.append(time.perf_counter() - t0)
        if response.status_code != 200:
            self._error(f"{response.status_code} {response.json().get('error')}")
            return None
        return response

    def _error(self, kind: str) -> None:
        self.errors += 1
        self.error_kinds[kind] = self.error_kinds.get(kind, 0) + 1

    def result(self) -> dict[str, Any]:
        wall = time.perf_counter() - self.started
        return {"envelopes": self.envelopes, "requests": len(self.latencies), "errors": self.errors,
                "error_kinds": self.error_kinds, "retries": self.retries,
                "devices_cut_short": self.cut_short, "wall_s": wall, "envelopes_per_s": self.envelopes / wall,
                **_latency(self.latencies)}


async def _push_phase(client: httpx.AsyncClient, devices: list, batches: dict) -> dict[str, Any]:
    phase = _Phase()

    async def device_pushes(device: Any) -> None:
        deadline = time.perf_counter() + DEVICE_BOUND_S
        for batch in batches[device.id]:
            if time.perf_counter() > deadline:
                phase.cut_short += 1
                return
            response = await phase.timed(partial(client.post, f"/v1/teams/{device.team}/changes",
                                                 headers=device.auth, json={"envelopes": batch}))
            if response is None:
                return  # the device's chain cannot go on past a refused batch
            phase.envelopes += len(batch)

    await asyncio.gather(*(device_pushes(d) for d in devices))
    return phase.result()


async def _pull_phase(client: httpx.AsyncClient, devices: list, total: int) -> dict[str, Any]:
    phase = _Phase()
    span = max(1, total - PULL_PAGES * PULL_LIMIT)

    async def device_pulls(i: int, device: Any) -> None:
        deadline, after = time.perf_counter() + DEVICE_BOUND_S, (i * 97) % span
        for _ in range(PULL_PAGES):
            if time.perf_counter() > deadline:
                phase.cut_short += 1
                return
            response = await phase.timed(partial(client.get, f"/v1/teams/{device.team}/changes",
                                                 headers=device.auth, params={"after": after, "limit": PULL_LIMIT}))
            if response is None:
                return
            page = response.json()
            phase.envelopes += len(page["changes"])
            after = page["next"]

    await asyncio.gather(*(device_pulls(i, d) for i, d in enumerate(devices)))
    return phase.result()


async def _team(client: httpx.AsyncClient, db: str) -> list:
    """One team of DEVICES confirmed, logged-in devices (the admin first)."""
    from tests.server.support import Clock, Server, add_device_entry

    store = open_store(db, migrate=False)
    server = Server(client, store, Clock(now_ms()), db)
    admin = await server.admin()
    gate = asyncio.Semaphore(16)

    async def joined() -> Any:
        async with gate:
            device = await server.enrol(server.invite(admin.team), "VELDWERKER")
            await server.login(device)
            return device

    others = await asyncio.gather(*(joined() for _ in range(DEVICES - 1)))
    index, prev = 0, admin.ledger_head
    for device in others:  # the ledger is a chain: one add_device entry after the other
        index += 1
        response = await server.append(admin, add_device_entry(admin, device, index, prev))
        response.raise_for_status()
        prev = response.json()["hash"]
    devices = [admin, *others]
    for device in devices:
        device.ledger_head = prev
    store.close()
    return devices


def _batches(devices: list) -> dict[str, list[list[str]]]:
    return {d.id: [[b64e(d.envelope(ciphertext_len=ENVELOPE_BYTES)[1]) for _ in range(PER_BATCH)]
                   for _ in range(BATCHES)] for d in devices}


def _tree_cpu_s(roots: list[int]) -> float:
    """CPU seconds of the processes under ``roots`` (server workers, PostgreSQL backends), ended children
    included (their time is in the parent's cutime/cstime once reaped). Less sensitive than wall time to
    what else runs on a shared machine."""
    ticks, todo = 0, list(roots)
    while todo:
        pid = todo.pop()
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            for task in Path(f"/proc/{pid}/task").iterdir():
                todo += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            continue
        ticks += sum(int(f) for f in fields[11:15])  # utime stime cutime cstime
    return ticks / os.sysconf("SC_CLK_TCK")


async def _measure(base: str, db: str, roots: list[int]) -> dict[str, Any]:
    limits = httpx.Limits(max_connections=DEVICES, max_keepalive_connections=DEVICES)
    async with httpx.AsyncClient(base_url=base, timeout=120, limits=limits) as client:
        devices = await _team(client, db)
        batches = _batches(devices)
        cpu, mine = [_tree_cpu_s(roots)], [time.process_time()]
        push = await _push_phase(client, devices, batches)
        cpu.append(_tree_cpu_s(roots))
        mine.append(time.process_time())
        pull = await _pull_phase(client, devices, push["envelopes"])
        cpu.append(_tree_cpu_s(roots))
        mine.append(time.process_time())
    for i, phase in enumerate((push, pull)):
        phase["server_cpu_s"] = cpu[i + 1] - cpu[i]
        phase["server_cpu_ms_per_1000"] = phase["server_cpu_s"] * 1e6 / max(1, phase["envelopes"])
        phase["client_cpu_s"] = mine[i + 1] - mine[i]  # the load generator's own share of the machine
    return {"push": push, "pull": pull}


def _configuration(store: str, processes: int, db: str, database_pid: int | None = None) -> dict[str, Any]:
    from tests.server.serving import start, stop

    open_store(db).close()  # migrated before the workers start
    load_before = os.getloadavg()[0]  # a shared machine: say how busy it was
    proc, base = start(db, "--workers", str(processes), "--log-level", "error")
    try:
        measured = asyncio.run(_measure(base, db, [proc.pid] + ([database_pid] if database_pid else [])))
    finally:
        stop(proc)
    result = {"store": store, "processes": processes, "devices": DEVICES, **measured,
              "loadavg_1min": [load_before, os.getloadavg()[0]]}
    push, pull = measured["push"], measured["pull"]
    print(f"  {store:10} x{processes}: push {push['envelopes_per_s']:6.0f}/s p99 {push['p99_ms']:6.0f} ms"
          f" cpu {push['server_cpu_ms_per_1000']:5.0f} ms/1000 | pull {pull['envelopes_per_s']:6.0f}/s"
          f" p99 {pull['p99_ms']:6.0f} ms cpu {pull['server_cpu_ms_per_1000']:5.0f} ms/1000"
          f" | load {load_before:.1f}", flush=True)
    return result


def bench_server_load() -> dict[str, Any]:
    """Every configuration this machine can run (PostgreSQL needs its binaries: ``make postgresql``)."""
    from tests.server.pgcluster import Cluster, find_bin

    results: list[dict[str, Any]] = []
    tmp = Path(tempfile.mkdtemp(prefix="veldwerk-load-"))
    for processes in PROCESSES:
        results.append(_configuration("sqlite", processes, str(tmp / f"load{processes}.db")))
    if find_bin("initdb") and find_bin("pg_ctl"):
        cluster = Cluster()
        try:
            postmaster = int((cluster.data / "postmaster.pid").read_text().split()[0])
            for processes in PROCESSES:
                results.append(_configuration("postgresql", processes, cluster.new_database(), postmaster))
        finally:
            cluster.stop()
    return {"devices": DEVICES, "push": f"{BATCHES} batches of {PER_BATCH} x {ENVELOPE_BYTES} B per device",
            "pull": f"{PULL_PAGES} pages of {PULL_LIMIT} per device", "device_bound_s": DEVICE_BOUND_S,
            "configurations": results}


ROUND_DEVICES = [int(n) for n in os.environ.get("BENCH_ROUND_DEVICES", "50,200").split(",")]


def bench_server_rounds() -> dict[str, Any]:
    """Issue #11's server target: devices doing small sync rounds (bench/server_rounds.py), 50 and 200 of
    them, each a team of its own, against one server process on SQLite, and on PostgreSQL when present (also
    with two processes for the larger number)."""
    from bench.server_rounds import Plan, measure, summary
    from tests.server.pgcluster import Cluster, find_bin

    runs: list[dict[str, Any]] = []
    tmp = Path(tempfile.mkdtemp(prefix="veldwerk-rounds-"))
    for devices in ROUND_DEVICES:
        runs.append(measure("sqlite", 1, Plan(devices=devices), str(tmp / f"rounds{devices}.db")))
        print("  " + summary(runs[-1]), flush=True)
    if find_bin("initdb") and find_bin("pg_ctl"):
        cluster = Cluster()
        try:
            postmaster = int((cluster.data / "postmaster.pid").read_text().split()[0])
            for devices, processes in [(d, 1) for d in ROUND_DEVICES] + [(max(ROUND_DEVICES), 2)]:
                runs.append(measure("postgresql", processes, Plan(devices=devices), cluster.new_database(),
                                    postmaster))
                print("  " + summary(runs[-1]), flush=True)
        finally:
            cluster.stop()
    plan = Plan()
    return {"plan": {"rounds": plan.rounds, "interval_s": plan.interval_s, "push_every": plan.push_every,
                     "per_push": plan.per_push, "envelope_bytes": plan.envelope_bytes, "bound_s": plan.bound_s},
            "runs": runs}


def rounds_table(rounds: dict[str, Any]) -> str:
    """The rows of docs/performance.md's sync-rounds table."""
    lines = ["| store | processes | devices | requests/s | p50 / p99 | push p99 | round p99 | no-op round p50 |"
             " errors | lost or doubled | server CPU per request | server peak RSS | load |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in rounds["runs"]:
        lines.append(f"| {r['store']} | {r['processes']} | {r['devices']} | {r['requests_per_s']:,.0f} |"
                     f" {r['all']['p50_ms']:,.1f} / {r['all']['p99_ms']:,.0f} ms | {r['push']['p99_ms']:,.0f} ms |"
                     f" {r['round']['p99_ms']:,.0f} ms | {r['noop_round']['p50_ms']:,.1f} ms | {r['errors']} |"
                     f" 0 of {r['check']['pushed']:,} | {r.get('server_cpu_ms_per_request', 0):.2f} ms |"
                     f" {r['peak_rss_mb']:,.0f} MB | {r['loadavg_1min'][0]:.1f} |")
    return "\n".join(lines)


def table(load: dict[str, Any]) -> str:
    """The rows of docs/performance.md's server table."""
    lines = ["| store | processes | push envelopes/s | push p50 / p99 | push server CPU per 1,000 |"
             " pull envelopes/s | pull p50 / p99 | pull server CPU per 1,000 | errors | load |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for c in load["configurations"]:
        push, pull = c["push"], c["pull"]
        lines.append(f"| {c['store']} | {c['processes']} | {push['envelopes_per_s']:,.0f} |"
                     f" {push['p50_ms']:,.0f} / {push['p99_ms']:,.0f} ms | {push['server_cpu_ms_per_1000']:,.0f} ms |"
                     f" {pull['envelopes_per_s']:,.0f} | {pull['p50_ms']:,.0f} / {pull['p99_ms']:,.0f} ms |"
                     f" {pull['server_cpu_ms_per_1000']:,.0f} ms | {push['errors'] + pull['errors']} |"
                     f" {c['loadavg_1min'][0]:.0f} |")
    return "\n".join(lines)


DOC = ROOT / "docs" / "performance.md"


def write_rounds_doc(rounds: dict[str, Any]) -> None:
    """The sync-rounds table of docs/performance.md (between its server-rounds markers), with when and where."""
    import platform
    from datetime import UTC, datetime

    start, end = "<!-- server-rounds:start -->", "<!-- server-rounds:end -->"
    text = DOC.read_text()
    if start not in text or end not in text:
        return
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    block = (f"{start}\nMeasured by `make bench` on {when}: {cpu}, {os.cpu_count()} cores, Python"
             f" {platform.python_version()}; *load* is the machine's 1-minute load average when the run began.\n\n"
             f"{rounds_table(rounds)}\n{end}")
    DOC.write_text(text[:text.index(start)] + block + text[text.index(end) + len(end):])


def main() -> None:
    """``python -m bench.server_load [rounds|batches]``: both parts by default."""
    import sys

    parts = sys.argv[1:] or ["rounds", "batches"]
    out = ROOT / "bench" / "results" / "latest.json"
    results = json.loads(out.read_text()) if out.exists() else {}
    if "rounds" in parts:
        results["server_rounds"] = bench_server_rounds()
        print(rounds_table(results["server_rounds"]))
        write_rounds_doc(results["server_rounds"])
    if "batches" in parts:
        results["server_load"] = bench_server_load()
        print(table(results["server_load"]))
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
