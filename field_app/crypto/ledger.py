"""The team ledger: an append-only, hash-chained list of signed entries (docs/protocol.md, "Team ledger").

An entry is ``{team, index, prev, type, body, signer, at, sig}`` with bytes as base64url strings (JSON
ready). ``sig`` is Ed25519 by ``signer`` over ``pinned("ledger", entry without sig)``; the entry hash is
``SHA-256(canonical_json(entry with sig))``. Device keys, roles and epoch commitments come only from a
chain verified here, never from the server.

Entry types and their bodies (every entry after the genesis is signed by a device that holds ``beheer``
at that point and has not been revoked):

=================  ====================================================================================
``genesis``        ``{device: {id, ed25519, x25519, role, beheer: true}, epoch: 1, epoch_commit}``
``add_device``     ``{device: {id, ed25519, x25519, role, beheer}}`` (a new id and new keys)
``revoke_device``  ``{device: id, reason: RETIRED | LOST | LEFT}`` (a known, not yet revoked device)
``set_role``       ``{device: id, role, beheer}`` (a known, not revoked device)
``rotate_epoch``   ``{epoch: current + 1, epoch_commit, key_history}`` (see :func:`seal_key_history`)
``wipe``           ``{device: id}`` (a revoked device, once)
=================  ====================================================================================

A revoked device signs nothing after its revocation and is never added again; a change that would leave
the team without an active ``beheer`` device is refused (nobody could administer it any more).
"""

from __future__ import annotations

import copy
import hashlib
import hmac
import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from .canonical import CanonicalError, b64d, b64e, canonical_json, pinned
from .facts import MAX_LEDGER_ENTRY_BYTES, REVOKE_REASONS, ROLES
from .identity import ID_LEN, KEY_LEN, SIGNATURE_LEN, DeviceIdentity, verify_signature

__all__ = [
    "ENTRY_FIELDS",
    "ENTRY_TYPES",
    "REVOKE_REASONS",
    "GENESIS_PREV",
    "MAX_ENTRY",
    "KEY_HISTORY_LEN",
    "LedgerError",
    "DeviceInfo",
    "VerifiedLedger",
    "WipeDecision",
    "make_entry",
    "entry_hash",
    "epoch_commitment",
    "genesis",
    "add_device",
    "revoke_device",
    "set_role",
    "rotate_epoch",
    "wipe",
    "seal_key_history",
    "open_key_history",
    "unwrap_history",
    "verify_chain",
    "extend_chain",
    "verify_extension",
    "ledger_knows",
    "wipe_decision",
]

ENTRY_FIELDS = frozenset({"team", "index", "prev", "type", "body", "signer", "at", "sig"})
ENTRY_TYPES = ("genesis", "add_device", "revoke_device", "set_role", "rotate_epoch", "wipe")
DEVICE_FIELDS = frozenset({"id", "ed25519", "x25519", "role", "beheer"})
GENESIS_PREV = bytes(32)
MAX_ENTRY = MAX_LEDGER_ENTRY_BYTES  # canonical JSON bytes of one entry
HASH_LEN = 32
EPOCH_KEY_LEN = 32
_NONCE_LEN = 12
_TAG_LEN = 16
KEY_HISTORY_LEN = _NONCE_LEN + EPOCH_KEY_LEN + _TAG_LEN  # nonce || AES-256-GCM(previous epoch key)
KEY_HISTORY_INFO = b"veldwerk/key-history/v1\0"


class LedgerError(Exception):
    """The ledger (or an entry about to be made) is not valid; nothing from it may be trusted."""


@dataclass(frozen=True)
class DeviceInfo:
    """A device as the verified ledger knows it (its current role and ``beheer`` right)."""

    id: bytes
    ed25519: bytes
    x25519: bytes
    role: str
    beheer: bool


