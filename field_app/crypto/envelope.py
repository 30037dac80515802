"""Seal and open envelopes (docs/protocol.md, "Envelope"; byte layout in :mod:`.wire`).

Sealing, with a fresh 32-byte data key per envelope::

    content_key || commit_tag = HKDF-SHA256(data_key, salt=none, info="veldwerk/data-key/v1\\0", L=64)
    aad         = pinned("envelope-aad", header)                  # header carries commit_tag
    kek         = HKDF-SHA256(epoch_key, salt=salt(32), info="veldwerk/wrap/v1\\0", L=32)
    wrapped_key = salt || nonce(12) || AES-256-GCM(kek, data_key, aad)
    ciphertext  = nonce(12) || AES-256-GCM(content_key, pad(canonical_json(op)), aad)
    signature   = Ed25519(pinned("envelope", {header, wrapped_key, ciphertext_sha256}))

The commit tag in the signed header pins the data key, so one envelope cannot decrypt to two different
operations; the operation repeats the header's ``op_id``, so a replay under another op id does not open.
"""

from __future__ import annotations

import hmac
import os
import struct
from collections.abc import Callable, Mapping
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from . import wire
from .canonical import CanonicalError, b64d, b64e, canonical_json, canonical_loads
from .facts import MAX_ENVELOPE_BYTES
from .identity import DeviceIdentity, verify_signature

__all__ = [
    "MAX_ENVELOPE",
    "MAX_PLAINTEXT",
    "PAD_BLOCK",
    "EnvelopeError",
    "MissingEpochKey",
    "seal",
    "open_envelope",
    "open_envelope_plain",
    "header_of",
    "pad",
    "unpad",
]

MAX_ENVELOPE = MAX_ENVELOPE_BYTES
PAD_BLOCK = 512
# The largest padded bucket that still fits in MAX_ENVELOPE with the framing around it.
MAX_PADDED = 128 * 1024
MAX_PLAINTEXT = MAX_PADDED - 4
DATA_KEY_INFO = b"veldwerk/data-key/v1\0"
WRAP_INFO = b"veldwerk/wrap/v1\0"
NONCE_LEN = 12
SALT_LEN = 32
KEY_LEN = 32
TAG_LEN = 16
ZERO_HASH = bytes(32)

Rng = Callable[[int], bytes]


class EnvelopeError(Exception):
    """The envelope does not open (or cannot be sealed). Deliberately one error for every cause."""


class MissingEpochKey(EnvelopeError):
    """The envelope is authentic but its epoch key is not (yet) held: keep it as ``pending_key``."""

    def __init__(self, epoch: int) -> None:
        super().__init__(f"no key for epoch {epoch}")
        self.epoch = epoch


def _bucket(size: int) -> int:
    bucket = PAD_BLOCK
    while bucket < size:
        bucket *= 2
    return bucket


def pad(data: bytes) -> bytes:
    """``u32 len || data || zeros`` up to the smallest ``512 * 2**k`` bytes that holds it."""
    if len(data) > MAX_PLAINTEXT:
        raise EnvelopeError(f"operation too large ({len(data)} bytes, at most {MAX_PLAINTEXT})")
    framed = struct.pack(">I", len(data)) + data
    return framed + bytes(_bucket(len(framed)) - len(framed))


def unpad(padded: bytes) -> bytes:
    """Inverse of :func:`pad`; strict (exact bucket size, zero filler)."""
    if len(padded) < PAD_BLOCK or len(padded) > MAX_PADDED:
        raise EnvelopeError("bad padding")
    (length,) = struct.unpack(">I", padded[:4])
    end = 4 + length
    # the filler must be zeros: counted in C (``any`` over the bytes walked them one by one in Python)
    if end > len(padded) or _bucket(end) != len(padded) or padded.count(0, end) != len(padded) - end:
        raise EnvelopeError("bad padding")
    return padded[4:end]


def _split_data_key(data_key: bytes) -> tuple[bytes, bytes]:
    okm = HKDF(algorithm=hashes.SHA256(), length=64, salt=None, info=DATA_KEY_INFO).derive(data_key)
    return okm[:32], okm[32:]


def _kek(epoch_key: bytes, salt: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=salt, info=WRAP_INFO).derive(epoch_key)


