"""Operational states in code are English; the Dutch (and English) words live in the translations."""

from __future__ import annotations

from enum import StrEnum

__all__ = ["SyncState"]


class SyncState(StrEnum):
    """What a device's sync is doing (``SyncStatus.state``)."""

    LOCKED = "locked"  # no keys in memory
    OFFLINE = "offline"  # the server is not reachable; work waits in the outbox
    ONLINE = "online"  # the last round reached the server
    BUSY = "busy"  # a round is running (shown while it takes long)
    AWAITING_CONFIRMATION = "awaiting_confirmation"  # enrolled, not yet confirmed by a coordinator
    AWAITING_TEAM_KEY = "awaiting_team_key"  # a device was removed; new work waits for the renewed key
    ERROR = "error"  # a server error, or a security stop (``message`` is the code)
    REVOKED = "revoked"  # a coordinator removed this device from the team
    KEYS_DESTROYED = "keys_destroyed"  # too many wrong attempts; delivery only
    ERASED = "erased"  # wiped on a verified wipe entry
