"""Attacks on the mend step (``field_app/sync/mend.py``), which fetches again the stored operations gone
from a device's file or damaged in it; found by a review of that step, with real devices and a real
server. Someone holding the data folder (and, for the first, the team key) must not be able to make the
device sign another's text as its own, make a mended note vanish at the next unlock, make the device ask
the server once per planted row, or break the sync sheet with a clear state row."""

from __future__ import annotations

import json
import sqlite3

import pytest
from secsupport import SUP_PASS, WORK_PASS

from field_app.crypto.envelope import seal
from field_app.crypto.identity import DeviceIdentity
from field_app.crypto.wire import HASH_LEN
from field_app.store import db as store_db
from field_app.sync import mend
from field_app.sync.client import SyncClient, Unreachable
from field_app.ui.components import sync_summary
from field_app.ui.i18n import I18n


def _db(svc) -> sqlite3.Connection:
    return sqlite3.connect(svc.device.store.data_dir / store_db.DB_FILE)


def _sql(svc, sql: str, params: list | tuple = ()) -> int:
    db = _db(svc)
    n = db.execute(sql, params).rowcount
    db.commit()
    db.close()
    return n


def _op_id_of(svc, record_id: str) -> bytes:
    for _pos, op_id, _origin, op in svc.device.store.ops_to_fold(0):
        if op["record_id"] == record_id:
            return op_id
    raise AssertionError(record_id)


def _notes(svc, name: str, word: str, count: int) -> tuple[str, list[str]]:
    client = svc.add_client(name, fictional=True)
    return client, [svc.record_contact(client, contact_type="TELEFONISCH", outcome="PLAATSGEVONDEN",
                                       report=f"{word} {i} (fictief)") for i in range(count)]


def _texts(svc, client: str) -> list[str]:
    return [getattr(n, "report", "") or getattr(n, "text", "") or "" for n in svc.timeline(client)]


def test_an_outbox_envelope_planted_by_a_team_member_is_not_restored_as_the_devices_own(t):
    """An insider (another device of the team: it has the team key) writes an envelope of its own making,
    in this device's name, into the outbox entry of an unsent note whose row is deleted. The team key's
    AEAD accepts it; before, the device restored it as its own work and then sealed and signed the
    insider's text. The signature is checked with the device's own key now: it is left out."""
    work, sup = t.work, t.sup
    client = work.add_client("Cliënt bij een geplante envelop (fictief)", fictional=True)
    work.sync_once()
    note = work.record_contact(client, contact_type="TELEFONISCH", outcome="PLAATSGEVONDEN",
                               report="Echte tekst (fictief)")
    op_id = _op_id_of(work, note)
    op = dict(work.device.store.get_op(op_id))
    op["fields"] = {**op["fields"], "report": "Vervalste tekst van een ander toestel (fictief)"}
    op.pop("op_id", None)
    dev = sup.device  # the insider: a team member's keys, this device's name on the envelope
    forged_identity = DeviceIdentity(work.device.identity.device_id, dev.identity.signing_key,
                                     dev.identity.exchange_key)
    epoch = dev.ledger.current_epoch
    forged = seal(op, team=dev.team, epoch=epoch, epoch_key=dev.epoch_keys[epoch], identity=forged_identity,
                  op_id=op_id, device_seq=1, prev_hash=bytes(HASH_LEN), ledger_head=dev.ledger.head_hash)
    work.device.settle_background()
    work.lock()
    _sql(work, "DELETE FROM ops WHERE op_id = ?", [op_id])
    _sql(work, "DELETE FROM snapshot")
    _sql(work, "UPDATE outbox SET envelope = ? WHERE op_id = ?", [forged, op_id])
    work.unlock(WORK_PASS)
    work.sync_once()
    work.sync_once()
    assert not work.device.store.has_op(op_id)
    assert not any("Vervalste" in text for text in _texts(work, client))
    assert work.unsynced_count() == 0 and work.sync_status().extra.get("unsent_lost") == 1  # said, not stuck
    words = sync_summary(I18n("nl"), work.sync_status()).explanation
    assert any(line.startswith("1 onverzonden onderdeel ontbrak op dit toestel") for line in words), words
    sup.sync_once()
    assert not any("Vervalste" in text for text in _texts(sup, client))
    assert op_id not in {_op_id_of(sup, n.id) for n in sup.timeline(client)}


