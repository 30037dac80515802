"""The device's web UI: the Flet app served to a browser on this computer only.

In web mode the Python process is the device (local database, keys, sync) and the browser only displays
it, so the page shows decrypted data. Hence:

* the server binds 127.0.0.1 and refuses any other address;
* every HTTP request and websocket must name this server in ``Host`` (no DNS rebinding) and may only carry
  an ``Origin`` of this server (no other web page may drive the app); a websocket without an Origin is
  refused too, because every browser sends one;
* every HTTP request and websocket must carry this launch's key (a cookie): ``serve`` makes a random key
  per launch and prints ``http://127.0.0.1:PORT/?k=KEY``; the first request with the key in its query
  gets the cookie and a redirect to the address without it. Another OS user on this computer can reach
  the port but does not see the printed address, so cannot open or drive the app (like Jupyter's token);
* pages may not be framed, send no referrer, and are not readable cross-origin;
* one browser session at a time is unlocked; the app locks when that session disconnects and after
  inactivity (``SessionGuard``).

Start it with ``field-app serve --data DIR [--port 8550]`` and open the address it prints.
"""

from __future__ import annotations

import hmac
import logging
import os
import re
import secrets
import sys
from collections.abc import Awaitable, Callable, MutableMapping
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote_to_bytes

LOOPBACK = "127.0.0.1"
DEFAULT_PORT = 8550
IDLE_TIMEOUT_ENV = "VELDWERK_IDLE_TIMEOUT"  # seconds of inactivity before the app locks (default 300)
TOKEN_ENV = "VELDWERK_WEB_TOKEN"  # the launch key, for tests and the demo runner; long and random, never reused
TOKEN_PARAM = "k"  # the query parameter that carries the launch key on the first request
MIN_TOKEN_LENGTH = 32
SESSION_TIMEOUT = 120  # seconds a disconnected Flet session is kept for a reconnect (it is locked anyway)

# Flet's FastAPI app also answers these; the device does not need them.
BLOCKED_PATHS = ("/docs", "/redoc", "/openapi.json", "/oauth_callback", "/upload")

