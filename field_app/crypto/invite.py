"""Invitations: a one-time code plus the team's fingerprint, as text and as a QR code.

The team fingerprint is ``SHA-512(b"veldwerk/team-fp/v1" || genesis hash)[:60]`` shown as twelve groups of
five digits (the same digit scheme as a device fingerprint). The new device checks the genesis it
fetches against the fingerprint from the invitation, so a server cannot slip it into another team; the
coordinator then compares the new device's own fingerprint digit by digit before signing ``add_device``.

Invitation text: ``VW1:<code>:<team b64url>:<fingerprint b64url>[:<server URL as b64url of UTF-8>]``.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from typing import Any

from .canonical import b64d, b64e
from .identity import FINGERPRINT_LEN, ID_LEN, fingerprint_groups
from .ledger import entry_hash

__all__ = [
    "INVITE_PREFIX",
    "InviteError",
    "Invite",
    "team_fingerprint_bytes",
    "team_fingerprint",
    "matches_team",
    "invite_payload",
    "parse_invite",
]

INVITE_PREFIX = "VW1"
_TEAM_FP_PREFIX = b"veldwerk/team-fp/v1"
_CODE_CHARS = frozenset("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-")
MAX_INVITE = 512


class InviteError(ValueError):
    """The invitation text is malformed or does not match the team."""


@dataclass(frozen=True)
class Invite:
    code: str
    team: bytes
    team_fp: bytes
    server: str | None = None


def team_fingerprint_bytes(genesis_entry: dict[str, Any]) -> bytes:
    """``SHA-512(b"veldwerk/team-fp/v1" || entry_hash(genesis))[:60]``."""
    if not isinstance(genesis_entry, dict) or genesis_entry.get("type") != "genesis":
        raise InviteError("a team fingerprint is taken of the genesis entry")
    return hashlib.sha512(_TEAM_FP_PREFIX + entry_hash(genesis_entry)).digest()[:FINGERPRINT_LEN]


def team_fingerprint(genesis_entry: dict[str, Any]) -> list[str]:
    """Twelve groups of five digits of :func:`team_fingerprint_bytes`."""
    return fingerprint_groups(team_fingerprint_bytes(genesis_entry))


def matches_team(genesis_entry: dict[str, Any], team_fp: bytes) -> bool:
    """True if ``genesis_entry`` is the genesis the invitation's fingerprint names (constant time)."""
    try:
        return hmac.compare_digest(team_fingerprint_bytes(genesis_entry), bytes(team_fp))
    except (InviteError, TypeError, ValueError):
        return False


def _check_code(code: Any) -> str:
    if not isinstance(code, str) or not code or len(code) > 64 or not set(code) <= _CODE_CHARS:
        raise InviteError("an invitation code is letters, digits and dashes")
    return code


def invite_payload(code: str, team: bytes, team_fp_bytes: bytes, server: str | None = None) -> str:
    """The invitation as compact text (what the QR code holds)."""
    if len(team) != ID_LEN or len(team_fp_bytes) != FINGERPRINT_LEN:
        raise InviteError("team must be 16 bytes and the team fingerprint 60 bytes")
    parts = [INVITE_PREFIX, _check_code(code), b64e(team), b64e(team_fp_bytes)]
    if server is not None:
        parts.append(b64e(server.encode("utf-8")))
    text = ":".join(parts)
    if len(text) > MAX_INVITE:
        raise InviteError("invitation too long")
    return text


def parse_invite(text: str) -> Invite:
    """Inverse of :func:`invite_payload` (surrounding whitespace ignored); :class:`InviteError` otherwise."""
    if not isinstance(text, str) or len(text) > MAX_INVITE:
        raise InviteError("not an invitation")
    parts = text.strip().split(":")
    if len(parts) not in (4, 5) or parts[0] != INVITE_PREFIX:
        raise InviteError("not a Veldwerk invitation")
    try:
        team = b64d(parts[2])
        team_fp = b64d(parts[3])
        server = b64d(parts[4]).decode("utf-8") if len(parts) == 5 else None
    except (ValueError, UnicodeDecodeError) as exc:
        raise InviteError("malformed invitation") from exc
    if len(team) != ID_LEN or len(team_fp) != FINGERPRINT_LEN:
        raise InviteError("malformed invitation")
    return Invite(_check_code(parts[1]), team, team_fp, server)
