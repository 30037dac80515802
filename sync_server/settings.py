"""Server settings. The clock is injectable so tests can expire codes, challenges and tokens without sleeping."""

from __future__ import annotations

import ipaddress
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from . import protocol


def trusted_proxies(text: str) -> tuple[str, ...]:
    """Addresses or networks (``10.0.0.2``, ``10.0.0.0/24``, ``::1``), separated by commas, as
    ``Settings.trusted_proxies``; ValueError for anything else (a host name, ``*``): trusting every
    peer's X-Forwarded-For would let any client choose the address its failed attempts are counted on."""
    found = []
    for item in (part.strip() for part in text.split(",")):
        if not item:
            continue
        try:
            found.append(str(ipaddress.ip_network(item, strict=False) if "/" in item else ipaddress.ip_address(item)))
        except ValueError:
            raise ValueError(f"not an IP address or network: {item!r}") from None
    return tuple(found)


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
    # failed attempts without a valid credential, per minute (see attempts.py): per source address, and
    # per device from one source address (never per device alone: anyone could lock a device out)
    max_failures_per_source: int = 120
    max_failures_per_device: int = 30
    # addresses or networks (CIDR) of the reverse proxies whose X-Forwarded-For is believed; none: the
    # socket's peer is the client, whatever a request's headers say
    trusted_proxies: tuple[str, ...] = ()

    @property
    def server(self) -> str:
        """The ``server`` value inside login signatures."""
        return self.public_url.rstrip("/")
