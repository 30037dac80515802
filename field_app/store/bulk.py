"""The store's calls for many rows at once, used by sync's hot paths (issue #11): a pull slice's lookups
and inserts (``sync/slice_store.py``) and a push batch's delivery marks (``sync/marks.py``). One statement,
or one ``executemany``, for what was one statement per envelope. Mixed into :class:`~.db.LocalStore`, whose
connection, lock and local key they use."""

from __future__ import annotations

import sqlite3

from ..crypto.vault import seal_local_many

__all__ = ["BulkStore", "OUTBOX_START"]


def _parts(items: list, size: int = 500) -> list[list]:
    return [items[i:i + size] for i in range(0, len(items), size)]


class BulkStore:
    """Needs ``db``, ``db_path``, ``_lock``, ``_reader``, ``_reader_lock``, ``_x``, ``_key`` and ``transaction``
    of :class:`~.db.LocalStore`."""

    def add_ops(self, items: list[tuple[bytes, bytes, str, int | None]]) -> None:
        """Store several operations given as ``(op_id, canonical JSON, origin, seq)``, sealed, in one
        ``executemany`` (positions in the given order; an op already there is left as it is)."""
        blobs = seal_local_many(self._key(), "op", [plain for _op_id, plain, _origin, _seq in items])
        rows = [(op_id, origin, seq, blob) for (op_id, _plain, origin, seq), blob in zip(items, blobs, strict=True)]
        with self._lock:
            self.db.conn.executemany(
                "INSERT OR IGNORE INTO ops (op_id, position, origin, seq, blob) "
                "VALUES (?, (SELECT COALESCE(MAX(position), 0) + 1 FROM ops), ?, ?, ?)", rows)

    def ops_present(self, op_ids: list[bytes]) -> set[bytes]:
        """Which of ``op_ids`` are stored (one statement per 500)."""
        return {r[0] for part in _parts(op_ids) for r in
                self._x(f"SELECT op_id FROM ops WHERE op_id IN ({','.join('?' * len(part))})", part)}

    def outbox_ready_after(self, after: int, limit: int) -> list[tuple[int, bytes, bytes]]:
        """:meth:`outbox_ready` from the entry after outbox position ``after``: (position, op_id, envelope)."""
        return _ready(self._x(_OUTBOX_AFTER, [after, limit]))

    def outbox_read_ahead(self, after: int, limit: int) -> list[tuple[int, bytes, bytes]]:
        """:meth:`outbox_ready_after` through a connection of its own that only reads, without the store
        lock: the push reads its next batch while the previous batch's marks are written (a transaction
        that holds the lock for tens of milliseconds, with a WAL checkpoint now and then). WAL gives the
        reader the last committed state; the entries it reads lie after those being marked. Falls back to
        the locked read on any error of that connection."""
        try:
            with self._reader_lock:
                if self._reader is None:
                    reader = sqlite3.connect(self.db_path, check_same_thread=False, isolation_level=None)
                    reader.execute("PRAGMA query_only=ON")
                    self._reader = reader
                rows = self._reader.execute(_OUTBOX_AFTER, [after, limit]).fetchall()
        except sqlite3.Error:
            return self.outbox_ready_after(after, limit)
        return _ready(rows)

    def outbox_envelopes(self, op_ids: list[bytes]) -> dict[bytes, bytes]:
        """:meth:`outbox_envelope` of several ids (those sealed; one statement per 500)."""
        return {r[0]: r[1] for part in _parts(op_ids) for r in
                self._x(f"SELECT op_id, envelope FROM outbox WHERE envelope IS NOT NULL AND op_id IN "
                        f"({','.join('?' * len(part))})", part)}

    def outbox_delivered(self, items: list[tuple[bytes, int]]) -> None:
        """The server stored these ``(op_id, seq)``: each envelope moves from the outbox to ``kept`` with its
        seq (``kept``, issue #11: delivered again if the server's copy is damaged; the seq confirms the
        operation). One transaction of two ``executemany``, not durable: if a power cut loses it, the entries
        are pushed again and the server answers them as duplicates with the same seqs.

        The operation's own row is not written here: it gets its seq when the envelope is pulled back (it
        was written twice before, and rewriting 10,000 rows of about 1.3 KB was a third of a push's work on
        the device). Deleting from the outbox runs with ``secure_delete=FAST``: pages left wholly free go
        to the free list without being zeroed; their content is the same ciphertext that ``kept`` holds (and
        the server), so zeroing it protected nothing and was another third of the push's writes."""
        with self._lock:
            self.db.execute("PRAGMA secure_delete=FAST")
            try:
                with self.transaction(durable=False):
                    self.db.conn.executemany(
                        "INSERT OR IGNORE INTO kept (op_id, envelope, seq) SELECT op_id, envelope, ? FROM outbox "
                        "WHERE op_id = ? AND envelope IS NOT NULL", [(seq, op_id) for op_id, seq in items])
                    self.db.conn.executemany("DELETE FROM outbox WHERE op_id = ?", [(op_id,) for op_id, _seq in items])
            finally:
                self.db.execute("PRAGMA secure_delete=ON")

    def seen_add_many(self, rows: list[tuple[int, bytes, int, bytes]]) -> None:
        """:meth:`seen_add` of several ``(seq, device, device_seq, hash)`` rows in one ``executemany``."""
        with self._lock:
            self.db.conn.executemany("INSERT OR IGNORE INTO seen (seq, device, device_seq, hash) VALUES (?, ?, ?, ?)",
                                     rows)


_OUTBOX_AFTER = "SELECT position, op_id, envelope FROM outbox WHERE position > ? ORDER BY position LIMIT ?"
# Below every outbox position, for a push that reads from the start. The app writes positions from 1 on,
# but a position of 0 or less (a row altered in the file) was never read "after 0": that work never left the
# device while the sync status said online (found by an attack on the device's file).
OUTBOX_START = -(2**63)


def _ready(rows: list[tuple]) -> list[tuple[int, bytes, bytes]]:
    """The sealed entries in order, up to the first that still waits for a key (it keeps the order)."""
    out = []
    for position, op_id, envelope in rows:
        if envelope is None:
            break
        out.append((position, op_id, envelope))
    return out
