"""Device identity: an Ed25519 signing key, an X25519 exchange key and a random 16-byte device id.

The keys never leave the device in the clear; :meth:`DeviceIdentity.to_bytes` exists so the local store
can seal them under the local key (see ``vault.seal_local``). Public keys travel as raw 32-byte values.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from .canonical import pinned

__all__ = [
    "ID_LEN",
    "KEY_LEN",
    "SIGNATURE_LEN",
    "IDENTITY_LEN",
    "DeviceIdentity",
    "verify_signature",
    "fingerprint_bytes",
    "fingerprint",
    "fingerprint_groups",
    "login_bytes",
    "new_id",
]

ID_LEN = 16
KEY_LEN = 32
SIGNATURE_LEN = 64
IDENTITY_LEN = ID_LEN + 2 * KEY_LEN  # device_id || ed25519 private || x25519 private
FINGERPRINT_LEN = 60
_FP_PREFIX = b"veldwerk/fp/v1"


def new_id() -> bytes:
    """A fresh random 16-byte id (team, device, op, record)."""
    return os.urandom(ID_LEN)


@dataclass
class DeviceIdentity:
    """The private identity of this device. Keep it sealed at rest; never log it."""

    device_id: bytes
    signing_key: Ed25519PrivateKey = field(repr=False)
    exchange_key: X25519PrivateKey = field(repr=False)

    def __post_init__(self) -> None:
        if not isinstance(self.device_id, bytes) or len(self.device_id) != ID_LEN:
            raise ValueError("device_id must be 16 bytes")

    @classmethod
    def generate(cls) -> DeviceIdentity:
        """A new identity with a random device id and fresh keys."""
        return cls(new_id(), Ed25519PrivateKey.generate(), X25519PrivateKey.generate())

    @property
    def ed25519_pub(self) -> bytes:
        """Raw 32-byte Ed25519 public key."""
        return self.signing_key.public_key().public_bytes_raw()

    @property
    def x25519_pub(self) -> bytes:
        """Raw 32-byte X25519 public key."""
        return self.exchange_key.public_key().public_bytes_raw()

    def sign(self, data: bytes) -> bytes:
        """Ed25519 signature (64 bytes) over ``data``; ``data`` should be ``pinned(purpose, ...)`` bytes."""
        return self.signing_key.sign(data)

    def to_bytes(self) -> bytes:
        """``device_id || raw Ed25519 private || raw X25519 private`` (80 bytes). Secret: seal it."""
        return self.device_id + self.signing_key.private_bytes_raw() + self.exchange_key.private_bytes_raw()

    @classmethod
    def from_bytes(cls, data: bytes) -> DeviceIdentity:
        """Inverse of :meth:`to_bytes`; ``ValueError`` if ``data`` is not 80 bytes."""
        if not isinstance(data, (bytes, bytearray)) or len(data) != IDENTITY_LEN:
            raise ValueError("a device identity is 80 bytes")
        data = bytes(data)
        return cls(
            data[:ID_LEN],
            Ed25519PrivateKey.from_private_bytes(data[ID_LEN : ID_LEN + KEY_LEN]),
            X25519PrivateKey.from_private_bytes(data[ID_LEN + KEY_LEN :]),
        )


def verify_signature(public_key: bytes, signature: bytes, data: bytes) -> bool:
    """True if ``signature`` is a valid Ed25519 signature by raw ``public_key`` over ``data``.

    Returns False (never raises) for a wrong signature, a malformed key or signature, or a wrong type.
    """
    try:
        if len(public_key) != KEY_LEN or len(signature) != SIGNATURE_LEN:
            return False
        Ed25519PublicKey.from_public_bytes(bytes(public_key)).verify(bytes(signature), bytes(data))
    except (InvalidSignature, ValueError, TypeError):
        return False
    return True


def fingerprint_bytes(team: bytes, ed25519_pub: bytes, x25519_pub: bytes) -> bytes:
    """``SHA-512(b"veldwerk/fp/v1" || team || ed25519 pub || x25519 pub)[:60]`` (what a QR code carries).

    The inputs have fixed lengths (16, 32, 32), so plain concatenation is unambiguous; other lengths are
    refused with ``ValueError``.
    """
    if len(team) != ID_LEN or len(ed25519_pub) != KEY_LEN or len(x25519_pub) != KEY_LEN:
        raise ValueError("fingerprint inputs: team 16 bytes, keys 32 bytes")
    return hashlib.sha512(_FP_PREFIX + bytes(team) + bytes(ed25519_pub) + bytes(x25519_pub)).digest()[
        :FINGERPRINT_LEN
    ]


def fingerprint_groups(raw: bytes) -> list[str]:
    """The digits people compare: each 5-byte chunk of 60 fingerprint bytes, big-endian, mod 100000."""
    if len(raw) != FINGERPRINT_LEN:
        raise ValueError("a fingerprint is 60 bytes")
    return [f"{int.from_bytes(raw[i : i + 5], 'big') % 100000:05d}" for i in range(0, FINGERPRINT_LEN, 5)]


def fingerprint(team: bytes, ed25519_pub: bytes, x25519_pub: bytes) -> list[str]:
    """Twelve 5-digit groups: each 5-byte chunk of :func:`fingerprint_bytes`, big-endian, mod 100000."""
    return fingerprint_groups(fingerprint_bytes(team, ed25519_pub, x25519_pub))


def login_bytes(
    *, server_nonce: bytes, device_nonce: bytes, team: bytes, device: bytes, server: str
) -> bytes:
    """What a device signs to log in: ``pinned("login", {server_nonce, device_nonce, team, device, server})``.

    ``server`` is the server's base URL without a trailing slash (one is removed if present, so
    ``https://x/`` and ``https://x`` sign the same bytes).
    """
    return pinned(
        "login",
        {
            "server_nonce": bytes(server_nonce),
            "device_nonce": bytes(device_nonce),
            "team": bytes(team),
            "device": bytes(device),
            "server": server.rstrip("/"),
        },
    )
