"""Server settings. The clock is injectable so tests can expire codes, challenges and tokens without sleeping."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from . import protocol


def now_ms() -> int:
    """Wall-clock UTC milliseconds."""
    return time.time_ns() // 1_000_000


@dataclass(frozen=True)
class Settings:
    """What the app needs besides its store.

    ``public_url`` is the base URL clients use; login signatures carry it (compared without trailing
    slash), so a signature made for one server cannot be replayed against another.
    """

    public_url: str
    clock: Callable[[], int] = field(default=now_ms)
    challenge_ttl_ms: int = protocol.CHALLENGE_TTL_MS
    token_ttl_ms: int = protocol.TOKEN_TTL_MS
    max_body_bytes: int = protocol.MAX_BODY_BYTES
    # failed attempts without a valid credential, per minute (see attempts.py)
    max_failures_per_source: int = 120
    max_failures_per_device: int = 30

    @property
    def server(self) -> str:
        """The ``server`` value inside login signatures."""
        return self.public_url.rstrip("/")
