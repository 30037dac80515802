"""The facts of the wire, in one place: roles, revoke reasons, size limits and error codes.

The client and the server both read them from here (the server imports only this, the canonical bytes,
the envelope format and ledger verification of ``field_app``). Nothing here imports anything but the
standard library, so a phone build and the server load the same few lines.
"""

from __future__ import annotations

from enum import Enum

__all__ = ["ROLES", "DEFAULT_FIRST_ROLE", "REVOKE_REASONS", "ACCESS_LOG_ROLES", "ErrorCode", "ERRORS_BY_CODE",
           "KiB", "MiB", "MAX_BODY_BYTES", "MAX_ENVELOPE_BYTES", "MAX_ENVELOPES_PER_PUSH", "MAX_GRANTS_PER_POST",
           "MAX_GRANT_BYTES", "MAX_LEDGER_ENTRY_BYTES", "PULL_LIMIT_MIN", "PULL_LIMIT_MAX", "PULL_LIMIT_DEFAULT"]

# -- roles: the codes a ledger entry may carry (labels live in the app's translations / domain) ----------
ROLES: tuple[str, ...] = (
    "VELDWERKER",
    "WERKBEGELEIDER",
    "PROCESREGISSEUR",
    "CASUSREGISSEUR",
    "PARTNER_LEZER",
    "FG_AUDITOR",
    "BEHEERDER",
)
DEFAULT_FIRST_ROLE = "PROCESREGISSEUR"
REVOKE_REASONS: tuple[str, ...] = ("RETIRED", "LOST", "LEFT")
# Roles whose devices may read the team's access log on the server (NEN 7513: supervision, coordination,
# the DPO, the administrator).
ACCESS_LOG_ROLES = frozenset({"WERKBEGELEIDER", "PROCESREGISSEUR", "FG_AUDITOR", "BEHEERDER"})

# -- limits -------------------------------------------------------------------------------------------------
KiB = 1024
MiB = 1024 * KiB

MAX_BODY_BYTES = 2 * MiB  # counted while reading the stream, chunked bodies included
MAX_HEAD_BYTES = 32 * KiB  # the request line and headers, counted as they arrive
MAX_ENVELOPE_BYTES = 256 * KiB  # one decoded envelope
MAX_ENVELOPES_PER_PUSH = 500  # 200 before issue #11's bench (PouchDB's batch_size is 500)
PULL_LIMIT_MIN = 1
PULL_LIMIT_MAX = 500
PULL_LIMIT_DEFAULT = 100
MAX_GRANTS_PER_POST = 100
MAX_GRANT_BYTES = 4 * KiB  # canonical JSON of one grant
MAX_LEDGER_ENTRY_BYTES = 16 * KiB  # canonical JSON of one entry, signature included
# A ledger entry's ``at`` (UTC ms, 0 to 2^53, set by the signing device's clock) may lie at most this far
# ahead of the server's clock when the entry is appended. A device reading the ledger allows a week: a phone's
# clock is often wrong by hours or days, and a stop there must mean a dated entry, not a phone set back a day.
LEDGER_AT_AHEAD_MS = 24 * 3600_000
LEDGER_AT_AHEAD_DEVICE_MS = 7 * 24 * 3600_000
MAX_WIRE_INT = 2**53  # the largest integer every JSON reader holds exactly

# -- errors -------------------------------------------------------------------------------------------------


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
    REQUEST_TIMEOUT = (
        "request_timeout",
        408,
        "No part of the request body arrived for 30 s; nothing was stored. Send it again.",
    )
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
    CHAIN_GAP = (
        "chain_gap",
        409,
        "An envelope's device_seq skips ahead of its device's chain on the server; nothing of the push was "
        "stored. Read the device's own chain (GET .../devices/{device}/chain) and seal on top of it.",
    )
    CHAIN_FORK = (
        "chain_fork",
        409,
        "An envelope does not continue its device's chain on the server (its device_seq is taken by other "
        "bytes, or its prev_hash is not the hash of the device's previous envelope); nothing of the push was "
        "stored. Read the device's own chain (GET .../devices/{device}/chain) and seal on top of it.",
    )
    HEAD_CONFLICT = (
        "head_conflict",
        409,
        "Another push head with the same device_seq is stored for this device; nothing was stored.",
    )
    BODY_TOO_LARGE = ("body_too_large", 413, "The request body is larger than 2 MiB.")
    ENVELOPE_TOO_LARGE = ("envelope_too_large", 413, "An envelope is larger than 256 KiB.")
    TOO_MANY_ENVELOPES = ("too_many_envelopes", 413, "More than 500 envelopes in one push.")
    ENTRY_TOO_LARGE = ("entry_too_large", 413, "A ledger entry is larger than 16 KiB.")
    TOO_MANY_GRANTS = ("too_many_grants", 413, "More than 100 grants in one request.")
    GRANT_TOO_LARGE = ("grant_too_large", 413, "A grant is larger than 4 KiB.")
    UNSUPPORTED_MEDIA_TYPE = ("unsupported_media_type", 415, "The body is not sent as application/json.")
    VALIDATION_ERROR = ("validation_error", 422, "A field is missing, has the wrong type or is out of range.")
    BAD_QUERY = ("bad_query", 422, "A query parameter (after, limit) is not an integer in range.")
    TOO_MANY_ATTEMPTS = (
        "too_many_attempts",
        429,
        "Too many failed attempts from this address (or for this device from this address) in this minute; wait (Retry-After).",
    )
    HEADERS_TOO_LARGE = ("headers_too_large", 431, "The request line and headers are larger than 32 KiB.")
    INTERNAL_ERROR = ("internal_error", 500, "Something went wrong on the server; nothing is revealed.")


ERRORS_BY_CODE: dict[str, ErrorCode] = {e.code: e for e in ErrorCode}
