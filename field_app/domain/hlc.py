"""Hybrid logical clock (ms, counter, device): orders operations across devices for last-writer-wins merges.

A remote clock more than ``MAX_SKEW_MS`` ahead of the time we received it may not win a merge: a device
with a wrong clock must not be able to pin a field forever.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

MAX_SKEW_MS = 24 * 3600 * 1000


def now_ms() -> int:
    return time.time_ns() // 1_000_000


@dataclass(frozen=True, order=True, slots=True)  # one per operation in memory: no __dict__ each
class Stamp:
    ms: int
    counter: int
    device: str

    def to_wire(self) -> list:
        return [self.ms, self.counter, self.device]

    @classmethod
    def from_wire(cls, value) -> Stamp:
        if (not isinstance(value, list) or len(value) != 3 or type(value[0]) is not int
                or type(value[1]) is not int or not isinstance(value[2], str)):
            raise ValueError("bad hlc")
        return cls(value[0], value[1], value[2])


class HybridClock:
    """Thread-safe HLC for one device."""

    def __init__(self, device: str, clock: Callable[[], int] = now_ms):
        self._device = device
        self._clock = clock
        self._last = Stamp(0, 0, device)
        self._lock = threading.Lock()

    def now(self) -> Stamp:
        with self._lock:
            wall = self._clock()
            if wall > self._last.ms:
                self._last = Stamp(wall, 0, self._device)
            else:
                self._last = Stamp(self._last.ms, self._last.counter + 1, self._device)
            return self._last

    def observe(self, remote: Stamp) -> None:
        """Move past a remote stamp so our next stamp orders after it (bounded by MAX_SKEW_MS)."""
        with self._lock:
            if remote.ms > self._clock() + MAX_SKEW_MS:
                return
            if (remote.ms, remote.counter) > (self._last.ms, self._last.counter):
                self._last = Stamp(remote.ms, remote.counter, self._device)


def may_win(stamp: Stamp, received_at_ms: int) -> bool:
    """Whether a stamp is allowed to win a last-writer-wins merge given when we received it."""
    return stamp.ms <= received_at_ms + MAX_SKEW_MS
