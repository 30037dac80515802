"""base64url through pybase64 (the ``fast`` extra) gives exactly the answers of the standard library way:
the same text for every byte string, the same bytes or the same refusal for every text. Without pybase64
(the compat run, as on a phone) only the standard way exists and this file checks it alone."""

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
