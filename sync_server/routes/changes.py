"""Push and pull of sealed envelopes. The server checks framing, team, device, signature, the sealer's
ledger head and epoch, assigns a per-team seq, and never opens anything.

Two ways to push: with a bearer token (the normal way), or authenticated by the envelopes' own signatures
(``/changes/signed``) for a device that can no longer log in — one whose key material was destroyed after
too many wrong PINs, or one that was revoked as RETIRED and still holds work sealed before that."""

from __future__ import annotations

from typing import Annotated

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from fastapi import APIRouter, Depends, Query, Request

from field_app.crypto import wire
from field_app.crypto.canonical import CanonicalError, b64d, b64e
from field_app.crypto.chain import ChainError, verify_push_head
from field_app.crypto.ledger import VerifiedLedger
from field_app.crypto.runs import vouch_runs

from .. import attempts
from ..ledger_state import LedgerCache
from ..protocol import (
    MAX_ENVELOPE_BYTES,
    MAX_ENVELOPES_PER_PUSH,
    PULL_LIMIT_DEFAULT,
    PULL_LIMIT_MAX,
    PULL_LIMIT_MIN,
    ApiError,
    ChainOut,
    ErrorCode,
    HeadsOut,
    OwnChangeOut,
    PullOut,
    PushHeadIn,
    PushHeadOut,
    PushIn,
    PushOut,
    SignedPushIn,
    query_int_schema,
)
from ..settings import Settings
from ..store.base import (
    ChainFork,
    ChainGap,
    ChangeRow,
    Device,
    DeviceRefused,
    HeadConflict,
    LedgerMoved,
    OpConflict,
    PushHead,
    PushItem,
    Store,
)
from .answers import JsonText, page_text, push_text
from .deps import (
    Caller,
    JsonRoute,
    LedgersDep,
    SettingsDep,
    StoreDep,
    public_key,
    query_int,
    require_confirmed,
    require_own_device,
    signature_ok,
    store_read,
    store_write,
    team_caller,
)

router = APIRouter(prefix="/v1/teams/{team}", tags=["changes"], route_class=JsonRoute)

