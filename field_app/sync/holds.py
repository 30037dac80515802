"""Holds: a device whose envelope chain the server served broken (a gap, another envelope at a position
already seen, a push head beyond what was served, a head that does not verify) is *held back* — its
later envelopes wait, in order, until the chain is whole again — while every other device's work keeps
flowing. The server keeps every device's chain whole (it refuses a push that does not continue it), so a
hold means the server misbehaves or withholds; the sync status lists each held device with its reason.

A ``damaged`` hold (issue #11): an envelope of the device came from the server with a signature that no
longer verifies (refused); its later envelopes wait until the author delivers it again
(:mod:`.own_chain`). The gap that follows it is that damage, so the reason stays ``damaged``.

Clear state only: device ids and a reason code (``gap``, ``fork``, ``withheld``, ``bad_head``, ``damaged``)."""

from __future__ import annotations

import json
import logging

from ..crypto.canonical import b64e
from ..store import LocalStore

__all__ = ["HOLD_REASONS", "BLOCKING", "MENDED_BY_THE_CHAIN", "held", "hold", "release"]

log = logging.getLogger("veldwerk.sync")

HOLD_REASONS = ("gap", "fork", "withheld", "bad_head", "damaged")
BLOCKING = ("gap", "fork", "bad_head", "damaged")  # later envelopes of the device wait; "withheld" only watches
MENDED_BY_THE_CHAIN = ("gap", "damaged")  # released once nothing of the device waits any more


def held(store: LocalStore) -> dict[str, str]:
    """Device id (base64url) -> reason, for every device held back now."""
    raw = store.get_state("held")
    if not raw or raw == "{}":  # nothing held: asked once per pulled envelope
        return {}
    try:
        data = json.loads(raw)
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def hold(store: LocalStore, device: bytes, reason: str) -> None:
    current = held(store)
    key = b64e(device)
    if current.get(key) in BLOCKING and reason not in BLOCKING:
        return  # a broken chain stays the reason until it is whole
    if current.get(key) == "damaged" and reason == "gap":
        return  # the gap is the damaged envelope's place
    if current.get(key) != reason:
        current[key] = reason
        store.set_state("held", json.dumps(current, sort_keys=True))
        log.warning("a device's envelopes are held back: %s", reason)


def release(store: LocalStore, device: bytes) -> bool:
    current = held(store)
    if current.pop(b64e(device), None) is None:
        return False
    store.set_state("held", json.dumps(current, sort_keys=True))
    log.info("a held device's chain is whole again")
    return True
