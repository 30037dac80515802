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
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from .canonical import CanonicalError, b64d, canonical_json, pinned
from .facts import LEDGER_AT_AHEAD_MS, MAX_WIRE_INT, REVOKE_REASONS
from .identity import ID_LEN, KEY_LEN, SIGNATURE_LEN, verify_signature
from .ledger_entries import (  # the builders and key history are part of the ledger's API
    _check_role,
    _unsigned,
    add_device,
    genesis,
    make_entry,
    open_key_history,
    revoke_device,
    rotate_epoch,
    seal_key_history,
    set_role,
    unwrap_history,
    wipe,
)
from .ledger_model import (
    DEVICE_FIELDS,
    ENTRY_FIELDS,
    ENTRY_TYPES,
    GENESIS_PREV,
    HASH_LEN,
    KEY_HISTORY_LEN,
    MAX_ENTRY,
    DeviceInfo,
    LedgerError,
    LedgerTimeError,
    VerifiedLedger,
    _is_int,
    entry_hash,
    epoch_commitment,
)

__all__ = [
    "ENTRY_FIELDS",
    "ENTRY_TYPES",
    "REVOKE_REASONS",
    "GENESIS_PREV",
    "MAX_ENTRY",
    "KEY_HISTORY_LEN",
    "LedgerError",
    "LedgerTimeError",
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


# --- verification -----------------------------------------------------------------------------------


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


def _check_frame(state: VerifiedLedger, entry: Any, index: int, now: int | None,
                 ahead: int = LEDGER_AT_AHEAD_MS) -> tuple[bytes, bytes, dict, bytes]:
    """The parts every entry has, checked against the chain: ``(signer, sig, body, signed bytes)``. With
    ``now`` (UTC ms of the checking clock) an ``at`` more than ``ahead`` ms ahead of it is refused too."""
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
    if not _is_int(entry["at"]) or not 0 <= entry["at"] <= MAX_WIRE_INT:
        raise LedgerError(f"entry {index}: bad time (at must be UTC milliseconds, an integer from 0 to 2^53)")
    if now is not None and entry["at"] > now + ahead:
        raise LedgerTimeError(f"entry {index}: its time (at {entry['at']}) lies more than "
                              f"{ahead // 3600_000} h ahead of this clock ({now})")
    signer = _b64_field(entry, "signer", ID_LEN)
    sig = _b64_field(entry, "sig", SIGNATURE_LEN)
    body = entry["body"]
    if not isinstance(body, dict):
        raise LedgerError(f"entry {index}: body must be an object")
    return signer, sig, body, pinned("ledger", _unsigned(entry))


def _genesis(state: VerifiedLedger, body: dict, index: int, signer: bytes, sig: bytes, signed: bytes) -> None:
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


def _add_device(state: VerifiedLedger, body: dict, index: int) -> None:
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


def _revoke_device(state: VerifiedLedger, body: dict, index: int) -> None:
    _body_keys(body, {"device", "reason"}, index)
    target = _target(state, body, index)
    if body["reason"] not in REVOKE_REASONS:
        raise LedgerError(f"entry {index}: reason must be one of {', '.join(REVOKE_REASONS)}")
    if target in state.revoked:
        raise LedgerError(f"entry {index}: device is already revoked")
    state.revoked[target] = (body["reason"], index)
    _keep_one_beheer(state, index)


def _set_role(state: VerifiedLedger, body: dict, index: int) -> None:
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


def _rotate_epoch(state: VerifiedLedger, body: dict, index: int) -> None:
    _body_keys(body, {"epoch", "epoch_commit", "key_history"}, index)
    epoch = body["epoch"]
    if not _is_int(epoch) or epoch != state.current_epoch + 1:
        raise LedgerError(f"entry {index}: rotation must create epoch {state.current_epoch + 1}")
    state.epochs[epoch] = _b64_field(body, "epoch_commit", HASH_LEN)
    state.key_history[epoch] = _b64_field(body, "key_history", KEY_HISTORY_LEN)
    state.epoch_entry_index[epoch] = index
    state.current_epoch = epoch


def _wipe(state: VerifiedLedger, body: dict, index: int) -> None:
    _body_keys(body, {"device"}, index)
    target = _target(state, body, index)
    if target not in state.revoked:
        raise LedgerError(f"entry {index}: only a revoked device can be wiped")
    if target in state.wipes:
        raise LedgerError(f"entry {index}: device is already wiped")
    state.wipes.add(target)


# every entry after the genesis: signed by an active device with beheer, then its own rules
_AFTER_GENESIS: dict[str, Callable[[VerifiedLedger, dict, int], None]] = {
    "add_device": _add_device, "revoke_device": _revoke_device, "set_role": _set_role,
    "rotate_epoch": _rotate_epoch, "wipe": _wipe,
}


def _apply(state: VerifiedLedger, entry: Any, now: int | None, ahead: int = LEDGER_AT_AHEAD_MS) -> None:
    """Verify ``entry`` as the next entry of ``state`` and apply it; :class:`LedgerError` if it is not."""
    index = state.head_index + 1
    signer, sig, body, signed = _check_frame(state, entry, index, now, ahead)
    kind = entry["type"]
    if kind == "genesis":
        _genesis(state, body, index, signer, sig, signed)
    elif kind not in ENTRY_TYPES:
        raise LedgerError(f"entry {index}: unknown type {kind!r}")
    elif index == 0:
        raise LedgerError("entry 0 must be the genesis")
    else:
        _authorise(state, signer, sig, signed, index)
        _AFTER_GENESIS[kind](state, body, index)
    state.head_index = index
    state.head_hash = entry_hash(entry)
    state.hashes.append(state.head_hash)


def extend_chain(ledger: VerifiedLedger, entries: list[dict[str, Any]], *, now: int | None = None,
                 ahead: int = LEDGER_AT_AHEAD_MS) -> VerifiedLedger:
    """Verify ``entries`` as the continuation of ``ledger`` (index ``head_index + 1`` onwards).

    Returns a new :class:`VerifiedLedger`; ``ledger`` is not changed. Raises :class:`LedgerError`
    (:class:`LedgerTimeError` for an ``at`` more than ``ahead`` ms ahead of ``now``, when given).
    """
    state = copy.deepcopy(ledger)
    if not isinstance(entries, list):
        raise LedgerError("entries must be a list")
    for entry in entries:
        _apply(state, entry, now, ahead)
    return state


def verify_chain(entries: list[dict[str, Any]], team: bytes, *, now: int | None = None,
                 ahead: int = LEDGER_AT_AHEAD_MS) -> VerifiedLedger:
    """Verify a whole chain from its genesis for ``team``; :class:`LedgerError` if anything is wrong."""
    if not isinstance(team, bytes) or len(team) != ID_LEN:
        raise LedgerError("team must be 16 bytes")
    if not isinstance(entries, list) or not entries:
        raise LedgerError("a ledger starts with its genesis entry")
    return extend_chain(VerifiedLedger(team=team), entries, now=now, ahead=ahead)


def verify_extension(
    pinned: VerifiedLedger,
    entries: list[dict[str, Any]],
    head: tuple[int, bytes] | None = None,
    *,
    now: int | None = None,
    ahead: int = LEDGER_AT_AHEAD_MS,
) -> VerifiedLedger:
    """Verify what a server serves against the head this device pinned; return the new verified ledger.

    ``entries`` is either the whole chain (starting with the genesis) or the entries after the pinned
    head. Raises :class:`LedgerError` with "rollback" if the served ledger ends before the pinned head
    (a withheld rotation or revocation), and with "fork" if it holds another entry at the pinned index (a
    swapped key, a rewritten history). ``head`` (index, hash), as the server announces it, must match the
    verified result when given. With ``now`` (this device's clock) an entry whose ``at`` lies more than
    ``ahead`` ms ahead raises :class:`LedgerTimeError`, not a fork: the chain may be whole.
    """
    if not isinstance(entries, list):
        raise LedgerError("entries must be a list")
    first = entries[0].get("index") if entries and isinstance(entries[0], dict) else None
    if entries and first == 0:
        served = verify_chain(entries, pinned.team, now=now, ahead=ahead)
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
            served = extend_chain(pinned, entries, now=now, ahead=ahead)
        except LedgerTimeError:
            raise
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


def wipe_decision(pinned: VerifiedLedger, entries: Any, device_id: bytes, *, now: int | None = None) -> WipeDecision:
    """Decide from a served ledger whether ``device_id`` must erase itself. Never raises.

    Only a chain that verifies *and* extends the pinned head counts; anything else (a server error
    turned into garbage, a forged or rolled-back answer) decides "do nothing".
    """
    try:
        ledger = verify_extension(pinned, entries, now=now)
    except (LedgerError, AttributeError, TypeError, KeyError, ValueError, RecursionError):
        return WipeDecision(False, None, False)
    revoked = ledger.revoked.get(device_id)
    reason = None if revoked is None else revoked[0]
    wiped = device_id in ledger.wipes
    return WipeDecision(wiped, reason, wiped and reason == "RETIRED")
