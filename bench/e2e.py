"""End-to-end sync bench: real devices, a real ``sync-server`` process, and the PouchDB peer in the same run.

For each N: a team of three devices (coordinator, field worker, supervisor) enrols against a fresh
``sync-server serve`` on loopback, each with the real crypto and store. The field worker records N notes
of about 1 KB through its services (``Services.record_contact``: validation, rules, sealing, signing, one
transaction), its sync pushes them until the outbox is empty, and the supervisor's device — which had
nothing yet — pulls them all into its store and projection. Then: a sync with nothing to do (and how many
HTTP requests it makes), and, in a process of its own, the supervisor's unlock (the passphrase KDF timed
apart) and its resident memory with everything loaded.

The PouchDB peer (``bench/pouch.py``) runs before and after each Veldwerk run (interleaved, so load on
the shared machine hits both); its median is the baseline of the ratio. Without node it says so.

    python -m bench.e2e [--n 2000 10000 ...] [--keep]   (or BENCH_E2E_N=10000,50000; default 10000,50000 as issue #11 asks;
                                                          --keep: keep earlier runs of other sizes)

Results go into bench/results/latest.json (key ``e2e``) and the table in docs/performance.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from bench.pouch import PouchPeer
from field_app.crypto.vault import ScryptParams
from field_app.services import Services

ROOT = Path(__file__).resolve().parents[1]
LATEST = ROOT / "bench" / "results" / "latest.json"
PASS = "bench wachtwoordzin 1234"
FAST = ScryptParams(n=2**12, r=8, p=1)  # the KDF is timed apart; a fast one keeps the setup short
CLIENTS = 20
FILLER = "Bezoek verliep rustig; afspraken besproken en vastgelegd (fictief). " * 14  # ~1 KB per note
NOOP_ROUNDS = 20


class CountingTransport(httpx.HTTPTransport):
    """Counts the HTTP requests a device makes (round trips of a sync)."""

    def __init__(self) -> None:
        super().__init__()
        self.requests = 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.requests += 1
        return super().handle_request(request)


class Server:
    def __init__(self, tmp: Path):
        import socket

        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.db, self.url = tmp / "server.db", f"http://127.0.0.1:{self.port}"
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "sync_server.cli", "serve", "--db", str(self.db), "--host", "127.0.0.1",
             "--port", str(self.port), "--log-level", "warning"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(300):
            try:
                httpx.get(self.url + "/healthz", timeout=1)
                break
            except httpx.TransportError:
                time.sleep(0.1)

    def code(self, role: str) -> str:
        out = subprocess.run([sys.executable, "-m", "sync_server.cli", "init", "--db", str(self.db), "--role", role,
                              "--json"], capture_output=True, text=True, check=True)
        return json.loads(out.stdout.strip().splitlines()[-1])["code"]

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def _team(tmp: Path, server: Server, transport: httpx.BaseTransport) -> tuple[Services, Services, Services]:
    coord = Services.enrol(tmp / "coord", server_url=server.url, code=server.code("WERKBEGELEIDER"),
                           passphrase=PASS, user_name="Coördinator (fictief)", scrypt=FAST, autosync=False)
    coord.sync_once()

    def admit(name: str, role: str, folder: str, transport: httpx.BaseTransport | None = None) -> Services:
        invitation = coord.create_invitation(role)
        svc = Services.enrol(tmp / folder, invite=invitation["text"], passphrase=PASS, user_name=name, scrypt=FAST,
                             autosync=False, transport=transport)
        svc.sync_once()
        coord.confirm_device(svc.device_id, " ".join(svc.fingerprint()))
        svc.sync_once()
        return svc

    worker = admit("Veldwerker (fictief)", "VELDWERKER", "worker")
    fresh = admit("Werkbegeleider (fictief)", "WERKBEGELEIDER", "fresh", transport)
    return coord, worker, fresh


def _record(worker: Services, n: int) -> dict:
    """N notes through the services, round-robin over CLIENTS clients; each one timed."""
    clients = [worker.add_client(f"Benchcliënt {i} (fictief)", fictional=True) for i in range(CLIENTS)]
    lat = []
    t_all = time.perf_counter()
    for i in range(n):
        t0 = time.perf_counter()
        worker.record_contact(clients[i % CLIENTS], contact_type="TELEFONISCH", outcome="PLAATSGEVONDEN",
                              report=f"{FILLER}{i}")
        lat.append(time.perf_counter() - t0)
    total = time.perf_counter() - t_all
    early = lat[100:150] or lat[:50]
    return {"record_rps": n / total, "record_s": total,
            "note_ms_at_100": statistics.median(early) * 1000,
            "note_ms_at_n": statistics.median(lat[-50:]) * 1000,
            "note_ms_p95_at_n": sorted(lat[-50:])[int(0.95 * len(lat[-50:])) - 1] * 1000}


def _push(worker: Services) -> dict:
    """One sync round of the worker; the push time is until its outbox is empty (the round then pulls its
    own envelopes back, which is timed as the round)."""
    count = worker.unsynced_count()
    done: dict[str, float] = {}

    def seen() -> None:
        if "t" not in done and worker.device.store.outbox_count() == 0:
            done["t"] = time.perf_counter()

    unsubscribe = worker.subscribe(seen)
    t0 = time.perf_counter()
    worker.sync_once()
    t_round = time.perf_counter() - t0
    unsubscribe()
    push_s = done.get("t", t0 + t_round) - t0
    return {"pushed": count, "push_s": push_s, "push_rps": count / push_s, "push_round_s": t_round,
            "left_in_outbox": worker.unsynced_count()}


def _pull(fresh: Services, transport: CountingTransport, n: int) -> dict:
    t0 = time.perf_counter()
    fresh.sync_once()
    pull_s = time.perf_counter() - t0
    pulled = len(fresh.device.projection.records(rtype="contact"))
    noop, requests = [], []
    for _ in range(NOOP_ROUNDS):
        before = transport.requests
        t0 = time.perf_counter()
        fresh.sync_once()
        noop.append(time.perf_counter() - t0)
        requests.append(transport.requests - before)
    return {"pulled": pulled, "pull_s": pull_s, "pull_rps": pulled / pull_s,
            "noop_ms": statistics.median(noop) * 1000, "noop_requests": statistics.median(requests)}


def _probe_unlock(data: Path, fold: bool = False) -> dict:
    """``fold``: with the sealed projection snapshot dropped first (every operation folded, as after an
    update that changed the snapshot's format)."""
    out = subprocess.run([sys.executable, "-m", "bench.e2e", "--probe-fold" if fold else "--probe", str(data)],
                         input=PASS + "\n", capture_output=True, text=True, cwd=ROOT, timeout=1800)
    if out.returncode != 0:
        return {"probe_error": out.stderr[-500:]}
    return json.loads(out.stdout.strip().splitlines()[-1])


def probe(data: Path, fold: bool = False) -> dict:
    """In a process of its own: unlock a device (the KDF timed apart), load its projection; memory. The
    machine's load average is reported with it (a shared machine: CPU time is the steadier figure)."""
    def rss(field: str) -> float:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
        return 0.0

    passphrase = sys.stdin.readline().rstrip("\n")
    svc = Services(data, autosync=False)
    if fold:
        svc.device.store.snapshot_drop()
    base = rss("VmRSS")
    t0 = time.perf_counter()
    key = svc.vault.open_counted(passphrase, svc.vault.platform_secret)
    t1, c1 = time.perf_counter(), time.process_time()
    svc.device.open(key)
    t2, c2 = time.perf_counter(), time.process_time()
    resident = rss("VmRSS")
    records = len(svc.device.projection.records())
    svc.caseload()
    out = {"kdf_s": t1 - t0, "unlock_s_without_kdf": t2 - t1, "unlock_cpu_s": c2 - c1, "records": records,
           "from_snapshot": svc.device.snapshot_loaded, "rss_mb_before": base, "rss_mb": resident,
           "load_avg": os.getloadavg()[0]}
    svc.device._snap.wait()  # a snapshot written after a full fold: its memory while it is made, and after
    out.update(rss_mb_after_snapshot=rss("VmRSS"), rss_peak_mb=rss("VmHWM"))
    svc.close()
    return out


def _settle(*devices: Services) -> None:
    """Every device's due background work (its sealed projection snapshot) written now, before a timed
    phase: the bench keeps three devices in one process, and on phones of their own one device's snapshot
    (1-2 s of CPU at 50,000 records, written after 2 s of quiet) never lands in another device's pull or
    unlock. Also before the push: a worker who recorded all day had its snapshot written in a quiet moment."""
    for svc in devices:
        svc.device.settle_background()


def run_veldwerk(n: int) -> dict:
    tmp = Path(tempfile.mkdtemp(prefix="veldwerk-e2e-"))
    server = Server(tmp)
    transport = CountingTransport()
    devices: list[Services] = []
    try:
        coord, worker, fresh = devices[:] = _team(tmp, server, transport)
        out = {"N": n, **_record(worker, n)}
        _settle(coord, worker, fresh)
        out.update(_push(worker))
        _settle(coord, worker, fresh)
        out.update(_pull(fresh, transport, n))
        fresh.close()
        _settle(coord, worker)
        out.update(_probe_unlock(tmp / "fresh"))  # its sealed snapshot was written after the pull
        out["full_fold"] = _probe_unlock(tmp / "fresh", fold=True)
        return out
    finally:
        for svc in devices:
            try:
                svc.close()
            except Exception:
                pass
        server.stop()
        import shutil

        shutil.rmtree(tmp, ignore_errors=True)


def machine(peer: PouchPeer) -> dict:
    cpu = ""
    try:
        cpu = next(line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                   if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    node = subprocess.run([peer.node, "--version"], capture_output=True, text=True).stdout.strip() if peer.node else None
    return {"cpu": cpu, "cores": os.cpu_count(), "platform": platform.platform(), "python": platform.python_version(),
            "node": node, "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())}


def bench(ns: list[int] | None = None, keep: bool = False) -> dict:
    ns = ns or [int(x) for x in os.environ.get("BENCH_E2E_N", "10000,50000").split(",") if x.strip()]
    peer = PouchPeer()
    result: dict = {"machine": machine(peer), "runs": [], "pouchdb": peer.missing or "run interleaved"}
    try:
        for n in ns:
            load = [os.getloadavg()[0]]  # the machine is shared: its load goes with the figures
            pouch = [peer.run(n)]
            vw = run_veldwerk(n)
            pouch.append(peer.run(n))
            load.append(os.getloadavg()[0])
            pouch = [p for p in pouch if p]
            run = {"N": n, "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "veldwerk": vw,
                   "pouchdb": pouch, "pouchdb_missing": peer.missing or None, "load": load}
            if pouch:
                base = {k: statistics.median(p[k] for p in pouch) for k in ("push_rps", "pull_rps", "noop_s")}
                run["pouchdb_median"] = base
                run["ratio"] = {"push": vw["push_rps"] / base["push_rps"], "pull": vw["pull_rps"] / base["pull_rps"]}
            result["runs"].append(run)
            print(json.dumps(run), flush=True)
    finally:
        peer.cleanup()
    if keep:  # runs of other sizes measured earlier (each keeps its own date)
        earlier = json.loads(LATEST.read_text()).get("e2e", {}).get("runs", []) if LATEST.exists() else []
        result["runs"] = sorted([r for r in earlier if r["N"] not in ns] + result["runs"], key=lambda r: r["N"])
    write_docs(result)
    return result


def write_docs(result: dict) -> None:
    from bench.e2e_doc import render

    path = ROOT / "docs" / "performance.md"
    text = path.read_text()
    start, end = "<!-- e2e:start -->", "<!-- e2e:end -->"
    block = f"{start}\n{render(result)}\n{end}"
    if start in text and end in text:
        text = text[:text.index(start)] + block + text[text.index(end) + len(end):]
    else:
        text = text.rstrip() + "\n\n## End to end against PouchDB (`make bench`)\n\n" + block + "\n"
    path.write_text(text)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, nargs="*", help="numbers of notes (default BENCH_E2E_N or 10000 50000)")
    ap.add_argument("--keep", action="store_true", help="keep earlier runs of other sizes in the results")
    ap.add_argument("--probe", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--probe-fold", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.probe or args.probe_fold:
        print(json.dumps(probe(args.probe or args.probe_fold, fold=bool(args.probe_fold))))
        return
    result = bench(args.n, keep=args.keep)
    data = json.loads(LATEST.read_text()) if LATEST.exists() else {}
    data["e2e"] = result
    LATEST.write_text(json.dumps(data, indent=2))


if __name__ == "__main__":
    main()
