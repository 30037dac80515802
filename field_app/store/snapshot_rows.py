"""The rows of the sealed projection snapshot (``snapshot.py``), part of :class:`LocalStore`: sealed parts
by generation and part number, which generation is current (a clear state row: numbers only), and the
two reads of the ``ops`` table a snapshot is bound to."""

from __future__ import annotations

import json
from collections.abc import Iterator

from .snapshot_codec import SnapshotMismatch


class SnapshotRows:
    """Mixed into :class:`~field_app.store.db.LocalStore` (which provides ``_x``, ``_one``, ``_lock``,
    ``transaction`` and ``set_state``)."""

    def ops_bound(self, position: int) -> tuple[int, bytes | None]:
        """(how many operations are at or below ``position``, the id of the one at ``position``)."""
        with self._lock:
            count = self._one("SELECT COUNT(*) FROM ops WHERE position <= ?", [position])[0]
            row = self._one("SELECT op_id FROM ops WHERE position = ?", [position])
        return count, row[0] if row else None

    def ops_after(self, position: int) -> list[tuple[int, bytes]]:
        """(position, op_id) of the operations after ``position``, in order (no blobs)."""
        return [tuple(r) for r in self._x("SELECT position, op_id FROM ops WHERE position > ? ORDER BY position",
                                          [position])]

    def snapshot_put(self, gen: int, part: int, blob: bytes) -> None:
        with self.transaction():
            self._x("INSERT OR REPLACE INTO snapshot (gen, part, blob) VALUES (?, ?, ?)", [gen, part, blob])

    def snapshot_parts(self, gen: int, parts: int) -> Iterator[bytes]:
        """The sealed parts of a generation in order, one at a time; SnapshotMismatch if one is missing."""
        for part in range(parts):
            row = self._one("SELECT blob FROM snapshot WHERE gen = ? AND part = ?", [gen, part])
            if row is None:
                raise SnapshotMismatch("snapshot part missing")
            yield row[0]

    def snapshot_make_current(self, info: dict) -> None:
        with self.transaction():
            self.set_state("snapshot", json.dumps(info, sort_keys=True))
            self._x("DELETE FROM snapshot WHERE gen != ?", [info["gen"]])

    def snapshot_drop(self, keep: int | None = None) -> None:
        """Delete every snapshot part (but generation ``keep``'s); without ``keep`` the snapshot is gone."""
        with self.transaction():
            if keep is None:
                self.set_state("snapshot", "")
            self._x("DELETE FROM snapshot WHERE gen != ?", [-1 if keep is None else keep])
