"""The server's single source of the wire format: limits, error codes, roles, enrolment codes and the
request/response models of every endpoint (see docs/protocol.md).

Byte formats (canonical JSON, pinned bytes, envelope framing) live in ``field_app.crypto.canonical`` and
``field_app.crypto.wire``; this module only says what the HTTP API accepts and answers.
"""

from __future__ import annotations

import hashlib
import secrets
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    WithJsonSchema,
)

from field_app.crypto.facts import (  # noqa: F401  (re-exported: the server's modules import them from here)
    ACCESS_LOG_ROLES,
    DEFAULT_FIRST_ROLE,
    ERRORS_BY_CODE,
    MAX_BODY_BYTES,
    MAX_ENVELOPE_BYTES,
    MAX_ENVELOPES_PER_PUSH,
    MAX_GRANT_BYTES,
    MAX_GRANTS_PER_POST,
    MAX_HEAD_BYTES,
    MAX_LEDGER_ENTRY_BYTES,
    PULL_LIMIT_DEFAULT,
    PULL_LIMIT_MAX,
    PULL_LIMIT_MIN,
    REVOKE_REASONS,
    ROLES,
    ErrorCode,
    KiB,
    MiB,
)

from .fields import b64_chars, b64_pattern, b64_type, query_int_schema, whole_number  # noqa: F401 (re-exported)

API_VERSION = "1"

# -- sizes (the limits themselves are in field_app.crypto.facts) ------------------------------------------

ID_BYTES = 16
KEY_BYTES = 32
HASH_BYTES = 32
SIGNATURE_BYTES = 64
CHALLENGE_BYTES = 32
TOKEN_BYTES = 32
DEVICE_NONCE_MIN_BYTES = 16
DEVICE_NONCE_MAX_BYTES = 64

BODY_IDLE_S = 30.0  # a request body of which nothing arrives for this long: 408 request_timeout
CHALLENGE_TTL_MS = 60_000
TOKEN_TTL_MS = 15 * 60_000
CODE_TTL_MS = 7 * 24 * 3600_000

# -- roles ----------------------------------------------------------------------------------------------

Role = Literal[ROLES]  # type: ignore[valid-type]  # the codes of field_app.crypto.facts.ROLES

LEDGER_TYPES = ("genesis", "add_device", "revoke_device", "set_role", "rotate_epoch", "wipe")
ACCESS_LOG_LIMIT_MAX = 500
ACCESS_LOG_LIMIT_DEFAULT = 100

# -- errors (the codes are in field_app.crypto.facts) -----------------------------------------------------

# Statuses raised by the framework itself (routing, our middleware) and the code they answer with.
STATUS_CODES: dict[int, ErrorCode] = {
    400: ErrorCode.BAD_REQUEST,
    401: ErrorCode.UNAUTHORIZED,
    404: ErrorCode.NOT_FOUND,
    405: ErrorCode.METHOD_NOT_ALLOWED,
    413: ErrorCode.BODY_TOO_LARGE,
    415: ErrorCode.UNSUPPORTED_MEDIA_TYPE,
    422: ErrorCode.VALIDATION_ERROR,
}


class ApiError(Exception):
    """An error with a stable code; the app turns it into ``{error, detail}`` with the code's status."""

    def __init__(self, error: ErrorCode, detail: str | None = None, headers: dict[str, str] | None = None):
        super().__init__(error.code)
        self.error = error
        self.detail = detail or error.meaning
        self.headers = headers


def error_body(error: ErrorCode, detail: str | None = None) -> dict[str, str]:
    return {"error": error.code, "detail": detail or error.meaning}


# -- enrolment codes ------------------------------------------------------------------------------------

# Crockford base32: no I, L, O, U, so a code read aloud or typed from paper survives.
CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_GROUPS = 4
CODE_GROUP_LEN = 4  # 16 symbols x 5 bits = 80 bits
_CODE_CONFUSABLES = str.maketrans({"O": "0", "I": "1", "L": "1"})


def new_enrolment_code() -> str:
    """A fresh one-time code, e.g. ``7K3M-Q9TX-2HVB-RP4D``."""
    symbols = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_GROUPS * CODE_GROUP_LEN))
    return "-".join(symbols[i : i + CODE_GROUP_LEN] for i in range(0, len(symbols), CODE_GROUP_LEN))


def normalise_code(typed: str) -> str | None:
    """The code's canonical symbols (dashes, spaces and case ignored), or None if it cannot be a code."""
    symbols = "".join(typed.split()).replace("-", "").upper().translate(_CODE_CONFUSABLES)
    if len(symbols) != CODE_GROUPS * CODE_GROUP_LEN or any(c not in CODE_ALPHABET for c in symbols):
        return None
    return symbols


def code_hash(code: str) -> bytes | None:
    """What the server stores of a code: SHA-256 of its canonical symbols."""
    symbols = normalise_code(code)
    return (
        None if symbols is None else hashlib.sha256(b"veldwerk/enrol-code/v1\0" + symbols.encode()).digest()
    )


def secret_hash(secret: bytes) -> bytes:
    """What the server stores of a challenge or token: its SHA-256."""
    return hashlib.sha256(secret).digest()


# -- field types ----------------------------------------------------------------------------------------


Id = b64_type(ID_BYTES)
Key = b64_type(KEY_BYTES)
Hash = b64_type(HASH_BYTES)
Signature = b64_type(SIGNATURE_BYTES)
Nonce = b64_type(DEVICE_NONCE_MIN_BYTES, DEVICE_NONCE_MAX_BYTES)
Challenge = b64_type(CHALLENGE_BYTES)