_MAX_ENVELOPE_CHARS = -(-MAX_ENVELOPE_BYTES * 4 // 3)

Checked = tuple[wire.EnvelopeParts, bytes]


@router.post("/changes", response_model=PushOut)
async def push(
    body: PushIn,
    caller: Annotated[Caller, Depends(team_caller("changes.push"))],
    store: StoreDep,
    settings: SettingsDep,
    ledgers: LedgersDep,
    request: Request,
) -> JsonText:
    """Store a batch of envelopes, all or nothing. Idempotent by op_id: the same bytes again answer the
    original seq (``duplicate: true``); other bytes under a known op_id answer 409 ``op_conflict``.

    Each envelope's ``ledger_head`` must be an entry of the team ledger (409 ``unknown_ledger_head``) and
    its epoch the current one (409 ``stale_epoch``: re-seal under the current epoch). An optional signed
    ``head`` names the newest envelope of this push; readers compare it with what they were served."""
    return await store_write(request, store, _push, body, caller, store, settings, ledgers)


def _push(body: PushIn, caller: Caller, store: Store, settings: Settings, ledgers: LedgerCache) -> JsonText:
    require_confirmed(caller)
    if len(body.envelopes) > MAX_ENVELOPES_PER_PUSH:
        raise ApiError(ErrorCode.TOO_MANY_ENVELOPES)
    key = public_key(caller.device.ed25519)
    checked = [_decoded(i, text) for i, text in enumerate(body.envelopes)]
    # a contiguous run of the caller's chain is checked with one signature, its last (crypto/runs.py)
    me, raw_key = b64d(caller.device.id), b64d(caller.device.ed25519)
    vouched = vouch_runs([raw for _, raw in checked], lambda d: raw_key if d == me else None)
    for i, (parts, _) in enumerate(checked):
        _check_signed(i, parts, caller.team, caller.device, key, signature_checked=i in vouched)
    return _checked_store(store, ledgers, caller.team, caller.device, checked, body.head, settings.clock(),
                          ("confirmed",))


@router.post("/changes/signed", response_model=PushOut)
def signed_push(
    team: str, body: SignedPushIn, store: StoreDep, settings: SettingsDep, ledgers: LedgersDep, request: Request
) -> JsonText:
    """Push without a token, authenticated by the envelopes' own signatures.

    All envelopes must be sealed by one device of this team that is confirmed and not revoked — or was
    revoked as RETIRED, for envelopes whose ``ledger_head`` is at or before its revocation. Otherwise
    the same checks and the same all-or-nothing storing as a token push. Logged like any access."""
    if len(body.envelopes) > MAX_ENVELOPES_PER_PUSH:
        raise ApiError(ErrorCode.TOO_MANY_ENVELOPES)
    if not body.envelopes:
        raise ApiError(ErrorCode.BAD_REQUEST, "A signed push carries at least one envelope.")
    checked = [_decoded(i, text) for i, text in enumerate(body.envelopes)]
    for i, (parts, _) in enumerate(checked):
        if parts.header["team"] != team:
            raise ApiError(ErrorCode.WRONG_TEAM, f"Envelope {i} is sealed for another team.")
    senders = {parts.header["device"] for parts, _ in checked}
    if len(senders) != 1:
        raise ApiError(ErrorCode.WRONG_DEVICE, "A signed push carries the envelopes of one device.")
    source = attempts.source_of(request)
    sender = senders.pop()
    attempts.gate(store, settings, source, team, sender)
    device = store.get_device(team, sender)
    if device is None:
        attempts.failed(store, settings, source, None, None, "changes.push_signed", ErrorCode.UNKNOWN_DEVICE.code)
        raise ApiError(ErrorCode.UNKNOWN_DEVICE)
    now = settings.clock()
    with _logged(store, settings, source, team, device, "changes.push_signed"):
        if device.status == "pending":
            raise ApiError(ErrorCode.DEVICE_NOT_CONFIRMED)
        if device.status == "revoked" and device.revoked_reason != "RETIRED":
            raise ApiError(ErrorCode.DEVICE_REVOKED)
        key = public_key(device.ed25519)
        for i, (parts, _) in enumerate(checked):
            _check_signed(i, parts, team, device, key)
        return _checked_store(store, ledgers, team, device, checked, body.head, now,
                              ("confirmed", "revoked") if device.status == "revoked" else ("confirmed",))


# ``?limit=`` of every paged read (changes, a device's own chain, the one-round-trip round): one declaration.
PageLimit = Annotated[
    str | None, query_int_schema(PULL_LIMIT_MIN, PULL_LIMIT_MAX),
    Query(description=f"{PULL_LIMIT_MIN}-{PULL_LIMIT_MAX}, default {PULL_LIMIT_DEFAULT}."),
]

@router.get("/devices/{device}/chain", response_model=ChainOut)
def own_chain(
    device: str,
    caller: Annotated[Caller, Depends(team_caller("chain.read"))],
    store: StoreDep,
    after: Annotated[str | None, query_int_schema(0, 2**53),
                     Query(description="Envelopes with a greater device_seq (default 0).")] = None,
    limit: PageLimit = None,
) -> ChainOut:
    """The calling device's own chain as the server holds it: its head and its envelopes after a
    device_seq, in chain order. Only a device's own (403 ``wrong_device`` otherwise): a device restored
    from a backup, refused with 409 ``chain_fork``/``chain_gap``, reads back what it wrote since and
    verifies it with its own key before it seals its unsent work on top."""
    require_confirmed(caller)
    require_own_device(caller, device)
    after_seq = query_int(after, "after", 0, 0, 2**53)
    page_size = query_int(limit, "limit", PULL_LIMIT_DEFAULT, PULL_LIMIT_MIN, PULL_LIMIT_MAX)
    head = store.chain_head(caller.team, device)
    rows = store.own_changes(caller.team, device, after_seq, page_size + 1)
    return ChainOut(
        device_seq=head.device_seq if head else 0,
        hash=b64e(head.hash) if head else None,
        envelopes=[OwnChangeOut(seq=r.seq, device_seq=r.device_seq, envelope=b64e(r.envelope))
                   for r in rows[:page_size]],
        more=len(rows) > page_size,
    )


@router.get("/heads", response_model=HeadsOut)
def read_heads(caller: Annotated[Caller, Depends(team_caller("heads.read"))], store: StoreDep) -> HeadsOut:
    """The newest signed push head of every device: read them before pulling to the end, then check that
    every device's chain was served up to its head (else envelopes were withheld). Confirmed devices only."""
    require_confirmed(caller)
    return HeadsOut(
        heads=[
            PushHeadOut(device=h.device, device_seq=h.device_seq, hash=h.hash, sig=h.sig)
            for h in store.heads(caller.team)
        ]
    )


class _logged:
    """Context manager for a request authenticated without a token: an access_log row when it succeeds;
    a failure is counted (see ``attempts``: the first of its kind in a minute is logged too)."""

    def __init__(self, store: Store, settings: Settings, source: str, team: str, device: Device, action: str):
        self.args = (store, settings, source, team, device, action)

    def __enter__(self) -> None:
        return None

    def __exit__(self, exc_type, exc, tb) -> bool:
        store, settings, source, team, device, action = self.args
        if exc is None:
            store.log_access(settings.clock(), team, device.id, action, "ok", device.role)
            return False
        result = exc.error.code if isinstance(exc, ApiError) else ErrorCode.INTERNAL_ERROR.code
        attempts.failed(store, settings, source, team, device.id, action, result, device.role)
        return False


def _ledger(ledgers: LedgerCache, store: Store, team: str) -> VerifiedLedger:
    ledger = ledgers.get(store, team)
    if ledger is None:
        raise ApiError(ErrorCode.UNKNOWN_LEDGER_HEAD, "The team has no ledger yet.")
    return ledger


def _decoded(i: int, text: str) -> Checked:
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
    return parts, raw


def _check_signed(
    i: int, parts: wire.EnvelopeParts, team: str, device: Device, key: Ed25519PublicKey,
    signature_checked: bool = False,
) -> None:
    if parts.header["team"] != team:
        raise ApiError(ErrorCode.WRONG_TEAM, f"Envelope {i} is sealed for another team.")
    if parts.header["device"] != device.id:
        raise ApiError(ErrorCode.WRONG_DEVICE, f"Envelope {i} was sealed by another device than the caller.")
    if not signature_checked and not signature_ok(key, parts.signature, parts.signed_bytes()):
        raise ApiError(ErrorCode.BAD_SIGNATURE, f"Envelope {i}: the signature does not verify.")


def _check_epochs(checked: list[Checked], device: Device, ledger: VerifiedLedger) -> None:
    """The sealer's ledger head must be a ledger entry and its epoch the current one; a device revoked as
    RETIRED may still deliver what it sealed up to its revocation, under the epoch it had."""
    retired = device.status == "revoked"  # only RETIRED devices get this far
    removal = ledger.unrotated_revocation()  # a device is out but still holds the current key
    for i, (parts, _) in enumerate(checked):
        index = ledger.index_of(parts.ledger_head)  # decoded by wire.unpack
        if index is None:
            raise ApiError(
                ErrorCode.UNKNOWN_LEDGER_HEAD, f"Envelope {i}: its ledger_head is not in the ledger."
            )
        epoch = parts.epoch
        if epoch > ledger.current_epoch:
            raise ApiError(ErrorCode.UNKNOWN_EPOCH, f"Envelope {i}: epoch {epoch} is not in the ledger.")
        if retired:
            if device.revoked_index is None or index > device.revoked_index:
                raise ApiError(ErrorCode.DEVICE_REVOKED, f"Envelope {i} was sealed after the revocation.")
        elif epoch < ledger.current_epoch:
            raise ApiError(
                ErrorCode.STALE_EPOCH,
                f"Envelope {i}: epoch {epoch} is superseded by epoch {ledger.current_epoch}.",
            )
        elif removal is not None and index >= removal:
            # sealed by a device that knew of the removal, under the key the removed device still has
            raise ApiError(ErrorCode.ROTATION_PENDING, f"Envelope {i} was sealed after a removal, before the rotation.")


def _head(head: PushHeadIn | None, team: str, device: Device, checked: list[Checked]) -> PushHead | None:
    if head is None:
        return None
    try:
        _, seq, digest = verify_push_head(
            head.model_dump(exclude_none=True),
            team=b64d(team),
            ed25519=b64d(device.ed25519),
            device=b64d(device.id),
        )
    except ChainError:
        raise ApiError(ErrorCode.BAD_HEAD, "The push head does not verify with the device's key.") from None
    if not any(  # the head names the push's newest envelope: looked for from the end, hashes already made
        parts.header["device_seq"] == seq and wire.envelope_hash(raw) == digest for parts, raw in reversed(checked)
    ):
        raise ApiError(ErrorCode.BAD_HEAD, "The push head must name an envelope of this push.")
    return PushHead(device.id, seq, b64e(digest), head.sig)


def _checked_store(
    store: Store, ledgers: LedgerCache, team: str, device: Device, checked: list[Checked],
    head_in: PushHeadIn | None, now: int, statuses: tuple[str, ...],
) -> JsonText:
    """Check the epochs against the verified ledger, then store — in a transaction that re-checks the
    device's status and that the ledger did not move meanwhile (a revocation or rotation answered while
    this push was being checked); if it moved, check again against the new ledger."""
    for _ in range(5):
        ledger = _ledger(ledgers, store, team)
        _check_epochs(checked, device, ledger)
        try:
            return _store(store, team, device, checked, head_in, now, statuses, ledger.head_index)
        except LedgerMoved:
            current = store.get_device(team, device.id)
            if current is not None and current.status == "revoked" and current.revoked_reason != "RETIRED":
                raise ApiError(ErrorCode.DEVICE_REVOKED) from None
            device = current or device
    raise ApiError(ErrorCode.LEDGER_CONFLICT, "The team ledger kept moving; push again.")


def _store(
    store: Store, team: str, device: Device, checked: list[Checked], head_in: PushHeadIn | None, now: int,
    statuses: tuple[str, ...], ledger_index: int,
) -> JsonText:
    head = _head(head_in, team, device, checked)
    items = [PushItem(parts.header["op_id"], device.id, raw, parts.header["device_seq"], parts.prev_hash)
             for parts, raw in checked]
    try:
        outcomes = store.push(team, items, now, head, statuses=statuses, ledger_index=ledger_index)
    except DeviceRefused as exc:
        code = ErrorCode.DEVICE_NOT_CONFIRMED if exc.status == "pending" else ErrorCode.DEVICE_REVOKED
        raise ApiError(code) from None
    except ChainGap as exc:
        raise ApiError(ErrorCode.CHAIN_GAP, _chain_detail(exc, "follow")) from None
    except ChainFork as exc:
        raise ApiError(ErrorCode.CHAIN_FORK, _chain_detail(exc, "continue")) from None
    except OpConflict as exc:
        raise ApiError(
            ErrorCode.OP_CONFLICT,
            f"op_id {exc.op_id} is stored with other bytes; nothing of this push was stored.",
        ) from None
    except HeadConflict:
        raise ApiError(ErrorCode.HEAD_CONFLICT) from None
    return JsonText(push_text(outcomes))  # PushOut, written without a model per result (routes/answers.py)


def _chain_detail(exc: ChainGap | ChainFork, verb: str) -> str:
    """Where the chain broke: against what the server holds, or within this push (two envelopes at one
    place in one batch: the server held none of them, and nothing of the push was stored)."""
    if exc.in_push:
        return (f"Envelope {exc.got} does not {verb} the envelopes before it in this push (up to "
                f"{exc.expected - 1}); nothing of this push was stored.")
    return f"The server holds this device's chain up to {exc.expected - 1}; envelope {exc.got} does not {verb} it."


@router.get("/changes", response_model=PullOut)
async def pull(
    caller: Annotated[Caller, Depends(team_caller("changes.pull"))],
    store: StoreDep,
    after: Annotated[str | None, query_int_schema(0, 2**53),
                     Query(description="Changes with a greater seq (default 0).")] = None,
    limit: PageLimit = None,
) -> JsonText:
    """A page of changes in seq order; ``next`` is the cursor for the following page. Confirmed devices
    only: a device whose fingerprint no coordinator has compared yet gets nothing of the team's."""
    return await store_read(store, _pull, caller, store, after, limit)


def _pull(caller: Caller, store: Store, after: str | None, limit: str | None) -> JsonText:
    return JsonText(pull_page(caller, store, after, limit))


def pull_page(caller: Caller, store: Store, after: str | None, limit: str | None) -> str:
    """``GET /changes`` (also the page of ``GET /round``): ``PullOut`` as JSON text (routes/answers.py)."""
    require_confirmed(caller)
    after_seq = query_int(after, "after", 0, 0, 2**53)
    page_size = query_int(limit, "limit", PULL_LIMIT_DEFAULT, PULL_LIMIT_MIN, PULL_LIMIT_MAX)
    rows: list[ChangeRow] = store.pull(caller.team, after_seq, page_size + 1)
    more = len(rows) > page_size
    rows = rows[:page_size]
    if not rows and after_seq and not store.pull(caller.team, after_seq - 1, 1):
        # the reader is past the team's last seq (seqs are never deleted): this server is behind what it
        # served before (restored from a backup) or the reader's cursor was altered. Saying the cursor as
        # it was would hide it and skip the new seqs that reuse those numbers; a cursor one back is what a
        # reader refuses as a rollback, with its security message (docs/deploy.md, docs/security.md)
        return page_text(rows, after_seq - 1, False)
    return page_text(rows, rows[-1].seq if rows else after_seq, more)
