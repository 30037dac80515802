"""Envelopes: seal/open roundtrip and every way of tampering with one."""

from __future__ import annotations

import hashlib
import os
from typing import Any

import pytest

from field_app.crypto import envelope as env_mod
from field_app.crypto import wire
from field_app.crypto.canonical import b64d, b64e, canonical_json
from field_app.crypto.envelope import EnvelopeError, MissingEpochKey, header_of, open_envelope, seal
from field_app.crypto.identity import DeviceIdentity

TEAM = bytes(range(16))
EPOCH_KEY = b"\xe1" * 32
SENDER = DeviceIdentity.generate()
OTHER = DeviceIdentity.generate()
OP = {
    "type": "contact",
    "record_id": b64e(b"r" * 16),
    "client_id": b64e(b"c" * 16),
    "kind": "create",
    "fields": {"notitie": "Gesprek op kantoor, afspraken nagekomen."},
    "hlc": "1767225600000:0:x",
    "author_user": "u1",
}


def make(op: dict[str, Any] | None = None, **overrides: Any) -> bytes:
    args: dict[str, Any] = dict(
        team=TEAM,
        epoch=1,
        epoch_key=EPOCH_KEY,
        identity=SENDER,
        op_id=os.urandom(16),
        device_seq=1,
        prev_hash=bytes(32),
        ledger_head=b"\x11" * 32,
    )
    args.update(overrides)
    return seal(dict(OP) if op is None else op, **args)


def open_(envelope: bytes, **overrides: Any) -> dict[str, Any]:
    args: dict[str, Any] = dict(team=TEAM, sender_ed25519=SENDER.ed25519_pub, epoch_keys={1: EPOCH_KEY})
    args.update(overrides)
    return open_envelope(envelope, **args)


def refused(envelope: bytes, **overrides: Any) -> EnvelopeError:
    """Assert the envelope does not open, and not as 'missing key' (which would park it as authentic)."""
    with pytest.raises(EnvelopeError) as info:
        open_(envelope, **overrides)
    assert not isinstance(info.value, MissingEpochKey)
    return info.value


def resign(header: dict[str, Any], wrapped: bytes, ciphertext: bytes, who: DeviceIdentity = SENDER) -> bytes:
    return wire.pack(header, wrapped, ciphertext, who.sign(wire.signed_bytes(header, wrapped, ciphertext)))


# --- the happy path ------------------------------------------------------------------------------------


def test_roundtrip_returns_the_operation_with_its_op_id() -> None:
    op_id = os.urandom(16)
    envelope = make(op_id=op_id)
    assert open_(envelope) == {**OP, "op_id": b64e(op_id)}
    assert open_(envelope, sender_device=SENDER.device_id)["op_id"] == b64e(op_id)


def test_header_is_clear_and_carries_only_routing_data() -> None:
    op_id = os.urandom(16)
    envelope = make(op_id=op_id, device_seq=7, epoch=3, epoch_key=EPOCH_KEY)
    header = header_of(envelope)
    assert set(header) == set(wire.HEADER_FIELDS)
    assert header["op_id"] == b64e(op_id) and header["device_seq"] == 7 and header["epoch"] == 3
    assert header["device"] == b64e(SENDER.device_id) and header["team"] == b64e(TEAM)
    # Nothing of the content leaks into the clear bytes.
    assert (
        b"Gesprek" not in envelope and b"contact" not in envelope and OP["record_id"].encode() not in envelope
    )


def test_seal_does_not_mutate_the_callers_dict() -> None:
    op = dict(OP)
    make(op)
    assert op == OP and "op_id" not in op


def test_seal_refuses_an_op_with_a_different_op_id() -> None:
    op_id = os.urandom(16)
    assert open_(make({**OP, "op_id": b64e(op_id)}, op_id=op_id))["op_id"] == b64e(op_id)
    with pytest.raises(EnvelopeError):
        make({**OP, "op_id": b64e(os.urandom(16))})


def test_same_operation_seals_to_different_bytes() -> None:
    op_id = os.urandom(16)
    assert make(op_id=op_id) != make(op_id=op_id)


def test_deterministic_with_rng_hook() -> None:
    def rng_factory():
        counter = iter(range(1, 1000))
        return lambda n: bytes([next(counter)]) * n

    op_id = b"o" * 16
    assert make(op_id=op_id, _rng=rng_factory()) == make(op_id=op_id, _rng=rng_factory())


@pytest.mark.parametrize(
    ("size", "bucket"), [(0, 512), (200, 512), (600, 1024), (5000, 8192), (70_000, 131072)]
)
def test_plaintext_is_padded_to_a_size_bucket(size: int, bucket: int) -> None:
    envelope = make({**OP, "fields": {"notitie": "x" * size}})
    ciphertext = wire.unpack(envelope).ciphertext
    assert len(ciphertext) == 12 + bucket + 16
    assert open_(envelope)["fields"]["notitie"] == "x" * size


