"""Fixtures for the sync server: a real SQLite file, the app driven in-process, real device keys."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest

from sync_server.app import create_app
from sync_server.settings import Settings
from sync_server.store import SqliteStore, open_store
from sync_server.store.postgres import PostgresStore

from .pgcluster import Cluster
from .support import PUBLIC_URL, Clock, Server


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[Cluster]:
    """One throwaway PostgreSQL cluster for the session (a fresh database per test)."""
    cluster = Cluster()
    yield cluster
    cluster.stop()


@pytest.fixture(params=["sqlite", "postgres"])
def store_kind(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
def db_path(tmp_path: Any, store_kind: str, request: pytest.FixtureRequest) -> str:
    """Where the store lives: a SQLite file, or the URL of a fresh PostgreSQL database."""
    if store_kind == "postgres":
        return request.getfixturevalue("pg_cluster").new_database()
    return str(tmp_path / "server.db")


@pytest.fixture
def store(db_path: str) -> Iterator[SqliteStore]:
    store = open_store(db_path)
    yield store
    if isinstance(store, PostgresStore):
        store.close()


@pytest.fixture
def settings(clock: Clock) -> Settings:
    return Settings(public_url=PUBLIC_URL + "/", clock=clock)


@pytest.fixture
async def server(settings: Settings, store: SqliteStore, clock: Clock, db_path: str) -> AsyncIterator[Server]:
    app = create_app(settings, store)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url=PUBLIC_URL) as client:
        yield Server(client, store, clock, db_path)
