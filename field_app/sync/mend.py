"""Stored operations gone from this device's file, or damaged in it, fetched again from the team's copy.

Someone holding a device's data folder can delete a row of its ``ops`` table or damage one (an attack on
the stores). A damaged row is left out of the projection and counted (``core/snapshots.py``); a deleted
row left no trace at all: its note was simply gone from this device, and a later pull never brought it
back (the cursor had passed it). Both are mended here, in the first round after each unlock:

- a team envelope this device took in (its ``seen`` row: team seq and SHA-256) without an operation row
  is read again from the server at that seq and used only if its hash is the one this device recorded
  when it first took it in: the very envelope, checked then against its device's chain;
- a damaged row of a received or delivered operation (its op_id and seq are clear columns) takes the
  envelope of that op_id: this device's own kept copy (``kept``) when it has one, else the server's at
  that seq;
- either is opened again with every check of a pull (context, signature, key, role) and stored under the
  local key;
- unsent work of this device whose row is gone or damaged comes back from its own outbox entry (the team
  key's AEAD authenticates the content), or from the entry's locally sealed copy while it waits for a key.

It runs before the round's push, so unsent work whose row was lost is stored again before it leaves.

What cannot be mended (the server's copy differs from the hash seen, it no longer opens) stays as it was
and is tried again after the next unlock. The sync sheet says for a week how many were fetched again.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from ..core.snapshots import damaged_positions, forget_damaged
from ..crypto.canonical import b64d, canonical_json
from ..crypto.chain import ChainError, check_envelope_context
from ..crypto.envelope import EnvelopeError, open_envelope_plain
from ..crypto.wire import EnvelopeFormatError, envelope_hash, unpack
from .client import SyncClient
from .port import DevicePort

__all__ = ["StoreMend", "Mended", "MENDED", "MENDED_AT"]

log = logging.getLogger("veldwerk.sync")

MENDED = "mended_ops"  # clear state: how many stored operations were fetched again (a number)
MENDED_AT = "mended_at"  # clear state: when that last happened (ms)
FETCH_LIMIT = 500


@dataclass
class Mended:
    missing: int = 0  # operations whose row was gone
    damaged: int = 0  # damaged rows of received or delivered operations
    restored: int = 0  # of both, stored again
    left: int = 0  # not mended now (tried again after the next unlock)


class StoreMend:
    def __init__(self, device: DevicePort, client: SyncClient, allowed):
        """``allowed(op, sender, ledger_index)``: the role check of a pull (``Puller.allowed``)."""
        self.device, self.client, self.allowed = device, client, allowed
        self.done = False  # once per unlock (the engine is made at each unlock)

    def run(self) -> Mended:
        """Find and mend; raises Unreachable/ServerError from the reads (the round fails and is retried)."""
        dev = self.device
        store = dev.store
        out = Mended()
        restored: list[tuple[bytes, dict, str]] = []
        self._unsent(out, restored)
        targets: list[tuple[int, bytes | None, int | None, bytes | None]] = [
            (seq, digest, None, None) for seq, digest in store.seen_without_op()]  # (seq, hash, position, op_id)
        out.missing += len(targets)
        damaged = store.ops_at(damaged_positions(store))
        out.damaged = len(damaged)
        self._unsent_damaged([row for row in damaged if row[2] is None], out, restored)
        targets += [(seq, store.seen_at_seq(seq), position, op_id) for position, op_id, seq in damaged
                    if seq is not None]
        fetched: dict[int, bytes] = {}
        last = max((t[0] for t in targets), default=0)
        for seq, digest, position, op_id in sorted(targets, key=lambda t: t[0]):
            env = store.kept_envelope(op_id) if op_id is not None else None  # own delivered work: its copy
            if env is None:
                if seq not in fetched:
                    fetched = self._fetch(seq, last)
                env = fetched.get(seq)
            # a lost row: only the very envelope seen at that seq (by its hash); a damaged row: an envelope
            # of its own op_id (checked below), signed by its author (checked when it is opened)
            if env is None or (op_id is None and envelope_hash(env) != digest):
                out.left += 1  # not the envelope this device took in: left as it is
                continue
            opened = self._open(env)
            if opened is None or (op_id is not None and opened[0] != op_id):
                out.left += 1
                continue
            env_op_id, op, plain, origin = opened
            with store.transaction():
                if position is None:
                    stored = store.add_op(env_op_id, op, origin=origin, seq=seq, plain=plain)
                else:
                    stored = store.op_replace(position, env_op_id, plain)
                    if stored:
                        forget_damaged(store, position)
            if stored:
                restored.append((env_op_id, op, origin))
            else:
                out.left += 1
        out.restored = len(restored)
        if restored:
            log.warning("stored operations mended from the team's copy: %d (%d left)", len(restored), out.left)
            with store.transaction():
                store.set_state(MENDED, str(int(store.get_state(MENDED, "0") or 0) + len(restored)))
                store.set_state(MENDED_AT, str(dev.clock()))
            dev.show_restored(restored)
        self.done = True  # what is left is tried after the next unlock, not in every round
        return out

    def _unsent(self, out: Mended, restored: list[tuple[bytes, dict, str]]) -> None:
        """Own unsent work whose operation row is gone: from its outbox entry."""
        dev = self.device
        store = dev.store
        gone = store.outbox_without_op()
        if not gone:
            return
        out.missing += len(gone)
        waiting = {op_id: op for op_id, op in store.outbox_waiting()}
        for op_id, envelope in gone:
            op = dev.own_sealed_op(op_id, envelope) if envelope is not None else waiting.get(op_id)
            if op is None:
                out.left += 1
                continue
            with store.transaction():
                if store.add_op(op_id, op, origin="local"):
                    restored.append((op_id, op, "local"))

    def _unsent_damaged(self, rows: list[tuple[int, bytes, int | None]], out: Mended,
                        restored: list[tuple[bytes, dict, str]]) -> None:
        """Own work with no seq in its row whose row is damaged: from its outbox envelope, or (delivered, not
        yet pulled back) its kept copy."""
        store = self.device.store
        for position, op_id, _seq in rows:
            envelope = store.outbox_envelope(op_id) or store.kept_envelope(op_id)
            op = self.device.own_sealed_op(op_id, envelope) if envelope is not None else None
            if op is None:
                out.left += 1
                continue
            with store.transaction():
                if store.op_replace(position, op_id, canonical_json(op)):
                    forget_damaged(store, position)
                    restored.append((op_id, op, "local"))

    def _fetch(self, seq: int, last: int) -> dict[int, bytes]:
        """The server's envelopes from ``seq`` on (one page, up to ``last``), by seq."""
        page = self.client.pull(self.device.team, seq - 1, min(FETCH_LIMIT, last - seq + 1))
        out: dict[int, bytes] = {}
        for change in page.get("changes") or []:
            try:
                out[int(change["seq"])] = b64d(change["envelope"])
            except (KeyError, TypeError, ValueError):
                continue
        return out

    def _open(self, env: bytes) -> tuple[bytes, dict, bytes, str] | None:
        """(op_id, op, plaintext, origin) with a pull's checks; None if it does not pass them now."""
        dev = self.device
        ledger = dev.ledger
        try:
            parts = unpack(env)
        except EnvelopeFormatError:
            return None
        sender = ledger.devices.get(parts.device) if ledger else None
        if sender is None:
            return None
        try:
            index = check_envelope_context(ledger, env)
            op, plain = open_envelope_plain(env, team=dev.team, sender_ed25519=sender.ed25519,
                                            epoch_keys=dev.epoch_keys, sender_device=parts.device)
        except (ChainError, EnvelopeError):
            return None
        if not self.allowed(op, parts.device, index):
            return None
        origin = "local" if parts.device == dev.identity.device_id else "remote"
        return parts.op_id, op, plain, origin
