"""One router per resource; ``ROUTERS`` is the order the app includes them in."""

from __future__ import annotations

from . import (
    access_log,
    auth,
    changes,
    devices,
    enrol,
    grants,
    health,
    invites,
    ledger,
    redeliver,
    sync_round,
)

ROUTERS = [
    health.router,
    enrol.router,
    auth.router,
    devices.router,
    invites.router,
    ledger.router,
    grants.router,
    changes.router,
    redeliver.router,
    sync_round.router,
    access_log.router,
]

__all__ = ["ROUTERS"]
