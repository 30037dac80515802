"""kill -9 of real processes (issue #11): a device during a local write, a device during a sync (its push,
and another device's pull), and the server during a push, 20 times each. Afterwards nothing recorded is
lost or duplicated — every note the device answered as saved is on it exactly once, and after a final sync
exactly once on the server and on a reader device — and every SQLite file (both devices, the server)
passes ``PRAGMA integrity_check``.

The kill moments come from a seeded random generator (repeatable choices; the processes' own timing
decides what exactly was under way). Bounded: a fixed number of rounds, every wait with a deadline.
"""

from __future__ import annotations

import json
import random
import sqlite3
import threading
import time
from contextlib import closing
from pathlib import Path

import pytest
from procs import SUP_PASS, WORK_PASS, DeviceShell, ServerProc, admit, enrol, free_port, sync

from field_app.crypto.canonical import b64e

pytestmark = pytest.mark.slow

ROUNDS = 20
NOTE = {"contact_type": "KANTOOR", "outcome": "PLAATSGEVONDEN"}


@pytest.fixture(scope="module")
def team(tmp_path_factory):
    """One team for the three kill tests (enrolment costs seconds): a server, a coordinator device (the
    reader) and a confirmed field worker device. Each test works on a client of its own."""
    tmp = tmp_path_factory.mktemp("faults")
    server = ServerProc(tmp / "server.db", free_port(), tmp / "server.log")
    server.start()
    try:
        first = server.cli("init", "--role", "WERKBEGELEIDER")
        enrol(tmp / "supervisor", server.url, first["code"], "Fatima El Amrani (fictief)", SUP_PASS)
        admit(tmp / "supervisor", SUP_PASS, tmp / "worker", WORK_PASS, "Lotte de Boer (fictief)")
        assert sync(tmp / "worker", WORK_PASS)["state"] == "online"
        yield {"server": server, "sup": tmp / "supervisor", "work": tmp / "worker", "tmp": tmp}
    finally:
        server.kill()


@pytest.fixture
def live(team):
    if team["server"].proc is None or team["server"].proc.poll() is not None:
        team["server"].start()
    return team


def outbox_count(data: Path) -> int:
    """Read from the (stopped) device's file: entries not yet confirmed by the server."""
    with closing(sqlite3.connect(data / "veldwerk.db")) as db:
        return db.execute("SELECT COUNT(*) FROM outbox").fetchone()[0]


def integrity(path: Path) -> str:
    with closing(sqlite3.connect(path)) as db:
        return db.execute("PRAGMA integrity_check").fetchone()[0]


def report(token: str) -> str:
    return f"Kantoorgesprek {token} (fictief)."


class Worker:
    """The field worker's device as a process; remembers which notes it answered as saved."""

    def __init__(self, team: dict):
        self.team, self.saved, self.unanswered = team, [], []
        self.shell: DeviceShell | None = None
        self.cid: str | None = None

    def start(self) -> DeviceShell:
        self.shell = DeviceShell(self.team["work"], WORK_PASS, self.team["tmp"] / "worker.log")
        if self.cid is None:
            self.cid = self.shell.call("add_client", name="Kill Negen (fictief)", fictional=True)
        return self.shell

    def write(self, tokens: list[str]) -> None:
        for token in tokens:
            self.shell.call("record_contact", client_id=self.cid, report=report(token), **NOTE)
            self.saved.append(token)

    def write_and_kill(self, tokens: list[str], after: float) -> bool:
        """Queue the writes at once, kill -9 the process ``after`` seconds later; the answered ones count
        as saved. True if the kill came while writes were still being answered."""
        proc = self.shell.proc
        for token in tokens:
            proc.stdin.write(json.dumps({"cmd": "record_contact", "client_id": self.cid, "report": report(token),
                                         **NOTE}) + "\n")
        proc.stdin.flush()
        killer = threading.Timer(after, proc.kill)
        killer.start()
        answered = 0
        for line in proc.stdout:
            answer = json.loads(line)
            assert answer["ok"], answer
            self.saved.append(tokens[answered])
            answered += 1
            if answered == len(tokens):
                break
        killer.join()
        proc.wait(10)
        self.unanswered += tokens[answered:]
        return answered < len(tokens)

    def kill(self) -> None:
        self.shell.proc.kill()
        self.shell.proc.wait(10)


def tokens_on(shell: DeviceShell, cid: str) -> list[str]:
    return [n["report"].split(" ")[1] for n in shell.call("timeline", client_id=cid)]


def check_device(worker: Worker) -> None:
    """On the device itself: every answered note exactly once; an unanswered one at most once."""
    shell = worker.start()
    try:
        seen = tokens_on(shell, worker.cid)
    finally:
        shell.close()
    assert sorted(t for t in seen if t in worker.saved) == sorted(worker.saved)
    assert len(seen) == len(set(seen))
    assert set(seen) <= set(worker.saved) | set(worker.unanswered)
    worker.saved = sorted(set(seen))  # from here on, what the device holds is what must travel


