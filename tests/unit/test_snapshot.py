"""The sealed projection snapshot (store/snapshot.py, core/snapshots.py): real SQLite, real AES-GCM.

A projection read from the snapshot (plus the operations stored after it) must equal a fresh fold of
every operation — records with addenda and retractions, orphans, the access log and member names — and
a snapshot that is tampered with, cut short, of another format or made from other operations is dropped
for a full fold."""

from __future__ import annotations

import dataclasses
import json
import os

import pytest

from field_app.core.projection import AuditProjection
from field_app.core.snapshots import SnapshotKeeper
from field_app.crypto.vault import VaultError
from field_app.store import LocalStore
from field_app.store import snapshot as snap
from field_app.store import snapshot_codec as codec
from field_app.store.projection import Addendum, Record

SECRET = "Geheim-snapshot-zin-77: cliënt slaapt in de auto"
NOW = 1_800_000_000_000


@pytest.fixture
def dev(tmp_path):
    store = LocalStore(tmp_path)
    key = os.urandom(32)
    store.set_local_key(key)
    d = Dev(store, key)
    yield d
    d.keeper.stop()
    store.close()


class Dev:
    """What Device does with the store, the projection and the keeper, without the rest."""

    def __init__(self, store: LocalStore, key: bytes):
        self.store, self.key = store, key
        self.keeper = SnapshotKeeper(lambda: store)
        self.proj = self.keeper.unlock(key, NOW)
        self.n = 0

    def op(self, type_, rid, kind, fields, *, ms, client="c1", device="dA", author="Lotte (fictief)",
           origin="local", show=True) -> bytes:
        self.n += 1
        op_id = self.n.to_bytes(16, "big")
        op = {"type": type_, "record_id": rid, "client_id": client, "kind": kind, "fields": fields,
              "hlc": [ms, 0, device], "author_user": author}
        self.store.add_op(op_id, op, origin=origin)
        if show:
            self.proj.apply(op, op_id=op_id, origin=origin, received_at=NOW)
            self.keeper.shown(op_id)
        return op_id

    def relock(self) -> AuditProjection:
        self.keeper.stop()
        self.keeper.reset()
        self.proj = self.keeper.unlock(self.key, NOW)
        return self.proj


def fold(store: LocalStore) -> AuditProjection:
    """A fresh fold of every stored operation, as unlock did before snapshots."""
    p = AuditProjection()
    for op_id, origin, _seq, op in store.iter_ops():
        p.apply(op, op_id=op_id, origin=origin, received_at=NOW)
    return p


def state(p: AuditProjection) -> tuple:
    recs = {rid: tuple(getattr(r, f.name) for f in dataclasses.fields(Record)) for rid, r in p._records.items()}
    index = ({c: {t: sorted(b) for t, b in types.items()} for c, types in p._by_client.items()},
             {t: sorted(b) for t, b in p._by_type.items()})
    return recs, index, p._orphans, p._audit, p._members


def history(d: Dev) -> None:
    """Clients, notes with an addendum and a retraction, orphans, a remote set winning a field, access log
    entries and member announcements."""
    d.op("client", "c1", "create", {"display_name": "Cliënt Een (fictief)", "status": "ACTIEF"}, ms=NOW - 900)
    d.op("client", "c2", "create", {"display_name": "Cliënt Twee (fictief)", "status": "ACTIEF"}, ms=NOW - 890,
         client="c2")
    for i in range(5):
        d.op("contact", f"n{i}", "create", {"report": f"{SECRET} {i}", "occurred_at": i, "risks": [
            {"domain": "HUISVESTING", "severity": "HOOG"}]}, ms=NOW - 800 + i)
    d.op("contact", "a1", "addendum", {"text": "Aanvulling (fictief)", "original": "n0"}, ms=NOW - 700)
    d.op("contact", "n1", "retract", {"reason": "verkeerde cliënt"}, ms=NOW - 690)
    d.op("contact", "a9", "addendum", {"text": "Vooruit (fictief)", "original": "n-later"}, ms=NOW - 680)
    d.op("contact", "n-gone", "retract", {"reason": "weg"}, ms=NOW - 670)  # orphans: targets not here yet
    d.op("client", "c1", "set", {"status": "GESLOTEN"}, ms=NOW - 600, device="dB", author="Sem (fictief)",
         origin="remote")
    d.op("audit", "au1", "create", {"device": "dA", "client_id": "c1", "action": "open", "reason": None,
                                    "at": NOW - 500, "break_glass": False}, ms=NOW - 500)
    d.op("member", "m1", "create", {"device": "dA", "name": "Lotte (fictief)", "at": NOW - 400}, ms=NOW - 400)
    d.op("member", "m2", "create", {"device": "dB", "name": "Sem (fictief)", "at": NOW - 300}, ms=NOW - 300,
         origin="remote")