def test_a_row_mended_in_place_stays_after_the_next_unlock_with_a_snapshot(t):
    """A received note's row damaged; a snapshot written while it was left out (it covers that position);
    the row is mended in place. Before, the next unlock loaded that snapshot and the note vanished again
    (its damaged mark already cleared), and no later snapshot was written in that session."""
    work, sup = t.work, t.sup
    client, notes = _notes(work, "Cliënt met een hersteld onderdeel (fictief)", "Blijft", 3)
    work.sync_once()
    sup.sync_once()
    target = _op_id_of(sup, notes[1])
    sup.device.settle_background()
    sup.lock()
    db = _db(sup)
    rowid, blob = db.execute("SELECT rowid, blob FROM ops WHERE op_id = ?", [target]).fetchone()
    damaged = bytearray(blob)
    damaged[len(damaged) // 2] ^= 0x04
    db.execute("UPDATE ops SET blob = ? WHERE rowid = ?", [bytes(damaged), rowid])
    db.execute("DELETE FROM snapshot")
    db.execute("DELETE FROM state WHERE key = 'snapshot'")
    db.commit()
    db.close()
    sup.unlock(SUP_PASS)
    assert notes[1] not in {n.id for n in sup.timeline(client)}  # left out, counted
    keeper, device = sup.device._snap, sup.device
    assert keeper.write_now(device._projection, device._store._key())  # covers the damaged position
    position = device.store.op_position(target)
    assert json.loads(device.store.get_state("snapshot"))["position"] >= position
    sup.sync_once()  # mended in place
    assert notes[1] in {n.id for n in sup.timeline(client)}
    assert sup.sync_status().extra.get("mended_ops") == 1
    assert keeper.write_now(device._projection, device._store._key())  # later snapshots are not refused
    sup.lock()
    sup.unlock(SUP_PASS)
    assert sorted(n.id for n in sup.timeline(client)) == sorted(notes)
    assert not sup.sync_status().extra.get("damaged_ops")


def test_a_damaged_row_is_mended_only_with_the_envelope_seen_at_its_seq(t):
    """A damaged received row is mended from the server's copy only when that copy is the envelope this
    device recorded (its hash in ``seen``): here the recorded hash differs, so the row stays damaged."""
    work, sup = t.work, t.sup
    client, notes = _notes(work, "Cliënt met een andere hash (fictief)", "Hash", 2)
    work.sync_once()
    sup.sync_once()
    target = _op_id_of(sup, notes[0])
    seq = sup.device.store._one("SELECT seq FROM ops WHERE op_id = ?", [target])[0]
    sup.device.settle_background()
    sup.lock()
    db = _db(sup)
    rowid, blob = db.execute("SELECT rowid, blob FROM ops WHERE op_id = ?", [target]).fetchone()
    db.execute("UPDATE ops SET blob = ? WHERE rowid = ?", [blob[:-3] + bytes(3), rowid])
    db.execute("UPDATE seen SET hash = ? WHERE seq = ?", [bytes(32), seq])
    db.execute("DELETE FROM snapshot")
    db.execute("DELETE FROM state WHERE key = 'snapshot'")
    db.commit()
    db.close()
    sup.unlock(SUP_PASS)
    sup.sync_once()
    assert notes[0] not in {n.id for n in sup.timeline(client)}
    assert sup.sync_status().extra.get("damaged_ops") == 1
    assert not sup.sync_status().extra.get("mended_ops")


def test_planted_seen_rows_cost_one_request_not_one_per_row(t, monkeypatch):
    """300 ``seen`` rows planted in the file at seqs the server does not hold: before, the mend step asked
    the server once per row before every first push after an unlock. It reads page by page now, jumping
    over gaps, and stops where the server has nothing more."""
    work, sup = t.work, t.sup
    client, notes = _notes(work, "Cliënt bij geplante rijen (fictief)", "Gepland", 1)
    work.sync_once()
    sup.sync_once()
    sup.lock()
    db = _db(sup)
    db.executemany("INSERT INTO seen (seq, hash, device, device_seq) VALUES (?, ?, ?, ?)",
                   [(10_000 + 1000 * i, bytes(32), bytes(16), 10_000 + i) for i in range(300)])
    db.commit()
    db.close()
    calls: list[int] = []
    real = SyncClient.pull

    def counted(self, team, after, limit=500):
        calls.append(after)
        return real(self, team, after, limit)

    monkeypatch.setattr(SyncClient, "pull", counted)
    sup.unlock(SUP_PASS)
    sup.sync_once()
    assert len(calls) <= 2, calls  # the mend step's one read (and none from the round itself)
    assert sup.sync_status().state == "online"
    assert notes[0] in {n.id for n in sup.timeline(client)}


def test_deleted_rows_across_several_pages_all_come_back(t, monkeypatch):
    """Rows deleted far apart are read page by page (a small page here), each page followed from where
    it ended, and every one comes back."""
    monkeypatch.setattr(mend, "FETCH_LIMIT", 2)
    work, sup = t.work, t.sup
    client, notes = _notes(work, "Cliënt met rijen op veel pagina's (fictief)", "Pagina", 9)
    work.sync_once()
    sup.sync_once()
    gone = [_op_id_of(sup, notes[i]) for i in (0, 3, 4, 8)]
    sup.device.settle_background()
    sup.lock()
    _sql(sup, f"DELETE FROM ops WHERE op_id IN ({','.join('?' * len(gone))})", gone)
    _sql(sup, "DELETE FROM snapshot")
    _sql(sup, "DELETE FROM state WHERE key = 'snapshot'")
    sup.unlock(SUP_PASS)
    sup.sync_once()
    assert sorted(n.id for n in sup.timeline(client)) == sorted(notes)
    assert sup.sync_status().extra.get("mended_ops") == 4


def test_what_was_restored_before_a_server_error_is_shown_and_counted(t, monkeypatch):
    """The server goes away halfway: the unsent note already restored from the outbox is shown and counted
    all the same (before, it stayed hidden until the next unlock), and the round fails as offline."""
    work, sup = t.work, t.sup
    client, notes = _notes(work, "Cliënt bij een storing tijdens herstel (fictief)", "Storing", 2)
    work.sync_once()
    sup.sync_once()
    own = sup.add_client("Eigen cliënt (fictief)", fictional=True)
    unsent = sup.record_contact(own, contact_type="KANTOOR", outcome="PLAATSGEVONDEN", report="Onverzonden (fictief)")
    gone = [_op_id_of(sup, notes[0]), _op_id_of(sup, unsent)]
    sup.device.settle_background()
    sup.lock()
    _sql(sup, "DELETE FROM ops WHERE op_id IN (?, ?)", gone)
    _sql(sup, "DELETE FROM snapshot")
    _sql(sup, "DELETE FROM state WHERE key = 'snapshot'")

    def down(self, team, after, limit=500):
        raise Unreachable("fictional outage")

    monkeypatch.setattr(SyncClient, "pull", down)
    sup.unlock(SUP_PASS)
    with pytest.raises(Unreachable):
        sup.sync_once()
    assert unsent in {n.id for n in sup.timeline(own)}
    assert sup.sync_status().extra.get("mended_ops") == 1
    monkeypatch.undo()
    sup.sync_once()  # the next round mends the rest
    assert sorted(n.id for n in sup.timeline(client)) == sorted(notes)
    assert sup.sync_status().extra.get("mended_ops") == 1  # this time's count, not the sum


def test_an_own_note_pulled_back_after_its_row_was_lost_shows_as_own(t):
    """An own note delivered but not yet pulled back, its row deleted: the pull stores it as the device's
    own again; it showed as "ontvangen" until the next unlock."""
    work = t.work
    client = work.add_client("Cliënt met een eigen notitie (fictief)", fictional=True)
    work.sync_once()
    note = work.record_contact(client, contact_type="KANTOOR", outcome="PLAATSGEVONDEN", report="Eigen (fictief)")
    op_id = _op_id_of(work, note)
    work.sync_once()  # the round reads its first page before its push: delivered, not pulled back
    assert not work.device.store._one("SELECT seq FROM ops WHERE op_id = ?", [op_id])[0]
    work.device.settle_background()
    work.lock()
    _sql(work, "DELETE FROM ops WHERE op_id = ?", [op_id])
    _sql(work, "DELETE FROM snapshot")
    _sql(work, "DELETE FROM state WHERE key = 'snapshot'")
    work.unlock(WORK_PASS)
    work.sync_once()
    shown = {n.id: n for n in work.timeline(client)}
    assert note in shown and shown[note].sync_state != "ontvangen"


def test_clear_state_rows_that_are_not_numbers_do_not_break_the_sync_sheet(t):
    """``mended_at``, ``mended_ops``, ``recovered_at``, ``ignored_ops`` and ``lease_from`` altered in the
    file into something that is not a number: the sync sheet still opens and the round still runs."""
    work = t.work
    work.lock()
    for key in ("mended_at", "mended_ops", "recovered_at", "ignored_ops", "lease_from"):
        _sql(work, "INSERT OR REPLACE INTO state (key, value) VALUES (?, 'x1')", [key])
    work.unlock(WORK_PASS)
    status = work.sync_status()
    assert not status.extra.get("mended_ops") and not status.extra.get("recovered_at")
    assert status.extra.get("ignored_ops") == 0
