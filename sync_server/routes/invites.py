"""Invitations by a coordinator device: a one-time enrolment code for a new device of the team.

The code only lets a device register its keys (status pending). It joins the team when a device with
``beheer`` has compared its fingerprint and signed an ``add_device`` ledger entry. ``sync-server invite``
on the server's command line remains for the very first setup.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from ..protocol import CODE_TTL_MS, InviteIn, InviteOut, code_hash, new_enrolment_code
from .deps import Caller, JsonRoute, SettingsDep, StoreDep, require_beheer, require_confirmed, team_caller

router = APIRouter(prefix="/v1/teams/{team}", tags=["invites"], route_class=JsonRoute)


@router.post("/invites", response_model=InviteOut)
def create_invite(
    body: InviteIn,
    caller: Annotated[Caller, Depends(team_caller("invites.create"))],
    store: StoreDep,
    settings: SettingsDep,
) -> InviteOut:
    """A one-time code (valid 7 days) for a device with ``role``; only a confirmed beheer device may ask.

    The device that asked shows the code with the team fingerprint from its own verified ledger (text
    and QR); the server never sees the fingerprint the newcomer will check.
    """
    require_beheer(caller)
    require_confirmed(caller)
    code = new_enrolment_code()
    hashed = code_hash(code)
    assert hashed is not None
    expires_at = settings.clock() + CODE_TTL_MS
    store.add_code(hashed, caller.team, body.role, False, expires_at)
    return InviteOut(code=code, expires_at=expires_at)
