"""Clear state rows of a device's file set to odd values (an independent review's attacks), with real
devices and a real server: the device goes on, or stops with a Dutch sentence, and loses nothing."""

from __future__ import annotations

import sqlite3

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
