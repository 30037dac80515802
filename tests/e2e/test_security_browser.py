"""Toestel en beveiliging in a real browser at 390x844: the team's first (coordinator) device, with a second
device admitted through the command line (invitation, fingerprint comparison, confirmation). Meer →
Toestel en beveiliging → Nieuw toestel uitnodigen shows the code, the team fingerprint and the QR code;
the device list shows both devices with their role and status.
Screenshots: artifacts/e2e/security_invite.png, artifacts/e2e/security_devices.png."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from e2e_support import PASSPHRASE, Stack, Tab, stop
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "integration"))


def _seed(data) -> None:
    """A colleague's client opened by this coordinator with a reason (break the glass), and an own one."""
    from field_app.services import Services

    svc = Services(data, autosync=False)
    try:
        svc.unlock(PASSPHRASE)
        other = svc.intake("Bram B.", fictional=True, assigned_to="Kevin Mulder")
        svc.open_client_file(other, "Kevin ziek; huisbezoek vandaag overgenomen")
        own = svc.intake("Ans A.", fictional=True)
        svc.open_client_file(own)
    finally:
        svc.close()


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    from procs import admit

    work = tmp_path_factory.mktemp("security")
    s = Stack(work, "security").start()
    stop(s.web)  # enrolled and synced: admit a colleague's device through the real CLI, then serve
    admit(s.data, PASSPHRASE, work / "colleague", "collega wachtwoordzin", "Sam de Vries (fictief)")
    _seed(s.data)
    s.enrol = False
    s.start()
    yield s
    s.close()


@pytest.fixture(scope="module")
def tab(phone, stack):
    t = Tab(phone, stack.url).open()
    yield t
    t.check_clean()


def scroll_to(tab: Tab, locator) -> None:
    """Scroll down (then up) until ``locator`` is in Flutter's accessibility tree, then clear of the bars."""
    for step in range(40):
        if locator.count():
            break
        tab.page.mouse.move(195, 420)
        tab.page.mouse.wheel(0, 300 if step < 20 else -300)
        tab.page.wait_for_timeout(250)
    tab.reveal(locator, top=80, bottom_bar=40)


def test_01_invite_a_new_device_shows_code_fingerprint_and_qr(tab: Tab):
    page = tab.page
    tab.unlock()
    page.get_by_role("tab", name="Meer").click()
    open_button = tab.by_id("sec-open")
    scroll_to(tab, open_button)
    open_button.get_by_role("button", name="Toestel en beveiliging").click()
    expect(tab.text("Vingerafdruk van dit toestel")).to_be_visible(timeout=30_000)
    expect(tab.text("Wachtwoordzin van minstens 10 tekens (computer en web)")).to_be_attached()
    tab.shot("security_me")

    invite = page.get_by_role("button", name="Nieuw toestel uitnodigen", exact=True)
    scroll_to(tab, invite)
    tab.steady(invite)
    invite.click()
    qr = tab.by_id("sec-invite-qr")
    scroll_to(tab, qr)
    expect(page.get_by_role("img", name="QR-code van de uitnodiging voor het nieuwe toestel")).to_be_attached(
        timeout=30_000)
    code = tab.by_id("sec-invite-code")
    expect(code).to_be_attached()
    tab.reveal(code, top=80, bottom_bar=40)
    tab.steady(code)
    tab.shot("security_invite")


def test_02_device_list_with_roles_and_status(tab: Tab):
    page = tab.page
    heading = tab.text("Toestellen", exact=True)
    scroll_to(tab, heading)
    expect(tab.text("Dit toestel").first).to_be_attached()
    for _ in range(3):
        page.mouse.move(195, 420)
        page.mouse.wheel(0, 400)
        page.wait_for_timeout(250)
    expect(page.get_by_role("button", name="Intrekken", exact=True)).to_have_count(1)
    expect(page.get_by_role("group", name="Veldwerker / toezichthouder")).to_be_attached()
    tab.shot("security_devices")

    # the revoke dialog says what happens, then Annuleren changes nothing
    revoke = page.get_by_role("button", name="Intrekken", exact=True)
    tab.reveal(revoke, top=80, bottom_bar=40)
    revoke.click()
    expect(tab.text("nieuwe teamsleutel", exact=False)).to_be_visible(timeout=10_000)
    tab.shot("security_revoke_dialog")
    page.get_by_role("button", name="Annuleren", exact=True).click()


def test_03_access_log_highlights_break_the_glass(tab: Tab):
    page = tab.page
    page.get_by_label("Terug").first.click()
    log = tab.by_id("sec-access-log")
    scroll_to(tab, log)
    log.get_by_role("button", name="Wie opende welk dossier").click()
    glass = page.get_by_role("group", name="Bram B.")
    expect(glass).to_contain_text("Reden: Kevin ziek; huisbezoek vandaag overgenomen", timeout=30_000)
    expect(glass).to_contain_text("Buiten eigen caseload geopend")
    expect(page.get_by_role("group", name="Ans A.")).to_be_attached()
    tab.shot("security_access_log")


def test_04_security_screen_at_200_percent(tab: Tab):
    page = tab.page
    page.get_by_label("Terug").first.click()  # back to Meer
    size = page.get_by_role("button", name="200 %")
    scroll_to(tab, size)
    size.click()
    expect(tab.text("Tekstgrootte")).to_be_attached(timeout=10_000)
    page.wait_for_timeout(1000)  # the screen is drawn again at the new size
    open_button = tab.by_id("sec-open")
    scroll_to(tab, open_button)
    open_button.get_by_role("button", name="Toestel en beveiliging").click()
    expect(tab.text("Vingerafdruk van dit toestel")).to_be_visible(timeout=30_000)
    tab.shot("security_200_top")
    devices = page.get_by_role("button", name="Intrekken", exact=True)
    scroll_to(tab, devices)
    tab.steady(devices)
    tab.shot("security_200_devices")
