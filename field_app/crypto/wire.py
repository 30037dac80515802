"""Byte layout of an envelope and the bytes it authenticates. No keys here: framing only.

Envelope (all integers big-endian)::

    b"VWE1"                      4   magic + format version
    header_len                   u32
    header                       canonical JSON of the clear header (<= MAX_HEADER)
    wrapped_key                  92  salt(32) || nonce(12) || AES-256-GCM(data key)(32+16)
    ciphertext_len               u32
    ciphertext                   nonce(12) || AES-256-GCM(padded plaintext)
    signature                    64  Ed25519 over signed_bytes(header, wrapped_key, ciphertext)

The clear header is ``{v, team, epoch, op_id, device, device_seq, prev_hash, ledger_head, commit_tag}``;
``team``, ``op_id``, ``device`` are 16-byte ids, the hashes and the tag 32 bytes, all unpadded base64url.
"""

from __future__ import annotations

import binascii
import hashlib
import re
import struct
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from .canonical import _PADS, _TO_STD, CanonicalError, b64d, b64e, canonical_json, canonical_loads, pinned

MAGIC = b"VWE1"
MAX_HEADER = 2048
WRAPPED_KEY_LEN = 92
SIGNATURE_LEN = 64
ID_LEN = 16
HASH_LEN = 32
HEADER_FIELDS = ("v", "team", "epoch", "op_id", "device", "device_seq", "prev_hash", "ledger_head", "commit_tag")


class EnvelopeFormatError(ValueError):
    """The bytes are not a well-formed envelope."""


@dataclass(frozen=True)
class EnvelopeParts:
    header: dict[str, Any]
    header_bytes: bytes  # canonical JSON of ``header`` (``unpack`` checks it), so it is reused as is
    wrapped_key: bytes
    ciphertext: bytes
    signature: bytes
    ids: dict[str, bytes] = field(default_factory=dict, compare=False, repr=False)  # decoded by unpack

    def _id(self, name: str) -> bytes:
        raw = self.ids.get(name)
        return raw if raw is not None else b64d(self.header[name])

    @property
    def op_id(self) -> bytes:
        return self._id("op_id")

    @property
    def team(self) -> bytes:
        return self._id("team")

    @property
    def device(self) -> bytes:
        return self._id("device")

    @property
    def prev_hash(self) -> bytes:
        return self._id("prev_hash")

    @property
    def ledger_head(self) -> bytes:
        return self._id("ledger_head")

    @property
    def epoch(self) -> int:
        return self.header["epoch"]

    def signed_bytes(self) -> bytes:
        """The same bytes as :func:`signed_bytes` of the parts, built around the header's canonical bytes
        instead of normalising the header again (a test checks they are equal)."""
        return b"".join([
            b'veldwerk/envelope/v1\0{"ciphertext_sha256":"', b64e(hashlib.sha256(self.ciphertext).digest()).encode(),
            b'","header":', self.header_bytes, b',"wrapped_key":"', b64e(self.wrapped_key).encode(), b'"}'])

    def aad(self) -> bytes:
        """The same bytes as :func:`aad` of the header (a test checks it)."""
        return b"veldwerk/envelope-aad/v1\0" + self.header_bytes


def aad(header: dict[str, Any]) -> bytes:
    """Associated data of both AEAD layers (data-key wrap and content)."""
    return pinned("envelope-aad", header)


def signed_bytes(header: dict[str, Any], wrapped_key: bytes, ciphertext: bytes) -> bytes:
    """What the sealing device signs: header, wrapped key and a digest of the ciphertext."""
    return pinned(
        "envelope",
        {"header": header, "wrapped_key": wrapped_key, "ciphertext_sha256": hashlib.sha256(ciphertext).digest()},
    )


def envelope_hash(envelope: bytes) -> bytes:
    """The value the next envelope of the same device carries as ``prev_hash``."""
    if type(envelope) is bytes:  # a pulled envelope is hashed by the run check, the chain and its seen row
        return _envelope_hash(envelope)
    return hashlib.sha256(envelope).digest()


@lru_cache(maxsize=1024)
def _envelope_hash(envelope: bytes) -> bytes:
    return hashlib.sha256(envelope).digest()


def pack(header: dict[str, Any], wrapped_key: bytes, ciphertext: bytes, signature: bytes) -> bytes:
    header_bytes = canonical_json(header)
    if len(header_bytes) > MAX_HEADER:
        raise EnvelopeFormatError("header too large")
    if len(wrapped_key) != WRAPPED_KEY_LEN or len(signature) != SIGNATURE_LEN:
        raise EnvelopeFormatError("bad wrapped key or signature length")
    return b"".join(
        [
            MAGIC,
            struct.pack(">I", len(header_bytes)),
            header_bytes,
            wrapped_key,
            struct.pack(">I", len(ciphertext)),
            ciphertext,
            signature,
        ]
    )


def _check_header(header: Any, ids: dict[str, bytes]) -> dict[str, Any]:
    if not isinstance(header, dict) or set(header) != set(HEADER_FIELDS):
        raise EnvelopeFormatError("header fields")
    if type(header["v"]) is not int or header["v"] != 1:
        raise EnvelopeFormatError("unknown envelope version")
    for name in ("epoch", "device_seq"):
        value = header[name]
        if type(value) is not int or value < 1 or value > 2**53:
            raise EnvelopeFormatError(f"header {name}")
    for name, length in (("team", ID_LEN), ("op_id", ID_LEN), ("device", ID_LEN), ("prev_hash", HASH_LEN),
                         ("ledger_head", HASH_LEN), ("commit_tag", HASH_LEN)):
        try:
            raw = b64d(header[name])
        except ValueError as exc:
            raise EnvelopeFormatError(f"header {name}") from exc
        if len(raw) != length:
            raise EnvelopeFormatError(f"header {name} length")
        ids[name] = raw
    return header


