"""A projection's state as MessagePack, and back: the plaintext of the sealed projection snapshot
(``snapshot.py``).

MessagePack (``msgpack``, which Flet already brings), not pickle or marshal: the snapshot is
authenticated (AES-GCM under the local key) before it is parsed, but a parser that can only build lists,
maps, strings, bytes and numbers — plus the few classes named below, by their declared fields — cannot be
made to run code even by a bug in what authenticates it. MessagePack rather than JSON because it carries
bytes as they are and parses the long note texts about three times faster (measured: 0.25 s against
0.3–0.7 s for the 72 MB of 50,000 notes, garbage collection off).

Values are written generically, so a slot added to :class:`Record` (or any dataclass the projection
holds) travels without changes here:

- ``None``, bools, ints, floats, strings, bytes, lists and maps with string keys as themselves;
- everything else as a one-key map whose key starts with NUL (a key no operation can hold, because a
  map holding such a key is itself written tagged): ``"\\0t"`` a tuple, ``"\\0s"`` a set, ``"\\0m"`` a
  map with other keys (pairs), ``"\\0d"`` a dataclass ``[name, fields]``, ``"\\0r"`` a reference into the
  part's table of shared immutable objects (frozen dataclasses such as the hybrid-clock :class:`Stamp`:
  one object per operation, shared by every field it set), ``"\\0R"`` a map of such references and
  ``"\\0K"`` ``[keys, ref]`` a map whose values are all one shared object (a record's stamps when one
  operation set every field: rebuilt with ``dict.fromkeys``, the keys listed once per part).

A record is ``[mask, slot values...]`` in the order of ``Record``'s fields; bit *i* of ``mask`` says the
i-th slot holds a tagged value and must be walked on reading; the others (the fields the operations
carried) are taken as parsed, but for what a part writes once (``snapshot_share``: its repeating short
strings and one-operation stamp maps, as numbers). The classes a snapshot may name, and their fields, are
in its header: if the app's classes differ (an update), the snapshot does not match and the device folds
every operation.
"""

from __future__ import annotations

import dataclasses
import sys
from typing import Any

import msgpack

from ..domain.hlc import Stamp

__all__ = ["Encoder", "Decoder", "SnapshotMismatch", "schema", "register", "dumps", "loads"]

TAG = "\0"
_SCALARS = frozenset((str, int, float, bool, bytes, type(None)))
_STR = {str}
_EXTRA: list[type] = [Stamp]
_SHORT = 64  # strings up to this long in a record's own slots are shared (sys.intern): names, ids, codes


class SnapshotMismatch(ValueError):
    """The snapshot's plaintext is not what this version of the app writes (discard it, fold everything)."""


def register(cls: type) -> type:
    """Let a dataclass defined outside the projection's module travel in snapshots."""
    if cls not in _EXTRA:
        _EXTRA.append(cls)
    return cls


def _classes() -> dict[str, type]:
    from . import projection

    found = {name: obj for name, obj in vars(projection).items()
             if isinstance(obj, type) and dataclasses.is_dataclass(obj) and obj.__module__ == projection.__name__}
    found.update({cls.__qualname__: cls for cls in _EXTRA})
    return found


def schema() -> dict[str, list[str]]:
    """Every class a snapshot may hold, with its fields in order."""
    return {name: [f.name for f in dataclasses.fields(cls)] for name, cls in sorted(_classes().items())}


def _shareable_types(names: dict) -> frozenset:
    """The registered frozen dataclasses: immutable, so one copy serves every holder."""
    return frozenset(cls for cls in names if getattr(getattr(cls, "__dataclass_params__", None), "frozen", False)
                     and cls.__hash__ is not None)


class Encoder:
    """Turns values into MessagePack-ready values (new containers, so the result shares only immutable
    values with what it was made from); shares frozen objects (and key lists) through the part's tables."""

    def __init__(self) -> None:
        self.table: list[Any] = []  # [class name, [field values]] of each shared object
        self.keysets: list[list[str]] = []
        self._index: dict[int, int] = {}  # id of a shared object -> its place (the object is kept in _keep)
        self._keep: list[Any] = []
        self._keysets: dict[tuple, int] = {}
        self.tags = 0
        self._names = {cls: name for name, cls in _classes().items()}
        self._shared = _shareable_types(self._names)

    def ref(self, obj: Any) -> int:
        i = self._index.get(id(obj))
        if i is None:
            i = self._index[id(obj)] = len(self.table)
            self._keep.append(obj)
            self.table.append(self._fields(obj))
        return i

    def _fields(self, obj: Any) -> list:
        cls = type(obj)
        name = self._names.get(cls)
        if name is None:
            raise TypeError(f"snapshot: {cls.__qualname__} is not registered (snapshot_codec.register)")
        return [name, [self.value(getattr(obj, f.name)) for f in dataclasses.fields(cls)]]

    def _dict(self, v: dict) -> Any:
        vals = list(v.values())
        if type(vals[0]) in self._shared:
            self.tags += 1
            if vals.count(vals[0]) == len(vals):  # one object for every key (identity first, in C)
                keys = tuple(v)
                k = self._keysets.get(keys)
                if k is None:
                    k = self._keysets[keys] = len(self.keysets)
                    self.keysets.append(list(keys))
                return {TAG + "K": [k, self.ref(vals[0])]}
            if set(map(type, vals)) <= self._shared:
                return {TAG + "R": {k: self.ref(x) for k, x in v.items()}}
            self.tags -= 1
        return {k: x if type(x) in _SCALARS else [] if x == [] else self.value(x) for k, x in v.items()}

    def value(self, v: Any) -> Any:
        t = type(v)
        if t in _SCALARS:
            return v
        if t is list:
            return [x if type(x) in _SCALARS else self.value(x) for x in v] if v else []
        if t is dict:
            if not v:
                return {}
            if set(map(type, v)) == _STR and (len(v) > 1 or not next(iter(v)).startswith(TAG)):
                return self._dict(v)  # only a one-key map can be taken for a tag
            self.tags += 1
            return {TAG + "m": [[self.value(k), self.value(x)] for k, x in v.items()]}
        self.tags += 1
        if t is tuple:
            return {TAG + "t": [self.value(x) for x in v]}
        if t is set or t is frozenset:
            return {TAG + "s": [self.value(x) for x in v]}
        if t in self._shared:
            return {TAG + "r": self.ref(v)}
        if dataclasses.is_dataclass(v):
            return {TAG + "d": self._fields(v)}
        raise TypeError(f"snapshot: no form for {t.__name__}")

    def row(self, obj: Any, names: list[str], keep: tuple[str, ...] = ()) -> list:
        """``[mask, values...]`` of one dataclass instance (a record). ``keep``: slots whose value never
        changes any more and holds only what an operation carried (a note's fields): taken as it is, no copy."""
        out: list[Any] = [0]
        mask = 0
        value = self.value
        for i, name in enumerate(names):
            x = getattr(obj, name)
            if type(x) in _SCALARS or name in keep:
                out.append(x)
                continue
            before = self.tags
            out.append(value(x))
            if self.tags != before:
                mask |= 1 << i
        out[0] = mask
        return out


