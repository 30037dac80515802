"""Pinned bytes: the one way Veldwerk turns a value into bytes that are signed, MACed or used as AAD.

    pinned("login", {...}) == b"veldwerk/login/v1\\0" + canonical_json({...})

Canonical JSON: object keys sorted, no whitespace, UTF-8 (not ASCII-escaped), integers only (no floats),
``bytes`` written as unpadded base64url strings. Because every purpose has its own prefix, a signature
made for one purpose can never verify as another (login != envelope != ledger entry != grant).
"""

from __future__ import annotations

import binascii
import json
from typing import Any

__all__ = ["b64e", "b64d", "canonical_json", "canonical_loads", "pinned", "CanonicalError", "join_id_values"]


class CanonicalError(ValueError):
    """A value that has no canonical form (a float, a non-string key, an unknown type)."""


# base64url <-> standard alphabet, for binascii (the hot path of every envelope on client and server;
# ``base64.urlsafe_b64*`` does the same through more Python layers, and re-encoded to check). Decoding maps
# the standard alphabet's "+" and "/" and any "=" to "!", which strict decoding refuses.
_TO_STD = bytes.maketrans(b"-_+/=", b"+/!!!")
_TO_URL = bytes.maketrans(b"+/", b"-_")
_PADS = (b"", b"===", b"==", b"=")
# The last character of a canonical encoding leaves no bits set beyond the data: with 2 characters in the
# last group (1 byte) its low 4 bits are 0, with 3 (2 bytes) its low 2 bits.
_LAST_OK = {2: frozenset(b"AQgw"), 3: frozenset(b"AEIMQUYcgkosw048")}


def _b64e_std(data: bytes) -> str:
    return binascii.b2a_base64(data, newline=False).translate(_TO_URL).rstrip(b"=").decode("ascii")


def _b64d_std(encoded: bytes, rest: int) -> bytes:
    return binascii.a2b_base64(encoded.translate(_TO_STD) + _PADS[rest], strict_mode=True)


def _b64e_fast(data: bytes) -> str:
    return _pybase64.b64encode_as_string(data, altchars=b"-_").rstrip("=")


def _b64d_fast(encoded: bytes, rest: int) -> bytes:
    # pybase64 with altchars still takes "+" and "/" (and a "=" the padding makes look right): refused first
    if b"+" in encoded or b"/" in encoded or b"=" in encoded:
        raise binascii.Error("not base64url")
    return _pybase64.b64decode(encoded + _PADS[rest], altchars=b"-_", validate=True)


try:  # SIMD base64 (the ``fast`` extra: server and desktop); the phone build and the compat run go without
    import pybase64 as _pybase64
except ImportError:  # pragma: no cover - the compat run covers it
    _pybase64 = None
try:  # the same extra: canonical JSON read by orjson, checked against the standard library's answers
    import orjson as _orjson
except ImportError:  # pragma: no cover - the compat run covers it
    _orjson = None
# The same answers either way (tests/unit/test_canonical_fast.py); pybase64 is about ten times faster on an
# envelope (2.5 KB: 17 -> 1.5 us to decode, 15 -> 1 us to encode), which every push and pull does per envelope.
_encode, _decode = (_b64e_fast, _b64d_fast) if _pybase64 is not None else (_b64e_std, _b64d_std)


def b64e(data: bytes) -> str:
    """Unpadded base64url."""
    return _encode(data)


def b64d(text: str) -> bytes:
    """Strict inverse of :func:`b64e`; raises ``ValueError`` on anything else (padding, other alphabet,
    stray characters, trailing bits that :func:`b64e` never writes)."""
    if not isinstance(text, str):
        raise ValueError("not unpadded base64url")
    try:
        encoded = text.encode("ascii")
    except UnicodeEncodeError as exc:
        raise ValueError("not unpadded base64url") from exc
    rest = len(encoded) % 4
    if rest and (rest == 1 or encoded[-1] not in _LAST_OK[rest]):
        raise ValueError("not canonical base64url")
    try:
        return _decode(encoded, rest)
    except (binascii.Error, ValueError) as exc:
        raise ValueError("not unpadded base64url") from exc


# Nothing this project writes nests deeper than a handful of levels. A value nested deeper is refused
# (CanonicalError) instead of running out of Python's recursion (a 500 from the server's ledger and grant
# routes, found by fuzzing) or being stored and breaking every later answer that holds it.
MAX_DEPTH = 64


