"""Rows of a device's file set to odd values (an independent review's attacks: clear state rows, outbox
rows), with real devices and a real server: the device goes on, or stops with a Dutch sentence, and loses
nothing."""

from __future__ import annotations

import sqlite3

import pytest
from secsupport import DAY_MS, SUP_PASS, WORK_PASS

from field_app.store import db as store_db


def _set_state(svc, key: str, value: str) -> None:
    """As someone (or a worn card) writing the device's database file, outside the app."""
    db = sqlite3.connect(svc.device.store.data_dir / store_db.DB_FILE, isolation_level=None)
    try:
        db.execute("INSERT OR REPLACE INTO state (key, value) VALUES (?, ?)", [key, value])
    finally:
        db.close()


def test_a_pull_cursor_beyond_the_servers_range_reads_everything_again(t):
    """A cursor of 2^70 is a whole number, but not one the server takes: every round was refused with 422
    ``bad_query``, for good. It reads as 0 now, like a cursor that is not a number."""
    work, sup = t.work, t.sup
    client = work.add_client("Cliënt voor de verre cursor (fictief)")
    work.sync_once()
    sup.sync_once()
    sup.lock()
    _set_state(sup, "cursor", str(2**70))
    sup.unlock(SUP_PASS)
    sup.sync_once()
    assert sup.sync_status().state == "online"
    assert client in {c.id for c in sup.caseload()}
    later = work.add_client("Na de verre cursor (fictief)")
    work.sync_once()
    sup.sync_once()
    assert later in {c.id for c in sup.caseload()} and int(sup.device.store.get_state("cursor")) < 2**53


def test_an_unreadable_security_stop_is_still_a_stop_said_in_dutch_and_can_be_cleared(t):
    """The stop row not a stop (``garbage``, ``[]``, a code that is no text): every read of the sync status
    and every sync raised, and the screen said "Deze invoer klopt niet". A recorded stop must not be lifted
    by damaging its row either: it stays a stop (``alert_damaged``), in Dutch, and clearing it works."""
    work = t.work
    client = work.add_client("Wacht achter de stop (fictief)")
    for value in ("garbage", "[]", '{"code": 5}'):
        _set_state(work, "alert", value)
        status = work.sync_status()
        assert status.state == "error" and status.message == "alert_damaged"
        assert "beschadigd" in status.extra["uitleg"] and "coördinator" in status.extra["uitleg"]
        assert work.security_alert()["code"] == "alert_damaged"
        try:
            work.sync_once()
        except Exception as exc:  # the stop holds: nothing is synced
            assert "beschadigd" in str(exc)
        assert work.unsynced_count() == 1
    work.clear_security_alert()
    work.sync_once()
    assert work.sync_status().state == "online" and work.unsynced_count() == 0
    t.sup.sync_once()
    assert client in {c.id for c in t.sup.caseload()}


def test_a_lease_renewed_ahead_of_the_clock_still_runs_out_and_a_sync_renews_it(t):
    """A lease renewed while the clock ran years ahead (set right afterwards), or a far moment written into
    ``lease_from``, used to keep the offline lease from ever running out, and from being renewed: the team
    keys stayed on a device offline for good. A moment more than a day ahead counts as long ago now (the
    safe side); a sync brings the keys back and renews the lease from the clock as it is."""
    work, clock = t.work, t.clocks["worker"]
    work.sync_once()
    work.lock()
    _set_state(work, "lease_from", str(clock.now + 3 * 365 * DAY_MS))
    work.unlock(WORK_PASS)
    assert work.device.epoch_keys == {} and work.sync_status().extra["lease_expired"]
    client = work.add_client("Tijdens de verlopen lease (fictief)")  # still saved: it waits in the outbox
    work.sync_once()
    assert set(work.device.epoch_keys) == {1} and work.unsynced_count() == 0
    assert abs(int(work.device.store.get_state("lease_from")) - clock.now) < DAY_MS
    clock.advance(15 * DAY_MS)  # the renewed lease runs out as any other
    work.lock()
    work.unlock(WORK_PASS)
    assert work.device.epoch_keys == {}
    work.sync_once()
    t.sup.sync_once()
    assert client in {c.id for c in t.sup.caseload()}


def _sql(svc, sql: str) -> int:
    db = sqlite3.connect(svc.device.store.data_dir / store_db.DB_FILE, isolation_level=None)
    try:
        return db.execute(sql).rowcount
    finally:
        db.close()


@pytest.mark.parametrize("damage", [
    "UPDATE outbox SET position = -position",  # a position of 0 or less: never read "after 0"
    "UPDATE outbox SET envelope = 'geen envelop' WHERE envelope IS NOT NULL",  # text, not bytes
    "UPDATE outbox SET envelope = substr(envelope, 1, 300) WHERE envelope IS NOT NULL",  # cut short (a blob)
], ids=["position", "text", "framing"])
def test_unsent_work_whose_outbox_row_was_altered_still_reaches_the_team(t, damage):
    """An outbox row altered in the file: at a position of 0 or less the work never left while the sync
    status said online; an envelope that is not one (text, or its framing damaged) made every push fail with
    "Deze invoer klopt niet". The push now reads the outbox from its first row, and an entry that is not an
    envelope is sealed again from the stored operation, as for the server's ``bad_envelope``."""
    work, sup = t.work, t.sup
    work.sync_once()
    first = work.add_client("Eerste in het outbox (fictief)")
    second = work.add_client("Tweede in het outbox (fictief)")
    work.lock()
    assert _sql(work, damage) >= 2
    work.unlock(WORK_PASS)
    work.sync_once()
    assert work.sync_status().state == "online" and work.unsynced_count() == 0
    sup.sync_once()
    assert {first, second} <= {c.id for c in sup.caseload()}
    assert sup.sync_status().state == "online"
