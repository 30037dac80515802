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
