"""The sealed projection snapshot: unlock reads it and folds only the operations after it.

A snapshot is the projection's state after folding every operation up to a *position* of the ``ops``
table (positions are the order operations were stored in), and possibly some after it (folded again at
unlock, which changes nothing; see ``core/snapshots.py``). It is written in parts — part 0 the header
(format, the classes it may hold, the projection's other state), then the records, :data:`PART_RECORDS`
a part — each part sealed under the local key (AES-256-GCM, ``seal_local`` purpose ``snapshot``) with
associated data binding it to its place and to the ``ops`` table it was made from::

    bind = pinned("snapshot", {gen, part, parts, position, count, last})

``count`` is the number of operations at or below ``position`` and ``last`` the id of the operation at
``position``, both read from the table when the snapshot is opened. A part moved, dropped, swapped with
another generation's, or a snapshot whose ``ops`` table was changed or restored under it (fewer or other
operations up to its position) does not open; a wrong format or class layout does not parse: in every case
the device discards it and folds every operation (correct first, fast second). Plaintext never touches
the disk. Which generation is current, how many parts it has and its position are clear counters in
``state`` (``snapshot``).
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING

from ..crypto.canonical import pinned
from ..crypto.vault import open_local, seal_local
from . import snapshot_codec as codec
from .projection import Projection, Record
from .snapshot_share import share

if TYPE_CHECKING:
    from .db import LocalStore

__all__ = ["FORMAT", "PART_RECORDS", "SnapshotMismatch", "capture", "header", "in_turns", "count_parts", "restore",
           "write", "read_info", "load"]

FORMAT = 2  # 2: parts carry their repeating strings and stamps as numbers (snapshot_share)
PART_RECORDS = 500
SnapshotMismatch = codec.SnapshotMismatch


def _slots() -> list[str]:
    return [f.name for f in dataclasses.fields(Record)]


def header(projection: Projection, records: int) -> dict:
    """Part 0: format, class layout, the projection's state besides its records (under the lock)."""
    enc = codec.Encoder()
    state = enc.value(projection.snapshot_state())
    return {"v": FORMAT, "schema": codec.schema(), "slots": _slots(), "state": state, "table": enc.table,
            "keysets": enc.keysets, "records": records}


def _part(projection: Projection, records: list[Record]) -> dict:
    slots = _slots()
    enc = codec.Encoder()
    rows = [enc.row(rec, slots, projection.unchanging(rec)) for rec in records]
    return {"table": enc.table, "keysets": enc.keysets, "rows": rows}


