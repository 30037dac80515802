"""The errors of a device's services; ``str()`` of each is a Dutch sentence for the user."""

from __future__ import annotations

import math
import time

__all__ = ["LockedError", "PlatformSecretMissing", "TooManyAttempts", "KeysDestroyed", "NotAllowed", "MINUTE_MS"]

MINUTE_MS = 60_000


class LockedError(RuntimeError):
    """The device is locked: unlock first."""


class PlatformSecretMissing(RuntimeError):
    """A phone-mode vault was opened without its keystore secret (the secure storage lost it, or the data
    directory was copied to another phone). Not a wrong attempt. ``str()`` is Dutch."""

    def __init__(self, unsynced: int = 0) -> None:
        self.unsynced = unsynced
        tail = (f" {unsynced} vastgelegde wijziging(en) kunnen nog worden afgeleverd." if unsynced else "")
        super().__init__("De sleutel in de beveiligde opslag van deze telefoon ontbreekt, dus de pincode alleen "
                         "opent niets." + tail + " Laat de telefoon opnieuw inschrijven door je coördinator.")


class TooManyAttempts(RuntimeError):
    """Too many wrong attempts: nothing is tried until ``wait_until_ms`` (UTC ms). ``str()`` is Dutch."""

    def __init__(self, wait_until_ms: int, now_ms: int | None = None) -> None:
        self.wait_until_ms = wait_until_ms
        now_ms = time.time_ns() // 1_000_000 if now_ms is None else now_ms
        minutes = max(1, math.ceil((wait_until_ms - now_ms) / MINUTE_MS))
        unit = "minuut" if minutes == 1 else "minuten"
        super().__init__(f"Te veel onjuiste pogingen. Probeer het over {minutes} {unit} opnieuw.")


class KeysDestroyed(RuntimeError):
    """The key material of this device was destroyed after ten wrong attempts. ``str()`` is Dutch."""

    def __init__(self, unsynced: int = 0) -> None:
        self.unsynced = unsynced
        tail = (f" {unsynced} vastgelegde wijziging(en) worden nog afgeleverd bij de server." if unsynced
                else "")
        super().__init__("Na tien onjuiste pogingen zijn de sleutels van dit toestel vernietigd." + tail
                         + " Laat dit toestel opnieuw inschrijven door je coördinator.")


class NotAllowed(RuntimeError):
    """This device (its role, its beheer right, its state) may not do this. ``str()`` is Dutch."""
