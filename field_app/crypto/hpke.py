"""RFC 9180 HPKE, base mode, built from primitives every Flet build ships.

Suite: DHKEM(X25519, HKDF-SHA256) (kem_id 0x0020), HKDF-SHA256 (kdf_id 0x0001) and one of AES-128-GCM (1),
AES-256-GCM (2, Veldwerk's choice), ChaCha20-Poly1305 (3) or export-only (0xFFFF). ``cryptography``'s own
``hpke`` module is not on the mobile builds (cryptography 43), so this module must not use it; the tests
check it against the RFC's vectors and, where available, against that module.

Single-shot API: :func:`seal_base` / :func:`open_base`. Context API (for the vectors and multi-message
use): :func:`setup_base_s` / :func:`setup_base_r` return a :class:`Context` with ``seal``, ``open``
and ``export``.
"""

from __future__ import annotations

import hmac
import struct
from dataclasses import dataclass, field
from hashlib import sha256

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM, ChaCha20Poly1305

__all__ = [
    "KEM_X25519_HKDF_SHA256",
    "KDF_HKDF_SHA256",
    "AEAD_AES_128_GCM",
    "AEAD_AES_256_GCM",
    "AEAD_CHACHA20_POLY1305",
    "AEAD_EXPORT_ONLY",
    "MODE_BASE",
    "HPKEError",
    "Context",
    "derive_keypair",
    "encap",
    "decap",
    "key_schedule_base",
    "setup_base_s",
    "setup_base_r",
    "seal_base",
    "open_base",
]

KEM_X25519_HKDF_SHA256 = 0x0020
KDF_HKDF_SHA256 = 0x0001
AEAD_AES_128_GCM = 0x0001
AEAD_AES_256_GCM = 0x0002
AEAD_CHACHA20_POLY1305 = 0x0003
AEAD_EXPORT_ONLY = 0xFFFF
MODE_BASE = 0x00

N_SECRET = 32  # Nsecret of the KEM
N_ENC = 32  # Nenc = Npk = Nsk for X25519
N_H = 32  # Nh of HKDF-SHA256
N_N = 12  # Nn of every AEAD here
N_T = 16  # Nt of every AEAD here
_AEADS: dict[int, tuple[int, type[AESGCM] | type[ChaCha20Poly1305] | None]] = {
    AEAD_AES_128_GCM: (16, AESGCM),
    AEAD_AES_256_GCM: (32, AESGCM),
    AEAD_CHACHA20_POLY1305: (32, ChaCha20Poly1305),
    AEAD_EXPORT_ONLY: (0, None),
}
_VERSION = b"HPKE-v1"
_KEM_SUITE_ID = b"KEM" + struct.pack(">H", KEM_X25519_HKDF_SHA256)


class HPKEError(Exception):
    """HPKE failed: bad key or encapsulation, unknown suite, or a ciphertext that does not open."""


def _i2osp(value: int, length: int) -> bytes:
    return value.to_bytes(length, "big")


def _hpke_suite_id(aead_id: int) -> bytes:
    return b"HPKE" + struct.pack(">HHH", KEM_X25519_HKDF_SHA256, KDF_HKDF_SHA256, aead_id)


def _extract(salt: bytes, ikm: bytes) -> bytes:
    # RFC 5869: an absent salt is Nh zero bytes (identical to HMAC with an empty key).
    return hmac.new(salt or bytes(N_H), ikm, sha256).digest()


def _expand(prk: bytes, info: bytes, length: int) -> bytes:
    if length > 255 * N_H:
        raise HPKEError("expand length too large")
    out, block, counter = b"", b"", 1
    while len(out) < length:
        block = hmac.new(prk, block + info + bytes([counter]), sha256).digest()
        out += block
        counter += 1
    return out[:length]


def _labeled_extract(suite_id: bytes, salt: bytes, label: bytes, ikm: bytes) -> bytes:
    return _extract(salt, _VERSION + suite_id + label + ikm)


def _labeled_expand(suite_id: bytes, prk: bytes, label: bytes, info: bytes, length: int) -> bytes:
    if length >= 1 << 16:
        raise HPKEError("labeled expand length too large")
    return _expand(prk, _i2osp(length, 2) + _VERSION + suite_id + label + info, length)


