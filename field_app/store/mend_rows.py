"""The reads and writes that find and mend stored operations gone from the ``ops`` table or damaged in it
(``field_app/sync/mend.py``), part of :class:`~field_app.store.db.LocalStore`.

The ``seen`` table holds, for every team envelope this device took in, its team seq and hash; every one
of them either became an operation row (``ops.seq``), waits (``pending``) or was refused (``rejected``).
A seen seq with none of the three is an operation whose row was deleted from the file. An outbox entry
whose operation row is gone is unsent work of this device whose row was deleted."""

from __future__ import annotations

from ..crypto.vault import seal_local

__all__ = ["MendRows"]


class MendRows:
    """Uses ``_x``, ``_lock``, ``db`` and ``_key`` of :class:`~field_app.store.db.LocalStore`."""

    def seen_without_op(self) -> list[tuple[int, bytes]]:
        """(seq, hash) of team envelopes this device took in whose operation is in none of ``ops``,
        ``pending`` and ``rejected``, in seq order. Each ``NOT IN`` list is built once (no index on
        ``ops.seq`` is needed: about 40 ms at 50,000 operations, once after each unlock)."""
        return [(seq, digest) for seq, digest in self._x(
            "SELECT seq, hash FROM seen WHERE seq NOT IN (SELECT seq FROM ops WHERE seq IS NOT NULL) "
            "AND seq NOT IN (SELECT seq FROM rejected) AND seq NOT IN (SELECT seq FROM pending) ORDER BY seq")]

    def outbox_without_op(self) -> list[tuple[bytes, bytes | None]]:
        """(op_id, envelope or None while it waits for a key) of outbox entries with no operation row."""
        return [(op_id, envelope) for op_id, envelope in self._x(
            "SELECT op_id, envelope FROM outbox WHERE op_id NOT IN (SELECT op_id FROM ops) ORDER BY position")]

    def outbox_drop(self, op_id: bytes) -> None:
        """Take an entry out of the outbox without keeping its envelope: it does not verify as this
        device's own and its operation row is gone (nothing is left to send)."""
        with self._lock:
            self._x("DELETE FROM outbox WHERE op_id = ?", [op_id])

    def ops_at(self, positions: list[int]) -> list[tuple[int, bytes, int | None]]:
        """(position, op_id, seq) of the rows at these positions (numbers in clear columns only)."""
        out: list[tuple[int, bytes, int | None]] = []
        for start in range(0, len(positions), 500):
            part = positions[start:start + 500]
            out += [tuple(r) for r in self._x(
                f"SELECT position, op_id, seq FROM ops WHERE position IN ({','.join('?' * len(part))})", part)]
        return out

    def op_replace(self, position: int, op_id: bytes, plain: bytes) -> bool:
        """Seal ``plain`` (the operation's checked canonical JSON) into the row at ``position`` if that row
        is ``op_id``'s; True if it was."""
        blob = seal_local(self._key(), "op", plain)
        with self._lock:
            cur = self.db.execute("UPDATE ops SET blob = ? WHERE position = ? AND op_id = ?", [blob, position, op_id])
            return cur.rowcount > 0
