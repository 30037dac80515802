"""``make bench``: performance of the hot paths, as ratios against a baseline measured in the same process.

1. seal/open: building and opening one envelope (HKDF + 2x AES-GCM + Ed25519) against a bare AES-GCM
   encryption of the same padded plaintext (the floor any encrypted store pays).
2. sync: N envelopes pushed to and pulled from a real ``sync-server`` on loopback in batches of 200/500,
   against the PouchDB anchor figures of shared/anchors/pouchdb (about 4,100 docs/s push and 4,300/s pull
   for N = 10,000 on a 2-core machine; unencrypted and in memory, so a generous baseline).

3. end to end (bench/e2e.py): devices recording, pushing and pulling through a real server, with the
   PouchDB peer run in the same run (BENCH_E2E_N=10000,50000 for the issue's sizes).

Results go to bench/results/latest.json; docs/performance.md summarises them. Not a test: no asserts.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from field_app.crypto.canonical import b64e
from field_app.crypto.envelope import open_envelope, seal
from field_app.crypto.identity import DeviceIdentity, new_id

ROOT = Path(__file__).resolve().parents[1]
N_SYNC = int(os.environ.get("BENCH_N", "5000"))
POUCHDB = {"push_rps": 4100, "pull_rps": 4300}


def _op(i: int) -> dict:
    return {"type": "contact", "record_id": f"r{i}", "client_id": "c", "kind": "create", "hlc": [i, 0, "d"],
            "author_user": "bench", "fields": {"report": "x" * 900, "occurred_at": i}}


def bench_seal_open(rounds: int = 2000) -> dict:
    ident, team, key = DeviceIdentity.generate(), new_id(), os.urandom(32)
    plain = b"x" * 1024
    aes = AESGCM(os.urandom(32))
    t0 = time.perf_counter()
    for _ in range(rounds):
        aes.encrypt(os.urandom(12), plain, b"")
    base = (time.perf_counter() - t0) / rounds
    envs = []
    t0 = time.perf_counter()
    for i in range(rounds):
        envs.append(seal(_op(i), team=team, epoch=1, epoch_key=key, identity=ident, op_id=new_id(),
                         device_seq=i + 1, prev_hash=bytes(32), ledger_head=bytes(32)))
    t_seal = (time.perf_counter() - t0) / rounds
    t0 = time.perf_counter()
    for env in envs:
        open_envelope(env, team=team, sender_ed25519=ident.ed25519_pub, epoch_keys={1: key})
    t_open = (time.perf_counter() - t0) / rounds
    return {"baseline_aesgcm_us": base * 1e6, "seal_us": t_seal * 1e6, "open_us": t_open * 1e6,
            "seal_ratio": t_seal / base, "open_ratio": t_open / base}


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def bench_sync(n: int = N_SYNC) -> dict:
    """Push and pull through the real server, talking the wire protocol directly (one device)."""
    from field_app.crypto.canonical import pinned

    tmp = Path(tempfile.mkdtemp())
    db, port = tmp / "bench.db", _free_port()
    url = f"http://127.0.0.1:{port}"
    proc = subprocess.Popen([sys.executable, "-m", "sync_server.cli", "serve", "--db", str(db), "--port", str(port),
                             "--log-level", "warning"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        init = json.loads(subprocess.run([sys.executable, "-m", "sync_server.cli", "init", "--db", str(db), "--json"],
                                         capture_output=True, text=True, check=True).stdout)
        http = httpx.Client(base_url=url, timeout=30)
        for _ in range(100):
            try:
                http.get("/healthz")
                break
            except httpx.TransportError:
                time.sleep(0.1)
        ident = DeviceIdentity.generate()
        dev = b64e(ident.device_id)
        enrol = http.post("/v1/enrol", json={"code": init["code"], "device": dev,
                                             "ed25519": b64e(ident.ed25519_pub), "x25519": b64e(ident.x25519_pub)})
        team_s, role = enrol.json()["team"], enrol.json()["role"]
        from field_app.crypto import ledger as L
        from field_app.crypto.canonical import b64d
        from field_app.crypto.grants import epoch_commitment

        team, key = b64d(team_s), os.urandom(32)
        ch = http.post("/v1/auth/challenge", json={"team": team_s, "device": dev}).json()
        nonce = b64e(os.urandom(32))
        sig = ident.sign(pinned("login", {"server_nonce": ch["challenge"], "device_nonce": nonce, "team": team_s,
                                          "device": dev, "server": url}))
        tok = http.post("/v1/auth/login", json={"team": team_s, "device": dev, "challenge": ch["challenge"],
                                                "device_nonce": nonce, "signature": b64e(sig)}).json()["token"]
        auth = {"Authorization": f"Bearer {tok}"}
        genesis = L.genesis(team, ident, role, epoch_commitment(team, 1, key), int(time.time() * 1000))
        r = http.post(f"/v1/teams/{team_s}/ledger", json={"entry": genesis}, headers=auth)
        assert r.status_code == 200, r.text
        head = L.entry_hash(genesis)
        envs, prev = [], bytes(32)
        from field_app.crypto.wire import envelope_hash

        for i in range(n):
            env = seal(_op(i), team=team, epoch=1, epoch_key=key, identity=ident, op_id=new_id(), device_seq=i + 1,
                       prev_hash=prev, ledger_head=head)
            prev = envelope_hash(env)
            envs.append(env)
        t0 = time.perf_counter()
        for i in range(0, n, 200):
            r = http.post(f"/v1/teams/{team_s}/changes", json={"envelopes": [b64e(e) for e in envs[i:i + 200]]},
                          headers=auth)
            r.raise_for_status()
        t_push = time.perf_counter() - t0
        t0 = time.perf_counter()
        after, pulled = 0, 0
        while True:
            page = http.get(f"/v1/teams/{team_s}/changes", params={"after": after, "limit": 500}, headers=auth).json()
            pulled += len(page["changes"])
            after = page["next"]
            if not page["more"]:
                break
        t_pull = time.perf_counter() - t0
        noop = []
        for _ in range(20):
            t0 = time.perf_counter()
            http.get(f"/v1/teams/{team_s}/changes", params={"after": after, "limit": 500}, headers=auth).json()
            noop.append(time.perf_counter() - t0)
        return {"N": n, "pulled": pulled, "push_s": t_push, "pull_s": t_pull, "push_rps": n / t_push,
                "pull_rps": n / t_pull, "noop_ms": statistics.median(noop) * 1000,
                "push_vs_pouchdb": (n / t_push) / POUCHDB["push_rps"],
                "pull_vs_pouchdb": (n / t_pull) / POUCHDB["pull_rps"]}
    finally:
        proc.terminate()
        proc.wait(10)


def main() -> None:
    from bench.e2e import bench as bench_e2e  # end to end with the PouchDB peer: bench/e2e.py
    from bench.server_load import bench_server_load, bench_server_rounds, write_rounds_doc  # server side

    results = {"seal_open": bench_seal_open(), "sync": bench_sync(), "e2e": bench_e2e()}
    results["server_rounds"] = bench_server_rounds()
    write_rounds_doc(results["server_rounds"])
    results["server_load"] = bench_server_load()
    out = ROOT / "bench" / "results" / "latest.json"
    out.write_text(json.dumps(results, indent=2))
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
