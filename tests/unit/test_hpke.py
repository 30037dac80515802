"""HPKE (RFC 9180 base mode) built from primitives: the RFC's vectors and interop with cryptography's hpke."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from field_app.crypto import hpke
from field_app.crypto.hpke import HPKEError, derive_keypair, open_base, seal_base, setup_base_r, setup_base_s

VECTORS = Path(__file__).resolve().parents[1] / "data" / "rfc9180-x25519-vectors.json"


def _base_modes() -> list[tuple[str, dict]]:
    data = json.loads(VECTORS.read_text())
    out = []
    for suite in data["suites"]:
        for mode in suite["modes"]:
            setup = mode["setup"]
            if int(setup["mode"]) == hpke.MODE_BASE and int(setup["aead_id"]) in (1, 3):
                out.append((suite["suite"], mode))
    return out


BASE_MODES = _base_modes()
IDS = [name for name, _ in BASE_MODES]


def test_vector_file_has_both_suites() -> None:
    assert {int(m["setup"]["aead_id"]) for _, m in BASE_MODES} == {1, 3}


@pytest.mark.parametrize(("name", "mode"), BASE_MODES, ids=IDS)
def test_rfc9180_base_mode_vectors(name: str, mode: dict) -> None:
    s = mode["setup"]
    h = bytes.fromhex
    assert int(s["kem_id"]) == hpke.KEM_X25519_HKDF_SHA256 and int(s["kdf_id"]) == hpke.KDF_HKDF_SHA256
    aead_id = int(s["aead_id"])

    assert derive_keypair(h(s["ikmE"])) == (h(s["skEm"]), h(s["pkEm"]))
    assert derive_keypair(h(s["ikmR"])) == (h(s["skRm"]), h(s["pkRm"]))

    sender = setup_base_s(h(s["pkRm"]), h(s["info"]), aead_id, ikm_e=h(s["ikmE"]))
    receiver = setup_base_r(h(s["skRm"]), h(s["enc"]), h(s["info"]), aead_id)
    assert sender.enc == h(s["enc"])
    for ctx in (sender, receiver):
        assert ctx.shared_secret == h(s["shared_secret"])
        assert ctx.key_schedule_context == h(s["key_schedule_context"])
        assert ctx.secret == h(s["secret"])
        assert ctx.key == h(s["key"])
        assert ctx.base_nonce == h(s["base_nonce"])
        assert ctx.exporter_secret == h(s["exporter_secret"])

    assert mode["encryptions"], name
    for enc in mode["encryptions"]:
        seq = int(enc["sequence_number"])
        assert sender.compute_nonce(seq) == h(enc["nonce"])
        sender.seq = receiver.seq = seq
        assert sender.seal(h(enc["aad"]), h(enc["pt"])) == h(enc["ct"])
        assert receiver.open(h(enc["aad"]), h(enc["ct"])) == h(enc["pt"])
        assert sender.seq == receiver.seq == seq + 1

    assert mode["exports"], name
    for exp in mode["exports"]:
        for ctx in (sender, receiver):
            assert ctx.export(h(exp["exporter_context"]), int(exp["L"])) == h(exp["exported_value"])


def test_context_sequence_advances_and_failed_open_does_not() -> None:
    sk = X25519PrivateKey.generate()
    sender = setup_base_s(sk.public_key().public_bytes_raw(), b"info")
    receiver = setup_base_r(sk, sender.enc, b"info")
    first, second = sender.seal(b"a", b"one"), sender.seal(b"a", b"two")
    with pytest.raises(HPKEError):
        receiver.open(b"a", second)  # out of order: wrong nonce
    assert receiver.seq == 0
    assert receiver.open(b"a", first) == b"one"
    assert receiver.open(b"a", second) == b"two"


@pytest.mark.parametrize(
    "aead_id", [hpke.AEAD_AES_128_GCM, hpke.AEAD_AES_256_GCM, hpke.AEAD_CHACHA20_POLY1305]
)
def test_seal_open_roundtrip(aead_id: int) -> None:
    sk = X25519PrivateKey.generate()
    enc, ct = seal_base(sk.public_key().public_bytes_raw(), b"info", b"aad", b"secret", aead_id)
    assert len(enc) == 32 and len(ct) == len(b"secret") + 16
    assert open_base(sk, enc, b"info", b"aad", ct, aead_id) == b"secret"
    assert open_base(sk.private_bytes_raw(), enc, b"info", b"aad", ct, aead_id) == b"secret"


@pytest.mark.parametrize(
    "change",
    ["info", "aad", "ct", "enc", "key", "aead"],
)
def test_open_base_refuses_anything_changed(change: str) -> None:
    sk = X25519PrivateKey.generate()
    enc, ct = seal_base(sk.public_key().public_bytes_raw(), b"info", b"aad", b"secret")
    args = {"sk": sk, "enc": enc, "info": b"info", "aad": b"aad", "ct": ct, "aead": hpke.AEAD_AES_256_GCM}
    if change == "info":
        args["info"] = b"infx"
    elif change == "aad":
        args["aad"] = b""
    elif change == "ct":
        args["ct"] = ct[:-1] + bytes([ct[-1] ^ 1])
    elif change == "enc":
        args["enc"] = X25519PrivateKey.generate().public_key().public_bytes_raw()
    elif change == "key":
        args["sk"] = X25519PrivateKey.generate()
    else:
        args["aead"] = hpke.AEAD_CHACHA20_POLY1305
    with pytest.raises(HPKEError):
        open_base(args["sk"], args["enc"], args["info"], args["aad"], args["ct"], args["aead"])


@pytest.mark.parametrize("enc", [b"", b"\x00" * 31, b"\x00" * 32, (1).to_bytes(32, "little")])
def test_malformed_or_small_order_enc_is_an_hpke_error(enc: bytes) -> None:
    # All-zero and 1 are small-order points: X25519 gives the all-zero secret, which RFC 9180 must reject.
    with pytest.raises(HPKEError):
        open_base(X25519PrivateKey.generate(), enc, b"", b"", b"\x00" * 32)


def test_bad_recipient_key_and_unknown_aead_are_hpke_errors() -> None:
    with pytest.raises(HPKEError):
        seal_base(b"short", b"", b"", b"x")
    with pytest.raises(HPKEError):
        seal_base(X25519PrivateKey.generate().public_key().public_bytes_raw(), b"", b"", b"x", aead_id=7)
    with pytest.raises(HPKEError):
        derive_keypair(b"too short")


def test_export_only_context_cannot_seal() -> None:
    sk = X25519PrivateKey.generate()
    ctx = setup_base_s(sk.public_key().public_bytes_raw(), b"", hpke.AEAD_EXPORT_ONLY)
    assert ctx.export(b"ctx", 32) == setup_base_r(sk, ctx.enc, b"", hpke.AEAD_EXPORT_ONLY).export(b"ctx", 32)
    with pytest.raises(HPKEError):
        ctx.seal(b"", b"x")


# --- interoperability with cryptography's own HPKE (recent cryptography only; not on mobile builds) ---


def _their_hpke():
    try:
        from cryptography.hazmat.primitives import hpke as theirs
    except ImportError:
        pytest.skip("this cryptography version has no hpke module (as on the mobile builds): no interop test")
    return theirs


def _suite(theirs):
    return theirs.Suite(theirs.KEM.X25519, theirs.KDF.HKDF_SHA256, theirs.AEAD.AES_256_GCM)


def test_interop_ours_seal_theirs_open() -> None:
    theirs = _their_hpke()
    sk = X25519PrivateKey.generate()
    enc, ct = seal_base(sk.public_key().public_bytes_raw(), b"veldwerk info", b"", b"epoch key" * 4)
    assert _suite(theirs).decrypt(enc + ct, sk, b"veldwerk info") == b"epoch key" * 4


def test_interop_theirs_seal_ours_open() -> None:
    theirs = _their_hpke()
    sk = X25519PrivateKey.generate()
    wire = _suite(theirs).encrypt(b"epoch key" * 4, sk.public_key(), b"veldwerk info")
    assert open_base(sk, wire[:32], b"veldwerk info", b"", wire[32:]) == b"epoch key" * 4


def test_interop_with_aad_both_ways() -> None:
    theirs = _their_hpke()
    from cryptography.hazmat.bindings._rust import openssl as rust_openssl

    encrypt = getattr(rust_openssl.hpke, "_encrypt_with_aad", None)
    decrypt = getattr(rust_openssl.hpke, "_decrypt_with_aad", None)
    if encrypt is None or decrypt is None:
        pytest.skip("this cryptography version exposes no HPKE-with-AAD hook")
    sk, suite = X25519PrivateKey.generate(), _suite(theirs)
    enc, ct = seal_base(sk.public_key().public_bytes_raw(), b"i", b"the aad", b"pt")
    assert decrypt(suite, enc + ct, sk, b"i", b"the aad") == b"pt"
    wire = encrypt(suite, b"pt", sk.public_key(), b"i", b"the aad")
    assert open_base(sk, wire[:32], b"i", b"the aad", wire[32:]) == b"pt"
