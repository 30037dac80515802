"""How long the background sync waits after a failed round: exponential backoff with jitter.

A server that is down (or answering errors) is tried again after about 0.5 s, 1 s, 2 s, ... up to
``RETRY_CAP_S``, each wait drawn at random from its upper half, so the devices of a team that lost the
server together do not come back in step. A write or "Nu synchroniseren" still wakes the sync at once.
"""

from __future__ import annotations

import random
from collections.abc import Callable

__all__ = ["retry_delay", "RETRY_BASE_S", "RETRY_CAP_S"]

RETRY_BASE_S = 0.5
RETRY_CAP_S = 30.0


def retry_delay(failures: int, rng: Callable[[], float] = random.random) -> float:
    """The wait after ``failures`` failed rounds in a row (1 = the first): a random point in the upper
    half of ``min(cap, base * 2 ** (failures - 1))``."""
    ceiling = min(RETRY_CAP_S, RETRY_BASE_S * 2 ** min(max(failures, 1) - 1, 16))
    return ceiling / 2 + rng() * ceiling / 2
