"""Enrolment from the app, and the phone mode: PIN + a secret in the phone's secure storage.

These run on a real ``Services`` (real vault, real Scrypt, real SQLite) through the client-less harness.
The harness has no Flutter client, so the phone's secure storage is a dict here (:class:`MemoryKeystore`);
the real flet-secure-storage service is driven in Chromium by ``tests/e2e/test_phone_mode_browser.py``.
"""

from __future__ import annotations

import asyncio
import json
import os

import flet as ft
import httpx
import pytest
from ui_helpers import FAST_SCRYPT, dump, field, has_text, press, semantics, type_into

from field_app.crypto.canonical import b64e
from field_app.services import PlatformSecretMissing, Services, WrongPassphrase
from field_app.ui.keystore import PHONE_MODE_ENV, KeystoreError, is_phone
from field_app.ui.views.caseload import CaseloadView
from field_app.ui.views.devices import SecurityView
from field_app.ui.views.enrol import EnrolView
from field_app.ui.views.unlock import UnlockView

PIN = "135790"


class MemoryKeystore:
    """Stands in for the phone's secure storage (one slot), with a switch to make it fail."""

    def __init__(self) -> None:
        self.value: bytes | None = None
        self.broken = False
        self.deleted = 0
        self.created = 0

    async def read(self) -> bytes | None:
        if self.broken:
            raise KeystoreError()
        return self.value

    async def create(self) -> bytes:
        if self.broken:
            raise KeystoreError()
        self.created += 1
        self.value = os.urandom(32)  # a fresh secret each time, as the real one
        return self.value

    async def delete(self) -> None:
        self.deleted += 1
        self.value = None


def _server(request: httpx.Request) -> httpx.Response:
    """Answers only POST /v1/enrol (code ABCD-EFGH); everything else fails as if offline."""
    if request.method == "POST" and request.url.path == "/v1/enrol":
        body = json.loads(request.content)
        if body.get("code") != "ABCD-EFGH":
            return httpx.Response(403, json={"error": "bad_code", "detail": "unknown code"})
        return httpx.Response(200, json={"team": b64e(b"T" * 16), "role": "VELDWERKER", "first": True})
    raise httpx.ConnectError("offline", request=request)


@pytest.fixture
def fresh(tmp_path, make_device):
    svc = Services(tmp_path / "new", scrypt=FAST_SCRYPT, transport=httpx.MockTransport(_server), autosync=False)
    yield make_device(svc)
    svc.close()


@pytest.fixture
def phone(monkeypatch):
    """The harness's client says it is Android; the browser switch is off."""
    monkeypatch.delenv(PHONE_MODE_ENV, raising=False)


async def _open(device, keystore: MemoryKeystore | None = None, platform: str = "android"):
    client, app = await device.open(platform)
    if keystore is not None:
        app.keystore = keystore
    return client, app


async def _fill(client, *, name="Sanne Vos (fictief)", secret, again=None, code="ABCD-EFGH"):
    await press(client, "Geen uitnodiging? Serveradres en code")
    await type_into(client, "Serveradres", "http://127.0.0.1:9")
    await type_into(client, "Eenmalige code", code)
    await type_into(client, "Je naam", name)
    secret_label = "Kies een pincode" if field_or_none(client, "Kies een pincode") else "Kies een wachtwoordzin"
    again_label = "Herhaal de pincode" if secret_label.endswith("pincode") else "Herhaal de wachtwoordzin"
    await type_into(client, secret_label, secret)
    await type_into(client, again_label, secret if again is None else again)


def field_or_none(client, label):
    return next((c for c in client.walk() if isinstance(c, ft.TextField) and c.label == label), None)


def test_platform_decides_the_mode(monkeypatch):
    class Page:
        platform = ft.PagePlatform.ANDROID

    assert is_phone(Page())
    Page.platform = ft.PagePlatform.IOS
    assert is_phone(Page())
    Page.platform = ft.PagePlatform.LINUX
    monkeypatch.delenv(PHONE_MODE_ENV, raising=False)
    assert not is_phone(Page())
    monkeypatch.setenv(PHONE_MODE_ENV, "1")
    assert is_phone(Page())


