"""The pull's fast paths (issue #11) answer exactly as the general ones: base64url through binascii,
canonical JSON checked by parsing and writing again, a slice's view of the store, commits without fsync
that put the durable setting back, and the page read ahead that is used only for its own cursor."""

from __future__ import annotations

import base64
import itertools
import json
import os
import random
import sqlite3

import pytest

from field_app.crypto.canonical import CanonicalError, b64d, b64e, canonical_json, canonical_loads
from field_app.store import LocalStore
from field_app.sync.prefetch import PageFetcher
from field_app.sync.slice_store import SliceStore

ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"


def _reference_b64d(text):
    """The strict decoding as it was written first (stdlib base64, then encoded again to compare)."""
    if not isinstance(text, str) or "=" in text:
        raise ValueError("not unpadded base64url")
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (ValueError, TypeError) as exc:
        raise ValueError("not unpadded base64url") from exc
    if base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii") != text:
        raise ValueError("not canonical base64url")
    return raw


def _answer(fn, text):
    try:
        return fn(text)
    except ValueError:
        return "refused"


def test_b64e_is_unpadded_base64url_and_b64d_its_inverse():
    for n in range(70):
        data = os.urandom(n)
        assert b64e(data) == base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")
        assert b64d(b64e(data)) == data


def test_b64d_refuses_exactly_what_the_reference_refuses():
    for k in range(1, 4):  # every short tail, alone and after a full group: trailing bits, lengths
        for tail in itertools.product(ALPHABET, repeat=k):
            for text in ("".join(tail), "QUJD" + "".join(tail)):
                assert _answer(b64d, text) == _answer(_reference_b64d, text), text
    rnd = random.Random(11)
    odd = ALPHABET[:6] + "Qgw=+/ \n\t\x00é.~"
    for _ in range(50_000):
        text = "".join(rnd.choice(odd) for _ in range(rnd.randint(0, 10)))
        assert _answer(b64d, text) == _answer(_reference_b64d, text), repr(text)
    for value in (None, 5, b"QQ", ["QQ"]):
        with pytest.raises(ValueError):
            b64d(value)


@pytest.mark.parametrize("text", [
    '{"a":1}', '[1,2]', '"x"', '{"a":"é"}', '{"a":"\\n"}', '{"a":[{"b":true,"c":null}]}', '{"b":{"a":-5}}',
    '{"b":1,"a":2}', '{"a":1.0}', '{"a":1e5}', '{"a":NaN}', '{"a":Infinity}', '{"a":1,"a":1}', '{ "a":1}',
    '{"a":"\\u00e9"}', '{"a":-0}', '{"a":"\\ud800"}', '{"a":"\\u007f"}', '{"a":1}\n', '\ufeff{"a":1}',
    '{"a":[1,2,]}', '{"a":' + "9" * 5000 + "}", "[" * 100_000 + "]" * 100_000,
])
def test_canonical_loads_accepts_exactly_the_canonical_json_of_what_it_parses(text):
    raw = text.encode("utf-8", "surrogatepass")
    try:
        reference = canonical_json(json.loads(raw)) == raw
    except (ValueError, RecursionError):  # CanonicalError is a ValueError
        reference = False
    try:
        assert canonical_loads(raw) == json.loads(raw)
        fast = True
    except CanonicalError:
        fast = False
    assert fast == reference


def test_canonical_loads_refuses_bytes_that_are_not_utf8():
    with pytest.raises(CanonicalError):
        canonical_loads(b'{"a":"\xff"}')


@pytest.fixture
def store(tmp_path):
    s = LocalStore(tmp_path)
    s.set_local_key(os.urandom(32))
    yield s
    s.close()


def _synchronous(store):
    return store.db.execute("PRAGMA synchronous").fetchone()[0]


def test_a_transaction_without_fsync_commits_and_puts_the_durable_setting_back(store):
    full = _synchronous(store)
    assert full == 2  # FULL: a saved note waits for the disk
    with store.transaction(durable=False):
        assert _synchronous(store) == 1  # NORMAL for this one
        store.set_state("cursor", "7")
    assert _synchronous(store) == full and store.get_state("cursor") == "7"
    with pytest.raises(RuntimeError), store.transaction(durable=False):
        store.set_state("cursor", "8")
        raise RuntimeError("a chain error")
    assert _synchronous(store) == full and store.get_state("cursor") == "7"  # rolled back, FULL again


def _op(i):
    return {"type": "contact", "record_id": f"r{i}", "kind": "create", "fields": {"report": f"fictief {i}"},
            "hlc": [i, 0, "d"]}


