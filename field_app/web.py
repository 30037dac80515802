"""The device's web UI: the Flet app served to a browser on this computer only.

In web mode the Python process is the device (local database, keys, sync) and the browser only displays
it, so the page shows decrypted data. Hence:

* the server binds 127.0.0.1 and refuses any other address;
* every HTTP request and websocket must name this server in ``Host`` (no DNS rebinding) and may only carry
  an ``Origin`` of this server (no other web page may drive the app); a websocket without an Origin is
  refused too, because every browser sends one;
* pages may not be framed, send no referrer, and are not readable cross-origin;
* one browser session at a time is unlocked; the app locks when that session disconnects and after
  inactivity (``SessionGuard``).

Start it with ``field-app serve --data DIR [--port 8550]``.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Awaitable, Callable, MutableMapping
from pathlib import Path
from typing import Any

LOOPBACK = "127.0.0.1"
DEFAULT_PORT = 8550
IDLE_TIMEOUT_ENV = "VELDWERK_IDLE_TIMEOUT"  # seconds of inactivity before the app locks (default 300)
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


class LocalOnly:
    """Pure ASGI middleware: only this computer's own page, on this port, gets through."""

    def __init__(self, app: ASGIApp, port: int):
        self.app = app
        self.hosts = {f"127.0.0.1:{port}".encode(), f"localhost:{port}".encode()}
        self.origins = {f"http://127.0.0.1:{port}".encode(), f"http://localhost:{port}".encode()}

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
        if not self.allowed(scope):
            log.warning("refused %s %s (host/origin not this device)", kind, scope.get("path"))
            await self._refuse(scope, receive, send)
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

    @staticmethod
    async def _refuse(scope: Scope, receive, send) -> None:
        if scope["type"] == "websocket":
            message = await receive()  # websocket.connect; closing before accept answers HTTP 403
            if message.get("type") == "websocket.connect":
                await send({"type": "websocket.close", "code": 1008})
            return
        await _plain(send, 403, b"Forbidden: this app only answers its own page on this computer.")


async def _plain(send, status: int, body: bytes) -> None:
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"text/plain; charset=utf-8"),
                            (b"content-length", str(len(body)).encode()), *SECURITY_HEADERS]})
    await send({"type": "http.response.body", "body": body})


def _assets_dir() -> str | None:
    """The project's ``assets/`` (app icon, favicon), when running from a checkout."""
    path = Path(__file__).resolve().parents[1] / "assets"
    return str(path) if path.is_dir() else None


def create_app(services: Any, port: int, *, idle_timeout: float | None = None, guard: Any = None) -> LocalOnly:
    """The ASGI app of one device: Flet web (offline, no CDN) behind :class:`LocalOnly`."""
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
    wrapped = LocalOnly(flet_app, port)
    wrapped.guard = guard  # type: ignore[attr-defined]
    return wrapped


def serve(data_dir: Path, host: str = LOOPBACK, port: int = DEFAULT_PORT) -> None:
    """Serve the device's UI on http://127.0.0.1:PORT until interrupted. Refuses any other address."""
    import uvicorn

    from field_app.services import Services

    if host not in (LOOPBACK, "localhost"):
        raise SystemExit(f"Veldwerk toont ontsleutelde gegevens en luistert alleen op {LOOPBACK} (niet op {host}).")
    if not 0 < int(port) < 65536:
        raise SystemExit("Kies een poort tussen 1 en 65535.")
    services = Services(Path(data_dir))
    app = create_app(services, int(port))
    guard = app.guard  # type: ignore[attr-defined]
    guard.start()
    print(f"Veldwerk draait op http://{LOOPBACK}:{port}/ — open dit adres in je browser. Stoppen: Ctrl+C",
          flush=True)
    try:
        uvicorn.run(app, host=LOOPBACK, port=int(port), log_level=os.getenv("VELDWERK_LOG_LEVEL", "warning"),
                    ws="websockets-sansio", lifespan="on", proxy_headers=False, server_header=False)
    finally:
        guard.stop()
        services.close()