async def test_desktop_enrols_with_a_passphrase_from_the_app(fresh, phone):
    client, app = await _open(fresh, platform="linux")
    assert isinstance(app.screen, EnrolView), dump(client)
    assert has_text(client, "wachtwoordzin van minstens 10 tekens"), dump(client)
    # the eye buttons say what they show (not Flutter's unnamed can_reveal_password button)
    assert [field(client, label).suffix_icon.label for label in ("Kies een wachtwoordzin", "Herhaal de wachtwoordzin")] \
        == ["Wachtwoordzin tonen", "Herhaalde wachtwoordzin tonen"]
    await press(client, "Aanmelden")
    assert field(client, "Uitnodiging").error == "Plak de uitnodiging, of vul het serveradres en de code in."
    assert field(client, "Je naam").error == "Vul je naam in."
    assert field(client, "Kies een wachtwoordzin").error == "Kies een wachtwoordzin van minstens 10 tekens."
    assert not fresh.services.enrolled

    await _fill(client, secret="kort")
    await press(client, "Aanmelden")
    assert field(client, "Kies een wachtwoordzin").error == "Kies een wachtwoordzin van minstens 10 tekens."
    await _fill(client, secret="een lange zin van mij", again="een andere zin")
    await press(client, "Aanmelden")
    assert field(client, "Herhaal de wachtwoordzin").error == "De twee invoeren zijn niet gelijk."
    assert not fresh.services.enrolled

    await _fill(client, secret="een lange zin van mij")
    await press(client, "Aanmelden")
    svc = fresh.services
    assert svc.enrolled and svc.unlocked and svc.unlock_mode() == "passphrase", dump(client)
    assert isinstance(app.screen, SecurityView), dump(client)
    assert semantics(client, "sec-my-fingerprint")
    assert has_text(client, "Wachtwoordzin van minstens 10 tekens (computer en web)")
    svc.lock()
    svc.unlock("een lange zin van mij")
    assert svc.unlocked


async def test_a_refused_code_says_so_and_stores_nothing(fresh, phone):
    keystore = MemoryKeystore()
    client, app = await _open(fresh, keystore)
    await _fill(client, secret=PIN, code="ZZZZ-ZZZZ")
    await press(client, "Aanmelden")
    assert semantics(client, "enrol-error"), dump(client)
    assert has_text(client, "Deze code klopt niet"), dump(client)
    assert not fresh.services.enrolled and fresh.services.unlock_mode() is None
    assert keystore.value is None and keystore.deleted == 1  # the unused secret was removed again
    assert isinstance(app.screen, EnrolView)


async def test_phone_enrols_with_a_pin_and_the_keystore_secret(fresh, phone):
    keystore = MemoryKeystore()
    client, app = await _open(fresh, keystore)
    assert has_text(client, "Dit is een telefoon"), dump(client)
    assert field(client, "Kies een pincode").keyboard_type == ft.KeyboardType.NUMBER
    assert field(client, "Kies een pincode").suffix_icon.label == "Pincode tonen"

    await _fill(client, secret="12345")
    await press(client, "Aanmelden")
    assert field(client, "Kies een pincode").error == "Kies een pincode van minstens 6 cijfers."
    await _fill(client, secret="12ab56")
    await press(client, "Aanmelden")
    assert field(client, "Kies een pincode").error == "Een pincode bestaat alleen uit cijfers."
    assert keystore.value is None and not fresh.services.enrolled  # nothing stored before the checks pass

    await _fill(client, secret=PIN)
    await press(client, "Aanmelden")
    svc = fresh.services
    assert svc.enrolled and svc.unlocked and svc.unlock_mode() == "pin", dump(client)
    assert keystore.value is not None
    assert isinstance(app.screen, SecurityView)
    assert has_text(client, "Pincode van minstens 6 cijfers met beveiligde opslag van de telefoon"), dump(client)
    assert has_text(client, "Pincode wijzigen")

    app.lock("manual")
    assert isinstance(app.screen, UnlockView)
    assert field(client, "Pincode").keyboard_type == ft.KeyboardType.NUMBER
    assert has_text(client, "Vul je pincode in om verder te werken.")
    await type_into(client, "Pincode", "999999")
    await press(client, "Ontgrendelen")
    assert has_text(client, "Onjuiste pincode. Je gegevens blijven veilig."), dump(client)
    assert svc.unlock_info()["failed_attempts"] == 1
    await type_into(client, "Pincode", PIN)
    await press(client, "Ontgrendelen")
    assert svc.unlocked and isinstance(app.screen, CaseloadView), dump(client)
    assert svc.unlock_info()["failed_attempts"] == 0
    svc.lock()
    with pytest.raises(PlatformSecretMissing):
        svc.unlock(PIN)  # the PIN alone (no keystore secret) opens nothing


