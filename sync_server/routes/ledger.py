"""The team ledger: stored and relayed, never forged. The server verifies each new entry with the clients'
own rules (``field_app.crypto.ledger``) as the continuation of the stored chain, checks that it names
enrolled devices with their registered keys, and mirrors its effects (confirmation, role, beheer,
revocation) into the device table in the same transaction. Clients still verify the whole chain."""

from __future__ import annotations

import hashlib
import json
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request

from field_app.crypto.canonical import CanonicalError, b64d, b64e, canonical_json, pinned
from field_app.crypto.ledger import LedgerError, VerifiedLedger, extend_chain, verify_chain

from .. import attempts
from ..protocol import (
    HASH_BYTES,
    ID_BYTES,
    LEDGER_TYPES,
    MAX_LEDGER_ENTRY_BYTES,
    ApiError,
    ErrorCode,
    LedgerHead,
    LedgerOut,
    LedgerPostIn,
    LedgerPostOut,
    query_int_schema,
)
from ..store.base import Device, LedgerConflict, LedgerEffects, LedgerRow, Store
from .deps import (
    Caller,
    JsonRoute,
    LedgersDep,
    SettingsDep,
    StoreDep,
    public_key,
    query_int,
    require_beheer,
    require_confirmed,
    signature_ok,
    team_caller,
)

router = APIRouter(prefix="/v1/teams/{team}", tags=["ledger"], route_class=JsonRoute)

GENESIS_PREV = b64e(bytes(HASH_BYTES))
_DEVICE_FIELDS = {"id", "ed25519", "x25519", "role", "beheer"}


@router.get("/ledger", response_model=LedgerOut)
def read_ledger(
    caller: Annotated[Caller, Depends(team_caller("ledger.read"))],
    store: StoreDep,
    after: Annotated[str | None, query_int_schema(-1, 2**53),
                     Query(description="Entries with a greater index (default -1: all).")] = None,
) -> LedgerOut:
    """Entries after ``after`` in index order, and the current head."""
    return _ledger_out(store, caller.team, query_int(after, "after", -1, -1, 2**53))


@router.get("/ledger/public", response_model=LedgerOut)
def read_public_ledger(
    team: str,
    store: StoreDep,
    settings: SettingsDep,
    request: Request,
    device: Annotated[str | None, Query(description="The id of a device enrolled in this team.")] = None,
    after: Annotated[str | None, query_int_schema(-1, 2**53),
                     Query(description="Entries with a greater index (default -1: all).")] = None,
) -> LedgerOut:
    """The ledger without a token, for a device that is enrolled in the team in any status.

    A revoked device has no token any more, yet must be able to see a wipe entry addressed to it. The
    ledger holds only ids, public keys, roles, epoch commitments, sealed key history and times — no
    names and nothing a key could be derived from — and it is served only to a caller that already
    knows the id of a device of this team.
    """
    source = attempts.source_of(request)
    attempts.gate(store, settings, source)
    # Only ids are looked up: any other text (a NUL byte, found by an attack on PostgreSQL, whose text
    # columns refuse it: a 500 with a stack trace in the log) names no device either.
    known = store.get_device(team, device) if _is_b64_of(team, ID_BYTES) and _is_b64_of(device, ID_BYTES) else None
    if known is None:
        attempts.failed(store, settings, source, None, None, "ledger.public", ErrorCode.UNKNOWN_DEVICE.code)
        raise ApiError(ErrorCode.UNKNOWN_DEVICE)
    now = settings.clock()
    try:
        out = _ledger_out(store, team, query_int(after, "after", -1, -1, 2**53))
    except ApiError as exc:
        attempts.failed(store, settings, source, team, known.id, "ledger.public", exc.error.code, known.role)
        raise
    store.log_access(now, team, known.id, "ledger.public", "ok", known.role)
    return out