def _check_len(name: str, value: Any, length: int) -> bytes:
    if not isinstance(value, (bytes, bytearray)) or len(value) != length:
        raise EnvelopeError(f"{name} must be {length} bytes")
    return bytes(value)


def _check_count(name: str, value: Any) -> int:
    if type(value) is not int or value < 1 or value > 2**53:
        raise EnvelopeError(f"{name} must be a positive integer")
    return value


def _build(
    plaintext: bytes,
    *,
    team: bytes,
    epoch: int,
    epoch_key: bytes,
    identity: DeviceIdentity,
    op_id: bytes,
    device_seq: int,
    prev_hash: bytes,
    ledger_head: bytes,
    rng: Rng,
) -> bytes:
    """Seal raw plaintext bytes (canonical JSON). Internal; tests use it to build hostile envelopes."""
    data_key = rng(KEY_LEN)
    content_key, commit_tag = _split_data_key(data_key)
    header = {
        "v": 1,
        "team": b64e(team),
        "epoch": epoch,
        "op_id": b64e(op_id),
        "device": b64e(identity.device_id),
        "device_seq": device_seq,
        "prev_hash": b64e(prev_hash),
        "ledger_head": b64e(ledger_head),
        "commit_tag": b64e(commit_tag),
    }
    aad = wire.aad(header)
    salt, wrap_nonce = rng(SALT_LEN), rng(NONCE_LEN)
    wrapped_key = salt + wrap_nonce + AESGCM(_kek(epoch_key, salt)).encrypt(wrap_nonce, data_key, aad)
    ct_nonce = rng(NONCE_LEN)
    ciphertext = ct_nonce + AESGCM(content_key).encrypt(ct_nonce, pad(plaintext), aad)
    signature = identity.sign(wire.signed_bytes(header, wrapped_key, ciphertext))
    try:
        envelope = wire.pack(header, wrapped_key, ciphertext, signature)
    except wire.EnvelopeFormatError as exc:
        raise EnvelopeError(str(exc)) from exc
    if len(envelope) > MAX_ENVELOPE:
        raise EnvelopeError("envelope too large")
    return envelope


def seal(
    op: dict[str, Any],
    *,
    team: bytes,
    epoch: int,
    epoch_key: bytes,
    identity: DeviceIdentity,
    op_id: bytes,
    device_seq: int,
    prev_hash: bytes,
    ledger_head: bytes,
    _rng: Rng | None = None,
) -> bytes:
    """Seal one operation into an envelope, signed by ``identity``.

    ``op`` is copied and gets ``op_id`` (base64url) added; the caller's dict is not changed. An ``op``
    that already carries a different ``op_id`` is refused. Raises :class:`EnvelopeError` for bad inputs,
    a value without canonical form, or an operation too large for a 256 KiB envelope.

    ``_rng`` (tests and the protocol examples only) replaces ``os.urandom``; it is called for the data
    key (32), the wrap salt (32), the wrap nonce (12) and the content nonce (12), in that order.
    """
    if not isinstance(op, dict):
        raise EnvelopeError("operation must be a dict")
    team = _check_len("team", team, wire.ID_LEN)
    op_id = _check_len("op_id", op_id, wire.ID_LEN)
    epoch_key = _check_len("epoch_key", epoch_key, KEY_LEN)
    prev_hash = _check_len("prev_hash", prev_hash, wire.HASH_LEN)
    ledger_head = _check_len("ledger_head", ledger_head, wire.HASH_LEN)
    epoch = _check_count("epoch", epoch)
    device_seq = _check_count("device_seq", device_seq)
    body = dict(op)
    if body.get("op_id", b64e(op_id)) not in (b64e(op_id), op_id):
        raise EnvelopeError("operation carries a different op_id")
    body["op_id"] = b64e(op_id)
    try:
        plaintext = canonical_json(body)
    except CanonicalError as exc:
        raise EnvelopeError(f"operation has no canonical form: {exc}") from exc
    return _build(
        plaintext,
        team=team,
        epoch=epoch,
        epoch_key=epoch_key,
        identity=identity,
        op_id=op_id,
        device_seq=device_seq,
        prev_hash=prev_hash,
        ledger_head=ledger_head,
        rng=_rng or os.urandom,
    )