def unpack(envelope: bytes) -> EnvelopeParts:
    """Split an envelope into its parts; raises :class:`EnvelopeFormatError` on any malformation.

    Does not verify the signature or open anything.
    """
    if not isinstance(envelope, (bytes, bytearray)) or len(envelope) < 4 + 4 + 2 + WRAPPED_KEY_LEN + 4 + SIGNATURE_LEN:
        raise EnvelopeFormatError("too short")
    return _unpack(bytes(envelope))


@lru_cache(maxsize=2048)
def _unpack(envelope: bytes) -> EnvelopeParts:
    """:func:`unpack` of the same bytes gives the same (frozen) parts: a pulled envelope is unpacked once,
    not once per check (ledger coverage, chain, context, opening)."""
    if envelope[:4] != MAGIC:
        raise EnvelopeFormatError("bad magic")
    (header_len,) = struct.unpack(">I", envelope[4:8])
    if header_len > MAX_HEADER:
        raise EnvelopeFormatError("header too large")
    pos = 8
    header_bytes = envelope[pos : pos + header_len]
    pos += header_len
    wrapped_key = envelope[pos : pos + WRAPPED_KEY_LEN]
    pos += WRAPPED_KEY_LEN
    if len(envelope) < pos + 4:
        raise EnvelopeFormatError("truncated")
    (ct_len,) = struct.unpack(">I", envelope[pos : pos + 4])
    pos += 4
    ciphertext = envelope[pos : pos + ct_len]
    pos += ct_len
    signature = envelope[pos:]
    if len(ciphertext) != ct_len or len(signature) != SIGNATURE_LEN:
        raise EnvelopeFormatError("truncated or trailing bytes")
    header, ids = _read_header(header_bytes)
    return EnvelopeParts(header, header_bytes, wrapped_key, ciphertext, signature, ids)


def _b64(n: int) -> bytes:
    """A pattern for the unpadded base64url of ``n`` bytes whose last character leaves no bits set beyond the
    data (what :func:`~.canonical.b64e` writes, and all that :func:`~.canonical.b64d` takes)."""
    full, rest = divmod(n, 3)
    last = {0: b"", 1: b"[A-Za-z0-9_-][AQgw]", 2: b"[A-Za-z0-9_-]{2}[AEIMQUYcgkosw048]"}[rest]
    return b"([A-Za-z0-9_-]{%d}%s)" % (4 * full, last)


_INT = rb"([1-9][0-9]{0,15})"
# The canonical JSON of a header, field by field in key order: no whitespace, no escapes (base64url needs
# none), integers without sign or leading zeros, ``v`` 1. A header matches exactly when
# ``canonical_json(json.loads(bytes)) == bytes`` and :func:`_check_header` passes, except for the integers'
# upper bound, checked after (a test compares the two on many altered headers).
_HEADER = re.compile(
    rb'\{"commit_tag":"%s","device":"%s","device_seq":%s,"epoch":%s,"ledger_head":"%s","op_id":"%s",'
    rb'"prev_hash":"%s","team":"%s","v":1\}'
    % (_b64(HASH_LEN), _b64(ID_LEN), _INT, _INT, _b64(HASH_LEN), _b64(ID_LEN), _b64(HASH_LEN), _b64(ID_LEN)))
_ID_FIELDS = (("commit_tag", 1), ("device", 2), ("ledger_head", 5), ("op_id", 6), ("prev_hash", 7), ("team", 8))


def _read_header(header_bytes: bytes) -> tuple[dict[str, Any], dict[str, bytes]]:
    """The header and its decoded ids, from canonical header bytes; :class:`EnvelopeFormatError` for
    anything else. One pattern match instead of parsing the JSON, writing it again to compare and decoding
    each id through the general checks (about half the time of unpacking, on every envelope pushed and
    pulled); anything the pattern does not take goes the general way, so the error says what is wrong."""
    match = _HEADER.fullmatch(header_bytes)
    if match is None:
        try:
            header = canonical_loads(header_bytes)
        except CanonicalError as exc:
            raise EnvelopeFormatError("header is not canonical JSON") from exc
        ids: dict[str, bytes] = {}
        _check_header(header, ids)
        raise EnvelopeFormatError("header not in its canonical form")  # not reached for a canonical header
    text = [g.decode("ascii") for g in match.groups()]
    device_seq, epoch = int(text[2]), int(text[3])
    if device_seq > 2**53 or epoch > 2**53:
        raise EnvelopeFormatError("header device_seq" if device_seq > 2**53 else "header epoch")
    header = {"commit_tag": text[0], "device": text[1], "device_seq": device_seq, "epoch": epoch,  # parsed order
              "ledger_head": text[4], "op_id": text[5], "prev_hash": text[6], "team": text[7], "v": 1}
    ids = {name: binascii.a2b_base64(match.group(i).translate(_TO_STD) + _PADS[len(match.group(i)) % 4])
           for name, i in _ID_FIELDS}
    return header, ids
