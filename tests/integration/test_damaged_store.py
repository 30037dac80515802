"""Damaged data in a device's own SQLite file, with real devices and a real server (found by an attack on
the stores): one flipped bit in one stored operation locked the worker out of everything ("Ontgrendelen
lukt niet: sealed blob does not open"), left the device half unlocked with its key in memory, and kept
its intact unsent notes from ever leaving. Now the damaged operation is left out and counted on the sync
sheet, everything else opens and syncs; a blob copied over another operation's row is caught the same
way; and damage to what the device cannot do without (its identity) is a Dutch "damaged" error with the
device left locked and no key kept."""

from __future__ import annotations

import sqlite3

import pytest
from secsupport import SUP_PASS, WORK_PASS

from field_app.app_api import StorageError
from field_app.core.snapshots import damaged_positions
from field_app.store import db as store_db
from field_app.ui.components import sync_summary
from field_app.ui.i18n import I18n


def _db(svc) -> sqlite3.Connection:
    return sqlite3.connect(svc.device.store.data_dir / store_db.DB_FILE)


def _flip(svc, sql: str, params: list) -> None:
    """Flip one bit in the middle of the blob the query selects (the device is locked: its file only)."""
    db = _db(svc)
    rowid, blob = db.execute(sql, params).fetchone()
    damaged = bytearray(blob)
    damaged[len(damaged) // 2] ^= 0x04
    db.execute("UPDATE ops SET blob = ? WHERE rowid = ?", [bytes(damaged), rowid])
    db.commit()
    db.close()


def _notes(work, client_name: str, word: str, count: int, *, sync: bool = True) -> tuple[str, list[str]]:
    """A fictional client with ``count`` notes on the worker's device (synced first when ``sync``)."""
    client = work.add_client(client_name, fictional=True)
    if sync:
        work.sync_once()
    return client, [work.record_contact(client, contact_type="TELEFONISCH", outcome="PLAATSGEVONDEN",
                                        report=f"{word} {i} (fictief)") for i in range(count)]


def _no_snapshot(svc) -> None:
    db = _db(svc)
    db.execute("DELETE FROM snapshot")
    db.execute("DELETE FROM state WHERE key = 'snapshot'")
    db.commit()
    db.close()


def test_one_damaged_note_is_left_out_and_the_rest_opens_and_travels(t):
    work, sup = t.work, t.sup
    client, notes = _notes(work, "Cliënt met een beschadigde notitie (fictief)", "Notitie", 3, sync=False)
    work.sync_once()
    unsent = work.record_contact(client, contact_type="KANTOOR", outcome="PLAATSGEVONDEN",
                                 report="Nog niet verzonden (fictief)")
    by_record = {}  # the position of each record's first operation (the second note's create)
    for pos, _op_id, _origin, op in work.device.store.ops_to_fold(0):
        by_record.setdefault(op["record_id"], pos)
    work.device.settle_background()
    work.lock()
    _no_snapshot(work)
    _flip(work, "SELECT rowid, blob FROM ops WHERE position = ?", [by_record[notes[1]]])

    work.unlock(WORK_PASS)  # opens: the damaged note is left out, not the whole device
    shown = {n.id for n in work.timeline(client)}
    assert notes[0] in shown and notes[2] in shown and unsent in shown and notes[1] not in shown
    status = work.sync_status()
    assert status.extra.get("damaged_ops") == 1
    assert len(damaged_positions(work.device.store)) == 1
    work.sync_once()  # the unsent note still travels, and the damaged one is fetched again from the team
    assert work.unsynced_count() == 0
    sup.sync_once()
    assert {n.id for n in sup.timeline(client)} >= {notes[0], notes[1], notes[2], unsent}
    assert notes[1] in {n.id for n in work.timeline(client)}
    status = work.sync_status()
    assert not status.extra.get("damaged_ops") and status.extra.get("mended_ops") == 1

    # mended in the file: a full fold after the next unlock opens it
    work.device.settle_background()
    work.lock()
    _no_snapshot(work)
    work.unlock(WORK_PASS)
    assert not work.sync_status().extra.get("damaged_ops")
    assert {n.id for n in work.timeline(client)} >= {notes[0], notes[1], notes[2], unsent}


def test_a_received_operation_copied_over_another_row_is_caught(t):
    """Operations received from the team name their own op_id inside the sealed blob: a blob copied from
    another row opens, but holds another operation, and is left out as damaged (not shown as that row's)."""
    work, sup = t.work, t.sup
    client, notes = _notes(work, "Cliënt voor verwisselde rijen (fictief)", "Rij", 2, sync=False)
    work.sync_once()
    sup.sync_once()
    sup.lock()
    db = _db(sup)
    rows = db.execute("SELECT rowid, blob FROM ops WHERE origin = 'remote' ORDER BY position").fetchall()
    (row_a, _blob_a), (_row_b, blob_b) = rows[-2], rows[-1]
    db.execute("UPDATE ops SET blob = ? WHERE rowid = ?", [blob_b, row_a])  # the last note's blob, twice
    db.execute("DELETE FROM snapshot")
    db.execute("DELETE FROM state WHERE key = 'snapshot'")
    db.commit()
    db.close()
    sup.unlock(SUP_PASS)
    assert sup.sync_status().extra.get("damaged_ops") == 1
    shown = {n.id for n in sup.timeline(client)}
    assert notes[1] in shown and notes[0] not in shown
    sup.sync_once()  # the row's own envelope, fetched again by its seq and checked against the hash seen
    assert [n.id for n in sup.timeline(client)].count(notes[0]) == 1
    assert not sup.sync_status().extra.get("damaged_ops")


def test_a_damaged_identity_is_a_dutch_error_and_the_device_stays_locked(t):
    work = t.work
    work.lock()
    db = _db(work)
    blob = db.execute("SELECT blob FROM keyring WHERE name = 'identity'").fetchone()[0]
    damaged = bytearray(blob)
    damaged[len(damaged) // 2] ^= 0x01
    db.execute("UPDATE keyring SET blob = ? WHERE name = 'identity'", [bytes(damaged)])
    db.commit()
    db.close()
    with pytest.raises(StorageError) as caught:
        work.unlock(WORK_PASS)
    assert caught.value.kind == "damaged" and "beschadigd" in str(caught.value)
    assert not work.device.unlocked and work.device.store.local_key() is None and not work.device.store.unlocked


def _outbox_envelope(svc, op_id: bytes) -> bytes:
    return _db(svc).execute("SELECT envelope FROM outbox WHERE op_id = ?", [op_id]).fetchone()[0]


def _set_outbox_envelope(svc, op_id: bytes, envelope: bytes) -> None:
    db = _db(svc)
    db.execute("UPDATE outbox SET envelope = ? WHERE op_id = ?", [envelope, op_id])
    db.commit()
    db.close()


def _op_id_of(svc, record_id: str) -> bytes:
    for _pos, op_id, _origin, op in svc.device.store.ops_to_fold(0):
        if op["record_id"] == record_id:
            return op_id
    raise AssertionError(record_id)


def test_a_damaged_envelope_in_the_own_outbox_is_sealed_again_and_everything_travels(t):
    """One bit flipped in an unsent envelope's signature: the server refused every push with bad_signature
    and nothing after it ever left. The device seals its outbox again from the stored operations (once a
    push), and every note arrives, nothing refused."""
    work, sup = t.work, t.sup
    client, notes = _notes(work, "Cliënt met een beschadigde envelop (fictief)", "Onverzonden", 3)
    first = _op_id_of(work, notes[0])
    work.lock()
    damaged = bytearray(_outbox_envelope(work, first))
    damaged[-9] ^= 0x20  # in the signature
    _set_outbox_envelope(work, first, bytes(damaged))
    work.unlock(WORK_PASS)
    work.sync_once()
    assert work.unsynced_count() == 0 and not work.device.store.get_state("push_refused")
    sup.sync_once()
    assert {n.id for n in sup.timeline(client)} >= set(notes)


@pytest.mark.parametrize("envelope_damage", ["signature", "ciphertext"])
def test_an_unsent_operation_copied_over_another_is_caught_and_the_rest_travels(t, envelope_damage):
    """Found by an attack on the stores: one unsent note's stored operation copied over another's row,
    then a re-seal (the server asked for one): the second note was sealed with the first's content, showed
    "verzonden" and never reached the team. Operations name their own op_id now: the copied row is caught
    (counted as damaged). The note would be sealed again from the device's own outbox envelope, but only
    while that envelope carries this device's own signature (the team key alone does not authenticate it:
    every team member holds that key). Here the envelope is damaged too (its signature or its content), so
    the entry leaves the outbox, counted, and the other notes travel."""
    work, sup = t.work, t.sup
    client, notes = _notes(work, "Cliënt met verwisselde bewerkingen (fictief)", "Wisselen", 3)
    a, b = _op_id_of(work, notes[0]), _op_id_of(work, notes[1])
    work.lock()
    db = _db(work)
    blob_b = db.execute("SELECT blob FROM ops WHERE op_id = ?", [b]).fetchone()[0]
    db.execute("UPDATE ops SET blob = ? WHERE op_id = ?", [blob_b, a])
    db.commit()
    db.close()
    _no_snapshot(work)
    damaged = bytearray(_outbox_envelope(work, a))
    # the server refuses it: the device seals its outbox again; neither copy of the note is authentic now
    damaged[-9 if envelope_damage == "signature" else len(damaged) // 2] ^= 0x20
    _set_outbox_envelope(work, a, bytes(damaged))
    work.unlock(WORK_PASS)
    assert work.sync_status().extra.get("damaged_ops") == 1  # the fold caught the copied row
    work.sync_once()
    assert work.unsynced_count() == 0
    sup.sync_once()
    shown = {n.id for n in sup.timeline(client)}
    assert notes[1] in shown and notes[2] in shown
    assert notes[0] not in shown
    assert len([n for n in sup.timeline(client) if n.id == notes[1]]) == 1


def test_a_pull_cursor_that_is_not_a_number_reads_everything_again(t):
    """The clear state row ``cursor`` altered in the file: every sync failed while the sheet said
    "offline". Now the team's changes are read again from the start; nothing is doubled."""
    work, sup = t.work, t.sup
    client, notes = _notes(work, "Cliënt voor de cursor (fictief)", "Cursor", 2, sync=False)
    work.sync_once()
    sup.sync_once()
    sup.lock()
    db = _db(sup)
    db.execute("UPDATE state SET value = 'abc' WHERE key = 'cursor'")
    db.commit()
    db.close()
    sup.unlock(SUP_PASS)
    sup.sync_once()
    assert sup.sync_status().state == "online"
    assert sorted(n.id for n in sup.timeline(client)) == sorted(notes)
    assert sup.device.store.get_state("cursor").isdigit()


def _delete_ops(svc, where: str, params: list) -> int:
    """Delete operation rows (and the sealed snapshot, which would still show them) from the locked
    device's file, as someone holding its data folder could."""
    db = _db(svc)
    gone = db.execute(f"DELETE FROM ops WHERE {where}", params).rowcount
    db.execute("DELETE FROM snapshot")
    db.execute("DELETE FROM state WHERE key = 'snapshot'")
    db.commit()
    db.close()
    return gone


def test_deleted_operation_rows_are_fetched_again_from_the_team(t):
    """Found by an attack on the stores: rows deleted from the ops table left no trace; their notes were
    gone from the device for good (the pull cursor had passed them). The seen table records every team
    envelope the device took in (seq and hash): a seen seq with no operation, pending or refused row is
    read again from the server, used only with the hash seen, opened with a pull's checks and stored.
    Received notes, the device's own delivered notes and its own unsent notes (from its outbox entry)."""
    work, sup = t.work, t.sup
    client, notes = _notes(work, "Cliënt met verwijderde rijen (fictief)", "Weg", 3, sync=False)
    work.sync_once()
    sup.sync_once()
    own = sup.add_client("Eigen cliënt van de werkbegeleider (fictief)", fictional=True)
    sup.sync_once()
    mine = sup.record_contact(own, contact_type="KANTOOR", outcome="PLAATSGEVONDEN", report="Eigen notitie (fictief)")
    sup.sync_once()  # delivered
    sup.sync_once()  # and pulled back (the round's first page is read before its push)
    unsent = sup.record_contact(own, contact_type="KANTOOR", outcome="PLAATSGEVONDEN", report="Onverzonden (fictief)")
    before = {n.id for n in sup.timeline(client)} | {n.id for n in sup.timeline(own)}
    assert set(notes) | {mine, unsent} <= before
    gone_ids = [_op_id_of(sup, r) for r in (notes[0], notes[2], mine, unsent)]
    sup.device.settle_background()
    sup.lock()
    assert _delete_ops(sup, f"op_id IN ({','.join('?' * len(gone_ids))})", gone_ids) == 4

    sup.unlock(SUP_PASS)
    assert notes[0] not in {n.id for n in sup.timeline(client)}  # gone from the file: not shown
    sup.sync_once()
    assert sorted(n.id for n in sup.timeline(client)) == sorted(notes)
    assert {mine, unsent} <= {n.id for n in sup.timeline(own)}
    assert sup.sync_status().extra.get("mended_ops") == 4
    words = sync_summary(I18n("nl"), sup.sync_status()).explanation  # the sync sheet says it, in Dutch
    assert any(line.startswith("4 opgeslagen onderdelen ontbraken op dit toestel of waren beschadigd") for line in words)
    assert sup.unsynced_count() == 0  # the unsent note travelled too
    origins = dict(sup.device.store._x("SELECT op_id, origin FROM ops WHERE op_id IN (?, ?, ?, ?)", gone_ids))
    assert [origins[i] for i in gone_ids] == ["remote", "remote", "local", "local"]

    sup.lock()  # stored again: a full fold finds every row
    _no_snapshot(sup)
    sup.unlock(SUP_PASS)
    assert sorted(n.id for n in sup.timeline(client)) == sorted(notes)
    assert {mine, unsent} <= {n.id for n in sup.timeline(own)}
    sup.sync_once()
    assert sup.sync_status().extra.get("mended_ops") == 4  # nothing more to mend, nothing doubled
    assert len([n for n in sup.timeline(client) if n.id == notes[0]]) == 1


def test_a_server_copy_that_is_not_the_envelope_seen_is_not_used(t):
    """The hash this device recorded decides: a different envelope at that seq (another note's, a damaged
    copy) is not stored in the deleted row's place; the note stays missing and nothing else changes."""
    work, sup = t.work, t.sup
    client, notes = _notes(work, "Cliënt met een andere kopie (fictief)", "Kopie", 2, sync=False)
    work.sync_once()
    sup.sync_once()
    target = _op_id_of(sup, notes[0])
    seq = sup.device.store._one("SELECT seq FROM ops WHERE op_id = ?", [target])[0]
    sup.device.settle_background()
    sup.lock()
    _delete_ops(sup, "op_id = ?", [target])
    db = _db(sup)  # the device's record of what it took in at that seq, altered to another hash
    db.execute("UPDATE seen SET hash = ? WHERE seq = ?", [bytes(32), seq])
    db.commit()
    db.close()
    sup.unlock(SUP_PASS)
    sup.sync_once()
    shown = [n.id for n in sup.timeline(client)]
    assert notes[0] not in shown and shown.count(notes[1]) == 1
    assert not sup.sync_status().extra.get("mended_ops")
    assert not sup.device.store.has_op(target)


def test_a_failure_while_mending_never_stops_the_round(t, monkeypatch, caplog):
    """A fault in the mend step is logged by its type and the round goes on: the work still travels."""
    work, sup = t.work, t.sup
    client, notes = _notes(work, "Cliënt bij een fout tijdens herstel (fictief)", "Fout", 2, sync=False)
    work.lock()
    work.unlock(WORK_PASS)  # a new engine: mending is due

    def broken() -> list:
        raise RuntimeError("fictional fault")

    monkeypatch.setattr(work.device.store, "seen_without_op", broken)
    work.sync_once()
    assert work.unsynced_count() == 0
    assert "mending stored operations failed: RuntimeError" in caplog.text
    sup.sync_once()
    assert {n.id for n in sup.timeline(client)} >= set(notes)


def test_a_revoked_mark_written_into_the_file_does_not_stop_the_device(t):
    """Found by an attack on the stores: a clear ``revoked`` state row inserted into the file made the
    device say "ingetrokken" and stop syncing for good. The mark is set only with the verified ledger entry
    that revokes the device; without that entry it is ignored, and the work travels."""
    work, sup = t.work, t.sup
    client, notes = _notes(work, "Cliënt bij een geplant kenmerk (fictief)", "Kenmerk", 1, sync=False)
    work.lock()
    db = _db(work)
    db.execute("INSERT OR REPLACE INTO state (key, value) VALUES ('revoked', 'LOST')")
    db.commit()
    db.close()
    work.unlock(WORK_PASS)
    work.sync_once()
    assert work.sync_status().state == "online"
    assert work.unsynced_count() == 0 and not work.device.store.get_state("revoked")
    sup.sync_once()
    assert notes[0] in {n.id for n in sup.timeline(client)}
