"""The rows of the sealed projection snapshot (``snapshot.py``), part of :class:`LocalStore`: sealed parts
by generation and part number, which generation is current (a clear state row: numbers only), and the
two reads of the ``ops`` table a snapshot is bound to; and the operations a full fold reads."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from ..crypto.canonical import b64e
from ..crypto.vault import VaultError, open_local
from .snapshot_codec import SnapshotMismatch

try:  # the ``fast`` extra (server and desktop); a phone build and the compat run use the standard library
    import orjson

    _fast_loads = orjson.loads
except ImportError:  # pragma: no cover - without the extra
    _fast_loads = None


_DIGITS = bytes(0x30 if 0x30 <= i <= 0x39 else 0x20 for i in range(256))  # every digit "0", the rest " "
_LONG = b"0" * 19  # an integer orjson would give as a float (beyond 64 bits) has at least 19 digits


def op_loads(plain: bytes) -> Any:
    """An operation's stored JSON, parsed: by orjson when installed (a third of a 50,000-operation fold was
    ``json.loads``, 8.7 us an operation against 4 for orjson and this check), else by the standard library.
    The same value either way: orjson refuses what the standard library reads otherwise (NaN, lone
    surrogates, other encodings: parsed again the standard way) but for integers beyond 64 bits, which it
    gives as floats — text with a run of 19 digits anywhere goes the standard way."""
    if _fast_loads is not None and _LONG not in plain.translate(_DIGITS):
        try:
            return _fast_loads(plain)
        except ValueError:  # orjson.JSONDecodeError is one
            pass
    return json.loads(plain)


def holds_op(op: Any, op_id: bytes) -> bool:
    """A stored operation's row holds it: a dict that names this ``op_id``, or no id at all (the device's own
    operations from before they named it). A blob copied from another row names another."""
    return type(op) is dict and op.get("op_id", b64e(op_id)) == b64e(op_id)


class SnapshotRows:
    """Mixed into :class:`~field_app.store.db.LocalStore` (which provides ``_x``, ``_one``, ``_lock``, ``_key``,
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

    def ops_to_fold(self, position: int, chunk: int = 1000,
                    damaged: list[int] | None = None) -> Iterator[tuple[int, bytes, str, dict]]:
        """(position, op_id, origin, op) of every operation after ``position``, in order: the rows and
        opening of ``LocalStore.iter_ops_after``, parsed by :func:`op_loads` (unlock's full fold).

        A row that does not open (a damaged sealed blob), does not parse, or holds another operation than
        its own (a blob copied from another row: an operation that names its ``op_id`` must name this one)
        is left out and its position added to ``damaged``; without that list it raises, as before."""
        key, last = self._key(), position
        while True:
            rows = self._x("SELECT position, op_id, origin, blob FROM ops WHERE position > ? ORDER BY position "
                           "LIMIT ?", [last, chunk])
            for pos, op_id, origin, blob in rows:
                if damaged is None:
                    yield pos, op_id, origin, op_loads(open_local(key, "op", blob))
                    continue
                try:
                    op = op_loads(open_local(key, "op", blob))
                    if not holds_op(op, op_id):
                        raise ValueError("another operation")
                except (VaultError, ValueError):  # json's and orjson's decode errors are ValueErrors
                    damaged.append(pos)
                    continue
                yield pos, op_id, origin, op
            if len(rows) < chunk:
                return
            last = rows[-1][0]

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
