"""Local key protection: a random 32-byte local key, wrapped under a key derived from the user's secret.

::

    KEK       = HKDF-SHA256(ikm = Scrypt(passphrase, salt, n, r, p, 32) || platform_secret,
                            salt = none, info = "veldwerk/vault/v1\\0", L = 32)
    wrapped   = AES-256-GCM(KEK, nonce, local_key, aad = pinned("vault", {n, r, p, salt[, platform: true]}))

``platform_secret`` is a hardware-backed secret where the platform has one (Android Keystore, iOS
Keychain, through flet-secure-storage); on web and desktop it is empty and the secret must then be a
passphrase of at least :data:`MIN_PASSPHRASE` characters. With a platform secret a PIN of :data:`MIN_PIN`
or more digits is allowed, because an attacker must also steal the keystore secret. A record made with a
platform secret says so (``"platform": true``, bound into the AAD), so the app knows which mode to
unlock in and a record without its keystore secret raises :class:`PlatformSecretNeeded`, not a wrong
PIN. The passphrase is NFC-normalised
before hashing so the same text typed on another keyboard opens the vault.

Every row the local store writes is sealed with :func:`seal_local` under the local key.
"""

from __future__ import annotations

import os
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from .canonical import b64d, b64e, pinned

__all__ = [
    "ScryptParams",
    "DEFAULT_SCRYPT",
    "MIN_PASSPHRASE",
    "MIN_PIN",
    "PlatformSecretNeeded",
    "VaultError",
    "WeakPassphrase",
    "WrongPassphrase",
    "check_passphrase",
    "check_pin",
    "secret_problem",
    "create_vault",
    "needs_platform_secret",
    "open_vault",
    "seal_local",
    "seal_local_many",
    "open_local",
]

MIN_PASSPHRASE = 10
MIN_PIN = 6
MIN_PLATFORM_SECRET = 16
LOCAL_KEY_LEN = 32
SALT_LEN = 16
NONCE_LEN = 12
TAG_LEN = 16
VAULT_INFO = b"veldwerk/vault/v1\0"
# Bounds on a stored record's cost parameters, so a corrupted record cannot make unlock hang or exhaust
# memory (2**20 * 8 * 128 bytes = 1 GiB is the ceiling).
_N_RANGE = (2**10, 2**20)
_R_MAX = 32
_P_MAX = 16
_MEM_MAX = 2**30


@dataclass(frozen=True)
class ScryptParams:
    """Scrypt cost: ``n`` (CPU/memory, a power of two), ``r`` (block size), ``p`` (parallelism)."""

    n: int = 2**17
    r: int = 8
    p: int = 1


DEFAULT_SCRYPT = ScryptParams()


class VaultError(Exception):
    """The vault record or a locally sealed blob is malformed or does not open."""


class WeakPassphrase(VaultError):
    """The chosen secret is too short."""

    def __init__(self, message: str = "Kies een wachtwoordzin van minstens 10 tekens.") -> None:
        super().__init__(message)


class PlatformSecretNeeded(VaultError):
    """The vault was made with a platform (keystore) secret and none was given."""


class WrongPassphrase(VaultError):
    """The secret (or the platform secret) does not open the vault."""

    def __init__(self, message: str = "Onjuiste wachtwoordzin.") -> None:
        super().__init__(message)


def secret_problem(secret: Any, pin: bool) -> str | None:
    """What is wrong with a chosen secret, or None: ``"pass_short"`` (a passphrase needs
    :data:`MIN_PASSPHRASE` characters), ``"pin_short"`` (a PIN needs :data:`MIN_PIN` digits) or
    ``"pin_digits"`` (a PIN shorter than a passphrase must be digits only). In PIN mode a passphrase of
    :data:`MIN_PASSPHRASE` characters is fine too. The screens use this to word their own errors."""
    if isinstance(secret, str) and len(secret) >= MIN_PASSPHRASE:
        return None
    if not pin:
        return "pass_short"
    if not isinstance(secret, str) or len(secret) < MIN_PIN:
        return "pin_short"
    if not (secret.isascii() and secret.isdigit()):
        return "pin_digits"
    return None


def _storable(secret: Any) -> bool:
    """Text that can be turned into bytes (no lone surrogates from a broken input method or pipe)."""
    try:
        secret.encode("utf-8")
    except (UnicodeError, AttributeError):
        return False
    return True


