"""Push and pull of sealed envelopes. The server checks framing, team, device and signature, assigns a
per-team seq, and never opens anything."""

from __future__ import annotations

from typing import Annotated

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from fastapi import APIRouter, Depends, Query

from field_app.crypto import wire
from field_app.crypto.canonical import CanonicalError, b64d, b64e

from ..protocol import (
    MAX_ENVELOPE_BYTES,
    MAX_ENVELOPES_PER_PUSH,
    PULL_LIMIT_DEFAULT,
    PULL_LIMIT_MAX,
    PULL_LIMIT_MIN,
    ApiError,
    Change,
    ErrorCode,
    PullOut,
    PushIn,
    PushOut,
    PushResult,
)
from ..store.base import OpConflict, PushItem
from .deps import (
    Caller,
    JsonRoute,
    SettingsDep,
    StoreDep,
    public_key,
    query_int,
    require_confirmed,
    signature_ok,
    team_caller,
)

router = APIRouter(prefix="/v1/teams/{team}", tags=["changes"], route_class=JsonRoute)

_MAX_ENVELOPE_CHARS = -(-MAX_ENVELOPE_BYTES * 4 // 3)


@router.post("/changes", response_model=PushOut)
def push(
    body: PushIn,
    caller: Annotated[Caller, Depends(team_caller("changes.push"))],
    store: StoreDep,
    settings: SettingsDep,
) -> PushOut:
    """Store a batch of envelopes, all or nothing. Idempotent by op_id: the same bytes again answer the
    original seq (``duplicate: true``); other bytes under a known op_id answer 409 ``op_conflict``."""
    require_confirmed(caller)
    if len(body.envelopes) > MAX_ENVELOPES_PER_PUSH:
        raise ApiError(ErrorCode.TOO_MANY_ENVELOPES)
    key = public_key(caller.device.ed25519)
    items = [_checked(i, text, caller, key) for i, text in enumerate(body.envelopes)]
    try:
        outcomes = store.push(caller.team, items, settings.clock())
    except OpConflict as exc:
        raise ApiError(
            ErrorCode.OP_CONFLICT,
            f"op_id {exc.op_id} is stored with other bytes; nothing of this push was stored.",
        ) from None
    return PushOut(results=[PushResult(op_id=o.op_id, seq=o.seq, duplicate=o.duplicate) for o in outcomes])


def _checked(i: int, text: str, caller: Caller, key: Ed25519PublicKey) -> PushItem:
    if len(text) > _MAX_ENVELOPE_CHARS:
        raise ApiError(
            ErrorCode.ENVELOPE_TOO_LARGE, f"Envelope {i} is larger than {MAX_ENVELOPE_BYTES} bytes."
        )
    try:
        raw = b64d(text)
    except ValueError:
        raise ApiError(ErrorCode.BAD_ENVELOPE, f"Envelope {i} is not unpadded base64url.") from None
    if len(raw) > MAX_ENVELOPE_BYTES:
        raise ApiError(
            ErrorCode.ENVELOPE_TOO_LARGE, f"Envelope {i} is larger than {MAX_ENVELOPE_BYTES} bytes."
        )
    try:
        parts = wire.unpack(raw)
    except (wire.EnvelopeFormatError, CanonicalError, ValueError, RecursionError) as exc:
        reason = str(exc) if isinstance(exc, wire.EnvelopeFormatError) else "malformed header"
        raise ApiError(ErrorCode.BAD_ENVELOPE, f"Envelope {i}: {reason}.") from None
    if type(parts.header["v"]) is not int:  # wire.unpack lets `"v": true` through (True == 1)
        raise ApiError(ErrorCode.BAD_ENVELOPE, f"Envelope {i}: unknown envelope version.")
    if parts.header["team"] != caller.team:
        raise ApiError(ErrorCode.WRONG_TEAM, f"Envelope {i} is sealed for another team.")
    if parts.header["device"] != caller.device.id:
        raise ApiError(ErrorCode.WRONG_DEVICE, f"Envelope {i} was sealed by another device than the caller.")
    if not signature_ok(key, parts.signature, parts.signed_bytes()):
        raise ApiError(ErrorCode.BAD_SIGNATURE, f"Envelope {i}: the signature does not verify.")
    return PushItem(parts.header["op_id"], caller.device.id, raw)


@router.get("/changes", response_model=PullOut)
def pull(
    caller: Annotated[Caller, Depends(team_caller("changes.pull"))],
    store: StoreDep,
    after: Annotated[str | None, Query(description="Changes with a greater seq (default 0).")] = None,
    limit: Annotated[
        str | None, Query(description=f"{PULL_LIMIT_MIN}-{PULL_LIMIT_MAX}, default {PULL_LIMIT_DEFAULT}.")
    ] = None,
) -> PullOut:
    """A page of changes in seq order; ``next`` is the cursor for the following page."""
    after_seq = query_int(after, "after", 0, 0, 2**53)
    page_size = query_int(limit, "limit", PULL_LIMIT_DEFAULT, PULL_LIMIT_MIN, PULL_LIMIT_MAX)
    rows = store.pull(caller.team, after_seq, page_size + 1)
    more = len(rows) > page_size
    rows = rows[:page_size]
    return PullOut(
        changes=[Change(seq=r.seq, envelope=b64e(r.envelope)) for r in rows],
        next=rows[-1].seq if rows else after_seq,
        more=more,
    )
