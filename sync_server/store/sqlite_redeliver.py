"""Re-delivery of an envelope whose stored copy no longer verifies (issue #11, docs/security.md).

A stored envelope can be damaged after it was accepted (a flipped bit on disk, an edit of the database).
Readers refuse it and hold back that device's later envelopes. The author still has the envelope as it
sealed it; it delivers it again (``POST /changes/redeliver``). The route decides (the new copy is the
device's own, verifies, carries the same op_id and device_seq, links into the chain the server holds,
and the stored copy does not verify); this module only does the storing, atomically: the damaged row
keeps its seq and bytes (history is never rewritten, a reader past it is not disturbed) but gives up its
op_id and its place in the device's chain, and the good copy is stored under the next team seq."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from .base import OpConflict, OwnChange, PushOutcome, Replacement, UnknownTeam

__all__ = ["chain_rows", "replace_changes", "REPLACED_PREFIX"]

REPLACED_PREFIX = "replaced."  # op_id of a damaged row after its re-delivery: "replaced.<seq>.<op_id>"


def chain_rows(db, team: str, device: str, device_seqs: Iterable[int]) -> dict[int, tuple[str, OwnChange]]:
    """device_seq -> (op_id, the stored row) for the rows of ``device`` at those places of its chain."""
    out: dict[int, tuple[str, OwnChange]] = {}
    for device_seq in sorted(set(device_seqs)):
        row = db.execute(
            "SELECT seq, op_id, envelope FROM changes WHERE team = ? AND device = ? AND device_seq = ?",
            [team, device, device_seq],
        ).fetchone()
        if row is not None:
            out[device_seq] = (row[1], OwnChange(row[0], device_seq, bytes(row[2])))
    return out


def replace_changes(db, team: str, device: str, items: list[Replacement], now: int, lock: str) -> list[PushOutcome]:
    """In the caller's transaction: each item's stored row (same op_id, device and device_seq, and still
    the bytes whose hash the route judged) is set aside and the item stored under a new seq. A row that
    changed meanwhile raises OpConflict and nothing is stored."""
    row = db.execute(f"SELECT last_seq FROM teams WHERE id = ?{lock}", [team]).fetchone()
    if row is None:
        raise UnknownTeam(team)
    last_seq = row[0]
    outcomes = []
    for item in items:
        stored = db.execute(
            "SELECT seq, envelope, device, device_seq FROM changes WHERE team = ? AND op_id = ?",
            [team, item.op_id],
        ).fetchone()
        if stored is None or stored[2] != device or stored[3] != item.device_seq \
                or hashlib.sha256(bytes(stored[1])).digest() != item.old_hash:
            raise OpConflict(item.op_id)
        db.execute(
            "UPDATE changes SET op_id = ?, device_seq = NULL WHERE team = ? AND seq = ?",
            [f"{REPLACED_PREFIX}{stored[0]}.{item.op_id}", team, stored[0]],
        )
        last_seq += 1
        db.execute(
            "INSERT INTO changes (team, seq, op_id, device, envelope, received_at, device_seq)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            [team, last_seq, item.op_id, device, item.envelope, now, item.device_seq],
        )
        outcomes.append(PushOutcome(item.op_id, last_seq, False))
    db.execute("UPDATE teams SET last_seq = ? WHERE id = ?", [last_seq, team])
    return outcomes
