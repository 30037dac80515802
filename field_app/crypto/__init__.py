"""Veldwerk cryptography: device identity, envelopes, HPKE key grants, the team ledger and the local vault.

Only primitives present on Flet's mobile builds are used (cryptography 43: X25519, Ed25519, AES-GCM,
ChaCha20-Poly1305, HKDF/HMAC/SHA-2, Scrypt). The byte formats are pinned in docs/protocol.md.
"""

from __future__ import annotations

from .canonical import CanonicalError, b64d, b64e, canonical_json, pinned
from .chain import (
    ChainError,
    DeviceChainTracker,
    check_cursor,
    check_envelope_context,
    push_head,
    verify_push_head,
)
from .envelope import EnvelopeError, MissingEpochKey, header_of, open_envelope, seal
from .grants import GrantError, epoch_commitment, make_grant, open_grant
from .hpke import HPKEError, open_base, seal_base
from .identity import DeviceIdentity, fingerprint, fingerprint_bytes, login_bytes, new_id, verify_signature
from .invite import Invite, InviteError, invite_payload, matches_team, parse_invite, team_fingerprint
from .ledger import (
    DeviceInfo,
    LedgerError,
    VerifiedLedger,
    WipeDecision,
    entry_hash,
    extend_chain,
    ledger_knows,
    open_key_history,
    seal_key_history,
    unwrap_history,
    verify_chain,
    verify_extension,
    wipe_decision,
)
from .vault import (
    DEFAULT_SCRYPT,
    ScryptParams,
    VaultError,
    WeakPassphrase,
    WrongPassphrase,
    check_passphrase,
    create_vault,
    open_local,
    open_vault,
    seal_local,
)

__all__ = [
    "CanonicalError",
    "b64d",
    "b64e",
    "canonical_json",
    "pinned",
    "ChainError",
    "DeviceChainTracker",
    "check_cursor",
    "check_envelope_context",
    "push_head",
    "verify_push_head",
    "EnvelopeError",
    "MissingEpochKey",
    "header_of",
    "open_envelope",
    "seal",
    "GrantError",
    "epoch_commitment",
    "make_grant",
    "open_grant",
    "HPKEError",
    "open_base",
    "seal_base",
    "DeviceIdentity",
    "fingerprint",
    "fingerprint_bytes",
    "login_bytes",
    "new_id",
    "verify_signature",
    "Invite",
    "InviteError",
    "invite_payload",
    "matches_team",
    "parse_invite",
    "team_fingerprint",
    "DeviceInfo",
    "LedgerError",
    "VerifiedLedger",
    "WipeDecision",
    "entry_hash",
    "extend_chain",
    "ledger_knows",
    "open_key_history",
    "seal_key_history",
    "unwrap_history",
    "verify_chain",
    "verify_extension",
    "wipe_decision",
    "DEFAULT_SCRYPT",
    "ScryptParams",
    "VaultError",
    "WeakPassphrase",
    "WrongPassphrase",
    "check_passphrase",
    "create_vault",
    "open_local",
    "open_vault",
    "seal_local",
]
