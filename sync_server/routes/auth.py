"""Login: a single-use challenge, signed by the device's Ed25519 key, buys a 15-minute bearer token."""

from __future__ import annotations

import secrets

from fastapi import APIRouter, Request

from field_app.crypto.canonical import b64d, b64e, pinned

from .. import attempts
from ..protocol import (
    CHALLENGE_BYTES,
    TOKEN_BYTES,
    ApiError,
    ChallengeIn,
    ChallengeOut,
    ErrorCode,
    LoginIn,
    LoginOut,
    secret_hash,
)
from ..settings import Settings
from ..store.base import Store
from .deps import JsonRoute, SettingsDep, StoreDep, public_key, signature_ok

router = APIRouter(prefix="/v1/auth", tags=["auth"], route_class=JsonRoute)


@router.post("/challenge", response_model=ChallengeOut)
def challenge(body: ChallengeIn, store: StoreDep, settings: SettingsDep, request: Request) -> ChallengeOut:
    """32 random bytes, valid 60 s, usable once, and only by this device."""
    source = attempts.source_of(request)
    attempts.gate(store, settings, source, body.team, body.device)
    if store.get_device(body.team, body.device) is None:
        attempts.failed(store, settings, source, None, None, "auth.challenge", ErrorCode.LOGIN_FAILED.code)
        raise ApiError(ErrorCode.LOGIN_FAILED)
    now = settings.clock()
    nonce = secrets.token_bytes(CHALLENGE_BYTES)
    expires_at = now + settings.challenge_ttl_ms
    store.add_challenge(secret_hash(nonce), body.team, body.device, expires_at, now)
    return ChallengeOut(challenge=b64e(nonce), expires_at=expires_at)


@router.post("/login", response_model=LoginOut)
def login(body: LoginIn, store: StoreDep, settings: SettingsDep, request: Request) -> LoginOut:
    """Signature over ``pinned("login", {server_nonce, device_nonce, team, device, server})``. Failed
    attempts are counted per address and per device at that address (429 over the limit, see
    ``attempts``): a flood of bad signatures from elsewhere never holds the device itself back."""
    source = attempts.source_of(request)
    attempts.gate(store, settings, source, body.team, body.device)
    now = settings.clock()
    device = store.get_device(body.team, body.device)
    if device is None:
        attempts.failed(store, settings, source, None, None, "auth.login", ErrorCode.LOGIN_FAILED.code)
        raise ApiError(ErrorCode.LOGIN_FAILED)
    try:
        token = _login(body, store, settings, now, device.ed25519, device.status)
    except ApiError as exc:
        attempts.failed(store, settings, source, body.team, body.device, "auth.login", exc.error.code, device.role)
        raise
    store.log_access(now, body.team, body.device, "auth.login", "ok", device.role)
    return token


def _login(body: LoginIn, store: Store, settings: Settings, now: int, ed25519: str, status: str) -> LoginOut:
    # Consumed before the signature is checked: a challenge is good for one attempt, right or wrong.
    expires_at = store.consume_challenge(secret_hash(b64d(body.challenge)), body.team, body.device)
    if expires_at is None:
        raise ApiError(ErrorCode.LOGIN_FAILED)
    if now >= expires_at:
        raise ApiError(ErrorCode.CHALLENGE_EXPIRED)
    signed = pinned(
        "login",
        {
            "server_nonce": body.challenge,
            "device_nonce": body.device_nonce,
            "team": body.team,
            "device": body.device,
            "server": settings.server,
        },
    )
    if not signature_ok(public_key(ed25519), b64d(body.signature), signed):
        raise ApiError(ErrorCode.LOGIN_FAILED)
    if status == "revoked":
        raise ApiError(ErrorCode.DEVICE_REVOKED)
    token = secrets.token_bytes(TOKEN_BYTES)
    token_expires = now + settings.token_ttl_ms
    store.add_token(secret_hash(token), body.team, body.device, token_expires, now)
    return LoginOut(token=b64e(token), expires_at=token_expires)
