"""``POST /changes/redeliver``: a device delivers again envelopes of its own chain whose copies on the
server no longer verify (a flipped bit on disk, an edited database). Readers refuse such a copy and hold
back that device's later envelopes (field_app/sync/holds.py); the author keeps what it delivered and,
when its own chain as the server serves it does not match what it sealed, sends those envelopes again
(field_app/sync/own_chain.py). docs/security.md has the argument.

A re-delivered envelope is stored only when: it is the caller's own and its signature verifies; the
server holds a row of the caller's chain at its device_seq under the same op_id; that stored copy does
*not* verify with the caller's key; and its SHA-256 is the one the chain names for that place (the
``prev_hash`` of the next envelope, or the chain head the server recorded when it was first accepted),
so it is byte for byte the envelope accepted then. It is then served again under a new seq; the damaged
row keeps its seq. The same bytes as stored answer ``duplicate``; anything else stays 409 ``op_conflict``
and nothing is stored."""

from __future__ import annotations

import hashlib
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel

from field_app.crypto import wire
from field_app.crypto.canonical import b64e

from ..protocol import (
    MAX_ENVELOPES_PER_PUSH,
    PULL_LIMIT_DEFAULT,
    PULL_LIMIT_MAX,
    PULL_LIMIT_MIN,
    ApiError,
    ErrorCode,
    PushIn,
    PushOut,
    PushResult,
    query_int_schema,
)
from ..store.base import OpConflict, OwnChange, Replacement
from .changes import Checked, PageLimit, _check_signed, _decoded
from .deps import (
    Caller,
    JsonRoute,
    SettingsDep,
    StoreDep,
    public_key,
    query_int,
    require_confirmed,
    require_own_device,
    signature_ok,
    team_caller,
)

router = APIRouter(prefix="/v1/teams/{team}", tags=["changes"], route_class=JsonRoute)


@router.post("/changes/redeliver", response_model=PushOut)
def redeliver(
    body: PushIn,
    caller: Annotated[Caller, Depends(team_caller("changes.redeliver"))],
    store: StoreDep,
    settings: SettingsDep,
) -> PushOut:
    """Deliver again envelopes of the caller's own chain whose stored copies no longer verify; each is
    served again under a new seq (``duplicate: false``). The same bytes as stored answer their seq
    (``duplicate: true``). All or nothing: any other envelope is 409 ``op_conflict``. ``head`` is ignored."""
    require_confirmed(caller)
    if len(body.envelopes) > MAX_ENVELOPES_PER_PUSH:
        raise ApiError(ErrorCode.TOO_MANY_ENVELOPES)
    key = public_key(caller.device.ed25519)
    checked = [_decoded(i, text) for i, text in enumerate(body.envelopes)]
    for i, (parts, _) in enumerate(checked):
        _check_signed(i, parts, caller.team, caller.device, key)  # each alone: they need not be a run
    by_seq: dict[int, tuple[int, Checked]] = {}
    for i, item in enumerate(checked):
        if by_seq.setdefault(item[0].header["device_seq"], (i, item))[0] != i:
            raise ApiError(ErrorCode.OP_CONFLICT, f"Envelope {i}: another envelope of this push has its place.")
    places = set(by_seq) | {s + 1 for s in by_seq}
    rows = store.chain_rows(caller.team, caller.device.id, sorted(places))
    head = store.chain_head(caller.team, caller.device.id)
    answers: dict[int, PushResult] = {}
    replacements: list[tuple[int, Replacement]] = []
    for device_seq in sorted(by_seq, reverse=True):  # the next place first: its prev_hash names this one
        i, (parts, raw) = by_seq[device_seq]
        op_id, row = rows.get(device_seq, (None, None))
        if row is None or op_id != parts.header["op_id"]:
            raise ApiError(ErrorCode.OP_CONFLICT, f"Envelope {i}: the server holds no envelope of it at its place.")
        if row.envelope == raw:
            answers[i] = PushResult(op_id=op_id, seq=row.seq, duplicate=True)
            continue
        if _verifies(row, key, caller.device.id):
            raise ApiError(ErrorCode.OP_CONFLICT, f"Envelope {i}: the stored copy verifies; it stays.")
        if hashlib.sha256(raw).digest() != _named_hash(device_seq, by_seq, rows, head, key, caller.device.id):
            raise ApiError(ErrorCode.OP_CONFLICT, f"Envelope {i} is not the one the chain names at its place.")
        replacements.append((i, Replacement(op_id, device_seq, hashlib.sha256(row.envelope).digest(), raw)))
    replacements.sort(key=lambda r: r[1].device_seq)  # served again in chain order
    try:
        outcomes = store.replace_changes(caller.team, caller.device.id, [r for _, r in replacements],
                                         settings.clock())
    except OpConflict:
        raise ApiError(ErrorCode.OP_CONFLICT, "A stored copy changed meanwhile; nothing was stored.") from None
    for (i, _), outcome in zip(replacements, outcomes, strict=True):
        answers[i] = PushResult(op_id=outcome.op_id, seq=outcome.seq, duplicate=False)
    return PushOut(results=[answers[i] for i in sorted(answers)])


