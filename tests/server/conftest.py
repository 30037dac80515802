"""Fixtures for the sync server: a real SQLite file, the app driven in-process, real device keys."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from sync_server.app import create_app
from sync_server.settings import Settings
from sync_server.store import SqliteStore, open_sqlite

from .support import PUBLIC_URL, Clock, Server


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def db_path(tmp_path: Any) -> str:
    return str(tmp_path / "server.db")


@pytest.fixture
def store(db_path: str) -> SqliteStore:
    return open_sqlite(db_path)


@pytest.fixture
def settings(clock: Clock) -> Settings:
    return Settings(public_url=PUBLIC_URL + "/", clock=clock)


@pytest.fixture
async def server(settings: Settings, store: SqliteStore, clock: Clock, db_path: str) -> AsyncIterator[Server]:
    app = create_app(settings, store)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url=PUBLIC_URL) as client:
        yield Server(client, store, clock, db_path)
