"""A device that fills up while it pulls (issue #11): the pull stops with the Dutch "toestel is vol" in
the sync status instead of a crash code, nothing half is applied (a slice and its cursor go together),
and once there is room again the next sync takes every note exactly once; the file stays sound."""

from __future__ import annotations

import time

import pytest

from field_app.app_api import StorageError, SyncState

NOTES = 60


def test_a_device_that_fills_up_while_pulling_says_so_and_catches_up_once_there_is_room(t):
    client_id = t.sup.add_client("Volle telefoon (fictief)", fictional=True)
    t.sup.assign(client_id, t.work.user_name)
    with t.sup.deferred_rules():
        for i in range(NOTES):
            t.sup.record_contact(client_id, contact_type="TELEFONISCH", outcome="PLAATSGEVONDEN",
                                 report=f"Belletje {i} (fictief). " + "x" * 400)
    t.sup.sync_once()

    worker = t.work
    db = worker.device.store.db
    db.execute(f"PRAGMA max_page_count = {db.execute('PRAGMA page_count').fetchone()[0]}")
    with pytest.raises(StorageError) as caught:
        worker.sync_once()
    assert caught.value.kind == "full"
    got = len(worker.timeline(client_id)) if worker.device.projection.has_client(client_id) else 0
    assert got < NOTES

    engine = worker.sync.engine  # the background loop: the status carries the Dutch sentence
    engine.start()
    try:
        deadline = time.monotonic() + 60
        while worker.sync_status().state != SyncState.ERROR and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        engine.stop()
    status = worker.sync_status()
    assert status.state == SyncState.ERROR
    assert status.message.startswith("Het toestel is vol: er is niets opgeslagen."), status

    db.execute("PRAGMA max_page_count = 1073741823")  # room again
    worker.sync_once()
    reports = [n.report for n in worker.timeline(client_id)]
    assert len(reports) == NOTES and len(set(reports)) == NOTES  # every note, once
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    worker.lock()  # what the store holds, folded again: the same, once each
    worker.unlock("veldwerker-geheim-12")
    assert sorted(n.report for n in worker.timeline(client_id)) == sorted(reports)
