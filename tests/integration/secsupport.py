"""A real sync server on a loopback port (uvicorn in a thread) behind a middleware that lets a test play a
malicious or broken server: rewrite what it answers, withhold, forge, or fail. Devices are real
``Services`` objects talking HTTP to it (cheap Scrypt; one test elsewhere asserts the default cost).
"""

from __future__ import annotations

import json
import re
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import uvicorn

from field_app.crypto.vault import ScryptParams
from field_app.services import Services
from sync_server.app import create_app
from sync_server.cli import create_team
from sync_server.settings import Settings, now_ms
from sync_server.store import open_sqlite

FAST = ScryptParams(n=2**12, r=8, p=1)
SUP_PASS = "werkbegeleider-geheim-1"
WORK_PASS = "veldwerker-geheim-12"
DAY_MS = 24 * 3600_000

# (status, JSON body) -> (status, new body) or None to leave the answer as it is
Rewrite = Callable[[int, Any, dict[str, list[str]]], "tuple[int, Any] | None"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Tamper:
    """ASGI middleware: for requests matching (method, path regex), hand the real answer to a rule that
    may rewrite it, or (``replace``) answer without asking the real server at all."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.rules: list[tuple[str, re.Pattern, str, Callable]] = []
        self.seen: list[tuple[str, str]] = []

    def rewrite(self, method: str, path: str, fn: Rewrite) -> None:
        self.rules.append((method, re.compile(path), "rewrite", fn))

    def replace(self, method: str, path: str, fn: Callable[[dict[str, list[str]]], tuple[int, Any]]) -> None:
        self.rules.append((method, re.compile(path), "replace", fn))

    def clear(self) -> None:
        self.rules.clear()

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        method, path = scope["method"], scope["path"]
        self.seen.append((method, path))
        if method == "GET" and path.endswith("/round") and self.rules:
            await self._round(scope, send)  # the rules for the three reads apply to the round's parts
            return
        rule = next((r for r in self.rules if r[0] == method and r[1].search(path)), None)
        if rule is None:
            await self.app(scope, receive, send)
            return
        query = parse_qs(scope.get("query_string", b"").decode())
        if rule[2] == "replace":
            status, body = rule[3](query)
            await self._send(send, status, body)
            return
        start: dict = {}
        chunks: list[bytes] = []

        async def capture(message) -> None:
            if message["type"] == "http.response.start":
                start.update(message)
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))

        await self.app(scope, receive, capture)
        raw = b"".join(chunks)
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = raw
        out = rule[3](start["status"], body, query)
        if out is None:
            await self._send(send, start["status"], body)
        else:
            await self._send(send, *out)

    async def _round(self, scope, send) -> None:
        """GET /round as the three reads it stands for, each through this middleware (and its rules)."""
        query = parse_qs(scope.get("query_string", b"").decode())
        base = scope["path"][: -len("/round")]
        one = {k: v[0] for k, v in query.items()}
        parts = {}
        for name, path, params in (("ledger", "/ledger", {"after": one.get("ledger_after", "-1")}),
                                   ("heads", "/heads", {}),
                                   ("page", "/changes", {k: one[k] for k in ("after", "limit") if k in one})):
            status, body = await self._get(scope, base + path, params)
            if status != 200:
                await self._send(send, status, body)
                return
            parts[name] = body["heads"] if name == "heads" and isinstance(body, dict) else body
        await self._send(send, 200, parts)

    async def _get(self, scope, path: str, params: dict[str, str]) -> tuple[int, Any]:
        from urllib.parse import urlencode

        qs = urlencode(params).encode()
        sub = {**scope, "path": path, "raw_path": path.encode(), "query_string": qs}
        start: dict = {}
        chunks: list[bytes] = []

        async def receive():
            return {"type": "http.request", "body": b"", "more_body": False}

        async def capture(message) -> None:
            if message["type"] == "http.response.start":
                start.update(message)
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))

        await self(sub, receive, capture)
        raw = b"".join(chunks)
        try:
            return start["status"], json.loads(raw) if raw else None
        except ValueError:
            return start["status"], raw

    @staticmethod
    async def _send(send, status: int, body: Any) -> None:
        raw = body if isinstance(body, bytes) else json.dumps(body).encode()
        await send({"type": "http.response.start", "status": status,
                    "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(raw)).encode())]})
        await send({"type": "http.response.body", "body": raw})


class ServerClock:
    """The server's clock: real time plus a shift a test can move (to expire tokens)."""

    def __init__(self) -> None:
        self.shift = 0

    def __call__(self) -> int:
        return now_ms() + self.shift


class LiveServer:
    """The real FastAPI app with a real SQLite store, served by uvicorn on 127.0.0.1 in a thread."""

    def __init__(self, tmp: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.db = tmp / "server.db"
        self.store = open_sqlite(str(self.db))
        self.clock = ServerClock()
        self.tamper = Tamper(create_app(Settings(public_url=self.url, clock=self.clock), self.store))

    def start(self) -> LiveServer:
        """Serve (again, after :meth:`stop`: same port, same database)."""
        self._server = uvicorn.Server(uvicorn.Config(self.tamper, host="127.0.0.1", port=self.port,
                                                     log_level="warning", lifespan="off"))
        self._thread = threading.Thread(target=self._server.run, daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 20
        while not self._server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("server did not start")
            time.sleep(0.02)
        return self

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(10)

    def new_team(self, role: str = "WERKBEGELEIDER") -> tuple[str, str]:
        return create_team(self.store, role, 7 * DAY_MS, now_ms())

    def changes(self, team: str) -> list:
        """Every stored change of a team (seq, envelope bytes)."""
        return self.store.pull(team, 0, 10_000)


class DeviceClock:
    """A device's clock (UTC ms) that tests move by hand."""

    def __init__(self) -> None:
        self.now = now_ms()

    def __call__(self) -> int:
        return self.now

    def advance(self, ms: int) -> None:
        self.now += ms


@dataclass
class Team:
    server: LiveServer
    tmp: Path
    sup: Services
    work: Services
    team: str
    clocks: dict[str, DeviceClock] = field(default_factory=dict)
    devices: list[Services] = field(default_factory=list)

    def enrol(self, name: str, user: str, passphrase: str, role: str = "VELDWERKER", *,
              confirm: bool = True, scrypt: ScryptParams = FAST) -> Services:
        """Invitation from the supervisor's device, enrolment with it, fingerprint comparison, confirmation."""
        clock = self.clocks[name] = DeviceClock()
        invitation = self.sup.create_invitation(role)
        svc = Services.enrol(self.tmp / name, invite=invitation["text"], passphrase=passphrase, user_name=user,
                             scrypt=scrypt, autosync=False, clock=clock)
        self.devices.append(svc)
        if confirm:
            self.confirm(svc)
        return svc

    def confirm(self, svc: Services) -> None:
        pending = {d["id"]: d for d in self.sup.pending_devices()}
        assert pending[svc.device_id]["fingerprint"] == svc.fingerprint()
        self.sup.confirm_device(svc.device_id, " ".join(svc.fingerprint()))
        svc.sync_once()

    def close(self) -> None:
        for svc in self.devices:
            svc.close()
        self.server.stop()


def make_team(tmp: Path) -> Team:
    """A live server, the supervisor's (first, coordinator) device and a confirmed field worker's device."""
    server = LiveServer(tmp).start()
    team, code = server.new_team()
    sup_clock = DeviceClock()
    sup = Services.enrol(tmp / "supervisor", server_url=server.url, code=code, passphrase=SUP_PASS,
                         user_name="Fatima El Amrani (fictief)", scrypt=FAST, autosync=False, clock=sup_clock)
    sup.sync_once()  # posts the genesis and grants itself the first team key
    t = Team(server, tmp, sup, None, team, {"supervisor": sup_clock}, [sup])  # type: ignore[arg-type]
    t.work = t.enrol("worker", "Lotte de Boer (fictief)", WORK_PASS)
    return t


def names(svc: Services) -> list[str]:
    return sorted(c.display_name for c in svc.caseload())
