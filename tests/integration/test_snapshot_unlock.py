"""Unlock from the sealed projection snapshot, with real devices and a real server: the supervisor's device
writes its snapshot in the background, locks, and unlocks into the same projection a fresh fold gives —
also after the worker's later work arrived (a field the worker changed later wins). Locking still wipes the
projection and the keys; the database never holds a note's text in clear."""

from __future__ import annotations

import dataclasses

import pytest
from secsupport import SUP_PASS, make_team

from field_app.core import snapshots
from field_app.core.projection import AuditProjection
from field_app.domain.hlc import now_ms
from field_app.store import snapshot as snap
from field_app.store.projection import Record

SECRET = "Snapshot-geheim-31: cliënt vertelt over de schuld (fictief)"


@pytest.fixture
def t(tmp_path, monkeypatch):
    monkeypatch.setattr(snapshots, "EVERY", 1)  # write a snapshot after every change
    monkeypatch.setattr(snapshots, "IDLE_S", 0.05)
    team = make_team(tmp_path)
    yield team
    team.close()


def _fold(svc) -> AuditProjection:
    p = AuditProjection()
    for op_id, origin, _seq, op in svc.device.store.iter_ops():
        p.apply(op, op_id=op_id, origin=origin, received_at=now_ms())
    return p


def _state(p: AuditProjection) -> tuple:
    recs = {rid: tuple(getattr(r, f.name) for f in dataclasses.fields(Record)) for rid, r in p._records.items()}
    return recs, p._orphans, p._audit, p._members


def _relock(svc) -> None:
    svc.device._snap.wait()
    svc.lock()
    assert not svc.device.projection.all_records() and not svc.device.store.unlocked  # lock wipes as before
    svc.unlock(SUP_PASS)


def test_unlock_reads_the_snapshot_and_what_came_after_it(t):
    work, sup = t.work, t.sup
    client = work.add_client("Snapshotcliënt (fictief)", fictional=True)
    notes = [work.record_contact(client, contact_type="TELEFONISCH", outcome="PLAATSGEVONDEN",
                                 report=f"{SECRET} {i}") for i in range(4)]
    work.add_addendum(notes[0], "Aanvulling bij de eerste (fictief)")
    work.retract_record(notes[1], "Verkeerde cliënt (fictief)")
    work.sync_once()
    sup.sync_once()
    sup.device._snap.wait()
    assert snap.read_info(sup.device.store) is not None

    _relock(sup)
    assert sup.device._snap.loaded_from_snapshot
    assert _state(sup.device.projection) == _state(_fold(sup))
    assert len(sup.timeline(client)) == 3 and sup.device.projection.record(notes[1]).retracted is not None

    # later work of the worker arrives after the snapshot: a field it changed wins, a note, an addendum
    t.clocks["worker"].advance(60_000)
    work.update_record(client, {"safety_note": "Hond op het erf (fictief)"})
    work.record_contact(client, contact_type="KANTOOR", outcome="PLAATSGEVONDEN", report="Na de snapshot (fictief)")
    work.add_addendum(notes[2], "Later aangevuld (fictief)")
    work.sync_once()
    snapshots.EVERY = 10_000  # no new snapshot now: the next unlock folds these on top of the old one
    at = snap.read_info(sup.device.store)["position"]
    sup.sync_once()
    _relock(sup)
    keeper = sup.device._snap
    assert keeper.loaded_from_snapshot and keeper.stored == at < keeper.base
    assert _state(sup.device.projection) == _state(_fold(sup))
    assert sup.device.projection.record(client).fields["safety_note"] == "Hond op het erf (fictief)"
    assert len(sup.timeline(client)) == 4  # the retracted note is not in the timeline

    sup.device._snap.wait()
    sup.device.store.checkpoint()
    for path in sup.data_dir.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            assert SECRET.encode() not in data and b"Hond op het erf" not in data, path.name
