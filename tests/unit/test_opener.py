"""The pull's worker process (``sync/opener.py``): its pipe format, that it gives exactly what
``open_envelope_plain`` gives (and nothing for what does not open), and the real process behind pipes."""

from __future__ import annotations

import io
import os
import signal

import pytest
from test_crypto_envelope import EPOCH_KEY, TEAM, make

from field_app.crypto.envelope import open_envelope_plain
from field_app.sync import opener

pytestmark = pytest.mark.usefixtures("fresh_pull_worker")


def _envelopes() -> tuple[list[bytes], list[bytes | None]]:
    good = [make(device_seq=i + 1) for i in range(5)]
    damaged = bytearray(good[2])
    damaged[len(damaged) // 2] ^= 1
    other_epoch = make(epoch=2)
    envelopes = [*good, bytes(damaged), other_epoch, b"\x00" * 10]
    expected = [open_envelope_plain(e, team=TEAM, sender_ed25519=b"", epoch_keys={1: EPOCH_KEY},
                                    signature_checked=True)[1] for e in good]
    return envelopes, [*expected, None, None, None]


def test_it_gives_the_checked_plaintext_or_nothing():
    envelopes, expected = _envelopes()
    assert opener.open_many(TEAM, {1: EPOCH_KEY}, envelopes) == expected
    assert opener.open_many(bytes(16), {1: EPOCH_KEY}, envelopes) == [None] * len(envelopes)  # another team


def test_the_pipe_format_goes_there_and_back():
    envelopes, expected = _envelopes()
    keys = {1: EPOCH_KEY, 7: b"\x07" * 32}
    request = opener._request(TEAM, keys, envelopes)
    assert opener._read_request(request[4:]) == (TEAM, keys, envelopes)
    assert opener._read_answer(opener._answer(expected)[4:]) == expected
    stdin, stdout = io.BytesIO(request + opener._request(TEAM, {}, envelopes[:1])), io.BytesIO()
    opener.serve(stdin, stdout)
    out = io.BytesIO(stdout.getvalue())
    assert opener._read_answer(opener._read_frame(out)) == expected
    assert opener._read_answer(opener._read_frame(out)) == [None]  # no key given: nothing opens
    assert opener._read_frame(out) is None


def test_the_worker_process_answers_in_order_and_its_death_is_survived():
    envelopes, expected = _envelopes()
    futures = [opener.submit(TEAM, {1: EPOCH_KEY}, envelopes[i:]) for i in range(3)]
    assert [opener.result(f, wait=True) for f in futures] == [expected[i:] for i in range(3)]
    assert opener.warm()
    os.kill(opener._worker.proc.pid, signal.SIGKILL)
    opener._worker.reader.join(10)
    assert opener.result(opener.submit(TEAM, {1: EPOCH_KEY}, envelopes), wait=True) is None
    assert not opener.available()  # not started again in this process
    opener.shutdown()
    assert opener.available()


def test_it_can_be_switched_off(monkeypatch):
    monkeypatch.setenv("VELDWERK_PULL_WORKER", "0")
    assert opener.submit(TEAM, {1: EPOCH_KEY}, [make()]) is None


def test_not_ready_is_not_waited_for_before_the_worker_has_answered():
    from concurrent.futures import Future

    pending: Future = Future()
    assert opener.result(pending, wait=False) is None
    assert opener.result(None, wait=True) is None


def test_a_worker_that_cannot_start_answers_nothing_and_is_not_tried_again(monkeypatch):
    """A worker that ends at once (it cannot import the app, say): the puller gets no answer, opens the
    envelopes itself, and this process does not start another worker."""
    envelopes, _expected = _envelopes()
    monkeypatch.setattr(opener, "_ARGS", ["-c", "raise SystemExit(3)"])
    future = opener.submit(TEAM, {1: EPOCH_KEY}, envelopes)
    assert opener.result(future, wait=True) is None
    assert not opener.available()
    assert opener.submit(TEAM, {1: EPOCH_KEY}, envelopes) is None
