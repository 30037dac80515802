"""The team ledger: an append-only, hash-chained list of signed entries (docs/protocol.md, "Team ledger").

An entry is ``{team, index, prev, type, body, signer, at, sig}`` with bytes as base64url strings (JSON
ready). ``sig`` is Ed25519 by ``signer`` over ``pinned("ledger", entry without sig)``; the entry hash is
``SHA-256(canonical_json(entry with sig))``. Device keys, roles and epoch commitments come only from a
chain verified here, never from the server.
"""

from __future__ import annotations

import copy
import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from ..domain.vocab import ROLE_CODES
from .canonical import CanonicalError, b64d, b64e, canonical_json, pinned
from .identity import ID_LEN, KEY_LEN, SIGNATURE_LEN, DeviceIdentity, verify_signature

__all__ = [
    "ENTRY_FIELDS",
    "ENTRY_TYPES",
    "GENESIS_PREV",
    "MAX_ENTRY",
    "LedgerError",
    "DeviceInfo",
    "VerifiedLedger",
    "make_entry",
    "entry_hash",
    "genesis",
    "add_device",
    "verify_chain",
    "extend_chain",
]

ENTRY_FIELDS = frozenset({"team", "index", "prev", "type", "body", "signer", "at", "sig"})
ENTRY_TYPES = ("genesis", "add_device")
DEVICE_FIELDS = frozenset({"id", "ed25519", "x25519", "role", "beheer"})
GENESIS_PREV = bytes(32)
MAX_ENTRY = 16 * 1024  # canonical JSON bytes of one entry, as in docs/protocol.md "Limits"
HASH_LEN = 32


class LedgerError(Exception):
    """The ledger (or an entry about to be made) is not valid; nothing from it may be trusted."""


@dataclass(frozen=True)
class DeviceInfo:
    """A device as the verified ledger knows it."""

    id: bytes
    ed25519: bytes
    x25519: bytes
    role: str
    beheer: bool


@dataclass
class VerifiedLedger:
    """The state of a verified chain: devices, epoch commitments and the head."""

    team: bytes
    devices: dict[bytes, DeviceInfo] = field(default_factory=dict)
    epochs: dict[int, bytes] = field(default_factory=dict)  # epoch -> commitment
    head_index: int = -1
    head_hash: bytes = GENESIS_PREV
    current_epoch: int = 0

    def device(self, device_id: bytes) -> DeviceInfo | None:
        """The device with ``device_id``, or None."""
        return self.devices.get(device_id)

    def has_beheer(self, device_id: bytes) -> bool:
        """True if the device is known and holds the ``beheer`` right."""
        info = self.devices.get(device_id)
        return info is not None and info.beheer


def entry_hash(entry: dict[str, Any]) -> bytes:
    """``SHA-256(canonical_json(entry))`` of the complete entry (sig included)."""
    return hashlib.sha256(canonical_json(entry)).digest()


def _unsigned(entry: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in entry.items() if key != "sig"}


def _check_role(role: Any) -> str:
    if not isinstance(role, str) or role not in ROLE_CODES:
        raise LedgerError(f"unknown role {role!r}")
    return role


def make_entry(
    *, team: bytes, index: int, prev: bytes, type: str, body: dict[str, Any], signer: DeviceIdentity, at: int
) -> dict[str, Any]:
    """A signed, JSON-ready ledger entry. Does not check that ``signer`` may sign it (the verifier does)."""
    if len(team) != ID_LEN or len(prev) != HASH_LEN:
        raise LedgerError("team must be 16 bytes and prev 32 bytes")
    if type not in ENTRY_TYPES:
        raise LedgerError(f"unknown entry type {type!r}")
    if not _is_int(index) or index < 0 or not _is_int(at) or at < 0:
        raise LedgerError("index and at must be non-negative integers")
    try:
        json_body = json.loads(canonical_json(body))
    except CanonicalError as exc:
        raise LedgerError(f"body has no canonical form: {exc}") from exc
    entry: dict[str, Any] = {
        "team": b64e(team),
        "index": index,
        "prev": b64e(prev),
        "type": type,
        "body": json_body,
        "signer": b64e(signer.device_id),
        "at": at,
    }
    entry["sig"] = b64e(signer.sign(pinned("ledger", entry)))
    if len(canonical_json(entry)) > MAX_ENTRY:
        raise LedgerError("entry too large")
    return entry


def _device_body(device_id: bytes, ed25519: bytes, x25519: bytes, role: str, beheer: bool) -> dict[str, Any]:
    if len(device_id) != ID_LEN or len(ed25519) != KEY_LEN or len(x25519) != KEY_LEN:
        raise LedgerError("device id must be 16 bytes and keys 32 bytes")
    return {
        "id": device_id,
        "ed25519": ed25519,
        "x25519": x25519,
        "role": _check_role(role),
        "beheer": beheer,
    }


def genesis(team: bytes, identity: DeviceIdentity, role: str, epoch_commit: bytes, at: int) -> dict[str, Any]:
    """Entry 0: the first device (with ``beheer``), self-signed, and the commitment of epoch 1's key."""
    if len(epoch_commit) != HASH_LEN:
        raise LedgerError("epoch_commit must be 32 bytes")
    body = {
        "device": _device_body(identity.device_id, identity.ed25519_pub, identity.x25519_pub, role, True),
        "epoch": 1,
        "epoch_commit": epoch_commit,
    }
    return make_entry(
        team=team, index=0, prev=GENESIS_PREV, type="genesis", body=body, signer=identity, at=at
    )


