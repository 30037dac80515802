"""Test helpers for the sync server: a hand-moved clock, devices with real keys, protocol walkers."""

from __future__ import annotations

import hashlib
import os
import secrets
from dataclasses import dataclass, field
from typing import Any

import httpx
import sqlite_utils
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from field_app.crypto import wire
from field_app.crypto.canonical import b64e, canonical_json, pinned
from sync_server.cli import create_team, invite_device
from sync_server.store import SqliteStore, is_postgres_url

PUBLIC_URL = "http://testserver"


def _refusals() -> tuple[type[Exception], ...]:
    import sqlite3

    try:
        import psycopg
    except ImportError:
        return (sqlite3.IntegrityError,)
    return (sqlite3.IntegrityError, psycopg.errors.RaiseException)


# What a database trigger's refusal raises, in either store.
DB_REFUSED = _refusals()
START_MS = 1_750_000_000_000
DAY_MS = 24 * 3600_000


class Clock:
    """An injectable clock (UTC ms) that tests move by hand."""

    def __init__(self, now: int = START_MS) -> None:
        self.now = now

    def __call__(self) -> int:
        return self.now

    def advance(self, ms: int) -> None:
        self.now += ms


def _raw(public_key: Any) -> bytes:
    return public_key.public_bytes(Encoding.Raw, PublicFormat.Raw)


@dataclass
class DeviceKeys:
    """A device as the client would hold it: id and real key pairs."""

    id: str = field(default_factory=lambda: b64e(secrets.token_bytes(16)))
    signing: Ed25519PrivateKey = field(default_factory=Ed25519PrivateKey.generate)
    exchange: X25519PrivateKey = field(default_factory=X25519PrivateKey.generate)
    team: str = ""
    role: str = ""
    token: str = ""
    device_seq: int = 0
    prev_hash: bytes = bytes(32)
    ledger_head: str = ""  # hash of the newest ledger entry this device knows (set by Server.admin/member)
    epoch: int = 1
    # envelope -> the chain position before it, so a refused push can give its positions back (the server
    # keeps each device's chain whole: a position it never stored is free again, as on a real device)
    made: dict = field(default_factory=dict)

    def rewind(self, envelope: bytes) -> None:
        """Forget ``envelope`` and every envelope made after it: the next one takes its position."""
        if envelope in self.made:
            self.device_seq, self.prev_hash = self.made[envelope]

    @property
    def ed25519(self) -> str:
        return b64e(_raw(self.signing.public_key()))

    @property
    def x25519(self) -> str:
        return b64e(_raw(self.exchange.public_key()))

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    def enrol_body(self, code: str) -> dict[str, str]:
        return {"code": code, "device": self.id, "ed25519": self.ed25519, "x25519": self.x25519}

    def ledger_device(self, beheer: bool) -> dict[str, Any]:
        return {
            "id": self.id,
            "ed25519": self.ed25519,
            "x25519": self.x25519,
            "role": self.role,
            "beheer": beheer,
        }

    def login_signature(self, challenge: str, device_nonce: str, server: str = PUBLIC_URL) -> str:
        message = pinned(
            "login",
            {
                "server_nonce": challenge,
                "device_nonce": device_nonce,
                "team": self.team,
                "device": self.id,
                "server": server,
            },
        )
        return b64e(self.signing.sign(message))

    def envelope(
        self,
        op_id: str | None = None,
        team: str | None = None,
        device: str | None = None,
        ciphertext_len: int = 600,
        signer: Ed25519PrivateKey | None = None,
        ledger_head: str | None = None,
        epoch: int | None = None,
    ) -> tuple[str, bytes]:
        """A sealed-looking envelope (random wrapped key and ciphertext, real signature, the device's
        chain and ledger head); (op_id, bytes)."""
        before = (self.device_seq, self.prev_hash)
        self.device_seq += 1
        op_id = op_id or b64e(secrets.token_bytes(16))
        header = {
            "v": 1,
            "team": team or self.team,
            "epoch": epoch or self.epoch,
            "op_id": op_id,
            "device": device or self.id,
            "device_seq": self.device_seq,
            "prev_hash": b64e(self.prev_hash),
            "ledger_head": ledger_head or self.ledger_head or b64e(secrets.token_bytes(32)),
            "commit_tag": b64e(secrets.token_bytes(32)),
        }
        wrapped_key = os.urandom(wire.WRAPPED_KEY_LEN)
        ciphertext = os.urandom(ciphertext_len)
        signature = (signer or self.signing).sign(wire.signed_bytes(header, wrapped_key, ciphertext))
        envelope = wire.pack(header, wrapped_key, ciphertext, signature)
        self.prev_hash = hashlib.sha256(envelope).digest()
        self.made[envelope] = before
        return op_id, envelope

    def sign_entry(self, entry: dict[str, Any], signer: Ed25519PrivateKey | None = None) -> dict[str, Any]:
        unsigned = {k: v for k, v in entry.items() if k != "sig"}
        return {**unsigned, "sig": b64e((signer or self.signing).sign(pinned("ledger", unsigned)))}


def entry_hash(entry: dict[str, Any]) -> str:
    return b64e(hashlib.sha256(canonical_json(entry)).digest())


def genesis_entry(device: DeviceKeys, at: int = START_MS) -> dict[str, Any]:
    return device.sign_entry(
        {
            "team": device.team,
            "index": 0,
            "prev": b64e(bytes(32)),
            "type": "genesis",
            "body": {
                "device": device.ledger_device(True),
                "epoch": 1,
                "epoch_commit": b64e(secrets.token_bytes(32)),
            },
            "signer": device.id,
            "at": at,
        }
    )


