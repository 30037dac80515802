"""The checks inside the SQLite push transaction: the pusher's status and the ledger it was checked
against, each device's chain, and the signed push head (see ``SqliteStore.push``)."""

from __future__ import annotations

import sqlite_utils

from field_app.crypto.wire import envelope_hash

from .base import ChainFork, ChainGap, DeviceRefused, HeadConflict, LedgerMoved, PushHead, PushItem

__all__ = ["recheck", "continue_chain", "put_head"]


def recheck(db: sqlite_utils.Database, team: str, items: list[PushItem],
             statuses: tuple[str, ...] | None, ledger_index: int | None) -> None:
    """Inside the push transaction: the pusher's status and the ledger the push was checked against."""
    if statuses is not None:
        for device in {i.device for i in items}:
            row = db.execute("SELECT status FROM devices WHERE team = ? AND id = ?", [team, device]).fetchone()
            if row is None or row[0] not in statuses:
                raise DeviceRefused(row[0] if row else "unknown")
    if ledger_index is not None:
        head = db.execute("SELECT MAX(idx) FROM ledger WHERE team = ?", [team]).fetchone()[0]
        if head != ledger_index:
            raise LedgerMoved(team)


def continue_chain(db: sqlite_utils.Database, team: str, item: PushItem,
                    chains: dict[str, tuple[int, bytes]]) -> tuple[int, bytes]:
    """The device's chain head after ``item``; ChainGap or ChainFork if it does not continue it."""
    if item.device in chains:
        last_seq, last_hash = chains[item.device]
    else:
        row = db.execute(
            "SELECT device_seq, hash FROM device_chains WHERE team = ? AND device = ?", [team, item.device]
        ).fetchone()
        last_seq, last_hash = (row[0], bytes(row[1])) if row else (0, bytes(32))
    in_push = item.device in chains  # ``last_seq`` is then an earlier envelope of this same push
    if item.device_seq > last_seq + 1:
        raise ChainGap(item.device, last_seq + 1, item.device_seq, in_push)
    if item.device_seq <= last_seq or item.prev_hash != last_hash:
        raise ChainFork(item.device, last_seq + 1, item.device_seq, in_push)
    return item.device_seq, envelope_hash(item.envelope)  # made once per envelope (cached) by the route's checks


def put_head(db: sqlite_utils.Database, team: str, head: PushHead, now: int) -> None:
    stored = db.execute(
        "SELECT device_seq, hash FROM push_heads WHERE team = ? AND device = ?", [team, head.device]
    ).fetchone()
    if stored is not None:
        if head.device_seq == stored[0] and head.hash != stored[1]:
            raise HeadConflict(head.device)  # rolls the whole push back
        if head.device_seq <= stored[0]:
            return
    db.execute(
        "INSERT INTO push_heads (team, device, device_seq, hash, sig, received_at) VALUES (?, ?, ?, ?, ?, ?)"
        " ON CONFLICT (team, device) DO UPDATE SET device_seq = excluded.device_seq, hash = excluded.hash,"
        " sig = excluded.sig, received_at = excluded.received_at",
        [team, head.device, head.device_seq, head.hash, head.sig, now],
    )
