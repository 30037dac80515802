"""Fixtures for view tests: the app in Flet's own Session through the client-less harness, on the real
``Services`` (a real enrolled device in ``tmp_path``) or on the in-memory fake.

The real device is enrolled through ``httpx.MockTransport`` answering only ``POST /v1/enrol`` (the sync
server is not needed to draw screens); every other request fails as if offline, and background sync is
off. Scrypt is cheap here. `test_real_server_device.py` runs the same screens on a device enrolled
with a real `sync-server` subprocess.
"""

from __future__ import annotations

import sys
from pathlib import Path

import httpx
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))  # flet_harness, fake_services

from fake_services import FakeServices  # noqa: E402
from flet_harness import FakeClient  # noqa: E402
from ui_helpers import FAST_SCRYPT, PASSPHRASE, USER  # noqa: E402

from field_app.crypto.canonical import b64e  # noqa: E402
from field_app.services import Services  # noqa: E402
from field_app.ui.app import UiPrefs, VeldwerkApp, build  # noqa: E402
from field_app.ui.session_guard import SessionGuard  # noqa: E402


@pytest.fixture(autouse=True)
def strict_controls(monkeypatch):
    """Assigning a property a control does not have (``TextField.error_text`` in Flet 1.0 is ``error``)
    is silently kept in Python and never reaches the browser: make it an error in view tests."""
    import dataclasses

    from flet.controls.base_control import BaseControl

    known: dict[type, frozenset[str]] = {}
    original = BaseControl.__setattr__

    def checked(self, name, value):
        if not name.startswith("_"):
            names = known.get(type(self))
            if names is None:
                names = known[type(self)] = frozenset(f.name for f in dataclasses.fields(self))
            if name not in names and not hasattr(type(self), name):
                raise AttributeError(f"{type(self).__name__} has no property {name!r}")
        original(self, name, value)

    monkeypatch.setattr(BaseControl, "__setattr__", checked)


def _offline_server(request: httpx.Request) -> httpx.Response:
    if request.method == "POST" and request.url.path == "/v1/enrol":
        return httpx.Response(200, json={"team": b64e(b"T" * 16), "role": "VELDWERKER", "first": True})
    raise httpx.ConnectError("offline", request=request)


def enrolled_device(data_dir: Path, role: str = "VELDWERKER") -> Services:
    """A real, enrolled, LOCKED device that is offline (``role`` as the server answers at enrolment)."""
    def server(request: httpx.Request) -> httpx.Response:
        if request.method == "POST" and request.url.path == "/v1/enrol":
            return httpx.Response(200, json={"team": b64e(b"T" * 16), "role": role, "first": True})
        return _offline_server(request)

    svc = Services.enrol(data_dir, server_url="http://127.0.0.1:9", code="ABCD-EFGH", passphrase=PASSPHRASE,
                         user_name=USER, scrypt=FAST_SCRYPT, transport=httpx.MockTransport(server),
                         autosync=False)
    svc.lock()
    return svc


@pytest.fixture
def real_services(tmp_path):
    svc = enrolled_device(tmp_path / "device")
    yield svc
    svc.close()


@pytest.fixture
def supervisor_services(tmp_path):
    svc = enrolled_device(tmp_path / "supervisor", role="WERKBEGELEIDER")
    yield svc
    svc.close()


@pytest.fixture
def fake_services():
    return FakeServices(passphrase=PASSPHRASE, user_name=USER)


class Clock:
    """A hand-driven monotonic clock for the session guard."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock():
    return Clock()


class Device:
    """One device (services + guard + prefs) that several browser sessions can open."""

    def __init__(self, services, clock: Clock, idle_timeout: float = 300.0):
        self.services = services
        self.guard = SessionGuard(services, idle_timeout=idle_timeout, clock=clock)
        self.prefs = UiPrefs.load(services)  # as field_app.web does
        self.apps: list[VeldwerkApp] = []

    async def open(self, platform: str = "android") -> tuple[FakeClient, VeldwerkApp]:
        """A new session on this device (``platform`` as the Flutter client reports it)."""
        def main(page):
            self.apps.append(build(page, self.services, self.guard, self.prefs))

        client = await FakeClient(main, platform=platform).start()
        return client, self.apps[-1]


@pytest.fixture
def make_device(clock):
    """``make_device(services)``: another device (guard + preferences) on any Services object. Use this
    instead of importing from conftest (tests/integration has a conftest module too)."""
    made: list[Device] = []

    def make(services) -> Device:
        made.append(Device(services, clock))
        return made[-1]

    yield make
    for device in made:
        for app in device.apps:
            assert app.errors == [], app.errors


@pytest.fixture
def real_device(real_services, make_device):
    return make_device(real_services)  # its sessions must end without UI errors


@pytest.fixture
def supervisor_device(supervisor_services, make_device):
    """A werkbegeleider's device: may assign clients and arrange cover."""
    return make_device(supervisor_services)  # its sessions must end without UI errors


@pytest.fixture
def fake_device(fake_services, make_device):
    return make_device(fake_services)  # its sessions must end without UI errors
