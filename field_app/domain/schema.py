"""Objects, lists and record schemas built from the cleaners in ``fieldkit``.

``Schema.create`` cleans a new record and fills every default; ``Schema.update`` cleans a ``set``'s
changed fields. Both run the cross-field check on the merged record (seeing only valid fields) and raise
``ValidationError`` with every problem at once.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from .errors import ValidationError
from .fieldkit import INVALID, MSG_FIXED, MSG_REQUIRED, MSG_UNKNOWN_FIELD, Cleaner, Errors, kind_of


@dataclass(frozen=True)
class Field:
    """One field of a record or of a nested object."""

    clean: Cleaner
    default: Any = None
    required: bool = False
    required_msg: str = MSG_REQUIRED
    fixed: bool = False  # set at create, never changed afterwards
    default_fn: Callable[[Any], Any] | None = None  # a default that depends on the context
    doc: str = ""

    def default_value(self, ctx: Any) -> Any:
        if self.default_fn:
            return self.default_fn(ctx)
        default = self.default
        if default is None or isinstance(default, (str, int, bool)):
            return default  # immutable: no copy (a deep copy per field was most of a note's validation)
        return copy.deepcopy(default)


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


def clean_fields(spec: dict[str, Field], value: Any, path: str, errors: Errors, ctx: Any,
                 *, only: Iterable[str] | None = None) -> dict:
    """Clean a dict against ``spec``. Unknown keys and missing required keys are errors; absent optional
    keys get their default unless ``only`` limits the pass to the keys given (an update)."""
    prefix = f"{path}." if path else ""
    out: dict = {}
    if not isinstance(value, dict):
        errors.add(path or "fields", "Dit is geen geldige invoer.")
        return out
    for key in value:
        if key not in spec:
            errors.add(f"{prefix}{key}", MSG_UNKNOWN_FIELD)
    names_ = list(spec) if only is None else [k for k in spec if k in value]
    for key in names_:
        f = spec[key]
        raw = value.get(key)
        if raw is None:
            if f.required:
                errors.add(f"{prefix}{key}", f.required_msg)
            else:
                out[key] = f.default_value(ctx)
            continue
        cleaned = f.clean(raw, f"{prefix}{key}", errors, ctx)
        if cleaned is INVALID:
            continue
        if f.required and _empty(cleaned):
            errors.add(f"{prefix}{key}", f.required_msg)
            continue
        out[key] = cleaned
    return out


def obj(spec: dict[str, Field], check: Callable[[dict, str, Errors, Any], None] | None = None,
        kind: str = "object") -> Cleaner:
    """A nested object with its own fields (and an optional cross-field check)."""

    def clean(value: Any, path: str, errors: Errors, ctx: Any) -> Any:
        before = len(errors.items)
        if not isinstance(value, dict):
            errors.add(path, "Dit is geen geldige invoer.")
            return INVALID
        out = clean_fields(spec, value, path, errors, ctx)
        if check and len(errors.items) == before:
            check(out, path, errors, ctx)
        return INVALID if len(errors.items) > before else out

    clean.kind = kind  # type: ignore[attr-defined]
    clean.spec = spec  # type: ignore[attr-defined]
    return clean


def opt_obj(spec: dict[str, Field], check: Callable[[dict, str, Errors, Any], None] | None = None,
            kind: str = "object | null") -> Cleaner:
    inner = obj(spec, check, kind)

    def clean(value: Any, path: str, errors: Errors, ctx: Any) -> Any:
        return None if value is None else inner(value, path, errors, ctx)

    clean.kind = kind  # type: ignore[attr-defined]
    clean.spec = spec  # type: ignore[attr-defined]
    return clean


def list_of(item: Cleaner, max_items: int, *, unique_by: str | Callable[[dict], Any] | None = None,
            unique_msg: str = "Dit staat er twee keer in.", kind: str | None = None) -> Cleaner:
    """A list of items; duplicates by ``unique_by`` are reported on the later item."""
    key_fn = (lambda d: d.get(unique_by)) if isinstance(unique_by, str) else unique_by

    def clean(value: Any, path: str, errors: Errors, ctx: Any) -> Any:
        if value is None:
            return []
        if not isinstance(value, list | tuple):
            errors.add(path, "Vul hier een lijst in.")
            return INVALID
        if len(value) > max_items:
            errors.add(path, f"Hoogstens {max_items} regels.")
            return INVALID
        before = len(errors.items)
        out, seen = [], set()
        for i, v in enumerate(value):
            c = item(v, f"{path}.{i}", errors, ctx)
            if c is INVALID:
                continue
            if key_fn is not None:
                k = key_fn(c)
                if k in seen:
                    where = f"{path}.{i}.{unique_by}" if isinstance(unique_by, str) else f"{path}.{i}"
                    errors.add(where, unique_msg)
                seen.add(k)
            out.append(c)
        return INVALID if len(errors.items) > before else out

    clean.kind = kind or f"list[{kind_of(item)}]"  # type: ignore[attr-defined]
    clean.item = item  # type: ignore[attr-defined]
    return clean


# -- record schema -----------------------------------------------------------------------------------

Check = Callable[[dict, Any, Errors], None]


@dataclass(frozen=True)
class Derived:
    """A field computed from the others (a flag's deadline, a meldcode decision). A caller may send it
    only if it equals the computed value."""

    compute: Callable[[dict, Any], Any]
    message: str
    doc: str = ""
    kind: str = ""


@dataclass(frozen=True)
class Schema:
    fields: dict[str, Field]
    check: Check | None = None  # cross-field, on the merged record; sees only valid fields
    derived: dict[str, Derived] = field(default_factory=dict)
    partial: frozenset[str] = frozenset()  # dict fields an update merges into (None removes a key)
    # a cross-field check on the merged record that runs only when one of these fields is written (always at
    # create), so a rule added later does not lock a stored record's other fields
    guard: tuple[frozenset[str], Check] | None = None

    def create(self, values: Any, ctx: Any) -> dict:
        errors = Errors()
        if not isinstance(values, dict):
            raise ValidationError({"fields": "Dit is geen geldige invoer."})
        given = {k: v for k, v in values.items() if k not in self.derived}
        out = clean_fields(self.fields, given, "", errors, ctx)
        if self.check:
            self.check(dict(out), ctx, errors)
        if self.guard:
            self.guard[1](dict(out), ctx, errors)
        self._derive(values, out, out, ctx, errors)
        errors.raise_if_any()
        return out

    def update(self, current: dict, changes: Any, ctx: Any) -> dict:
        errors = Errors()
        if not isinstance(changes, dict):
            raise ValidationError({"fields": "Dit is geen geldige invoer."})
        given = {}
        for key, value in changes.items():
            if key in self.derived:
                continue
            spec = self.fields.get(key)
            if spec is not None and spec.fixed:
                errors.add(key, MSG_FIXED)
            elif key in self.partial and isinstance(value, dict):
                merged = {**(current.get(key) or {}), **value}
                given[key] = {k: v for k, v in merged.items() if v is not None}
            else:
                given[key] = value
        out = clean_fields(self.fields, given, "", errors, ctx, only=given)
        merged = {k: v for k, v in current.items() if not errors.has(k)}
        merged.update(out)
        if self.check:
            self.check(merged, ctx, errors)
        if self.guard and self.guard[0] & given.keys():
            self.guard[1](merged, ctx, errors)
        self._derive(changes, merged, out, ctx, errors, current=current)
        errors.raise_if_any()
        return out

    def _derive(self, given: dict, merged: dict, out: dict, ctx: Any, errors: Errors,
                current: dict | None = None) -> None:
        for name, d in self.derived.items():
            try:
                value = d.compute(merged, ctx)
            except (KeyError, TypeError, ValueError):
                continue  # an input is invalid; that error is already reported
            if name in given and given[name] != value:
                errors.add(name, d.message)
            elif current is None or current.get(name) != value:
                out[name] = value


def check_order(values: dict, first: str, second: str, errors: Errors, path: str = "",
                message: str = "De einddatum ligt vóór de begindatum.") -> None:
    """Report on ``second`` when both are present and ``second`` comes before ``first``."""
    a, b = values.get(first), values.get(second)
    if a is not None and b is not None and b < a:
        errors.add(f"{path}.{second}" if path else second, message)
