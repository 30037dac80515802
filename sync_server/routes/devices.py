"""The team's devices as enrolled (keys and roles for clients to check against the verified ledger)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from ..protocol import DeviceOut, DevicesOut
from .deps import Caller, JsonRoute, StoreDep, require_confirmed, team_caller

router = APIRouter(prefix="/v1/teams/{team}", tags=["devices"], route_class=JsonRoute)


@router.get("/devices", response_model=DevicesOut)
def list_devices(
    caller: Annotated[Caller, Depends(team_caller("devices.list"))], store: StoreDep
) -> DevicesOut:
    """Every device enrolled in the caller's team, pending, confirmed or revoked. Confirmed devices only."""
    require_confirmed(caller)
    return DevicesOut(
        devices=[
            DeviceOut(id=d.id, ed25519=d.ed25519, x25519=d.x25519, role=d.role, status=d.status)
            for d in store.list_devices(caller.team)
        ]
    )