@dataclass
class VerifiedLedger:
    """The state of a verified chain: devices, epoch commitments, revocations and the head.

    ``devices`` keeps revoked devices too (their old envelopes still verify); use :meth:`active_devices`
    for the devices that may receive keys. ``hashes[i]`` is the hash of entry ``i``.
    """

    team: bytes
    devices: dict[bytes, DeviceInfo] = field(default_factory=dict)
    epochs: dict[int, bytes] = field(default_factory=dict)  # epoch -> commitment
    head_index: int = -1
    head_hash: bytes = GENESIS_PREV
    current_epoch: int = 0
    revoked: dict[bytes, tuple[str, int]] = field(default_factory=dict)  # device -> (reason, entry index)
    wipes: set[bytes] = field(default_factory=set)
    epoch_entry_index: dict[int, int] = field(default_factory=dict)  # epoch -> index of the entry creating it
    key_history: dict[int, bytes] = field(default_factory=dict)  # epoch e -> key of e-1 sealed under key e
    hashes: list[bytes] = field(default_factory=list)
    added_at: dict[bytes, int] = field(default_factory=dict)  # device -> index of its genesis/add_device
    # device -> [(index, role, beheer)] every change of role or beheer, oldest first
    role_history: dict[bytes, list[tuple[int, str, bool]]] = field(default_factory=dict)

    def device(self, device_id: bytes) -> DeviceInfo | None:
        """The device with ``device_id`` (revoked or not), or None."""
        return self.devices.get(device_id)

    def is_revoked(self, device_id: bytes) -> bool:
        return device_id in self.revoked

    def has_beheer(self, device_id: bytes) -> bool:
        """True if the device is known, not revoked and holds the ``beheer`` right now."""
        info = self.devices.get(device_id)
        return info is not None and info.beheer and device_id not in self.revoked

    def active_devices(self) -> dict[bytes, DeviceInfo]:
        """The devices that are in the team now (added and not revoked): the recipients of epoch keys."""
        return {key: info for key, info in self.devices.items() if key not in self.revoked}

    def index_of(self, head_hash: bytes) -> int | None:
        """The index of the entry whose hash is ``head_hash``, or None if this chain has no such entry."""
        try:
            return self.hashes.index(bytes(head_hash))
        except (ValueError, TypeError):
            return None

    def was_member_at(self, device_id: bytes, index: int) -> bool:
        """True if the device had been added at or before entry ``index`` and not revoked by then."""
        added = self.added_at.get(device_id)
        if added is None or index < added or index > self.head_index:
            return False
        revoked = self.revoked.get(device_id)
        return revoked is None or index < revoked[1]

    def _state_at(self, device_id: bytes, index: int) -> tuple[str, bool] | None:
        if not self.was_member_at(device_id, index):
            return None
        state = None
        for at, role, beheer in self.role_history.get(device_id, []):
            if at > index:
                break
            state = (role, beheer)
        return state

    def role_at(self, device_id: bytes, index: int) -> str | None:
        """The device's role just after entry ``index``, or None if it was not a member then."""
        state = self._state_at(device_id, index)
        return None if state is None else state[0]

    def beheer_at(self, device_id: bytes, index: int) -> bool:
        """True if the device was a member holding ``beheer`` just after entry ``index``."""
        state = self._state_at(device_id, index)
        return state is not None and state[1]

    def had_beheer_since(self, device_id: bytes, index: int) -> bool:
        """True if the device held ``beheer`` as a member at some entry from ``index`` to the head."""
        end = self.head_index
        revoked = self.revoked.get(device_id)
        if revoked is not None:
            end = min(end, revoked[1] - 1)
        changes = self.role_history.get(device_id, [])
        for k, (at, _role, beheer) in enumerate(changes):
            until = changes[k + 1][0] - 1 if k + 1 < len(changes) else end
            if beheer and at <= end and until >= index and at <= until:
                return True
        return False

    def epoch_at(self, index: int) -> int:
        """The epoch in force just after entry ``index`` (0 before the genesis)."""
        current = 0
        for epoch, at in sorted(self.epoch_entry_index.items()):
            if at <= index:
                current = epoch
        return current

    def rotation_due(self) -> bool:
        """True if a device was revoked after the entry that created the current epoch: rotate now."""
        return self.unrotated_revocation() is not None

    def unrotated_revocation(self) -> int | None:
        """Index of the first revocation after the entry that created the current epoch, if any: from that
        entry on, nothing may be sealed under the current key (the removed device holds it)."""
        start = self.epoch_entry_index.get(self.current_epoch, -1)
        later = [at for _reason, at in self.revoked.values() if at > start]
        return min(later) if later else None