def add_device(
    team: bytes,
    index: int,
    prev: bytes,
    signer: DeviceIdentity,
    device_id: bytes,
    ed25519: bytes,
    x25519: bytes,
    role: str,
    at: int,
) -> dict[str, Any]:
    """An ``add_device`` entry (the new device has no ``beheer``), signed by ``signer``."""
    body = {"device": _device_body(device_id, ed25519, x25519, role, False)}
    return make_entry(team=team, index=index, prev=prev, type="add_device", body=body, signer=signer, at=at)


# --- verification -----------------------------------------------------------------------------------


def _is_int(value: Any) -> bool:
    return type(value) is int


def _b64_field(container: dict[str, Any], name: str, length: int) -> bytes:
    value = container.get(name)
    try:
        raw = b64d(value)
    except ValueError as exc:
        raise LedgerError(f"{name} is not base64url") from exc
    if len(raw) != length:
        raise LedgerError(f"{name} must be {length} bytes")
    return raw


def _parse_device(value: Any, *, beheer: bool) -> DeviceInfo:
    if not isinstance(value, dict) or set(value) != DEVICE_FIELDS:
        raise LedgerError("malformed device")
    if value["beheer"] is not beheer:
        raise LedgerError(f"device must have beheer={beheer}")
    return DeviceInfo(
        id=_b64_field(value, "id", ID_LEN),
        ed25519=_b64_field(value, "ed25519", KEY_LEN),
        x25519=_b64_field(value, "x25519", KEY_LEN),
        role=_check_role(value["role"]),
        beheer=beheer,
    )


def _apply(state: VerifiedLedger, entry: Any) -> None:
    """Verify ``entry`` as the next entry of ``state`` and apply it; :class:`LedgerError` if it is not."""
    index = state.head_index + 1
    if not isinstance(entry, dict) or set(entry) != ENTRY_FIELDS:
        raise LedgerError(f"entry {index}: malformed")
    try:
        size = len(canonical_json(entry))
    except CanonicalError as exc:
        raise LedgerError(f"entry {index}: no canonical form") from exc
    if size > MAX_ENTRY:
        raise LedgerError(f"entry {index}: too large")
    if _b64_field(entry, "team", ID_LEN) != state.team:
        raise LedgerError(f"entry {index}: belongs to another team")
    if not _is_int(entry["index"]) or entry["index"] != index:
        raise LedgerError(f"entry {index}: index {entry['index']!r} out of order")
    if _b64_field(entry, "prev", HASH_LEN) != state.head_hash:
        raise LedgerError(f"entry {index}: prev does not match the previous entry")
    if not _is_int(entry["at"]) or entry["at"] < 0:
        raise LedgerError(f"entry {index}: bad time")
    signer = _b64_field(entry, "signer", ID_LEN)
    sig = _b64_field(entry, "sig", SIGNATURE_LEN)
    body = entry["body"]
    if not isinstance(body, dict):
        raise LedgerError(f"entry {index}: body must be an object")
    kind = entry["type"]
    signed = pinned("ledger", _unsigned(entry))

    if kind == "genesis":
        if index != 0:
            raise LedgerError(f"entry {index}: a second genesis")
        if set(body) != {"device", "epoch", "epoch_commit"}:
            raise LedgerError("genesis: malformed body")
        device = _parse_device(body["device"], beheer=True)
        if not _is_int(body["epoch"]) or body["epoch"] != 1:
            raise LedgerError("genesis: epoch must be 1")
        commit = _b64_field(body, "epoch_commit", HASH_LEN)
        if signer != device.id or not verify_signature(device.ed25519, sig, signed):
            raise LedgerError("genesis: not signed by its own device")
        state.devices[device.id] = device
        state.epochs[1] = commit
        state.current_epoch = 1
    elif kind == "add_device":
        if index == 0:
            raise LedgerError("entry 0 must be the genesis")
        author = state.devices.get(signer)
        if author is None or not author.beheer:
            raise LedgerError(f"entry {index}: signer has no beheer")
        if not verify_signature(author.ed25519, sig, signed):
            raise LedgerError(f"entry {index}: bad signature")
        if set(body) != {"device"}:
            raise LedgerError(f"entry {index}: malformed body")
        device = _parse_device(body["device"], beheer=False)
        if device.id in state.devices:
            raise LedgerError(f"entry {index}: device already in the team")
        if any(known.ed25519 == device.ed25519 for known in state.devices.values()):
            raise LedgerError(f"entry {index}: signing key already in use by another device")
        state.devices[device.id] = device
    else:
        raise LedgerError(f"entry {index}: unknown type {kind!r}")
    state.head_index = index
    state.head_hash = entry_hash(entry)


def extend_chain(ledger: VerifiedLedger, entries: list[dict[str, Any]]) -> VerifiedLedger:
    """Verify ``entries`` as the continuation of ``ledger`` (index ``head_index + 1`` onwards).

    Returns a new :class:`VerifiedLedger`; ``ledger`` is not changed. Raises :class:`LedgerError`.
    """
    state = copy.deepcopy(ledger)
    if not isinstance(entries, list):
        raise LedgerError("entries must be a list")
    for entry in entries:
        _apply(state, entry)
    return state


def verify_chain(entries: list[dict[str, Any]], team: bytes) -> VerifiedLedger:
    """Verify a whole chain from its genesis for ``team``; :class:`LedgerError` if anything is wrong."""
    if not isinstance(team, bytes) or len(team) != ID_LEN:
        raise LedgerError("team must be 16 bytes")
    if not isinstance(entries, list) or not entries:
        raise LedgerError("a ledger starts with its genesis entry")
    return extend_chain(VerifiedLedger(team=team), entries)