# --- DHKEM(X25519, HKDF-SHA256) -------------------------------------------------------------------


def _private_key(sk: X25519PrivateKey | bytes) -> X25519PrivateKey:
    if isinstance(sk, X25519PrivateKey):
        return sk
    try:
        return X25519PrivateKey.from_private_bytes(bytes(sk))
    except (ValueError, TypeError) as exc:
        raise HPKEError("bad private key") from exc


def _public_key(pk: X25519PublicKey | bytes) -> X25519PublicKey:
    if isinstance(pk, X25519PublicKey):
        return pk
    try:
        return X25519PublicKey.from_public_bytes(bytes(pk))
    except (ValueError, TypeError) as exc:
        raise HPKEError("bad public key") from exc


def _dh(sk: X25519PrivateKey, pk: X25519PublicKey) -> bytes:
    try:
        # cryptography refuses an all-zero result (small-order point), as RFC 9180 section 7.1.4 requires.
        return sk.exchange(pk)
    except ValueError as exc:
        raise HPKEError("X25519 produced the all-zero value") from exc


def _extract_and_expand(dh: bytes, kem_context: bytes) -> bytes:
    eae_prk = _labeled_extract(_KEM_SUITE_ID, b"", b"eae_prk", dh)
    return _labeled_expand(_KEM_SUITE_ID, eae_prk, b"shared_secret", kem_context, N_SECRET)


def derive_keypair(ikm: bytes) -> tuple[bytes, bytes]:
    """RFC 9180 ``DeriveKeyPair`` for X25519: ``(raw sk, raw pk)`` from ``ikm`` (at least 32 bytes)."""
    if len(ikm) < N_SECRET:
        raise HPKEError("ikm must be at least 32 bytes")
    dkp_prk = _labeled_extract(_KEM_SUITE_ID, b"", b"dkp_prk", bytes(ikm))
    sk = _labeled_expand(_KEM_SUITE_ID, dkp_prk, b"sk", b"", N_ENC)
    pk = X25519PrivateKey.from_private_bytes(sk).public_key().public_bytes_raw()
    return sk, pk


def encap(pk_r: X25519PublicKey | bytes, ikm_e: bytes | None = None) -> tuple[bytes, bytes]:
    """``Encap(pkR)`` → ``(shared_secret, enc)``. ``ikm_e`` fixes the ephemeral key (tests, examples)."""
    pk = _public_key(pk_r)
    if ikm_e is None:
        sk_e = X25519PrivateKey.generate()
    else:
        sk_e = X25519PrivateKey.from_private_bytes(derive_keypair(ikm_e)[0])
    enc = sk_e.public_key().public_bytes_raw()
    dh = _dh(sk_e, pk)
    return _extract_and_expand(dh, enc + pk.public_bytes_raw()), enc


def decap(enc: bytes, sk_r: X25519PrivateKey | bytes) -> bytes:
    """``Decap(enc, skR)`` → shared_secret."""
    if len(enc) != N_ENC:
        raise HPKEError("enc must be 32 bytes")
    sk = _private_key(sk_r)
    dh = _dh(sk, _public_key(enc))
    return _extract_and_expand(dh, bytes(enc) + sk.public_key().public_bytes_raw())


# --- key schedule and context -----------------------------------------------------------------------


