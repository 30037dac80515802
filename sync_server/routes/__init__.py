"""One router per resource; ``ROUTERS`` is the order the app includes them in."""

from __future__ import annotations

from . import auth, changes, devices, enrol, grants, health, ledger

ROUTERS = [
    health.router,
    enrol.router,
    auth.router,
    devices.router,
    ledger.router,
    grants.router,
    changes.router,
]

__all__ = ["ROUTERS"]
