"""The server's single source of the wire format: limits, error codes, roles, enrolment codes and the
request/response models of every endpoint (see docs/protocol.md).

Byte formats (canonical JSON, pinned bytes, envelope framing) live in ``field_app.crypto.canonical`` and
``field_app.crypto.wire``; this module only says what the HTTP API accepts and answers.
"""

from __future__ import annotations

import hashlib
import secrets
from enum import Enum
from typing import Annotated, Any, Literal, get_args

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from field_app.crypto.canonical import b64d

API_VERSION = "1"

# -- limits ---------------------------------------------------------------------------------------------

KiB = 1024
MiB = 1024 * KiB

MAX_BODY_BYTES = 2 * MiB  # counted while reading the stream, chunked bodies included
MAX_ENVELOPE_BYTES = 256 * KiB  # one decoded envelope
MAX_ENVELOPES_PER_PUSH = 200
PULL_LIMIT_MIN = 1
PULL_LIMIT_MAX = 500
PULL_LIMIT_DEFAULT = 100
MAX_GRANTS_PER_POST = 100
MAX_GRANT_BYTES = 4 * KiB  # canonical JSON of one grant
MAX_LEDGER_ENTRY_BYTES = 16 * KiB  # canonical JSON of one entry, signature included

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

# Same codes as field_app.domain.vocab.Rol (the server may not import it: mobile builds stay small).
Role = Literal[
    "VELDWERKER",
    "WERKBEGELEIDER",
    "PROCESREGISSEUR",
    "CASUSREGISSEUR",
    "PARTNER_LEZER",
    "FG_AUDITOR",
    "BEHEERDER",
]
ROLES: tuple[str, ...] = get_args(Role)
DEFAULT_FIRST_ROLE = "PROCESREGISSEUR"

LEDGER_TYPES = ("genesis", "add_device", "revoke_device", "set_role", "rotate_epoch", "wipe")
REVOKE_REASONS = ("RETIRED", "LOST", "LEFT")
# Roles whose devices may read the team's access log (NEN 7513: supervision, coordination, the DPO).
ACCESS_LOG_ROLES = frozenset({"WERKBEGELEIDER", "PROCESREGISSEUR", "FG_AUDITOR", "BEHEERDER"})
ACCESS_LOG_LIMIT_MAX = 500
ACCESS_LOG_LIMIT_DEFAULT = 100

# -- errors ---------------------------------------------------------------------------------------------


