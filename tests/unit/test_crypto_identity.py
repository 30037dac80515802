"""Device identity, signatures, fingerprints, and purpose separation of signatures."""

from __future__ import annotations

import hashlib

import pytest

from field_app.crypto import grants, ledger, wire
from field_app.crypto.canonical import b64d, pinned
from field_app.crypto.identity import (
    DeviceIdentity,
    fingerprint,
    fingerprint_bytes,
    login_bytes,
    new_id,
    verify_signature,
)

TEAM = bytes(range(16))


def test_generate_gives_distinct_identities_with_raw_keys() -> None:
    a, b = DeviceIdentity.generate(), DeviceIdentity.generate()
    assert len(a.device_id) == 16 and a.device_id != b.device_id
    assert len(a.ed25519_pub) == 32 and len(a.x25519_pub) == 32
    assert a.ed25519_pub != b.ed25519_pub and a.x25519_pub != b.x25519_pub


def test_identity_bytes_roundtrip() -> None:
    a = DeviceIdentity.generate()
    raw = a.to_bytes()
    assert len(raw) == 80 and raw[:16] == a.device_id
    b = DeviceIdentity.from_bytes(raw)
    assert (b.device_id, b.ed25519_pub, b.x25519_pub) == (a.device_id, a.ed25519_pub, a.x25519_pub)
    assert verify_signature(a.ed25519_pub, b.sign(b"x"), b"x")
    with pytest.raises(ValueError):
        DeviceIdentity.from_bytes(raw[:-1])


def test_repr_does_not_show_private_keys() -> None:
    a = DeviceIdentity.generate()
    assert "signing_key" not in repr(a) and "exchange_key" not in repr(a)


def test_new_id_is_16_random_bytes() -> None:
    assert len(new_id()) == 16 and new_id() != new_id()


def test_verify_signature_true_only_for_the_right_key_and_data() -> None:
    a, b = DeviceIdentity.generate(), DeviceIdentity.generate()
    sig = a.sign(b"data")
    assert verify_signature(a.ed25519_pub, sig, b"data")
    assert not verify_signature(b.ed25519_pub, sig, b"data")
    assert not verify_signature(a.ed25519_pub, sig, b"datA")
    assert not verify_signature(a.ed25519_pub, sig[:-1] + bytes([sig[-1] ^ 1]), b"data")


@pytest.mark.parametrize(
    ("key", "sig", "data"),
    [
        (b"", b"\x00" * 64, b"d"),
        (b"\x00" * 32, b"", b"d"),
        (None, None, None),
        ("str", "str", "str"),
        (b"\x00" * 32, b"\x00" * 64, 5),
    ],
)
def test_verify_signature_never_raises_for_bad_input(key, sig, data) -> None:
    assert verify_signature(key, sig, data) is False


def test_fingerprint_is_twelve_groups_of_five_digits_and_deterministic() -> None:
    a = DeviceIdentity.generate()
    fp = fingerprint(TEAM, a.ed25519_pub, a.x25519_pub)
    assert len(fp) == 12
    assert all(len(group) == 5 and group.isdigit() for group in fp)
    assert fp == fingerprint(TEAM, a.ed25519_pub, a.x25519_pub)
    raw = fingerprint_bytes(TEAM, a.ed25519_pub, a.x25519_pub)
    assert raw == hashlib.sha512(b"veldwerk/fp/v1" + TEAM + a.ed25519_pub + a.x25519_pub).digest()[:60]
    assert fp[0] == f"{int.from_bytes(raw[:5], 'big') % 100000:05d}"


def test_fingerprint_changes_when_any_input_changes() -> None:
    a, b = DeviceIdentity.generate(), DeviceIdentity.generate()
    base = fingerprint(TEAM, a.ed25519_pub, a.x25519_pub)
    assert fingerprint(bytes(16), a.ed25519_pub, a.x25519_pub) != base
    assert fingerprint(TEAM, b.ed25519_pub, a.x25519_pub) != base
    assert fingerprint(TEAM, a.ed25519_pub, b.x25519_pub) != base
    assert fingerprint(TEAM, a.x25519_pub, a.ed25519_pub) != base


def test_fingerprint_refuses_wrong_lengths() -> None:
    a = DeviceIdentity.generate()
    with pytest.raises(ValueError):
        fingerprint(TEAM + b"x", a.ed25519_pub, a.x25519_pub)


def test_login_bytes_are_pinned_and_ignore_a_trailing_slash() -> None:
    args = dict(server_nonce=b"s" * 32, device_nonce=b"d" * 32, team=TEAM, device=b"D" * 16)
    expected = pinned(
        "login",
        {
            "server_nonce": b"s" * 32,
            "device_nonce": b"d" * 32,
            "team": TEAM,
            "device": b"D" * 16,
            "server": "https://veldwerk.example",
        },
    )
    assert login_bytes(**args, server="https://veldwerk.example") == expected
    assert login_bytes(**args, server="https://veldwerk.example/") == expected


def test_a_signature_for_one_purpose_never_verifies_for_another() -> None:
    """login != envelope != ledger entry != grant, even over the very same values."""
    me = DeviceIdentity.generate()
    value = {"team": TEAM, "device": me.device_id}
    login = login_bytes(
        server_nonce=b"n" * 32,
        device_nonce=b"m" * 32,
        team=TEAM,
        device=me.device_id,
        server="https://veldwerk.example",
    )
    header = {
        "v": 1,
        "team": TEAM,
        "epoch": 1,
        "op_id": b"o" * 16,
        "device": me.device_id,
        "device_seq": 1,
        "prev_hash": bytes(32),
        "ledger_head": bytes(32),
        "commit_tag": bytes(32),
    }
    envelope = wire.signed_bytes(header, bytes(92), b"ciphertext")
    messages = {
        "login": login,
        "envelope": envelope,
        "ledger": pinned("ledger", value),
        "grant": pinned("grant", value),
        "same-value-as-login": pinned("envelope", value),
    }
    sigs = {name: me.sign(data) for name, data in messages.items()}
    for name, sig in sigs.items():
        for other, data in messages.items():
            assert verify_signature(me.ed25519_pub, sig, data) is (name == other), (name, other)
    # The pinned prefixes alone already differ for the same JSON body.
    assert (
        pinned("login", value)
        != pinned("envelope", value)
        != pinned("ledger", value)
        != pinned("grant", value)
    )


def test_modules_use_their_own_purposes() -> None:
    """Grant and ledger signatures are made over their own purpose tags (checked through the public API)."""
    me = DeviceIdentity.generate()
    entry = ledger.genesis(TEAM, me, "PROCESREGISSEUR", bytes(32), 0)
    unsigned = {k: v for k, v in entry.items() if k != "sig"}
    assert verify_signature(me.ed25519_pub, b64d(entry["sig"]), pinned("ledger", unsigned))
    assert not verify_signature(me.ed25519_pub, b64d(entry["sig"]), pinned("grant", unsigned))
    grant = grants.make_grant(
        team=TEAM,
        epoch=1,
        epoch_key=b"k" * 32,
        recipient=me.device_id,
        recipient_x25519=me.x25519_pub,
        granter=me,
    )
    unsigned = {k: v for k, v in grant.items() if k != "sig"}
    assert verify_signature(me.ed25519_pub, b64d(grant["sig"]), pinned("grant", unsigned))
    assert not verify_signature(me.ed25519_pub, b64d(grant["sig"]), pinned("ledger", unsigned))
