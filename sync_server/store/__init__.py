"""Storage for the sync server: the interface (``base.Store``) and the SQLite default."""

from __future__ import annotations

import os
from pathlib import Path

from .base import Store, StoreError
from .sqlite import SqliteStore

__all__ = ["SqliteStore", "Store", "StoreError", "is_postgres_url", "open_sqlite", "open_store"]


def create_private(path: str | Path) -> None:
    """Create a database file readable by its owner only (0600; SQLite gives its -wal and -shm files the
    same mode), in a folder made 0700 when the server creates it. An existing file is left as it is."""
    path = Path(path)
    if not path.parent.exists():
        path.parent.mkdir(parents=True, mode=0o700)
    try:
        os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    except FileExistsError:
        pass


def open_sqlite(path: str | Path) -> SqliteStore:
    """A SQLite store at ``path`` (created 0600 if missing) with its schema migrated to the newest version."""
    create_private(path)
    store = SqliteStore(path)
    store.migrate()
    return store


def is_postgres_url(db: str) -> bool:
    return db.startswith(("postgresql://", "postgres://"))


def open_store(db: str | Path, migrate: bool = True) -> SqliteStore:
    """``postgresql://...`` opens the PostgreSQL store (the ``veldwerk[postgres]`` extra); anything else is
    a SQLite file. With ``migrate`` the schema is brought up to date; a newer schema raises SchemaTooNew."""
    if is_postgres_url(str(db)):
        from .postgres import PostgresStore

        store: SqliteStore = PostgresStore(str(db))
    else:
        create_private(db)
        store = SqliteStore(db)
    if migrate:
        store.migrate()
    return store