def _ledger_out(store: Store, team: str, after_index: int) -> LedgerOut:
    entries = [json.loads(row.entry) for row in store.ledger_entries(team, after_index)]
    head = store.ledger_head(team)
    return LedgerOut(
        entries=entries, head=None if head is None else LedgerHead(index=head.index, hash=head.hash)
    )


@router.post("/ledger", response_model=LedgerPostOut)
def append_entry(
    body: LedgerPostIn,
    caller: Annotated[Caller, Depends(team_caller("ledger.append"))],
    store: StoreDep,
    settings: SettingsDep,
    ledgers: LedgersDep,
) -> LedgerPostOut:
    """Append one signed entry; a stale ``index``/``prev`` answers 409 ``ledger_conflict``. An ``at`` more
    than ``LEDGER_AT_AHEAD_MS`` (a day) ahead of the server's clock is 400 ``bad_ledger_entry``, nothing
    stored: a coordinator whose clock is that far off sets it right and signs again."""
    entry = body.entry.model_dump()
    try:
        entry_bytes = canonical_json(entry)
    except CanonicalError as exc:
        raise ApiError(ErrorCode.BAD_LEDGER_ENTRY, f"The entry has no canonical form: {exc}") from None
    if len(entry_bytes) > MAX_LEDGER_ENTRY_BYTES:
        raise ApiError(ErrorCode.ENTRY_TOO_LARGE)
    if entry["team"] != caller.team:
        raise ApiError(ErrorCode.WRONG_TEAM, "The entry's team is not the path's team.")
    if entry["signer"] != caller.device.id:
        raise ApiError(ErrorCode.WRONG_DEVICE, "The entry's signer is not the calling device.")
    if entry["type"] not in LEDGER_TYPES:
        raise ApiError(ErrorCode.BAD_LEDGER_ENTRY, f"Entry type must be one of {', '.join(LEDGER_TYPES)}.")
    unsigned = {k: v for k, v in entry.items() if k != "sig"}
    if not signature_ok(public_key(caller.device.ed25519), b64d(entry["sig"]), pinned("ledger", unsigned)):
        raise ApiError(ErrorCode.BAD_SIGNATURE, "The entry signature does not verify with the signer's key.")
    require_beheer(caller)

    head = store.ledger_head(caller.team)
    effects = None
    if entry["type"] == "genesis":
        if head is not None or entry["index"] != 0:
            raise ApiError(ErrorCode.LEDGER_CONFLICT, "The ledger already has a genesis entry.")
        if entry["prev"] != GENESIS_PREV:
            raise ApiError(ErrorCode.BAD_LEDGER_ENTRY, "The genesis prev must be 32 zero bytes.")
        _check_genesis_body(entry["body"], caller.device)
        verified = _verified(lambda: verify_chain([entry], b64d(caller.team), now=settings.clock()))
        confirm: str | None = caller.device.id
    else:
        require_confirmed(caller)
        if head is None or entry["index"] != head.index + 1 or entry["prev"] != head.hash:
            raise ApiError(ErrorCode.LEDGER_CONFLICT)
        current = ledgers.get(store, caller.team)
        assert current is not None
        confirm, effects = _check_body(entry, store, caller.team)
        verified = _verified(lambda: extend_chain(current, [entry], now=settings.clock()))

    entry_hash = b64e(hashlib.sha256(entry_bytes).digest())
    row = LedgerRow(entry["index"], entry_hash, entry_bytes.decode("utf-8"))
    try:
        store.append_ledger(caller.team, row, entry["prev"], confirm, settings.clock(), effects)
    except LedgerConflict:
        raise ApiError(ErrorCode.LEDGER_CONFLICT) from None
    ledgers.put(caller.team, verified)
    return LedgerPostOut(index=row.index, hash=entry_hash)


def _verified(verify: Any) -> VerifiedLedger:
    """Run the clients' chain rules; a refusal is 400 ``bad_ledger_entry`` naming the rule."""
    try:
        return verify()
    except LedgerError as exc:
        raise ApiError(ErrorCode.BAD_LEDGER_ENTRY, f"The ledger refuses this entry: {exc}.") from None


