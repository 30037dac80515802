"""base64url through pybase64 (the ``fast`` extra) gives exactly the answers of the standard library way:
the same text for every byte string, the same bytes or the same refusal for every text. Without pybase64
(the compat run, as on a phone) only the standard way exists and this file checks it alone."""

import json
import os
import string

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from field_app.crypto import canonical

HAVE_FAST = canonical._pybase64 is not None


def _std_decode(text: str) -> bytes | None:
    try:
        encoded = text.encode("ascii")
    except UnicodeEncodeError:
        return None
    rest = len(encoded) % 4
    if rest and (rest == 1 or encoded[-1] not in canonical._LAST_OK[rest]):
        return None
    try:
        return canonical._b64d_std(encoded, rest)
    except ValueError:
        return None


def _decoded(text: str) -> bytes | None:
    try:
        return canonical.b64d(text)
    except ValueError:
        return None


@settings(max_examples=2000, derandomize=True, deadline=None)
@given(st.binary(max_size=300))
def test_encoding_is_the_standard_one(data):
    assert canonical.b64e(data) == canonical._b64e_std(data)
    assert canonical.b64d(canonical.b64e(data)) == data


TEXT = st.text(alphabet=string.ascii_letters + string.digits + "-_+/= \n\t!.é\x00", max_size=40)


@settings(max_examples=4000, derandomize=True, deadline=None)
@given(TEXT)
def test_decoding_takes_and_refuses_what_the_standard_way_does(text):
    assert _decoded(text) == _std_decode(text), text


@pytest.mark.parametrize("size", [0, 1, 2, 3, 16, 32, 2552])
def test_every_changed_character_of_a_valid_text_is_judged_the_same(size):
    text = canonical.b64e(os.urandom(size))
    for i in range(0, len(text), max(1, len(text) // 40)):
        for c in "+/=_-A0 é":
            changed = text[:i] + c + text[i + 1:]
            assert _decoded(changed) == _std_decode(changed), (i, c)
    for extra in ("=", "==", "A", " ", "\n"):
        assert _decoded(text + extra) == _std_decode(text + extra)


@pytest.mark.skipif(not HAVE_FAST, reason="pybase64 not installed (compat run)")
def test_the_fast_way_is_in_use_where_pybase64_is_installed():
    assert canonical._decode is canonical._b64d_fast and canonical._encode is canonical._b64e_fast


# -- canonical JSON read through orjson (the same extra) ------------------------------------------------------

HAVE_ORJSON = canonical._orjson is not None
needs_orjson = pytest.mark.skipif(not HAVE_ORJSON, reason="without the fast extra only the standard way exists")


def _std_answer(raw: bytes):
    try:
        return ("value", canonical._std_loads(raw))
    except canonical.CanonicalError:
        return ("refused", None)


def _answer(raw: bytes):
    try:
        return ("value", canonical.canonical_loads(raw))
    except canonical.CanonicalError:
        return ("refused", None)


@needs_orjson
def test_orjson_writes_every_character_as_the_standard_library_does():
    """The fast path takes a text only when orjson writes it again byte for byte; that is safe only because
    orjson spells every string as ``json.dumps(ensure_ascii=False)`` does: every code point checked."""
    import orjson

    text = "".join(chr(c) for c in range(0x110000) if not 0xD800 <= c <= 0xDFFF)
    assert orjson.dumps(text) == canonical.canonical_json(text)
    keys = {chr(c): c for c in (0, 0x1F, 0x22, 0x41, 0x5C, 0x61, 0x7F, 0xE9, 0x2028, 0xFFFF, 0x10000, 0x10FFFF)}
    assert orjson.dumps(keys, option=orjson.OPT_SORT_KEYS) == canonical.canonical_json(keys)


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False) | st.text(max_size=12),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4),
    max_leaves=20)


@needs_orjson
@settings(max_examples=3000, derandomize=True, deadline=None)
@given(JSON_VALUES, st.integers(min_value=0, max_value=10_000), st.sampled_from(
    [b"", b" ", b".0", b"e1", b"\\/", b"\\u00e9", b"\\ud800", b"0", b"-", b"\xff", b"\\u001F", b"\"", b","]))
def test_the_fast_reading_takes_and_refuses_what_the_standard_way_does(value, where, insert):
    raw = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    assert _answer(raw) == _std_answer(raw), raw
    at = where % (len(raw) + 1)
    changed = raw[:at] + insert + raw[at:]
    assert _answer(changed) == _std_answer(changed), changed


@needs_orjson
@pytest.mark.parametrize("raw", [
    b"-0", b"1.0", b"1e5", b"[1.5]", b'{"a":0.1}', b"18446744073709551615", b"18446744073709551616",
    b"-9223372036854775809", b"123456789012345678901234567890", b'"\\ud800"', b'"\\ud83d\\ude00"', b'{"a":1,"a":2}',
    b'{"b":1,"a":2}', b"[" * 300 + b"]" * 300, b"[" * 2000 + b"]" * 2000, b'"\\/"', b'"\\u001f"', b'"\\u001F"',
    b'"\x7f"', b"NaN", b"Infinity", b"", b"nul", b'"\xc3"', b"\xef\xbb\xbf{}", b'{"a":[true,false,null]}'])
def test_edges_of_the_fast_reading(raw):
    assert _answer(raw) == _std_answer(raw), raw
