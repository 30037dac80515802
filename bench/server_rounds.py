"""Many devices doing small sync rounds against one real ``sync-server serve`` process (issue #11's load).

Each simulated device has a real identity (Ed25519 keys, enrolled, confirmed in its team's ledger, logged
in). Teams of ``team_size`` devices (1: every device a team of its own, as the issue measured). Every
``interval_s`` a device does one sync round as the app's engine does it: a push of ``per_push`` signed
envelopes (one round in ``push_every``, staggered so pushes arrive
at a steady rate), then ``GET /round`` from its cursors, and ``GET /changes``
while the page says ``more``. Rounds start on a fixed schedule (a late round starts at once, none are
skipped), staggered over the first interval, and no device starts a round after ``bound_s``.

Measured: latency of every request as the client sees it (p50/p99/max, per kind and overall), requests
per second, errors, the rounds with nothing to do, and the server's peak resident memory (VmHWM of its
processes). Checked afterwards (``check``): every pushed envelope was pulled exactly once by every device
of its team, in seq order — no loss, no duplicate. Used by ``bench/server_load.py`` (numbers, no asserts)
and ``tests/server/test_load_rounds.py`` (asserts, small bounds).

The load generator is one Python process on the same machine; it speaks HTTP/1.1 with keep-alive over
plain asyncio streams (``_Conn``), which costs a fraction of a general client's CPU, so what is measured
is mostly the server.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import random
import statistics
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx

from bench.raw_http import Conn as _Conn
from field_app.crypto.canonical import b64e


@dataclass
class Plan:
    devices: int = 200
    team_size: int = 1
    rounds: int = 20
    push_every: int = 4  # one round in this many carries a push (staggered over the devices)
    per_push: int = 5
    envelope_bytes: int = 1024
    interval_s: float = 0.5
    bound_s: float = 60.0
    page_limit: int = 100


@dataclass
class _Sim:
    keys: Any  # tests.server.support.DeviceKeys
    index: int = 0
    batches: list[list[str]] = field(default_factory=list)
    cursor: int = 0
    ledger_index: int = -1
    seen: list[tuple[int, str]] = field(default_factory=list)  # (seq, sha256 of the envelope) as pulled
    pushed: list[str] = field(default_factory=list)  # sha256 of each envelope the server stored


class _Stats:
    def __init__(self) -> None:
        self.latencies: dict[str, list[float]] = {"push": [], "round": [], "changes": []}
        self.noop: list[float] = []
        self.timeline: list[tuple[float, float]] = []  # (when it ended, latency)
        self.errors: Counter[str] = Counter()
        self.rounds = self.late_rounds = 0


async def _setup(base: str, db: str, plan: Plan) -> list[_Sim]:
    """``plan.devices`` devices in teams of ``plan.team_size``, enrolled, confirmed and logged in."""
    from sync_server.settings import now_ms
    from sync_server.store import open_store
    from tests.server.support import Clock, Server, add_device_entry

    store = open_store(db, migrate=False)
    limits = httpx.Limits(max_connections=32, max_keepalive_connections=32)
    gate = asyncio.Semaphore(16)
    try:
        async with httpx.AsyncClient(base_url=base, timeout=120, limits=limits) as client:
            server = Server(client, store, Clock(now_ms()), db)

            async def team(size: int) -> list[Any]:
                async with gate:
                    admin = await server.admin()
                    members = []
                    for index in range(1, size):
                        device = await server.enrol(server.invite(admin.team), "VELDWERKER")
                        await server.login(device)
                        response = await server.append(admin, add_device_entry(admin, device, index,
                                                                                admin.ledger_head))
                        response.raise_for_status()
                        members.append(device)
                    for device in members:
                        device.ledger_head = admin.ledger_head
                    return [admin, *members]

            sizes = [plan.team_size] * (plan.devices // plan.team_size)
            if plan.devices % plan.team_size:
                sizes.append(plan.devices % plan.team_size)
            teams = await asyncio.gather(*(team(size) for size in sizes))
    finally:
        store.close()
    sims = [_Sim(keys, i) for i, keys in enumerate(keys for members in teams for keys in members)]
    for sim in sims:  # sealed before the clock starts: the load generator only sends
        pushes = sum(1 for number in range(plan.rounds) if _pushes(sim, number, plan))
        sim.batches = [[b64e(sim.keys.envelope(ciphertext_len=plan.envelope_bytes)[1])
                        for _ in range(plan.per_push)] for _ in range(pushes)]
    return sims


def _pushes(sim: _Sim, number: int, plan: Plan) -> bool:
    return (number + sim.index) % plan.push_every == 0


def _digest(envelope_b64: str) -> str:
    return envelope_b64[-40:]  # the tail is signature bytes: unique per envelope, cheap to compare


async def _timed(stats: _Stats, kind: str, conn: _Conn, method: str, path: str, headers: dict[str, str],
                 body: bytes = b"") -> dict[str, Any] | None:
    t0 = time.perf_counter()
    try:
        status, raw = await conn.request(method, path, headers, body)
    except (OSError, asyncio.IncompleteReadError, ValueError) as exc:
        stats.errors[f"{kind} {type(exc).__name__}"] += 1
        return None
    stats.latencies[kind].append(time.perf_counter() - t0)
    stats.timeline.append((time.perf_counter(), stats.latencies[kind][-1]))
    answer = json.loads(raw) if raw else {}
    if status != 200:
        stats.errors[f"{kind} {status} {answer.get('error')}"] += 1
        return None
    return answer


async def _round(sim: _Sim, conn: _Conn, stats: _Stats, plan: Plan, number: int) -> None:
    keys = sim.keys
    headers = {"Authorization": f"Bearer {keys.token}"}
    pushed = number >= 0 and _pushes(sim, number, plan)
    if pushed:
        batch = sim.batches.pop(0)
        answer = await _timed(stats, "push", conn, "POST", f"/v1/teams/{keys.team}/changes", headers,
                              json.dumps({"envelopes": batch}).encode())
        if answer is None:
            return
        sim.pushed += [_digest(e) for e, r in zip(batch, answer["results"], strict=True) if not r["duplicate"]]
    t0 = time.perf_counter()
    answer = await _timed(stats, "round", conn, "GET", f"/v1/teams/{keys.team}/round?ledger_after="
                          f"{sim.ledger_index}&after={sim.cursor}&limit={plan.page_limit}", headers)
    if answer is None:
        return
    if answer["ledger"]["head"] is not None:
        sim.ledger_index = answer["ledger"]["head"]["index"]
    page = answer["page"]
    if not pushed and not page["changes"] and not answer["ledger"]["entries"]:
        stats.noop.append(time.perf_counter() - t0)
    while True:
        sim.seen += [(c["seq"], _digest(c["envelope"])) for c in page["changes"]]
        sim.cursor = page["next"]
        if not page["more"]:
            return
        page = await _timed(stats, "changes", conn, "GET", f"/v1/teams/{keys.team}/changes?after={sim.cursor}"
                            f"&limit={plan.page_limit}", headers)
        if page is None:
            return


async def _device(sim: _Sim, host: str, port: int, stats: _Stats, plan: Plan, start: float) -> None:
    conn = _Conn(host, port)
    offset = random.Random(sim.keys.id).uniform(0, plan.interval_s)
    try:
        for number in range(plan.rounds):
            due = start + offset + number * plan.interval_s
            now = time.perf_counter()
            if now - start > plan.bound_s:
                return
            if due > now:
                await asyncio.sleep(due - now)
            elif now - due > plan.interval_s:
                stats.late_rounds += 1
            await _round(sim, conn, stats, plan, number)
            stats.rounds += 1
    finally:
        conn.close()


def _latency(samples: list[float]) -> dict[str, float]:
    if not samples:
        return {"count": 0, "p50_ms": 0.0, "p99_ms": 0.0, "max_ms": 0.0}
    ordered = sorted(samples)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return {"count": len(ordered), "p50_ms": statistics.median(ordered) * 1000, "p99_ms": p99 * 1000,
            "max_ms": ordered[-1] * 1000}


def peak_rss_mb(pid: int) -> float:
    """Peak resident memory (VmHWM) of ``pid`` and its child processes (``--workers``), in MB."""
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        try:
            for line in Path(f"/proc/{current}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    total += int(line.split()[1])
            for task in Path(f"/proc/{current}/task").iterdir():
                todo += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            continue
    return total / 1024


async def _load(sims: list[_Sim], base: str, plan: Plan) -> dict[str, Any]:
    url = urlsplit(base)
    stats = _Stats()
    start = time.perf_counter()
    await asyncio.gather(*(_device(s, url.hostname or "127.0.0.1", url.port or 80, stats, plan, start)
                           for s in sims))
    wall = time.perf_counter() - start
    # a last round each, unhurried, so every device has pulled what its team pushed
    final = _Stats()
    gate = asyncio.Semaphore(16)

    async def drain(sim: _Sim) -> None:
        async with gate:
            conn = _Conn(url.hostname or "127.0.0.1", url.port or 80)
            try:
                await _round(sim, conn, final, plan, -1)
            finally:
                conn.close()

    await asyncio.gather(*(drain(s) for s in sims))
    every = [x for samples in stats.latencies.values() for x in samples]
    requests = len(every)
    answered = {kind: len(stats.latencies[kind]) + len(final.latencies[kind]) for kind in stats.latencies}
    return {"wall_s": wall, "requests": requests, "requests_per_s": requests / wall,
            "rounds": stats.rounds, "late_rounds": stats.late_rounds,
            "errors": sum(stats.errors.values()) + sum(final.errors.values()),
            "error_kinds": dict(stats.errors + final.errors), "answered": answered, "all": _latency(every),
            **{kind: _latency(samples) for kind, samples in stats.latencies.items()},
            "noop_round": _latency(stats.noop),
            "p99_by_second_ms": [round(_latency([lat for t, lat in stats.timeline if s <= t - start < s + 1])["p99_ms"])
                                 for s in range(int(wall) + 1)]}


def check(sims: list[_Sim]) -> dict[str, int]:
    """Every envelope a device of a team pushed was pulled exactly once by every device of that team, in
    seq order. Returns counts; raises AssertionError with what went wrong."""
    teams: dict[str, list[_Sim]] = {}
    for sim in sims:
        teams.setdefault(sim.keys.team, []).append(sim)
    pushed_total = pulled_total = 0
    for members in teams.values():
        pushed = Counter(d for sim in members for d in sim.pushed)
        assert all(n == 1 for n in pushed.values()), "an envelope was stored twice"
        pushed_total += len(pushed)
        for sim in members:
            seqs = [seq for seq, _ in sim.seen]
            assert seqs == sorted(set(seqs)), "a device was served a seq twice or out of order"
            got = Counter(d for _, d in sim.seen)
            missing, extra = set(pushed) - set(got), set(got) - set(pushed)
            doubled = [d for d, n in got.items() if n > 1]
            assert not missing and not extra and not doubled, (
                f"team reader: {len(missing)} missing, {len(extra)} unknown, {len(doubled)} twice")
            pulled_total += len(got)
    return {"teams": len(teams), "pushed": pushed_total, "pulled": pulled_total}


def tree_cpu_s(pid: int) -> float:
    """CPU seconds (user + system) of ``pid`` and its children: steadier than wall time on a shared machine."""
    import os

    ticks, todo = 0, [pid]
    while todo:
        current = todo.pop()
        try:
            fields = Path(f"/proc/{current}/stat").read_text().rsplit(")", 1)[1].split()
            for task in Path(f"/proc/{current}/task").iterdir():
                todo += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            continue
        ticks += sum(int(f) for f in fields[11:15])
    return ticks / os.sysconf("SC_CLK_TCK")


def run(base: str, db: str, plan: Plan, server_pid: int | None = None) -> tuple[dict[str, Any], list[_Sim]]:
    """Set up the devices, run the rounds; (measures, the simulated devices for ``check``)."""
    async def main() -> tuple[dict[str, Any], list[_Sim]]:
        sims = await _setup(base, db, plan)
        cpu, mine = (tree_cpu_s(server_pid) if server_pid else 0.0), time.process_time()
        measured = await _load(sims, base, plan)
        if server_pid:
            measured["server_cpu_s"] = tree_cpu_s(server_pid) - cpu
            measured["server_cpu_ms_per_request"] = measured["server_cpu_s"] * 1000 / max(1, measured["requests"])
        measured["client_cpu_s"] = time.process_time() - mine
        return measured, sims

    return asyncio.run(main())


def fingerprint(sims: list[_Sim]) -> str:
    """A digest of what every device pulled (for comparing runs by eye)."""
    h = hashlib.sha256()
    for sim in sims:
        h.update(repr(sim.seen).encode())
    return h.hexdigest()[:12]


def measure(store: str, processes: int, plan: Plan, db: str, database_pid: int | None = None) -> dict[str, Any]:
    """One configuration against a fresh ``sync-server serve``: measures, the check, peak memory."""
    import os

    from sync_server.store import open_store
    from tests.server.serving import start, stop

    open_store(db).close()  # migrated before the workers start
    load_before = os.getloadavg()[0]
    proc, base = start(db, "--workers", str(processes), "--log-level", "error")
    spy = None
    if os.environ.get("BENCH_PYSPY"):  # a py-spy profile of the server during the run (for development)
        import subprocess

        spy = subprocess.Popen(["py-spy", "record", "-p", str(proc.pid), "-r", "200", "-f", "raw", "-s", "--gil",
                                "-o", os.environ["BENCH_PYSPY"]], stdout=subprocess.DEVNULL)
    try:
        measured, sims = run(base, db, plan, proc.pid)
        if spy is not None:
            spy.send_signal(2)
            spy.wait(60)
        measured["peak_rss_mb"] = peak_rss_mb(proc.pid)
        if database_pid:
            measured["database_peak_rss_mb"] = peak_rss_mb(database_pid)
    finally:
        stop(proc)
    measured["check"] = check(sims)
    return {"store": store, "processes": processes, "devices": plan.devices, "team_size": plan.team_size,
            "loadavg_1min": [load_before, os.getloadavg()[0]], **measured}


def summary(r: dict[str, Any]) -> str:
    return (f"{r['store']:10} x{r['processes']} {r['devices']} devices (teams of {r['team_size']}):"
            f" {r['requests_per_s']:.0f} req/s, p50 {r['all']['p50_ms']:.1f} ms, p99 {r['all']['p99_ms']:.1f} ms"
            f" (push p99 {r['push']['p99_ms']:.1f}, round p99 {r['round']['p99_ms']:.1f},"
            f" no-op round p50 {r['noop_round']['p50_ms']:.1f}), errors {r['errors']},"
            f" late rounds {r['late_rounds']}, server cpu {r.get('server_cpu_ms_per_request', 0):.2f} ms/request,"
            f" client cpu {r['client_cpu_s']:.1f} s, peak {r['peak_rss_mb']:.0f} MB, load {r['loadavg_1min'][0]:.1f}")


if __name__ == "__main__":
    import os
    import sys
    import tempfile

    devices = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    processes = int(sys.argv[2]) if len(sys.argv) > 2 else 1
    team = int(os.environ.get("TEAM_SIZE", "1"))
    plan = Plan(devices=devices, team_size=team, rounds=int(os.environ.get("ROUNDS", "20")))
    result = measure("sqlite", processes, plan, str(Path(tempfile.mkdtemp()) / "rounds.db"))
    print(summary(result))
    print(json.dumps({k: v for k, v in result.items() if k in ("error_kinds", "check", "p99_by_second_ms")}))
