"""The pull's fast paths give exactly the bytes and answers of the general ones."""

import os

import pytest

from field_app.crypto import wire
from field_app.crypto.envelope import EnvelopeError, open_envelope, seal
from field_app.crypto.identity import DeviceIdentity, new_id


def _envelope(ident, team, key, i=1):
    op = {"type": "contact", "record_id": f"r{i}", "client_id": "c", "kind": "create", "hlc": [i, 0, "d"],
          "author_user": "Test (fictief)", "fields": {"report": "ü é — ‘x’ " * 40}}
    return seal(op, team=team, epoch=1, epoch_key=key, identity=ident, op_id=new_id(), device_seq=i,
                prev_hash=os.urandom(32), ledger_head=os.urandom(32))


def test_signed_bytes_and_aad_equal_the_general_functions():
    ident, team, key = DeviceIdentity.generate(), new_id(), os.urandom(32)
    parts = wire.unpack(_envelope(ident, team, key))
    assert parts.signed_bytes() == wire.signed_bytes(parts.header, parts.wrapped_key, parts.ciphertext)
    assert parts.aad() == wire.aad(parts.header)
    from field_app.crypto.canonical import b64d

    for name in ("team", "op_id", "device", "prev_hash", "ledger_head"):
        assert getattr(parts, name) == b64d(parts.header[name])


def test_unpack_of_equal_bytes_is_the_same_and_a_changed_byte_is_not():
    ident, team, key = DeviceIdentity.generate(), new_id(), os.urandom(32)
    env = _envelope(ident, team, key)
    assert wire.unpack(env) is wire.unpack(bytes(bytearray(env)))
    for i in range(0, len(env), 7):
        bad = bytearray(env)
        bad[i] ^= 0x01
        try:
            parts = wire.unpack(bytes(bad))
        except wire.EnvelopeFormatError:
            continue
        assert parts != wire.unpack(env)


def test_open_with_signature_checked_still_refuses_a_changed_ciphertext():
    ident, team, key = DeviceIdentity.generate(), new_id(), os.urandom(32)
    env = bytearray(_envelope(ident, team, key))
    env[-100] ^= 0x01  # inside the ciphertext: the AEAD refuses it even without the signature check
    with pytest.raises(EnvelopeError):
        open_envelope(bytes(env), team=team, sender_ed25519=ident.ed25519_pub, epoch_keys={1: key},
                      signature_checked=True)
    with pytest.raises(EnvelopeError):
        open_envelope(bytes(env), team=team, sender_ed25519=ident.ed25519_pub, epoch_keys={1: key})


def _reframed(env: bytes, header_bytes: bytes) -> bytes:
    parts = wire.unpack(env)
    import struct

    return b"".join([wire.MAGIC, struct.pack(">I", len(header_bytes)), header_bytes, parts.wrapped_key,
                     struct.pack(">I", len(parts.ciphertext)), parts.ciphertext, parts.signature])


@pytest.mark.parametrize("change", [
    lambda h: h.replace(b'","device":', b'", "device":'),  # whitespace
    lambda h: h.replace(b'"v":1}', b'"v":1,"v":1}'),  # a key twice
    lambda h: b'{"v":1,' + h[1:-7] + b"}",  # keys out of order
    lambda h: h.replace(b'"epoch":1', b'"epoch":1.0'),  # a float
    lambda h: h.replace(b'"epoch":1', b'"epoch":01'),  # not JSON
    lambda h: h.replace(b'"epoch":1', b'"epoch":true'),  # a boolean for an integer
    lambda h: h.replace(b'"v":1}', b'"v":1,"x":1}'),  # a field too many
])
def test_a_header_that_is_not_canonical_is_refused(change):
    ident, team, key = DeviceIdentity.generate(), new_id(), os.urandom(32)
    env = _envelope(ident, team, key)
    header = wire.unpack(env).header_bytes
    changed = change(header)
    assert changed != header
    with pytest.raises(wire.EnvelopeFormatError):
        wire.unpack(_reframed(env, changed))


