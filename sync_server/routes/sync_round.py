"""One round trip for a device's sync round: the ledger after its pinned head, every device's push head and
the first page of changes after its cursor, read in that order in one request. A round with nothing to do
is then this one request (it was three: ledger, heads, changes). Logged as ``changes.pull``."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from ..protocol import RoundOut, query_int_schema
from ..store.base import Store
from .answers import JsonText, round_text
from .changes import PageLimit, pull_page, read_heads
from .deps import Caller, JsonRoute, StoreDep, query_int, require_confirmed, store_read, team_caller
from .ledger import _ledger_out

router = APIRouter(prefix="/v1/teams/{team}", tags=["changes"], route_class=JsonRoute)


@router.get("/round", response_model=RoundOut)
async def read_round(
    caller: Annotated[Caller, Depends(team_caller("changes.pull"))],
    store: StoreDep,
    ledger_after: Annotated[str | None, query_int_schema(-1, 2**53),
                            Query(description="Ledger entries with a greater index.")] = None,
    after: Annotated[str | None, query_int_schema(0, 2**53),
                     Query(description="Changes with a greater seq (default 0).")] = None,
    limit: PageLimit = None,
) -> JsonText:
    """``GET /ledger?after=ledger_after``, ``GET /heads`` and ``GET /changes?after&limit`` in this order,
    as one answer: the heads are read before the page, as a reader must. Confirmed devices only."""
    return await store_read(store, _round, caller, store, ledger_after, after, limit)


def _round(caller: Caller, store: Store, ledger_after: str | None, after: str | None, limit: str | None) -> JsonText:
    require_confirmed(caller)
    ledger = _ledger_out(store, caller.team, query_int(ledger_after, "ledger_after", -1, -1, 2**53))
    heads = read_heads(caller, store)
    return JsonText(round_text(ledger, heads, pull_page(caller, store, after, limit)))  # RoundOut
