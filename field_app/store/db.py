"""The device database: one SQLite file (WAL) per data directory, through sqlite-utils.

Everything sensitive is sealed with the device's local key (``field_app.crypto.vault.seal_local``) before
it touches SQLite. The outbox row is written in the same transaction as the local operation, and a pull
cursor in the same transaction as the data it covers, so a crash never leaves half a change behind.
"""

from __future__ import annotations

import errno
import hashlib
import hmac
import json
import os
import shutil
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlite_utils

from ..crypto.canonical import canonical_json
from ..crypto.vault import VaultError, open_local, seal_local
from ..domain.errors import StorageError
from .bulk import BulkStore
from .kept import KeptMixin
from .mend_rows import MendRows
from .migrations import MIGRATIONS
from .snapshot_rows import SnapshotRows

DB_FILE = "veldwerk.db"


def whole_number(value: str | None) -> int:
    """A clear row's text as a whole number of at least 0, else 0: a row damaged or altered in the file
    reads as "nothing", instead of breaking whatever reads it."""
    text = value or "0"
    return int(text) if text.isascii() and text.isdigit() and len(text) < 20 else 0


class StoreError(RuntimeError):
    pass


# SQLite's primary result codes for a write the device's storage refused (https://sqlite.org/rescode.html)
# SQLITE_FULL, SQLITE_READONLY, SQLITE_IOERR; SQLITE_CORRUPT and SQLITE_NOTADB: the file is damaged
_STORAGE_KINDS = {13: "full", 8: "readonly", 10: "io", 11: "damaged", 26: "damaged"}


def storage_error(exc: BaseException) -> StorageError | None:
    """The :class:`StorageError` (Dutch message) for a full disk, a read-only database file or a disk
    error; None for any other error."""
    if not isinstance(exc, sqlite3.Error):
        return None
    kind = _STORAGE_KINDS.get((getattr(exc, "sqlite_errorcode", None) or 0) & 0xFF)
    if kind is None:  # without an error code: SQLite's own words
        text = str(exc).lower()
        kind = ("full" if "disk is full" in text else "readonly" if "readonly" in text
                else "io" if "disk i/o error" in text
                else "damaged" if "malformed" in text or "not a database" in text else None)
    return StorageError(kind) if kind else None


def _raise_storage_error(exc: sqlite3.Error) -> None:
    """Raise the StorageError for ``exc`` if it is one; return otherwise (the caller re-raises ``exc``)."""
    mapped = storage_error(exc)
    if mapped is not None:
        raise mapped from exc


# what the operating system says when the data folder or its file cannot be made or opened for writing
_OS_STORAGE_KINDS = {errno.EACCES: "readonly", errno.EPERM: "readonly", errno.EROFS: "readonly",
                     errno.ENOSPC: "full", errno.EDQUOT: "full", errno.EIO: "io"}


@contextmanager
def _opening_errors() -> Iterator[None]:
    """Making or opening the data folder and its database: a read-only or full folder (the phone's app
    storage, a USB stick) is the Dutch StorageError, not a raw PermissionError or sqlite3 error."""
    try:
        yield
    except OSError as exc:
        kind = _OS_STORAGE_KINDS.get(exc.errno or 0)
        if kind is None:
            raise
        raise StorageError(kind) from exc
    except sqlite3.Error as exc:
        _raise_storage_error(exc)
        if (getattr(exc, "sqlite_errorcode", None) or 0) & 0xFF == 14:  # SQLITE_CANTOPEN: no file, no journal
            raise StorageError("readonly") from exc
        raise


@contextmanager
def _storage_errors() -> Iterator[None]:
    try:
        yield
    except sqlite3.Error as exc:
        _raise_storage_error(exc)
        raise

PAGE_SIZE = 16384  # for a new database file (SQLite's default is 4096)