SECURITY_HEADERS: list[tuple[bytes, bytes]] = [
    (b"x-frame-options", b"DENY"),
    (b"content-security-policy", b"frame-ancestors 'none'; base-uri 'self'; object-src 'none'"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-content-type-options", b"nosniff"),
    (b"cross-origin-resource-policy", b"same-origin"),
]
_DROPPED_HEADERS = {b"access-control-allow-origin"}  # flet allows "*"; we do not

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
ASGIApp = Callable[[Scope, Callable[[], Awaitable[Message]], Callable[[Message], Awaitable[None]]],
                   Awaitable[None]]

log = logging.getLogger("veldwerk.web")

FOREIGN_PAGE = b"Forbidden: this app only answers its own page on this computer."
NO_KEY_PAGE = (b"Geen toegang. Open het adres dat 'field-app serve' bij het starten liet zien "
               b"(http://127.0.0.1:POORT/?k=...), in de browser van degene die de app startte.\n")


class LocalOnly:
    """Pure ASGI middleware: only this computer's own page, on this port, gets through."""

    def __init__(self, app: ASGIApp, port: int, token: str | None = None):
        self.app = app
        self.hosts = {f"127.0.0.1:{port}".encode(), f"localhost:{port}".encode()}
        self.origins = {f"http://127.0.0.1:{port}".encode(), f"http://localhost:{port}".encode()}
        # None: no key check (unit tests of the Host/Origin rules). Cookies are not bound to a port, so
        # the name carries it: two devices on one computer (``make run``) keep their own keys.
        self.token = token.encode() if token is not None else None
        self.cookie = f"veldwerk_{port}"

    def allowed(self, scope: Scope) -> bool:
        hosts = [v.lower() for k, v in scope.get("headers", []) if k == b"host"]
        origins = [v.lower() for k, v in scope.get("headers", []) if k == b"origin"]
        if len(hosts) != 1 or hosts[0] not in self.hosts or len(origins) > 1:
            return False
        if origins:
            return origins[0] in self.origins
        return scope["type"] == "http"  # a browser always sends an Origin on a websocket

    async def __call__(self, scope: Scope, receive, send) -> None:
        kind = scope["type"]
        if kind not in ("http", "websocket"):  # lifespan
            await self.app(scope, receive, send)
            return
        # taken out of the scope first, so no log line (ours or uvicorn's access log) shows it
        offered = _take_param(scope, TOKEN_PARAM) if self.token is not None else None
        if not self.allowed(scope):
            log.warning("refused %s %s (host/origin not this device)", kind, scope.get("path"))
            await self._refuse(scope, receive, send)
            return
        if self.token is not None:
            if offered is not None and kind == "http":
                if hmac.compare_digest(offered, self.token):
                    await self._admit(scope, send)
                    return
                log.warning("refused %s %s (wrong key in the address)", kind, scope.get("path"))
                await self._refuse(scope, receive, send, NO_KEY_PAGE)
                return
            if offered is not None or not self._has_cookie(scope):
                log.warning("refused %s %s (no launch key)", kind, scope.get("path"))
                await self._refuse(scope, receive, send, NO_KEY_PAGE)
                return
        if kind == "http" and scope.get("path", "").rstrip("/") in BLOCKED_PATHS:
            await _plain(send, 404, b"Not found")
            return
        if kind == "websocket":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() not in _DROPPED_HEADERS]
                message["headers"] = headers + SECURITY_HEADERS
            await send(message)

        await self.app(scope, receive, send_with_headers)

    def _has_cookie(self, scope: Scope) -> bool:
        assert self.token is not None
        found = False
        for key, value in scope.get("headers", []):
            if key != b"cookie":
                continue
            for part in value.split(b";"):
                name, sep, val = part.strip().partition(b"=")
                if sep and name == self.cookie.encode():
                    found = hmac.compare_digest(val.strip(), self.token) or found
        return found

    async def _admit(self, scope: Scope, send) -> None:
        """The right key in the address: set the cookie and send the browser to the address without it."""
        assert self.token is not None
        # the decoded path, quoted again (a backslash becomes %5C), with one leading "/": never "//host"
        path = "/" + quote(scope.get("path", "/"), safe="/:@!$&'()*+,;=-._~").lstrip("/")
        query = scope.get("query_string", b"")
        location = path + ("?" + query.decode("latin-1") if query else "")
        cookie = f"{self.cookie}={self.token.decode()}; HttpOnly; SameSite=Strict; Path=/"
        await send({"type": "http.response.start", "status": 303,
                    "headers": [(b"location", location.encode("latin-1")), (b"set-cookie", cookie.encode()),
                                (b"cache-control", b"no-store"), (b"content-length", b"0"), *SECURITY_HEADERS]})
        await send({"type": "http.response.body", "body": b""})

    @staticmethod
    async def _refuse(scope: Scope, receive, send, page: bytes = FOREIGN_PAGE) -> None:
        if scope["type"] == "websocket":
            message = await receive()  # websocket.connect; closing before accept answers HTTP 403
            if message.get("type") == "websocket.connect":
                await send({"type": "websocket.close", "code": 1008})
            return
        await _plain(send, 403, page)


def _take_param(scope: Scope, name: str) -> bytes | None:
    """Remove every ``name=`` parameter from the request's query (in place: uvicorn's access log reads the
    scope) and return the first value, or None when there was none."""
    query: bytes = scope.get("query_string", b"")
    if not query:
        return None
    kept, value = [], None
    for part in query.split(b"&"):
        key, _, val = part.partition(b"=")
        if unquote_to_bytes(key) == name.encode():
            if value is None:
                value = unquote_to_bytes(val)
            continue
        kept.append(part)
    if value is not None:
        scope["query_string"] = b"&".join(kept)
    return value


async def _plain(send, status: int, body: bytes) -> None:
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"text/plain; charset=utf-8"),
                            (b"content-length", str(len(body)).encode()), *SECURITY_HEADERS]})
    await send({"type": "http.response.body", "body": body})


def _assets_dir() -> str | None:
    """The project's ``assets/`` (app icon, favicon), when running from a checkout."""
    path = Path(__file__).resolve().parents[1] / "assets"
    return str(path) if path.is_dir() else None


