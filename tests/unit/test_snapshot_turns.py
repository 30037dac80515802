"""A snapshot written while the projection keeps folding (core/snapshots.py writes it part by part, each part
copied in a lock turn of its own): what unlock reads from it plus the operations after its position must be
exactly a fresh fold of every stored operation — whatever was folded between the parts (an orphan's note
arriving, a field set, an addendum, a retraction, a new record, a member name). Real SQLite, real AES-GCM."""

from __future__ import annotations

import os

import pytest
from test_snapshot import NOW, Dev, fold, history, state

from field_app.core.projection import AuditProjection
from field_app.store import LocalStore
from field_app.store import snapshot as snap


@pytest.fixture
def dev(tmp_path, monkeypatch):
    monkeypatch.setattr(snap, "PART_RECORDS", 2)  # c1, c2 | n0, n1 | n2, n3 | n4: four lock turns
    store = LocalStore(tmp_path)
    key = os.urandom(32)
    store.set_local_key(key)
    d = Dev(store, key)
    yield d
    d.keeper.stop()
    store.close()


def _between_parts(monkeypatch, actions: list) -> list[int]:
    """Run one action after each part is stored (between the write's lock turns); returns the part numbers
    in the order they were captured."""
    real, order = snap.in_turns, []

    def turns(projection, records, head):
        todo = list(actions)
        for k, part in real(projection, records, head):
            order.append(k)
            yield k, part
            if todo:
                todo.pop(0)()

    monkeypatch.setattr(snap, "in_turns", turns)
    return order


def _changes(d: Dev) -> list:
    return [
        # the orphan addendum a9 finds its note (a record made after the write began) and the orphan
        # retraction n-gone its note; both orphans are in the header, captured first
        lambda: d.op("contact", "n-later", "create", {"report": "Tussendoor (fictief)", "occurred_at": 9},
                     ms=NOW - 90),
        lambda: d.op("contact", "n-gone", "create", {"report": "Weg (fictief)", "occurred_at": 10}, ms=NOW - 80),
        # records in parts not yet copied, and in a part already copied (c1 is in part 1)
        lambda: (d.op("client", "c1", "set", {"display_name": "Later gewonnen (fictief)"}, ms=NOW - 70,
                      device="dC", origin="remote"),
                 d.op("contact", "a2", "addendum", {"text": "Tussendoor aangevuld (fictief)", "original": "n4"},
                      ms=NOW - 60)),
        lambda: (d.op("contact", "n3", "retract", {"reason": "dubbel"}, ms=NOW - 50),
                 d.op("member", "m3", "create", {"device": "dB", "name": "Sem de Vries (fictief)", "at": NOW - 40},
                      ms=NOW - 40, origin="remote"),
                 d.op("client", "c3", "create", {"display_name": "Nieuw (fictief)"}, ms=NOW - 30, client="c3")),
    ]


def test_a_snapshot_written_while_the_projection_folds_reads_as_a_fresh_fold(dev, monkeypatch):
    history(dev)
    position = dev.n
    order = _between_parts(monkeypatch, _changes(dev))
    assert dev.keeper.write_now(dev.proj, dev.key)
    assert order == [0, 1, 2, 3, 4]  # header first, then the records part by part
    assert snap.read_info(dev.store)["position"] == position  # bound to what was shown when it began
    assert state(dev.proj) == state(fold(dev.store))

    p = dev.relock()
    assert dev.keeper.loaded_from_snapshot and dev.keeper.stored == position and dev.keeper.base == dev.n
    assert state(p) == state(fold(dev.store))
    assert [a.text for a in p.record("n-later").addenda] == ["Vooruit (fictief)"]
    assert p.record("n-gone").retracted is not None and not p._orphans
    assert p.record("c1").fields["display_name"] == "Later gewonnen (fictief)"
    assert p.record("n3").retracted["reason"] == "dubbel" and p.member_names()["dB"] == "Sem de Vries (fictief)"

    # the snapshot alone holds at least the fold up to its position, never less
    alone = AuditProjection()
    snap.load(dev.store, dev.key, alone)
    at_position = AuditProjection()
    for op_id, origin, _seq, op in list(dev.store.iter_ops())[:position]:
        at_position.apply(op, op_id=op_id, origin=origin, received_at=NOW)
    for rid, rec in at_position._records.items():
        assert alone._records[rid].stamps.items() >= rec.stamps.items()
        assert {a.id for a in alone._records[rid].addenda} >= {a.id for a in rec.addenda}


def test_an_orphan_taken_by_a_record_of_an_earlier_part_reads_the_same(dev, monkeypatch):
    """A record known only by a stray write when the header was taken, created between the turns: its part
    holds the addendum, the older header still holds it as an orphan; unlock folds the create again and the
    orphan is taken once."""
    history(dev)
    dev.op("contact", "n-stray", "set", {"report": "Los (fictief)"}, ms=NOW - 95)  # a record, not yet known
    dev.op("contact", "a7", "addendum", {"text": "Vooraf (fictief)", "original": "n-stray"}, ms=NOW - 94)
    assert "n-stray" in dev.proj._orphans
    # its record is in the last part; it is created before that part is copied
    _between_parts(monkeypatch, [lambda: dev.op("contact", "n-stray", "create", {"report": "Nu (fictief)"},
                                                ms=NOW - 93)])
    assert dev.keeper.write_now(dev.proj, dev.key)
    p = dev.relock()
    assert dev.keeper.loaded_from_snapshot and state(p) == state(fold(dev.store))
    assert [a.text for a in p.record("n-stray").addenda] == ["Vooraf (fictief)"] and "n-stray" not in p._orphans