UNSTORABLE = "Deze wachtwoordzin of pincode bevat tekens die niet bruikbaar zijn. Kies een andere."


def check_passphrase(p: str) -> None:
    """Raise :class:`WeakPassphrase` if ``p`` has fewer than 10 characters (nothing is stripped) or holds
    characters that cannot be used."""
    if secret_problem(p, pin=False):
        raise WeakPassphrase()
    if not _storable(p):
        raise WeakPassphrase(UNSTORABLE)


def check_pin(secret: str, platform_secret: bytes) -> None:
    """Raise :class:`WeakPassphrase` unless ``secret`` is a PIN of at least :data:`MIN_PIN` digits (or a
    passphrase of at least :data:`MIN_PASSPHRASE` characters, which is never weaker);
    :class:`VaultError` if the platform secret is shorter than 16 bytes."""
    if len(platform_secret) < MIN_PLATFORM_SECRET:
        raise VaultError("platform secret too short")
    problem = secret_problem(secret, pin=True)
    if problem is None and not _storable(secret):
        raise WeakPassphrase(UNSTORABLE)
    if problem == "pin_short":
        raise WeakPassphrase(f"Kies een pincode van minstens {MIN_PIN} cijfers.")
    if problem == "pin_digits":
        raise WeakPassphrase("Een pincode bestaat alleen uit cijfers.")


def _check_secret(secret: str, platform_secret: bytes) -> None:
    if platform_secret:
        check_pin(secret, platform_secret)
    else:
        check_passphrase(secret)


def _check_params(n: Any, r: Any, p: Any) -> None:
    for value in (n, r, p):
        if type(value) is not int or value < 1:
            raise VaultError("bad scrypt parameters")
    if (
        not _N_RANGE[0] <= n <= _N_RANGE[1]
        or n & (n - 1)
        or r > _R_MAX
        or p > _P_MAX
        or 128 * n * r * p > _MEM_MAX
    ):
        raise VaultError("scrypt parameters out of range")


def _kek(secret: str, salt: bytes, n: int, r: int, p: int, platform_secret: bytes) -> bytes:
    stretched = Scrypt(salt=salt, length=32, n=n, r=r, p=p).derive(
        unicodedata.normalize("NFC", secret).encode("utf-8")
    )
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=VAULT_INFO).derive(
        stretched + bytes(platform_secret)
    )


def _aad(n: int, r: int, p: int, salt: bytes, platform: bool = False) -> bytes:
    fields: dict[str, Any] = {"n": n, "r": r, "p": p, "salt": salt}
    if platform:  # a record's mode is bound too: dropping the flag makes it unopenable, not weaker
        fields["platform"] = True
    return pinned("vault", fields)


def needs_platform_secret(record: Any) -> bool:
    """True if the vault record was made with a platform (keystore) secret (phone mode)."""
    return isinstance(record, dict) and record.get("platform") is True


def create_vault(
    passphrase: str,
    params: ScryptParams = DEFAULT_SCRYPT,
    platform_secret: bytes = b"",
    *,
    _rng: Callable[[int], bytes] | None = None,
) -> tuple[dict[str, Any], bytes]:
    """Make a new local key and wrap it; return ``(record, local_key)``.

    The record is JSON ready: ``{v, kdf: "scrypt", n, r, p, salt, nonce, wrapped}``. Without a platform
    secret the passphrase must pass :func:`check_passphrase`; with one (>= 16 bytes), a PIN of at least
    :data:`MIN_PIN` characters is enough. ``_rng`` (tests only) supplies local key (32), salt (16) and
    nonce (12), in that order.
    """
    _check_secret(passphrase, platform_secret)
    _check_params(params.n, params.r, params.p)
    rng = _rng or os.urandom
    local_key, salt, nonce = rng(LOCAL_KEY_LEN), rng(SALT_LEN), rng(NONCE_LEN)
    kek = _kek(passphrase, salt, params.n, params.r, params.p, platform_secret)
    platform = bool(platform_secret)
    wrapped = AESGCM(kek).encrypt(nonce, local_key, _aad(params.n, params.r, params.p, salt, platform))
    record: dict[str, Any] = {
        "v": 1,
        "kdf": "scrypt",
        "n": params.n,
        "r": params.r,
        "p": params.p,
        "salt": b64e(salt),
        "nonce": b64e(nonce),
        "wrapped": b64e(wrapped),
    }
    if platform:
        record["platform"] = True
    return record, local_key


