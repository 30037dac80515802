"""Small composable cleaners that turn untrusted field values into clean ones, collecting Dutch messages.

A cleaner is ``clean(value, path, errors, ctx) -> value | INVALID``. It never raises for bad input: it
adds one message under ``path`` (``"risks.1.severity"``: the first segment is always the record field)
and returns ``INVALID``, so one pass reports every problem at once. Objects, lists and whole records
are in ``schema``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from typing import Any

from .errors import ValidationError
from .timeutil import local_date
from .vocab import Vocab

INVALID: Any = type("Invalid", (), {"__repr__": lambda self: "INVALID"})()
EARLIEST_MS = 946_684_800_000  # 2000-01-01: older moments are typing mistakes
LATEST_MS = 4_102_444_800_000  # 2100-01-01
FUTURE_SLACK_MS = 10 * 60 * 1000  # a device clock a few minutes off is not an error
MAX_ID = 64
_ID_RE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_HHMM_RE = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")

MSG_REQUIRED = "Vul dit in."
MSG_UNKNOWN_FIELD = "Dit veld hoort niet bij dit soort gegevens."
MSG_FIXED = "Dit veld kun je na het aanmaken niet meer veranderen."


class Errors:
    """Dutch messages by field path; the first message for a path wins (it is the most specific)."""

    def __init__(self) -> None:
        self.items: dict[str, str] = {}

    def add(self, path: str, message: str) -> None:
        self.items.setdefault(path, message)

    def has(self, prefix: str) -> bool:
        return any(p == prefix or p.startswith(prefix + ".") for p in self.items)

    def __bool__(self) -> bool:
        return bool(self.items)

    def raise_if_any(self) -> None:
        if self.items:
            raise ValidationError(self.items)


Cleaner = Callable[[Any, str, Errors, Any], Any]


class Bad(Exception):
    """Raised inside a leaf cleaner; carries the Dutch message."""


def leaf(fn: Callable[[Any, Any], Any], kind: str) -> Cleaner:
    """Wrap ``fn(value, ctx)`` (which raises ``Bad``) as a cleaner; ``kind`` documents the type."""

    def clean(value: Any, path: str, errors: Errors, ctx: Any) -> Any:
        try:
            return fn(value, ctx)
        except Bad as exc:
            errors.add(path, str(exc))
            return INVALID

    clean.kind = kind  # type: ignore[attr-defined]
    return clean


def kind_of(cleaner: Cleaner) -> str:
    return getattr(cleaner, "kind", "?")


# -- leaves ------------------------------------------------------------------------------------------

def text(max_len: int, *, single_line: bool = False) -> Cleaner:
    """A string, stripped (single-line: inner whitespace collapsed); ``None`` becomes ``""``."""

    def fn(value: Any, ctx: Any) -> str:
        if value is None:
            return ""
        if not isinstance(value, str):
            raise Bad("Vul hier tekst in.")
        value = " ".join(value.split()) if single_line else value.strip()
        if "\x00" in value:
            raise Bad("Deze tekst bevat een ongeldig teken.")
        if len(value) > max_len:
            raise Bad(f"Dit is te lang: hoogstens {max_len} tekens.")
        return value

    return leaf(fn, f"text ≤{max_len}")


def opt_text(max_len: int) -> Cleaner:
    """A short single-line string, or ``None`` when empty."""
    inner = text(max_len, single_line=True)

    def clean(value: Any, path: str, errors: Errors, ctx: Any) -> Any:
        out = inner(value, path, errors, ctx)
        return None if out == "" else out

    clean.kind = f"str ≤{max_len} | null"  # type: ignore[attr-defined]
    return clean


def choice(vocab: type[Vocab], message: str = "Kies een van de mogelijkheden.") -> Cleaner:
    codes = frozenset(vocab.codes())

    def fn(value: Any, ctx: Any) -> str:
        if not isinstance(value, str) or value not in codes:
            raise Bad(message)
        return value

    return leaf(fn, f"{vocab.__name__}")


def choices(vocab: type[Vocab], max_items: int | None = None,
            message: str = "Kies alleen uit de mogelijkheden.") -> Cleaner:
    """A list of distinct codes, kept in the order given."""
    codes = frozenset(vocab.codes())
    max_items = max_items or len(codes)

    def fn(value: Any, ctx: Any) -> list[str]:
        if value is None:
            return []
        if not isinstance(value, list | tuple) or any(not isinstance(v, str) or v not in codes for v in value):
            raise Bad(message)
        if len(set(value)) != len(value):
            raise Bad("Elke keuze mag er maar één keer in staan.")
        if len(value) > max_items:
            raise Bad(f"Hoogstens {max_items} keuzes.")
        return list(value)

    return leaf(fn, f"list[{vocab.__name__}]")


def boolean() -> Cleaner:
    def fn(value: Any, ctx: Any) -> bool:
        if type(value) is not bool:
            raise Bad("Kies ja of nee.")
        return value

    return leaf(fn, "bool")


def opt_boolean() -> Cleaner:
    def fn(value: Any, ctx: Any) -> bool | None:
        if value is not None and type(value) is not bool:
            raise Bad("Kies ja, nee of laat leeg.")
        return value

    return leaf(fn, "bool | null")


def check_date(value: Any) -> str:
    if not isinstance(value, str) or not _DATE_RE.match(value):
        raise Bad("Vul een geldige datum in (jjjj-mm-dd).")
    try:
        d = date.fromisoformat(value)
    except ValueError:
        raise Bad("Deze datum bestaat niet.") from None
    if not 1900 <= d.year <= 2100:
        raise Bad("Deze datum ligt buiten 1900–2100.")
    return value


def a_date(*, not_future: bool = False) -> Cleaner:
    def fn(value: Any, ctx: Any) -> str:
        value = check_date(value)
        if not_future and value > local_date(ctx.now).isoformat():
            raise Bad("Deze datum ligt in de toekomst.")
        return value

    return leaf(fn, "date")


def moment(*, not_future: bool = False) -> Cleaner:
    """An int of UTC milliseconds; with ``not_future`` at most ten minutes after ``ctx.now``."""

    def fn(value: Any, ctx: Any) -> int:
        if type(value) is not int:
            raise Bad("Vul een geldig tijdstip in.")
        if not_future and value > ctx.now + FUTURE_SLACK_MS:
            raise Bad("Het tijdstip ligt in de toekomst.")
        if value < EARLIEST_MS:
            raise Bad("Het tijdstip ligt te ver in het verleden.")
        if value >= LATEST_MS:
            raise Bad("Het tijdstip ligt te ver in de toekomst.")
        return value

    return leaf(fn, "ms")


def hhmm() -> Cleaner:
    def fn(value: Any, ctx: Any) -> str:
        if not isinstance(value, str) or not _HHMM_RE.match(value):
            raise Bad("Vul een tijd in als uu:mm, bijvoorbeeld 09:30.")
        return value

    return leaf(fn, "HH:MM")


def record_id_re(value: str) -> bool:
    """Whether a string has the shape of a record id (base64url, at most 64 characters)."""
    return bool(_ID_RE.match(value))


def ref(record_type: str, message: str) -> Cleaner:
    """The id of a live record of ``record_type`` of this client."""

    def fn(value: Any, ctx: Any) -> str:
        if not isinstance(value, str) or not _ID_RE.match(value):
            raise Bad(message)
        if all(rid != value for rid, _ in ctx.records(record_type)):
            raise Bad(message)
        return value

    return leaf(fn, f"id → {record_type}")


def refs(record_type: str, message: str, max_items: int = 50) -> Cleaner:
    single = ref(record_type, message)

    def clean(value: Any, path: str, errors: Errors, ctx: Any) -> Any:
        if value is None:
            return []
        if not isinstance(value, list | tuple) or len(value) > max_items:
            errors.add(path, message)
            return INVALID
        probe = Errors()
        out = [single(v, path, probe, ctx) for v in value]
        if probe:
            errors.add(path, message)
            return INVALID
        if len(set(out)) != len(out):
            errors.add(path, "Iedereen mag er maar één keer in staan.")
            return INVALID
        return out

    clean.kind = f"list[id → {record_type}]"  # type: ignore[attr-defined]
    return clean


def names(max_items: int, max_len: int = 120) -> Cleaner:
    """A list of short non-empty strings (names or ids)."""
    item = text(max_len, single_line=True)

    def clean(value: Any, path: str, errors: Errors, ctx: Any) -> Any:
        if value is None:
            return []
        if not isinstance(value, list | tuple):
            errors.add(path, "Vul hier een lijst in.")
            return INVALID
        if len(value) > max_items:
            errors.add(path, f"Hoogstens {max_items}.")
            return INVALID
        out = []
        for i, v in enumerate(value):
            c = item(v, f"{path}.{i}", errors, ctx)
            if c == "":
                errors.add(f"{path}.{i}", "Vul een naam in.")
            out.append(c)
        return INVALID if errors.has(path) else out

    clean.kind = f"list[str ≤{max_len}]"  # type: ignore[attr-defined]
    return clean


def code_map(keys: type[Vocab], values: type[Vocab]) -> Cleaner:
    """A dict from codes of ``keys`` to codes of ``values`` (a checklist)."""
    kset, vset = frozenset(keys.codes()), frozenset(values.codes())

    def fn(value: Any, ctx: Any) -> dict[str, str]:
        if value is None:
            return {}
        if not isinstance(value, dict):
            raise Bad("Dit is geen geldige lijst.")
        if any(k not in kset for k in value):
            raise Bad("Deze lijst bevat een onbekend onderdeel.")
        if any(not isinstance(v, str) or v not in vset for v in value.values()):
            raise Bad("Kies voor elk onderdeel een status.")
        order = keys.codes()
        return {k: value[k] for k in order if k in value}

    return leaf(fn, f"dict[{keys.__name__} → {values.__name__}]")
