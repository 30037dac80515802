"""The phone's secure storage for the unlock secret (phone mode).

On Android and iOS the local key is wrapped under the PIN *and* 32 random bytes kept in the platform's
hardware-backed secure storage (Android Keystore, iOS Keychain, "this device only"), reached through
flet-secure-storage. A copied data directory or a backup therefore opens nothing without that secret,
and ten wrong PINs destroy the wrapped key. On web and desktop there is no hardware-backed secret: the
device uses a passphrase of at least 10 characters (``Services.unlock_mode()`` says which).

``VELDWERK_PHONE_MODE=1`` makes a browser session enrol in phone mode too. It exists to exercise this
code path in a real browser (the tests, a demonstration); the browser's secure storage is NOT
hardware-backed, so it is never a production setting.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import logging
import os
from typing import Any, Protocol

import flet as ft

log = logging.getLogger("veldwerk.keystore")

PHONE_MODE_ENV = "VELDWERK_PHONE_MODE"
SLOT = "veldwerk.unlock.v1"  # the item's name in secure storage (says nothing about the user or team)
SECRET_LEN = 32
TIMEOUT = 15.0  # seconds; the Keychain may be slow right after boot


class KeystoreError(RuntimeError):
    """The secure storage did not answer or refused. ``str()`` is a Dutch sentence."""

    def __init__(self, message: str = "De beveiligde opslag van dit toestel reageert niet. Probeer het "
                                      "opnieuw; blijft dit zo, start de app dan opnieuw.") -> None:
        super().__init__(message)


class Keystore(Protocol):
    async def read(self) -> bytes | None: ...
    async def create(self) -> bytes: ...
    async def delete(self) -> None: ...


def is_phone(page: Any) -> bool:
    """True on Android and iOS, or when ``VELDWERK_PHONE_MODE=1`` asks a browser to act as one."""
    if os.environ.get(PHONE_MODE_ENV) == "1":
        return True
    return getattr(page, "platform", None) in (ft.PagePlatform.ANDROID, ft.PagePlatform.IOS)


def _decode(value: Any) -> bytes | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        raw = base64.b64decode(value.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError, ValueError):
        return None
    return raw if len(raw) == SECRET_LEN else None


class FletKeystore:
    """flet-secure-storage, created within a page context so it registers with that page."""

    def __init__(self) -> None:
        from flet_secure_storage import (  # optional on a server or in the compat environment
            AndroidOptions,
            IOSOptions,
            KeychainAccessibility,
            SecureStorage,
        )

        self._storage = SecureStorage(
            # a storage error must not silently erase the secret (reset_on_error defaults to True)
            android_options=AndroidOptions(reset_on_error=False),
            # readable only while the phone is unlocked, never in a backup restored on another phone
            ios_options=IOSOptions(accessibility=KeychainAccessibility.UNLOCKED_THIS_DEVICE, synchronizable=False),
        )

    async def _call(self, coro) -> Any:
        try:
            return await asyncio.wait_for(coro, TIMEOUT)
        except TimeoutError:
            log.warning("secure storage did not answer")
            raise KeystoreError() from None
        except Exception as exc:
            log.warning("secure storage failed: %s", type(exc).__name__)
            raise KeystoreError() from None

    async def read(self) -> bytes | None:
        """The stored secret, or None when there is none (or it is damaged)."""
        return _decode(await self._call(self._storage.get(SLOT)))

    async def create(self) -> bytes:
        """Store a fresh random secret (replacing any old one) and read it back before it is used."""
        secret = os.urandom(SECRET_LEN)
        await self._call(self._storage.set(SLOT, base64.b64encode(secret).decode("ascii")))
        if await self.read() != secret:
            raise KeystoreError("De beveiligde opslag van dit toestel bewaarde het geheim niet. Aanmelden "
                                "in pincodemodus kan op dit toestel niet.")
        return secret

    async def delete(self) -> None:
        await self._call(self._storage.remove(SLOT))
