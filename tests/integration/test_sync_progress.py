"""A long sync round says how far it is (the top bar's progress line and the sync sheet): a push of a week's
work counts up to what waited, a fresh pull counts what came in, and the line goes away when the round ends.
A round that moves little shows nothing. In process against a real server on a socket, the status read
from another thread while the round runs, as the app's views read it."""

from __future__ import annotations

import threading

from field_app.sync import progress

N = 1200  # more than two push batches and two pull pages


def _watching(svc, action) -> list:
    """``svc.sync_status()`` read every few milliseconds from another thread while ``action`` runs."""
    seen, done = [], threading.Event()

    def watch() -> None:
        while not done.is_set():
            seen.append(svc.sync_status())
            done.wait(0.005)

    thread = threading.Thread(target=watch)
    thread.start()
    try:
        action()
    finally:
        done.set()
        thread.join()
    return seen


def test_a_long_push_and_pull_count_up_and_the_line_goes_away_after(t, monkeypatch):
    monkeypatch.setattr(progress, "SHOW_AFTER_S", 0.0)  # shown at once: the counts, not the clock, are tested
    client = t.work.add_client("Een week offline (fictief)")
    for i in range(N):
        t.work.record_contact(client, contact_type="TELEFONISCH", outcome="PLAATSGEVONDEN", report=f"notitie {i}")
    waiting = t.work.device.store.outbox_count()

    seen = _watching(t.work, t.work.sync_once)
    shown = [s.extra["progress"] for s in seen if "progress" in s.extra]
    assert shown and all(s.state == "busy" for s in seen if "progress" in s.extra)
    assert {p["to_send"] for p in shown} == {waiting}
    sent = [p["sent"] for p in shown]
    assert sent == sorted(sent) and sent[-1] > 0  # counts up, never back
    after = t.work.sync_status()
    assert "progress" not in after.extra and after.state == "online" and after.pending == 0

    seen = _watching(t.sup, t.sup.sync_once)
    received = [s.extra["progress"]["received"] for s in seen if "progress" in s.extra]
    assert received and received == sorted(received) and len(set(received)) > 1
    assert all(s.extra["progress"]["to_send"] == 0 for s in seen if "progress" in s.extra)
    after = t.sup.sync_status()
    assert "progress" not in after.extra and after.state != "busy"
    assert len(t.sup.timeline(client)) == N


def test_a_round_that_moves_little_shows_nothing(t, monkeypatch):
    monkeypatch.setattr(progress, "SHOW_AFTER_S", 0.0)
    client = t.work.add_client("Eén notitie (fictief)")
    t.work.record_contact(client, contact_type="TELEFONISCH", outcome="PLAATSGEVONDEN", report="kort")
    seen = _watching(t.work, t.work.sync_once) + _watching(t.sup, t.sup.sync_once)
    assert seen and not [s for s in seen if "progress" in s.extra or s.state == "busy"]


def test_a_short_round_is_not_shown_however_much_it_moves():
    p = progress.RoundProgress(started=100.0, received=5000)
    assert p.shown(now=100.0 + progress.SHOW_AFTER_S - 0.01) is None
    assert p.shown(now=100.0 + progress.SHOW_AFTER_S) == {"received": 5000, "sent": 0, "to_send": 0}
    p.pushing(30)
    p.sent = 40  # a re-sealed push may send more than first counted: never more than all
    assert p.shown(now=200.0)["sent"] == 30