class Decoder:
    """The inverse of :class:`Encoder` for one part, given that part's tables."""

    def __init__(self, table: list, keysets: list | None = None, shared: dict | None = None) -> None:
        self._classes = _classes()
        self.keysets = [[sys.intern(k) for k in keys] for keys in keysets or []]
        shared = shared or {}  # what ``snapshot_share.share`` wrote as numbers (row indexes: slot + 1)
        self.strings: list[str] = [sys.intern(s) for s in shared.get("strings", [])]
        self.string_slots: list[int] = [int(i) + 1 for i in shared.get("slots", [])]
        self.stamp_slots: list[int] = [int(i) + 1 for i in shared.get("stamps", [])]
        self.string_keys: list[tuple[int, list[str]]] = [(int(i) + 1, list(ks)) for i, ks in shared.get("keys", [])]
        self._bits: dict[int, list[int]] = {}
        self.table: list[Any] = []
        for name, values in table:
            self.table.append(self._make(name, values))

    def _make(self, name: str, values: list) -> Any:
        values = [sys.intern(x) if type(x) is str and len(x) <= _SHORT else
                  x if type(x) in _SCALARS else self.value(x) for x in values]
        return self._classes[name](*values)

    def value(self, v: Any) -> Any:
        t = type(v)
        if t is list:
            return [x if type(x) in _SCALARS else self.value(x) for x in v]
        if t is not dict:
            return v
        if len(v) == 1:
            key = next(iter(v))
            if type(key) is str and key[:1] == TAG:
                return self._tagged(key[1:], v[key])
        return {k: x if type(x) in _SCALARS else self.value(x) for k, x in v.items()}

    def _tagged(self, tag: str, x: Any) -> Any:
        try:
            if tag == "K":
                return dict.fromkeys(self.keysets[x[0]], self.table[x[1]])
            if tag == "R":
                table = self.table
                return {k: table[i] for k, i in x.items()}
            if tag == "r":
                return self.table[x]
            if tag == "t":
                return tuple(self.value(i) for i in x)
            if tag == "s":
                return {self.value(i) for i in x}
            if tag == "m":
                return {self.value(k): self.value(i) for k, i in x}
            if tag == "d":
                return self._make(*x)
        except (KeyError, IndexError, TypeError, ValueError) as exc:
            raise SnapshotMismatch(f"bad tagged value {tag!r}") from exc
        raise SnapshotMismatch(f"unknown tag {tag!r}")

    def row(self, cls: type, row: list) -> Any:
        """A record from ``[mask, values...]`` (the list is used up)."""
        mask = row[0]
        if mask:
            bits = self._bits.get(mask)
            if bits is None:
                bits = self._bits[mask] = [i + 1 for i in range(mask.bit_length()) if mask >> i & 1]
            for i in bits:
                row[i] = self.value(row[i])
        strings = self.strings
        for i in self.string_slots:
            row[i] = strings[row[i]]
        if self.stamp_slots:
            keysets, table = self.keysets, self.table
            for i in self.stamp_slots:
                n = row[i]
                row[i] = dict.fromkeys(keysets[n & 0xFFFF], table[n >> 16])
        for i, keys in self.string_keys:
            d = row[i]
            for k in keys:
                x = d.get(k)
                if x is not None:
                    d[k] = strings[x]
        del row[0]
        return cls(*row)


def dumps(value: Any) -> bytes:
    return msgpack.packb(value, use_bin_type=True)


def loads(data: bytes) -> Any:
    try:
        return msgpack.unpackb(data, raw=False, strict_map_key=True)
    except (ValueError, TypeError, msgpack.UnpackException) as exc:
        raise SnapshotMismatch("not a snapshot part") from exc