def add_device_entry(signer: DeviceKeys, target: DeviceKeys, index: int, prev: str) -> dict[str, Any]:
    return signer.sign_entry(
        {
            "team": signer.team,
            "index": index,
            "prev": prev,
            "type": "add_device",
            "body": {"device": target.ledger_device(False)},
            "signer": signer.id,
            "at": START_MS,
        }
    )


class Server:
    """The app in-process plus direct access to its database, and helpers that walk the protocol."""

    def __init__(self, client: httpx.AsyncClient, store: SqliteStore, clock: Clock, db_path: str) -> None:
        self.client = client
        self.store = store
        self.clock = clock
        self.db_path = db_path

    def count(self, table: str) -> int:
        return self.rows(f"SELECT COUNT(*) FROM {table}")[0][0]

    def rows(self, sql: str, params: list[Any] | None = None) -> list[tuple]:
        """Run SQL (SQLite dialect, ``?`` placeholders) straight on the database, whichever store it is. The
        app's queued access-log rows are written first (the store batches them, see store/access_buffer.py)."""
        self.store.flush_access_log()
        if is_postgres_url(self.db_path):
            import psycopg

            from sync_server.store.postgres import pg_sql

            with psycopg.connect(self.db_path, autocommit=True) as conn:
                cursor = conn.execute(pg_sql(sql), params or None)
                return [tuple(bytes(v) if isinstance(v, memoryview) else v for v in row)
                        for row in cursor.fetchall()] if cursor.description else []
        db = sqlite_utils.Database(self.db_path)
        try:
            return db.execute(sql, params or []).fetchall()
        finally:
            db.close()

    def columns(self, table: str) -> list[str]:
        if is_postgres_url(self.db_path):
            return [r[0] for r in self.rows("SELECT column_name FROM information_schema.columns"
                                             " WHERE table_name = ? ORDER BY ordinal_position", [table])]
        return [c[1] for c in self.rows(f"PRAGMA table_info({table})")]

    def new_team(self, role: str = "PROCESREGISSEUR") -> tuple[str, str]:
        return create_team(self.store, role, 7 * DAY_MS, self.clock())

    def invite(self, team: str, role: str = "VELDWERKER") -> str:
        return invite_device(self.store, team, role, 7 * DAY_MS, self.clock())

    async def enrol(self, code: str, role: str) -> DeviceKeys:
        device = DeviceKeys(role=role)
        response = await self.client.post("/v1/enrol", json=device.enrol_body(code))
        assert response.status_code == 200, response.text
        device.team = response.json()["team"]
        return device

    async def login(self, device: DeviceKeys) -> str:
        response = await self.client.post(
            "/v1/auth/challenge", json={"team": device.team, "device": device.id}
        )
        assert response.status_code == 200, response.text
        challenge = response.json()["challenge"]
        nonce = b64e(secrets.token_bytes(16))
        response = await self.client.post(
            "/v1/auth/login",
            json={
                "team": device.team,
                "device": device.id,
                "challenge": challenge,
                "device_nonce": nonce,
                "signature": device.login_signature(challenge, nonce),
            },
        )
        assert response.status_code == 200, response.text
        device.token = response.json()["token"]
        return device.token

    async def admin(self) -> DeviceKeys:
        """A new team whose first device has enrolled, logged in and posted the genesis entry."""
        _, code = self.new_team()
        device = await self.enrol(code, "PROCESREGISSEUR")
        await self.login(device)
        response = await self.client.post(
            f"/v1/teams/{device.team}/ledger", json={"entry": genesis_entry(device)}, headers=device.auth
        )
        assert response.status_code == 200, response.text
        device.ledger_head = response.json()["hash"]
        return device

    async def head(self, device: DeviceKeys) -> dict[str, Any]:
        response = await self.client.get(f"/v1/teams/{device.team}/ledger/public?device={device.id}")
        assert response.status_code == 200, response.text
        return response.json()["head"]

    async def append(self, signer: DeviceKeys, entry: dict[str, Any]) -> httpx.Response:
        response = await self.client.post(
            f"/v1/teams/{signer.team}/ledger", json={"entry": entry}, headers=signer.auth
        )
        if response.status_code == 200:
            signer.ledger_head = response.json()["hash"]
        return response

    async def member(self, admin: DeviceKeys, role: str = "VELDWERKER", confirm: bool = True) -> DeviceKeys:
        """Another device of admin's team, logged in; confirmed by an add_device entry unless told not to."""
        device = await self.enrol(self.invite(admin.team, role), role)
        await self.login(device)
        if confirm:
            head = (await self.client.get(f"/v1/teams/{admin.team}/ledger", headers=admin.auth)).json()[
                "head"
            ]
            entry = add_device_entry(admin, device, head["index"] + 1, head["hash"])
            response = await self.client.post(
                f"/v1/teams/{admin.team}/ledger", json={"entry": entry}, headers=admin.auth
            )
            assert response.status_code == 200, response.text
            device.ledger_head = response.json()["hash"]
        return device

    async def push(self, device: DeviceKeys, envelopes: list[bytes]) -> httpx.Response:
        """Push; when refused, the device's chain positions of these envelopes are free again."""
        response = await self.client.post(
            f"/v1/teams/{device.team}/changes",
            json={"envelopes": [b64e(e) for e in envelopes]},
            headers=device.auth,
        )
        if response.status_code >= 400:
            mine = [device.made[e] for e in envelopes if e in device.made]
            if mine:
                device.device_seq, device.prev_hash = min(mine, key=lambda state: state[0])
        return response