async def test_missing_keystore_secret_is_not_a_wrong_pin(fresh, phone):
    keystore = MemoryKeystore()
    client, app = await _open(fresh, keystore)
    await _fill(client, secret=PIN)
    await press(client, "Aanmelden")
    assert fresh.services.enrolled
    svc = fresh.services
    svc.add_client("Piet Pauw (fictief)", fictional=True)
    app.lock("manual")

    keystore.value = None  # e.g. the phone was reset, or the data directory was copied to another phone
    for _ in range(11):  # more than the ten attempts that would destroy the keys
        await type_into(client, "Pincode", PIN)
        await press(client, "Ontgrendelen")
    assert has_text(client, "De sleutel in de beveiligde opslag van deze telefoon ontbreekt"), dump(client)
    assert not svc.unlocked
    info = svc.unlock_info()
    assert info["failed_attempts"] == 0 and not info["destroyed"]

    keystore.broken = True  # the storage does not answer: said, not counted
    await type_into(client, "Pincode", PIN)
    await press(client, "Ontgrendelen")
    assert has_text(client, "De beveiligde opslag van dit toestel reageert niet"), dump(client)
    assert svc.unlock_info()["failed_attempts"] == 0


async def test_keystore_failure_at_enrolment_enrols_nothing(fresh, phone):
    keystore = MemoryKeystore()
    keystore.broken = True
    client, app = await _open(fresh, keystore)
    await _fill(client, secret=PIN)
    await press(client, "Aanmelden")
    assert has_text(client, "De beveiligde opslag van dit toestel reageert niet"), dump(client)
    assert not fresh.services.enrolled and isinstance(app.screen, EnrolView)


async def test_pin_change_keeps_the_keystore_secret(fresh, phone):
    keystore = MemoryKeystore()
    client, app = await _open(fresh, keystore)
    await _fill(client, secret=PIN)
    await press(client, "Aanmelden")
    secret = keystore.value
    await type_into(client, "Huidige pincode", "000000")
    await type_into(client, "Nieuwe pincode", "24680a")
    await type_into(client, "Nieuwe pincode nog een keer", "24680a")
    await press(client, "Pincode wijzigen")
    assert field(client, "Nieuwe pincode").error == "Een pincode bestaat alleen uit cijfers.", dump(client)
    await type_into(client, "Nieuwe pincode", "246802")
    await type_into(client, "Nieuwe pincode nog een keer", "246802")
    await press(client, "Pincode wijzigen")
    assert field(client, "Huidige pincode").error == "Je huidige pincode klopt niet. Er is niets gewijzigd."
    await type_into(client, "Huidige pincode", PIN)
    await type_into(client, "Nieuwe pincode", "246802")
    await type_into(client, "Nieuwe pincode nog een keer", "246802")
    await press(client, "Pincode wijzigen")
    assert semantics(client, "sec-pass-done"), dump(client)
    svc = fresh.services
    svc.lock()
    assert keystore.value == secret
    with pytest.raises(WrongPassphrase):
        svc.unlock(PIN, secret)
    svc.unlock("246802", secret)
    assert svc.unlocked


async def test_unlock_secret_is_never_shown_or_logged(fresh, phone, caplog):
    keystore = MemoryKeystore()
    client, app = await _open(fresh, keystore)
    await _fill(client, secret=PIN)
    await press(client, "Aanmelden")
    secret = keystore.value
    assert secret is not None
    for text in [*client.texts(), caplog.text]:
        assert b64e(secret) not in text and secret.hex() not in text


async def test_the_phone_entry_point_opens_the_enrol_screen_in_pin_mode(tmp_path, monkeypatch, phone):
    """`field_app.phone:main` (what `flet build apk` packages): its own device in Flet's app storage."""
    from flet_harness import FakeClient

    from field_app import phone as entry

    monkeypatch.delenv("VELDWERK_DATA", raising=False)
    monkeypatch.setenv("FLET_APP_STORAGE_DATA", str(tmp_path / "app-storage"))
    monkeypatch.setattr(entry, "_device", None)
    client = await FakeClient(entry.main, platform="android").start()
    services, guard = entry._device
    try:
        assert services.data_dir == tmp_path / "app-storage"
        assert has_text(client, "Dit is een telefoon"), dump(client)
        assert field(client, "Kies een pincode").keyboard_type == ft.KeyboardType.NUMBER
    finally:
        guard.stop()
        services.close()


async def test_a_second_submit_while_registering_changes_nothing(fresh, phone):
    """Enter pressed again while the registration runs must not store a second keystore secret (the vault
    would then never open with the right PIN)."""
    keystore = MemoryKeystore()
    client, app = await _open(fresh, keystore)
    await _fill(client, secret=PIN)
    view = app.screen
    assert isinstance(view, EnrolView)
    await asyncio.gather(view.submit(), view.submit())
    await client.settle()  # the screen work the registration scheduled is done before the test ends
    svc = fresh.services
    assert svc.enrolled and keystore.created == 1
    svc.lock()
    svc.unlock(PIN, keystore.value)
    assert svc.unlocked