def _verifies(row: OwnChange, key, device: str) -> bool:
    """The stored copy is well formed, names its place and the device, and its signature verifies."""
    try:
        parts = wire.unpack(row.envelope)
    except (wire.EnvelopeFormatError, ValueError, RecursionError):
        return False
    return parts.header.get("device") == device and parts.header.get("device_seq") == row.device_seq \
        and signature_ok(key, parts.signature, parts.signed_bytes())


def _named_hash(device_seq: int, by_seq: dict[int, tuple[int, Checked]], rows: dict[int, tuple[str, OwnChange]],
                head, key, device: str) -> bytes | None:
    """The SHA-256 the chain names for ``device_seq``: the recorded head's, or the next envelope's
    ``prev_hash`` (from this push, or the stored next envelope when that one verifies)."""
    if head is not None and head.device_seq == device_seq:
        return bytes(head.hash)
    if device_seq + 1 in by_seq:
        return by_seq[device_seq + 1][1][0].prev_hash
    _, after = rows.get(device_seq + 1, (None, None))
    if after is not None and _verifies(after, key, device):
        return wire.unpack(after.envelope).prev_hash
    return None


class OwnHashOut(BaseModel):
    seq: int
    device_seq: int
    hash: str  # SHA-256 of the stored copy, base64url


class OwnHashesOut(BaseModel):
    hashes: list[OwnHashOut]
    more: bool


@router.get("/devices/{device}/chain/hashes", response_model=OwnHashesOut)
def own_hashes(
    device: str,
    caller: Annotated[Caller, Depends(team_caller("chain.hashes"))],
    store: StoreDep,
    after: Annotated[str | None, query_int_schema(0, 2**53),
                     Query(description="Places with a greater device_seq (default 0).")] = None,
    limit: PageLimit = None,
) -> OwnHashesOut:
    """The SHA-256 of every stored copy of the calling device's own chain after a device_seq, in chain
    order: the device compares them with what it sealed and delivers again what no longer matches
    (``POST /changes/redeliver``), about 100 bytes a place instead of the envelopes. Only a device's own
    (403 ``wrong_device``)."""
    require_confirmed(caller)
    require_own_device(caller, device)
    after_seq = query_int(after, "after", 0, 0, 2**53)
    page_size = query_int(limit, "limit", PULL_LIMIT_DEFAULT, PULL_LIMIT_MIN, PULL_LIMIT_MAX)
    rows = store.own_changes(caller.team, device, after_seq, page_size + 1)
    return OwnHashesOut(
        hashes=[OwnHashOut(seq=r.seq, device_seq=r.device_seq, hash=b64e(hashlib.sha256(r.envelope).digest()))
                for r in rows[:page_size]],
        more=len(rows) > page_size,
    )


__all__ = ["router"]
