"""Failed attempts without a valid credential (login, enrolment code, signed push, public ledger, a token
of a known device that is refused): counted in the database per source address and per device *at* that
address, one row per key and minute, never a row per attempt. Over a limit the server answers 429
``too_many_attempts`` with ``Retry-After`` before it does any work. The first failure of each kind (team,
device, action, result) in a minute is also written to the access log, so a coordinator sees it; the rest
are counted.

Never per device alone: device ids are no secret (they travel between devices and the server), so a count
per device would let anyone who knows one lock that device out of its own login with a flood of bad
signatures from anywhere. A flood locks the address it comes from; the device, logging in from its own
address, is not held back. What a device proves is possession of its Ed25519 key, which no number of
guesses can find: the counts throttle floods and the guessing of ids and codes, per address.

The source address is the socket's peer, unless the operator named the reverse proxy in front of the
server (``sync-server serve --trusted-proxy``, ``Settings.trusted_proxies``): only a request from that
proxy has its ``X-Forwarded-For`` believed (``app.create_app``).

So 10,000 failed logins grow the database by a few rows, and several server processes on one database
share the counts (nothing is kept in a process's memory)."""

from __future__ import annotations

from fastapi import Request

from .protocol import ApiError, ErrorCode
from .settings import Settings
from .store.base import Store

__all__ = ["source_of", "gate", "failed"]

MINUTE_MS = 60_000


def source_of(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _keys(source: str, team: str | None, device: str | None) -> list[str]:
    keys = [f"src:{source}"]
    if team and device:
        keys.append(_device_key(source, team, device))
    return keys


def _device_key(source: str, team: str, device: str) -> str:
    return f"dev:{team}:{device}@{source}"


def gate(store: Store, settings: Settings, source: str, team: str | None = None, device: str | None = None) -> None:
    """Refuse (429) when this source, or this device from this source, failed too often in the current minute."""
    now = settings.clock()
    minute = now // MINUTE_MS
    counts = store.failure_counts(_keys(source, team, device), minute)
    over = counts.get(f"src:{source}", 0) >= settings.max_failures_per_source or (
        team and device and counts.get(_device_key(source, team, device), 0) >= settings.max_failures_per_device)
    if over:
        wait = max(1, ((minute + 1) * MINUTE_MS - now + 999) // 1000)
        raise ApiError(ErrorCode.TOO_MANY_ATTEMPTS, headers={"Retry-After": str(wait)})


def failed(store: Store, settings: Settings, source: str, team: str | None, device: str | None,
           action: str, result: str, role: str | None = None) -> None:
    """Count one failed attempt; the first of its kind this minute also goes to the access log."""
    now = settings.clock()
    keys = _keys(source, team, device)
    kind = f"log:{team}:{device}:{action}:{result}" if team and device else None
    counts = store.add_failures(keys + ([kind] if kind else []), now // MINUTE_MS)
    if kind and counts.get(kind) == 1:
        store.log_access(now, team, device, action, result, role)
