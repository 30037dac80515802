"""Unlocking a device: counted wrong attempts, growing waits, destruction at the tenth, and what a wrong
passphrase or a copied data directory reveals (nothing). The device here is enrolled against a fake server
that only answers enrolment (offline afterwards); the clock is a hand-moved one, so nobody sleeps minutes."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import httpx
import pytest

import field_app.parts.vault as security
from field_app.crypto.canonical import b64e
from field_app.crypto.vault import DEFAULT_SCRYPT, ScryptParams, WrongPassphrase
from field_app.domain.errors import StorageError
from field_app.services import KeysDestroyed, LockedError, PlatformSecretMissing, Services, TooManyAttempts
from field_app.store.db import DB_FILE

FAST = ScryptParams(n=2**12, r=8, p=1)
PASS = "juiste wachtwoordzin"
MIN = 60_000
SECRET_NAME = "Zwanenburg-Quintessa (fictief)"
SECRET_REPORT = "Vertrouwelijk-verslag-9c1d: wapen in de schuur."


class Clock:
    def __init__(self) -> None:
        self.now = 1_767_225_600_000

    def __call__(self) -> int:
        return self.now

    def advance(self, ms: int) -> None:
        self.now += ms


def _offline_server(request: httpx.Request) -> httpx.Response:
    if request.method == "POST" and request.url.path == "/v1/enrol":
        return httpx.Response(200, json={"team": b64e(b"T" * 16), "role": "VELDWERKER", "first": True})
    raise httpx.ConnectError("offline", request=request)


def device(path: Path, clock: Clock | None = None, scrypt: ScryptParams = FAST, **kw) -> Services:
    svc = Services.enrol(path, server_url="http://127.0.0.1:9", code="ABCD-EFGH", passphrase=kw.pop("secret", PASS),
                         user_name="Lotte de Boer (fictief)", scrypt=scrypt, autosync=False,
                         transport=httpx.MockTransport(_offline_server), clock=clock, **kw)
    cid = svc.add_client(SECRET_NAME)
    svc.record_contact(cid, contact_type="TELEFONISCH", outcome="PLAATSGEVONDEN", report=SECRET_REPORT)
    svc.lock()
    return svc


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def svc(tmp_path, clock):
    s = device(tmp_path / "device", clock)
    yield s
    s.close()


@pytest.fixture
def scrypt_calls(monkeypatch):
    calls = []
    real = security.open_vault

    def counting(*args, **kw):
        calls.append(1)
        return real(*args, **kw)

    monkeypatch.setattr(security, "open_vault", counting)
    return calls


def test_waits_grow_1_5_15_60_minutes_from_the_fifth_wrong_attempt(svc, clock, scrypt_calls):
    for attempt in range(1, 5):
        with pytest.raises(WrongPassphrase):
            svc.unlock("onjuist onjuist")
        assert svc.unlock_info()["wait_until"] is None, attempt
    for attempt, minutes in zip(range(5, 10), (1, 5, 15, 60, 60), strict=True):
        with pytest.raises(WrongPassphrase) as wrong:
            svc.unlock("onjuist onjuist")
        assert f"Wacht {minutes} minu" in str(wrong.value)
        assert f"Na nog {10 - attempt} onjuiste" in str(wrong.value)
        info = svc.unlock_info()
        assert info["failed_attempts"] == attempt and info["wait_until"] == clock.now + minutes * MIN
        tried = len(scrypt_calls)
        with pytest.raises(TooManyAttempts) as waiting:  # even the right passphrase is not tried meanwhile
            svc.unlock(PASS)
        assert len(scrypt_calls) == tried  # Scrypt did not even run
        assert waiting.value.wait_until_ms == info["wait_until"]
        assert f"over {minutes} minu" in str(waiting.value)
        clock.advance(minutes * MIN - 1)
        with pytest.raises(TooManyAttempts):
            svc.unlock(PASS)
        clock.advance(1)
    assert not svc.unlocked and svc.unlock_info()["attempts_left"] == 1


def test_the_right_passphrase_resets_the_count(svc, clock):
    for _ in range(6):
        with pytest.raises((WrongPassphrase, TooManyAttempts)):
            svc.unlock("onjuist onjuist")
        clock.advance(61 * MIN)
    svc.unlock(PASS)
    assert svc.unlock_info()["failed_attempts"] == 0
    svc.lock()
    for _ in range(4):
        with pytest.raises(WrongPassphrase):
            svc.unlock("onjuist onjuist")
    assert svc.unlock_info()["wait_until"] is None


def test_a_wrong_attempt_is_counted_before_scrypt_runs(svc, monkeypatch):
    """Pulling the plug during the (slow) key derivation must not save an attempt."""
    seen = []

    def cut_off(record, passphrase, platform_secret=b""):
        seen.append(svc.device.store.get_meta("unlock_failures"))
        raise WrongPassphrase()

    monkeypatch.setattr(security, "open_vault", cut_off)
    with pytest.raises(WrongPassphrase):
        svc.unlock("onjuist onjuist")
    assert seen == ["1"]


def test_the_tenth_wrong_attempt_destroys_the_key_material(svc, clock):
    assert svc.unlock_info()["unsynced"] == 2
    for _ in range(9):
        with pytest.raises(WrongPassphrase):
            svc.unlock("onjuist onjuist")
        clock.advance(61 * MIN)
    with pytest.raises(KeysDestroyed) as destroyed:
        svc.unlock("onjuist onjuist")
    assert "vernietigd" in str(destroyed.value) and "2 vastgelegde" in str(destroyed.value)
    store = svc.device.store
    assert store.get_meta("vault") is None
    assert store.db.execute("SELECT COUNT(*) FROM keyring").fetchone()[0] == 0
    assert store.outbox_count() == 2  # the sealed, signed outbox stays for delivery
    with pytest.raises(KeysDestroyed):
        svc.unlock(PASS)
    info = svc.unlock_info()
    assert info["destroyed"] and info["unsynced"] == 2 and svc.enrolled
    assert svc.sync_status().state == "keys_destroyed"
    raw = b"".join(p.read_bytes() for p in svc.data_dir.iterdir() if p.is_file())
    assert SECRET_NAME.encode() not in raw and SECRET_REPORT.encode() not in raw


def test_a_wrong_passphrase_never_reveals_data(svc):
    with pytest.raises(WrongPassphrase) as wrong:
        svc.unlock("bijna goed maar niet")
    assert str(wrong.value) == "Onjuiste wachtwoordzin."
    assert not svc.unlocked and svc.device.store._local_key is None
    for read in (svc.caseload, lambda: svc.timeline("x"), lambda: svc.load_draft("contact"), svc.access_log):
        with pytest.raises(LockedError):
            read()
    assert svc.sync_status().state == "locked"
    assert set(svc.unlock_info()) == {"failed_attempts", "attempts_left", "wait_until", "unsynced", "destroyed",
                                      "erased"}


def test_a_copied_data_directory_reveals_nothing_without_the_passphrase(tmp_path):
    """Everything in the directory is sealed; the only way in is the passphrase through Scrypt with the
    default cost N = 2^17, r = 8, p = 1: about 383 ms of one core and 128 MiB of memory per guess
    (docs/security.md, "Cost per guess"). The wrong-attempt counter does not protect a copy (the attacker
    runs Scrypt elsewhere); the cost per guess does."""
    original = device(tmp_path / "device", scrypt=DEFAULT_SCRYPT)
    original.close()
    copy = tmp_path / "copy"
    shutil.copytree(tmp_path / "device", copy)
    files = [p for p in copy.rglob("*") if p.is_file()]
    assert DB_FILE in {p.name for p in files}
    for path in files:
        data = path.read_bytes()
        for needle in (SECRET_NAME, SECRET_REPORT, "Zwanenburg", "Vertrouwelijk", "Lotte de Boer"):
            assert needle.encode() not in data and needle.encode("utf-16-le") not in data, (needle, path.name)
    stolen = Services(copy, autosync=False)
    record = json.loads(stolen.device.store.get_meta("vault"))
    assert (record["n"], record["r"], record["p"]) == (2**17, 8, 1)
    assert stolen.security_info()["scrypt"] == {"n": 2**17, "r": 8, "p": 1, "memory_mib": 128}
    with pytest.raises(WrongPassphrase):
        stolen.unlock("een gok van de dief")
    with pytest.raises(LockedError):
        stolen.caseload()
    stolen.unlock(PASS)  # only the passphrase opens it
    assert [c.display_name for c in stolen.caseload()] == [SECRET_NAME]
    stolen.close()


def test_security_info_reports_the_device_mode(tmp_path, svc):
    info = svc.security_info()
    assert info["mode"] == "wachtwoordzin" and info["min_secret_length"] == 10
    assert info["scrypt"]["n"] == FAST.n and info["max_attempts"] == 10 and info["wait_minutes"] == [1, 5, 15, 60]
    assert info["lease_days"] == 14 and info["lease_warning_day"] == 10
    assert svc.unlock_mode() == "passphrase" and info["secret_kind"] == "passphrase"
    phone = device(tmp_path / "phone", secret="483120", platform_secret=b"k" * 32)
    try:
        info = phone.security_info()
        assert info["mode"] == "pincode+beveiligde opslag" and info["min_secret_length"] == 6
        assert phone.unlock_mode() == "pin" and info["secret_kind"] == "pin"
        phone.unlock("483120")
        assert phone.unlocked
    finally:
        phone.close()
    # The mode is the vault's, not the constructor's: a process that was not handed the keystore secret
    # still knows it is a phone-mode vault, refuses without counting, and the PIN alone opens nothing.
    without = Services(tmp_path / "phone", autosync=False)
    assert without.unlock_mode() == "pin"
    assert without.security_info()["mode"] == "pincode+beveiligde opslag"
    for _ in range(12):
        with pytest.raises(PlatformSecretMissing) as missing:
            without.unlock("483120")
    assert "beveiligde opslag" in str(missing.value)
    assert without.unlock_info()["failed_attempts"] == 0 and not without.unlock_info()["destroyed"]
    with pytest.raises(WrongPassphrase) as wrong:  # a wrong keystore secret is a wrong attempt
        without.unlock("483120", platform_secret=b"x" * 32)
    assert str(wrong.value) == "Onjuiste pincode."
    assert without.unlock_info()["failed_attempts"] == 1
    without.unlock("483120", platform_secret=b"k" * 32)  # the secret handed in at unlock (the app's way)
    assert without.unlocked and without.unlock_info()["failed_attempts"] == 0
    without.close()


def test_delivery_only_sync_says_what_cannot_travel(svc):
    """This device never had a team key (never confirmed, offline), so its work is sealed under the local
    key only: delivery by signature cannot carry it, and says so; nothing is lost from the outbox."""
    outcome = svc.deliver_outbox()
    assert outcome == {"delivered": 0, "remaining": 2, "error": "not_sealed", "permanent": True}
    assert svc.unsynced_count() == 2


# -- rows of the lockout and the vault written into the file (an independent review's attacks) --------------

def _write_meta(svc: Services, key: str, value: str) -> None:
    """As someone (or a worn card) writing the device's database file, outside the app."""
    db = sqlite3.connect(svc.data_dir / DB_FILE, isolation_level=None)
    try:
        db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", [key, value])
    finally:
        db.close()