def test_an_escaped_character_in_a_header_id_is_refused():
    """``\\u0041`` parses to "A": the same value, other bytes (the encoder never escapes base64url)."""
    ident, team, key = DeviceIdentity.generate(), new_id(), os.urandom(32)
    env = _envelope(ident, team, key)
    header = wire.unpack(env).header_bytes
    value = wire.unpack(env).header["device"]
    escaped = header.replace(b'"device":"' + value[0].encode(), b'"device":"\\u%04x' % ord(value[0]))
    assert escaped != header
    with pytest.raises(wire.EnvelopeFormatError):
        wire.unpack(_reframed(env, escaped))


def _general(header_bytes: bytes):
    """The general way: parse, write again and compare, then check each field (what unpack did before)."""
    from field_app.crypto.canonical import CanonicalError, canonical_loads

    try:
        header = canonical_loads(header_bytes)
    except CanonicalError:
        return None
    ids: dict = {}
    try:
        wire._check_header(header, ids)
    except wire.EnvelopeFormatError:
        return None
    return header, ids


def _fast(header_bytes: bytes):
    try:
        return wire._read_header(header_bytes)
    except wire.EnvelopeFormatError:
        return None


def test_the_header_pattern_takes_exactly_what_the_general_check_takes():
    """Every header byte string altered at random (a byte changed, removed or added, digits, escapes, keys
    moved, big numbers): the pattern accepts it exactly when parsing, writing again and checking each field
    does, and then gives the same header (keys in the same order) and ids."""
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    ident, team, key = DeviceIdentity.generate(), new_id(), os.urandom(32)
    base = wire.unpack(_envelope(ident, team, key, 12)).header_bytes
    pieces = [b"\\u0041", b" ", b"0", b"9", b"-", b"_", b"=", b"+", b"/", b'"', b",", b":", b"{", b"}", b"1.0", b"A",
              b"w", b"Q", b"9007199254740993", b"9007199254740992", b"true", b"\xc3\xa9", b"\x00"]

    @settings(max_examples=3000, derandomize=True, suppress_health_check=list(HealthCheck), deadline=None)
    @given(st.lists(st.tuples(st.integers(0, len(base)), st.integers(0, 3), st.sampled_from(pieces)), max_size=3))
    def check(edits):
        raw = base
        for at, how, piece in edits:
            at = min(at, len(raw))
            if how == 0:
                raw = raw[:at] + piece + raw[at:]
            elif how == 1:
                raw = raw[:at] + raw[at + 1:]
            elif how == 2:
                raw = raw[:at] + piece + raw[at + len(piece):]
            else:
                raw = raw.replace(b'"device_seq":12', b'"device_seq":' + piece)
        general, fast = _general(raw), _fast(raw)
        assert (general is None) == (fast is None), raw
        if fast is not None:
            assert list(fast[0].items()) == list(general[0].items()) and fast[1] == general[1]

    check()


@pytest.mark.parametrize("seq", [1, 9, 10, 2**53])
def test_the_header_pattern_reads_valid_headers_as_the_general_check(seq):
    ident, team, key = DeviceIdentity.generate(), new_id(), os.urandom(32)
    raw = wire.unpack(_envelope(ident, team, key, seq)).header_bytes
    assert _fast(raw) == _general(raw) and _fast(raw) is not None
    assert _fast(raw.replace(b'"device_seq":%d' % seq, b'"device_seq":%d' % (2**53 + 1))) is None


def test_the_header_pattern_and_the_general_check_agree_on_every_last_character_of_every_id():
    """The last character of an id carries spare bits: only some characters are canonical."""
    import string

    ident, team, key = DeviceIdentity.generate(), new_id(), os.urandom(32)
    parts = wire.unpack(_envelope(ident, team, key, 3))
    alphabet = string.ascii_letters + string.digits + "-_"
    for name in ("commit_tag", "device", "ledger_head", "op_id", "prev_hash", "team"):
        value = parts.header[name]
        for c in alphabet:
            raw = parts.header_bytes.replace(f'"{name}":"{value}"'.encode(), f'"{name}":"{value[:-1]}{c}"'.encode())
            general, fast = _general(raw), _fast(raw)
            assert (general is None) == (fast is None), (name, c)
            assert fast is None or fast == general
