"""Sealing a device's operations for the team: to the current epoch key, signed, each envelope chained to
the device's previous one (``device_seq``, ``prev_hash``). Work waits, sealed under the local key only,
while the device is not a confirmed member with the current key, or a removal waits for the new key."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..crypto.canonical import b64d, b64e
from ..crypto.envelope import seal
from ..crypto.wire import HASH_LEN, envelope_hash
from .states import SyncState

if TYPE_CHECKING:
    from .device import Device

__all__ = ["Sealer"]


class Sealer:
    def __init__(self, device: Device):
        self._d = device

    def waiting_state(self) -> SyncState:
        """Why this device cannot seal: a removal waits for the team key's rotation, or it is not (yet)
        a confirmed member with the current key."""
        if self._d.is_member() and self._d.ledger.rotation_due():
            return SyncState.AWAITING_TEAM_KEY
        return SyncState.AWAITING_CONFIRMATION

    def can_seal(self) -> bool:
        """A member with the current key, and no removed device still holding that key (after a revocation
        work waits, sealed locally, until a coordinator's device has renewed the team key)."""
        return (self._d.is_member() and self._d.ledger.current_epoch in self._d.epoch_keys
                and not self._d.ledger.rotation_due())

    def seal(self, op_id: bytes, op: dict) -> bytes:
        """Seal to the team's current key and advance this device's chain. Call inside a transaction."""
        chain = self._d.store.get_states("device_seq", "prev_hash")
        seq = int(chain.get("device_seq", "0")) + 1
        prev = chain.get("prev_hash")
        epoch = self._d.ledger.current_epoch
        envelope = seal(op, team=self._d.team, epoch=epoch, epoch_key=self._d.epoch_keys[epoch],
                        identity=self._d.identity, op_id=op_id, device_seq=seq,
                        prev_hash=b64d(prev) if prev else bytes(HASH_LEN), ledger_head=self._d.ledger.head_hash)
        self._d.store.set_states({"device_seq": str(seq), "prev_hash": b64e(envelope_hash(envelope))})
        return envelope

    def envelope_waiting(self) -> None:
        """Seal, in order, the work that waited for a team key (now that there is one)."""
        if not self.can_seal() or not self._d.store.outbox_has_waiting():
            return
        with self._d.store.transaction():
            for op_id, op in self._d.store.outbox_waiting():
                self._d.store.outbox_set_envelope(op_id, self.seal(op_id, op))

    def reseal_outbox(self, seq: int, last_hash: bytes) -> None:
        """Seal the whole outbox again, in order, on top of this device's chain as the server holds it
        (``seq``, ``last_hash``). Without the current key the work waits again."""
        with self._d.store.transaction():
            self._d.store.set_state("device_seq", str(seq))
            self._d.store.set_state("prev_hash", b64e(last_hash))
            for op_id, _envelope in self._d.store.outbox_all():
                op = self._d.store.get_op(op_id)
                if op is None:
                    continue
                if self.can_seal():
                    self._d.store.outbox_set_envelope(op_id, self.seal(op_id, op))
                else:
                    self._d.store.outbox_set_waiting(op_id, op)
