"""What this device delivered, kept (issue #11): the author's own copy of each envelope it handed over,
sealed and signed as sent (already encrypted under the team key; nothing clear is added). When the
server's copy of one is damaged, readers refuse it and hold back the device's later envelopes; the
author delivers the kept copy again (``field_app/sync/own_chain.py``). Bounded: the newest
:data:`KEEP_ENVELOPES` are kept (about 1.5 KB each); an older damaged envelope cannot be delivered again
(docs/security.md says so). Also the per-record sync state's queries (which own operations the server
has not confirmed, which waited for a key)."""

from __future__ import annotations

__all__ = ["KeptMixin", "KEEP_ENVELOPES"]

KEEP_ENVELOPES = 20_000


class KeptMixin:
    """Mixed into :class:`~field_app.store.db.LocalStore` (uses its ``_x`` and ``_one``)."""

    def keep_delivered(self, op_id: bytes) -> None:
        """Before an outbox entry leaves: keep its envelope (inside the caller's transaction)."""
        self._x("INSERT OR IGNORE INTO kept (op_id, envelope) SELECT op_id, envelope FROM outbox "
                "WHERE op_id = ? AND envelope IS NOT NULL", [op_id])

    def kept_envelope(self, op_id: bytes) -> bytes | None:
        """The kept envelope of this device's own operation ``op_id``."""
        row = self._one("SELECT envelope FROM kept WHERE op_id = ?", [op_id])
        return row[0] if row else None

    def kept_at_seq(self, seq: int) -> bytes | None:
        """The kept envelope the server stored under team ``seq`` (its answer to the push, or the pull)."""
        row = self._one("SELECT envelope FROM kept WHERE seq = ?", [seq]) or \
            self._one("SELECT k.envelope FROM ops o JOIN kept k ON k.op_id = o.op_id "
                      "WHERE o.seq = ? AND o.origin = 'local'", [seq])
        return row[0] if row else None

    def kept_unconfirmed(self) -> list[bytes]:
        """Kept envelopes whose operation has no server seq here yet (delivered by signature, not pulled
        back): found by their place in the chain instead (few)."""
        return [r[0] for r in self._x("SELECT k.envelope FROM ops o JOIN kept k ON k.op_id = o.op_id "
                                      "WHERE o.seq IS NULL AND o.origin = 'local' AND k.seq IS NULL")]

    def kept_newest_first(self, chunk: int = 500):
        """``(op_id, envelope)`` of every kept envelope, newest delivery first, read ``chunk`` rows at a time
        (a caller stops as soon as it has what it needs: a lost tail is the newest few)."""
        before = None
        while True:
            rows = self._x("SELECT rowid, op_id, envelope FROM kept WHERE rowid < ? ORDER BY rowid DESC LIMIT ?",
                           [before if before is not None else 2**62, chunk])
            for _rowid, op_id, env in rows:
                yield op_id, env
            if len(rows) < chunk:
                return
            before = rows[-1][0]

    def kept_confirmed(self, items: list[tuple[bytes, int]]) -> None:
        """The server stored these kept envelopes again under ``seq`` (a lost tail delivered again): the
        kept copy and the operation carry the new seq."""
        with self.transaction():
            for op_id, seq in items:
                self._x("UPDATE kept SET seq = ? WHERE op_id = ?", [seq, op_id])
                self._x("UPDATE ops SET seq = ? WHERE op_id = ? AND origin = 'local'", [seq, op_id])

    def own_copyless_ids(self) -> list[bytes]:
        """Own operations with no envelope anywhere: not in the outbox, not kept, never confirmed by the
        server (outbox rows deleted from the file), in the order they were recorded."""
        return [r[0] for r in self._x(
            "SELECT op_id FROM ops WHERE origin = 'local' AND seq IS NULL "
            "AND op_id NOT IN (SELECT op_id FROM outbox) AND op_id NOT IN (SELECT op_id FROM kept) "
            "ORDER BY position")]

    def outbox_put_first(self, entries: list[tuple[bytes, dict, bool]]) -> None:
        """Put own operations ``(op_id, op, counts)`` back at the front of the outbox, in this order, waiting to
        be sealed (the caller seals the whole outbox again on top of the server's head); their kept copies
        and server seqs, which the server no longer holds, are dropped. One transaction."""
        if not entries:
            return
        n = len(entries)
        with self.transaction():
            # two steps: the unique index on position must hold after each row of an UPDATE
            self._x("UPDATE outbox SET position = -(position + ?)", [n])
            self._x("UPDATE outbox SET position = -position")
            for i, (op_id, op, counts) in enumerate(entries, start=1):
                self._x("DELETE FROM kept WHERE op_id = ?", [op_id])
                self._x("UPDATE ops SET seq = NULL WHERE op_id = ?", [op_id])
                self._x("INSERT INTO outbox (op_id, position, envelope, waiting_blob, counts) VALUES (?, ?, NULL, ?, ?)",
                        [op_id, i, self.seal("waiting", op), 1 if counts else 0])

    def kept_count(self) -> int:
        return self._one("SELECT COUNT(*) FROM kept")[0]

    def kept_prune(self, keep: int = KEEP_ENVELOPES) -> int:
        """Drop all but the newest ``keep`` kept envelopes; how many were dropped."""
        row = self._one("SELECT MAX(rowid) FROM kept")
        if not row or row[0] is None:
            return 0
        return len(self._x("DELETE FROM kept WHERE rowid <= ? RETURNING 1", [row[0] - keep]))

    def unconfirmed_ids(self) -> set[bytes]:
        """Own operations that left the outbox but have no server seq yet (delivered by signature, or the
        server's answer was lost): "afgeleverd", not yet "verzonden". The seq is the row's once the envelope
        was pulled back, or the kept copy's from the server's answer to the push."""
        return {r[0] for r in self._x("SELECT op_id FROM ops WHERE origin = 'local' AND seq IS NULL "
                                      "AND op_id NOT IN (SELECT op_id FROM outbox) "
                                      "AND op_id NOT IN (SELECT op_id FROM kept WHERE seq IS NOT NULL)")}

    def unsealed_ids(self) -> set[bytes]:
        """Own operations still waiting for a team key (sealed under the local key only)."""
        return {r[0] for r in self._x("SELECT op_id FROM outbox WHERE waiting_blob IS NOT NULL")}

    def pending_rows(self, limit: int) -> list[tuple[bytes, int, str]]:
        """(envelope, seq, reason) of the first received envelopes that wait (a key, a sender, a held chain)."""
        return [(r[0], r[1], r[2]) for r in self._x("SELECT envelope, seq, reason FROM pending ORDER BY seq LIMIT ?",
                                                    [limit])]

    def pending_counts(self) -> dict[str, int]:
        return {r[0]: r[1] for r in self._x("SELECT reason, COUNT(*) FROM pending GROUP BY reason")}

    def rejected_rows(self) -> list[tuple[bytes, int, str]]:
        """(envelope, seq, reason) of every received envelope refused for good, in team order."""
        return [(r[0], r[1], r[2]) for r in self._x("SELECT envelope, seq, reason FROM rejected ORDER BY seq")]
