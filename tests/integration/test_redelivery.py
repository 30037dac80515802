"""Issue #11, in process against a real server on a socket: the author's own-chain check delivers again
only what is damaged; a damaged copy of a held device is refused at once; a reader that applied the
envelopes before the damage is not disturbed; and each own record's sync state."""

from __future__ import annotations

import sqlite3

from secsupport import names

from field_app.crypto.canonical import b64d

HOUR = 3600_000


def _flip(t, device: str, which: list[int]) -> int:
    """Flip one bit of the signature of the device's envelopes at those indexes (of its rows in seq order);
    how many rows the device has."""
    db = sqlite3.connect(t.server.db, timeout=30)
    rows = db.execute("SELECT seq, envelope FROM changes WHERE device = ? ORDER BY seq", [device]).fetchall()
    for i in which:
        seq, env = rows[i]
        damaged = bytearray(env)
        damaged[-3] ^= 0x04
        db.execute("UPDATE changes SET envelope = ? WHERE seq = ?", [bytes(damaged), seq])
    db.commit()
    db.close()
    return len(rows)


def _replaced(t) -> int:
    db = sqlite3.connect(t.server.db, timeout=30)
    try:
        return db.execute("SELECT COUNT(*) FROM changes WHERE op_id LIKE 'replaced.%'").fetchone()[0]
    finally:
        db.close()


def test_the_author_delivers_again_only_what_is_damaged_and_earlier_readers_are_not_disturbed(t):
    work = t.work
    for i in range(6):
        work.add_client(f"Cliënt {i} (fictief)")
    work.sync_once()
    work.sync_once()  # its own envelopes pulled back
    t.sup.sync_once()  # a reader that applied everything before the damage
    assert work.device.store.kept_count() >= 6
    _flip(t, work.device_id, [-5, -2])

    work.sync_once()  # not due yet (checked in this unlock's first round): nothing to see for the author
    assert _replaced(t) == 0
    t.clocks["worker"].advance(6 * HOUR)
    work.sync_once()
    assert _replaced(t) == 2
    assert work.device.store.get_state("own_redelivered") == "2"
    t.clocks["worker"].advance(6 * HOUR)
    work.sync_once()
    assert _replaced(t) == 2  # the next check finds the chain whole: nothing sent again

    t.sup.sync_once()  # the good copies come again under new seqs: replays, nothing held or refused
    status = t.sup.sync_status()
    assert "held" not in status.extra and status.extra["waiting"]["refused"] == 0, status
    other = t.enrol("other", "Kevin Mulder (fictief)", "kevin-toestel-geheim")  # a fresh reader
    other.sync_once()
    other.sync_once()
    assert names(other) == names(t.sup) == sorted(f"Cliënt {i} (fictief)" for i in range(6))
    assert "held" not in other.sync_status().extra
    assert other.sync_status().extra["waiting"]["refused"] == 0  # the damaged copies are filled again


def test_a_damaged_copy_of_a_held_device_is_refused_at_once_and_listed(t):
    for i in range(5):
        t.work.add_client(f"Cliënt {i} (fictief)")
    t.work.sync_once()
    rows = _flip(t, t.work.device_id, [1, 3])  # the 2nd breaks the chain; the 4th arrives while it is held
    held = rows - 2 - 1  # after the 2nd, all but the 4th
    third = t.enrol("x", "Kees Derde (fictief)", "derde-toestel-geheim")
    third.add_client("Van de derde (fictief)")
    third.sync_once()
    t.sup.sync_once()
    store = t.sup.device.store
    assert store.rejected_count() == 2 and store.held_count() == held  # only good copies wait in the chain
    status = t.sup.sync_status()
    assert status.state == "online"
    waiting = status.extra["waiting"]
    assert (waiting["held"], waiting["refused"]) == (held, 2)
    assert waiting["refused_by"] == [{"device": t.work.device_id, "user": "Lotte de Boer (fictief)", "why": "damaged",
                                      "n": 2}]
    assert {(i["reason"], i["why"]) for i in waiting["items"]} == {("chain", None), ("refused", "damaged")}
    assert [h["reason"] for h in status.extra["held"]] == ["damaged"]
    assert "Van de derde (fictief)" in names(t.sup)


