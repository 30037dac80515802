"""When the device writes its sealed projection snapshot, and how unlock uses it (``store/snapshot.py``).

Unlock loads the snapshot and folds only the operations after its position; a snapshot that does not
open or match is dropped and every operation folded. A new snapshot is written in a background thread
(never in a save's way) when at least :data:`EVERY` operations were folded beyond the stored one — after
unlock and after a sync round.

Writing goes part by part: one turn of the projection's lock takes the list of records, the header (orphans,
access log, members) and the set of operations shown so far; then each part of ``PART_RECORDS``
records is copied in a lock turn of its own (3 ms, at most about 7, at 50,000 records), packed, sealed and
stored before the next is copied, so only one part is ever held beside the projection (the whole state was
copied before: 265 MB peak at 50,000 records, now under 200).

What a snapshot covers must be exact: an operation is in the store before it is shown, so the state may
hold operations not yet counted, never the reverse. The keeper notes each operation id after the
projection applied it; the snapshot's position is the last one up to which every stored operation was in
the set taken at the first turn, so every part holds at least those. A part copied later may hold
operations beyond the position (shown between turns); they are folded again at the next unlock, which
changes nothing (folding is idempotent: creates, sets, addenda and retractions of an operation id already
there are no-ops; an orphan the older header still holds is taken again, once, when its record's create is
folded again). A record made after the first turn is not in the snapshot: its operations come after the
position. If an operation shown by the end of the write is not in the store (a save rolled back after it
was shown), the new generation is dropped.
"""

from __future__ import annotations

import ctypes
import gc
import json
import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from ..crypto.vault import VaultError
from ..store import LocalStore
from ..store import snapshot as snap
from ..store.db import StoreError
from .projection import AuditProjection

__all__ = ["SnapshotKeeper", "EVERY", "DAMAGED", "damaged_positions", "note_damaged", "forget_damaged"]

DAMAGED = "damaged_ops"  # state key: positions (numbers only) of stored operations that did not open


def damaged_positions(store: LocalStore) -> list[int]:
    """Positions of stored operations a fold found damaged (their blob does not open, or holds another
    operation): left out of the projection; the sync sheet says how many."""
    try:
        value = json.loads(store.get_state(DAMAGED) or "[]")
    except ValueError:
        return []
    return [p for p in value if type(p) is int] if type(value) is list else []


def note_damaged(store: LocalStore, *positions: int | None) -> None:
    """Count these stored operations' positions as damaged (once each)."""
    known = set(damaged_positions(store))
    new = known | {p for p in positions if type(p) is int}
    if new != known:
        store.set_state(DAMAGED, json.dumps(sorted(new)))


def forget_damaged(store: LocalStore, *positions: int) -> None:
    """These positions hold their operation again (mended from the team's copy, ``sync/mend.py``)."""
    known = damaged_positions(store)
    left = [p for p in known if p not in positions]
    if len(left) != len(known):
        store.set_state(DAMAGED, json.dumps(left) if left else "")

log = logging.getLogger("veldwerk.snapshot")

EVERY = 2000  # operations folded beyond the stored snapshot before a new one is written
IDLE_S = 2.0  # a write waits until no operation was shown for this long
GRACE_S = 10.0  # how long a lock lets a snapshot being written finish before it cancels it


