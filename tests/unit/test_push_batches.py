"""Push batches fit the server's body limit whatever their count (``sync/delivery.py``)."""

from field_app.crypto.facts import MAX_BODY_BYTES, MAX_ENVELOPE_BYTES
from field_app.sync.delivery import BODY_BUDGET, chunks, fitting


def _b64_len(n: int) -> int:
    return (n * 4 + 2) // 3


def test_small_envelopes_are_not_cut():
    rows = [bytes(2500)] * 200
    assert fitting(rows, lambda r: r) == rows


def test_a_batch_is_cut_where_the_next_envelope_would_pass_the_budget():
    rows = [bytes(30_000)] * 200
    kept = fitting(rows, lambda r: r)
    size = sum(_b64_len(len(r)) + 3 for r in kept)
    assert 0 < len(kept) < 200 and size <= BODY_BUDGET < size + _b64_len(30_000) + 3
    assert BODY_BUDGET < MAX_BODY_BYTES


def test_the_largest_envelope_always_goes_alone():
    big = bytes(MAX_ENVELOPE_BYTES)
    assert fitting([big], lambda r: r) == [big]
    assert 1 <= len(fitting([big] * 10, lambda r: r)) < 10
    assert _b64_len(MAX_ENVELOPE_BYTES) + 3 < BODY_BUDGET


def test_chunks_keep_order_cover_everything_and_respect_count_and_budget():
    items = [(i, bytes(1000 + (i * 7919) % 60_000)) for i in range(700)]
    parts = list(chunks(items, 200, lambda item: item[1]))
    assert [x for part in parts for x in part] == items
    for part in parts:
        assert 1 <= len(part) <= 200
        assert sum(_b64_len(len(env)) + 3 for _i, env in part) <= BODY_BUDGET
