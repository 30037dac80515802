"""The server's single source of the wire format: limits, error codes, roles, enrolment codes and the
request/response models of every endpoint (see docs/protocol.md).

Byte formats (canonical JSON, pinned bytes, envelope framing) live in ``field_app.crypto.canonical`` and
``field_app.crypto.wire``; this module only says what the HTTP API accepts and answers.
"""

from __future__ import annotations

import hashlib
import secrets
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from field_app.crypto.canonical import b64d
from field_app.crypto.facts import (  # noqa: F401  (re-exported: the server's modules import them from here)
    ACCESS_LOG_ROLES,
    DEFAULT_FIRST_ROLE,
    ERRORS_BY_CODE,
    MAX_BODY_BYTES,
    MAX_ENVELOPE_BYTES,
    MAX_ENVELOPES_PER_PUSH,
    MAX_GRANT_BYTES,
    MAX_GRANTS_PER_POST,
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


def _b64_of(min_len: int, max_len: int | None = None):
    max_len = min_len if max_len is None else max_len

    def check(value: str) -> str:
        try:
            raw = b64d(value)
        except ValueError:
            raise ValueError("must be unpadded base64url") from None
        if not min_len <= len(raw) <= max_len:
            size = f"{min_len}" if min_len == max_len else f"{min_len}-{max_len}"
            raise ValueError(f"must encode {size} bytes")
        return value

    return check


def _b64_chars(max_bytes: int) -> int:
    return -(-max_bytes * 4 // 3)


Id = Annotated[str, StringConstraints(min_length=22, max_length=22), AfterValidator(_b64_of(ID_BYTES))]
Key = Annotated[str, StringConstraints(min_length=43, max_length=43), AfterValidator(_b64_of(KEY_BYTES))]
Hash = Annotated[str, StringConstraints(min_length=43, max_length=43), AfterValidator(_b64_of(HASH_BYTES))]
Signature = Annotated[
    str, StringConstraints(min_length=86, max_length=86), AfterValidator(_b64_of(SIGNATURE_BYTES))
]
Nonce = Annotated[
    str,
    StringConstraints(max_length=_b64_chars(DEVICE_NONCE_MAX_BYTES)),
    AfterValidator(_b64_of(DEVICE_NONCE_MIN_BYTES, DEVICE_NONCE_MAX_BYTES)),
]
Challenge = Annotated[
    str, StringConstraints(min_length=43, max_length=43), AfterValidator(_b64_of(CHALLENGE_BYTES))
]
SafeInt = Annotated[int, Field(ge=0, le=2**53)]


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
    type: Annotated[str, StringConstraints(min_length=1, max_length=32)]
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
    grants: list[dict[str, Any]]


class GrantsPostOut(BaseModel):
    stored: int


class GrantsOut(BaseModel):
    grants: list[dict[str, Any]]


class PushHeadIn(WireIn):
    """A signed push head: ``sig`` over ``pinned("push-head", {team, device, device_seq, hash})``."""

    device: Id | None = None
    device_seq: Annotated[int, Field(ge=1, le=2**53)]
    hash: Hash
    sig: Signature


class PushIn(WireIn):
    envelopes: list[str]
    head: PushHeadIn | None = None


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
