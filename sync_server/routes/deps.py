"""What every router shares: the JSON-only route class, store/settings lookup, bearer authentication with
access logging, query parsing and signature checks."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Annotated, Any, TypeVar

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from fastapi import Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from field_app.crypto.canonical import b64d

from .. import attempts
from ..ledger_state import LedgerCache
from ..protocol import ApiError, ErrorCode, secret_hash
from ..settings import Settings
from ..store.base import Device, Store

T = TypeVar("T")

_bearer = HTTPBearer(auto_error=False, description="Token from POST /v1/auth/login (15 minutes).")


def _is_json(content_type: str | None) -> bool:
    if not content_type:
        return False
    media = content_type.split(";", 1)[0].strip().lower()
    return media == "application/json" or (media.startswith("application/") and media.endswith("+json"))


try:  # the ``fast`` extra: a push of 500 envelopes (1.7 MB) parsed in under 1 ms instead of about 4
    from orjson import loads as _json_loads
except ImportError:  # pragma: no cover - without the extra
    from json import loads as _json_loads


class _JsonRequest(Request):
    """A request whose JSON body is parsed by orjson when it is installed (FastAPI asks ``request.json()``).
    orjson refuses a little more than the standard parser (NaN, integers beyond 64 bits, lone surrogates):
    all of it values no route takes, so the answer is the same 422 either way."""

    async def json(self) -> Any:
        if not hasattr(self, "_json"):
            self._json = _json_loads(await self.body())
        return self._json


class JsonRoute(APIRoute):
    """Routes with a body accept only ``application/json`` (415 otherwise, before the body is read)."""

    def get_route_handler(self) -> Callable[[Request], Any]:
        handler = super().get_route_handler()
        if self.body_field is None:
            return handler

        async def json_only(request: Request) -> Any:
            if not _is_json(request.headers.get("content-type")):
                raise ApiError(ErrorCode.UNSUPPORTED_MEDIA_TYPE)
            return await handler(_JsonRequest(request.scope, request.receive))

        return json_only


# ``async def``: FastAPI runs a plain ``def`` dependency in a worker thread, a hop per dependency per request.
async def get_store(request: Request) -> Store:
    return request.app.state.store


async def get_settings(request: Request) -> Settings:
    return request.app.state.settings


async def get_ledgers(request: Request) -> LedgerCache:
    return request.app.state.ledgers


StoreDep = Annotated[Store, Depends(get_store)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
LedgersDep = Annotated[LedgerCache, Depends(get_ledgers)]


@dataclass(frozen=True)
class Caller:
    """The authenticated device behind a request."""

    team: str
    device: Device


def _unauthorized(error: ErrorCode) -> ApiError:
    return ApiError(error, headers={"WWW-Authenticate": 'Bearer realm="veldwerk"'})


class _KnownDeviceRefused(ApiError):
    """A token that names a device, refused (expired, or the device is revoked or gone): logged for it."""

    def __init__(self, error: ErrorCode, team: str, device: str, role: str | None) -> None:
        super().__init__(error, headers={"WWW-Authenticate": 'Bearer realm="veldwerk"'})
        self.team, self.device, self.role = team, device, role


def _authenticate(store: Store, now: int, credentials: HTTPAuthorizationCredentials | None) -> Caller:
    if credentials is None:
        raise _unauthorized(ErrorCode.UNAUTHORIZED)
    try:
        raw = b64d(credentials.credentials)
    except ValueError:
        raise _unauthorized(ErrorCode.UNAUTHORIZED) from None
    found = store.token_device(secret_hash(raw))
    if found is None:
        raise _unauthorized(ErrorCode.UNAUTHORIZED)
    token, device = found
    role = device.role if device is not None else None
    if now >= token.expires_at:
        raise _KnownDeviceRefused(ErrorCode.TOKEN_EXPIRED, token.team, token.device, role)
    if device is None:
        raise _KnownDeviceRefused(ErrorCode.UNAUTHORIZED, token.team, token.device, None)
    if device.status == "revoked":
        raise _KnownDeviceRefused(ErrorCode.DEVICE_REVOKED, token.team, token.device, role)
    return Caller(token.team, device)


def _count_refusal(store: Store, settings: Settings, request: Request, action: str, exc: ApiError,
                   team: str | None = None, device: str | None = None, role: str | None = None) -> None:
    source = attempts.source_of(request)
    attempts.gate(store, settings, source, team, device)
    attempts.failed(store, settings, source, team, device, action, exc.error.code, role)


def team_caller(action: str) -> Callable[..., AsyncIterator[Caller]]:
    """Dependency for ``/v1/teams/{team}/...``: a valid bearer token of a device of ``{team}``.

    Every authenticated request leaves one access_log row (time, team, device, the device's role,
    action, result) — nothing about its content. So does a request refused because its token expired or
    its device was revoked (result = the error code); a request without a token the server knows names
    no device and is not logged (it cannot be attributed, and would let anyone fill the log).
    """

    async def dependency(
        team: str,
        store: StoreDep,
        settings: SettingsDep,
        request: Request,
        credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    ) -> AsyncIterator[Caller]:
        if credentials is None:
            # No credential at all: nothing is being guessed, so nothing is counted or rate-limited (429 is
            # for presenting wrong credentials); the answer is always 401, before any database work.
            raise _unauthorized(ErrorCode.UNAUTHORIZED)
        if not store.access_log_healthy():  # its rows have not been written for seconds: serve no access
            raise ApiError(ErrorCode.INTERNAL_ERROR, "The access log cannot be written; try again later.")
        # An async dependency: the one indexed read runs on the event loop where the store's reads never
        # wait on a lock (SQLite in WAL mode), else in a worker thread; the route's own work gets the one
        # thread hop of the request. (A ``def`` generator dependency cost two hops of its own.)
        try:
            if getattr(store, "inline", False):
                caller = _authenticate(store, settings.clock(), credentials)
            else:
                caller = await run_in_threadpool(_authenticate, store, settings.clock(), credentials)
        except _KnownDeviceRefused as exc:
            await run_in_threadpool(_count_refusal, store, settings, request, action, exc, exc.team, exc.device,
                                    exc.role)
            raise
        except ApiError as exc:  # a token the server does not know: counted for the address only
            await run_in_threadpool(_count_refusal, store, settings, request, action, exc)
            raise
        result = "ok"
        try:
            if caller.team != team:
                raise ApiError(ErrorCode.WRONG_TEAM, "This token belongs to another team.")
            yield caller
        except ApiError as exc:
            result = exc.error.code
            raise
        except RequestValidationError:
            result = ErrorCode.VALIDATION_ERROR.code
            raise
        except Exception:
            result = ErrorCode.INTERNAL_ERROR.code
            raise
        finally:
            device = caller.device  # the row is queued (store/access_buffer.py): no database work here
            store.log_access(settings.clock(), caller.team, device.id, action, result, device.role)

    return dependency


async def store_read(store: Store, work: Callable[..., T], *args: Any) -> T:
    """Run a read-only route's work on the event loop when the store says its reads are short and wait on
    nothing (``SqliteStore.inline``: one server process on a SQLite file in WAL mode), else in a worker
    thread. The hot reads (pull, round) use it: a thread hop cost more than their store work. Writes use
    ``store_write``."""
    if getattr(store, "inline", False):
        return work(*args)
    return await run_in_threadpool(work, *args)


async def store_write(request: Request, store: Store, work: Callable[..., T], *args: Any) -> T:
    """Run a route's writing work in a worker thread: a write may wait for the write lock or, on a busy
    machine, the disk, and on the event loop that wait stalled every request. With a single-process SQLite
    server (``inline``) these writes take the write lock one at a time anyway, so they also take turns for
    the thread (``app.state.write_turn``): one writing thread beside the loop instead of dozens contending
    for the GIL (push p99 at 200 devices, docs/performance.md). On PostgreSQL, pushes of different teams
    lock different rows and wait on the network: they run side by side."""
    if getattr(store, "inline", False):
        async with request.app.state.write_turn:
            return await run_in_threadpool(work, *args)
    return await run_in_threadpool(work, *args)


def require_confirmed(caller: Caller) -> None:
    if caller.device.status != "confirmed":
        raise ApiError(ErrorCode.DEVICE_NOT_CONFIRMED)


def require_beheer(caller: Caller) -> None:
    if not caller.device.beheer:
        raise ApiError(ErrorCode.NOT_BEHEER)


def public_key(b64_key: str) -> Ed25519PublicKey:
    return Ed25519PublicKey.from_public_bytes(b64d(b64_key))


def signature_ok(key: Ed25519PublicKey, signature: bytes, message: bytes) -> bool:
    try:
        key.verify(signature, message)
    except InvalidSignature:
        return False
    return True


def query_int(value: str | None, name: str, default: int, minimum: int, maximum: int) -> int:
    """A query parameter as an integer in range; 422 ``bad_query`` for anything else."""
    if value is None:
        return default
    text = value
    digits = text[1:] if text.startswith("-") else text
    if not digits.isdigit() or not digits.isascii() or len(digits) > 16:
        raise ApiError(ErrorCode.BAD_QUERY, f"{name} must be an integer from {minimum} to {maximum}.")
    number = int(text)
    if not minimum <= number <= maximum:
        raise ApiError(ErrorCode.BAD_QUERY, f"{name} must be an integer from {minimum} to {maximum}.")
    return number
