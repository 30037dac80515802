"""The access log (NEN 7513 style): who (device and its role), what (action), when and with what result.

Append-only in the database (triggers refuse UPDATE and DELETE). Readable by the devices whose role in
the team ledger supervises or audits: WERKBEGELEIDER, PROCESREGISSEUR, FG_AUDITOR and BEHEERDER. Reading
it is logged as well.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from ..protocol import (
    ACCESS_LOG_LIMIT_DEFAULT,
    ACCESS_LOG_LIMIT_MAX,
    ACCESS_LOG_ROLES,
    AccessLogEntry,
    AccessLogOut,
    ApiError,
    ErrorCode,
    query_int_schema,
)
from .deps import Caller, JsonRoute, StoreDep, query_int, require_confirmed, team_caller

router = APIRouter(prefix="/v1/teams/{team}", tags=["access-log"], route_class=JsonRoute)


@router.get("/access-log", response_model=AccessLogOut)
def read_access_log(
    caller: Annotated[Caller, Depends(team_caller("access_log.read"))],
    store: StoreDep,
    after: Annotated[str | None, query_int_schema(0, 2**53), Query(description="Rows with a greater id (default 0).")] = None,
    limit: Annotated[str | None, query_int_schema(1, ACCESS_LOG_LIMIT_MAX),
                     Query(description=f"1-{ACCESS_LOG_LIMIT_MAX}, default 100.")] = None,
) -> AccessLogOut:
    """A page of the team's access log in id order; ``next`` is the cursor for the following page."""
    require_confirmed(caller)
    if caller.device.role not in ACCESS_LOG_ROLES:
        raise ApiError(ErrorCode.ROLE_NOT_ALLOWED, "Only supervising and auditing roles read the access log.")
    after_id = query_int(after, "after", 0, 0, 2**53)
    page_size = query_int(limit, "limit", ACCESS_LOG_LIMIT_DEFAULT, 1, ACCESS_LOG_LIMIT_MAX)
    rows = store.access_log(caller.team, after_id, page_size + 1)
    more = len(rows) > page_size
    rows = rows[:page_size]
    return AccessLogOut(
        entries=[
            AccessLogEntry(id=r.id, at=r.at, device=r.device, role=r.role, action=r.action, result=r.result)
            for r in rows
        ],
        next=rows[-1].id if rows else after_id,
        more=more,
    )
