"""What repeats in a snapshot part's rows, written once (``snapshot_codec``): the part's own string table and
its stamps as numbers, so reading makes fewer objects and interns nothing per record.

Decided per part when it is written, from the rows the :class:`~snapshot_codec.Encoder` made:

- ``slots``: slots where every row holds a short string and the strings repeat (type, client id, author,
  origin): each value is written as its index in ``strings``;
- ``keys``: per map slot (a record's fields, not tagged), the keys whose values are, in every row that has
  them, short repeating strings (a note's contact type, outcome): each value is its index in ``strings``.
  The map is written as a new map (a note's fields are the projection's own: never changed here);
- ``stamps``: slots where every row holds a map whose values are all one shared object (a record's stamps
  when one operation set every field, ``"\\0K"``): each value is the number ``ref << 16 | keyset``.

The reader (``Decoder.row``) maps them back with list indexing; ``strings`` are interned once per part, so
one "TELEFONISCH" serves 50,000 notes, as after a fold.
"""

from __future__ import annotations

__all__ = ["share"]

_SHORT = 64
_K = "\0K"
_KEYSETS = 1 << 16


def _repeat(values: list) -> bool:
    return 2 * len(set(values)) <= len(values)


def _short(values: list) -> bool:
    return all(type(x) is str and len(x) <= _SHORT for x in values)


def share(rows: list[list]) -> dict:
    """Rewrite ``rows`` (``[mask, values...]``, the part's own lists) in place as described above; the
    description of what was rewritten, to write with the part."""
    if not rows:
        return {}
    strings: dict[str, int] = {}

    def index(s: str) -> int:
        i = strings.get(s)
        if i is None:
            i = strings[s] = len(strings)
        return i

    slots, stamps, keys = [], [], []
    for i in range(1, len(rows[0])):
        column = [r[i] for r in rows]
        bit = 1 << (i - 1)
        if _short(column) and _repeat(column):
            slots.append(i - 1)
            for r in rows:
                r[i] = index(r[i])
        elif all(r[0] & bit and type(r[i]) is dict and len(r[i]) == 1 and _K in r[i] for r in rows) \
                and all(r[i][_K][0] < _KEYSETS for r in rows):
            stamps.append(i - 1)
            for r in rows:
                k, ref = r[i][_K]
                r[i] = ref << 16 | k
                r[0] &= ~bit
        elif all(type(r[i]) is dict and not r[0] & bit for r in rows):
            chosen = _repeating_keys(column)
            if chosen:
                keys.append([i - 1, chosen])
                wanted = set(chosen)
                for r in rows:
                    r[i] = {k: index(v) if k in wanted else v for k, v in r[i].items()}
    return {"strings": list(strings), "slots": slots, "stamps": stamps, "keys": keys}


def _repeating_keys(maps: list[dict]) -> list[str]:
    values: dict[str, list] = {}
    for m in maps:
        for k, v in m.items():
            values.setdefault(k, []).append(v)
    # a key that is empty in every row is left alone: the parser makes no object for "" (one copy already)
    return [k for k, vs in values.items() if any(vs) and _short(vs) and _repeat(vs)]