def test_each_own_record_shows_its_sync_state(t):
    waiting = t.enrol("new", "Nina Nieuw (fictief)", "nieuw-toestel-geheim", confirm=False)
    client = waiting.add_client("Voor de bevestiging (fictief)")
    note = waiting.record_contact(client, contact_type="HUISBEZOEK_AANGEKONDIGD", outcome="PLAATSGEVONDEN",
                                  report="Geschreven voor de teamsleutel er was (fictief).")
    assert [n.sync_state for n in waiting.timeline(client) if n.id == note] == ["wacht_op_sleutel"]

    work = t.work
    client = work.add_client("Staat (fictief)")

    def state() -> str:
        return work.timeline(client)[0].sync_state

    work.record_contact(client, contact_type="HUISBEZOEK_AANGEKONDIGD", outcome="PLAATSGEVONDEN",
                        report="Eerste (fictief).")
    assert state() == "wachtend"  # only on this device
    assert work.deliver_outbox()["remaining"] == 0  # by signature: on the server, its seq not known here
    assert state() == "afgeleverd"
    work.sync_once()
    work.sync_once()
    assert state() == "verzonden"  # confirmed: it has its server seq
    t.sup.sync_once()
    assert t.sup.timeline(client)[0].sync_state == "ontvangen"
    assert b64d(work.device_id)


def test_an_older_server_without_the_check_does_not_stop_sync(t):
    """A server without GET .../chain/hashes (404): the round goes on and the device stops asking."""
    t.server.tamper.replace("GET", r"/chain/hashes$", lambda q: (404, {"error": "not_found", "detail": ""}))
    t.work.add_client("Oude server (fictief)")
    t.clocks["worker"].advance(7 * HOUR)
    t.work.sync_once()
    assert t.work.sync_status().state == "online" and t.work.unsynced_count() == 0
    assert t.work.sync.engine.own_chain.unsupported
    seen = len(t.server.tamper.seen)
    t.clocks["worker"].advance(7 * HOUR)
    t.work.sync_once()
    assert not any(path.endswith("/chain/hashes") for _m, path in t.server.tamper.seen[seen:])


def test_an_envelope_delivered_by_signature_and_damaged_before_it_came_back_is_delivered_again(t):
    work = t.work
    work.sync_once()
    work.add_client("Per handtekening (fictief)")
    assert work.deliver_outbox()["remaining"] == 0  # on the server; its seq not known on the device
    _flip(t, work.device_id, [-1])
    work.sync_once()  # pulls its own damaged copy: refused, so it looks at its own chain in this round
    assert _replaced(t) == 1
    work.sync_once()
    assert "held" not in work.sync_status().extra
    t.sup.sync_once()
    assert "Per handtekening (fictief)" in names(t.sup)


def test_a_copy_whose_device_id_was_damaged_waits_as_unknown_sender_until_its_op_arrives(t):
    import string

    alphabet = set((string.ascii_letters + string.digits + "-_").encode())
    work = t.work
    for i in range(3):
        work.add_client(f"Cliënt {i} (fictief)")
    work.sync_once()
    db = sqlite3.connect(t.server.db, timeout=30)
    seq, env = db.execute("SELECT seq, envelope FROM changes WHERE device = ? ORDER BY seq DESC LIMIT 1",
                          [work.device_id]).fetchone()
    at = bytes(env).index(b'"device":"') + len('"device":"')
    at += next(i for i in range(20) if env[at + i] ^ 1 in alphabet)  # one bit, still a well-formed id
    damaged = bytearray(env)
    damaged[at] ^= 1
    db.execute("UPDATE changes SET envelope = ? WHERE seq = ?", [bytes(damaged), seq])
    db.commit()
    db.close()
    t.sup.sync_once()
    waiting = t.sup.sync_status().extra["waiting"]
    assert waiting["sender"] == 1 and "Cliënt 2 (fictief)" not in names(t.sup), waiting
    t.clocks["worker"].advance(7 * HOUR)
    work.sync_once()  # the author finds its damaged copy and delivers it again
    t.sup.sync_once()
    assert "Cliënt 2 (fictief)" in names(t.sup)
    status = t.sup.sync_status()
    assert status.extra["waiting"]["sender"] == 0 and "held" not in status.extra, status