def _check_body(entry: dict[str, Any], store: Store, team: str) -> tuple[str | None, LedgerEffects | None]:
    """Server-side checks against the device table, and the entry's effects on it."""
    kind, body = entry["type"], entry["body"]
    if kind == "add_device":
        target = store.get_device(team, _device_id(body))
        beheer = _check_add_device_body(body, target)
        assert target is not None
        return target.id, LedgerEffects(set_device=(target.id, target.role, beheer))
    if kind == "rotate_epoch":
        return None, None
    target_id = body.get("device")
    target = store.get_device(team, target_id) if _is_b64_of(target_id, ID_BYTES) else None
    if target is None:
        raise _bad("body.device is not a device enrolled in this team.")
    if kind == "revoke_device":
        reason = body.get("reason")
        if not isinstance(reason, str):
            raise _bad("body.reason is missing.")
        return None, LedgerEffects(revoke=(target.id, reason, entry["index"]))
    if kind == "set_role":
        role, beheer = body.get("role"), body.get("beheer")
        if not isinstance(role, str) or not isinstance(beheer, bool):
            raise _bad("A set_role body is {device, role, beheer}.")
        return None, LedgerEffects(set_device=(target.id, role, beheer))
    return None, None  # wipe: the ledger itself carries it to the revoked device


def _bad(detail: str) -> ApiError:
    return ApiError(ErrorCode.BAD_LEDGER_ENTRY, detail)


def _device_id(body: dict[str, Any]) -> str:
    device = body.get("device")
    if not isinstance(device, dict) or not _is_b64_of(device.get("id"), ID_BYTES):
        raise _bad("body.device.id is missing or not an id.")
    return device["id"]


def _check_device(claimed: Any, registered: Device | None, beheer: bool | None) -> None:
    """``claimed`` must repeat the registered keys and role exactly."""
    if not isinstance(claimed, dict) or set(claimed) != _DEVICE_FIELDS:
        raise _bad("body.device must be {id, ed25519, x25519, role, beheer}.")
    if registered is None:
        raise _bad("body.device is not a device enrolled in this team.")
    if (claimed["id"], claimed["ed25519"], claimed["x25519"], claimed["role"]) != (
        registered.id,
        registered.ed25519,
        registered.x25519,
        registered.role,
    ):
        raise _bad("body.device does not match the enrolled device's keys and role.")
    if not isinstance(claimed["beheer"], bool):
        raise _bad("body.device.beheer must be true or false.")
    if beheer is not None and claimed["beheer"] is not beheer:
        raise _bad(f"body.device.beheer must be {str(beheer).lower()}.")


def _check_genesis_body(body: dict[str, Any], signer: Device) -> None:
    if set(body) != {"device", "epoch", "epoch_commit"}:
        raise _bad("A genesis body is {device, epoch, epoch_commit}.")
    _check_device(body["device"], signer, beheer=True)
    if type(body["epoch"]) is not int or body["epoch"] != 1:
        raise _bad("A genesis starts epoch 1.")
    if not _is_b64_of(body["epoch_commit"], HASH_BYTES):
        raise _bad("epoch_commit must be 32 bytes of unpadded base64url.")


def _check_add_device_body(body: dict[str, Any], target: Device | None) -> bool:
    """The enrolled, pending device with its registered keys and role; returns the beheer it gets."""
    if set(body) != {"device"}:
        raise _bad("An add_device body is {device}.")
    _check_device(body["device"], target, beheer=None)
    assert target is not None
    if target.status != "pending":
        raise _bad(f"The device is {target.status}, not pending.")
    return body["device"]["beheer"]


def _is_b64_of(value: Any, length: int) -> bool:
    try:
        return len(b64d(value)) == length
    except ValueError:
        return False
