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
- unsent work of this device whose row is gone or damaged comes back from its own outbox entry when that
  envelope carries this device's own signature (the team key alone does not do: every team member holds
  it), or from the entry's locally sealed copy while it waits for a key. An entry without its row whose
  envelope does not verify cannot travel: it leaves the outbox and the sync sheet says so (``unsent_lost``).

A snapshot that covers a row mended in place was made while that row was left out: it is dropped
(``SnapshotKeeper.restored``). Reads of the server's copy go page by page, at most :data:`FETCH_PAGES`.

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

__all__ = ["StoreMend", "Mended", "MENDED", "MENDED_AT", "UNSENT_LOST", "UNSENT_LOST_AT"]

log = logging.getLogger("veldwerk.sync")

MENDED = "mended_ops"  # clear state: how many stored operations were fetched again the last time (a number)
MENDED_AT = "mended_at"  # clear state: when that last happened (ms)
UNSENT_LOST = "unsent_lost"  # clear state: unsent entries taken out because they could not be restored
UNSENT_LOST_AT = "unsent_lost_at"  # clear state: when that last happened (ms): said for a week
FETCH_LIMIT = 500  # envelopes per read of the server's copy
FETCH_PAGES = 20  # reads at most per unlock (10,000 envelopes): what lies beyond waits for the next unlock
STORE_CHUNK = 200  # operations stored per transaction


@dataclass
class Mended:
    missing: int = 0  # operations whose row was gone
    damaged: int = 0  # damaged rows of received or delivered operations
    restored: int = 0  # of both, stored again
    left: int = 0  # not mended now (tried again after the next unlock)


@dataclass
class _Target:
    seq: int
    digest: bytes | None  # the hash this device recorded when it took the envelope in (``seen``), if any
    position: int | None = None  # a damaged row's position (mended in place), None for a lost row
    op_id: bytes | None = None  # a damaged row's op_id


Restored = tuple[bytes, dict, str, "int | None"]  # (op_id, op, origin, position mended in place or None)


