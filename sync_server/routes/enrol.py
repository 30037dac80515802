"""Enrolment: a one-time code registers a device (status pending until a ledger entry adds it)."""

from __future__ import annotations

from fastapi import APIRouter, Request

from .. import attempts
from ..protocol import ApiError, EnrolIn, EnrolOut, ErrorCode, code_hash
from ..store.base import CodeRejected, DeviceExists, NewDevice
from .deps import JsonRoute, SettingsDep, StoreDep, public_key

router = APIRouter(prefix="/v1", tags=["enrol"], route_class=JsonRoute)


@router.post("/enrol", response_model=EnrolOut)
def enrol(body: EnrolIn, store: StoreDep, settings: SettingsDep, request: Request) -> EnrolOut:
    """Use a one-time code: the device joins the code's team with the code's role.

    The first device of a team (enrolled with the code from ``sync-server init``) holds the beheer right
    and is the only one that may post the genesis entry.
    """
    source = attempts.source_of(request)
    attempts.gate(store, settings, source)  # guessing codes: counted per address
    hashed = code_hash(body.code)
    if hashed is None:
        attempts.failed(store, settings, source, None, None, "enrol", ErrorCode.BAD_CODE.code)
        raise ApiError(ErrorCode.BAD_CODE)
    try:
        public_key(body.ed25519)
    except ValueError:
        raise ApiError(ErrorCode.VALIDATION_ERROR, "ed25519 is not an Ed25519 public key.") from None
    now = settings.clock()
    try:
        enrolment = store.enrol(hashed, NewDevice(body.device, body.ed25519, body.x25519), now)
    except CodeRejected:
        attempts.failed(store, settings, source, None, None, "enrol", ErrorCode.BAD_CODE.code)
        raise ApiError(ErrorCode.BAD_CODE) from None
    except DeviceExists:
        raise ApiError(ErrorCode.DEVICE_EXISTS) from None
    device = enrolment.device
    store.log_access(now, device.team, device.id, "enrol", "ok", device.role)
    return EnrolOut(team=device.team, device=device.id, role=device.role, first=enrolment.first)
