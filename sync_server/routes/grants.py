"""Key grants: stored opaquely per (team, epoch, recipient) and handed only to their recipient."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Depends

from field_app.crypto.canonical import CanonicalError, b64d, canonical_json

from ..protocol import (
    ID_BYTES,
    MAX_GRANT_BYTES,
    MAX_GRANTS_PER_POST,
    ApiError,
    ErrorCode,
    GrantsIn,
    GrantsOut,
    GrantsPostOut,
)
from ..store.base import Grant, GrantConflict
from .deps import Caller, JsonRoute, SettingsDep, StoreDep, require_beheer, require_confirmed, team_caller

router = APIRouter(prefix="/v1/teams/{team}", tags=["grants"], route_class=JsonRoute)


@router.post("/grants", response_model=GrantsPostOut)
def store_grants(
    body: GrantsIn,
    caller: Annotated[Caller, Depends(team_caller("grants.store"))],
    store: StoreDep,
    settings: SettingsDep,
) -> GrantsPostOut:
    """Store all grants or none. The same grant again is fine; a different one for the same
    (epoch, recipient) answers 409 ``grant_conflict``."""
    require_beheer(caller)
    require_confirmed(caller)
    if len(body.grants) > MAX_GRANTS_PER_POST:
        raise ApiError(ErrorCode.TOO_MANY_GRANTS)
    recipients = {d.id for d in store.list_devices(caller.team) if d.status != "revoked"}
    grants = [_grant(i, g, caller, recipients) for i, g in enumerate(body.grants)]
    try:
        store.put_grants(caller.team, grants, settings.clock())
    except GrantConflict as exc:
        raise ApiError(
            ErrorCode.GRANT_CONFLICT,
            f"Another grant is stored for epoch {exc.epoch}, recipient {exc.recipient}.",
        ) from None
    return GrantsPostOut(stored=len(grants))


@router.get("/grants", response_model=GrantsOut)
def read_grants(caller: Annotated[Caller, Depends(team_caller("grants.read"))], store: StoreDep) -> GrantsOut:
    """The grants addressed to the calling device, oldest epoch first."""
    return GrantsOut(grants=[json.loads(g.body) for g in store.grants_for(caller.team, caller.device.id)])


def _grant(i: int, grant: dict[str, Any], caller: Caller, recipients: set[str]) -> Grant:
    try:
        body = canonical_json(grant)
    except CanonicalError as exc:
        raise ApiError(ErrorCode.BAD_GRANT, f"Grant {i} has no canonical form: {exc}") from None
    if len(body) > MAX_GRANT_BYTES:
        raise ApiError(ErrorCode.GRANT_TOO_LARGE, f"Grant {i} is larger than {MAX_GRANT_BYTES} bytes.")
    team, epoch, recipient = grant.get("team"), grant.get("epoch"), grant.get("recipient")
    if (
        not isinstance(team, str)
        or type(epoch) is not int
        or not 1 <= epoch <= 2**53
        or not _is_id(recipient)
    ):
        raise ApiError(ErrorCode.BAD_GRANT, f"Grant {i} needs team, epoch (>= 1) and recipient.")
    if team != caller.team:
        raise ApiError(ErrorCode.WRONG_TEAM, f"Grant {i} is for another team.")
    if grant.get("granter") != caller.device.id:
        raise ApiError(ErrorCode.WRONG_DEVICE, f"Grant {i} names another granter than the calling device.")
    if recipient not in recipients:
        raise ApiError(ErrorCode.BAD_GRANT, f"Grant {i} is addressed to a device that is not in this team.")
    return Grant(epoch, recipient, body.decode("utf-8"))


def _is_id(value: Any) -> bool:
    try:
        return len(b64d(value)) == ID_BYTES
    except ValueError:
        return False
