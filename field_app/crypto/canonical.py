"""Pinned bytes: the one way Veldwerk turns a value into bytes that are signed, MACed or used as AAD.

    pinned("login", {...}) == b"veldwerk/login/v1\\0" + canonical_json({...})

Canonical JSON: object keys sorted, no whitespace, UTF-8 (not ASCII-escaped), integers only (no floats),
``bytes`` written as unpadded base64url strings. Because every purpose has its own prefix, a signature
made for one purpose can never verify as another (login != envelope != ledger entry != grant).
"""

from __future__ import annotations

import base64
import json
from typing import Any

__all__ = ["b64e", "b64d", "canonical_json", "pinned", "CanonicalError"]


class CanonicalError(ValueError):
    """A value that has no canonical form (a float, a non-string key, an unknown type)."""


def b64e(data: bytes) -> str:
    """Unpadded base64url."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64d(text: str) -> bytes:
    """Strict inverse of :func:`b64e`; raises ``ValueError`` on anything else (padding, other alphabet)."""
    if not isinstance(text, str) or "=" in text:
        raise ValueError("not unpadded base64url")
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (ValueError, TypeError) as exc:
        raise ValueError("not unpadded base64url") from exc
    if b64e(raw) != text:  # rejects non-canonical trailing bits and stray characters
        raise ValueError("not canonical base64url")
    return raw


def _normalise(value: Any) -> Any:
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, (bytes, bytearray, memoryview)):
        return b64e(bytes(value))
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            if not isinstance(key, str):
                raise CanonicalError(f"object key must be a string, got {type(key).__name__}")
            out[key] = _normalise(item)
        return out
    if isinstance(value, (list, tuple)):
        return [_normalise(item) for item in value]
    if isinstance(value, float):
        raise CanonicalError("floats have no canonical form; use integers (e.g. milliseconds)")
    raise CanonicalError(f"no canonical form for {type(value).__name__}")


def canonical_json(value: Any) -> bytes:
    """Canonical JSON bytes of ``value`` (see module docstring)."""
    return json.dumps(
        _normalise(value), sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")


def pinned(purpose: str, value: Any) -> bytes:
    """``b"veldwerk/<purpose>/v1\\0"`` followed by the canonical JSON of ``value``."""
    if not purpose or "/" in purpose or "\0" in purpose:
        raise CanonicalError("bad purpose")
    return b"veldwerk/" + purpose.encode("ascii") + b"/v1\0" + canonical_json(value)
