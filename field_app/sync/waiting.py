"""What waits or was refused, for the sync sheet (issue #11): received envelopes that cannot be applied
yet (a key, a sender's ledger entry, a held-back chain) and those refused for good, each attributed to
its device where the bytes still say which, without opening anything. Clear data only: device ids,
places in a chain, team seqs and reason codes.

A refused (damaged) copy whose place in its device's chain has since been filled by a good copy (the
author delivered it again), or whose operation arrived intact, is no longer listed: nothing of it is
missing any more. Its place and op_id are read leniently from a damaged header (one flipped bit spoils
at most one of them)."""

from __future__ import annotations

import re
from typing import Any

from ..crypto.canonical import b64d, b64e
from ..crypto.wire import EnvelopeFormatError, unpack
from ..store import LocalStore

__all__ = ["summary", "LIST_MAX"]

LIST_MAX = 50  # rows listed in the sheet; the counts cover all
_DEVICE = re.compile(rb'"device":"([A-Za-z0-9_-]{22})"')
_PLACE = re.compile(rb'"device_seq":(\d{1,15})[,}]')
_OP = re.compile(rb'"op_id":"([A-Za-z0-9_-]{22})"')


def _op_id(envelope: bytes) -> bytes | None:
    found = _OP.search(envelope[:2048])
    try:
        return b64d(found.group(1).decode()) if found else None
    except ValueError:
        return None


def _place(envelope: bytes) -> tuple[bytes | None, int | None]:
    """(device, device_seq) as the bytes say — parsed, or read leniently from a damaged header."""
    try:
        parts = unpack(envelope)
        return parts.device, int(parts.header["device_seq"])
    except (EnvelopeFormatError, KeyError, TypeError, ValueError):
        pass
    device, place = _DEVICE.search(envelope[:2048]), _PLACE.search(envelope[:2048])
    try:
        return (b64d(device.group(1).decode()) if device else None), (int(place.group(1)) if place else None)
    except ValueError:
        return None, None


def summary(store: LocalStore, names: dict[str, str]) -> dict[str, Any]:
    """``{key, sender, held, refused, refused_by: [{device, user, why, n}], items: [{device, user, place,
    seq, reason, why}]}``; reason is "key", "sender", "chain" (held back behind a broken chain) or
    "refused", with ``why`` "damaged", "context", "unreadable" or "not_allowed" (``LocalStore.rejected_add``).
    ``items`` lists the first :data:`LIST_MAX`."""
    pending = store.pending_counts()
    counts = {"key": pending.get("key", 0), "sender": pending.get("sender", 0), "held": pending.get("chain", 0),
              "refused": 0}
    items: list[dict[str, Any]] = []
    refused_by: dict[tuple[str | None, str], int] = {}

    def add(envelope: bytes, seq: int, reason: str, why: str | None = None) -> None:
        device, place = _place(envelope)
        if why == "damaged":
            if device is not None and place is not None and store.seen_in_chain(device, place) is not None:
                return  # its place is filled by a good copy now
            op_id = _op_id(envelope)  # (one flipped bit spoils at most one of the three)
            if op_id is not None and store.has_op(op_id):
                return
        who = b64e(device) if device is not None else None
        if reason == "refused":
            counts["refused"] += 1
            refused_by[(who, why)] = refused_by.get((who, why), 0) + 1
        if len(items) < LIST_MAX:
            items.append({"device": who, "user": names.get(who) if who else None, "place": place, "seq": seq,
                          "reason": reason, "why": why})

    for envelope, seq, reason in store.pending_rows(LIST_MAX):
        add(envelope, seq, reason if reason in ("key", "sender", "chain") else "key")
    for envelope, seq, why in store.rejected_rows():
        add(envelope, seq, "refused", why)
    by = [{"device": d, "user": names.get(d) if d else None, "why": why, "n": n}
          for (d, why), n in sorted(refused_by.items(), key=lambda kv: (kv[0][0] is None, kv[0][0] or "", kv[0][1]))]
    return {**counts, "refused_by": by, "items": items}
