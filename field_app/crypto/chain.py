"""Replay and rollback detection: per-device envelope chains, signed push heads and pull-cursor checks.

Every envelope header carries ``device_seq`` (1, 2, 3, ... per device) and ``prev_hash`` (SHA-256 of the
same device's previous envelope, 32 zero bytes for the first). A device that pushes also sends a *push
head*: ``{device, device_seq, hash, sig}`` signed over ``pinned("push-head", {team, device, device_seq,
hash})``, the newest envelope it has handed over. The server relays the newest head of every device
(``GET /v1/teams/{team}/heads``), so a reader that has pulled to the end can tell when a server drops
(``gap``/``withheld``), rewrites (``fork``) or repeats (``replay``) envelopes, and :func:`check_cursor`
catches a pull cursor that is rolled back.

All functions are pure; the caller keeps the tracker's state (see :meth:`DeviceChainTracker.to_json`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from . import wire
from .canonical import b64d, b64e, pinned
from .identity import ID_LEN, SIGNATURE_LEN, DeviceIdentity, verify_signature
from .ledger import VerifiedLedger

__all__ = [
    "CHAIN_ERRORS",
    "ZERO_HASH",
    "ChainError",
    "DeviceChainTracker",
    "push_head_bytes",
    "push_head",
    "verify_push_head",
    "check_cursor",
    "check_envelope_context",
]

ZERO_HASH = bytes(32)
HASH_LEN = 32
MAX_SEQ = 2**53
CHAIN_ERRORS = ("gap", "fork", "replay", "withheld", "rollback", "bad_envelope", "bad_head", "context")

# (device, device_seq) -> SHA-256 of the envelope this reader saw at that position, or None.
Known = Callable[[bytes, int], "bytes | None"]


class ChainError(Exception):
    """A chain, head or cursor check failed. ``kind`` is one of :data:`CHAIN_ERRORS`:

    ``gap``       envelopes of a device are missing between what was seen and what arrived;
    ``fork``      two different envelopes claim the same place in a device's chain;
    ``replay``    an envelope (or an older one of that device) arrives again: harmless, apply nothing;
    ``withheld``  a device's signed head is beyond what the server served;
    ``rollback``  the server serves an older ledger, cursor or sequence than before;
    ``bad_envelope`` / ``bad_head`` the bytes are malformed or not signed by the device;
    ``context``   the envelope names a ledger head, epoch or membership that does not fit.
    """

    def __init__(self, kind: str, detail: str, *, device: bytes | None = None) -> None:
        super().__init__(f"{kind}: {detail}")
        self.kind = kind
        self.device = device


@dataclass
class DeviceChainTracker:
    """What this reader has seen of each device's chain: ``heads[device] = (device_seq, envelope hash)``.

    Feed it every envelope in server order with :meth:`observe`; after pulling to the end, compare the
    signed heads with :meth:`check_head` / :meth:`check_heads`. A failed check changes nothing.
    """

    heads: dict[bytes, tuple[int, bytes]] = field(default_factory=dict)
    gaps: list[tuple[bytes, int, int]] = field(default_factory=list)  # (device, first missing, last missing)

    def last(self, device: bytes) -> tuple[int, bytes]:
        """The newest (device_seq, hash) seen of ``device``; (0, 32 zero bytes) before the first."""
        return self.heads.get(device, (0, ZERO_HASH))

    def observe(
        self,
        envelope: bytes,
        sender_ed25519: bytes,
        *,
        known: Known | None = None,
        allow_gap: bool = False,
        signature_checked: bool = False,
    ) -> None:
        """Check ``envelope`` (signature by ``sender_ed25519``, from the verified ledger) against the
        sender's chain and record it.

        Raises :class:`ChainError`: ``bad_envelope`` (malformed or not signed by that key), ``gap``
        (``device_seq`` skips ahead; with ``allow_gap`` the gap is recorded in :attr:`gaps` and the
        envelope accepted), ``fork`` (``prev_hash`` is not the hash of the previous envelope, or another
        envelope was seen at this position) and ``replay`` (this or an older position again; ``known``
        may give the hash seen at an older position, to tell a replay from a fork). ``signature_checked``:
        its authenticity is already established (a verified run of its chain, ``crypto.runs``).
        """
        try:
            parts = wire.unpack(envelope)
        except wire.EnvelopeFormatError as exc:
            raise ChainError("bad_envelope", f"malformed envelope: {exc}") from exc
        if not signature_checked and not verify_signature(sender_ed25519, parts.signature, parts.signed_bytes()):
            raise ChainError("bad_envelope", "the envelope is not signed by its sender")
        device = parts.device
        seq = parts.header["device_seq"]
        prev = parts.prev_hash
        digest = wire.envelope_hash(bytes(envelope))
        last_seq, last_hash = self.last(device)
        if seq == last_seq + 1:
            if prev != last_hash:
                raise ChainError(
                    "fork", f"envelope {seq} does not follow the envelope {last_seq} seen", device=device
                )
        elif seq > last_seq + 1:
            if not allow_gap:
                raise ChainError("gap", f"envelopes {last_seq + 1}..{seq - 1} are missing", device=device)
            self.gaps.append((device, last_seq + 1, seq - 1))
        elif seq == last_seq:
            if digest != last_hash:
                raise ChainError("fork", f"another envelope {seq} than the one seen", device=device)
            raise ChainError("replay", f"envelope {seq} again", device=device)
        else:
            seen = known(device, seq) if known is not None else None
            if seen is not None and bytes(seen) != digest:
                raise ChainError("fork", f"another envelope {seq} than the one seen", device=device)
            raise ChainError("replay", f"envelope {seq} again (the chain is at {last_seq})", device=device)
        self.heads[device] = (seq, digest)

    def check_head(
        self, device: bytes, device_seq: int, head_hash: bytes, *, known: Known | None = None
    ) -> None:
        """Compare a device's (verified) push head with what was served; call after pulling to the end
        (and read the heads *before* that pull, so a push in between cannot look like withholding).

        Raises ``withheld`` if the head is beyond the envelopes seen and ``fork`` if the head names
        another envelope than the one seen at its position.
        """
        last_seq, last_hash = self.last(device)
        if device_seq > last_seq:
            raise ChainError(
                "withheld",
                f"the device pushed up to {device_seq}, the server served {last_seq}",
                device=device,
            )
        if device_seq == last_seq and bytes(head_hash) != last_hash:
            raise ChainError("fork", f"the head names another envelope {device_seq}", device=device)
        if device_seq < last_seq and known is not None:
            seen = known(device, device_seq)
            if seen is not None and bytes(seen) != bytes(head_hash):
                raise ChainError("fork", f"the head names another envelope {device_seq}", device=device)

    def check_heads(
        self,
        heads: Iterable[dict[str, Any]],
        *,
        team: bytes,
        ledger: VerifiedLedger,
        known: Known | None = None,
    ) -> None:
        """:func:`verify_push_head` each served head with its device's key from the verified ``ledger``,
        then :meth:`check_head`. A head of a device the ledger does not know is ``bad_head``."""
        for head in heads:
            try:
                device = b64d(head["device"])
            except (KeyError, TypeError, ValueError) as exc:
                raise ChainError("bad_head", "a head without a device") from exc
            info = ledger.devices.get(device)
            if info is None:
                raise ChainError("bad_head", "a head of a device that is not in the ledger", device=device)
            _, seq, digest = verify_push_head(head, team=team, ed25519=info.ed25519, device=device)
            self.check_head(device, seq, digest, known=known)

    def to_json(self) -> dict[str, Any]:
        """JSON-ready state, to persist in the same transaction as the applied envelopes."""
        return {
            "heads": {b64e(d): [seq, b64e(h)] for d, (seq, h) in sorted(self.heads.items())},
            "gaps": [[b64e(d), first, last] for d, first, last in self.gaps],
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> DeviceChainTracker:
        """Inverse of :meth:`to_json`; ``ValueError`` if malformed."""
        try:
            heads = {b64d(d): (int(seq), b64d(h)) for d, (seq, h) in data.get("heads", {}).items()}
            gaps = [(b64d(d), int(first), int(last)) for d, first, last in data.get("gaps", [])]
        except (AttributeError, TypeError, ValueError) as exc:
            raise ValueError("malformed chain tracker state") from exc
        return cls(heads=heads, gaps=gaps)


# --- push heads ------------------------------------------------------------------------------------


def push_head_bytes(team: bytes, device: bytes, device_seq: int, head_hash: bytes) -> bytes:
    """``pinned("push-head", {team, device, device_seq, hash})``: what a push head signs."""
    return pinned(
        "push-head",
        {"team": bytes(team), "device": bytes(device), "device_seq": device_seq, "hash": bytes(head_hash)},
    )


def _check_seq(value: Any) -> int:
    if type(value) is not int or not 1 <= value <= MAX_SEQ:
        raise ChainError("bad_head", "device_seq must be a positive integer")
    return value


def push_head(
    team: bytes, device: bytes, device_seq: int, hash: bytes, identity: DeviceIdentity
) -> dict[str, Any]:
    """A signed push head: this device has handed over its envelopes up to ``device_seq``, the last one
    hashing to ``hash``. JSON ready: ``{device, device_seq, hash, sig}``."""
    if len(team) != ID_LEN or len(device) != ID_LEN or len(hash) != HASH_LEN:
        raise ChainError("bad_head", "team and device must be 16 bytes, hash 32 bytes")
    if bytes(device) != identity.device_id:
        raise ChainError("bad_head", "a device signs only its own head")
    seq = _check_seq(device_seq)
    sig = identity.sign(push_head_bytes(team, device, seq, hash))
    return {"device": b64e(device), "device_seq": seq, "hash": b64e(hash), "sig": b64e(sig)}


def verify_push_head(
    head: Mapping[str, Any], *, team: bytes, ed25519: bytes, device: bytes | None = None
) -> tuple[bytes, int, bytes]:
    """Check a push head's form and signature by ``ed25519``; return ``(device, device_seq, hash)``.

    ``head`` is ``{device, device_seq, hash, sig}``; ``device`` may be left out of it when passed here
    (the server knows the pusher). Raises ``ChainError("bad_head")``.
    """
    if not isinstance(head, Mapping) or not {"device_seq", "hash", "sig"} <= set(head) <= {
        "device",
        "device_seq",
        "hash",
        "sig",
    }:
        raise ChainError("bad_head", "a head is {device, device_seq, hash, sig}")
    try:
        named = b64d(head["device"]) if "device" in head else None
        digest = b64d(head["hash"])
        sig = b64d(head["sig"])
    except (TypeError, ValueError) as exc:
        raise ChainError("bad_head", "a head field is not base64url") from exc
    if named is not None and device is not None and named != bytes(device):
        raise ChainError("bad_head", "the head names another device")
    who = named if named is not None else device
    if who is None or len(who) != ID_LEN or len(digest) != HASH_LEN or len(sig) != SIGNATURE_LEN:
        raise ChainError("bad_head", "malformed head")
    seq = _check_seq(head["device_seq"])
    if not verify_signature(ed25519, sig, push_head_bytes(team, who, seq, digest)):
        raise ChainError("bad_head", "the head is not signed by the device", device=who)
    return bytes(who), seq, digest


# --- pull cursor -----------------------------------------------------------------------------------


def _envelope_bytes(value: Any) -> bytes:
    if isinstance(value, (bytes, bytearray)):
        return bytes(value)
    try:
        return b64d(value)
    except ValueError as exc:
        raise ChainError("bad_envelope", "a served envelope is not base64url") from exc


def check_cursor(
    previous_next: int,
    served_changes: list[Mapping[str, Any]],
    next: int | None = None,
    *,
    applied: Callable[[int], bytes | None] | None = None,
) -> int:
    """Check one pull page against the cursor this device stored; return the new cursor.

    ``served_changes`` are ``{seq, envelope}`` (envelope as bytes or base64url) as served after
    ``previous_next``; ``next`` is the page's announced cursor. Team seqs are contiguous (the server
    assigns ``last_seq + 1`` in one transaction and never deletes), so a reader detects:

    - ``rollback``: a seq at or below ``previous_next`` whose bytes differ from what was applied there
      (``applied(seq)`` gives those bytes; without it any such seq is a rollback), or a ``next`` that
      goes back;
    - ``gap``: a new seq that is not the previous one + 1 (a hole in the team's sequence);
    - ``bad_envelope``: seqs out of order or not integers.
    Seqs at or below ``previous_next`` with the bytes that were applied are allowed (nothing to apply).
    """
    if type(previous_next) is not int or previous_next < 0:
        raise ValueError("previous_next must be a non-negative integer")
    cursor = previous_next
    last_seen = -1
    for change in served_changes:
        seq = change.get("seq") if isinstance(change, Mapping) else None
        if type(seq) is not int or seq < 1:
            raise ChainError("bad_envelope", "a served change without a valid seq")
        if seq <= last_seen:
            raise ChainError("bad_envelope", f"seq {seq} served out of order")
        last_seen = seq
        envelope = _envelope_bytes(change.get("envelope"))
        if seq <= previous_next:
            before = applied(seq) if applied is not None else None
            if before is None or bytes(before) != envelope:
                raise ChainError("rollback", f"seq {seq} was already applied (cursor {previous_next})")
            continue
        if seq != cursor + 1:
            raise ChainError("gap", f"seqs {cursor + 1}..{seq - 1} are missing")
        cursor = seq
    if next is not None:
        if type(next) is not int or next < previous_next:
            raise ChainError("rollback", f"the cursor went back from {previous_next} to {next}")
        if next != cursor:
            raise ChainError(
                "rollback" if next < cursor else "gap", f"next {next} does not follow seq {cursor}"
            )
    return cursor


def check_envelope_context(ledger: VerifiedLedger, envelope: bytes) -> int:
    """Check an envelope's claims against this device's verified ledger; return its ledger-head index.

    ``context`` errors: the sealer's ``ledger_head`` is not in this ledger (fetch the ledger: if the
    server cannot produce a chain that contains it, it is withholding entries), the sender was not a
    member at that head, or the header's epoch is not the epoch in force at that head.
    """
    try:
        parts = wire.unpack(envelope)
    except wire.EnvelopeFormatError as exc:
        raise ChainError("bad_envelope", f"malformed envelope: {exc}") from exc
    index = ledger.index_of(parts.ledger_head)
    if index is None:
        raise ChainError("context", "the sealer's ledger head is unknown to this device", device=parts.device)
    if not ledger.was_member_at(parts.device, index):
        raise ChainError("context", "the sender was not a member at its ledger head", device=parts.device)
    if parts.epoch != ledger.epoch_at(index):
        raise ChainError(
            "context", "the epoch is not the one in force at the ledger head", device=parts.device
        )
    return index
