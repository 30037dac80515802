"""Field types of the wire models as both the validators and the OpenAPI description state them: canonical
unpadded base64url of a number of bytes (pattern and length in the schema, ``b64d`` in the validator),
integer query parameters that the routes parse themselves, and JSON's whole numbers."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import AfterValidator, StringConstraints, WithJsonSchema

from field_app.crypto.canonical import b64d

__all__ = ["b64_chars", "b64_pattern", "b64_type", "query_int_schema", "whole_number"]


def _b64_of(min_len: int, max_len: int | None = None):
    max_len = min_len if max_len is None else max_len

    def check(value: str) -> str:
        try:
            raw = b64d(value)
        except ValueError:
            raise ValueError("must be unpadded base64url") from None
        if not min_len <= len(raw) <= max_len:
            size = f"{min_len}" if min_len == max_len else f"{min_len}-{max_len}"
            raise ValueError(f"must encode {size} bytes")
        return value

    return check


def b64_chars(max_bytes: int) -> int:
    return -(-max_bytes * 4 // 3)


# The OpenAPI description states exactly what the validators accept: canonical unpadded base64url of a
# given number of bytes (b64d refuses non-zero trailing bits, so the last character of a 1- or 2-byte
# tail is one of 4 or 16). tests/server/test_openapi.py checks these patterns against the validators.
_B64 = "[A-Za-z0-9_-]"
_LAST = {1: "[AQgw]", 2: "[AEIMQUYcgkosw048]"}


def b64_pattern(min_bytes: int, max_bytes: int | None = None) -> str:
    """A JSON Schema pattern for canonical unpadded base64url of ``min_bytes``-``max_bytes`` bytes: one
    alternative per tail length (0, 1 or 2 bytes after the last full group of 3)."""
    max_bytes = min_bytes if max_bytes is None else max_bytes
    alternatives = []
    for rest in (0, 1, 2):
        counts = [n // 3 for n in range(min_bytes, max_bytes + 1) if n % 3 == rest]
        if not counts:
            continue
        low, high = counts[0], counts[-1]
        repeat = f"{{{low}}}" if low == high else f"{{{low},{high}}}"
        groups = f"(?:{_B64}{{4}}){repeat}" if high else ""
        alternatives.append(groups + ((_B64 * rest) + _LAST[rest] if rest else ""))
    return "^(?:" + "|".join(alternatives) + ")$"


def _b64_schema(min_bytes: int, max_bytes: int | None = None) -> WithJsonSchema:
    max_bytes = min_bytes if max_bytes is None else max_bytes
    return WithJsonSchema({
        "type": "string", "minLength": b64_chars(min_bytes), "maxLength": b64_chars(max_bytes),
        "pattern": b64_pattern(min_bytes, max_bytes), "contentEncoding": "base64url",
    })


def b64_type(min_bytes: int, max_bytes: int | None = None) -> Any:
    max_bytes = min_bytes if max_bytes is None else max_bytes
    return Annotated[
        str,
        StringConstraints(min_length=b64_chars(min_bytes), max_length=b64_chars(max_bytes)),
        AfterValidator(_b64_of(min_bytes, max_bytes)),
        _b64_schema(min_bytes, max_bytes),
    ]


def query_int_schema(minimum: int, maximum: int) -> WithJsonSchema:
    """What a paging query parameter accepts (``routes.deps.query_int`` parses the text itself, so that a
    bad value answers 422 ``bad_query``): a decimal integer from ``minimum`` to ``maximum``."""
    return WithJsonSchema({"type": "integer", "minimum": minimum, "maximum": maximum})


def whole_number(value: Any) -> Any:
    """JSON has one number type: OpenAPI 3.1 (JSON Schema 2020-12) counts ``7.0`` as the integer 7, and so
    does the server. Fractions and everything that is not a number still fail the strict ``int``."""
    return int(value) if type(value) is float and value.is_integer() else value