def test_a_snapshot_gives_the_projection_of_a_fresh_fold(dev):
    history(dev)
    assert dev.keeper.write_now(dev.proj, dev.key)
    assert snap.read_info(dev.store)["position"] == dev.n
    p = dev.relock()
    assert dev.keeper.loaded_from_snapshot and dev.keeper.base == dev.n
    assert state(p) == state(fold(dev.store)) == state(dev.proj)
    assert p.record("c1").fields["status"] == "GESLOTEN" and p.record("n1").retracted["reason"] == "verkeerde cliënt"
    assert [a.text for a in p.record("n0").addenda] == ["Aanvulling (fictief)"]
    assert p.member_names() == {"dA": "Lotte (fictief)", "dB": "Sem (fictief)"}
    assert len(p.audit_entries("c1")) == 1 and set(p._orphans) == {"n-later", "n-gone"}
    assert isinstance(p.record("c1").stamps["status"], type(fold(dev.store).record("c1").stamps["status"]))


def test_operations_after_the_snapshot_are_folded_on_top(dev):
    history(dev)
    dev.keeper.write_now(dev.proj, dev.key)
    at = dev.n
    # later: a late remote set that wins a field, one that loses (older clock), the orphans' targets, a
    # retraction of a note inside the snapshot and an addendum on it, a newer member name
    dev.op("client", "c1", "set", {"display_name": "Later gewonnen (fictief)"}, ms=NOW - 100, device="dC",
           origin="remote")
    dev.op("client", "c1", "set", {"status": "ACTIEF"}, ms=NOW - 950, device="dC", origin="remote")
    dev.op("contact", "n-later", "create", {"report": "Later (fictief)", "occurred_at": 9}, ms=NOW - 90)
    dev.op("contact", "n-gone", "create", {"report": "Weg (fictief)", "occurred_at": 10}, ms=NOW - 80)
    dev.op("contact", "n2", "retract", {"reason": "dubbel"}, ms=NOW - 70)
    dev.op("contact", "a2", "addendum", {"text": "Nog iets (fictief)", "original": "n3"}, ms=NOW - 60)
    dev.op("member", "m3", "create", {"device": "dB", "name": "Sem de Vries (fictief)", "at": NOW - 50},
           ms=NOW - 50, origin="remote")
    p = dev.relock()
    assert dev.keeper.loaded_from_snapshot and dev.keeper.stored == at and dev.keeper.base == dev.n
    assert state(p) == state(fold(dev.store))
    c1 = p.record("c1")
    assert c1.fields["display_name"] == "Later gewonnen (fictief)" and c1.fields["status"] == "GESLOTEN"
    assert [a.text for a in p.record("n-later").addenda] == ["Vooruit (fictief)"]
    assert p.record("n-gone").retracted is not None and not p._orphans
    assert p.member_names()["dB"] == "Sem de Vries (fictief)"


def test_the_position_covers_only_what_the_projection_shows(dev):
    """An operation stored but not yet shown when the state is captured (a save between its commit and its
    showing) stays after the snapshot's position and is folded at unlock."""
    history(dev)
    hidden = dev.op("contact", "n-hidden", "create", {"report": "Nog niet getoond (fictief)"}, ms=NOW - 20,
                    show=False)
    dev.op("contact", "n-shown", "create", {"report": "Wel getoond (fictief)"}, ms=NOW - 10)
    assert dev.keeper.write_now(dev.proj, dev.key)
    assert snap.read_info(dev.store)["position"] == int.from_bytes(hidden, "big") - 1
    p = dev.relock()
    assert p.record("n-hidden") is not None and state(p) == state(fold(dev.store))


def test_a_shown_operation_the_store_does_not_hold_blocks_the_snapshot(dev):
    history(dev)
    dev.proj.apply({"type": "client", "record_id": "ghost", "client_id": "ghost", "kind": "create",
                    "fields": {"display_name": "Teruggedraaid (fictief)"}, "hlc": [NOW, 0, "dA"]},
                   op_id=b"g" * 16, origin="local", received_at=NOW)
    dev.keeper.shown(b"g" * 16)  # a save whose transaction rolled back after it was shown
    assert not dev.keeper.write_now(dev.proj, dev.key)
    assert snap.read_info(dev.store) is None


