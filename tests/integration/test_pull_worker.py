"""A long pull opens its envelopes ahead in a worker process on the second core (``sync/opener.py``). In
process against a real server on a socket, with the real worker process: what a device shows after a long
pull is the same with the worker as without it, damaged envelopes are refused the same way, and a worker
killed midway (kill -9) costs nothing but time: the puller opens the rest itself."""

from __future__ import annotations

import os
import signal
import sqlite3

import pytest

from field_app.sync import opener
from field_app.sync.pull import PULL_LIMIT, Puller

N = PULL_LIMIT + 2 * opener.MIN_ENVELOPES  # two pages, both long enough for the worker


pytestmark = pytest.mark.usefixtures("fresh_pull_worker")


def _warm_worker() -> None:
    """Started and answering before the pull (it takes about a tenth of a second to start; a pull this
    short would otherwise be over before its first answer, and the worker's answers not used)."""
    assert opener.result(opener.submit(bytes(16), {}, [b"not an envelope"]), wait=True) == [None]
    assert opener.warm()


def _notes(t, n: int = N) -> str:
    client = t.work.add_client("Lange geschiedenis (fictief)")
    for i in range(n):
        t.work.record_contact(client, contact_type="TELEFONISCH", outcome="PLAATSGEVONDEN", report=f"notitie {i}")
    t.work.sync_once()
    return client


def _shown(svc, client: str) -> list[tuple]:
    return sorted((n.id, n.report, n.contact_type) for n in svc.timeline(client))


def _verdict(svc) -> tuple:
    """What the sync sheet says: the state, the devices held back and what waits or was refused."""
    status = svc.sync_status()
    return status.state, status.extra.get("held"), status.extra["waiting"]


def _counting(monkeypatch) -> list[int]:
    sizes: list[int] = []
    real = opener.submit

    def submit(team, keys, envelopes):
        future = real(team, keys, envelopes)
        if future is not None:
            sizes.append(len(envelopes))
        return future

    monkeypatch.setattr(opener, "submit", submit)
    return sizes


def test_a_long_pull_shows_the_same_with_the_worker_as_without(t, monkeypatch):
    client = _notes(t)
    _warm_worker()
    sizes = _counting(monkeypatch)
    used = []
    real = Puller._opened_here

    def opened_here(self, seq, parts):
        op, plain = real(self, seq, parts)
        used.append(op is not None)
        return op, plain

    monkeypatch.setattr(Puller, "_opened_here", opened_here)
    t.sup.sync_once()
    assert sum(sizes) >= N - PULL_LIMIT and sum(used) >= N - PULL_LIMIT  # the worker opened (most of) it
    with_worker = _shown(t.sup, client)
    assert sorted(r for _id, r, _t in with_worker) == sorted(f"notitie {i}" for i in range(N))

    monkeypatch.setenv("VELDWERK_PULL_WORKER", "0")
    other = t.enrol("other", "Tweede Werkbegeleider (fictief)", "tweede wachtwoordzin 5678", role="WERKBEGELEIDER")
    sizes.clear()
    other.sync_once()
    assert sizes == []
    assert _shown(other, client) == with_worker
    assert _verdict(other) == _verdict(t.sup)


def test_damaged_envelopes_in_a_long_pull_are_refused_as_without_the_worker(t, monkeypatch):
    client = _notes(t)
    db = sqlite3.connect(t.server.db, timeout=30)
    rows = db.execute("SELECT seq, envelope FROM changes WHERE device = ? ORDER BY seq",
                      [t.work.device_id]).fetchall()
    for seq, env in rows[-300::37]:  # in the worker's pages: one bit of the ciphertext
        damaged = bytearray(env)
        damaged[len(damaged) // 2] ^= 0x10
        db.execute("UPDATE changes SET envelope = ? WHERE seq = ?", [bytes(damaged), seq])
    db.commit()
    db.close()

    _warm_worker()
    sizes = _counting(monkeypatch)
    t.sup.sync_once()
    assert sizes
    monkeypatch.setenv("VELDWERK_PULL_WORKER", "0")
    other = t.enrol("other", "Tweede Werkbegeleider (fictief)", "tweede wachtwoordzin 5678", role="WERKBEGELEIDER")
    other.sync_once()
    shown = _shown(t.sup, client)
    assert len(shown) < N  # the damaged ones did not open
    assert shown == _shown(other, client)
    assert _verdict(t.sup) == _verdict(other)


def test_a_worker_killed_midway_costs_nothing_but_time(t, monkeypatch):
    client = _notes(t)
    _warm_worker()
    real = opener.submit
    calls = []

    def submit_then_kill(team, keys, envelopes):
        future = real(team, keys, envelopes)
        calls.append(future)
        if len(calls) == 3 and opener._worker is not None:
            os.kill(opener._worker.proc.pid, signal.SIGKILL)
        return future

    monkeypatch.setattr(opener, "submit", submit_then_kill)
    t.sup.sync_once()
    assert len(calls) >= 3
    assert sorted(r for _id, r, _t in _shown(t.sup, client)) == sorted(f"notitie {i}" for i in range(N))
    assert not _verdict(t.sup)[1] and not any(_verdict(t.sup)[2][k] for k in ("key", "sender", "held", "refused"))
    assert not opener.available()  # this process opens by itself from now on
    opener.shutdown()
    assert opener.available()