def settle_and_check(team: dict, worker: Worker) -> None:
    """A final sync of the worker and the reader; the notes exactly once everywhere; every file sound."""
    check_device(worker)
    deadline = time.monotonic() + 60
    while sync(team["work"], WORK_PASS, rounds=1)["pending"] and time.monotonic() < deadline:
        pass
    sync(team["sup"], SUP_PASS, rounds=1)
    reader = DeviceShell(team["sup"], SUP_PASS, team["tmp"] / "reader.log")
    try:
        on_reader = tokens_on(reader, worker.cid)
    finally:
        reader.close()
    assert sorted(on_reader) == sorted(worker.saved)  # each exactly once on the reader
    team["server"].kill()
    work_db, server_db = team["work"] / "veldwerk.db", team["tmp"] / "server.db"
    with closing(sqlite3.connect(work_db)) as db:
        local = {r[0] for r in db.execute("SELECT op_id FROM ops WHERE origin = 'local'")}
        assert db.execute("SELECT COUNT(*) FROM outbox").fetchone()[0] == 0
    with closing(sqlite3.connect(server_db)) as db:
        rows = db.execute("SELECT op_id FROM changes").fetchall()
    on_server = [r[0] for r in rows]
    assert len(on_server) == len(set(on_server))  # nothing twice on the server
    assert {b64e(bytes(op)) for op in local} <= set(on_server)  # every local operation arrived
    for path in (work_db, team["sup"] / "veldwerk.db", server_db):
        assert integrity(path) == "ok", path
    team["server"].start()


def test_kill_a_device_during_local_writes(live):
    team = live
    rng, worker, mid_write = random.Random(11), Worker(team), 0
    worker.start()
    worker.write(["a-start"])
    for r in range(ROUNDS):
        if worker.shell.proc.poll() is not None:
            worker.start()
        mid_write += worker.write_and_kill([f"a{r}-{i}" for i in range(40)], after=rng.uniform(0.0, 0.15))
        assert integrity(team["work"] / "veldwerk.db") == "ok"  # right after the kill, before any restart
    print(f"kills while writes were under way: {mid_write} of {ROUNDS}; answered as saved: {len(worker.saved)}, "
          f"unanswered: {len(worker.unanswered)}")
    assert mid_write > 0
    settle_and_check(team, worker)


def test_kill_devices_during_sync(live):
    """Even rounds: the worker killed while its sync pushes the notes it just saved. Odd rounds: the
    reader killed while it pulls them (its sync starts as it unlocks)."""
    team = live
    rng, worker, unpushed, unpulled = random.Random(12), Worker(team), 0, 0
    worker.start()  # a backlog on the server, so that the reader's pulls take a while
    worker.write([f"b-{i}" for i in range(300)])
    worker.shell.close()
    sync(team["work"], WORK_PASS)
    for r in range(ROUNDS):
        if r % 2 == 0:
            worker.start()
            worker.write([f"b{r}-{i}" for i in range(24)])
            worker.shell.proc.stdin.write(json.dumps({"cmd": "sync_now"}) + "\n")
            worker.shell.proc.stdin.flush()
            time.sleep(rng.uniform(0.0, 0.05))
            worker.kill()
            unpushed += outbox_count(team["work"]) > 0
            assert integrity(team["work"] / "veldwerk.db") == "ok"
        else:
            reader = DeviceShell(team["sup"], SUP_PASS, team["tmp"] / "reader.log")  # pulls as it unlocks
            time.sleep(rng.uniform(0.0, 0.3))
            reader.proc.kill()
            reader.proc.wait(10)
            assert integrity(team["sup"] / "veldwerk.db") == "ok"
            with closing(sqlite3.connect(team["sup"] / "veldwerk.db")) as db, \
                    closing(sqlite3.connect(team["tmp"] / "server.db")) as server_db:
                cursor = int((db.execute("SELECT value FROM state WHERE key = 'cursor'").fetchone() or ["0"])[0])
                unpulled += cursor < server_db.execute("SELECT MAX(seq) FROM changes").fetchone()[0]
    print(f"worker killed with work still to push: {unpushed} of {ROUNDS // 2}; "
          f"reader killed before it had pulled everything: {unpulled} of {ROUNDS // 2}")
    assert unpushed + unpulled > 0
    settle_and_check(team, worker)


def test_kill_the_server_during_a_push(live):
    """The worker keeps running (its sync retries with backoff); the server is killed while the notes
    just saved are being pushed, and started again on the same database."""
    team = live
    rng, worker, server, unpushed = random.Random(13), Worker(team), team["server"], 0
    worker.start()
    try:
        for r in range(ROUNDS):
            worker.write([f"c{r}-{i}" for i in range(20)])  # each write nudges the sync: a push is under way
            time.sleep(rng.uniform(0.0, 0.05))
            server.kill()
            unpushed += worker.shell.call("unsynced_count") > 0
            assert integrity(team["tmp"] / "server.db") == "ok"
            server.start()
    finally:
        worker.kill()
    print(f"server killed with work still to push: {unpushed} of {ROUNDS}")
    settle_and_check(team, worker)