SafeInt = Annotated[int, Field(ge=0, le=2**53), BeforeValidator(whole_number)]


class WireIn(BaseModel):
    """Request bodies: no type coercion, no unknown fields."""

    model_config = ConfigDict(strict=True, extra="forbid")


# -- models ---------------------------------------------------------------------------------------------


class ErrorOut(BaseModel):
    error: str
    detail: str


class HealthOut(BaseModel):
    status: Literal["ok"]


class EnrolIn(WireIn):
    code: Annotated[str, StringConstraints(max_length=64)]
    device: Id
    ed25519: Key
    x25519: Key


class EnrolOut(BaseModel):
    team: str
    device: str
    role: Role
    first: bool


class ChallengeIn(WireIn):
    team: Id
    device: Id


class ChallengeOut(BaseModel):
    challenge: str
    expires_at: int


class LoginIn(WireIn):
    team: Id
    device: Id
    challenge: Challenge
    device_nonce: Nonce
    signature: Signature


class LoginOut(BaseModel):
    token: str
    expires_at: int


class DeviceOut(BaseModel):
    id: str
    ed25519: str
    x25519: str
    role: Role
    status: Literal["pending", "confirmed", "revoked"]


class DevicesOut(BaseModel):
    devices: list[DeviceOut]


class LedgerEntryIn(WireIn):
    team: Id
    index: SafeInt
    prev: Hash
    # Any other type answers 400 bad_ledger_entry (the schema lists the types; validation stays the route's).
    type: Annotated[str, StringConstraints(min_length=1, max_length=32),
                    WithJsonSchema({"type": "string", "enum": list(LEDGER_TYPES)})]
    body: dict[str, Any]
    signer: Id
    at: SafeInt
    sig: Signature


class LedgerPostIn(WireIn):
    entry: LedgerEntryIn


class LedgerHead(BaseModel):
    index: int
    hash: str


class LedgerPostOut(LedgerHead):
    pass


class LedgerOut(BaseModel):
    entries: list[dict[str, Any]]
    head: LedgerHead | None


class GrantsIn(WireIn):
    # More answers 413 too_many_grants (the route counts; the schema states the limit).
    grants: Annotated[list[dict[str, Any]], Field(json_schema_extra={"maxItems": MAX_GRANTS_PER_POST})]


class GrantsPostOut(BaseModel):
    stored: int


class GrantsOut(BaseModel):
    grants: list[dict[str, Any]]


class PushHeadIn(WireIn):
    """A signed push head: ``sig`` over ``pinned("push-head", {team, device, device_seq, hash})``."""

    device: Id | None = None
    device_seq: Annotated[int, Field(ge=1, le=2**53), BeforeValidator(whole_number)]
    hash: Hash
    sig: Signature


# An envelope as the wire carries it (field_app.crypto.wire, base64url); what is not one answers 400
# bad_envelope, a longer one 413 envelope_too_large, more than the limit per push 413 too_many_envelopes:
# the route checks (with those codes), the schema states the limits.
_ENVELOPE_SCHEMA = {"type": "string", "maxLength": b64_chars(MAX_ENVELOPE_BYTES), "pattern": "^[A-Za-z0-9_-]*$",
                    "contentEncoding": "base64url"}
Envelope = Annotated[str, WithJsonSchema(_ENVELOPE_SCHEMA)]


class PushIn(WireIn):
    envelopes: Annotated[list[Envelope], Field(json_schema_extra={"maxItems": MAX_ENVELOPES_PER_PUSH})]
    head: PushHeadIn | None = None


class SignedPushIn(PushIn):
    """A push without a token carries at least one envelope (its signatures are the authentication)."""

    envelopes: Annotated[list[Envelope], Field(json_schema_extra={"minItems": 1, "maxItems": MAX_ENVELOPES_PER_PUSH})]


class PushHeadOut(BaseModel):
    device: str
    device_seq: int
    hash: str
    sig: str


class HeadsOut(BaseModel):
    heads: list[PushHeadOut]


class InviteIn(WireIn):
    role: Role


class InviteOut(BaseModel):
    code: str
    expires_at: int


class AccessLogEntry(BaseModel):
    id: int
    at: int
    device: str
    role: str | None
    action: str
    result: str


class AccessLogOut(BaseModel):
    entries: list[AccessLogEntry]
    next: int
    more: bool


class PushResult(BaseModel):
    op_id: str
    seq: int
    duplicate: bool


class PushOut(BaseModel):
    results: list[PushResult]


class Change(BaseModel):
    seq: int
    envelope: str


class PullOut(BaseModel):
    changes: list[Change]
    next: int
    more: bool


class OwnChangeOut(BaseModel):
    seq: int
    device_seq: int
    envelope: str


class ChainOut(BaseModel):
    """What the server holds of the calling device's own chain: its head and its envelopes after
    ``after`` (a device restored from a backup reads back what it wrote since, then seals on top)."""

    device_seq: int  # 0 before the first envelope
    hash: str | None  # SHA-256 of the newest envelope, base64url (None before the first)
    envelopes: list[OwnChangeOut]
    more: bool


class RoundOut(BaseModel):
    """``GET /round``: a round's reads in one answer (see ``routes/sync_round.py``)."""

    ledger: LedgerOut
    heads: list[PushHeadOut]
    page: PullOut
