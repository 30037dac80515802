"""Delivery while locked, in a real browser at 390x844 (issue #14): the device's web app records a contact
while the server is down, is locked, and — still locked — delivers the sealed note by signature once the
server is back; a second device (its own process) receives it while the first stays locked. The unlock
screen follows: "1 contact of wijziging wacht op verzending" → "Alles is verstuurd."
Screenshots: artifacts/e2e/locked_*.png."""

from __future__ import annotations

import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
from e2e_support import ARTIFACTS, PASSPHRASE, ROOT, Tab, stack_fixture, stop, wait_http
from playwright.sync_api import expect
from test_contact_browser import restart_web

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "integration"))
from procs import WORK_PASS, DeviceShell, admit, sync  # noqa: E402

pytestmark = pytest.mark.e2e

CLIENT = "Lea Locked (fictief)"


def _start_server(stack) -> None:
    port = stack.server_url.rsplit(":", 1)[1]
    log = ARTIFACTS / f"{stack.name}_server.log"
    stack.server = subprocess.Popen(
        [sys.executable, "-m", "sync_server.cli", "serve", "--db", str(stack.workdir / "server.db"), "--host",
         "127.0.0.1", "--port", port], stdout=open(log, "a"), stderr=subprocess.STDOUT, cwd=ROOT)
    wait_http(stack.server_url + "/healthz", stack.server, log)


def build(work: Path):
    from e2e_support import Stack

    from field_app.services import Services

    stack = Stack(work, "locked").start()
    stop(stack.web)
    sync(stack.data, PASSPHRASE)  # the team's first device posts the ledger and the first key
    stack.second = work / "second"
    admit(stack.data, PASSPHRASE, stack.second, WORK_PASS, "Sanne Kok (fictief)")
    sync(stack.second, WORK_PASS)
    svc = Services(stack.data, autosync=False)
    try:
        svc.unlock(PASSPHRASE)
        cid = svc.intake(CLIENT, fictional=True)
        svc.create_record("contact", cid, {"contact_type": "TELEFONISCH", "outcome": "PLAATSGEVONDEN",
                                           "report": "Vorig contact (fictief)."})
        svc.sync_once()
        stack.client_id = cid
    finally:
        svc.close()
    restart_web(stack)
    return stack


stack = stack_fixture("locked", build)


def _wait(pred, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if pred():
            return True
        time.sleep(0.5)
    return False


def test_a_locked_app_delivers_and_the_second_device_receives(phone, stack):
    second = DeviceShell(stack.second, WORK_PASS, ARTIFACTS / "locked_second_device.log")
    tab = Tab(phone, stack.url).open()
    try:
        assert _wait(lambda: len(second.call("timeline", client_id=stack.client_id)) == 1, 30)
        page = tab.page
        tab.unlock()
        stack.server.kill()  # offline: the note stays in the outbox, sealed and signed
        stack.server.wait(10)
        menu = page.get_by_role("button", name=f"Acties voor {CLIENT}", exact=True)
        expect(menu).to_be_visible(timeout=20_000)
        tab.steady(menu)
        menu.click()
        page.get_by_role("button", name="Alles volgens afspraak").click()
        expect(tab.by_id("save-contact")).to_be_visible(timeout=10_000)
        tab.by_id("save-contact").click()
        expect(tab.text(re.compile("^Opgeslagen"))).to_be_visible(timeout=15_000)

        page.get_by_role("tab", name="Meer").click()
        tab.seek(page.get_by_role("button", name="Vergrendelen", exact=True)).click()
        expect(tab.text("1 contact of wijziging wacht op verzending. Het staat veilig op dit apparaat.")) \
            .to_be_visible(timeout=10_000)
        tab.shot("locked_waiting")

        _start_server(stack)  # back online; the app stays locked
        expect(tab.text("Alles is verstuurd.")).to_be_visible(timeout=30_000)
        expect(page.get_by_role("button", name="Ontgrendelen")).to_be_visible()  # still locked
        tab.shot("locked_delivered")
        assert _wait(lambda: len(second.call("timeline", client_id=stack.client_id)) == 2, 30), \
            "the second device did not receive the note"
        expect(page.get_by_role("button", name="Ontgrendelen")).to_be_visible()  # received while locked
        tab.check_clean()
    finally:
        second.close()
        tab.page.close()
