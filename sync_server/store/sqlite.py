"""SQLite implementation of the store (sqlite-utils, WAL).

Operations borrow a connection from a pool of idle ones (each opened once, with its pragmas set once) and
give it back, so the store is safe to share between threads; several processes may share the file.
Access-log rows are queued and written in batches by one thread (``access_buffer``). Writes that must be
atomic run inside one ``BEGIN IMMEDIATE`` transaction: SQLite then holds the database write lock from the
first read, so two pushes can never read the same ``last_seq`` (the process's own writer lock only spares
SQLite's sleeping busy handler; several server processes on one file stay correct).
"""

from __future__ import annotations

import sqlite3
import time
from datetime import UTC, datetime

import sqlite_utils

from . import sqlite_redeliver as redeliver
from .access_buffer import Row
from .base import (
    AccessRow,
    ChainHead,
    ChangeRow,
    CodeRejected,
    Device,
    DeviceExists,
    Enrolment,
    Grant,
    GrantConflict,
    LedgerConflict,
    LedgerEffects,
    LedgerRow,
    NewDevice,
    OpConflict,
    OwnChange,
    PushHead,
    PushItem,
    PushOutcome,
    Replacement,
    SchemaTooNew,
    Token,
    UnknownTeam,
)
from .sqlite_conn import SqliteConnections, executemany
from .sqlite_push import continue_chain, put_head, recheck
from .sqlite_schema import MIGRATIONS

# Keep expired challenges and tokens a while so a late client hears "expired", not "unknown".
_EXPIRED_GRACE_MS = 24 * 3600_000

def _device(row: tuple) -> Device:
    team, id_, ed, x, role, beheer, status, enrolled_at, revoked_reason, revoked_index = row
    return Device(team, id_, ed, x, role, bool(beheer), status, enrolled_at, revoked_reason, revoked_index)


_DEVICE_COLUMNS = "team, id, ed25519, x25519, role, beheer, status, enrolled_at, revoked_reason, revoked_index"
_INSERT_DEVICE_COLUMNS = "team, id, ed25519, x25519, role, beheer, status, enrolled_at"

PAGE_SIZE = 16384  # for a new database file (SQLite's default is 4096)


