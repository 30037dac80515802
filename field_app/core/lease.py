"""The offline lease: 14 days without a successful sync drop the team keys from a device (warning from
day 10) until a sync collects the grants again; new work waits in the outbox meanwhile. Clear state
only: when the lease started, whether it expired."""

from __future__ import annotations

import math

from ..store import LocalStore

__all__ = ["DAY_MS", "LEASE_DAYS", "LEASE_WARNING_DAY", "info", "expired", "renew", "restored"]

DAY_MS = 24 * 3600_000
LEASE_DAYS = 14
LEASE_WARNING_DAY = 10


def _age(store: LocalStore, now: int) -> int:
    """Since the lease was renewed; a row altered into something that is not a moment counts as long ago
    (the safe side for a lease), instead of breaking the sync sheet. So does a moment more than a day
    ahead of the clock (the clock was set back after a sync, or the row was written into the file): it
    used to keep the lease from ever running out, and from being renewed, for as long as it lay ahead."""
    if not store.get_state("lease_from"):
        return 0
    start = store.state_number("lease_from")
    if start > now + DAY_MS:
        return now
    return max(0, now - start)


def info(store: LocalStore, now: int) -> dict:
    """``lease_expired``, and from day 10 ``lease_days_left``."""
    age = _age(store, now)
    out: dict = {"lease_expired": bool(store.get_state("lease_expired"))}
    if age >= LEASE_WARNING_DAY * DAY_MS:
        out["lease_days_left"] = max(0, math.ceil((LEASE_DAYS * DAY_MS - age) / DAY_MS))
    return out


def expired(store: LocalStore, now: int) -> bool:
    return _age(store, now) >= LEASE_DAYS * DAY_MS


def renew(store: LocalStore, now: int) -> None:
    """A successful round renews the lease (written at most once a minute)."""
    if abs(now - store.state_number("lease_from")) > 60_000:  # also when it lies ahead (see _age)
        store.set_state("lease_from", str(now))


def restored(store: LocalStore) -> None:
    if store.get_state("lease_expired"):
        store.set_state("lease_expired", "")
