"""Delivery by signature: the outbox, sealed and signed, travels without a login or any key."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, TypeVar

from ..crypto.canonical import b64e
from ..crypto.facts import MAX_BODY_BYTES, MAX_ENVELOPES_PER_PUSH, ErrorCode, KiB
from .client import ServerError, SyncClient, Unreachable

T = TypeVar("T")

__all__ = ["deliver_signed", "PUSH_BATCH", "LEGACY_PUSH_BATCH", "PUSH_REFUSED", "BODY_BUDGET", "fitting", "chunks"]

PUSH_BATCH = MAX_ENVELOPES_PER_PUSH  # 500 (issue #11: fewer requests and commits per push)
# What servers before issue #11 took: the app falls back to it when a server answers too_many_envelopes, and
# delivery by signature (locked, rare) always uses it.
LEGACY_PUSH_BATCH = 200
# A batch is also cut to what fits the server's body limit (413 ``body_too_large`` above it): 200 notes with
# long reports (up to 20,000 characters each) are several megabytes, and a batch refused for its size would
# be refused again on every try. The margin holds the JSON around the envelopes and the signed push head.
BODY_BUDGET = MAX_BODY_BYTES - 64 * KiB
# state key: the error code of the last push the server refused (a 4xx this device does not mend by itself);
# empty again after a push passes. Unsent records show "geweigerd" meanwhile (parts/casework.py).
PUSH_REFUSED = "push_refused"


def fitting(rows: list[T], envelope_of: Callable[[T], bytes]) -> list[T]:
    """The longest prefix of ``rows`` whose envelopes, as base64url strings in a JSON list, stay within
    :data:`BODY_BUDGET` (always at least one: an envelope is at most 256 KiB)."""
    total = 0
    for i, row in enumerate(rows):
        total += (len(envelope_of(row)) * 4 + 2) // 3 + 3  # its base64url, two quotes and a comma
        if total > BODY_BUDGET and i:
            return rows[:i]
    return rows


def chunks(items: list[T], count: int, envelope_of: Callable[[T], bytes]) -> Iterator[list[T]]:
    """``items`` in consecutive batches of at most ``count`` that each fit :data:`BODY_BUDGET`."""
    start = 0
    while start < len(items):
        batch = fitting(items[start:start + count], envelope_of)
        yield batch
        start += len(batch)


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
        batch = fitting(store.outbox_ready(LEGACY_PUSH_BATCH), lambda row: row[1])
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
