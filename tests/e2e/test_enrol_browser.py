"""A new colleague joins from the app in a real browser at 390x844, as the README tells a newcomer.

The coordinator's device (command line: enrolled with the team's first code, synced, `field-app invite`)
makes an invitation; the new device's web UI (not enrolled) shows "Aanmelden bij je team"; the invitation
text is pasted, a name and a passphrase are chosen; the device shows its fingerprint and "Wacht op
bevestiging"; the coordinator compares the digits and confirms (`field-app confirm`); the new device then
reads the team's history by itself, without anyone pressing sync.
Screenshots: artifacts/e2e/enrol_invite_form.png, enrol_waiting.png, enrol_confirmed.png."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
from e2e_support import Stack, Tab
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "integration"))

NEW_PASS = "mijn nieuwe wachtwoordzin"
NEW_USER = "Sanne Vos (fictief)"
HISTORY = "Geschiedenis van het team (fictief)"


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    from procs import SUP_PASS, DeviceShell, device_cli, enrol, sync

    work = tmp_path_factory.mktemp("enrol")
    s = Stack(work, "enrol", cli_enrol=False).start()  # the web UI serves a device that is not enrolled
    coord = work / "coordinator"
    enrol(coord, s.server_url, s.code, "Fatima El Amrani (fictief)", SUP_PASS)
    sync(coord, SUP_PASS)  # the genesis and the first team key
    shell = DeviceShell(coord, SUP_PASS, work / "coordinator-shell.log")
    try:
        shell.call("add_client", name=HISTORY, fictional=True)  # the team's history before the newcomer
    finally:
        shell.close()
    sync(coord, SUP_PASS)
    s.coordinator = coord  # type: ignore[attr-defined]
    s.invitation = device_cli(coord, SUP_PASS, "invite", "--role", "VELDWERKER")  # type: ignore[attr-defined]
    try:
        yield s
    finally:
        s.close()


@pytest.fixture(scope="module")
def tab(phone, stack):
    t = Tab(phone, stack.url).open("Aanmelden")
    yield t
    t.check_clean()


def test_01_the_new_device_enrols_with_the_pasted_invitation(tab: Tab, stack: Stack):
    page = tab.page
    expect(tab.text("Aanmelden bij je team").first).to_be_visible()
    expect(tab.text(re.compile("^Op een computer of in de browser"))).to_be_attached()
    tab.type("Uitnodiging", stack.invitation["text"])  # type: ignore[attr-defined]
    tab.type("Je naam", NEW_USER)
    tab.type("Kies een wachtwoordzin", NEW_PASS)
    tab.type("Herhaal de wachtwoordzin", NEW_PASS)
    tab.shot("enrol_invite_form")
    tab.press("Aanmelden")
    expect(tab.text("Wacht op bevestiging").first).to_be_visible(timeout=30_000)
    expect(tab.by_id("sec-my-fingerprint")).to_be_attached()
    tab.shot("enrol_waiting")
    expect(page.get_by_role("textbox", name="Uitnodiging")).to_have_count(0)


def test_02_the_coordinator_compares_the_digits_and_confirms(tab: Tab, stack: Stack):
    from procs import SUP_PASS, device_cli

    shown = tab.by_id("sec-my-fingerprint").aria_snapshot()  # what a screen reader reads out
    digits = " ".join(re.findall(r"\d{5}", shown))
    assert len(digits.split()) == 12, shown
    coord = stack.coordinator  # type: ignore[attr-defined]
    waiting = device_cli(coord, SUP_PASS, "pending")
    match = [d for d in waiting if d["fingerprint"] == digits]
    assert len(match) == 1 and match[0]["role"] == "VELDWERKER", waiting
    device_cli(coord, SUP_PASS, "confirm", "--device", match[0]["id"], "--fingerprint", digits)
    # the new device notices by itself (background sync), no button pressed
    expect(tab.text("Wacht op bevestiging")).to_have_count(0, timeout=60_000)
    tab.shot("enrol_confirmed")
    devices = device_cli(coord, SUP_PASS, "devices")
    me = next(d for d in devices if d["id"] == match[0]["id"])
    assert me["role"] == "VELDWERKER" and me["status"] == "actief"


def test_03_the_new_device_reads_the_teams_history(tab: Tab):
    page = tab.page
    page.get_by_label("Terug").click()
    expect(page.get_by_role("button", name=re.compile(f"^{re.escape(HISTORY)}"))).to_be_visible(timeout=60_000)
    tab.shot("enrol_history")