class StoreMend:
    def __init__(self, device: DevicePort, client: SyncClient, allowed):
        """``allowed(op, sender, ledger_index)``: the role check of a pull (``Puller.allowed``)."""
        self.device, self.client, self.allowed = device, client, allowed
        self.done = False  # once per unlock (the engine is made at each unlock)

    def run(self) -> Mended:
        """Find and mend; raises Unreachable/ServerError from the reads (the round fails and is retried).
        What was stored before such an error is shown and counted all the same."""
        store = self.device.store
        out = Mended()
        restored: list[Restored] = []
        try:
            self._unsent(out, restored)
            targets = [_Target(seq, digest) for seq, digest in store.seen_without_op()]
            out.missing += len(targets)
            damaged = store.ops_at(damaged_positions(store))
            out.damaged = len(damaged)
            self._unsent_damaged([row for row in damaged if row[2] is None], out, restored)
            targets += [_Target(seq, store.seen_at_seq(seq), position, op_id) for position, op_id, seq in damaged
                        if seq is not None]
            targets.sort(key=lambda t: t.seq)
            fetched = self._fetch([t.seq for t in targets if t.op_id is None or store.kept_envelope(t.op_id) is None])
            for start in range(0, len(targets), STORE_CHUNK):
                self._store_chunk(targets[start:start + STORE_CHUNK], fetched, out, restored)
        finally:
            out.restored = len(restored)
            if restored:
                self._record(restored, out)
        self.done = True  # what is left is tried after the next unlock, not in every round
        return out

    def _store_chunk(self, targets: list[_Target], fetched: dict[int, bytes], out: Mended,
                     restored: list[Restored]) -> None:
        """Check and store one chunk of targets in one transaction."""
        store = self.device.store
        with store.transaction():
            for t in targets:
                found = self._envelope_for(t, fetched)
                if found is None:
                    out.left += 1  # not the envelope this device took in, or it does not pass: as it is
                    continue
                env_op_id, op, plain, origin = found
                if t.position is None:
                    stored = store.add_op(env_op_id, op, origin=origin, seq=t.seq, plain=plain)
                else:
                    stored = store.op_replace(t.position, env_op_id, plain)
                    if stored:
                        forget_damaged(store, t.position)
                if stored:
                    restored.append((env_op_id, op, origin, t.position))
                else:
                    out.left += 1

    def _envelope_for(self, t: _Target, fetched: dict[int, bytes]) -> tuple[bytes, dict, bytes, str] | None:
        """The opened envelope for a target: a lost row only the very envelope seen at its seq (by its hash);
        a damaged row an envelope of its own op_id (this device's kept copy first, else the server's), which
        must also be the one seen at that seq when the device recorded one. Every check of a pull applies."""
        candidates = [self.device.store.kept_envelope(t.op_id)] if t.op_id is not None else []
        candidates.append(fetched.get(t.seq))
        for env in candidates:
            if env is None or (t.digest is not None and envelope_hash(env) != t.digest):
                continue
            opened = self._open(env)
            if opened is not None and (t.op_id is None or opened[0] == t.op_id):
                return opened
        return None

    def _record(self, restored: list[Restored], out: Mended) -> None:
        """Say it (the sync sheet, for a week: how many this time) and show what came back."""
        dev = self.device
        log.warning("stored operations mended from the team's copy: %d (%d left)", len(restored), out.left)
        with dev.store.transaction():
            dev.store.set_state(MENDED, str(len(restored)))
            dev.store.set_state(MENDED_AT, str(dev.clock()))
        dev.show_restored(restored)

    def _unsent(self, out: Mended, restored: list[Restored]) -> None:
        """Own unsent work whose operation row is gone: from its outbox entry."""
        dev = self.device
        store = dev.store
        gone = store.outbox_without_op()
        if not gone:
            return
        out.missing += len(gone)
        waiting = {op_id: op for op_id, op in store.outbox_waiting()}
        with store.transaction():
            for op_id, envelope in gone:
                op = dev.own_sealed_op(op_id, envelope) if envelope is not None else waiting.get(op_id)
                if op is None:
                    out.left += 1
                    if envelope is not None and self._key_at_hand(envelope):
                        # not this device's own envelope (planted, or damaged beyond repair) and no row to
                        # seal it from again: it cannot travel, and would stop every push behind it
                        log.warning("an unsent entry without its stored operation does not verify: taken out")
                        store.outbox_drop(op_id)
                        dev.count(UNSENT_LOST)
                        store.set_state(UNSENT_LOST_AT, str(dev.clock()))
                elif store.add_op(op_id, op, origin="local"):
                    restored.append((op_id, op, "local", None))

    def _key_at_hand(self, envelope: bytes) -> bool:
        """Does this device hold the key of ``envelope``'s epoch (else it may open later: it waits)?"""
        try:
            return unpack(envelope).epoch in self.device.epoch_keys
        except EnvelopeFormatError:
            return True

    def _unsent_damaged(self, rows: list[tuple[int, bytes, int | None]], out: Mended,
                        restored: list[Restored]) -> None:
        """Own work with no seq in its row whose row is damaged: from its outbox envelope, or (delivered, not
        yet pulled back) its kept copy."""
        store = self.device.store
        with store.transaction():
            for position, op_id, _seq in rows:
                envelope = store.outbox_envelope(op_id) or store.kept_envelope(op_id)
                op = self.device.own_sealed_op(op_id, envelope) if envelope is not None else None
                if op is None:
                    out.left += 1
                elif store.op_replace(position, op_id, canonical_json(op)):
                    forget_damaged(store, position)
                    restored.append((op_id, op, "local", position))

    def _fetch(self, seqs: list[int]) -> dict[int, bytes]:
        """The server's envelopes at ``seqs`` (sorted), read page by page from the first: a page that ends
        before the next seq wanted is followed from where it ended, a gap jumped over; at most
        :data:`FETCH_PAGES` reads (a server that withholds, or ``seen`` rows planted in the file, cannot
        make the device ask once per seq). What is not read now is tried after the next unlock."""
        wanted = set(seqs)
        out: dict[int, bytes] = {}
        after, last, i = 0, (seqs[-1] if seqs else 0), 0
        for _ in range(FETCH_PAGES):
            while i < len(seqs) and seqs[i] <= after:
                i += 1
            if i >= len(seqs):
                break
            after = max(after, seqs[i] - 1)
            page = self.client.pull(self.device.team, after, min(FETCH_LIMIT, last - after))
            highest = after
            for change in page.get("changes") or []:
                try:
                    seq = int(change["seq"])
                    env = b64d(change["envelope"])
                except (KeyError, TypeError, ValueError):
                    continue
                if seq in wanted:
                    out[seq] = env
                highest = max(highest, seq)
            if highest <= after or not page.get("more"):
                break  # the server has nothing further: what is missing stays missing for now
            after = highest
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
