"""Concurrent writes of one field: the *frontier* the projection keeps to show a conflict (docs/sync.md).

A ``create`` or ``set`` operation carries ``base``: per field it writes, the HLC stamp of the value its
author's device held for that field when the user changed it (absent: the device held none). A write *w'*
**supersedes** *w* when ``w'.base >= w.stamp`` (its author had seen *w*, or something after it). An
operation without ``base`` (written before conflicts were shown) supersedes every write with a lower stamp:
plain last-writer-wins, as before. Because an author's stamp is always greater than its base, "supersedes"
is transitive, so dropping superseded writes as operations arrive gives the same frontier in any order.

The winner is still the highest stamp (it is always in the frontier); the frontier holds more than one
write only when writes were made without seeing each other. A field is *in conflict* when its frontier holds
two or more distinct values and at least one of them is a change (``set``): two devices that created the
same record (an automatic flag raised offline twice) merge as before.

Entries are plain lists (a snapshot serialises them as they are):
``[ms, counter, device, base, value, author, kind]`` with ``base`` ``None`` (saw nothing), ``"lww"`` (an
operation without base) or ``[ms, counter, device]``; ``kind`` ``"create"`` or ``"set"``.
"""

from __future__ import annotations

from typing import Any

LWW = "lww"
MS, COUNTER, DEVICE, BASE, VALUE, AUTHOR, KIND = range(7)


def entry(stamp: tuple[int, int, str], base: Any, value: Any, author: str, kind: str) -> list:
    return [stamp[0], stamp[1], stamp[2], base, value, author, kind]


def stamp_of(e: list) -> tuple[int, int, str]:
    return (e[MS], e[COUNTER], e[DEVICE])


def supersedes(newer: list, older: list) -> bool:
    """Whether ``newer``'s author had seen ``older`` when it wrote (so ``older`` is no longer a contender)."""
    base = newer[BASE]
    if base is None:
        return False
    if base == LWW:
        return stamp_of(older) < stamp_of(newer)
    return stamp_of(older) <= (base[0], base[1], base[2])


def fold(frontier: list[list], new: list) -> list[list] | None:
    """The frontier with ``new`` folded in, or None when nothing changes (a duplicate, or ``new`` was
    superseded already). Kept sorted by stamp, so the last entry is the winner."""
    stamp = stamp_of(new)
    for e in frontier:
        if stamp_of(e) == stamp or supersedes(e, new):
            return None
    kept = [e for e in frontier if not supersedes(new, e)]
    kept.append(new)
    kept.sort(key=stamp_of)
    return kept


def in_conflict(frontier: list[list] | None) -> bool:
    """Two or more distinct values, one of them a change (``set``); an operation without base (an older
    app) never takes part in a conflict."""
    if not frontier or len(frontier) < 2 or any(e[BASE] == LWW for e in frontier):
        return False
    values: list = []
    for e in frontier:
        if e[VALUE] not in values:
            values.append(e[VALUE])
    return len(values) > 1 and any(e[KIND] == "set" for e in frontier)


def parse_base(op: dict) -> dict | None:
    """``base`` of an operation: field -> [ms, counter, device]; None for an operation without it (or with a
    malformed one: treated as written before bases, last writer wins)."""
    raw = op.get("base")
    if not isinstance(raw, dict):
        return None
    out = {}
    for name, value in raw.items():
        if (isinstance(name, str) and isinstance(value, list) and len(value) == 3 and type(value[0]) is int
                and type(value[1]) is int and isinstance(value[2], str)):
            out[name] = value
        else:
            return None
    return out


def base_of(base: dict | None, name: str, stamp) -> Any:
    """One field's base for an entry: ``LWW`` for an operation without base, and also for a base that is not
    before the operation's own stamp (no honest author writes that; read so, "supersedes" stays transitive)."""
    if base is None:
        return LWW
    seen = base.get(name)
    if seen is not None and (seen[0], seen[1], seen[2]) >= (stamp.ms, stamp.counter, stamp.device):
        return LWW
    return seen


def older_bases(base: dict, seen: Any) -> dict:
    """``base`` (what the device holds now) with each field's stamp replaced by the one the user saw when that is
    older (a form opened before a change arrived). Never newer than what the device holds; a malformed ``seen``
    entry is ignored."""
    if not isinstance(seen, dict):
        return base
    out = dict(base)
    for name, held in base.items():
        v = seen.get(name)
        if (isinstance(v, (list, tuple)) and len(v) == 3 and type(v[0]) is int and type(v[1]) is int
                and isinstance(v[2], str) and (v[0], v[1], v[2]) < (held[0], held[1], held[2])):
            out[name] = [v[0], v[1], v[2]]
    return out
