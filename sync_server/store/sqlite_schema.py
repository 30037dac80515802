"""The SQLite store's schema: numbered migrations, ordered and append-only (migration N brings the schema
from version N-1 to N; never edit a released one)."""

from __future__ import annotations

import hashlib
from collections.abc import Callable

import sqlite_utils

from field_app.crypto import wire

__all__ = ["MIGRATIONS"]

_M1 = [
    """CREATE TABLE teams (
        id TEXT PRIMARY KEY,
        created_at INTEGER NOT NULL,
        last_seq INTEGER NOT NULL DEFAULT 0
    )""",
    """CREATE TABLE devices (
        team TEXT NOT NULL REFERENCES teams(id),
        id TEXT NOT NULL,
        ed25519 TEXT NOT NULL,
        x25519 TEXT NOT NULL,
        role TEXT NOT NULL,
        beheer INTEGER NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('pending', 'confirmed', 'revoked')),
        enrolled_at INTEGER NOT NULL,
        PRIMARY KEY (team, id)
    )""",
    """CREATE TABLE codes (
        hash BLOB PRIMARY KEY,
        team TEXT NOT NULL REFERENCES teams(id),
        role TEXT NOT NULL,
        beheer INTEGER NOT NULL,
        expires_at INTEGER NOT NULL,
        used_at INTEGER
    )""",
    """CREATE TABLE challenges (
        hash BLOB PRIMARY KEY,
        team TEXT NOT NULL,
        device TEXT NOT NULL,
        expires_at INTEGER NOT NULL,
        used INTEGER NOT NULL DEFAULT 0
    )""",
    "CREATE INDEX challenges_expires ON challenges(expires_at)",
    """CREATE TABLE tokens (
        hash BLOB PRIMARY KEY,
        team TEXT NOT NULL,
        device TEXT NOT NULL,
        expires_at INTEGER NOT NULL
    )""",
    "CREATE INDEX tokens_expires ON tokens(expires_at)",
    """CREATE TABLE ledger (
        team TEXT NOT NULL REFERENCES teams(id),
        idx INTEGER NOT NULL,
        hash TEXT NOT NULL,
        entry TEXT NOT NULL,
        received_at INTEGER NOT NULL,
        PRIMARY KEY (team, idx)
    )""",
    """CREATE TABLE grants (
        team TEXT NOT NULL REFERENCES teams(id),
        epoch INTEGER NOT NULL,
        recipient TEXT NOT NULL,
        body TEXT NOT NULL,
        received_at INTEGER NOT NULL,
        PRIMARY KEY (team, epoch, recipient)
    )""",
    """CREATE TABLE changes (
        team TEXT NOT NULL REFERENCES teams(id),
        seq INTEGER NOT NULL,
        op_id TEXT NOT NULL,
        device TEXT NOT NULL,
        envelope BLOB NOT NULL,
        received_at INTEGER NOT NULL,
        UNIQUE (team, seq),
        UNIQUE (team, op_id)
    )""",
    """CREATE TABLE access_log (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        at INTEGER NOT NULL,
        team TEXT NOT NULL,
        device TEXT NOT NULL,
        action TEXT NOT NULL,
        result TEXT NOT NULL
    )""",
    """CREATE TRIGGER access_log_no_update BEFORE UPDATE ON access_log
        BEGIN SELECT RAISE(ABORT, 'access_log is append-only'); END""",
    """CREATE TRIGGER access_log_no_delete BEFORE DELETE ON access_log
        BEGIN SELECT RAISE(ABORT, 'access_log is append-only'); END""",
]


# Security in depth: revocations mirrored from the ledger, signed push heads, the role in the access log.
_M2 = [
    "ALTER TABLE devices ADD COLUMN revoked_reason TEXT",
    "ALTER TABLE devices ADD COLUMN revoked_index INTEGER",
    "ALTER TABLE access_log ADD COLUMN role TEXT",
    "CREATE INDEX access_log_team ON access_log(team, id)",
    "CREATE INDEX ledger_hash ON ledger(team, hash)",
    """CREATE TABLE push_heads (
        team TEXT NOT NULL REFERENCES teams(id),
        device TEXT NOT NULL,
        device_seq INTEGER NOT NULL,
        hash TEXT NOT NULL,
        sig TEXT NOT NULL,
        received_at INTEGER NOT NULL,
        PRIMARY KEY (team, device)
    )""",
]


def _statements(statements: list[str]) -> Callable[[sqlite_utils.Database], None]:
    def apply(db: sqlite_utils.Database) -> None:
        for statement in statements:
            db.execute(statement)

    return apply


def _m3_chains(db: sqlite_utils.Database) -> None:
    """Each device's chain as the server holds it (for the chain check on push), the device_seq of every
    stored change (for a device reading its own chain back), and failed-attempt counts per minute."""
    db.execute("ALTER TABLE changes ADD COLUMN device_seq INTEGER")
    db.execute("CREATE INDEX changes_device ON changes(team, device, device_seq)")
    db.execute("""CREATE TABLE device_chains (
        team TEXT NOT NULL REFERENCES teams(id),
        device TEXT NOT NULL,
        device_seq INTEGER NOT NULL,
        hash BLOB NOT NULL,
        PRIMARY KEY (team, device)
    )""")
    db.execute("""CREATE TABLE auth_failures (
        source TEXT NOT NULL,
        minute INTEGER NOT NULL,
        count INTEGER NOT NULL,
        PRIMARY KEY (source, minute)
    )""")
    for seq, team, device, envelope in db.execute("SELECT seq, team, device, envelope FROM changes ORDER BY team, seq"):
        device_seq = _device_seq(bytes(envelope))
        if device_seq is None:
            continue
        db.execute("UPDATE changes SET device_seq = ? WHERE team = ? AND seq = ?", [device_seq, team, seq])
        db.execute(
            "INSERT INTO device_chains (team, device, device_seq, hash) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (team, device) DO UPDATE SET device_seq = excluded.device_seq, hash = excluded.hash"
            " WHERE excluded.device_seq > device_chains.device_seq",
            [team, device, device_seq, hashlib.sha256(bytes(envelope)).digest()],
        )


def _device_seq(envelope: bytes) -> int | None:
    try:
        return int(wire.unpack(envelope).header["device_seq"])
    except (wire.EnvelopeFormatError, ValueError, TypeError, KeyError):
        return None


# Ordered and append-only: migration N brings the schema from version N-1 to N. Never edit a released one.
MIGRATIONS: list[Callable[[sqlite_utils.Database], None]] = [
    _statements(_M1),
    _statements(_M2),
    _m3_chains,
]
