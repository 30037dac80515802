"""One bad envelope never stops a team (issue #11), with real processes: a `sync-server serve` process
and device processes (`field-app shell` / `field-app sync`).

One bit is flipped in each of 20 of a worker's 30 note envelopes *in the server's SQLite file* (as
corruption or an attacker would), with another device's work before and after. A fresh supervisor
device syncs: none of the damaged notes opens, the other device's work arrives, sync does not stop, and
the worker's later envelopes are held back and listed with the reason. The worker's device, unlocked
again, compares its own chain on the server with what it delivered and delivers the damaged ones again
from its own copy; after the supervisor's next sync every note is readable and nothing is held."""

from __future__ import annotations

import random
import sqlite3

from procs import SUP_PASS, WORK_PASS, DeviceShell, admit, sync, wait_until

SUP2_PASS = "tweede-begeleider-geheim"
COLL_PASS = "collega-toestel-geheim-1"
NOTES = 30
DAMAGED = 20


def _write(data, passphrase, log, fn) -> object:
    """Open the device as its own process, do ``fn(shell)``, wait until its outbox is empty, close it."""
    shell = DeviceShell(data, passphrase, log)
    try:
        out = fn(shell)
        assert wait_until(lambda: shell.call("status")["pending"] == 0), shell.call("status")
        return out
    finally:
        shell.close()


def _flip_bits(db_path, device: str, count: int, seed: int) -> list[int]:
    """Flip one bit in each of ``count`` of the device's newest NOTES envelopes, straight in the file;
    the indexes (0 = the first note) of the damaged ones."""
    db = sqlite3.connect(db_path, timeout=30)
    try:
        rows = db.execute("SELECT seq, device_seq, envelope FROM changes WHERE device = ? ORDER BY device_seq",
                          [device]).fetchall()[-NOTES:]
        rnd = random.Random(seed)
        hit = sorted(rnd.sample(range(len(rows)), count))
        for seq, _device_seq, envelope in (rows[i] for i in hit):
            damaged = bytearray(envelope)
            at = rnd.randrange(len(damaged))
            damaged[at] ^= 1 << rnd.randrange(8)
            db.execute("UPDATE changes SET envelope = ? WHERE seq = ?", [bytes(damaged), seq])
        db.commit()
        return hit
    finally:
        db.close()


def test_one_bad_envelope_holds_back_only_its_device_and_the_author_delivers_again(team):
    server, tmp = team["server"], team["tmp"]
    coll_dir, sup2_dir = tmp / "collega", tmp / "begeleider2"
    admit(team["sup"], SUP_PASS, coll_dir, COLL_PASS, "Kevin Mulder (fictief)")
    assert sync(coll_dir, COLL_PASS)["state"] == "online"
    _write(coll_dir, COLL_PASS, tmp / "collega.log", lambda s: s.call("add_client", name="Voor de schade (fictief)"))

    def notes(shell):
        client_id = shell.call("add_client", name="Cliënt van Lotte (fictief)")
        for i in range(NOTES):
            shell.call("record_contact", client_id=client_id, contact_type="HUISBEZOEK_AANGEKONDIGD",
                       outcome="PLAATSGEVONDEN", report=f"Notitie {i:02d} (fictief).")
        return client_id

    client_id = _write(team["work"], WORK_PASS, tmp / "worker.log", notes)
    assert sync(team["work"], WORK_PASS, rounds=2)["state"] == "online"  # its own envelopes pulled back

    db = sqlite3.connect(server.db, timeout=30)  # the worker's device: the one with the most envelopes
    (worker_id,) = db.execute("SELECT device FROM changes GROUP BY device ORDER BY COUNT(*) DESC LIMIT 1").fetchone()
    db.close()
    damaged = _flip_bits(server.db, worker_id, DAMAGED, seed=11)
    first_damaged = damaged[0]  # how many notes precede the first damaged one
    _write(coll_dir, COLL_PASS, tmp / "collega.log", lambda s: s.call("add_client", name="Na de schade (fictief)"))

    # a fresh supervisor device joins and syncs: sync goes on, the damage is confined to the worker
    admit(team["sup"], SUP_PASS, sup2_dir, SUP2_PASS, "Sanne Visser (fictief)", role="WERKBEGELEIDER")
    assert sync(sup2_dir, SUP2_PASS, rounds=2)["state"] == "online"
    sup2 = DeviceShell(sup2_dir, SUP2_PASS, tmp / "begeleider2.log")
    try:
        assert wait_until(lambda: sup2.call("status")["state"] != "offline"), "no round in the shell"
        names = sorted(c["display_name"] for c in sup2.call("caseload"))
        assert {"Voor de schade (fictief)", "Na de schade (fictief)"} <= set(names)  # the others' work flows
        status = sup2.call("status")
        assert status["state"] == "online", status
        held = [(h["device"], h["reason"]) for h in status["extra"]["held"]]
        # "damaged"; "gap" when the flipped bit happened to change the place the first damaged copy names
        assert len(held) == 1 and held[0][0] == worker_id and held[0][1] in ("damaged", "gap"), held
        if "Cliënt van Lotte (fictief)" in names:
            opened = sup2.call("timeline", client_id=client_id)
            assert len(opened) == first_damaged  # only the notes before the first damaged one
        waiting = status["extra"]["waiting"]  # the sync sheet's list: held back, and refused (damaged)
        assert waiting["held"] == NOTES - DAMAGED - first_damaged, waiting
        assert waiting["refused"] + waiting["sender"] == DAMAGED, waiting
        assert {i["reason"] for i in waiting["items"]} <= {"chain", "refused", "sender"}
    finally:
        sup2.close()

    # the worker's device, unlocked again, finds its damaged envelopes on the server and delivers them again
    assert sync(team["work"], WORK_PASS)["state"] == "online"
    db = sqlite3.connect(server.db, timeout=30)
    replaced = db.execute("SELECT COUNT(*) FROM changes WHERE op_id LIKE 'replaced.%'").fetchone()[0]
    db.close()
    assert replaced == DAMAGED

    assert sync(sup2_dir, SUP2_PASS)["state"] == "online"
    sup2 = DeviceShell(sup2_dir, SUP2_PASS, tmp / "begeleider2.log")
    try:
        assert wait_until(lambda: sup2.call("status")["state"] != "offline"), "no round in the shell"
        assert len(sup2.call("timeline", client_id=client_id)) == NOTES  # every note readable
        status = sup2.call("status")
        assert status["state"] == "online" and "held" not in status["extra"], status
        waiting = status["extra"]["waiting"]
        assert waiting["held"] == 0, waiting
        assert waiting["refused"] == 0, waiting  # the damaged copies' places are filled by good ones
        assert waiting["sender"] == 0, waiting  # (a copy whose device id was damaged: its op came intact)
    finally:
        sup2.close()
