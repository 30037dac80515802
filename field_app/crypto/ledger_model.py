"""The team ledger's model: what a verified chain says (devices, roles, epochs, revocations, the head),
the entry hash and the epoch commitment. Built only by :mod:`.ledger` verification."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass, field
from typing import Any

from .canonical import canonical_json, pinned
from .facts import MAX_LEDGER_ENTRY_BYTES

ENTRY_FIELDS = frozenset({"team", "index", "prev", "type", "body", "signer", "at", "sig"})
ENTRY_TYPES = ("genesis", "add_device", "revoke_device", "set_role", "rotate_epoch", "wipe")
DEVICE_FIELDS = frozenset({"id", "ed25519", "x25519", "role", "beheer"})
GENESIS_PREV = bytes(32)
MAX_ENTRY = MAX_LEDGER_ENTRY_BYTES  # canonical JSON bytes of one entry
HASH_LEN = 32
EPOCH_KEY_LEN = 32
_NONCE_LEN = 12
_TAG_LEN = 16
KEY_HISTORY_LEN = _NONCE_LEN + EPOCH_KEY_LEN + _TAG_LEN  # nonce || AES-256-GCM(previous epoch key)
KEY_HISTORY_INFO = b"veldwerk/key-history/v1\0"



class LedgerError(Exception):
    """The ledger (or an entry about to be made) is not valid; nothing from it may be trusted."""


class LedgerTimeError(LedgerError):
    """An entry's ``at`` lies further ahead of the checking clock than ``facts.LEDGER_AT_AHEAD_MS``: signed
    by a device whose clock is far off (or by a compromised coordinator), or checked by a device whose own
    clock is far behind. Nothing from the ledger is taken."""


@dataclass(frozen=True)
class DeviceInfo:
    """A device as the verified ledger knows it (its current role and ``beheer`` right)."""

    id: bytes
    ed25519: bytes
    x25519: bytes
    role: str
    beheer: bool


@dataclass
class VerifiedLedger:
    """The state of a verified chain: devices, epoch commitments, revocations and the head.

    ``devices`` keeps revoked devices too (their old envelopes still verify); use :meth:`active_devices`
    for the devices that may receive keys. ``hashes[i]`` is the hash of entry ``i``.
    """

    team: bytes
    devices: dict[bytes, DeviceInfo] = field(default_factory=dict)
    epochs: dict[int, bytes] = field(default_factory=dict)  # epoch -> commitment
    head_index: int = -1
    head_hash: bytes = GENESIS_PREV
    current_epoch: int = 0
    revoked: dict[bytes, tuple[str, int]] = field(default_factory=dict)  # device -> (reason, entry index)
    wipes: set[bytes] = field(default_factory=set)
    epoch_entry_index: dict[int, int] = field(default_factory=dict)  # epoch -> index of the entry creating it
    key_history: dict[int, bytes] = field(default_factory=dict)  # epoch e -> key of e-1 sealed under key e
    hashes: list[bytes] = field(default_factory=list)
    added_at: dict[bytes, int] = field(default_factory=dict)  # device -> index of its genesis/add_device
    # device -> [(index, role, beheer)] every change of role or beheer, oldest first
    role_history: dict[bytes, list[tuple[int, str, bool]]] = field(default_factory=dict)

    def device(self, device_id: bytes) -> DeviceInfo | None:
        """The device with ``device_id`` (revoked or not), or None."""
        return self.devices.get(device_id)

    def is_revoked(self, device_id: bytes) -> bool:
        return device_id in self.revoked

    def has_beheer(self, device_id: bytes) -> bool:
        """True if the device is known, not revoked and holds the ``beheer`` right now."""
        info = self.devices.get(device_id)
        return info is not None and info.beheer and device_id not in self.revoked

    def active_devices(self) -> dict[bytes, DeviceInfo]:
        """The devices that are in the team now (added and not revoked): the recipients of epoch keys."""
        return {key: info for key, info in self.devices.items() if key not in self.revoked}

    def index_of(self, head_hash: bytes) -> int | None:
        """The index of the entry whose hash is ``head_hash``, or None if this chain has no such entry."""
        try:
            return self.hashes.index(bytes(head_hash))
        except (ValueError, TypeError):
            return None

    def was_member_at(self, device_id: bytes, index: int) -> bool:
        """True if the device had been added at or before entry ``index`` and not revoked by then."""
        added = self.added_at.get(device_id)
        if added is None or index < added or index > self.head_index:
            return False
        revoked = self.revoked.get(device_id)
        return revoked is None or index < revoked[1]

    def _state_at(self, device_id: bytes, index: int) -> tuple[str, bool] | None:
        if not self.was_member_at(device_id, index):
            return None
        state = None
        for at, role, beheer in self.role_history.get(device_id, []):
            if at > index:
                break
            state = (role, beheer)
        return state

    def role_at(self, device_id: bytes, index: int) -> str | None:
        """The device's role just after entry ``index``, or None if it was not a member then."""
        state = self._state_at(device_id, index)
        return None if state is None else state[0]

    def beheer_at(self, device_id: bytes, index: int) -> bool:
        """True if the device was a member holding ``beheer`` just after entry ``index``."""
        state = self._state_at(device_id, index)
        return state is not None and state[1]

    def had_beheer_since(self, device_id: bytes, index: int) -> bool:
        """True if the device held ``beheer`` as a member at some entry from ``index`` to the head."""
        end = self.head_index
        revoked = self.revoked.get(device_id)
        if revoked is not None:
            end = min(end, revoked[1] - 1)
        changes = self.role_history.get(device_id, [])
        for k, (at, _role, beheer) in enumerate(changes):
            until = changes[k + 1][0] - 1 if k + 1 < len(changes) else end
            if beheer and at <= end and until >= index and at <= until:
                return True
        return False

    def epoch_at(self, index: int) -> int:
        """The epoch in force just after entry ``index`` (0 before the genesis)."""
        current = 0
        for epoch, at in sorted(self.epoch_entry_index.items()):
            if at <= index:
                current = epoch
        return current

    def rotation_due(self) -> bool:
        """True if a device was revoked after the entry that created the current epoch: rotate now."""
        return self.unrotated_revocation() is not None

    def unrotated_revocation(self) -> int | None:
        """Index of the first revocation after the entry that created the current epoch, if any: from that
        entry on, nothing may be sealed under the current key (the removed device holds it)."""
        start = self.epoch_entry_index.get(self.current_epoch, -1)
        later = [at for _reason, at in self.revoked.values() if at > start]
        return min(later) if later else None


def entry_hash(entry: dict[str, Any]) -> bytes:
    """``SHA-256(canonical_json(entry))`` of the complete entry (sig included)."""
    return hashlib.sha256(canonical_json(entry)).digest()


def epoch_commitment(team: bytes, epoch: int, epoch_key: bytes) -> bytes:
    """``HMAC-SHA256(epoch_key, pinned("epoch-id", {"team": team, "epoch": epoch}))`` (goes in the ledger)."""
    return hmac.new(
        bytes(epoch_key), pinned("epoch-id", {"team": bytes(team), "epoch": epoch}), hashlib.sha256
    ).digest()


def _is_int(value: Any) -> bool:
    return type(value) is int