def test_the_slice_view_answers_as_the_store_and_writes_its_buffers(store):
    mine, known, new = b"m" * 16, b"k" * 16, b"n" * 16
    store.outbox_add(mine, envelope=b"own envelope")
    store.add_op(known, _op(1), origin="remote", seq=1)
    store.seen_add(1, b"d" * 16, 1, b"h1" * 16)
    view = SliceStore(store, [])
    view._outbox, view._ops = store.outbox_envelopes([mine, known, new]), store.ops_present([mine, known, new])
    assert view.outbox_envelope(mine) == b"own envelope" and view.outbox_envelope(new) is None
    assert view.has_op(known) and not view.has_op(new)
    plain = canonical_json(_op(2))
    assert view.add_op(new, _op(2), origin="remote", seq=2, plain=plain) is True
    assert view.has_op(new) and not store.has_op(new)  # buffered, answered from the view
    assert view.add_op(new, _op(2), origin="remote", seq=2, plain=plain) is False  # once, as INSERT OR IGNORE
    view.seen_add(2, b"d" * 16, 2, b"h2" * 16)
    assert view.seen_in_chain(b"d" * 16, 2) == b"h2" * 16 and store.seen_in_chain(b"d" * 16, 2) is None
    assert view.seen_in_chain(b"d" * 16, 1) == b"h1" * 16
    assert view.get_state("held") is None
    view.set_state("held", '{"x": "gap"}')
    assert view.get_state("held") == '{"x": "gap"}' == store.get_state("held")
    view.outbox_remove(mine)
    assert view.outbox_envelope(mine) is None and store.outbox_envelope(mine) is None
    assert store.has_op(new)  # any other store call wrote the buffers first
    view.flush()
    assert store.seen_in_chain(b"d" * 16, 2) == b"h2" * 16
    assert store.get_op(new) == _op(2)  # sealed from the plaintext, read back as the operation
    assert [op_id for op_id, *_ in store.iter_ops()] == [known, new]


def test_the_page_read_ahead_is_used_only_for_its_own_cursor():
    reads = []

    def fetch(cursor):
        reads.append(cursor)
        if cursor == 99:
            raise ConnectionError("offline")
        return {"next": cursor + 10}

    fetcher = PageFetcher(fetch)
    fetcher.start(10)
    assert fetcher.take(10) == {"next": 20} and reads == [10]
    fetcher.start(20)
    assert fetcher.take(15) == {"next": 25} and reads == [10, 20, 15]  # another cursor: read anew
    fetcher.start(99)
    with pytest.raises(ConnectionError):
        fetcher.take(99)  # the read's error comes to the reader
    fetcher.start(30)
    fetcher.close()
    assert fetcher.take(30) == {"next": 40} and reads == [10, 20, 15, 99, 30, 30]


class _Device:
    """What DeliveryMarks needs of a device: its store and the projection's sent marks."""

    def __init__(self, store):
        self.store, self.sent = store, []

    def delivered(self, op_ids):
        self.sent += op_ids


def test_delivery_marks_are_written_behind_and_an_error_comes_out_at_wait(store):
    from field_app.sync.marks import DeliveryMarks

    for i in range(3):
        op_id = bytes([i]) * 16
        store.add_op(op_id, _op(i), origin="local")
        store.outbox_add(op_id, envelope=b"env %d" % i)
    assert [p for p, *_ in store.outbox_ready_after(0, 10)] == [1, 2, 3]
    assert [op for _, op, _ in store.outbox_ready_after(1, 10)] == [b"\1" * 16, b"\2" * 16]  # after the first
    device = _Device(store)
    marks = DeliveryMarks(device)
    marks.add([(b"\0" * 16, 41), (b"\1" * 16, 42)])
    marks.wait()
    assert [op for op, _ in store.outbox_all()] == [b"\2" * 16] and device.sent == [b"\0" * 16, b"\1" * 16]
    # the server's seqs are kept with the delivered envelopes; the rows get them when pulled back
    assert store.db.execute("SELECT op_id, seq FROM kept ORDER BY seq").fetchall() == [(b"\0" * 16, 41), (b"\1" * 16, 42)]
    assert store.unconfirmed_ids() == set() and store.kept_at_seq(42) == b"env 1"
    store.close()  # writing the next marks fails: the error comes out where the engine waits
    marks.add([(b"\2" * 16, 43)])
    with pytest.raises(Exception):  # noqa: B017 - whatever the closed store raises
        marks.wait()
    marks.wait()  # raised once


def test_the_push_reads_ahead_without_waiting_for_the_marks_being_written(store):
    """``outbox_read_ahead`` reads what ``outbox_ready_after`` reads, through a reading connection of its
    own: while another thread holds the store lock in a write transaction (the marks of the batch before),
    it reads the committed outbox at once; a failing reader falls back to the locked read."""
    import threading

    for i in range(4):
        op_id = bytes([i]) * 16
        store.add_op(op_id, _op(i), origin="local")
        store.outbox_add(op_id, envelope=b"env %d" % i)
    assert store.outbox_read_ahead(1, 2) == store.outbox_ready_after(1, 2)
    assert [op for _, op, _ in store.outbox_read_ahead(1, 10)] == [bytes([i]) * 16 for i in (1, 2, 3)]

    holding, release, read = threading.Event(), threading.Event(), []

    def marks():
        with store.transaction(durable=False):
            store.db.conn.execute("DELETE FROM outbox WHERE op_id = ?", [b"\0" * 16])
            holding.set()
            release.wait(10)

    writer = threading.Thread(target=marks)
    writer.start()
    holding.wait(10)
    reader = threading.Thread(target=lambda: read.append(store.outbox_read_ahead(1, 10)))
    reader.start()
    reader.join(5)
    assert not reader.is_alive(), "the read-ahead waited for the store lock"
    release.set()
    writer.join(10)
    assert [p for p, *_ in read[0]] == [2, 3, 4]  # the committed state, after position 1

    store._reader.close()  # a reader that fails: the locked read answers
    assert [p for p, *_ in store.outbox_read_ahead(0, 10)] == [2, 3, 4]
    store._reader = None
    store.outbox_read_ahead(0, 1)
    reader_conn = store._reader
    store.close()
    with pytest.raises(sqlite3.ProgrammingError):
        reader_conn.execute("SELECT 1")