def entry_hash(entry: dict[str, Any]) -> bytes:
    """``SHA-256(canonical_json(entry))`` of the complete entry (sig included)."""
    return hashlib.sha256(canonical_json(entry)).digest()


def epoch_commitment(team: bytes, epoch: int, epoch_key: bytes) -> bytes:
    """``HMAC-SHA256(epoch_key, pinned("epoch-id", {"team": team, "epoch": epoch}))`` (goes in the ledger)."""
    return hmac.new(
        bytes(epoch_key), pinned("epoch-id", {"team": bytes(team), "epoch": epoch}), hashlib.sha256
    ).digest()


def _unsigned(entry: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in entry.items() if key != "sig"}


def _check_role(role: Any) -> str:
    if not isinstance(role, str) or role not in ROLES:
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
    if not isinstance(beheer, bool):
        raise LedgerError("beheer must be true or false")
    return {
        "id": device_id,
        "ed25519": ed25519,
        "x25519": x25519,
        "role": _check_role(role),
        "beheer": beheer,
    }


def _check_id(device_id: bytes) -> bytes:
    if not isinstance(device_id, (bytes, bytearray)) or len(device_id) != ID_LEN:
        raise LedgerError("device id must be 16 bytes")
    return bytes(device_id)


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
    beheer: bool = False,
) -> dict[str, Any]:
    """An ``add_device`` entry signed by ``signer``; the new device gets ``beheer`` only when asked."""
    body = {"device": _device_body(device_id, ed25519, x25519, role, beheer)}
    return make_entry(team=team, index=index, prev=prev, type="add_device", body=body, signer=signer, at=at)


def revoke_device(
    team: bytes, index: int, prev: bytes, signer: DeviceIdentity, device_id: bytes, reason: str, at: int
) -> dict[str, Any]:
    """A ``revoke_device`` entry: ``reason`` is RETIRED (handed in), LOST (lost or stolen) or LEFT."""
    if reason not in REVOKE_REASONS:
        raise LedgerError(f"reason must be one of {', '.join(REVOKE_REASONS)}")
    body = {"device": _check_id(device_id), "reason": reason}
    return make_entry(
        team=team, index=index, prev=prev, type="revoke_device", body=body, signer=signer, at=at
    )


def set_role(
    team: bytes,
    index: int,
    prev: bytes,
    signer: DeviceIdentity,
    device_id: bytes,
    role: str,
    beheer: bool,
    at: int,
) -> dict[str, Any]:
    """A ``set_role`` entry: the device's role and ``beheer`` right from now on."""
    if not isinstance(beheer, bool):
        raise LedgerError("beheer must be true or false")
    body = {"device": _check_id(device_id), "role": _check_role(role), "beheer": beheer}
    return make_entry(team=team, index=index, prev=prev, type="set_role", body=body, signer=signer, at=at)


def rotate_epoch(
    team: bytes,
    index: int,
    prev: bytes,
    signer: DeviceIdentity,
    epoch: int,
    new_key: bytes,
    prev_key: bytes,
    at: int,
    *,
    _rng: Callable[[int], bytes] | None = None,
) -> dict[str, Any]:
    """A ``rotate_epoch`` entry for ``epoch`` (the current epoch + 1): the new key's commitment and the
    previous epoch key sealed under the new one (:func:`seal_key_history`).

    The new key itself travels only in grants to the remaining devices. ``_rng`` (tests, protocol
    examples) supplies the 12-byte key-history nonce.
    """
    if not _is_int(epoch) or epoch < 2:
        raise LedgerError("a rotation creates epoch 2 or later")
    body = {
        "epoch": epoch,
        "epoch_commit": epoch_commitment(team, epoch, _key(new_key)),
        "key_history": seal_key_history(team, epoch, new_key, prev_key, _rng=_rng),
    }
    return make_entry(team=team, index=index, prev=prev, type="rotate_epoch", body=body, signer=signer, at=at)


def wipe(
    team: bytes, index: int, prev: bytes, signer: DeviceIdentity, device_id: bytes, at: int
) -> dict[str, Any]:
    """A ``wipe`` entry: the (already revoked) device erases its local data when it sees this."""
    body = {"device": _check_id(device_id)}
    return make_entry(team=team, index=index, prev=prev, type="wipe", body=body, signer=signer, at=at)


