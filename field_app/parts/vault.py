"""The vault and its lockout: the local key wrapped under a passphrase (or a PIN plus the phone's keystore
secret), counted wrong attempts with waits, destruction of the key material after the tenth, the PIN or
passphrase change, and what the unlock screen may say before anyone types (see docs/security.md).

Every wrong attempt is counted in a clear counter *before* Scrypt runs, so pulling the plug does not
help. From the 5th wrong attempt the device waits 1, 5, 15, then 60 minutes before it even tries Scrypt
again; the 10th destroys the key material. The outbox survives: its envelopes are sealed to the team and
signed, and are delivered by signature without a login.

The counter is a clear row of the device's database, read before any key exists: whoever can write the
data directory (root, a restored app backup, a desktop user's files) can reset it or restore an earlier
copy. A MAC would not stop the restore; only a monotonic counter outside the file would, and neither a
hardware-enforced limit nor an offline-capable server count is available (docs/security.md, section 1).
"""

from __future__ import annotations

import json
import logging
import os
import threading
from collections.abc import Callable
from typing import Any

from ..core.device import Device
from ..core.errors import MINUTE_MS, KeysDestroyed, LockedError, PlatformSecretMissing, TooManyAttempts
from ..core.lease import LEASE_DAYS, LEASE_WARNING_DAY
from ..crypto.vault import (
    MIN_PASSPHRASE,
    MIN_PIN,
    PlatformSecretNeeded,
    ScryptParams,
    VaultError,
    WrongPassphrase,
    check_passphrase,
    check_pin,
    create_vault,
    needs_platform_secret,
    open_vault,
)
from ..domain.errors import StorageError
from .export import clear_exports

__all__ = ["Vault", "MAX_ATTEMPTS", "FIRST_WAIT_AT", "WAIT_MINUTES"]

log = logging.getLogger("veldwerk.vault")

MAX_ATTEMPTS = 10  # the 10th wrong attempt destroys the key material
FIRST_WAIT_AT = 5  # from the 5th wrong attempt on, wait before the next try
WAIT_MINUTES = (1, 5, 15, 60)


def _readable(raw: str | None) -> dict[str, Any] | None:
    """The vault record as an object, or None when there is none or it is not one (damaged, or altered in
    the file)."""
    try:
        record = json.loads(raw) if raw else None
    except (ValueError, RecursionError):
        return None
    return record if isinstance(record, dict) else None


def _record(raw: str) -> dict[str, Any]:
    """The vault record; one that is not a JSON object is the Dutch ``StorageError("damaged")``, as a
    damaged record that parses is (``open_counted``): unlocking used to answer a parser error or an
    English one, which the unlock screen showed as "Deze invoer klopt niet"."""
    record = _readable(raw)
    if record is None:
        log.warning("the vault record is not readable")
        raise StorageError("damaged")
    return record


