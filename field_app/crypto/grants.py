"""Key grants: a team epoch key wrapped for one device with HPKE, signed by a coordinator device.

A grant is ``{team, epoch, recipient, recipient_x25519, granter, wrapped, sig}`` (JSON ready, bytes as
base64url). ``wrapped = enc || ct`` of HPKE base mode (DHKEM(X25519, HKDF-SHA256), HKDF-SHA256,
AES-256-GCM) to ``recipient_x25519`` with ``info = pinned("grant-info", {team, epoch, recipient,
recipient_x25519})``, empty AAD and the epoch key as plaintext; ``sig`` is Ed25519 by the granter over
``pinned("grant", grant without sig)``. The server only stores and relays grants; a device trusts one
only after the checks in :func:`open_grant`.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable
from typing import Any

from . import hpke
from .canonical import b64d, b64e, pinned
from .identity import ID_LEN, KEY_LEN, SIGNATURE_LEN, DeviceIdentity, verify_signature
from .ledger import VerifiedLedger, epoch_commitment

__all__ = [
    "GRANT_FIELDS",
    "EPOCH_KEY_LEN",
    "GrantError",
    "epoch_commitment",
    "grant_info",
    "make_grant",
    "open_grant",
]

GRANT_FIELDS = frozenset({"team", "epoch", "recipient", "recipient_x25519", "granter", "wrapped", "sig"})
EPOCH_KEY_LEN = 32
WRAPPED_LEN = hpke.N_ENC + EPOCH_KEY_LEN + hpke.N_T  # enc(32) || ct(32 + 16)


class GrantError(Exception):
    """The grant is refused: malformed, not for this device, not from a coordinator, or a wrong key."""


def grant_info(team: bytes, epoch: int, recipient: bytes, recipient_x25519: bytes) -> bytes:
    """The HPKE ``info`` of a grant: ``pinned("grant-info", {team, epoch, recipient, recipient_x25519})``."""
    return pinned(
        "grant-info",
        {
            "team": bytes(team),
            "epoch": epoch,
            "recipient": bytes(recipient),
            "recipient_x25519": bytes(recipient_x25519),
        },
    )


def make_grant(
    *,
    team: bytes,
    epoch: int,
    epoch_key: bytes,
    recipient: bytes,
    recipient_x25519: bytes,
    granter: DeviceIdentity,
    _rng: Callable[[int], bytes] | None = None,
) -> dict[str, Any]:
    """Wrap ``epoch_key`` for ``recipient`` and sign the grant as ``granter``.

    ``_rng`` (tests and protocol examples only) supplies the 32 bytes of ikm from which the HPKE ephemeral
    key is derived (``DeriveKeyPair``); without it the ephemeral key is fresh.
    """
    if len(team) != ID_LEN or len(recipient) != ID_LEN or len(recipient_x25519) != KEY_LEN:
        raise GrantError("team and recipient must be 16 bytes, recipient_x25519 32 bytes")
    if len(epoch_key) != EPOCH_KEY_LEN:
        raise GrantError("an epoch key is 32 bytes")
    if type(epoch) is not int or epoch < 1:
        raise GrantError("epoch must be a positive integer")
    info = grant_info(team, epoch, recipient, recipient_x25519)
    try:
        enc, ct = hpke.seal_base(
            recipient_x25519, info, b"", epoch_key, hpke.AEAD_AES_256_GCM, ikm_e=_rng(32) if _rng else None
        )
    except hpke.HPKEError as exc:
        raise GrantError(f"cannot wrap for this recipient: {exc}") from exc
    grant: dict[str, Any] = {
        "team": b64e(team),
        "epoch": epoch,
        "recipient": b64e(recipient),
        "recipient_x25519": b64e(recipient_x25519),
        "granter": b64e(granter.device_id),
        "wrapped": b64e(enc + ct),
    }
    grant["sig"] = b64e(granter.sign(pinned("grant", grant)))
    return grant


def _field(grant: dict[str, Any], name: str, length: int) -> bytes:
    try:
        raw = b64d(grant[name])
    except ValueError as exc:
        raise GrantError(f"malformed grant: {name}") from exc
    if len(raw) != length:
        raise GrantError(f"malformed grant: {name} length")
    return raw


def open_grant(
    grant: dict[str, Any], *, me: DeviceIdentity, team: bytes, ledger: VerifiedLedger
) -> tuple[int, bytes]:
    """Check and unwrap a grant addressed to ``me``; return ``(epoch, epoch_key)``.

    Refuses (:class:`GrantError`) a malformed grant, another team, another recipient or X25519 key, a
    recipient that is not an active device of the verified ``ledger`` (never added, revoked, or listed
    with another X25519 key), a granter that did not hold ``beheer`` in the verified ledger while the
    epoch was current or was revoked at or before the epoch began, a bad signature, an epoch the ledger
    does not know, a wrap that does not open, and a key that does not match the ledger's commitment for
    that epoch (so a key of the server's choosing never gets in).
    """
    if not isinstance(grant, dict) or set(grant) != GRANT_FIELDS:
        raise GrantError("malformed grant")
    epoch = grant["epoch"]
    if type(epoch) is not int or epoch < 1:
        raise GrantError("malformed grant: epoch")
    g_team = _field(grant, "team", ID_LEN)
    recipient = _field(grant, "recipient", ID_LEN)
    recipient_x25519 = _field(grant, "recipient_x25519", KEY_LEN)
    granter = _field(grant, "granter", ID_LEN)
    wrapped = _field(grant, "wrapped", WRAPPED_LEN)
    sig = _field(grant, "sig", SIGNATURE_LEN)

    if g_team != team or ledger.team != team:
        raise GrantError("grant for another team")
    if recipient != me.device_id or recipient_x25519 != me.x25519_pub:
        raise GrantError("grant is not addressed to this device")
    listed = ledger.devices.get(recipient)
    if listed is None or listed.x25519 != recipient_x25519:
        raise GrantError("recipient is not a device of the verified ledger with this exchange key")
    if ledger.is_revoked(recipient):
        raise GrantError("recipient is revoked in the verified ledger")
    author = ledger.devices.get(granter)
    if author is None:
        raise GrantError("granter has no beheer in the verified ledger")
    start = ledger.epoch_entry_index.get(epoch)
    if start is None:
        if not ledger.has_beheer(granter):
            raise GrantError("granter has no beheer in the verified ledger")
    else:
        revoked = ledger.revoked.get(granter)
        if revoked is not None and revoked[1] <= start:
            raise GrantError(f"granter was revoked before epoch {epoch} began")
        if not ledger.had_beheer_since(granter, start):
            raise GrantError("granter has no beheer in the verified ledger while this epoch was current")
    unsigned = {key: value for key, value in grant.items() if key != "sig"}
    if not verify_signature(author.ed25519, sig, pinned("grant", unsigned)):
        raise GrantError("bad grant signature")
    commitment = ledger.epochs.get(epoch)
    if commitment is None:
        raise GrantError(f"epoch {epoch} is not in the verified ledger")
    info = grant_info(team, epoch, recipient, recipient_x25519)
    try:
        epoch_key = hpke.open_base(me.exchange_key, wrapped[: hpke.N_ENC], info, b"", wrapped[hpke.N_ENC :])
    except hpke.HPKEError as exc:
        raise GrantError("grant does not open") from exc
    if not hmac.compare_digest(epoch_commitment(team, epoch, epoch_key), commitment):
        raise GrantError("key does not match the epoch commitment")
    return epoch, epoch_key