def test_an_operation_shown_between_parts_and_rolled_back_blocks_the_snapshot(dev, monkeypatch):
    history(dev)

    def phantom():  # a save whose transaction rolled back after its operation was shown
        dev.proj.apply({"type": "client", "record_id": "c2", "client_id": "c2", "kind": "set",
                        "fields": {"display_name": "Teruggedraaid (fictief)"}, "hlc": [NOW, 0, "dA"]},
                       op_id=b"g" * 16, origin="local", received_at=NOW)
        dev.keeper.shown(b"g" * 16)

    _between_parts(monkeypatch, [phantom])
    assert not dev.keeper.write_now(dev.proj, dev.key)
    assert snap.read_info(dev.store) is None and not dev.store.db.execute("SELECT 1 FROM snapshot").fetchall()


def test_a_cancelled_write_leaves_the_stored_snapshot_current(dev, monkeypatch):
    history(dev)
    assert dev.keeper.write_now(dev.proj, dev.key)
    before = snap.read_info(dev.store)
    dev.op("contact", "n-more", "create", {"report": "Meer (fictief)"}, ms=NOW)
    _between_parts(monkeypatch, [dev.keeper._cancel.set])
    assert not dev.keeper.write_now(dev.proj, dev.key)
    assert snap.read_info(dev.store) == before
    assert {g for (g,) in dev.store.db.execute("SELECT DISTINCT gen FROM snapshot")} == {before["gen"]}
    dev.keeper._cancel.clear()
    p = dev.relock()
    assert dev.keeper.loaded_from_snapshot and state(p) == state(fold(dev.store))


def _busy(d: Dev, rounds: int, going=None) -> None:
    """Everything the fold does, in an order that makes orphans and their records meet: notes whose
    addendum and retraction came first, sets on clients from other devices, new clients, member names."""
    for i in range(rounds):
        d.op("contact", f"late{i}", "set", {"report": "Los (fictief)"}, ms=NOW + i)  # a record, not yet known
        d.op("contact", f"late{i + 1}", "set", {"report": "Los (fictief)"}, ms=NOW + i)
        d.op("contact", f"x{i}", "addendum", {"text": f"Vooraf {i} (fictief)", "original": f"late{i}"}, ms=NOW + i)
        if going is not None and i == 3:
            going.set()  # the write begins while this goes on: late3 known only by a stray set, its addendum
            # an orphan
        if i % 3 == 0:
            d.op("contact", f"late{i - 3}", "retract", {"reason": "dubbel"}, ms=NOW + i)
        d.op("contact", f"late{i}", "create", {"report": f"Laat {i} (fictief)", "occurred_at": i}, ms=NOW + i,
             client=f"c{i % 2 + 1}")
        d.op("client", f"c{i % 2 + 1}", "set", {"status": "ACTIEF" if i % 2 else "GESLOTEN"}, ms=NOW + 1000 - i,
             device=f"d{i % 3}", origin="remote")
        d.op("contact", f"y{i}", "addendum", {"text": f"Bij n{i % 5} (fictief)", "original": f"n{i % 5}"}, ms=NOW + i)
        if i % 7 == 0:
            d.op("client", f"cx{i}", "create", {"display_name": f"Erbij {i} (fictief)"}, ms=NOW + i, client=f"cx{i}")
            d.op("member", f"mm{i}", "create", {"device": "dB", "name": f"Sem {i} (fictief)", "at": NOW + i},
                 ms=NOW + i, origin="remote")


def test_a_snapshot_written_while_another_thread_folds_reads_as_a_fresh_fold(dev):
    """Real threads: whatever the interleaving of the write's lock turns and the folding, unlock from the
    snapshot plus what came after its position is the fresh fold of every stored operation."""
    import sys
    import threading

    history(dev)
    for i in range(40):
        dev.op("contact", f"m{i}", "create", {"report": f"Meer {i} (fictief)", "occurred_at": i}, ms=NOW - 200 + i)
    sys.setswitchinterval(1e-5)  # switch threads often: many interleavings of turns and folds
    try:
        for run in range(3):
            going = threading.Event()
            worker = threading.Thread(target=_busy, args=(dev, 30 + run, going))
            worker.start()
            going.wait()
            assert dev.keeper.write_now(dev.proj, dev.key)
            worker.join()
            assert state(dev.proj) == state(fold(dev.store))
            p = dev.relock()
            assert dev.keeper.loaded_from_snapshot and state(p) == state(fold(dev.store)), run
    finally:
        sys.setswitchinterval(0.005)


def test_settle_writes_a_write_waiting_for_quiet_now(dev, monkeypatch):
    """``settle`` (the benchmark's: one device's snapshot must not be timed as another's work): a write
    that waits for quiet goes at once, and is done when settle returns."""
    from field_app.core import snapshots

    monkeypatch.setattr(snapshots, "EVERY", 1)
    monkeypatch.setattr(snapshots, "IDLE_S", 3600.0)  # without the hurry it would wait an hour
    history(dev)
    dev.keeper.maybe_write(dev.proj, lambda: dev.key)
    assert dev.keeper._thread is not None and dev.keeper._thread.is_alive()
    import threading

    settling = threading.Thread(target=dev.keeper.settle, daemon=True)
    settling.start()
    settling.join(60)
    assert not settling.is_alive() and not dev.keeper._thread.is_alive()
    assert snap.read_info(dev.store) is not None and not dev.keeper.due()
    p = dev.relock()
    assert dev.keeper.loaded_from_snapshot and state(p) == state(fold(dev.store))
