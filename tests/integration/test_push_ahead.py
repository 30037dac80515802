"""The push reads, signs and encodes its next batch while the current one travels (``engine._push_batches``).
In process against a real server on a socket: a push of several batches whose second answer is lost
(the server stored the batch, the device hears ``op_conflict``) drops what it read ahead, catches up,
seals the rest again and delivers every note exactly once, in chain order."""

from __future__ import annotations

import pytest

from field_app.crypto.wire import unpack
from field_app.sync.delivery import PUSH_BATCH


def _own_chain(t, device: bytes) -> list[int]:
    seqs = []
    for row in t.server.changes(t.team):
        parts = unpack(bytes(row.envelope))
        if parts.device == device:
            seqs.append(parts.header["device_seq"])
    return seqs


def test_a_lost_answer_midway_drops_the_batch_read_ahead_and_each_note_arrives_once(t):
    client = t.work.add_client("Veel notities (fictief)")
    t.work.sync_once()
    n = 2 * PUSH_BATCH + 50
    for i in range(n):
        t.work.record_contact(client, contact_type="TELEFONISCH", outcome="PLAATSGEVONDEN", report=f"notitie {i}")
    answers = []

    def lose_the_second(status, body, _query):
        answers.append(status)
        if len(answers) == 2 and status == 200:  # stored by the server, but the device hears a conflict
            return 409, {"error": "op_conflict", "detail": "an answer lost on the way (test)"}
        return None

    t.server.tamper.rewrite("POST", r"/changes$", lose_the_second)
    t.work.sync_once()
    t.server.tamper.clear()
    assert len(answers) >= 3 and t.work.unsynced_count() == 0
    me = t.work.device.identity.device_id
    chain = _own_chain(t, me)
    assert chain == list(range(1, len(chain) + 1))  # whole, in order, nothing twice
    t.sup.sync_once()
    reports = [n.report for n in t.sup.timeline(client)]
    assert sorted(reports) == sorted(f"notitie {i}" for i in range(n))


def test_an_outbox_of_several_batches_goes_in_order_with_nothing_read_twice(t):
    client = t.work.add_client("Drie partijen (fictief)")
    for i in range(2 * PUSH_BATCH + 1):
        t.work.record_contact(client, contact_type="TELEFONISCH", outcome="PLAATSGEVONDEN", report=f"n{i}")
    sizes = []
    t.server.tamper.rewrite("POST", r"/changes$", lambda s, body, _q: sizes.append(len(body["results"])) or None)
    t.work.sync_once()
    t.server.tamper.clear()
    assert sizes == [PUSH_BATCH, PUSH_BATCH, 2] and t.work.unsynced_count() == 0
    chain = _own_chain(t, t.work.device.identity.device_id)
    assert chain == list(range(1, len(chain) + 1))


def test_records_of_a_refused_push_say_so_until_a_push_passes(t):
    """A refusal the device does not mend by itself (here ``unknown_ledger_head``): each unsent record shows
    *geweigerd* (its reason is the round's error code in the sync sheet), nothing is lost, and after the
    next push that passes the records are *verzonden*."""
    from field_app.sync.client import ServerError

    client = t.work.add_client("Geweigerd (fictief)")
    t.work.sync_once()
    note = t.work.record_contact(client, contact_type="TELEFONISCH", outcome="PLAATSGEVONDEN", report="wacht")
    t.server.tamper.replace("POST", r"/changes$",
                            lambda _q: (409, {"error": "unknown_ledger_head", "detail": "test"}))
    with pytest.raises(ServerError):
        t.work.sync_once()
    assert [n.sync_state for n in t.work.timeline(client) if n.id == note] == ["geweigerd"]
    assert t.work.record(note).sync_state == "geweigerd"
    status = t.work.sync_status()
    assert status.state == "error" and status.message == "unknown_ledger_head" and status.pending == 1
    t.server.tamper.clear()
    t.work.sync_once()
    assert [n.sync_state for n in t.work.timeline(client) if n.id == note] == ["verzonden"]
    assert t.work.unsynced_count() == 0


def test_long_reports_go_in_batches_that_fit_the_servers_body_limit(t):
    """Each push body stays under the server's 2 MiB: 120 notes with a report of 19,000 characters (about
    3.3 MB of envelopes) leave in several batches, none refused, every note delivered once."""
    from field_app.crypto.facts import MAX_BODY_BYTES

    client = t.work.add_client("Lange verslagen (fictief)")
    for i in range(120):
        t.work.record_contact(client, contact_type="HUISBEZOEK_AANGEKONDIGD", outcome="PLAATSGEVONDEN",
                              report=f"{i} " + "Lang verslag van een huisbezoek, feitelijk en volledig. " * 339)
    sizes = []

    def body_size(status, body, _query):
        sizes.append(status)
        return None

    t.server.tamper.rewrite("POST", r"/changes$", body_size)
    t.work.sync_once()
    t.server.tamper.clear()
    assert t.work.unsynced_count() == 0 and len(sizes) >= 2 and set(sizes) == {200}
    chain = _own_chain(t, t.work.device.identity.device_id)
    assert chain == list(range(1, len(chain) + 1))
    assert MAX_BODY_BYTES == 2 * 1024 * 1024


def test_a_server_from_before_500_per_push_gets_batches_of_200(t, monkeypatch):
    """An older server takes at most 200 envelopes per push (413 too_many_envelopes above): the app falls
    back to 200 for the rest of its life and delivers everything, nothing refused or doubled."""
    import sync_server.routes.changes as changes
    from field_app.sync.delivery import LEGACY_PUSH_BATCH

    monkeypatch.setattr(changes, "MAX_ENVELOPES_PER_PUSH", LEGACY_PUSH_BATCH)
    client = t.work.add_client("Oude server (fictief)")
    for i in range(LEGACY_PUSH_BATCH + 30):
        t.work.record_contact(client, contact_type="TELEFONISCH", outcome="PLAATSGEVONDEN", report=f"n{i}")
    statuses = []
    t.server.tamper.rewrite("POST", r"/changes$", lambda s, _b, _q: statuses.append(s) or None)
    t.work.sync_once()
    t.server.tamper.clear()
    assert statuses == [413, 200, 200] and t.work.unsynced_count() == 0
    assert t.work.sync.engine.push_batch == LEGACY_PUSH_BATCH and t.work.sync_status().state == "online"
    chain = _own_chain(t, t.work.device.identity.device_id)
    assert chain == list(range(1, len(chain) + 1))
