"""Sealing a device's operations for the team: to the current epoch key, signed, each envelope chained to
the device's previous one (``device_seq``, ``prev_hash``). Work waits, sealed under the local key only,
while the device is not a confirmed member with the current key, or a removal waits for the new key."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from ..crypto.canonical import b64d, b64e
from ..crypto.envelope import EnvelopeError, open_envelope_plain, seal
from ..crypto.vault import VaultError
from ..crypto.wire import HASH_LEN, envelope_hash
from ..store.snapshot_rows import holds_op
from .snapshots import note_damaged
from .states import SyncState

if TYPE_CHECKING:
    from .device import Device

__all__ = ["Sealer"]

log = logging.getLogger("veldwerk.sealing")


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

    def _stored_op(self, op_id: bytes) -> dict | None:
        """The stored operation of an outbox entry; None when its sealed row does not open or holds another
        operation (a blob copied from another row: an operation names its own op_id)."""
        try:
            op = self._d.store.get_op(op_id)
        except (VaultError, ValueError):
            return None
        return op if holds_op(op, op_id) else None

    def sealed_op(self, op_id: bytes, envelope: bytes | None) -> dict | None:
        """The operation as this device sealed it in its own outbox (or kept) envelope, for when its stored
        row is gone or damaged. The envelope's signature is checked with this device's own key: the team
        key's AEAD alone would let anyone else in the team plant an envelope here that this device then
        re-seals and signs as its own. None when it does not verify or open."""
        if envelope is None:
            return None
        identity = self._d.identity
        try:
            op, _plain = open_envelope_plain(envelope, team=self._d.team, sender_ed25519=identity.ed25519_pub,
                                             epoch_keys=self._d.epoch_keys, sender_device=identity.device_id)
        except EnvelopeError:
            return None
        return op if holds_op(op, op_id) else None

    def _seal_entry(self, op_id: bytes, op: dict | None) -> None:
        """Seal one outbox entry in order; an entry whose operation is damaged leaves the outbox (it cannot
        travel as what was written) and is counted with the damaged operations (the sync sheet says it),
        so the rest of the work still travels."""
        if op is not None:
            self._d.store.outbox_set_envelope(op_id, self.seal(op_id, op))
            return
        log.warning("an outbox entry's operation does not open: left out, counted as damaged")
        self._d.store.outbox_remove(op_id)
        note_damaged(self._d.store, self._d.store.op_position(op_id))

    def envelope_waiting(self) -> None:
        """Seal, in order, the work that waited for a team key (now that there is one)."""
        if not self.can_seal() or not self._d.store.outbox_has_waiting():
            return
        with self._d.store.transaction():
            for op_id, waiting in self._d.store.outbox_waiting():
                self._seal_entry(op_id, self._stored_op(op_id) or waiting)

    def reseal_outbox(self, seq: int, last_hash: bytes) -> None:
        """Seal the whole outbox again, in order, on top of this device's chain as the server holds it
        (``seq``, ``last_hash``). Without the current key the work waits again."""
        with self._d.store.transaction():
            self._d.store.set_state("device_seq", str(seq))
            self._d.store.set_state("prev_hash", b64e(last_hash))
            for op_id, envelope in self._d.store.outbox_all():
                if not self._d.store.has_op(op_id):
                    continue
                op = self._stored_op(op_id) or self.sealed_op(op_id, envelope)
                if self.can_seal() or op is None:
                    self._seal_entry(op_id, op)
                else:
                    self._d.store.outbox_set_waiting(op_id, op)