# --- key history ------------------------------------------------------------------------------------


def _key(value: Any) -> bytes:
    if not isinstance(value, (bytes, bytearray)) or len(value) != EPOCH_KEY_LEN:
        raise LedgerError("an epoch key is 32 bytes")
    return bytes(value)


def _history_key(new_key: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=KEY_HISTORY_INFO).derive(new_key)


def _history_aad(team: bytes, epoch: int) -> bytes:
    return pinned("key-history", {"team": bytes(team), "epoch": epoch})


def seal_key_history(
    team: bytes,
    new_epoch: int,
    new_key: bytes,
    prev_key: bytes,
    *,
    _rng: Callable[[int], bytes] | None = None,
) -> bytes:
    """The previous epoch key sealed under the new one: ``nonce(12) || AES-256-GCM(k, prev_key, aad)``
    with ``k = HKDF-SHA256(new_key, salt=none, info="veldwerk/key-history/v1\\0")`` and
    ``aad = pinned("key-history", {team, epoch: new_epoch})``.

    Whoever holds epoch ``new_epoch``'s key can so read everything written before it (a newly confirmed
    device gets only the current key); a device removed before the rotation cannot read anything after.
    """
    if len(team) != ID_LEN or not _is_int(new_epoch) or new_epoch < 2:
        raise LedgerError("team must be 16 bytes and new_epoch at least 2")
    nonce = (_rng or os.urandom)(_NONCE_LEN)
    sealed = AESGCM(_history_key(_key(new_key))).encrypt(nonce, _key(prev_key), _history_aad(team, new_epoch))
    return nonce + sealed


def open_key_history(team: bytes, new_epoch: int, new_key: bytes, blob: bytes) -> bytes:
    """Inverse of :func:`seal_key_history`: the key of epoch ``new_epoch - 1``; :class:`LedgerError` if it
    does not open (wrong key, wrong team or epoch, tampered blob)."""
    if not isinstance(blob, (bytes, bytearray)) or len(blob) != KEY_HISTORY_LEN:
        raise LedgerError("key history must be 60 bytes")
    blob = bytes(blob)
    try:
        return AESGCM(_history_key(_key(new_key))).decrypt(
            blob[:_NONCE_LEN], blob[_NONCE_LEN:], _history_aad(team, new_epoch)
        )
    except (InvalidTag, ValueError) as exc:
        raise LedgerError(f"key history of epoch {new_epoch} does not open") from exc


def unwrap_history(ledger: VerifiedLedger, newest_epoch: int, newest_key: bytes) -> dict[int, bytes]:
    """Every epoch key from 1 to ``newest_epoch``, walked down the ledger's key history.

    ``newest_key`` and each key it unlocks are checked against their epoch's commitment in the verified
    ledger; any mismatch or a history that does not open raises :class:`LedgerError`.
    """
    keys: dict[int, bytes] = {}
    epoch, key = newest_epoch, _key(newest_key)
    while True:
        commitment = ledger.epochs.get(epoch)
        if commitment is None:
            raise LedgerError(f"epoch {epoch} is not in the verified ledger")
        if not hmac.compare_digest(epoch_commitment(ledger.team, epoch, key), commitment):
            raise LedgerError(f"key of epoch {epoch} does not match its commitment")
        keys[epoch] = key
        if epoch == 1:
            return keys
        blob = ledger.key_history.get(epoch)
        if blob is None:
            raise LedgerError(f"epoch {epoch} has no key history")
        key = open_key_history(ledger.team, epoch, key, blob)
        epoch -= 1


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


def _parse_device(value: Any, *, beheer: bool | None) -> DeviceInfo:
    if not isinstance(value, dict) or set(value) != DEVICE_FIELDS:
        raise LedgerError("malformed device")
    if not isinstance(value["beheer"], bool) or (beheer is not None and value["beheer"] is not beheer):
        raise LedgerError(f"device must have beheer={beheer}")
    return DeviceInfo(
        id=_b64_field(value, "id", ID_LEN),
        ed25519=_b64_field(value, "ed25519", KEY_LEN),
        x25519=_b64_field(value, "x25519", KEY_LEN),
        role=_check_role(value["role"]),
        beheer=value["beheer"],
    )


