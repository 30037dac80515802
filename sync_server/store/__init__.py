"""Storage for the sync server: the interface (``base.Store``) and the SQLite default."""

from __future__ import annotations

from pathlib import Path

from .base import Store, StoreError
from .sqlite import SqliteStore

__all__ = ["SqliteStore", "Store", "StoreError", "open_sqlite"]


def open_sqlite(path: str | Path) -> SqliteStore:
    """A SQLite store at ``path`` with its schema migrated to the newest version."""
    store = SqliteStore(path)
    store.migrate()
    return store
