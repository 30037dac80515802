"""``sync-server export`` / ``import``: move a team, or the whole server, between databases (SQLite to
PostgreSQL, or back) by copying rows. Sealed data is copied as bytes and never read: no envelope, grant or
ledger entry is opened or parsed, and every seq, device chain, push head and access-log row keeps its value.

The file is JSON Lines: a header (format, schema version, what it holds), then one line per row
(``{"t": table, "r": [values]}``, BLOB columns as unpadded base64url). Login challenges, tokens and failed-
attempt counts are not moved (short-lived: devices log in again on the new server). Import goes into an
empty database only, in one transaction: all or nothing.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from field_app.crypto.canonical import b64d, b64e

from .base import StoreError, UnknownTeam
from .sqlite import SqliteStore

FORMAT = "veldwerk-server-export"
FORMAT_VERSION = 1

# Every table that holds a team's data, in the order an import must insert them (foreign keys), with
# its columns and the BLOB columns among them. tests/server/test_transfer.py checks this list against
# the migrated schema, so a migration that adds a table or a column must say here whether it moves.
TABLES: list[tuple[str, tuple[str, ...], frozenset[str]]] = [
    ("teams", ("id", "created_at", "last_seq"), frozenset()),
    ("devices", ("team", "id", "ed25519", "x25519", "role", "beheer", "status", "enrolled_at",
                 "revoked_reason", "revoked_index"), frozenset()),
    ("codes", ("hash", "team", "role", "beheer", "expires_at", "used_at"), frozenset({"hash"})),
    ("ledger", ("team", "idx", "hash", "entry", "received_at"), frozenset()),
    ("grants", ("team", "epoch", "recipient", "body", "received_at"), frozenset()),
    ("changes", ("team", "seq", "op_id", "device", "envelope", "received_at", "device_seq"),
     frozenset({"envelope"})),
    ("device_chains", ("team", "device", "device_seq", "hash"), frozenset({"hash"})),
    ("push_heads", ("team", "device", "device_seq", "hash", "sig", "received_at"), frozenset()),
    ("access_log", ("id", "at", "team", "device", "action", "result", "role"), frozenset()),
]
# Not moved: short-lived secrets and counters (devices log in again), and the schema's own bookkeeping.
NOT_MOVED = frozenset({"challenges", "tokens", "auth_failures", "schema_version"})
_ORDER = {"teams": "id", "devices": "team, id", "codes": "hash", "ledger": "team, idx",
          "grants": "team, epoch, recipient", "changes": "team, seq", "device_chains": "team, device",
          "push_heads": "team, device", "access_log": "id"}
_BATCH = 500


class TransferRefused(StoreError):
    """An import that would mix or lose data: the target is not empty, or the file is not an export this
    server can read. ``str()`` is one line for the operator."""


@dataclass
class Counts:
    rows: dict[str, int] = field(default_factory=dict)

    def add(self, table: str) -> None:
        self.rows[table] = self.rows.get(table, 0) + 1

    def summary(self) -> str:
        return ", ".join(f"{self.rows.get(t, 0)} {t}" for t, _, _ in TABLES)


# -- export -------------------------------------------------------------------------------------------------


def export(store: SqliteStore, out: IO[str], team: str | None = None) -> Counts:
    """Write every row of ``team`` (or of all teams) to ``out`` from one consistent snapshot."""
    counts = Counts()
    with _snapshot(store) as db:
        teams = [row[0] for row in db.execute("SELECT id FROM teams ORDER BY id").fetchall()]
        if team is not None:
            if team not in teams:
                raise UnknownTeam(team)
            teams = [team]
        header = {"format": FORMAT, "version": FORMAT_VERSION, "schema": store.schema_version(),
                  "teams": teams, "tables": {t: list(columns) for t, columns, _ in TABLES}}
        out.write(json.dumps(header) + "\n")
        for table, columns, blobs in TABLES:
            key = "id" if table == "teams" else "team"
            where, params = (f" WHERE {key} = ?", [team]) if team is not None else ("", [])
            cursor = db.execute(f"SELECT {', '.join(columns)} FROM {table}{where} ORDER BY {_ORDER[table]}",
                                params)
            blob_at = [i for i, c in enumerate(columns) if c in blobs]
            for row in cursor:
                values = list(row)
                for i in blob_at:
                    values[i] = None if values[i] is None else b64e(bytes(values[i]))
                out.write(json.dumps({"t": table, "r": values}, ensure_ascii=False) + "\n")
                counts.add(table)
    return counts


@contextmanager
def _snapshot(store: SqliteStore) -> Iterator[Any]:
    """One read transaction, so the export is a consistent picture while the server keeps running."""
    store.flush_access_log()  # the rows this process has queued are part of the picture
    with store._db() as db:
        db.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY" if _is_postgres(store) else "BEGIN")
        try:
            yield db
        finally:
            db.execute("ROLLBACK")


def export_file(store: SqliteStore, path: str | Path, team: str | None = None) -> Counts:
    """Export to a new file created 0600 (an existing file is never overwritten: FileExistsError)."""
    fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            return export(store, out, team)
    except BaseException:
        os.unlink(path)
        raise


# -- import -------------------------------------------------------------------------------------------------


def import_rows(store: SqliteStore, lines: IO[str]) -> Counts:
    """Insert an export into ``store`` (migrated, and empty: TransferRefused otherwise), all or nothing."""
    _header(lines.readline(), store.schema_version())
    spec = {table: (columns, blobs) for table, columns, blobs in TABLES}
    counts = Counts()
    with store._tx() as db:
        store._migration_lock(db)  # PostgreSQL: one import at a time; SQLite holds the write lock already
        if db.execute("SELECT COUNT(*) FROM teams").fetchone()[0]:
            raise TransferRefused("de doeldatabase is niet leeg / the target database is not empty")
        current, pending = "", []  # the export holds the tables in insertion order: one at a time
        for number, line in enumerate(lines, start=2):
            table, values = _row(line, number, spec)
            if table != current or len(pending) >= _BATCH:
                _flush(db, spec, current, pending)
                current, pending = table, []
            pending.append(values)
            counts.add(table)
        _flush(db, spec, current, pending)
        _after_import(store, db)
    return counts


def _header(line: str, schema: int) -> dict[str, Any]:
    try:
        header = json.loads(line)
    except ValueError:
        header = None
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise TransferRefused("dit is geen Veldwerk-export / this is not a Veldwerk export")
    if header.get("version") != FORMAT_VERSION or header.get("schema") != schema:
        raise TransferRefused(
            f"de export heeft schema {header.get('schema')}, deze database {schema}: gebruik dezelfde"
            f" serverversie / the export has schema {header.get('schema')}, this database {schema}:"
            " use the same server version")
    tables = {t: list(columns) for t, columns, _ in TABLES}
    if header.get("tables") != tables:
        raise TransferRefused("de export heeft andere tabellen / the export has other tables")
    return header


def _row(line: str, number: int, spec: dict) -> tuple[str, list[Any]]:
    try:
        row = json.loads(line)
        table, values = row["t"], row["r"]
        columns, blobs = spec[table]
        if not isinstance(values, list) or len(values) != len(columns):
            raise ValueError
        for i, column in enumerate(columns):
            if column in blobs and values[i] is not None:
                values[i] = b64d(values[i])
    except (ValueError, KeyError, TypeError):
        raise TransferRefused(f"regel {number} van de export is beschadigd / line {number} of the export"
                              " is damaged") from None
    return table, values


def _flush(db: Any, spec: dict, table: str, rows: list[list[Any]]) -> None:
    if not rows:
        return
    columns, _ = spec[table]
    sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
    many = getattr(db, "executemany", None)
    if many is not None:
        many(sql, rows)
    else:
        db.conn.executemany(sql, rows)


def _after_import(store: SqliteStore, db: Any) -> None:
    """PostgreSQL's identity counter for access_log must continue after the imported ids (SQLite's
    AUTOINCREMENT follows the largest id by itself)."""
    if _is_postgres(store):
        db.execute("SELECT setval(pg_get_serial_sequence('access_log', 'id'),"
                   " COALESCE((SELECT MAX(id) FROM access_log), 0) + 1, false)")


def _is_postgres(store: SqliteStore) -> bool:
    return bool(store._LOCK)  # the PostgreSQL store locks rows where SQLite locks the database


def import_file(store: SqliteStore, path: str | Path) -> Counts:
    with open(path, encoding="utf-8") as lines:
        return import_rows(store, lines)
