"""Making team-ledger entries (signed by a device with ``beheer``) and the key history that lets a device
holding the newest epoch key open every earlier one (see :mod:`.ledger` for the entry types)."""

from __future__ import annotations

import hmac
import json
import os
from collections.abc import Callable
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from .canonical import CanonicalError, b64e, canonical_json, pinned
from .facts import REVOKE_REASONS, ROLES
from .identity import ID_LEN, KEY_LEN, DeviceIdentity
from .ledger_model import (
    _NONCE_LEN,
    ENTRY_TYPES,
    EPOCH_KEY_LEN,
    GENESIS_PREV,
    HASH_LEN,
    KEY_HISTORY_INFO,
    KEY_HISTORY_LEN,
    MAX_ENTRY,
    LedgerError,
    VerifiedLedger,
    _is_int,
    epoch_commitment,
)


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