def test_pad_unpad() -> None:
    for data in (b"", b"a", b"x" * 508, b"x" * 509, b"y" * 3000):
        padded = env_mod.pad(data)
        assert len(padded) >= 512 and len(padded) & (len(padded) - 1) == 0
        assert env_mod.unpad(padded) == data
    with pytest.raises(EnvelopeError):
        env_mod.unpad(env_mod.pad(b"abc")[:-1] + b"\x01")  # non-zero filler
    with pytest.raises(EnvelopeError):
        env_mod.unpad(env_mod.pad(b"abc") + bytes(512))  # not the smallest bucket


def test_too_large_an_operation_is_refused_and_the_largest_fits() -> None:
    with pytest.raises(EnvelopeError):
        make({**OP, "fields": {"notitie": "x" * (128 * 1024)}})
    filler = env_mod.MAX_PLAINTEXT - len(
        canonical_json({**OP, "fields": {"notitie": ""}, "op_id": b64e(bytes(16))})
    )
    envelope = make({**OP, "fields": {"notitie": "x" * filler}})
    assert len(envelope) <= env_mod.MAX_ENVELOPE


def test_float_in_operation_is_refused() -> None:
    with pytest.raises(EnvelopeError):
        make({**OP, "fields": {"score": 0.5}})


@pytest.mark.parametrize(
    "override",
    [
        {"team": b"short"},
        {"op_id": b"x" * 15},
        {"epoch": 0},
        {"device_seq": 0},
        {"epoch_key": b"k" * 16},
        {"prev_hash": b"p" * 31},
        {"ledger_head": None},
        {"epoch": True},
    ],
)
def test_bad_seal_arguments_are_refused(override: dict[str, Any]) -> None:
    with pytest.raises(EnvelopeError):
        make(**override)


# --- opening refuses -----------------------------------------------------------------------------------


def test_missing_epoch_key_is_reported_as_such() -> None:
    envelope = make(epoch=2)
    with pytest.raises(MissingEpochKey) as info:
        open_(envelope, epoch_keys={1: EPOCH_KEY})
    assert info.value.epoch == 2
    assert isinstance(info.value, EnvelopeError)


def test_wrong_epoch_key_fails() -> None:
    refused(make(), epoch_keys={1: b"\xe2" * 32})


def test_wrong_team_fails() -> None:
    refused(make(), team=bytes(16))


def test_wrong_sender_key_fails() -> None:
    refused(make(), sender_ed25519=OTHER.ed25519_pub)


def test_wrong_sender_device_fails() -> None:
    refused(make(), sender_device=OTHER.device_id)


def _changed(name: str, value: Any) -> Any:
    if name == "v":
        return 2
    if name in ("epoch", "device_seq"):
        return value + 1
    raw = bytearray(b64d(value))
    raw[0] ^= 1
    return b64e(bytes(raw))


@pytest.mark.parametrize("name", wire.HEADER_FIELDS)
def test_changing_any_header_field_fails(name: str) -> None:
    parts = wire.unpack(make())
    header = dict(parts.header)
    header[name] = _changed(name, header[name])
    keys = {1: EPOCH_KEY, 2: EPOCH_KEY}  # so a changed epoch cannot hide behind "missing key"
    refused(wire.pack(header, parts.wrapped_key, parts.ciphertext, parts.signature), epoch_keys=keys)


@pytest.mark.parametrize("name", [n for n in wire.HEADER_FIELDS if n != "v"])
def test_resigning_a_changed_header_with_the_right_key_still_fails(name: str) -> None:
    """The sender's own key cannot move a sealed body under another header: the header is the AAD."""
    parts = wire.unpack(make())
    header = dict(parts.header)
    header[name] = _changed(name, header[name])
    keys = {1: EPOCH_KEY, 2: EPOCH_KEY}
    team = b64d(header["team"])
    error = refused(resign(header, parts.wrapped_key, parts.ciphertext), epoch_keys=keys, team=team)
    assert "signature" not in str(error)  # it got past the signature and still failed


@pytest.mark.parametrize("part", ["wrapped_key", "ciphertext", "signature"])
@pytest.mark.parametrize("position", [0, 20, -1])
def test_changing_wrapped_key_ciphertext_or_signature_fails(part: str, position: int) -> None:
    parts = wire.unpack(make())
    pieces = {"wrapped_key": parts.wrapped_key, "ciphertext": parts.ciphertext, "signature": parts.signature}
    raw = bytearray(pieces[part])
    raw[position] ^= 0x80
    pieces[part] = bytes(raw)
    refused(wire.pack(parts.header, pieces["wrapped_key"], pieces["ciphertext"], pieces["signature"]))


