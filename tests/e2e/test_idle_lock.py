"""Idle lock in a real browser: a half-typed contact survives the lock as a sealed draft and comes back
after unlocking. The device is started with a short inactivity timeout (VELDWERK_IDLE_TIMEOUT)."""

from __future__ import annotations

import re

import pytest
from e2e_support import Stack, Tab
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

IDLE = 8  # seconds


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    s = Stack(tmp_path_factory.mktemp("idle"), "idle", idle_timeout=IDLE).start()
    yield s
    s.close()


def test_idle_lock_keeps_the_half_typed_contact(phone, stack):
    tab = Tab(phone, stack.url).open()
    page = tab.page
    tab.unlock()
    tab.press("Cliënt toevoegen")
    tab.type("Naam", "Kees Klaassen (fictief)")
    tab.press("Toevoegen")
    tab.by_id("record-contact").click()
    tab.choose("contact-type", "Telefonisch contact")
    tab.type("Verslag (feiten)", "Gebeld over de afspraak bij de reclassering; hij")

    # hands off: the app locks by itself, keeps the draft, and shows no client data any more
    expect(tab.text(re.compile("een tijd niet is gebruikt"))).to_be_visible(timeout=(IDLE + 10) * 1000)
    expect(tab.text(re.compile("Wat je aan het typen was, is bewaard."))).to_be_visible()
    tab.shows_no("Kees Klaassen")
    tab.shot("30_idle_locked")

    tab.unlock()
    expect(tab.text(re.compile("Je concept is teruggezet"))).to_be_visible(timeout=20_000)
    tab.shot("31_draft_restored")
    expect(tab.by_id("contact-type")).to_have_accessible_name("Soort contact, Telefonisch contact")
    report = page.get_by_role("textbox", name="Verslag (feiten)")
    report.click()  # Flutter fills the DOM textarea only while it has focus
    expect(report).to_be_focused()
    expect(report).to_have_value("Gebeld over de afspraak bij de reclassering; hij")
    page.keyboard.press("End")
    page.keyboard.type(" belt morgen terug.")
    tab.by_id("save-contact").click()
    expect(tab.text(re.compile("^Opgeslagen · "))).to_be_visible(timeout=10_000)
    expect(tab.text("Gebeld over de afspraak bij de reclassering; hij belt morgen terug.")).to_be_visible()
    tab.shot("32_saved_after_restore")
    tab.check_clean()
    page.close()