def create_app(services: Any, port: int, *, idle_timeout: float | None = None, guard: Any = None,
               token: str | None = None) -> LocalOnly:
    """The ASGI app of one device: Flet web (offline, no CDN) behind :class:`LocalOnly`; ``token`` is the
    launch key every request must carry (None: none, for tests of the other rules)."""
    import flet_web.fastapi as flet_fastapi

    from field_app.ui.app import UiPrefs, build
    from field_app.ui.session_guard import DEFAULT_IDLE_TIMEOUT, SessionGuard

    if guard is None:
        timeout = idle_timeout if idle_timeout is not None else float(os.getenv(IDLE_TIMEOUT_ENV)
                                                                       or DEFAULT_IDLE_TIMEOUT)
        guard = SessionGuard(services, idle_timeout=timeout)
    prefs = UiPrefs.load(services)

    def main(page):
        build(page, services, guard, prefs)

    os.environ["FLET_WEB_NO_CDN"] = "true"  # the device must work without internet
    flet_app = flet_fastapi.app(
        main,
        assets_dir=_assets_dir(),
        app_name="Veldwerk",
        app_short_name="Veldwerk",
        app_description="Veldwerk",
        no_cdn=True,
        session_timeout_seconds=SESSION_TIMEOUT,
    )
    wrapped = LocalOnly(flet_app, port, token)
    wrapped.guard = guard  # type: ignore[attr-defined]
    return wrapped


def launch_token() -> str:
    """This launch's key: ``VELDWERK_WEB_TOKEN`` when set (tests, ``make run``; it must be long and random
    and is removed from the environment), else a new random one. Never on the command line: any user on
    the computer can read another user's process arguments, not its environment."""
    given = os.environ.pop(TOKEN_ENV, "").strip()
    if not given:
        return secrets.token_urlsafe(32)
    if len(given) < MIN_TOKEN_LENGTH or not re.fullmatch(r"[A-Za-z0-9_-]+", given):
        raise SystemExit(f"{TOKEN_ENV} moet minstens {MIN_TOKEN_LENGTH} willekeurige tekens zijn "
                         "(letters, cijfers, - en _), bijvoorbeeld uit secrets.token_urlsafe(32).")
    return given


def app_url(port: int, token: str) -> str:
    """The address that opens the app: the key travels once, in the query, and becomes a cookie."""
    return f"http://{LOOPBACK}:{port}/?{TOKEN_PARAM}={token}"


class _HideKey(logging.Filter):
    """Belt and braces: should a key ever reach a log record (uvicorn's access log), replace it."""

    def __init__(self, token: str):
        super().__init__()
        self.token = token

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple) and any(self.token in str(a) for a in record.args):
            record.args = tuple(str(a).replace(self.token, "***") if self.token in str(a) else a
                                for a in record.args)
        if isinstance(record.msg, str) and self.token in record.msg:
            record.msg = record.msg.replace(self.token, "***")
        return True


def serve(data_dir: Path, host: str = LOOPBACK, port: int = DEFAULT_PORT) -> None:
    """Serve the device's UI on http://127.0.0.1:PORT until interrupted. Refuses any other address. Only a
    browser that opened the printed address (with this launch's key) gets in."""
    import uvicorn

    from field_app.services import Services

    if host not in (LOOPBACK, "localhost"):
        raise SystemExit(f"Veldwerk toont ontsleutelde gegevens en luistert alleen op {LOOPBACK} (niet op {host}).")
    if not 0 < int(port) < 65536:
        raise SystemExit("Kies een poort tussen 1 en 65535.")
    token = launch_token()
    hide = _HideKey(token)
    for name in ("uvicorn.access", "uvicorn.error", "uvicorn", "veldwerk.web"):
        logging.getLogger(name).addFilter(hide)  # uvicorn's dictConfig adds filters, it does not clear them
    services = Services(Path(data_dir))
    app = create_app(services, int(port), token=token)
    guard = app.guard  # type: ignore[attr-defined]
    guard.start()
    print(f"Veldwerk draait. Open dit adres in je browser (alleen jij ziet de sleutel erin; deel hem niet):\n"
          f"  {app_url(int(port), token)}\nStoppen: Ctrl+C", flush=True)
    if os.environ.get("VELDWERK_PHONE_MODE") == "1":
        print("LET OP: VELDWERK_PHONE_MODE=1 is alleen voor tests. De opslag van een browser is geen beveiligde "
              "hardware-opslag; meld een echt toestel aan zonder deze instelling (met een wachtwoordzin).",
              file=sys.stderr, flush=True)
    try:
        uvicorn.run(app, host=LOOPBACK, port=int(port), log_level=os.getenv("VELDWERK_LOG_LEVEL", "warning"),
                    ws="websockets-sansio", lifespan="on", proxy_headers=False, server_header=False)
    finally:
        guard.stop()
        services.close()