@pytest.mark.parametrize("part", ["wrapped_key", "ciphertext"])
def test_changed_parts_resigned_by_the_sender_still_fail(part: str) -> None:
    parts = wire.unpack(make())
    pieces = {"wrapped_key": parts.wrapped_key, "ciphertext": parts.ciphertext}
    raw = bytearray(pieces[part])
    raw[-1] ^= 0x01
    pieces[part] = bytes(raw)
    refused(resign(parts.header, pieces["wrapped_key"], pieces["ciphertext"]))


def test_swapping_ciphertexts_between_envelopes_fails() -> None:
    a, b = wire.unpack(make()), wire.unpack(make())
    refused(wire.pack(a.header, a.wrapped_key, b.ciphertext, a.signature))
    refused(resign(a.header, a.wrapped_key, b.ciphertext))
    refused(resign(a.header, b.wrapped_key, b.ciphertext))
    refused(resign(b.header, a.wrapped_key, a.ciphertext))


def test_replay_under_a_new_op_id_fails() -> None:
    parts = wire.unpack(make())
    header = {**parts.header, "op_id": b64e(os.urandom(16))}
    refused(resign(header, parts.wrapped_key, parts.ciphertext))


def _insider_build(plaintext: bytes, op_id: bytes, *, commit_tag: bytes | None = None) -> bytes:
    """What a team member holding the epoch key could build by hand, bypassing seal()'s own checks."""
    data_key = os.urandom(32)
    content_key, tag = env_mod._split_data_key(data_key)
    header = {
        "v": 1,
        "team": b64e(TEAM),
        "epoch": 1,
        "op_id": b64e(op_id),
        "device": b64e(SENDER.device_id),
        "device_seq": 1,
        "prev_hash": b64e(bytes(32)),
        "ledger_head": b64e(bytes(32)),
        "commit_tag": b64e(commit_tag if commit_tag is not None else tag),
    }
    aad = wire.aad(header)
    salt, nonce = os.urandom(32), os.urandom(12)
    wrapped = salt + nonce + env_mod.AESGCM(env_mod._kek(EPOCH_KEY, salt)).encrypt(nonce, data_key, aad)
    nonce = os.urandom(12)
    ciphertext = nonce + env_mod.AESGCM(content_key).encrypt(nonce, plaintext, aad)
    return resign(header, wrapped, ciphertext)


def test_insider_build_helper_opens_when_honest() -> None:
    op_id = os.urandom(16)
    assert (
        open_(_insider_build(env_mod.pad(canonical_json({**OP, "op_id": b64e(op_id)})), op_id))["kind"]
        == "create"
    )


def test_commit_tag_not_matching_the_data_key_fails() -> None:
    op_id = os.urandom(16)
    padded = env_mod.pad(canonical_json({**OP, "op_id": b64e(op_id)}))
    assert "commit tag" in str(refused(_insider_build(padded, op_id, commit_tag=os.urandom(32))))


def test_op_id_inside_must_match_the_header() -> None:
    op_id = os.urandom(16)
    error = refused(_insider_build(env_mod.pad(canonical_json({**OP, "op_id": b64e(os.urandom(16))})), op_id))
    assert "op_id" in str(error)
    refused(_insider_build(env_mod.pad(canonical_json(OP)), op_id))  # no op_id inside at all


@pytest.mark.parametrize(
    "plaintext",
    [b"not json", b"[1,2]", b'{"b":1,"a":2}', b'{"a": 1}', b'{"a":1.5}', b"\xff\xfe"],
)
def test_non_canonical_or_non_object_plaintext_fails(plaintext: bytes) -> None:
    refused(_insider_build(env_mod.pad(plaintext), os.urandom(16)))


def test_bad_padding_inside_fails() -> None:
    op_id = os.urandom(16)
    body = canonical_json({**OP, "op_id": b64e(op_id)})
    refused(_insider_build(env_mod.pad(body) + bytes(512), op_id))  # not the smallest bucket


@pytest.mark.parametrize(
    "garbage",
    [b"", b"VWE1", b"XXXX" + bytes(300), b"VWE1" + b"\xff" * 300],
)
def test_malformed_bytes_are_envelope_errors(garbage: bytes) -> None:
    refused(garbage)
    with pytest.raises(EnvelopeError):
        header_of(garbage)


def test_truncated_or_extended_envelope_fails() -> None:
    envelope = make()
    refused(envelope[:-1])
    refused(envelope + b"\x00")


def test_envelope_hash_chains_with_prev_hash() -> None:
    first = make(device_seq=1, prev_hash=bytes(32))
    second = make(device_seq=2, prev_hash=wire.envelope_hash(first))
    assert header_of(second)["prev_hash"] == b64e(hashlib.sha256(first).digest())
