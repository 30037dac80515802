"""The floor of a pulled envelope's CPU: each step a pull cannot leave out, timed alone in a tight loop on
real envelopes (a team recorded through its services and pushed to a real server), without the glue around
it. ``python -m bench.pull_floor [N]``. A diagnosis for issue #11 (docs/performance.md), not a figure of
``make bench``: what a pull must at least spend per envelope in this design and this interpreter.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

from bench.e2e import CLIENTS, FILLER, CountingTransport, Server, _team
from field_app.crypto import wire
from field_app.crypto.canonical import b64d, b64e, canonical_loads
from field_app.crypto.envelope import open_envelope_plain
from field_app.crypto.identity import verify_signature
from field_app.crypto.vault import seal_local_many
from field_app.store.projection import Projection

SLICE = 100


def best(fn, repeat: int = 5) -> float:
    """The least wall time of ``repeat`` runs of ``fn`` (seconds)."""
    out = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t0)
    return min(out)


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    tmp = Path(tempfile.mkdtemp(prefix="veldwerk-floor-"))
    server = Server(tmp)
    coord, worker, fresh = _team(tmp, server, CountingTransport())
    try:
        clients = [worker.add_client(f"Benchcliënt {i} (fictief)", fictional=True) for i in range(CLIENTS)]
        for i in range(n):
            worker.record_contact(clients[i % CLIENTS], contact_type="TELEFONISCH", outcome="PLAATSGEVONDEN",
                                  report=f"{FILLER}{i}")
        worker.sync_once()
        team, keys = worker.device.team, dict(worker.device.epoch_keys)
        db = sqlite3.connect(tmp / "server.db")
        envs = [bytes(r[0]) for r in db.execute("SELECT envelope FROM changes ORDER BY seq")]
        db.close()
        me = worker.device.identity.device_id
        envs = [e for e in envs if wire.unpack(e).device == me][-n:]
        key = worker.device.ledger.devices[me].ed25519
        import orjson

        body = orjson.dumps({"changes": [{"seq": i, "envelope": b64e(e)} for i, e in enumerate(envs)]})
        out: dict[str, float] = {}
        out["page JSON parse + base64 decode"] = best(lambda: [b64d(c["envelope"]) for c in orjson.loads(body)["changes"]])
        out["(in opening) header parse (unpack)"] = best(lambda: [wire._unpack.__wrapped__(e) for e in envs])
        out["SHA-256 of the envelope (chain)"] = best(lambda: [wire.hashlib.sha256(e).digest() for e in envs])
        tails = [wire.unpack(e) for e in envs[SLICE - 1::SLICE]]
        out["Ed25519, one per run of 100"] = best(lambda: [verify_signature(key, p.signature, p.signed_bytes()) for p in tails])
        opened = [open_envelope_plain(e, team=team, sender_ed25519=key, epoch_keys=keys, signature_checked=True) for e in envs]
        out["open: header parse, 2 HKDF, 2 AES-GCM, canonical check"] = best(lambda: [open_envelope_plain(
            e, team=team, sender_ed25519=key, epoch_keys=keys, signature_checked=True) for e in envs])
        plains = [p for _op, p in opened]
        out["(in opening) canonical check of the plaintext"] = best(lambda: [canonical_loads(p) for p in plains])
        local = os.urandom(32)
        out["seal under the local key (AES-GCM)"] = best(lambda: [seal_local_many(local, "op", plains[i:i + SLICE])
                                                                  for i in range(0, len(plains), SLICE)])
        blobs = seal_local_many(local, "op", plains)
        parts = [wire.unpack(e) for e in envs]

        def store() -> None:
            path = tmp / "floor.db"
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
            conn = sqlite3.connect(path, isolation_level=None)
            conn.execute("PRAGMA page_size=16384")
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.executescript(
                "CREATE TABLE ops (op_id BLOB PRIMARY KEY, position INTEGER NOT NULL, origin TEXT NOT NULL, seq INTEGER,"
                " blob BLOB NOT NULL); CREATE UNIQUE INDEX ops_position ON ops (position);"
                " CREATE INDEX ops_unconfirmed ON ops (op_id) WHERE seq IS NULL AND origin = 'local';"
                " CREATE TABLE seen (seq INTEGER PRIMARY KEY, device BLOB NOT NULL, device_seq INTEGER NOT NULL,"
                " hash BLOB NOT NULL); CREATE UNIQUE INDEX seen_chain ON seen (device, device_seq);")
            for i in range(0, len(envs), SLICE):
                conn.execute("BEGIN")
                conn.executemany("INSERT INTO ops VALUES (?, ?, 'remote', ?, ?)",
                                 [(parts[j].op_id, j, j, blobs[j]) for j in range(i, min(i + SLICE, len(envs)))])
                conn.executemany("INSERT INTO seen VALUES (?, ?, ?, ?)",
                                 [(j, parts[j].device, parts[j].header["device_seq"], b"h" * 32)
                                  for j in range(i, min(i + SLICE, len(envs)))])
                conn.execute("COMMIT")
            conn.close()

        out["SQLite: op row + seen row, commit per 100 (WAL, no fsync)"] = best(store, 3)
        ops = [op for op, _p in opened]
        ids = [p.op_id for p in parts]

        def fold() -> None:
            proj = Projection()
            for op, op_id in zip(ops, ids, strict=True):
                proj.apply(op, op_id=op_id, origin="remote", received_at=0)

        out["fold into the projection"] = best(fold, 3)
        total = 0.0
        print(f"per pulled envelope, {len(envs)} envelopes (least of 3-5 runs), load {os.getloadavg()[0]:.1f}:")
        for name, s in out.items():
            us = s / len(envs) * 1e6
            if not name.startswith("(in opening)"):
                total += us
            print(f"  {us:6.1f} us  {name}")
        print(f"  {total:6.1f} us  sum (each step once)")
    finally:
        for svc in (coord, worker, fresh):
            svc.close()
        server.stop()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
