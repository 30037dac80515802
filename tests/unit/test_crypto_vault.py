"""Local vault (passphrase → local key) and per-row local sealing."""

from __future__ import annotations

import dataclasses
import json
import os

import pytest

from field_app.crypto.canonical import b64d, b64e
from field_app.crypto.vault import (
    DEFAULT_SCRYPT,
    MIN_PASSPHRASE,
    MIN_PIN,
    PlatformSecretNeeded,
    ScryptParams,
    VaultError,
    WeakPassphrase,
    WrongPassphrase,
    check_passphrase,
    create_vault,
    needs_platform_secret,
    open_local,
    open_vault,
    seal_local,
)

FAST = ScryptParams(n=2**12)
PASS = "paard-batterij-nietje"
PLATFORM = b"\x5e" * 32


def test_default_scrypt_cost_is_n_2_17_r_8_p_1() -> None:
    assert dataclasses.astuple(DEFAULT_SCRYPT) == (2**17, 8, 1)
    assert ScryptParams() == DEFAULT_SCRYPT


def test_vault_roundtrip_and_record_shape() -> None:
    record, key = create_vault(PASS, FAST)
    assert len(key) == 32
    assert json.loads(json.dumps(record)) == record
    assert set(record) == {"v", "kdf", "n", "r", "p", "salt", "nonce", "wrapped"}
    assert (record["v"], record["kdf"], record["n"], record["r"], record["p"]) == (1, "scrypt", 2**12, 8, 1)
    assert key.hex() not in json.dumps(record) and b64e(key) not in json.dumps(record)
    assert open_vault(record, PASS) == key


def test_each_vault_has_its_own_key_and_salt() -> None:
    (r1, k1), (r2, k2) = create_vault(PASS, FAST), create_vault(PASS, FAST)
    assert k1 != k2 and r1["salt"] != r2["salt"]


def test_wrong_passphrase_raises_wrong_passphrase_in_dutch() -> None:
    record, _ = create_vault(PASS, FAST)
    with pytest.raises(WrongPassphrase) as info:
        open_vault(record, PASS + "!")
    assert str(info.value) == "Onjuiste wachtwoordzin."
    assert isinstance(info.value, VaultError)


def test_passphrase_is_unicode_normalised() -> None:
    composed, decomposed = "café-terras-aan-zee", "cafe\u0301-terras-aan-zee"
    record, key = create_vault(composed, FAST)
    assert open_vault(record, decomposed) == key


def test_platform_secret_is_part_of_the_key() -> None:
    record, key = create_vault(PASS, FAST, platform_secret=PLATFORM)
    assert record["platform"] is True and needs_platform_secret(record)
    assert open_vault(record, PASS, platform_secret=PLATFORM) == key
    with pytest.raises(PlatformSecretNeeded):  # the record says it needs the keystore secret
        open_vault(record, PASS)
    with pytest.raises(WrongPassphrase):
        open_vault(record, PASS, platform_secret=b"\x5f" * 32)


def test_the_phone_mode_flag_is_bound_to_the_wrapped_key() -> None:
    """Dropping "platform" from a copied record does not turn it into a passphrase-only vault."""
    record, _ = create_vault(PASS, FAST, platform_secret=PLATFORM)
    stripped = {k: v for k, v in record.items() if k != "platform"}
    assert not needs_platform_secret(stripped)
    for secret in (b"", PLATFORM):
        with pytest.raises(WrongPassphrase):
            open_vault(stripped, PASS, platform_secret=secret)
    with pytest.raises(VaultError):
        open_vault({**record, "platform": False}, PASS, platform_secret=PLATFORM)
    plain, key = create_vault(PASS, FAST)
    assert "platform" not in plain
    assert open_vault(plain, PASS, platform_secret=PLATFORM) == key  # a passphrase vault ignores it


def test_a_pin_is_allowed_only_with_a_platform_secret() -> None:
    record, key = create_vault("246813", FAST, platform_secret=PLATFORM)
    assert open_vault(record, "246813", platform_secret=PLATFORM) == key
    with pytest.raises(WeakPassphrase):
        create_vault("246813", FAST)
    with pytest.raises(WeakPassphrase) as info:
        create_vault("24681", FAST, platform_secret=PLATFORM)
    assert str(info.value) == f"Kies een pincode van minstens {MIN_PIN} cijfers."
    for not_digits in ("abcdef", "12345a", "١٢٣٤٥٦"):
        with pytest.raises(WeakPassphrase) as info:
            create_vault(not_digits, FAST, platform_secret=PLATFORM)
        assert str(info.value) == "Een pincode bestaat alleen uit cijfers."
    with pytest.raises(VaultError):
        create_vault("246813", FAST, platform_secret=b"short")