def _record_bytes(record: dict[str, Any], name: str, length: int) -> bytes:
    try:
        raw = b64d(record[name])
    except ValueError as exc:
        raise VaultError(f"vault record: bad {name}") from exc
    if len(raw) != length:
        raise VaultError(f"vault record: bad {name} length")
    return raw


def open_vault(record: dict[str, Any], passphrase: str, platform_secret: bytes = b"") -> bytes:
    """Unwrap the local key. :class:`WrongPassphrase` if the secret does not open it, :class:`VaultError`
    if the record is malformed."""
    fields = {"v", "kdf", "n", "r", "p", "salt", "nonce", "wrapped"}
    if (not isinstance(record, dict) or set(record) - {"platform"} != fields or record["v"] != 1
            or record["kdf"] != "scrypt" or record.get("platform", True) is not True):
        raise VaultError("not a v1 scrypt vault record")
    platform = needs_platform_secret(record)
    if platform and not platform_secret:
        raise PlatformSecretNeeded("this vault needs the platform secret")
    n, r, p = record["n"], record["r"], record["p"]
    _check_params(n, r, p)
    salt = _record_bytes(record, "salt", SALT_LEN)
    nonce = _record_bytes(record, "nonce", NONCE_LEN)
    wrapped = _record_bytes(record, "wrapped", LOCAL_KEY_LEN + TAG_LEN)
    if not isinstance(passphrase, str) or not _storable(passphrase):
        raise WrongPassphrase()
    kek = _kek(passphrase, salt, n, r, p, platform_secret if platform else b"")
    try:
        return AESGCM(kek).decrypt(nonce, wrapped, _aad(n, r, p, salt, platform))
    except InvalidTag as exc:
        raise WrongPassphrase() from exc


def _local_aad(purpose: str, bind: bytes) -> bytes:
    if (
        not isinstance(purpose, str)
        or not purpose
        or not purpose.isascii()
        or "/" in purpose
        or "\0" in purpose
    ):
        raise VaultError("bad purpose")
    return b"veldwerk/local/" + purpose.encode("ascii") + b"/v1\0" + bytes(bind)


def seal_local(local_key: bytes, purpose: str, data: bytes, *, bind: bytes = b"") -> bytes:
    """``nonce(12) || AES-256-GCM(local_key, data, aad = "veldwerk/local/<purpose>/v1\\0" || bind)``.

    ``bind`` (optional) ties the blob to where it is stored, e.g. the row's primary key, so a sealed row
    copied into another row does not open there.
    """
    if len(local_key) != LOCAL_KEY_LEN:
        raise VaultError("local key must be 32 bytes")
    nonce = os.urandom(NONCE_LEN)
    return nonce + AESGCM(bytes(local_key)).encrypt(nonce, bytes(data), _local_aad(purpose, bind))


def seal_local_many(local_key: bytes, purpose: str, items: list[bytes]) -> list[bytes]:
    """:func:`seal_local` of each of ``items`` (no ``bind``), with one AES-GCM key setup for all of them;
    each blob has its own random nonce."""
    if len(local_key) != LOCAL_KEY_LEN:
        raise VaultError("local key must be 32 bytes")
    aead, aad = AESGCM(bytes(local_key)), _local_aad(purpose, b"")
    nonces = os.urandom(NONCE_LEN * len(items))
    return [nonces[i * NONCE_LEN:(i + 1) * NONCE_LEN] + aead.encrypt(nonces[i * NONCE_LEN:(i + 1) * NONCE_LEN],
                                                                      bytes(data), aad)
            for i, data in enumerate(items)]


def open_local(local_key: bytes, purpose: str, blob: bytes, *, bind: bytes = b"") -> bytes:
    """Inverse of :func:`seal_local`; :class:`VaultError` if short, tampered or for another purpose."""
    if len(local_key) != LOCAL_KEY_LEN:
        raise VaultError("local key must be 32 bytes")
    aad = _local_aad(purpose, bind)
    if len(blob) < NONCE_LEN + TAG_LEN:
        raise VaultError("sealed blob too short")
    try:
        return AESGCM(bytes(local_key)).decrypt(bytes(blob[:NONCE_LEN]), bytes(blob[NONCE_LEN:]), aad)
    except InvalidTag as exc:
        raise VaultError("sealed blob does not open") from exc
