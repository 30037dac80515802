"""Delivery by signature: the outbox, sealed and signed, travels without a login or any key."""

from __future__ import annotations

from typing import Any

from ..crypto.canonical import b64e
from ..crypto.facts import ErrorCode
from .client import ServerError, SyncClient, Unreachable

__all__ = ["deliver_signed", "PUSH_BATCH", "PUSH_REFUSED"]

PUSH_BATCH = 200
# state key: the error code of the last push the server refused (a 4xx this device does not mend by itself);
# empty again after a push passes. Unsent records show "geweigerd" meanwhile (parts/casework.py).
PUSH_REFUSED = "push_refused"


def deliver_signed(client: SyncClient, store, team: bytes) -> dict[str, Any]:
    """Deliver the outbox by signature (``/changes/signed``, no token): for a device whose keys were
    destroyed, an old data directory whose passphrase is forgotten, or a device retired with work left.

    Returns ``{delivered, remaining, error, permanent}``: ``error`` is "" when everything arrived,
    "offline" when unreachable, "not_sealed" for work that waited for a team key (sealed under the local
    key only, so it cannot travel without the passphrase), else the server's error code (``permanent`` True
    for a refusal that will not change by trying again, e.g. ``stale_epoch`` or ``device_revoked``).
    """
    delivered, error, permanent = 0, "", False
    while True:
        batch = store.outbox_ready(PUSH_BATCH)
        if not batch:
            break
        try:
            results = client.push_signed(team, [env for _, env in batch])
        except Unreachable:
            error = "offline"
            break
        except ServerError as exc:
            error, permanent = exc.code, 400 <= exc.status < 500 and not exc.is_(ErrorCode.ROTATION_PENDING)
            break
        accepted = {r.get("op_id") for r in results if isinstance(r, dict)}
        with store.transaction():
            for op_id, _ in batch:
                if b64e(op_id) in accepted:
                    store.outbox_remove(op_id)
                    delivered += 1
        if not accepted:
            break
    remaining = store.outbox_count()
    if remaining and not error:  # work written before this device had the team key: sealed locally only
        error, permanent = "not_sealed", True
    return {"delivered": delivered, "remaining": remaining, "error": error, "permanent": permanent}
