"""The SQLite store's plumbing: a pool of connections, write transactions, the access-log queue and WAL
checkpoints (``SqliteStore`` builds on it; ``PostgresStore`` replaces the connections and transactions)."""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlite_utils

from .access_buffer import AccessLogBuffer, Row
from .base import StoreError


def executemany(db: sqlite_utils.Database, sql: str, rows: list[list]) -> None:
    """One statement for many rows, on either store (``_PgDb`` has ``executemany``; sqlite_utils does not)."""
    many = getattr(db, "executemany", None)
    if many is not None:
        many(sql, rows)
    else:
        db.conn.executemany(sql, rows)


class SqliteConnections:
    # Idle connections kept for reuse; more are opened when more threads need one at once, and those beyond
    # this many are closed when given back.
    MAX_IDLE = 48  # anyio's worker threads are 40
    # Reads are short and wait on nothing (WAL: readers never wait on the writer), so the token check and
    # the hot reads run on the event loop (routes/deps.py ``store_read``). ``serve --workers N`` turns it
    # off (another process's checkpoint may make a read wait); PostgreSQL's pool may make a reader wait.
    inline = True
    BACKSTOP_CHECKPOINT_PAGES = 5_000  # ~80 MB of WAL at 16 KiB pages (20 MB in a file made with 4 KiB pages)
    CHECKPOINT_EVERY_S = 1.0

    def __init__(self, path: str | Path, busy_timeout_s: float = 30.0, access_log_delay_s: float = 0.05) -> None:
        self.path = str(path)
        self.busy_timeout_s = busy_timeout_s
        self._idle: list[sqlite_utils.Database] = []
        self._idle_lock = threading.Lock()
        self._writer = threading.Lock()  # this process's write transactions, one at a time (see _tx)
        self._access = AccessLogBuffer(self._write_access_rows, access_log_delay_s, self._checkpoint)
        self._last_checkpoint = time.monotonic()

    def close(self) -> None:
        """Write the queued access-log rows and close the idle connections (the store stays usable: a later
        operation opens a connection again)."""
        self._access.close()
        with self._idle_lock:
            idle, self._idle = self._idle, []
        for db in idle:
            db.conn.close()

    def flush_access_log(self) -> None:
        """Write the queued access-log rows now."""
        self._access.flush()

    def access_log_healthy(self) -> bool:
        """False while the queued access-log rows cannot be written (see access_buffer)."""
        return self._access.healthy()

    # -- plumbing -------------------------------------------------------------------------------------

    def _write_access_rows(self, rows: list[Row]) -> None:
        """The INSERT of a batch of access-log rows (``SqliteStore``)."""
        raise NotImplementedError

    def _connect(self) -> sqlite_utils.Database:
        conn = sqlite3.connect(
            self.path, timeout=self.busy_timeout_s, isolation_level=None, check_same_thread=False
        )
        conn.execute("PRAGMA foreign_keys = ON")
        # Checkpoints run in the access-log flusher's thread (``_checkpoint``), not inside the commit of the
        # request that crossed SQLite's default 1000 pages; this high mark is only a backstop.
        conn.execute(f"PRAGMA wal_autocheckpoint = {self.BACKSTOP_CHECKPOINT_PAGES}")
        conn.execute("PRAGMA synchronous = NORMAL")  # safe with WAL: a crash loses no committed txn's order
        return sqlite_utils.Database(conn, execute_plugins=False)

    @contextmanager
    def _db(self) -> Iterator[sqlite_utils.Database]:
        """A connection of the pool for the length of the block (one thread at a time uses it). Kept open
        between operations, it also keeps the WAL open: when the last connection closes, SQLite
        checkpoints the WAL into the database and deletes it, with an fsync (pushes were 5x slower)."""
        with self._idle_lock:
            db = self._idle.pop() if self._idle else None
        if db is None:
            db = self._connect()
        healthy = False
        try:
            yield db
            healthy = True
        except StoreError:
            healthy = True  # a refusal: the connection itself is fine
            raise
        finally:
            if healthy and db.conn.in_transaction:  # never hand on a connection inside a transaction
                healthy = False
            with self._idle_lock:
                keep = healthy and len(self._idle) < self.MAX_IDLE
                if keep:
                    self._idle.append(db)
            if not keep:
                db.conn.close()

    def _checkpoint(self) -> None:
        """Copy the WAL into the database, at most once a second, from the flusher's thread. PASSIVE: it
        waits for no reader or writer (pushes go on meanwhile). Left to SQLite, the checkpoint ran inside
        the commit of whichever push crossed 1000 pages, holding the write lock: the slowest requests
        under load (p99 227 -> 68-80 ms at 200 devices, bench/server_rounds.py)."""
        now = time.monotonic()
        if now - self._last_checkpoint < self.CHECKPOINT_EVERY_S:
            return
        self._last_checkpoint = now
        with self._db() as db:
            db.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()

    @contextmanager
    def _tx(self) -> Iterator[sqlite_utils.Database]:
        """One write transaction holding the write lock from its first statement.

        This process's writers queue on a lock of their own first: SQLite's busy handler makes a waiting
        connection sleep 1, 2, 5 ... 100 ms between tries, so under many concurrent pushes the waits, not
        the work, made the slowest requests (p99 of 1.9 s at 200 devices; bench/server_rounds.py). Other
        processes on the same file are still kept out by BEGIN IMMEDIATE."""
        with self._writer, self._db() as db:
            db.execute("BEGIN IMMEDIATE")
            try:
                yield db
            except BaseException:
                db.conn.execute("ROLLBACK")
                raise
            db.conn.execute("COMMIT")