class Vault:
    def __init__(self, device: Device, *, scrypt: ScryptParams, platform_secret: bytes,
                 deliver: Callable[[], Any], autosync: bool):
        self.device = device
        self.scrypt = scrypt
        self.platform_secret = bytes(platform_secret)
        self.unlock_lock = threading.Lock()  # one unlock, registration or start-over at a time
        self._deliver = deliver
        self._autosync = autosync

    def open_counted(self, passphrase: str, platform_secret: bytes) -> bytes:
        store = self.device.store
        if store.get_meta("keys_destroyed"):
            raise KeysDestroyed(store.outbox_count(work_only=True))
        raw = store.get_meta("vault")
        if raw is None:
            raise LockedError("Dit toestel is nog niet ingeschreven.")
        now = self.device.clock()
        wait_until = self._wait_until(now)
        if now < wait_until:
            raise TooManyAttempts(wait_until, now)  # Scrypt is not even tried
        record = _record(raw)
        if needs_platform_secret(record) and not platform_secret:
            raise PlatformSecretMissing(store.outbox_count(work_only=True))  # not a guess at the PIN: not counted
        # a lockout row that is not a number reads as 0 (it used to fail every unlock, the right passphrase
        # too); whoever can write the file can write a 0 just as well (docs/security.md)
        failures = store.meta_number("unlock_failures") + 1
        store.set_meta("unlock_failures", str(failures))  # counted before Scrypt: a cut-off try still counts
        try:
            try:
                local_key = open_vault(record, passphrase, platform_secret)
            except (WrongPassphrase, PlatformSecretNeeded):
                raise
            except VaultError as exc:  # the record itself is damaged: not a wrong passphrase, not counted
                log.warning("the vault record is damaged: %s", exc)
                raise StorageError("damaged") from None
        except WrongPassphrase:
            word = "pincode" if needs_platform_secret(record) else "wachtwoordzin"
            if failures >= MAX_ATTEMPTS:
                self.destroy_keys()
                raise KeysDestroyed(store.outbox_count(work_only=True)) from None
            if failures >= FIRST_WAIT_AT:
                minutes = WAIT_MINUTES[min(failures - FIRST_WAIT_AT, len(WAIT_MINUTES) - 1)]
                store.set_meta("unlock_wait_until", str(now + minutes * MINUTE_MS))
                unit = "minuut" if minutes == 1 else "minuten"
                raise WrongPassphrase(
                    f"Onjuiste {word}. Wacht {minutes} {unit} voor de volgende poging. Na nog "
                    f"{MAX_ATTEMPTS - failures} onjuiste poging(en) worden de sleutels van dit toestel "
                    "vernietigd.") from None
            raise WrongPassphrase(f"Onjuiste {word}.") from None
        except BaseException:
            store.set_meta("unlock_failures", str(failures - 1))  # not a wrong passphrase: not counted
            raise
        store.set_meta("unlock_failures", "0")
        store.set_meta("unlock_wait_until", "0")
        return local_key

    def _wait_until(self, now: int) -> int:
        """Until when no attempt is tried (UTC ms, 0 for none). Never more than the longest wait from now:
        a moment further off was not set by this clock as it is (the device's clock was set back after the
        wait began, or the row was written into the file) and used to lock the device for years; it is
        shortened to the longest wait, and stored so, so it runs out."""
        store = self.device.store
        wait_until = store.meta_number("unlock_wait_until")
        longest = now + WAIT_MINUTES[-1] * MINUTE_MS
        if wait_until > longest:
            store.set_meta("unlock_wait_until", str(longest))
            return longest
        return wait_until

    def destroy_keys(self) -> None:
        store = self.device.store
        store.set_meta("keys_destroyed", str(self.device.clock()))
        store.destroy_keys()
        clear_exports(self.device.data_dir)  # exported PDFs are in the clear: none outlives the keys
        log.warning("too many wrong attempts: key material destroyed")
        if self._autosync and store.outbox_count():
            threading.Thread(target=self._deliver_quietly, name="veldwerk-deliver", daemon=True).start()

    def _deliver_quietly(self) -> None:
        try:
            self._deliver()
        except Exception as exc:  # best effort; `field-app deliver` can do it later
            log.warning("delivery-only sync failed: %s", type(exc).__name__)

    def unlock_info(self) -> dict[str, Any]:
        """What the unlock screen can say before anyone types: ``failed_attempts``, ``attempts_left``
        (before the keys are destroyed), ``wait_until`` (UTC ms or None), ``unsynced`` (outbox items not
        yet at the server) and ``destroyed`` (the keys are gone; only delivery remains)."""
        if self.device.erased:
            return {"failed_attempts": 0, "attempts_left": 0, "wait_until": None, "unsynced": 0,
                    "destroyed": True, "erased": True}
        store = self.device.store
        failures = store.meta_number("unlock_failures")
        wait_until = self._wait_until(self.device.clock())
        return {"failed_attempts": failures, "attempts_left": max(0, MAX_ATTEMPTS - failures),
                "wait_until": wait_until if wait_until > self.device.clock() else None,
                "unsynced": store.outbox_count(work_only=True), "destroyed": bool(store.get_meta("keys_destroyed")),
                "erased": False}

    def security_info(self) -> dict[str, Any]:
        """How this device protects its data: ``mode`` ("wachtwoordzin" on desktop and web, "pincode+
        beveiligde opslag" with a platform keystore secret), the Scrypt cost of the vault, the lockout and
        the offline lease."""
        raw = self.device.store.get_meta("vault") if not self.device.erased else None
        record = _readable(raw) or {}
        n, r, p = record.get("n"), record.get("r"), record.get("p")
        scrypt = ({"n": n, "r": r, "p": p, "memory_mib": 128 * n * r * p // 2**20}
                  if all(type(v) is int for v in (n, r, p)) else None)
        phone = needs_platform_secret(record) if record else bool(self.platform_secret)
        return {
            "mode": "pincode+beveiligde opslag" if phone else "wachtwoordzin",
            "platform_secret": phone,
            "secret_kind": "pin" if phone else "passphrase",
            "scrypt": scrypt,
            "min_secret_length": MIN_PIN if phone else MIN_PASSPHRASE,
            "max_attempts": MAX_ATTEMPTS,
            "waits_from_attempt": FIRST_WAIT_AT,
            "wait_minutes": list(WAIT_MINUTES),
            "lease_days": LEASE_DAYS,
            "lease_warning_day": LEASE_WARNING_DAY,
            **self.unlock_info(),
        }

    def unlock_mode(self) -> str | None:
        """``"pin"`` when the vault needs the phone's keystore secret plus a PIN, ``"passphrase"`` when a
        passphrase alone opens it, None when there is no vault (not enrolled, or the keys are gone)."""
        raw = self.device.store.get_meta("vault") if not self.device.erased else None
        if raw is None:
            return None
        return "pin" if needs_platform_secret(_readable(raw)) else "passphrase"  # damaged: unlock says so

    def change_passphrase(self, old: str, new: str, platform_secret: bytes | None = None) -> None:
        """Wrap the local key under a new passphrase (or PIN, in phone mode, with the same keystore
        secret); the old one opens nothing afterwards."""
        self.device.require_unlocked()
        store = self.device.store
        record = json.loads(store.get_meta("vault"))
        secret = self.platform_secret if platform_secret is None else bytes(platform_secret)
        if needs_platform_secret(record):
            if not secret:
                raise PlatformSecretMissing()
            check_pin(new, secret)
        else:
            secret = b""
            check_passphrase(new)
        with self.unlock_lock:
            try:
                local_key = open_vault(record, old, secret)
            except PlatformSecretNeeded:
                raise PlatformSecretMissing() from None
            if not store.holds_key(local_key):
                raise WrongPassphrase()
            feed = [local_key]

            def rng(n: int) -> bytes:  # the existing local key first, then fresh salt and nonce
                return feed.pop() if feed and n == len(local_key) else os.urandom(n)

            record, same = create_vault(new, self.scrypt, secret, _rng=rng)
            assert same == local_key
            store.set_meta("vault", json.dumps(record))  # replaces (and, secure_delete on, zeroes) the old
            store.checkpoint()