class SqliteStore(SqliteConnections):
    """The embedded default store. ``path`` is a database file (created if missing); its connections,
    transactions and access-log queue are ``SqliteConnections``'."""

    # Appended to the SELECT that starts a write transaction's critical read. SQLite's BEGIN IMMEDIATE
    # already holds the database write lock; PostgreSQL (a subclass using this same SQL) locks the row.
    _LOCK = ""

    # -- schema ---------------------------------------------------------------------------------------

    def _prepare(self) -> None:
        """WAL mode. Switching to it needs the file to itself, and SQLite answers "database is locked" at
        once, without waiting, when another connection switching at the same moment holds it (processes or
        threads migrating a new file together, 4-7 times in 150 tries of six): try again for a while."""
        for attempt in range(100):
            try:
                with self._db() as db:
                    # a new file gets 16 KiB pages (a no-op on an existing one): envelopes of about 1.4 KB
                    # left a third of each 4 KiB page empty; pushes wrote that much more (docs/performance.md)
                    db.execute(f"PRAGMA page_size = {PAGE_SIZE}")
                    db.execute("PRAGMA journal_mode = WAL")
                return
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) or attempt == 99:
                    raise
                time.sleep(0.05)

    def _migration_lock(self, db: sqlite_utils.Database) -> None:
        """Only one process migrates at a time (BEGIN IMMEDIATE already ensures it here)."""

    def migrate(self) -> int:
        """Apply the numbered migrations this server does not find applied yet (one transaction); refuse a
        database whose schema is newer than this server knows (SchemaTooNew), changing nothing."""
        self._prepare()
        with self._tx() as db:
            self._migration_lock(db)
            db.execute(
                "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)"
            )
            current = db.execute("SELECT COALESCE(MAX(version), 0) FROM schema_version").fetchone()[0]
            if current > len(MIGRATIONS):
                raise SchemaTooNew(current, len(MIGRATIONS))
            for version, migration in enumerate(MIGRATIONS, start=1):
                if version > current:
                    migration(db)
                    db.execute(
                        "INSERT INTO schema_version (version, applied_at) VALUES (?, ?)",
                        [version, datetime.now(UTC).isoformat(timespec="seconds")],
                    )
            return len(MIGRATIONS)

    def schema_version(self) -> int:
        with self._db() as db:
            return db.execute("SELECT COALESCE(MAX(version), 0) FROM schema_version").fetchone()[0]

    # -- teams, codes, devices ------------------------------------------------------------------------

    def create_team(self, team: str, now: int) -> None:
        with self._tx() as db:
            db.execute("INSERT INTO teams (id, created_at, last_seq) VALUES (?, ?, 0)", [team, now])

    def team_exists(self, team: str) -> bool:
        with self._db() as db:
            return db.execute("SELECT 1 FROM teams WHERE id = ?", [team]).fetchone() is not None

    def add_code(self, code_hash: bytes, team: str, role: str, beheer: bool, expires_at: int) -> None:
        with self._tx() as db:
            if db.execute("SELECT 1 FROM teams WHERE id = ?", [team]).fetchone() is None:
                raise UnknownTeam(team)
            db.execute(
                "INSERT INTO codes (hash, team, role, beheer, expires_at, used_at) VALUES (?, ?, ?, ?, ?, NULL)",
                [code_hash, team, role, int(beheer), expires_at],
            )

    def enrol(self, code_hash: bytes, device: NewDevice, now: int) -> Enrolment:
        with self._tx() as db:
            code = db.execute(
                f"SELECT team, role, beheer, expires_at, used_at FROM codes WHERE hash = ?{self._LOCK}", [code_hash]
            ).fetchone()
            if code is None or code[4] is not None or now >= code[3]:
                raise CodeRejected()
            team, role, beheer, _, _ = code
            db.execute(f"SELECT 1 FROM teams WHERE id = ?{self._LOCK}", [team])  # one enrolment at a time
            if db.execute("SELECT 1 FROM devices WHERE team = ? AND id = ?", [team, device.id]).fetchone():
                raise DeviceExists(device.id)
            first = db.execute("SELECT COUNT(*) FROM devices WHERE team = ?", [team]).fetchone()[0] == 0
            db.execute(
                f"INSERT INTO devices ({_INSERT_DEVICE_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, 'pending', ?)",
                [team, device.id, device.ed25519, device.x25519, role, beheer, now],
            )
            db.execute("UPDATE codes SET used_at = ? WHERE hash = ?", [now, code_hash])
            return Enrolment(
                Device(team, device.id, device.ed25519, device.x25519, role, bool(beheer), "pending", now),
                first,
            )

    def get_device(self, team: str, device: str) -> Device | None:
        with self._db() as db:
            row = db.execute(
                f"SELECT {_DEVICE_COLUMNS} FROM devices WHERE team = ? AND id = ?", [team, device]
            ).fetchone()
        return None if row is None else _device(row)

    def list_devices(self, team: str) -> list[Device]:
        with self._db() as db:
            rows = db.execute(
                f"SELECT {_DEVICE_COLUMNS} FROM devices WHERE team = ? ORDER BY enrolled_at, id", [team]
            ).fetchall()
        return [_device(row) for row in rows]

    def set_device_status(self, team: str, device: str, status: str) -> None:
        with self._tx() as db:
            db.execute("UPDATE devices SET status = ? WHERE team = ? AND id = ?", [status, team, device])

    # -- login ----------------------------------------------------------------------------------------

    def add_challenge(self, challenge_hash: bytes, team: str, device: str, expires_at: int, now: int) -> None:
        with self._tx() as db:
            db.execute("DELETE FROM challenges WHERE expires_at < ?", [now - _EXPIRED_GRACE_MS])
            db.execute(
                "INSERT INTO challenges (hash, team, device, expires_at, used) VALUES (?, ?, ?, ?, 0)",
                [challenge_hash, team, device, expires_at],
            )

    def consume_challenge(self, challenge_hash: bytes, team: str, device: str) -> int | None:
        with self._tx() as db:
            row = db.execute(
                f"SELECT expires_at FROM challenges WHERE hash = ? AND team = ? AND device = ? AND used = 0{self._LOCK}",
                [challenge_hash, team, device],
            ).fetchone()
            if row is None:
                return None
            db.execute("UPDATE challenges SET used = 1 WHERE hash = ?", [challenge_hash])
            return row[0]

    def add_token(self, token_hash: bytes, team: str, device: str, expires_at: int, now: int) -> None:
        with self._tx() as db:
            db.execute("DELETE FROM tokens WHERE expires_at < ?", [now - _EXPIRED_GRACE_MS])
            db.execute(
                "INSERT INTO tokens (hash, team, device, expires_at) VALUES (?, ?, ?, ?)",
                [token_hash, team, device, expires_at],
            )

    def token_device(self, token_hash: bytes) -> tuple[Token, Device | None] | None:
        """The token and, in the same read, the device it names (None if the device is gone)."""
        with self._db() as db:
            row = db.execute(
                "SELECT t.team, t.device, t.expires_at, d.team, d.id, d.ed25519, d.x25519, d.role, d.beheer,"
                " d.status, d.enrolled_at, d.revoked_reason, d.revoked_index"
                " FROM tokens t LEFT JOIN devices d ON d.team = t.team AND d.id = t.device WHERE t.hash = ?",
                [token_hash],
            ).fetchone()
        if row is None:
            return None
        return Token(*row[:3]), None if row[3] is None else _device(row[3:])

    def find_token(self, token_hash: bytes) -> Token | None:
        with self._db() as db:
            row = db.execute(
                "SELECT team, device, expires_at FROM tokens WHERE hash = ?", [token_hash]
            ).fetchone()
        return None if row is None else Token(*row)

    # -- ledger ---------------------------------------------------------------------------------------

    def ledger_entries(self, team: str, after: int) -> list[LedgerRow]:
        with self._db() as db:
            rows = db.execute(
                "SELECT idx, hash, entry FROM ledger WHERE team = ? AND idx > ? ORDER BY idx", [team, after]
            ).fetchall()
        return [LedgerRow(*row) for row in rows]

    def ledger_head(self, team: str) -> LedgerRow | None:
        with self._db() as db:
            return self._head(db, team)

    @staticmethod
    def _head(db: sqlite_utils.Database, team: str) -> LedgerRow | None:
        row = db.execute(
            "SELECT idx, hash, entry FROM ledger WHERE team = ? ORDER BY idx DESC LIMIT 1", [team]
        ).fetchone()
        return None if row is None else LedgerRow(*row)

    def append_ledger(
        self,
        team: str,
        row: LedgerRow,
        prev: str,
        confirm_device: str | None,
        now: int,
        effects: LedgerEffects | None = None,
    ) -> None:
        with self._tx() as db:
            db.execute(f"SELECT 1 FROM teams WHERE id = ?{self._LOCK}", [team])
            head = self._head(db, team)
            if head is None:
                extends = row.index == 0
            else:
                extends = row.index == head.index + 1 and prev == head.hash
            if not extends:
                raise LedgerConflict()
            db.execute(
                "INSERT INTO ledger (team, idx, hash, entry, received_at) VALUES (?, ?, ?, ?, ?)",
                [team, row.index, row.hash, row.entry, now],
            )
            if confirm_device is not None:
                db.execute(
                    "UPDATE devices SET status = 'confirmed' WHERE team = ? AND id = ? AND status = 'pending'",
                    [team, confirm_device],
                )
            if effects is not None and effects.set_device is not None:
                device, role, beheer = effects.set_device
                db.execute(
                    "UPDATE devices SET role = ?, beheer = ? WHERE team = ? AND id = ?",
                    [role, int(beheer), team, device],
                )
            if effects is not None and effects.revoke is not None:
                device, reason, index = effects.revoke
                db.execute(
                    "UPDATE devices SET status = 'revoked', revoked_reason = ?, revoked_index = ?"
                    " WHERE team = ? AND id = ?",
                    [reason, index, team, device],
                )

    # -- grants ---------------------------------------------------------------------------------------

    def put_grants(self, team: str, grants: list[Grant], now: int) -> None:
        with self._tx() as db:
            db.execute(f"SELECT 1 FROM teams WHERE id = ?{self._LOCK}", [team])
            for grant in grants:
                stored = db.execute(
                    "SELECT body FROM grants WHERE team = ? AND epoch = ? AND recipient = ?",
                    [team, grant.epoch, grant.recipient],
                ).fetchone()
                if stored is not None:
                    if stored[0] != grant.body:
                        raise GrantConflict(grant.epoch, grant.recipient)
                    continue
                db.execute(
                    "INSERT INTO grants (team, epoch, recipient, body, received_at) VALUES (?, ?, ?, ?, ?)",
                    [team, grant.epoch, grant.recipient, grant.body, now],
                )

    def grants_for(self, team: str, recipient: str) -> list[Grant]:
        with self._db() as db:
            rows = db.execute(
                "SELECT epoch, recipient, body FROM grants WHERE team = ? AND recipient = ? ORDER BY epoch",
                [team, recipient],
            ).fetchall()
        return [Grant(*row) for row in rows]

    # -- changes --------------------------------------------------------------------------------------

    def push(
        self, team: str, items: list[PushItem], now: int, head: PushHead | None = None, *,
        statuses: tuple[str, ...] | None = None, ledger_index: int | None = None,
    ) -> list[PushOutcome]:
        outcomes: list[PushOutcome] = []
        with self._tx() as db:
            # The team row first: every later read of this push (statuses, ledger, chains, op ids) and the
            # seqs it assigns happen while no other push of the team can run (see docs/protocol.md).
            row = db.execute(f"SELECT last_seq FROM teams WHERE id = ?{self._LOCK}", [team]).fetchone()
            if row is None:
                raise UnknownTeam(team)
            recheck(db, team, items, statuses, ledger_index)
            last_seq = row[0]
            chains: dict[str, tuple[int, bytes]] = {}
            # op_id conflicts first: an earlier sealing of this work is on the server (one statement for the
            # batch: each statement is a round trip on PostgreSQL and a GIL hand-off on SQLite)
            marks = ",".join("?" * len(items))
            known = {op_id: (seq, bytes(envelope)) for op_id, seq, envelope in db.execute(
                f"SELECT op_id, seq, envelope FROM changes WHERE team = ? AND op_id IN ({marks})",
                [team, *(item.op_id for item in items)]).fetchall()} if items else {}
            for item in items:
                if item.op_id in known and known[item.op_id][1] != item.envelope:
                    raise OpConflict(item.op_id)  # rolls the whole batch back
            rows = []
            for item in items:  # ``known`` takes this batch's own envelopes too, as they are stored
                if item.op_id in known:
                    seq, envelope = known[item.op_id]
                    if envelope != item.envelope:
                        raise OpConflict(item.op_id)  # other bytes under an op_id of this same batch
                    outcomes.append(PushOutcome(item.op_id, seq, True))
                    continue
                if item.device_seq is not None:
                    chains[item.device] = continue_chain(db, team, item, chains)
                last_seq += 1
                rows.append([team, last_seq, item.op_id, item.device, item.envelope, now, item.device_seq])
                outcomes.append(PushOutcome(item.op_id, last_seq, False))
                known[item.op_id] = (last_seq, item.envelope)
            if rows:
                executemany(db, "INSERT INTO changes (team, seq, op_id, device, envelope, received_at, device_seq)"
                             " VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
            db.execute("UPDATE teams SET last_seq = ? WHERE id = ?", [last_seq, team])
            for device, (device_seq, digest) in chains.items():
                db.execute(
                    "INSERT INTO device_chains (team, device, device_seq, hash) VALUES (?, ?, ?, ?)"
                    " ON CONFLICT (team, device) DO UPDATE SET device_seq = excluded.device_seq,"
                    " hash = excluded.hash",
                    [team, device, device_seq, digest],
                )
            if head is not None:
                put_head(db, team, head, now)
        return outcomes

    def chain_head(self, team: str, device: str) -> ChainHead | None:
        with self._db() as db:
            row = db.execute(
                "SELECT device_seq, hash FROM device_chains WHERE team = ? AND device = ?", [team, device]
            ).fetchone()
        return ChainHead(row[0], bytes(row[1])) if row else None

    def own_changes(self, team: str, device: str, after_device_seq: int, limit: int) -> list[OwnChange]:
        with self._db() as db:
            rows = db.execute(
                "SELECT seq, device_seq, envelope FROM changes WHERE team = ? AND device = ? AND device_seq > ?"
                " ORDER BY device_seq LIMIT ?",
                [team, device, after_device_seq, limit],
            ).fetchall()
        return [OwnChange(seq, device_seq, bytes(envelope)) for seq, device_seq, envelope in rows]

    def heads(self, team: str) -> list[PushHead]:
        with self._db() as db:
            rows = db.execute(
                "SELECT device, device_seq, hash, sig FROM push_heads WHERE team = ? ORDER BY device", [team]
            ).fetchall()
        return [PushHead(*row) for row in rows]

    def pull(self, team: str, after: int, limit: int) -> list[ChangeRow]:
        with self._db() as db:
            rows = db.execute(
                "SELECT seq, envelope FROM changes WHERE team = ? AND seq > ? ORDER BY seq LIMIT ?",
                [team, after, limit],
            ).fetchall()
        return [ChangeRow(seq, bytes(envelope)) for seq, envelope in rows]

    # -- audit ----------------------------------------------------------------------------------------

    def log_access(
        self, at: int, team: str, device: str, action: str, result: str, role: str | None = None
    ) -> None:
        self._access.add((at, team, device, action, result, role))

    def _write_access_rows(self, rows: list[Row]) -> None:
        with self._tx() as db:
            executemany(db, "INSERT INTO access_log (at, team, device, action, result, role)"
                             " VALUES (?, ?, ?, ?, ?, ?)", [list(row) for row in rows])

    def failure_counts(self, keys: list[str], minute: int) -> dict[str, int]:
        with self._db() as db:
            marks = ",".join("?" * len(keys))
            rows = db.execute(f"SELECT source, count FROM auth_failures WHERE minute = ? AND source IN ({marks})",
                              [minute, *keys]).fetchall()
        return dict(rows)

    def add_failures(self, keys: list[str], minute: int) -> dict[str, int]:
        with self._tx() as db:
            db.execute("DELETE FROM auth_failures WHERE minute < ?", [minute - 1])
            for key in keys:
                db.execute("INSERT INTO auth_failures (source, minute, count) VALUES (?, ?, 1)"
                           " ON CONFLICT (source, minute) DO UPDATE SET count = auth_failures.count + 1", [key, minute])
            marks = ",".join("?" * len(keys))
            rows = db.execute(f"SELECT source, count FROM auth_failures WHERE minute = ? AND source IN ({marks})",
                              [minute, *keys]).fetchall()
        return dict(rows)

    def access_log(self, team: str, after: int, limit: int) -> list[AccessRow]:
        self.flush_access_log()  # every row logged before this read
        with self._db() as db:
            rows = db.execute(
                "SELECT id, at, team, device, role, action, result FROM access_log"
                " WHERE team = ? AND id > ? ORDER BY id LIMIT ?",
                [team, after, limit],
            ).fetchall()
        return [AccessRow(*row) for row in rows]

    # -- re-delivery of an envelope whose stored copy no longer verifies (issue #11) --------------------

    def chain_rows(self, team: str, device: str, device_seqs: list[int]) -> dict[int, tuple[str, OwnChange]]:
        with self._db() as db:
            return redeliver.chain_rows(db, team, device, device_seqs)

    def replace_changes(self, team: str, device: str, items: list[Replacement], now: int) -> list[PushOutcome]:
        with self._tx() as db:
            return redeliver.replace_changes(db, team, device, items, now, self._LOCK)