class LocalStore(SnapshotRows, KeptMixin, MendRows, BulkStore):
    """Thread-safe access to the device database. The local key is held only while unlocked."""

    def __init__(self, data_dir: str | Path):
        self.data_dir = Path(data_dir)
        self.db_path = self.data_dir / DB_FILE
        with _opening_errors():
            self.data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
            try:  # owner-only (SQLite gives its -wal and -shm files the same mode)
                os.close(os.open(self.data_dir / DB_FILE, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
            except FileExistsError:
                pass
            conn = sqlite3.connect(self.data_dir / DB_FILE, check_same_thread=False, isolation_level=None)
        self.db = sqlite_utils.Database(conn)
        self._lock = threading.RLock()
        self._local_key: bytes | None = None
        # a second connection that only reads, for the push's read-ahead (``BulkStore.outbox_read_ahead``)
        self._reader: sqlite3.Connection | None = None
        self._reader_lock = threading.Lock()
        try:
            with _opening_errors():  # a read-only or full database file: a Dutch StorageError, not a traceback
                # a new file gets 16 KiB pages (a no-op on an existing one): sealed operations and envelopes
                # of about 1.3 KB left a third of each 4 KiB page empty, and every slice of a pull and every
                # delivered batch wrote that much more (issue #11; docs/performance.md)
                self.db.execute(f"PRAGMA page_size={PAGE_SIZE}")
                self.db.execute("PRAGMA journal_mode=WAL")
                self.db.execute("PRAGMA synchronous=FULL")
                self.db.execute("PRAGMA secure_delete=ON")
                self._migrate()
        except BaseException:
            conn.close()
            raise

    # -- lifecycle ---------------------------------------------------------------------------------
    def _migrate(self) -> None:
        with self._lock:
            self.db.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
            row = self.db.execute("SELECT MAX(version) FROM schema_version").fetchone()
            current = row[0] or 0
            for version, sql in MIGRATIONS:
                if version <= current:
                    continue
                with self.transaction():
                    code = "\n".join(line.split("--", 1)[0] for line in sql.splitlines())
                    for statement in code.split(";"):
                        if statement.strip():
                            self.db.execute(statement)
                    self.db.execute("INSERT INTO schema_version (version) VALUES (?)", [version])

    @property
    def schema_version(self) -> int:
        return self.db.execute("SELECT MAX(version) FROM schema_version").fetchone()[0]

    def close(self) -> None:
        with self._lock:
            self._local_key = None
            with self._reader_lock:
                if self._reader is not None:
                    self._reader.close()
                    self._reader = None
            self.db.conn.close()

    def _x(self, sql: str, params: list | tuple = ()) -> list[tuple]:
        """Run one statement under the store lock (one connection is shared by the UI and sync threads)."""
        with self._lock:
            try:  # (a try costs nothing on the way through; this runs for every statement)
                return self.db.execute(sql, params).fetchall()
            except sqlite3.Error as exc:
                _raise_storage_error(exc)
                raise

    def _one(self, sql: str, params: list | tuple = ()) -> tuple | None:
        rows = self._x(sql, params)
        return rows[0] if rows else None

    @contextmanager
    def transaction(self, *, durable: bool = True) -> Iterator[None]:
        """BEGIN IMMEDIATE ... COMMIT, or ROLLBACK on any exception. Re-entrant per thread (an inner one
        joins the outer).

        ``durable`` False: the commit does not wait for the disk (``synchronous=NORMAL`` for this one
        transaction; WAL keeps it atomic, a power cut may lose it whole). Only for what can be fetched
        again and carries its own position, like a pull slice with its cursor; the next durable commit
        makes it durable too (the WAL is synced up to there). A full disk, a read-only database file or a
        disk error raises :class:`StorageError` (nothing of it stored)."""
        with self._lock:
            if self.db.conn.in_transaction:
                yield
                return
            if not durable:
                self.db.execute("PRAGMA synchronous=NORMAL")
            try:
                with _storage_errors():
                    self.db.execute("BEGIN IMMEDIATE")
                try:
                    with _storage_errors():
                        yield
                        self.db.execute("COMMIT")
                except BaseException:
                    if self.db.conn.in_transaction:  # SQLite may have rolled back already (a full disk)
                        self.db.execute("ROLLBACK")
                    raise
            finally:
                if not durable:
                    self.db.execute("PRAGMA synchronous=FULL")

    # -- keys --------------------------------------------------------------------------------------
    def set_local_key(self, key: bytes | None) -> None:
        self._local_key = key

    @property
    def unlocked(self) -> bool:
        return self._local_key is not None

    def _key(self) -> bytes:
        if self._local_key is None:
            raise StoreError("locked")
        return self._local_key

    def local_key(self) -> bytes | None:
        """The local key while unlocked (for sealing outside a store call: the projection snapshot)."""
        return self._local_key

    def holds_key(self, key: bytes) -> bool:
        """True if ``key`` is the local key this store is open with (constant time)."""
        return self._local_key is not None and hmac.compare_digest(key, self._local_key)

    def seal(self, purpose: str, value: Any) -> bytes:
        return seal_local(self._key(), purpose, canonical_json(value))

    def open(self, purpose: str, blob: bytes) -> Any:
        return json.loads(open_local(self._key(), purpose, blob))

    # -- meta / state (clear, non-sensitive) ---------------------------------------------------------
    def get_meta(self, key: str) -> str | None:
        row = self._one("SELECT value FROM meta WHERE key = ?", [key])
        return row[0] if row else None

    def meta_number(self, key: str) -> int:
        """A clear meta row that holds a count or a moment (the unlock lockout): as :meth:`state_number`."""
        return whole_number(self.get_meta(key))

    def set_meta(self, key: str, value: str) -> None:
        with self._lock:
            self._x("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", [key, value])

    def get_states(self, *keys: str) -> dict[str, str]:
        """Several state values in one statement (absent keys are left out)."""
        marks = ",".join("?" * len(keys))
        return dict(self._x(f"SELECT key, value FROM state WHERE key IN ({marks})", list(keys)))

    def set_states(self, values: dict[str, str]) -> None:
        """Several state values in one statement."""
        if values:
            marks = ",".join(["(?, ?)"] * len(values))
            self._x(f"INSERT OR REPLACE INTO state (key, value) VALUES {marks}",
                    [x for item in values.items() for x in item])

    def get_state(self, key: str, default: str | None = None) -> str | None:
        row = self._one("SELECT value FROM state WHERE key = ?", [key])
        return row[0] if row else default

    def state_number(self, key: str) -> int:
        """A clear state row that holds a count or a moment: a whole number of at least 0, else 0 (a row
        damaged or altered in the file reads as "nothing", instead of breaking whatever reads it)."""
        return whole_number(self.get_state(key))

    def set_state(self, key: str, value: str) -> None:
        with self._lock:
            self._x("INSERT OR REPLACE INTO state (key, value) VALUES (?, ?)", [key, value])

    # -- keyring (sealed) ----------------------------------------------------------------------------
    def put_secret(self, name: str, value: Any) -> None:
        with self._lock:
            self._x(
                "INSERT OR REPLACE INTO keyring (name, blob) VALUES (?, ?)", [name, self.seal("keyring:" + name, value)]
            )

    def get_secret(self, name: str) -> Any:
        row = self._one("SELECT blob FROM keyring WHERE name = ?", [name])
        return self.open("keyring:" + name, row[0]) if row else None

    def secret_names(self, prefix: str) -> list[str]:
        rows = self._x("SELECT name FROM keyring WHERE name LIKE ?", [prefix + "%"])
        return [r[0] for r in rows]

    def delete_secrets(self, prefix: str) -> int:
        """Overwrite, then delete, the keyring rows whose name starts with ``prefix`` (committed)."""
        with self.transaction():
            rows = self._x("SELECT name, length(blob) FROM keyring WHERE name LIKE ?", [prefix + "%"])
            for name, size in rows:
                self._x("UPDATE keyring SET blob = ? WHERE name = ?", [os.urandom(size or 32), name])
                self._x("DELETE FROM keyring WHERE name = ?", [name])
        self.checkpoint()
        return len(rows)

    def destroy_keys(self) -> None:
        """Destroy the key material for good: the wrapped local key (vault record) and every keyring row
        are overwritten with random bytes and deleted, committed, and the WAL is folded into the database
        and truncated (``secure_delete`` zeroes the freed pages). Outbox envelopes stay: they are sealed to
        the team and signed already, and can still be delivered by signature."""
        with self.transaction():
            row = self._one("SELECT value FROM meta WHERE key = 'vault'")
            if row is not None:
                self._x("UPDATE meta SET value = ? WHERE key = 'vault'", [os.urandom(len(row[0])).hex()])
                self._x("DELETE FROM meta WHERE key = 'vault'")
            for name, size in self._x("SELECT name, length(blob) FROM keyring"):
                self._x("UPDATE keyring SET blob = ? WHERE name = ?", [os.urandom(size or 32), name])
            self._x("DELETE FROM keyring")
        self._local_key = None
        self.checkpoint()

    def checkpoint(self) -> None:
        with self._lock:
            try:
                self.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            except sqlite3.OperationalError:
                pass  # busy: the next checkpoint folds it in

    def erase(self) -> None:
        """Destroy the keys first (committed), then close the database and delete every file of the data
        directory. The directory itself is removed too when it is empty afterwards."""
        self.destroy_keys()
        self.close()
        for path in sorted(self.data_dir.rglob("*"), key=lambda p: len(p.parts), reverse=True):
            try:
                if path.is_dir() and not path.is_symlink():
                    shutil.rmtree(path, ignore_errors=True)
                else:
                    path.unlink(missing_ok=True)
            except OSError:
                pass
        try:
            self.data_dir.rmdir()
        except OSError:
            pass

    # -- operations ----------------------------------------------------------------------------------
    def add_op(self, op_id: bytes, op: dict, *, origin: str, seq: int | None = None,
               plain: bytes | None = None) -> bool:
        """Store an operation (sealed). Returns False if it was already there (idempotent). One statement.
        ``plain``: the operation's canonical JSON when the caller has it (an opened envelope's checked
        plaintext), sealed as it is instead of encoding ``op`` again."""
        blob = seal_local(self._key(), "op", plain) if plain is not None else self.seal("op", op)
        with self._lock:
            try:
                cur = self.db.execute(
                    "INSERT OR IGNORE INTO ops (op_id, position, origin, seq, blob) "
                    "VALUES (?, (SELECT COALESCE(MAX(position), 0) + 1 FROM ops), ?, ?, ?)",
                    [op_id, origin, seq, blob],
                )
            except sqlite3.Error as exc:
                _raise_storage_error(exc)
                raise
            return cur.rowcount > 0

    def has_op(self, op_id: bytes) -> bool:
        return self._one("SELECT 1 FROM ops WHERE op_id = ?", [op_id]) is not None

    def iter_ops(self, chunk: int = 1000) -> Iterator[tuple[bytes, str, int | None, dict]]:
        """Every operation in order, read ``chunk`` rows at a time (never all sealed rows in memory at once)."""
        for _pos, op_id, origin, seq, op in self.iter_ops_after(0, chunk):
            yield op_id, origin, seq, op

    def iter_ops_after(self, position: int, chunk: int = 1000) -> Iterator[tuple[int, bytes, str, int | None, dict]]:
        """(position, op_id, origin, seq, op) of every operation after ``position``, in order."""
        last = position
        while True:
            rows = self._x("SELECT position, op_id, origin, seq, blob FROM ops WHERE position > ? ORDER BY position "
                           "LIMIT ?", [last, chunk])
            for pos, op_id, origin, seq, blob in rows:
                yield pos, op_id, origin, seq, self.open("op", blob)
            if len(rows) < chunk:
                return
            last = rows[-1][0]

    def op_position(self, op_id: bytes) -> int | None:
        row = self._one("SELECT position FROM ops WHERE op_id = ?", [op_id])
        return row[0] if row else None

    def set_op_seq(self, op_id: bytes, seq: int) -> None:
        self._x("UPDATE ops SET seq = ? WHERE op_id = ?", [seq, op_id])

    def get_op(self, op_id: bytes) -> dict | None:
        row = self._one("SELECT blob FROM ops WHERE op_id = ?", [op_id])
        return self.open("op", row[0]) if row else None

    # -- outbox --------------------------------------------------------------------------------------
    def outbox_add(self, op_id: bytes, *, envelope: bytes | None = None, waiting_op: dict | None = None,
                   counts: bool = True) -> None:
        """``counts`` False for an entry that travels without being the user's work (an access-log entry)."""
        waiting_blob = self.seal("waiting", waiting_op) if waiting_op is not None else None
        self._x(
            "INSERT INTO outbox (op_id, position, envelope, waiting_blob, counts) "
            "VALUES (?, (SELECT COALESCE(MAX(position), 0) + 1 FROM outbox), ?, ?, ?)",
            [op_id, envelope, waiting_blob, 1 if counts else 0],
        )

    def outbox_count(self, *, work_only: bool = False) -> int:
        """Entries waiting to be sent; ``work_only``: only the user's own work (no access-log entries)."""
        if work_only:
            return self._one("SELECT COUNT(*) FROM outbox WHERE counts = 1")[0]
        return self._one("SELECT COUNT(*) FROM outbox")[0]

    def outbox_has_waiting(self) -> bool:
        return self._one("SELECT 1 FROM outbox WHERE waiting_blob IS NOT NULL LIMIT 1") is not None

    def outbox_waiting(self) -> list[tuple[bytes, dict | None]]:
        """The entries waiting for a team key, in order, with the operation each holds (None: its sealed
        blob does not open)."""
        rows = self._x(
            "SELECT op_id, waiting_blob FROM outbox WHERE waiting_blob IS NOT NULL ORDER BY position"
        )
        out = []
        for op_id, blob in rows:
            try:
                out.append((op_id, self.open("waiting", blob)))
            except (VaultError, ValueError):
                out.append((op_id, None))
        return out

    def outbox_set_envelope(self, op_id: bytes, envelope: bytes) -> None:
        self._x("UPDATE outbox SET envelope = ?, waiting_blob = NULL WHERE op_id = ?", [envelope, op_id])

    def outbox_ready(self, limit: int) -> list[tuple[bytes, bytes]]:
        """Sealed envelopes in order, stopping at the first one still waiting for a key."""
        rows = self._x("SELECT op_id, envelope FROM outbox ORDER BY position LIMIT ?", [limit])
        out = []
        for op_id, envelope in rows:
            if envelope is None:
                break
            out.append((op_id, envelope))
        return out

    def outbox_all(self) -> list[tuple[bytes, bytes | None]]:
        """Every outbox entry in order: (op_id, envelope or None while it waits for a key)."""
        return [tuple(r) for r in self._x("SELECT op_id, envelope FROM outbox ORDER BY position")]

    def outbox_envelope(self, op_id: bytes) -> bytes | None:
        row = self._one("SELECT envelope FROM outbox WHERE op_id = ?", [op_id])
        return row[0] if row else None

    def outbox_set_waiting(self, op_id: bytes, op: dict) -> None:
        """Turn a sealed envelope back into a waiting operation (to be sealed again under a newer key)."""
        self._x("UPDATE outbox SET envelope = NULL, waiting_blob = ? WHERE op_id = ?",
                [self.seal("waiting", op), op_id])

    def outbox_ids(self) -> set[bytes]:
        return {r[0] for r in self._x("SELECT op_id FROM outbox")}

    def outbox_remove(self, op_id: bytes) -> None:
        """It was delivered: keep its envelope (``kept``, issue #11) and take it out of the outbox."""
        self.keep_delivered(op_id)
        self._x("DELETE FROM outbox WHERE op_id = ?", [op_id])

    # -- pending / rejected --------------------------------------------------------------------------
    def pending_add(self, op_id: bytes, seq: int, envelope: bytes, reason: str) -> None:
        self._x(
            "INSERT OR REPLACE INTO pending (op_id, seq, envelope, reason) VALUES (?, ?, ?, ?)",
            [op_id, seq, envelope, reason],
        )

    def pending_all(self) -> list[tuple[bytes, int, bytes, str]]:
        """(op_id, seq, envelope, reason) in team order; reason is "key", "sender" or "chain" (held back)."""
        return [tuple(r) for r in self._x("SELECT op_id, seq, envelope, reason FROM pending ORDER BY seq")]

    def pending_remove(self, op_id: bytes) -> None:
        self._x("DELETE FROM pending WHERE op_id = ?", [op_id])

    def pending_count(self) -> int:
        """Received envelopes waiting for a key or their sender's ledger entry (not those held back)."""
        return self._one("SELECT COUNT(*) FROM pending WHERE reason != 'chain'")[0]

    def held_count(self) -> int:
        """Received envelopes held back because their device's chain was served broken."""
        return self._one("SELECT COUNT(*) FROM pending WHERE reason = 'chain'")[0]

    def rejected_add(self, op_id: bytes, seq: int, envelope: bytes, reason: str = "damaged") -> None:
        """``reason``: "damaged" (malformed, or its signature does not verify), "context" (its ledger head,
        epoch or membership does not fit), "unreadable" (does not open), "not_allowed" (its sender's role)."""
        self._x("INSERT OR IGNORE INTO rejected (op_id, seq, envelope, reason) VALUES (?, ?, ?, ?)",
                [op_id, seq, envelope, reason])

    def rejected_count(self) -> int:
        return self._one("SELECT COUNT(*) FROM rejected")[0]

    # -- what was seen of the team's envelopes (hashes and positions only) --------------------------------
    def seen_add(self, seq: int, device: bytes, device_seq: int, digest: bytes) -> None:
        self._x("INSERT OR IGNORE INTO seen (seq, device, device_seq, hash) VALUES (?, ?, ?, ?)",
                [seq, device, device_seq, digest])

    def seen_at_seq(self, seq: int) -> bytes | None:
        row = self._one("SELECT hash FROM seen WHERE seq = ?", [seq])
        return row[0] if row else None

    def seen_in_chain(self, device: bytes, device_seq: int) -> bytes | None:
        row = self._one("SELECT hash FROM seen WHERE device = ? AND device_seq = ?", [device, device_seq])
        return row[0] if row else None

    # -- ledger (public data: device keys and roles, no names) ---------------------------------------
    def ledger_entries(self) -> list[dict]:
        return [json.loads(r[0]) for r in self._x("SELECT entry FROM ledger ORDER BY idx")]

    def ledger_replace(self, entries: list[dict]) -> None:
        with self.transaction():
            self._x("DELETE FROM ledger")
            for entry in entries:
                self._x(
                    "INSERT INTO ledger (idx, entry) VALUES (?, ?)", [entry["index"], canonical_json(entry).decode()]
                )

    # -- drafts --------------------------------------------------------------------------------------
    def _slot(self, slot: str) -> str:
        return hmac.new(self._key(), b"veldwerk/draft-slot/v1\0" + slot.encode(), hashlib.sha256).hexdigest()

    def draft_put(self, slot: str, data: dict) -> None:
        """Seal a half-typed form, bound to its slot: a draft's blob copied into another slot (another
        client's form) does not open there."""
        key = self._slot(slot)
        with self._lock:
            self._x("INSERT OR REPLACE INTO drafts (slot, blob) VALUES (?, ?)",
                    [key, seal_local(self._key(), "draft", canonical_json(data), bind=key.encode())])

    def draft_get(self, slot: str) -> dict | None:
        """The slot's draft; None when there is none or it does not open here (damaged, or another slot's).
        A draft sealed before drafts were bound to their slot opens without the binding, once: it is
        sealed again, bound, before it is given."""
        key = self._slot(slot)
        row = self._one("SELECT blob FROM drafts WHERE slot = ?", [key])
        if row is None:
            return None
        try:
            return json.loads(open_local(self._key(), "draft", row[0], bind=key.encode()))
        except VaultError:
            pass
        try:
            data = self.open("draft", row[0])  # from before the binding
        except (VaultError, ValueError):
            return None
        self.draft_put(slot, data)
        return data

    def draft_delete(self, slot: str) -> None:
        with self._lock:
            self._x("DELETE FROM drafts WHERE slot = ?", [self._slot(slot)])