def _body_keys(body: dict[str, Any], keys: set[str], index: int) -> None:
    if set(body) != keys:
        raise LedgerError(f"entry {index}: malformed body")


def _authorise(state: VerifiedLedger, signer: bytes, sig: bytes, signed: bytes, index: int) -> None:
    """The signer must be a known device, not revoked, holding beheer now, and the signature must verify."""
    author = state.devices.get(signer)
    if author is None:
        raise LedgerError(f"entry {index}: signer has no beheer (unknown device)")
    if signer in state.revoked:
        raise LedgerError(f"entry {index}: signer was revoked at entry {state.revoked[signer][1]}")
    if not author.beheer:
        raise LedgerError(f"entry {index}: signer has no beheer")
    if not verify_signature(author.ed25519, sig, signed):
        raise LedgerError(f"entry {index}: bad signature")


def _target(state: VerifiedLedger, body: dict[str, Any], index: int) -> bytes:
    target = _b64_field(body, "device", ID_LEN)
    if target not in state.devices:
        raise LedgerError(f"entry {index}: target device is not in the team")
    return target


def _keep_one_beheer(state: VerifiedLedger, index: int) -> None:
    if not any(info.beheer for info in state.active_devices().values()):
        raise LedgerError(f"entry {index}: the team would have no active device with beheer left")


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
        state.added_at[device.id] = 0
        state.role_history[device.id] = [(0, device.role, True)]
        state.epochs[1] = commit
        state.epoch_entry_index[1] = 0
        state.current_epoch = 1
    elif kind not in ENTRY_TYPES:
        raise LedgerError(f"entry {index}: unknown type {kind!r}")
    elif index == 0:
        raise LedgerError("entry 0 must be the genesis")
    elif kind == "add_device":
        _authorise(state, signer, sig, signed, index)
        _body_keys(body, {"device"}, index)
        device = _parse_device(body["device"], beheer=None)
        if device.id in state.revoked:
            raise LedgerError(f"entry {index}: a revoked device cannot be added again (already in the team)")
        if device.id in state.devices:
            raise LedgerError(f"entry {index}: device already in the team")
        for known in state.devices.values():
            if known.ed25519 == device.ed25519 or known.x25519 == device.x25519:
                raise LedgerError(f"entry {index}: key already in use by another device")
        state.devices[device.id] = device
        state.added_at[device.id] = index
        state.role_history[device.id] = [(index, device.role, device.beheer)]
    elif kind == "revoke_device":
        _authorise(state, signer, sig, signed, index)
        _body_keys(body, {"device", "reason"}, index)
        target = _target(state, body, index)
        if body["reason"] not in REVOKE_REASONS:
            raise LedgerError(f"entry {index}: reason must be one of {', '.join(REVOKE_REASONS)}")
        if target in state.revoked:
            raise LedgerError(f"entry {index}: device is already revoked")
        state.revoked[target] = (body["reason"], index)
        _keep_one_beheer(state, index)
    elif kind == "set_role":
        _authorise(state, signer, sig, signed, index)
        _body_keys(body, {"device", "role", "beheer"}, index)
        target = _target(state, body, index)
        if target in state.revoked:
            raise LedgerError(f"entry {index}: a revoked device has no role to change")
        role = _check_role(body["role"])
        if not isinstance(body["beheer"], bool):
            raise LedgerError(f"entry {index}: beheer must be true or false")
        state.devices[target] = replace(state.devices[target], role=role, beheer=body["beheer"])
        state.role_history[target].append((index, role, body["beheer"]))
        _keep_one_beheer(state, index)
    elif kind == "rotate_epoch":
        _authorise(state, signer, sig, signed, index)
        _body_keys(body, {"epoch", "epoch_commit", "key_history"}, index)
        epoch = body["epoch"]
        if not _is_int(epoch) or epoch != state.current_epoch + 1:
            raise LedgerError(f"entry {index}: rotation must create epoch {state.current_epoch + 1}")
        state.epochs[epoch] = _b64_field(body, "epoch_commit", HASH_LEN)
        state.key_history[epoch] = _b64_field(body, "key_history", KEY_HISTORY_LEN)
        state.epoch_entry_index[epoch] = index
        state.current_epoch = epoch
    else:  # wipe
        _authorise(state, signer, sig, signed, index)
        _body_keys(body, {"device"}, index)
        target = _target(state, body, index)
        if target not in state.revoked:
            raise LedgerError(f"entry {index}: only a revoked device can be wiped")
        if target in state.wipes:
            raise LedgerError(f"entry {index}: device is already wiped")
        state.wipes.add(target)
    state.head_index = index
    state.head_hash = entry_hash(entry)
    state.hashes.append(state.head_hash)


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