@pytest.mark.parametrize("value", ["x1", "-99", "9" * 30])
def test_lockout_rows_that_are_not_counts_neither_lock_the_device_out_nor_add_attempts(svc, value):
    """The count and the wait are clear rows: one that is not a whole number used to raise at every
    unlock (the right passphrase opened nothing, the screen said "Deze invoer klopt niet"), and a negative
    count showed 109 attempts left. Such a row reads as 0 (a file writer can write 0 as well)."""
    _write_meta(svc, "unlock_failures", value)
    _write_meta(svc, "unlock_wait_until", value)
    info = svc.unlock_info()
    assert (info["failed_attempts"], info["attempts_left"], info["wait_until"]) == (0, 10, None)
    with pytest.raises(WrongPassphrase):
        svc.unlock("onjuist onjuist")
    assert svc.unlock_info()["failed_attempts"] == 1
    svc.unlock(PASS)
    assert svc.unlocked and svc.unlock_info()["failed_attempts"] == 0


def test_a_wait_beyond_the_longest_one_is_cut_to_it(svc, clock):
    """The waits follow the device's clock: a wait begun while the clock ran years ahead (set right
    afterwards), or a far moment written into the row, used to lock the device for years ("Probeer het
    over 5256000 minuten opnieuw"). No wait is longer than the longest (60 minutes) from now."""
    for _ in range(5):
        with pytest.raises(WrongPassphrase):
            svc.unlock("onjuist onjuist")
    clock.advance(-3 * 365 * 24 * 60 * MIN)  # the clock was three years ahead and is set right
    with pytest.raises(TooManyAttempts) as waiting:
        svc.unlock(PASS)
    assert "over 60 minuten" in str(waiting.value)
    assert svc.unlock_info()["wait_until"] == clock.now + 60 * MIN
    clock.advance(60 * MIN)
    svc.unlock(PASS)
    svc.lock()
    _write_meta(svc, "unlock_wait_until", "9999999999999999")
    assert svc.unlock_info()["wait_until"] == clock.now + 60 * MIN
    clock.advance(60 * MIN)
    svc.unlock(PASS)
    assert svc.unlocked