def _blobs(store):
    return store.db.execute("SELECT gen, part, blob FROM snapshot ORDER BY part").fetchall()


@pytest.mark.parametrize("damage", ["flip", "truncate", "drop_part", "swap_parts", "wrong_gen"])
def test_a_damaged_snapshot_falls_back_to_a_full_fold(dev, damage, monkeypatch):
    monkeypatch.setattr(snap, "PART_RECORDS", 3)  # several parts
    history(dev)
    dev.keeper.write_now(dev.proj, dev.key)
    rows = _blobs(dev.store)
    assert len(rows) >= 3
    gen, part, blob = rows[1]
    if damage == "flip":
        bad = bytearray(blob)
        bad[len(bad) // 2] ^= 1
        dev.store.db.execute("UPDATE snapshot SET blob = ? WHERE gen = ? AND part = ?", [bytes(bad), gen, part])
    elif damage == "truncate":
        dev.store.db.execute("UPDATE snapshot SET blob = ? WHERE gen = ? AND part = ?", [blob[:-40], gen, part])
    elif damage == "drop_part":
        dev.store.db.execute("DELETE FROM snapshot WHERE part = ?", [len(rows) - 1])
    elif damage == "swap_parts":
        dev.store.db.execute("UPDATE snapshot SET blob = ? WHERE part = 1", [rows[2][2]])
        dev.store.db.execute("UPDATE snapshot SET blob = ? WHERE part = 2", [rows[1][2]])
    else:  # the parts claim another generation than the one they were sealed for
        dev.store.db.execute("UPDATE snapshot SET gen = gen + 1")
        info = snap.read_info(dev.store)
        dev.store.set_state("snapshot", json.dumps({**info, "gen": info["gen"] + 1}))
    p = dev.relock()
    assert not dev.keeper.loaded_from_snapshot
    assert state(p) == state(fold(dev.store))
    assert snap.read_info(dev.store) is None and _blobs(dev.store) == []  # dropped
    dev.keeper.write_now(p, dev.key)  # and a new one can be written
    dev.relock()
    assert dev.keeper.loaded_from_snapshot and state(dev.proj) == state(fold(dev.store))


@pytest.mark.parametrize("change", ["restored_older", "other_op_at_position", "op_removed_below"])
def test_a_snapshot_of_other_operations_is_stale(dev, change):
    """The ops table was restored or changed under the snapshot: it does not open; everything is folded."""
    history(dev)
    dev.keeper.write_now(dev.proj, dev.key)
    position = snap.read_info(dev.store)["position"]
    if change == "restored_older":
        dev.store.db.execute("DELETE FROM ops WHERE position > ?", [position - 3])
    elif change == "other_op_at_position":
        dev.store.db.execute("UPDATE ops SET op_id = ? WHERE position = ?", [os.urandom(16), position])
    else:
        dev.store.db.execute("DELETE FROM ops WHERE position = 3")
    p = dev.relock()
    assert not dev.keeper.loaded_from_snapshot and state(p) == state(fold(dev.store))


def test_another_format_or_class_layout_is_discarded(dev, monkeypatch):
    history(dev)
    monkeypatch.setattr(snap, "FORMAT", 99)
    dev.keeper.write_now(dev.proj, dev.key)
    monkeypatch.setattr(snap, "FORMAT", 1)
    p = dev.relock()
    assert not dev.keeper.loaded_from_snapshot and state(p) == state(fold(dev.store))
    dev.keeper.write_now(p, dev.key)
    monkeypatch.setattr(codec, "schema", lambda: {"Record": ["id", "type", "a_new_slot"]})
    dev.relock()
    assert not dev.keeper.loaded_from_snapshot


def test_no_plaintext_reaches_the_disk(dev, tmp_path):
    history(dev)
    assert dev.keeper.write_now(dev.proj, dev.key)
    dev.store.checkpoint()
    for path in tmp_path.iterdir():
        data = path.read_bytes()
        for text in (SECRET, "Aanvulling", "Lotte", "GESLOTEN", "verkeerde"):
            assert text.encode() not in data and text.encode("utf-16-le") not in data, (path.name, text)


def test_a_snapshot_opens_only_under_its_own_key(dev):
    history(dev)
    dev.keeper.write_now(dev.proj, dev.key)
    with pytest.raises(VaultError):
        snap.load(dev.store, os.urandom(32), AuditProjection())


@dataclasses.dataclass(slots=True)
class _Later:
    """Stands for a record class with slots added later (a conflict with both values, who and when)."""
    id: str
    conflict: dict | None = None
    pair: tuple | None = None
    seen: set | None = None
    by_op: dict | None = None
    nested: list | None = None


def test_any_slot_value_travels(monkeypatch):
    from field_app.domain.hlc import Stamp

    codec.register(_Later)
    stamp = Stamp(NOW, 2, "dB")
    values = _Later("r1", {"status": [{"value": "A", "by": "Sem", "stamp": stamp}, {"value": None, "op": b"\x00\xff"}]},
                    (1, "twee", b"drie"), {"x", 3}, {b"op-1": {"\0sneaky": [1, 2]}, 7: "zeven"},
                    [Addendum("a", "t", "w", 1, b"o", "local"), (), {}, [], {"\0K": [0, 0]}])
    enc = codec.Encoder()
    row = enc.row(values, [f.name for f in dataclasses.fields(_Later)])
    again = codec.Decoder(codec.loads(codec.dumps(enc.table)), enc.keysets).row(
        _Later, codec.loads(codec.dumps(row)))
    assert again == values
    assert again.conflict["status"][0]["stamp"] is not None and type(again.pair) is tuple


def test_stamps_are_shared_and_field_names_too(dev):
    history(dev)
    dev.keeper.write_now(dev.proj, dev.key)
    p = dev.relock()
    rec = p.record("n3")
    assert len({id(s) for s in rec.stamps.values()}) == 1
    other = p.record("n4")
    assert all(a is b for a, b in zip(rec.stamps, other.stamps, strict=True))


def test_repeated_short_strings_are_shared_after_reading(dev):
    history(dev)
    dev.keeper.write_now(dev.proj, dev.key)
    p = dev.relock()
    a, b = p.record("n3"), p.record("n4")
    assert a.author is b.author and a.client_id is b.client_id and a.type is b.type
    assert a.fields["report"] is not b.fields["report"]  # unique texts are left alone


def test_a_background_write_waits_for_quiet_and_a_lock_hurries_or_cancels_it(dev, monkeypatch):
    from field_app.core import snapshots

    history(dev)
    monkeypatch.setattr(snapshots, "EVERY", 1)
    monkeypatch.setattr(snapshots, "IDLE_S", 0.01)
    dev.keeper.maybe_write(dev.proj, lambda: dev.key)
    dev.keeper.wait()
    assert snap.read_info(dev.store)["position"] == dev.n

    dev.op("contact", "n-more", "create", {"report": "Meer (fictief)"}, ms=NOW)
    monkeypatch.setattr(snapshots, "IDLE_S", 3600.0)  # never quiet enough: only a lock makes it go
    dev.keeper.maybe_write(dev.proj, lambda: dev.key)
    dev.keeper.stop(grace=60.0)  # a lock: write now, then the keys may go
    assert snap.read_info(dev.store)["position"] == dev.n

    dev.relock()
    dev.op("contact", "n-last", "create", {"report": "Laatste (fictief)"}, ms=NOW)
    dev.keeper.maybe_write(dev.proj, lambda: dev.key)
    dev.keeper.stop()  # an erase: cancelled, nothing written
    assert snap.read_info(dev.store)["position"] == dev.n - 1


def test_what_is_captured_does_not_move_when_the_projection_does(dev):
    """The state is captured under the projection's lock and packed after it: an orphan that finds its note,
    a field set and an addendum between the two must not leak into (or out of) the captured state."""
    history(dev)
    position = dev.n
    with dev.proj.lock:
        parts = snap.capture(dev.proj)
    dev.op("contact", "n-later", "create", {"report": "Na het vastleggen (fictief)"}, ms=NOW - 5)  # takes a9
    dev.op("client", "c1", "set", {"display_name": "Later (fictief)"}, ms=NOW - 4, device="dC", origin="remote")
    dev.op("contact", "a3", "addendum", {"text": "Later nog (fictief)", "original": "n4"}, ms=NOW - 3)
    assert snap.write(dev.store, dev.key, parts, position)
    p = dev.relock()
    assert dev.keeper.loaded_from_snapshot and dev.keeper.stored == position
    assert state(p) == state(fold(dev.store))
    assert [a.text for a in p.record("n-later").addenda] == ["Vooruit (fictief)"]