def verify_extension(
    pinned: VerifiedLedger,
    entries: list[dict[str, Any]],
    head: tuple[int, bytes] | None = None,
) -> VerifiedLedger:
    """Verify what a server serves against the head this device pinned; return the new verified ledger.

    ``entries`` is either the whole chain (starting with the genesis) or the entries after the pinned
    head. Raises :class:`LedgerError` with "rollback" if the served ledger ends before the pinned head
    (a withheld rotation or revocation), and with "fork" if it holds another entry at the pinned index (a
    swapped key, a rewritten history). ``head`` (index, hash), as the server announces it, must match the
    verified result when given.
    """
    if not isinstance(entries, list):
        raise LedgerError("entries must be a list")
    first = entries[0].get("index") if entries and isinstance(entries[0], dict) else None
    if entries and first == 0:
        served = verify_chain(entries, pinned.team)
        if served.head_index < pinned.head_index:
            raise LedgerError(
                f"rollback: the served ledger ends at entry {served.head_index}, "
                f"before the pinned head {pinned.head_index}"
            )
        if pinned.head_index >= 0 and served.hashes[pinned.head_index] != pinned.head_hash:
            raise LedgerError(f"fork: the served ledger has another entry {pinned.head_index} than pinned")
    elif entries and _is_int(first) and first <= pinned.head_index:
        raise LedgerError(
            f"rollback/fork: the served entries start at {first}, at or before the pinned head "
            f"{pinned.head_index}"
        )
    else:
        try:
            served = extend_chain(pinned, entries)
        except LedgerError as exc:
            raise LedgerError(f"fork: the served entries do not extend the pinned head: {exc}") from exc
    if head is not None:
        index, head_hash = head
        if index < pinned.head_index:
            raise LedgerError(
                f"rollback: the server announces head {index}, before the pinned {pinned.head_index}"
            )
        if index != served.head_index or bytes(head_hash) != served.head_hash:
            raise LedgerError("the announced head is not the head of the served entries")
    return served


def ledger_knows(ledger: VerifiedLedger, head_hash: bytes) -> bool:
    """True if ``head_hash`` (an envelope's ``ledger_head``) is an entry of this verified ledger.

    False means this device has not seen the ledger the sealer had seen: fetch the ledger (with
    :func:`verify_extension`); if the server cannot produce a chain containing it, it is withholding.
    """
    return ledger.index_of(head_hash) is not None


@dataclass(frozen=True)
class WipeDecision:
    """What a device should do about its own revocation.

    ``wipe``: a verified wipe entry names this device: erase local data (after delivering the outbox
    when ``deliver_outbox_first``). ``revoked``: the reason, or None when not revoked.
    """

    wipe: bool
    revoked: str | None
    deliver_outbox_first: bool


def wipe_decision(pinned: VerifiedLedger, entries: Any, device_id: bytes) -> WipeDecision:
    """Decide from a served ledger whether ``device_id`` must erase itself. Never raises.

    Only a chain that verifies *and* extends the pinned head counts; anything else (a server error
    turned into garbage, a forged or rolled-back answer) decides "do nothing".
    """
    try:
        ledger = verify_extension(pinned, entries)
    except (LedgerError, AttributeError, TypeError, KeyError, ValueError, RecursionError):
        return WipeDecision(False, None, False)
    revoked = ledger.revoked.get(device_id)
    reason = None if revoked is None else revoked[0]
    wiped = device_id in ledger.wipes
    return WipeDecision(wiped, reason, wiped and reason == "RETIRED")