def _normalise(value: Any, depth: int = 0) -> Any:
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, (bytes, bytearray, memoryview)):
        return b64e(bytes(value))
    if depth >= MAX_DEPTH and isinstance(value, (dict, list, tuple)):
        raise CanonicalError(f"nested deeper than {MAX_DEPTH} levels")
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            if not isinstance(key, str):
                raise CanonicalError(f"object key must be a string, got {type(key).__name__}")
            out[key] = _normalise(item, depth + 1)
        return out
    if isinstance(value, (list, tuple)):
        return [_normalise(item, depth + 1) for item in value]
    if isinstance(value, float):
        raise CanonicalError("floats have no canonical form; use integers (e.g. milliseconds)")
    raise CanonicalError(f"no canonical form for {type(value).__name__}")


def canonical_json(value: Any) -> bytes:
    """Canonical JSON bytes of ``value`` (see module docstring)."""
    text = _ENCODER.encode(_normalise(value))
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        # A lone surrogate has no UTF-8: the standard JSON parser takes "\ud800" (orjson does not), so a
        # server without the ``fast`` extra answered a grant or ledger entry holding one with a 500.
        raise CanonicalError("a string is not valid Unicode") from None


def _no_float(text: str) -> Any:
    raise CanonicalError("floats have no canonical form")


# Made once: ``json.dumps``/``json.loads`` with options build a new encoder/decoder on every call.
_ENCODER = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
_DECODER = json.JSONDecoder(parse_float=_no_float, parse_constant=_no_float)


def canonical_loads(raw: bytes) -> Any:
    """Parse ``raw`` and check that it is the canonical JSON of what it holds (:func:`canonical_json` of
    the value gives the same bytes); :class:`CanonicalError` otherwise (also for invalid UTF-8 or JSON).

    The same answer as ``canonical_json(json.loads(raw)) == raw``, without the normalising walk: a value
    parsed with floats and NaN/Infinity refused holds only dicts with string keys, lists, strings, ints,
    booleans and None, which :func:`canonical_json` writes as ``json.dumps`` does."""
    if _orjson is not None:
        value = _fast_loads(raw)
        if value is not _NO:
            return value
    return _std_loads(raw)


_NO = object()


def _has_float(value: Any) -> bool:
    stack = [value]
    while stack:
        item = stack.pop()
        kind = type(item)
        if kind is dict:
            stack.extend(item.values())
        elif kind is list:
            stack.extend(item)
        elif kind is float:
            return True
    return False


def _fast_loads(raw: bytes) -> Any:
    """The value when orjson reads ``raw`` and writes exactly ``raw`` again with no float in it, else
    ``_NO`` (then the standard way decides, and says why). orjson writes every string, integer and key order
    as ``json.dumps`` does (tests/unit/test_canonical_fast.py checks every character), so what passes here
    is what :func:`_std_loads` takes, with the same value; the rest (floats, integers beyond 64 bits, lone
    surrogates, other spellings) goes the standard way. About 3.5 us for an operation of 1.3 KB against 12:
    every pulled envelope's plaintext is checked."""
    try:
        value = _orjson.loads(raw)
        if _orjson.dumps(value, option=_orjson.OPT_SORT_KEYS) != raw or _has_float(value):
            return _NO
    except (TypeError, ValueError):  # orjson.JSONDecodeError and JSONEncodeError are these
        return _NO
    return value


def _std_loads(raw: bytes) -> Any:
    try:
        text = raw.decode("utf-8")
        value = _DECODER.decode(text)
        again = _ENCODER.encode(value)
    except CanonicalError:
        raise
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:  # JSONDecodeError is a ValueError
        raise CanonicalError("not JSON") from exc
    if again != text:  # compared as text: UTF-8 is one-to-one, so the bytes are equal exactly when these are
        raise CanonicalError("not canonical")
    return value


def pinned(purpose: str, value: Any) -> bytes:
    """``b"veldwerk/<purpose>/v1\\0"`` followed by the canonical JSON of ``value``."""
    if not purpose or "/" in purpose or "\0" in purpose:
        raise CanonicalError("bad purpose")
    return b"veldwerk/" + purpose.encode("ascii") + b"/v1\0" + canonical_json(value)


def join_id_values(argv: list[str], options: tuple[str, ...]) -> list[str]:
    """``--device -AbC…`` → ``--device=-AbC…`` for the command-line ``options`` whose values are base64url
    ids: about one id in 64 starts with "-", and argparse takes such a value for an option of its own."""
    out: list[str] = []
    i = 0
    while i < len(argv):
        if argv[i] in options and i + 1 < len(argv):
            out.append(f"{argv[i]}={argv[i + 1]}")
            i += 2
        else:
            out.append(argv[i])
            i += 1
    return out
