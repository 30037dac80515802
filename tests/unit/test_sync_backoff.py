"""Failed sync rounds back off exponentially, with jitter, up to a cap."""

from field_app.sync.backoff import RETRY_BASE_S, RETRY_CAP_S, retry_delay


def test_the_wait_doubles_from_the_base_up_to_the_cap():
    highs = [retry_delay(n, rng=lambda: 1.0) for n in range(1, 12)]
    lows = [retry_delay(n, rng=lambda: 0.0) for n in range(1, 12)]
    assert highs[0] == RETRY_BASE_S and lows[0] == RETRY_BASE_S / 2
    assert all(b == min(2 * a, RETRY_CAP_S) for a, b in zip(highs, highs[1:], strict=False))
    assert highs[-1] == RETRY_CAP_S and lows[-1] == RETRY_CAP_S / 2
    assert retry_delay(10_000, rng=lambda: 1.0) == RETRY_CAP_S


def test_the_wait_is_jittered_within_the_upper_half():
    import random

    rng = random.Random(7)
    waits = [retry_delay(5, rng=rng.random) for _ in range(200)]
    ceiling = RETRY_BASE_S * 2 ** 4
    assert all(ceiling / 2 <= w <= ceiling for w in waits)
    assert len({round(w, 6) for w in waits}) > 150  # devices that failed together come back apart
