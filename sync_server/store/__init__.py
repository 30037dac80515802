"""Storage for the sync server: the interface (``base.Store``) and the SQLite default."""

from __future__ import annotations

import os
from pathlib import Path

from .base import Store, StoreError
from .sqlite import SqliteStore

__all__ = ["SqliteStore", "Store", "StoreError", "open_sqlite"]


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
