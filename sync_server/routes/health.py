"""Liveness."""

from __future__ import annotations

from fastapi import APIRouter

from ..protocol import HealthOut
from .deps import JsonRoute

router = APIRouter(tags=["health"], route_class=JsonRoute)


@router.get("/healthz", response_model=HealthOut)
def healthz() -> HealthOut:
    """The server is up (it does not touch the database)."""
    return HealthOut(status="ok")