@pytest.mark.parametrize("passphrase", ["", "kort", "123456789", "         "[:9]])
def test_short_passphrase_is_refused_in_dutch(passphrase: str) -> None:
    with pytest.raises(WeakPassphrase) as info:
        check_passphrase(passphrase)
    assert str(info.value) == "Kies een wachtwoordzin van minstens 10 tekens."
    with pytest.raises(WeakPassphrase):
        create_vault(passphrase, FAST)


def test_ten_characters_are_enough_and_nothing_is_stripped() -> None:
    assert MIN_PASSPHRASE == 10
    check_passphrase("0123456789")
    check_passphrase("  abcdefgh")  # spaces count
    check_passphrase("ééééééééé\u0301")  # characters, not bytes: 10


@pytest.mark.parametrize(
    ("name", "value"),
    [("n", 2**13), ("r", 9), ("p", 2), ("salt", b64e(os.urandom(16)))],
)
def test_changing_a_cost_parameter_or_salt_does_not_open(name: str, value: object) -> None:
    record, _ = create_vault(PASS, FAST)
    record[name] = value
    with pytest.raises(WrongPassphrase):
        open_vault(record, PASS)


@pytest.mark.parametrize(
    "mutate",
    [
        lambda r: r.update(v=2),
        lambda r: r.update(kdf="argon2id"),
        lambda r: r.pop("nonce"),
        lambda r: r.update(n=1000),  # not a power of two
        lambda r: r.update(n=2**30),  # would take far too much memory
        lambda r: r.update(r=0),
        lambda r: r.update(p="1"),
        lambda r: r.update(salt="!!"),
        lambda r: r.update(wrapped=r["wrapped"][:-2]),
    ],
)
def test_malformed_record_is_a_vault_error_not_wrong_passphrase(mutate) -> None:
    record, _ = create_vault(PASS, FAST)
    mutate(record)
    with pytest.raises(VaultError) as info:
        open_vault(record, PASS)
    assert not isinstance(info.value, WrongPassphrase)


def test_tampered_wrapped_key_is_wrong_passphrase() -> None:
    record, _ = create_vault(PASS, FAST)
    raw = bytearray(b64d(record["wrapped"]))
    raw[0] ^= 1
    record["wrapped"] = b64e(bytes(raw))
    with pytest.raises(WrongPassphrase):
        open_vault(record, PASS)


# --- local sealing -----------------------------------------------------------------------------------

KEY = os.urandom(32)


def test_local_seal_open_roundtrip() -> None:
    blob = seal_local(KEY, "row", b"gevoelige gegevens")
    assert b"gevoelige" not in blob and len(blob) == 12 + len(b"gevoelige gegevens") + 16
    assert open_local(KEY, "row", blob) == b"gevoelige gegevens"
    assert seal_local(KEY, "row", b"x") != seal_local(KEY, "row", b"x")
    assert open_local(KEY, "draft", seal_local(KEY, "draft", b"")) == b""


@pytest.mark.parametrize("position", [0, 11, 12, -1])
def test_tampered_local_blob_fails(position: int) -> None:
    blob = bytearray(seal_local(KEY, "row", b"gevoelige gegevens"))
    blob[position] ^= 1
    with pytest.raises(VaultError):
        open_local(KEY, "row", bytes(blob))


def test_local_blob_is_bound_to_key_purpose_and_binding() -> None:
    blob = seal_local(KEY, "row", b"data", bind=b"row-1")
    assert open_local(KEY, "row", blob, bind=b"row-1") == b"data"
    for kwargs in (
        {"local_key": os.urandom(32), "purpose": "row", "bind": b"row-1"},
        {"local_key": KEY, "purpose": "keyring", "bind": b"row-1"},
        {"local_key": KEY, "purpose": "row", "bind": b"row-2"},
        {"local_key": KEY, "purpose": "row", "bind": b""},
    ):
        with pytest.raises(VaultError):
            open_local(kwargs["local_key"], kwargs["purpose"], blob, bind=kwargs["bind"])


@pytest.mark.parametrize("blob", [b"", b"x" * 27])
def test_short_local_blob_fails(blob: bytes) -> None:
    with pytest.raises(VaultError):
        open_local(KEY, "row", blob)


@pytest.mark.parametrize("purpose", ["", "a/b", "a\0b", "rij-é"])
def test_bad_purpose_is_refused(purpose: str) -> None:
    with pytest.raises(VaultError):
        seal_local(KEY, purpose, b"x")


def test_bad_local_key_is_refused() -> None:
    with pytest.raises(VaultError):
        seal_local(b"short", "row", b"x")
