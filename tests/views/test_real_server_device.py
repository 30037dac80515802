"""The main screens once more, on a device enrolled with a real `sync-server` subprocess on loopback (the
other view tests enrol through a stand-in answer to keep them fast). The device syncs for real, so the
timeline follows the note from "Wacht op verzending" to "Verzonden" by itself."""

from __future__ import annotations

import asyncio
import json
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import flet as ft
import pytest
from flet_harness import FakeClient
from ui_helpers import (
    FAST_SCRYPT,
    PASSPHRASE,
    USER,
    choice_error,
    dump,
    has_text,
    press,
    select,
    type_into,
    unlock,
)

from field_app.services import Services
from field_app.ui.app import UiPrefs, build
from field_app.ui.session_guard import SessionGuard
from field_app.ui.views.caseload import CaseloadView
from field_app.ui.views.client import ClientView

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    work = tmp_path_factory.mktemp("server")
    db = work / "server.db"
    out = subprocess.run([sys.executable, "-m", "sync_server.cli", "init", "--db", str(db), "--json"],
                         capture_output=True, text=True, check=True, cwd=ROOT)
    code = json.loads(out.stdout.strip().splitlines()[-1])["code"]
    port = _free_port()
    log = open(work / "server.log", "w")
    proc = subprocess.Popen([sys.executable, "-m", "sync_server.cli", "serve", "--db", str(db), "--host",
                             "127.0.0.1", "--port", str(port)], stdout=log, stderr=subprocess.STDOUT, cwd=ROOT)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            assert proc.poll() is None, (work / "server.log").read_text()
            try:
                urllib.request.urlopen(url + "/healthz", timeout=1).read()
                break
            except OSError:
                time.sleep(0.1)
        yield url, code
    finally:
        proc.terminate()
        proc.wait(10)
        log.close()


async def _wait_for(client: FakeClient, condition, seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        await client.settle()
        if condition():
            return
        await asyncio.sleep(0.1)
    raise AssertionError(dump(client))


async def test_unlock_caseload_and_contact_on_a_device_enrolled_with_the_real_server(server, tmp_path):
    url, code = server
    svc = Services.enrol(tmp_path / "device", server_url=url, code=code, passphrase=PASSPHRASE, user_name=USER,
                         scrypt=FAST_SCRYPT)
    svc.lock()
    apps = []
    guard = SessionGuard(svc)
    try:
        client = await FakeClient(lambda page: apps.append(build(page, svc, guard, UiPrefs()))).start()
        app = apps[0]
        await unlock(client, "dit is hem niet")
        assert has_text(client, "Onjuiste wachtwoordzin. Je gegevens blijven veilig.")
        await unlock(client, PASSPHRASE)
        assert isinstance(app.screen, CaseloadView), dump(client)
        assert has_text(client, "Nog geen cliënten")

        await press(client, "Cliënt toevoegen")
        await type_into(client, "Naam", "Lies Lammers (fictief)")
        client.find(ft.Checkbox).value = True
        await press(client, "Toevoegen")
        assert isinstance(app.screen, ClientView)
        await press(client, "Contact vastleggen")
        await press(client, "Opslaan")
        assert choice_error(client, "Soort contact") == "Kies het soort contact."
        await select(client, "Soort contact", "OUTREACHEND")
        await type_into(client, "Verslag (feiten)", "Aangetroffen bij de bibliotheek; afspraak gemaakt.")
        await press(client, "Opslaan")
        assert isinstance(app.screen, ClientView), dump(client)
        assert has_text(client, "Outreachend / vindplaatsgericht")
        assert any(t.endswith(f"· {USER}") for t in client.texts() if t)
        # the background sync delivers it; the screen follows without anyone pressing a button
        await _wait_for(client, lambda: has_text(client, "Opgeslagen · verzonden"))
        assert has_text(client, "Verzonden")
        assert app.errors == []
    finally:
        svc.close()