@contextmanager
def _no_gc() -> Iterator[None]:
    """The cyclic collector off while many containers are made that hold no cycles (it would run full
    passes over everything again and again)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _trim() -> None:
    """Give the C heap's free pages back to the system (glibc): reading the snapshot parts left a few MB
    of them (measured 3 MB at 50,000 records with 1,000-record parts, 30 MB with 5,000). Elsewhere a no-op."""
    global _malloc_trim
    if _malloc_trim is None:
        try:
            _malloc_trim = ctypes.CDLL("libc.so.6").malloc_trim
        except (OSError, AttributeError):
            _malloc_trim = False
    if _malloc_trim:
        _malloc_trim(0)


_malloc_trim = None


class SnapshotKeeper:
    def __init__(self, store: Callable[[], LocalStore]):
        self._store = store
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._cancel = threading.Event()
        self._hurry = threading.Event()
        self._busy_at = 0.0
        self._drops = 0  # snapshots dropped by a mend in place (see :meth:`restored`)
        self.reset()

    def reset(self) -> None:
        self.base = 0  # every operation up to here is in the projection (exact)
        self.stored = 0  # the stored snapshot's position
        self.applied: set[bytes] = set()  # ids of operations shown since ``base`` (after they were applied)
        self.loaded_from_snapshot = False
        self._session = getattr(self, "_session", 0) + 1  # a write started before a lock must not count after it

    # -- unlock ------------------------------------------------------------------------------------------
    def unlock(self, key: bytes, now: int) -> AuditProjection:
        """The projection of every stored operation: from the snapshot when one matches, else folded.

        The cyclic garbage collector is off meanwhile (building 50,000 records made it run full passes
        over every object again and again: 1.5 of 3.3 s, measured; folding makes no cycles), and what
        the unlocked device holds is moved to the collector's permanent generation afterwards
        (``gc.freeze``), so later passes do not walk it; ``after_lock`` undoes that."""
        with _no_gc():
            projection = self._unlock(key, now)
            gc.freeze()  # before the collector is on again, or its first pass walks everything (0.3 s)
        _trim()
        return projection

    @staticmethod
    def after_lock() -> None:
        gc.unfreeze()

    def _unlock(self, key: bytes, now: int) -> AuditProjection:
        store = self._store()
        self._cancel.clear()  # set by the last lock's stop
        self.reset()
        projection, start = AuditProjection(), 0
        try:
            start = snap.load(store, key, projection)
            self.loaded_from_snapshot = True
        except LookupError:
            projection = AuditProjection()
        except (snap.SnapshotMismatch, VaultError, StoreError) as exc:
            log.warning("projection snapshot discarded (%s): folding every operation", type(exc).__name__)
            store.snapshot_drop()
            projection = AuditProjection()
        position, damaged = start, []
        for pos, op_id, origin, op in store.ops_to_fold(start, damaged=damaged):
            projection.apply(op, op_id=op_id, origin=origin, received_at=now)
            position = pos
        if damaged:  # left out, said on the sync sheet (kept: a later snapshot no longer folds them)
            note_damaged(store, *damaged)
            log.warning("%d stored operations do not open: left out of the projection", len(damaged))
        self.base, self.stored = max(position, *damaged) if damaged else position, start
        return projection

    def shown(self, op_id: bytes) -> None:
        """An operation was applied to the projection (call after applying it)."""
        self.applied.add(op_id)
        self._busy_at = time.monotonic()

    def restored(self, op_id: bytes, position: int | None) -> None:
        """An operation stored again after its row was lost (appended: ``position`` None) or damaged (mended
        in place at ``position``) was applied. A row mended in place lies at or below what a snapshot may
        already cover, and that snapshot was made while the row was left out: it is dropped (the next unlock
        folds from an earlier point or from the start), or that note would vanish again at the next unlock.
        Below ``base`` the operation is not counted as shown after it (it is not stored after it, and a
        snapshot write would think the projection holds what the store does not)."""
        if position is None:
            self.shown(op_id)
            return
        with self._lock:
            self._drops += 1  # a write under way was made from the state before: it must not be stored
        if position <= self.stored:
            self._store().snapshot_drop()
            self.stored = 0
        if position > self.base:
            self.shown(op_id)

    # -- writing ------------------------------------------------------------------------------------------
    def due(self) -> bool:
        return self.base + len(self.applied) - self.stored >= EVERY

    def maybe_write(self, projection: AuditProjection, key: Callable[[], bytes | None]) -> None:
        """Start a background write when enough is folded beyond the stored snapshot. It waits until the
        device has been quiet (no operation shown) for :data:`IDLE_S`, so it does not compete with a pull or
        a burst of saves; a lock makes it go at once."""
        if not self.due():
            return
        with self._lock:
            if self._thread is not None and self._thread.is_alive():
                return
            self._cancel.clear()
            self._hurry.clear()
            self._thread = threading.Thread(target=self._write_safely, args=(projection, key),
                                            name="veldwerk-snapshot", daemon=True)
            self._thread.start()

    def write_now(self, projection: AuditProjection, key: bytes) -> bool:
        """Write a snapshot in this thread (tests, tools)."""
        return self._write(projection, lambda: key)

    def _write_safely(self, projection: AuditProjection, key: Callable[[], bytes | None]) -> None:
        try:
            while not self._cancel.is_set() and not self._hurry.is_set():
                quiet = time.monotonic() - self._busy_at
                if quiet >= IDLE_S:
                    break
                self._hurry.wait(IDLE_S - quiet)
            if self._cancel.is_set():
                return
            self._write(projection, key)
        except Exception as exc:  # a snapshot is an optimisation: never an error the user sees
            log.warning("projection snapshot not written (%s)", type(exc).__name__)

    def _write(self, projection: AuditProjection, key: Callable[[], bytes | None]) -> bool:
        """Capture, pack, seal and store the state part by part, each part under a short turn of the
        projection's lock (a save waits at most for one part's copy; the store's lock is never taken inside
        it, since a save holds that first), so no more than one part is ever held beside the projection."""
        store = self._store()
        with _no_gc(), projection.lock:  # what every part holds at least: the operations shown by now
            applied, base, session, drops = set(self.applied), self.base, self._session, self._drops
            records = projection.all_records()
            head = snap.header(projection, len(records))
        position = base
        after = store.ops_after(base)
        for pos, op_id in after:
            if op_id not in applied:
                break
            position = pos
        covered = {op_id for pos, op_id in after if pos <= position}
        del after, applied
        k = key()
        if k is None or self._cancel.is_set():
            return False

        def consistent() -> bool:
            # shown but not stored: a save rolled back after its operation was shown; the state may hold what
            # a fold would not, so no snapshot from it (the next unlock folds the truth)
            with projection.lock:
                shown_at_end = set(self.applied)
            if self._drops != drops:  # a row below this snapshot's position was mended meanwhile
                return False
            stored = {op_id for _pos, op_id in store.ops_after(base)}
            if shown_at_end - stored:
                log.warning("projection snapshot skipped: the projection holds an operation the store does not")
                return False
            return True

        with _no_gc():  # the parts hold no cycles: no collector passes over them while they are made
            done = snap.write(store, k, snap.in_turns(projection, records, head), position,
                              cancelled=self._cancel.is_set, count_of_parts=snap.count_parts(len(records)),
                              finish=consistent)
        del records, head
        _trim()
        if not done:
            return False
        if self._drops != drops:  # a mend in place came between its last check and making it current
            store.snapshot_drop()
            return False
        with projection.lock:
            if self._session == session:  # not locked (reset) meanwhile
                self.applied -= covered
                self.base = self.stored = position
        return True

    def wait(self) -> None:
        """Until a running background write has finished (tests, tools)."""
        thread = self._thread
        if thread is not None:
            thread.join()

    def settle(self) -> None:
        """A write that is due or waiting for quiet goes now; returns when it is done (tools: the benchmark
        keeps several devices in one process, and one device's snapshot must not be timed as another's
        pull)."""
        if not self._cancel.is_set():
            self._hurry.set()
        self.wait()

    def stop(self, grace: float = 0.0) -> None:
        """Before the keys go: let a pending or running write finish for up to ``grace`` seconds (a lock),
        then cancel it and wait for it."""
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            if grace:
                self._hurry.set()  # no more waiting for quiet: write now, while the keys are here
                thread.join(grace)
            self._cancel.set()
            self._hurry.set()  # wakes a write still waiting for quiet (it sees the cancel)
            thread.join()
        self._cancel.set()
        self._thread = None