class ErrorCode(Enum):
    """Every error the API answers: ``{error: <code>, detail: <human text>}`` with this status."""

    def __init__(self, code: str, status: int, meaning: str) -> None:
        self.code = code
        self.status = status
        self.meaning = meaning

    BAD_REQUEST = ("bad_request", 400, "The request is malformed in a way no other code describes.")
    MALFORMED_JSON = ("malformed_json", 400, "The body is not valid JSON.")
    BAD_ENVELOPE = (
        "bad_envelope",
        400,
        "An envelope is not unpadded base64url, its framing is malformed or its version unknown.",
    )
    BAD_SIGNATURE = ("bad_signature", 400, "A signature does not verify with the signer's registered key.")
    BAD_LEDGER_ENTRY = (
        "bad_ledger_entry",
        400,
        "A ledger entry has an unknown type, no canonical form, or a body that does not match the enrolled device.",
    )
    BAD_GRANT = ("bad_grant", 400, "A key grant lacks team, epoch or recipient, or its recipient is unknown.")
    BAD_HEAD = (
        "bad_head",
        400,
        "The signed push head does not verify or does not name an envelope of this push by its device.",
    )
    UNAUTHORIZED = ("unauthorized", 401, "No bearer token, a malformed one, or one the server does not know.")
    TOKEN_EXPIRED = ("token_expired", 401, "The bearer token has expired; log in again.")
    DEVICE_REVOKED = ("device_revoked", 401, "The device has been revoked; its tokens no longer work.")
    CHALLENGE_EXPIRED = (
        "challenge_expired",
        401,
        "The login challenge is older than 60 s; ask for a new one.",
    )
    LOGIN_FAILED = (
        "login_failed",
        401,
        "Unknown device, an unknown or already used challenge, or a bad login signature.",
    )
    BAD_CODE = ("bad_code", 403, "The enrolment code is wrong, already used or expired.")
    WRONG_TEAM = (
        "wrong_team",
        403,
        "The token, envelope, ledger entry or grant belongs to another team than the path.",
    )
    WRONG_DEVICE = (
        "wrong_device",
        403,
        "The envelope, ledger entry or grant names another device than the calling one.",
    )
    NOT_BEHEER = ("not_beheer", 403, "Only a device with the beheer right may do this.")
    ROLE_NOT_ALLOWED = ("role_not_allowed", 403, "The device's role in the team ledger may not do this.")
    DEVICE_NOT_CONFIRMED = (
        "device_not_confirmed",
        403,
        "The device is not in the team ledger yet (needed to push, pull, read heads or the device list, store "
        "grants, add devices; a waiting device reads only the ledger and its own grants).",
    )
    NOT_FOUND = ("not_found", 404, "No such route.")
    UNKNOWN_DEVICE = ("unknown_device", 404, "No device with this id is enrolled in this team.")
    METHOD_NOT_ALLOWED = ("method_not_allowed", 405, "The route exists but not with this method.")
    DEVICE_EXISTS = ("device_exists", 409, "A device with this id is already enrolled in the team.")
    LEDGER_CONFLICT = (
        "ledger_conflict",
        409,
        "The entry's index or prev is not the ledger head; re-read it.",
    )
    GRANT_CONFLICT = (
        "grant_conflict",
        409,
        "A different grant is stored for this team, epoch and recipient.",
    )
    OP_CONFLICT = ("op_conflict", 409, "A different envelope is stored under this op_id; nothing was stored.")
    STALE_EPOCH = (
        "stale_epoch",
        409,
        "An envelope is sealed under an epoch the ledger has superseded; re-seal it under the current one.",
    )
    ROTATION_PENDING = (
        "rotation_pending",
        409,
        "A device was removed and the team key is not yet renewed: an envelope whose `ledger_head` is at or "
        "after that revocation, under the current epoch, is refused; keep it and seal it under the new key.",
    )
    UNKNOWN_EPOCH = ("unknown_epoch", 409, "An envelope is sealed under an epoch the team ledger does not have yet.")
    UNKNOWN_LEDGER_HEAD = (
        "unknown_ledger_head",
        409,
        "An envelope's ledger_head is not an entry of this team's ledger.",
    )
    HEAD_CONFLICT = (
        "head_conflict",
        409,
        "Another push head with the same device_seq is stored for this device; nothing was stored.",
    )
    BODY_TOO_LARGE = ("body_too_large", 413, "The request body is larger than 2 MiB.")
    ENVELOPE_TOO_LARGE = ("envelope_too_large", 413, "An envelope is larger than 256 KiB.")
    TOO_MANY_ENVELOPES = ("too_many_envelopes", 413, "More than 200 envelopes in one push.")
    ENTRY_TOO_LARGE = ("entry_too_large", 413, "A ledger entry is larger than 16 KiB.")
    TOO_MANY_GRANTS = ("too_many_grants", 413, "More than 100 grants in one request.")
    GRANT_TOO_LARGE = ("grant_too_large", 413, "A grant is larger than 4 KiB.")
    UNSUPPORTED_MEDIA_TYPE = ("unsupported_media_type", 415, "The body is not sent as application/json.")
    VALIDATION_ERROR = ("validation_error", 422, "A field is missing, has the wrong type or is out of range.")
    BAD_QUERY = ("bad_query", 422, "A query parameter (after, limit) is not an integer in range.")
    INTERNAL_ERROR = ("internal_error", 500, "Something went wrong on the server; nothing is revealed.")


ERRORS_BY_CODE: dict[str, ErrorCode] = {e.code: e for e in ErrorCode}

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
