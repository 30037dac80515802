"""The pending counter counts the user's own work (issue #14): opening a client file writes an access-log
entry that travels in the outbox to the team, but it is not work waiting to be sent, so neither the sync
chip (``SyncStatus.pending``) nor the unlock screen (``unsynced_count``) counts it."""

from __future__ import annotations

from secsupport import WORK_PASS


def test_access_log_entries_travel_without_counting_as_pending(t):
    worker = t.work
    client_id = worker.add_client("Teller Test (fictief)", fictional=True)
    worker.sync_once()
    assert worker.sync_status().pending == 0 and worker.unsynced_count() == 0

    for _ in range(3):
        worker.open_client_file(client_id)
    status = worker.sync_status()
    assert status.pending == 0 and worker.unsynced_count() == 0
    assert status.extra["pending_log"] == 3
    assert worker.device.store.outbox_count() == 3  # they do travel

    worker.record_contact(client_id, contact_type="TELEFONISCH", outcome="PLAATSGEVONDEN", report="Gebeld (fictief)")
    assert worker.sync_status().pending == 1

    worker.lock()  # the unlock screen reads the same count while locked
    assert worker.unsynced_count() == 1
    assert worker.unlock_info()["unsynced"] == 1
    worker.unlock(WORK_PASS)

    worker.sync_once()
    assert worker.device.store.outbox_count() == 0
    t.sup.sync_once()
    opened = [e for e in t.sup.access_log(client_id) if e.get("action") == "open_client"]
    assert len(opened) == 3  # the access-log entries reached the team