@pytest.mark.parametrize("damage", ["not json", "a list", "scrypt cost", "salt"])
def test_a_damaged_vault_record_says_so_in_dutch_and_counts_no_attempt(svc, damage):
    """A vault record that is damaged (or altered) used to answer a parser error or an English one
    ("not a v1 scrypt vault record"), shown as "Deze invoer klopt niet" or "Ontgrendelen lukt niet: …"
    in English. It is the Dutch "database beschadigd" sentence now, not counted as a wrong attempt; the
    unlock screen's questions before it still answer."""
    good = svc.device.store.get_meta("vault")
    record = json.loads(good)
    damaged = {"not json": "{kapot", "a list": "[]", "scrypt cost": json.dumps({**record, "n": 2**40}),
               "salt": json.dumps({**record, "salt": "!!"})}[damage]
    _write_meta(svc, "vault", damaged)
    assert svc.unlock_mode() == "passphrase" and svc.security_info()["mode"] == "wachtwoordzin"
    with pytest.raises(StorageError) as refused:
        svc.unlock(PASS)
    assert "beschadigd" in str(refused.value) and not svc.unlocked
    assert svc.unlock_info()["failed_attempts"] == 0
    _write_meta(svc, "vault", good)  # nothing else was changed: the record put back opens
    svc.unlock(PASS)
    assert svc.unlocked