@dataclass
class Context:
    """An HPKE encryption context (RFC 9180 section 5.2). ``seq`` is the next sequence number."""

    aead_id: int
    key: bytes = field(repr=False)
    base_nonce: bytes
    exporter_secret: bytes = field(repr=False)
    shared_secret: bytes = field(repr=False)
    key_schedule_context: bytes
    secret: bytes = field(repr=False)
    enc: bytes = b""
    seq: int = 0

    def _aead(self) -> AESGCM | ChaCha20Poly1305:
        cls = _AEADS[self.aead_id][1]
        if cls is None:
            raise HPKEError("export-only context cannot seal or open")
        return cls(self.key)

    def compute_nonce(self, seq: int) -> bytes:
        """``base_nonce XOR I2OSP(seq, Nn)``."""
        return bytes(a ^ b for a, b in zip(self.base_nonce, _i2osp(seq, N_N), strict=True))

    def _next_nonce(self) -> bytes:
        if self.seq >= (1 << (8 * N_N)) - 1:
            raise HPKEError("message limit reached")
        return self.compute_nonce(self.seq)

    def seal(self, aad: bytes, pt: bytes) -> bytes:
        """Encrypt ``pt`` with the next sequence number and advance it."""
        ct = self._aead().encrypt(self._next_nonce(), bytes(pt), bytes(aad))
        self.seq += 1
        return ct

    def open(self, aad: bytes, ct: bytes) -> bytes:
        """Decrypt ``ct`` with the next sequence number (advanced only on success); ``HPKEError`` if bad."""
        try:
            pt = self._aead().decrypt(self._next_nonce(), bytes(ct), bytes(aad))
        except InvalidTag as exc:
            raise HPKEError("ciphertext does not open") from exc
        self.seq += 1
        return pt

    def export(self, exporter_context: bytes, length: int) -> bytes:
        """RFC 9180 secret export: ``LabeledExpand(exporter_secret, "sec", exporter_context, L)``."""
        if not 0 <= length <= 255 * N_H:
            raise HPKEError("export length out of range")
        return _labeled_expand(
            _hpke_suite_id(self.aead_id), self.exporter_secret, b"sec", exporter_context, length
        )


def key_schedule_base(shared_secret: bytes, info: bytes, aead_id: int) -> Context:
    """``KeySchedule(mode_base, shared_secret, info, psk="", psk_id="")``."""
    if aead_id not in _AEADS:
        raise HPKEError(f"unsupported aead_id {aead_id}")
    n_k, cls = _AEADS[aead_id]
    n_n = N_N if cls is not None else 0
    suite_id = _hpke_suite_id(aead_id)
    psk_id_hash = _labeled_extract(suite_id, b"", b"psk_id_hash", b"")
    info_hash = _labeled_extract(suite_id, b"", b"info_hash", bytes(info))
    context = bytes([MODE_BASE]) + psk_id_hash + info_hash
    secret = _labeled_extract(suite_id, shared_secret, b"secret", b"")
    return Context(
        aead_id=aead_id,
        key=_labeled_expand(suite_id, secret, b"key", context, n_k) if n_k else b"",
        base_nonce=_labeled_expand(suite_id, secret, b"base_nonce", context, n_n) if n_n else b"",
        exporter_secret=_labeled_expand(suite_id, secret, b"exp", context, N_H),
        shared_secret=shared_secret,
        key_schedule_context=context,
        secret=secret,
    )


def setup_base_s(
    pk_r: X25519PublicKey | bytes, info: bytes, aead_id: int = AEAD_AES_256_GCM, ikm_e: bytes | None = None
) -> Context:
    """Sender setup (``SetupBaseS``); the encapsulated key is ``context.enc``."""
    shared_secret, enc = encap(pk_r, ikm_e)
    ctx = key_schedule_base(shared_secret, info, aead_id)
    ctx.enc = enc
    return ctx


def setup_base_r(
    sk_r: X25519PrivateKey | bytes, enc: bytes, info: bytes, aead_id: int = AEAD_AES_256_GCM
) -> Context:
    """Recipient setup (``SetupBaseR``)."""
    ctx = key_schedule_base(decap(enc, sk_r), info, aead_id)
    ctx.enc = bytes(enc)
    return ctx


def seal_base(
    pk_r: X25519PublicKey | bytes,
    info: bytes,
    aad: bytes,
    pt: bytes,
    aead_id: int = AEAD_AES_256_GCM,
    *,
    ikm_e: bytes | None = None,
) -> tuple[bytes, bytes]:
    """Single-shot ``SealBase`` → ``(enc, ct)``. ``ikm_e`` fixes the ephemeral key (tests, examples)."""
    ctx = setup_base_s(pk_r, info, aead_id, ikm_e)
    return ctx.enc, ctx.seal(aad, pt)


def open_base(
    sk_r: X25519PrivateKey | bytes,
    enc: bytes,
    info: bytes,
    aad: bytes,
    ct: bytes,
    aead_id: int = AEAD_AES_256_GCM,
) -> bytes:
    """Single-shot ``OpenBase``; raises :class:`HPKEError` if anything is wrong."""
    return setup_base_r(sk_r, enc, info, aead_id).open(aad, ct)
