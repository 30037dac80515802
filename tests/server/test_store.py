"""The SQLite store: WAL, numbered migrations, atomic single-use secrets."""

from __future__ import annotations

import secrets
import threading

import sqlite_utils

from field_app.crypto.canonical import b64e
from sync_server.store import open_sqlite
from sync_server.store.base import Grant, GrantConflict, NewDevice, PushItem
from sync_server.store.sqlite import MIGRATIONS, SqliteStore


def _team(store: SqliteStore) -> str:
    team = b64e(secrets.token_bytes(16))
    store.create_team(team, 0)
    return team


def test_database_is_in_wal_mode_with_a_schema_version(tmp_path) -> None:
    store = open_sqlite(tmp_path / "s.db")
    db = sqlite_utils.Database(tmp_path / "s.db")
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert [r[0] for r in db.execute("SELECT version FROM schema_version")] == list(
        range(1, len(MIGRATIONS) + 1)
    )
    assert store.schema_version() == len(MIGRATIONS)
    assert {
        "teams",
        "devices",
        "codes",
        "challenges",
        "tokens",
        "ledger",
        "grants",
        "changes",
        "access_log",
    } <= set(db.table_names())


def test_migrating_twice_is_a_no_op(tmp_path) -> None:
    store = open_sqlite(tmp_path / "s.db")
    team = _team(store)
    store.migrate()
    assert store.team_exists(team)
    assert sqlite_utils.Database(tmp_path / "s.db")["schema_version"].count == len(MIGRATIONS)


def test_concurrent_first_migrations_from_threads_agree(tmp_path) -> None:
    errors: list[BaseException] = []

    def migrate() -> None:
        try:
            SqliteStore(tmp_path / "s.db").migrate()
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=migrate) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert SqliteStore(tmp_path / "s.db").schema_version() == len(MIGRATIONS)


def test_a_code_enrols_exactly_one_device_under_concurrency(tmp_path) -> None:
    store = open_sqlite(tmp_path / "s.db")
    team = _team(store)
    store.add_code(b"h" * 32, team, "VELDWERKER", False, 10**15)
    wins: list[str] = []

    def enrol() -> None:
        device = b64e(secrets.token_bytes(16))
        try:
            store.enrol(b"h" * 32, NewDevice(device, "k", "x"), 1)
            wins.append(device)
        except Exception:  # noqa: BLE001 - CodeRejected for the losers
            pass

    threads = [threading.Thread(target=enrol) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(wins) == 1
    assert [d.id for d in store.list_devices(team)] == wins


def test_a_challenge_is_consumed_once_under_concurrency(tmp_path) -> None:
    store = open_sqlite(tmp_path / "s.db")
    store.add_challenge(b"c" * 32, "t", "d", 100, 0)
    results: list[int | None] = []
    threads = [
        threading.Thread(target=lambda: results.append(store.consume_challenge(b"c" * 32, "t", "d")))
        for _ in range(8)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results, key=lambda r: r is None) == [100] + [None] * 7


def test_failed_push_leaves_last_seq_and_changes_untouched(tmp_path) -> None:
    store = open_sqlite(tmp_path / "s.db")
    team = _team(store)
    store.push(team, [PushItem("op1", "d", b"one")], 0)
    try:
        store.push(team, [PushItem("op2", "d", b"two"), PushItem("op1", "d", b"other")], 0)
    except Exception as exc:  # noqa: BLE001
        assert type(exc).__name__ == "OpConflict"
    assert [r.seq for r in store.pull(team, 0, 10)] == [1]
    assert store.push(team, [PushItem("op2", "d", b"two")], 0)[0].seq == 2


def test_grant_conflict_rolls_back_the_batch(tmp_path) -> None:
    store = open_sqlite(tmp_path / "s.db")
    team = _team(store)
    store.put_grants(team, [Grant(1, "a", "{}")], 0)
    try:
        store.put_grants(team, [Grant(1, "b", "{}"), Grant(1, "a", '{"x":1}')], 0)
        raise AssertionError("expected a conflict")
    except GrantConflict as exc:
        assert (exc.epoch, exc.recipient) == (1, "a")
    assert store.grants_for(team, "b") == []


def test_migration_2_upgrades_a_version_1_database_in_place(tmp_path) -> None:
    path = tmp_path / "v1.db"
    old = SqliteStore(path)
    with old._tx() as db:  # a database as the first release left it
        db.execute("CREATE TABLE schema_version (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)")
        MIGRATIONS[0](db)
        db.execute("INSERT INTO schema_version (version, applied_at) VALUES (1, datetime('now'))")
    team = _team(old)
    with old._tx() as db:
        db.execute(
            "INSERT INTO access_log (at, team, device, action, result) VALUES (1, ?, 'd', 'enrol', 'ok')", [team]
        )
    store = open_sqlite(path)
    assert store.schema_version() == len(MIGRATIONS) >= 2
    store.log_access(2, team, "d", "changes.pull", "ok", "VELDWERKER")
    assert [(r.action, r.role) for r in store.access_log(team, 0, 10)] == [
        ("enrol", None),
        ("changes.pull", "VELDWERKER"),
    ]
    assert store.heads(team) == []
    db = sqlite_utils.Database(path)
    assert {"revoked_reason", "revoked_index"} <= {c.name for c in db["devices"].columns}
    assert "push_heads" in db.table_names()
