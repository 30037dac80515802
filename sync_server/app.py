"""The FastAPI app factory: routers, JSON errors everywhere, and a streaming body limit. No globals."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.routing import Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from . import protocol
from .ledger_state import LedgerCache
from .protocol import ApiError, ErrorCode, ErrorOut, error_body
from .routes import ROUTERS
from .settings import Settings
from .store.base import Store


def create_app(settings: Settings, store: Store) -> FastAPI:
    """The sync server as an ASGI app. ``store`` must already be migrated."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        store.flush_access_log()  # a clean stop writes the access-log rows still queued

    app = FastAPI(
        lifespan=lifespan,
        title="Veldwerk sync server",
        version=protocol.API_VERSION,
        description="Relays sealed envelopes, the team ledger and key grants. It never sees content.",
        openapi_url="/openapi.json",
        docs_url=None,  # the Swagger/ReDoc pages load scripts from a CDN; the server stays offline-clean
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.store = store
    app.state.ledgers = LedgerCache()
    app.state.write_turn = asyncio.Lock()  # routes/deps.py store_write
    for router in ROUTERS:
        app.include_router(router, responses={"4XX": {"model": ErrorOut, "description": "{error, detail}"}})
    app.add_exception_handler(ApiError, _api_error)
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(Exception, _internal_error)
    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes)
    if settings.trusted_proxies:
        # Only a request whose peer is one of these proxies has its X-Forwarded-For believed (the client
        # is the nearest address in it that is not a trusted proxy). Without them the socket's peer is
        # the client: the attempt counts (attempts.py) must not be keyed on what a client writes.
        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=list(settings.trusted_proxies))
    return app


def _json_error(
    error: ErrorCode, detail: str | None = None, headers: dict[str, str] | None = None
) -> JSONResponse:
    return JSONResponse(error_body(error, detail), status_code=error.status, headers=headers)


async def _api_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ApiError)
    return _json_error(exc.error, exc.detail, exc.headers)


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, HTTPException)
    error = protocol.STATUS_CODES.get(exc.status_code)
    if error is None:  # a status the framework raises that the protocol does not list
        error = ErrorCode.BAD_REQUEST if exc.status_code < 500 else ErrorCode.INTERNAL_ERROR
    headers = exc.headers
    if exc.status_code == 405:
        headers = {**(headers or {}), "Allow": _allowed_methods(request)}
    return _json_error(error, None, headers)


def _allowed_methods(request: Request) -> str:
    """Every method of the path, not only those of the first route that matched it (Starlette's ``Allow``
    names one route's methods; a path such as ``/changes`` has a GET route and a POST route)."""
    allowed = []
    for method in _METHODS:
        scope = {**request.scope, "method": method}
        if any(route.matches(scope)[0] == Match.FULL for route in request.app.router.routes):
            allowed.append(method)
    return ", ".join(allowed)


_METHODS = ("DELETE", "GET", "HEAD", "PATCH", "POST", "PUT")


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = exc.errors()
    invalid_json = next((e for e in errors if e.get("type") == "json_invalid"), None)
    if invalid_json is not None:
        reason = (invalid_json.get("ctx") or {}).get("error", "JSON decode error")
        return _json_error(ErrorCode.MALFORMED_JSON, f"The body is not valid JSON: {reason}.")
    return _json_error(ErrorCode.VALIDATION_ERROR, _describe(errors))


def _describe(errors: list[Any]) -> str:
    """A human summary that names fields and rules but never echoes the input."""
    parts = []
    for error in errors[:3]:
        where = ".".join(str(part) for part in error.get("loc", ()))
        parts.append(f"{where}: {error.get('msg', 'invalid')}")
    more = f" (and {len(errors) - 3} more)" if len(errors) > 3 else ""
    return "; ".join(parts) + more


async def _internal_error(request: Request, exc: Exception) -> JSONResponse:
    return _json_error(ErrorCode.INTERNAL_ERROR)


class _BodyTooLarge(HTTPException):
    def __init__(self) -> None:
        super().__init__(status_code=413)


class _BodyStalled(Exception):
    pass


class BodyLimit:
    """Pure ASGI middleware: 413 ``body_too_large`` as soon as a request body passes ``max_bytes``.

    A declared Content-Length above the limit is refused before reading; otherwise bytes are counted
    while the app reads the stream, so chunked bodies without Content-Length are caught as well. A body of
    which no part arrives for ``idle_s`` (a client that declared 100 bytes and sent 4, found by fuzzing:
    the connection was held open for good) is answered 408 ``request_timeout``; a slow phone that keeps
    sending is never cut off.
    """

    def __init__(self, app: ASGIApp, max_bytes: int = protocol.MAX_BODY_BYTES,
                 idle_s: float = protocol.BODY_IDLE_S) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.idle_s = idle_s

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = Headers(scope=scope).get("content-length")
        if declared is not None:
            if not declared.isdigit() or not declared.isascii():
                await _json_error(ErrorCode.BAD_REQUEST, "Content-Length is not a number.")(
                    scope, receive, send
                )
                return
            if int(declared) > self.max_bytes:
                await _json_error(ErrorCode.BODY_TOO_LARGE)(scope, receive, send)
                return

        received = 0
        exceeded = started = replaced = stalled = complete = False

        async def counting_receive() -> Message:
            nonlocal received, exceeded, stalled, complete
            if complete:  # the body is in: what comes now is the client's disconnect, whenever it comes
                return await receive()
            try:
                message = await asyncio.wait_for(receive(), self.idle_s)
            except TimeoutError:
                stalled = True
                raise _BodyStalled() from None
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                complete = not message.get("more_body", False)
                if received > self.max_bytes:
                    exceeded = True
                    raise _BodyTooLarge()
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal started, replaced
            if replaced:
                return
            if message["type"] == "http.response.start" and stalled:
                replaced = True
                await _json_error(ErrorCode.REQUEST_TIMEOUT)(scope, receive, send)
                return
            if message["type"] == "http.response.start" and exceeded:
                # Whatever the app made of the aborted read (FastAPI turns reader errors into a 400),
                # the client hears 413.
                replaced = True
                await _json_error(ErrorCode.BODY_TOO_LARGE)(scope, receive, send)
                return
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counting_receive, guarded_send)
        except _BodyStalled:
            if started:
                raise
            if not replaced:
                await _json_error(ErrorCode.REQUEST_TIMEOUT)(scope, receive, send)
        except _BodyTooLarge:
            if started:
                raise
            if not replaced:
                await _json_error(ErrorCode.BODY_TOO_LARGE)(scope, receive, send)