def header_of(envelope: bytes) -> dict[str, Any]:
    """The clear header of ``envelope`` (not authenticated!); :class:`EnvelopeError` if malformed."""
    try:
        return wire.unpack(envelope).header
    except wire.EnvelopeFormatError as exc:
        raise EnvelopeError(f"malformed envelope: {exc}") from exc


def open_envelope(
    envelope: bytes,
    *,
    team: bytes,
    sender_ed25519: bytes,
    epoch_keys: Mapping[int, bytes],
    sender_device: bytes | None = None,
    signature_checked: bool = False,
) -> dict[str, Any]:
    """Verify and decrypt ``envelope``; return the operation (a dict that includes ``op_id``).

    ``signature_checked``: the caller has just verified this envelope's signature with ``sender_ed25519``
    (the chain check of a pull does), so it is not verified a second time here.

    ``sender_ed25519`` must come from the verified ledger entry of the header's device; pass
    ``sender_device`` as well to have the header's ``device`` checked against it. Checks, in order:
    framing, team, device, signature, epoch key present, unwrap, commit tag, decrypt, unpad, op_id.
    Raises :class:`MissingEpochKey` when only the epoch key is missing (the envelope is authentic) and
    :class:`EnvelopeError` for everything else.
    """
    return open_envelope_plain(envelope, team=team, sender_ed25519=sender_ed25519, epoch_keys=epoch_keys,
                               sender_device=sender_device, signature_checked=signature_checked)[0]


def open_envelope_plain(
    envelope: bytes,
    *,
    team: bytes,
    sender_ed25519: bytes,
    epoch_keys: Mapping[int, bytes],
    sender_device: bytes | None = None,
    signature_checked: bool = False,
) -> tuple[dict[str, Any], bytes]:
    """:func:`open_envelope`, returning the operation and its plaintext: the canonical JSON of the
    operation, checked, which a pull seals under the local key as it is instead of encoding it again."""
    try:
        parts = wire.unpack(envelope)
    except wire.EnvelopeFormatError as exc:
        raise EnvelopeError(f"malformed envelope: {exc}") from exc
    if parts.team != team:
        raise EnvelopeError("envelope belongs to another team")
    if sender_device is not None and parts.device != sender_device:
        raise EnvelopeError("envelope is from another device")
    if not signature_checked and not verify_signature(sender_ed25519, parts.signature, parts.signed_bytes()):
        raise EnvelopeError("bad signature")
    epoch_key = epoch_keys.get(parts.epoch)
    if epoch_key is None:
        raise MissingEpochKey(parts.epoch)
    aad = parts.aad()
    salt, wrap_nonce, wrapped = (
        parts.wrapped_key[:SALT_LEN],
        parts.wrapped_key[SALT_LEN : SALT_LEN + NONCE_LEN],
        parts.wrapped_key[SALT_LEN + NONCE_LEN :],
    )
    try:
        data_key = AESGCM(_kek(bytes(epoch_key), salt)).decrypt(wrap_nonce, wrapped, aad)
    except (InvalidTag, ValueError, TypeError) as exc:
        raise EnvelopeError("data key does not unwrap") from exc
    content_key, commit_tag = _split_data_key(data_key)
    if not hmac.compare_digest(commit_tag, parts.ids.get("commit_tag") or b64d(parts.header["commit_tag"])):
        raise EnvelopeError("commit tag mismatch")
    if len(parts.ciphertext) < NONCE_LEN + TAG_LEN:
        raise EnvelopeError("ciphertext too short")
    try:
        padded = AESGCM(content_key).decrypt(parts.ciphertext[:NONCE_LEN], parts.ciphertext[NONCE_LEN:], aad)
    except InvalidTag as exc:
        raise EnvelopeError("ciphertext does not open") from exc
    plaintext = unpad(padded)
    try:  # parsed and written again: the same bytes (canonical), and a JSON object
        op = canonical_loads(plaintext)
    except CanonicalError as exc:
        raise EnvelopeError("plaintext is not canonical JSON") from exc
    if not isinstance(op, dict):
        raise EnvelopeError("plaintext is not a canonical JSON object")
    if op.get("op_id") != parts.header["op_id"]:
        raise EnvelopeError("op_id inside does not match the header")
    return op, plaintext