def count_parts(records: int) -> int:
    """Parts of a snapshot of this many records (the header and the record parts)."""
    return 1 + -(-records // PART_RECORDS)


def capture(projection: Projection) -> list[dict]:
    """The projection's whole state as parts ready to pack, at once. The caller holds the projection's lock (a
    consistent state): every container is copied here (only strings, numbers, bytes and frozen objects are
    shared with the projection), so packing, sealing and storing need no lock (tests and tools; the keeper
    writes :func:`in_turns`, which never holds more than one part)."""
    records = projection.all_records()
    return [header(projection, len(records))] + [_part(projection, records[s:s + PART_RECORDS])
                                                   for s in range(0, len(records), PART_RECORDS)]


def in_turns(projection: Projection, records: list[Record], head: dict) -> Iterator[tuple[int, dict]]:
    """``(part number, part)`` of a snapshot: the header ``head`` and ``records``, both taken in one turn
    of the projection's lock when the write began, then the records part by part, each copied in a lock
    turn of its own. Between turns the projection may fold further operations, so a part may hold
    operations beyond the snapshot's position; that is allowed (they are folded again at unlock, which
    changes nothing: creates, sets, addenda and retractions of an operation already there are no-ops, and
    an orphan in the older header that a record has taken since is taken again, idempotently, when that
    record's create is folded again). A record made after the write began is not in it (its operations come
    after the position)."""
    yield 0, head
    for k, start in enumerate(range(0, len(records), PART_RECORDS), 1):
        with projection.lock:
            part = _part(projection, records[start:start + PART_RECORDS])
        yield k, part
        del part


def restore(projection: Projection, parts: Iterator[bytes]) -> None:
    """Fill a fresh projection from plaintext parts; :class:`SnapshotMismatch` if they are not this app's
    format."""
    head = codec.loads(next(parts))
    if not isinstance(head, dict) or head.get("v") != FORMAT or head.get("schema") != codec.schema() \
            or head.get("slots") != _slots():
        raise SnapshotMismatch("another format or class layout")
    try:
        state = codec.Decoder(head["table"], head["keysets"]).value(head["state"])
        records: list[Record] = []
        for raw in parts:
            part = codec.loads(raw)
            dec = codec.Decoder(part["table"], part["keysets"], part["shared"])
            records.extend(dec.row(Record, row) for row in part["rows"])
        if len(records) != head["records"]:
            raise SnapshotMismatch("records missing")
        projection.restore_state(records, state)
    except (KeyError, IndexError, TypeError, ValueError, AttributeError) as exc:
        raise SnapshotMismatch(f"unreadable: {type(exc).__name__}") from exc


def _bind(gen: int, part: int, parts: int, position: int, count: int, last: bytes) -> bytes:
    return pinned("snapshot", {"gen": gen, "part": part, "parts": parts, "position": position, "count": count,
                               "last": last})


def read_info(store: LocalStore) -> dict | None:
    raw = store.get_state("snapshot")
    try:
        info = json.loads(raw) if raw else None
    except ValueError:
        return None
    if not isinstance(info, dict) or not all(type(info.get(k)) is int for k in ("gen", "parts", "position")):
        return None
    return info


def write(store: LocalStore, key: bytes, parts: list[dict] | Iterable[tuple[int, dict]], position: int,
          cancelled: Callable[[], bool] = lambda: False, *, count_of_parts: int | None = None,
          finish: Callable[[], bool] = lambda: True) -> bool:
    """Pack, seal and store the parts as a new generation, one small transaction per part (a save waits at
    most for one; each part is let go once stored), then — if ``finish()`` agrees — make it current and drop
    the older one. ``parts``: a list of captured parts, or ``(part number, part)`` pairs as they are captured
    (:func:`in_turns`, with ``count_of_parts``). False if cancelled, refused by ``finish`` or the ops table
    does not hold ``position`` (nothing of it becomes current)."""
    count, last = store.ops_bound(position)
    if position and last is None:
        return False
    if isinstance(parts, list):
        count_of_parts, parts = len(parts), _taking(parts)
    n = count_of_parts
    info = read_info(store)
    gen = (info["gen"] if info else 0) + 1
    keep = info["gen"] if info else None
    store.snapshot_drop(keep=keep)  # leftovers of an interrupted write
    stored = 0
    for i, part in parts:
        if cancelled():
            store.snapshot_drop(keep=keep)
            return False
        if "rows" in part:
            part["shared"] = share(part["rows"])
        plain = codec.dumps(part)
        del part
        store.snapshot_put(gen, i, seal_local(key, "snapshot", plain, bind=_bind(gen, i, n, position, count,
                                                                                  last or b"")))
        del plain
        stored += 1
    if stored != n or cancelled() or not finish():
        store.snapshot_drop(keep=keep)
        return False
    store.snapshot_make_current({"gen": gen, "parts": n, "position": position})
    return True


def _taking(parts: list) -> Iterator[tuple[int, dict]]:
    """The parts of a list in order, each let go by the list once taken."""
    for i in range(len(parts)):
        part, parts[i] = parts[i], None
        yield i, part


def load(store: LocalStore, key: bytes, projection: Projection) -> int:
    """Fill ``projection`` (fresh) from the current snapshot and return its position; raises (VaultError,
    SnapshotMismatch, LookupError) when there is none usable — the caller then folds everything."""
    info = read_info(store)
    if info is None:
        raise LookupError("no snapshot")
    gen, n, position = info["gen"], info["parts"], info["position"]
    count, last = store.ops_bound(position)
    if position and last is None:
        raise SnapshotMismatch("the operations under the snapshot are gone")

    def opened() -> Iterator[bytes]:
        for i, blob in enumerate(store.snapshot_parts(gen, n)):
            yield open_local(key, "snapshot", blob, bind=_bind(gen, i, n, position, count, last or b""))

    restore(projection, opened())
    return position
