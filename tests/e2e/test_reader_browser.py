"""A partner who may only read (PARTNER_LEZER), in a real browser at 390x844, at 100 % text in light mode
and at 200 % text in dark mode: the five demo cases arrive, the caseload, a client's file and Signalen
show them (a file outside the partner's caseload opens after a reason, kept in the access log), and no
screen offers what the device would refuse (no "Nieuwe cliënt", no "Contact
vastleggen"). The screens the crawl in tests/views/test_reader_roles.py presses through, seen as a person
sees them; every control on them is named and at least 48 x 48. Screenshots: artifacts/e2e/reader_*.png."""

from __future__ import annotations

import re

import pytest
from e2e_support import PASSPHRASE, Tab, appearance, check_targets_and_names, prepared_stack, stack_fixture
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

READER_PASS = "partner lezer wachtwoordzin 1234"


def _prepare(s) -> None:
    """The demo cases on the coordinator's device, a partner reader invited, confirmed and synced; the web
    app then serves the reader's device."""
    from field_app import demo
    from field_app.services import Services

    coord = Services(s.data, autosync=False)
    reader_dir = s.workdir / "reader"
    try:
        coord.unlock(PASSPHRASE)
        demo.seed(coord)
        coord.sync_once()
        invitation = coord.create_invitation("PARTNER_LEZER")
        reader = Services.enrol(reader_dir, invite=invitation["text"], passphrase=READER_PASS,
                                user_name="Partner Lezer (fictief)", autosync=False)
        try:
            reader.sync_once()
            coord.confirm_device(reader.device_id, " ".join(reader.fingerprint()))
            coord.sync_once()
            reader.sync_once()
            reader.sync_once()
            assert reader.role == "PARTNER_LEZER" and len(reader.caseload()) == 5
        finally:
            reader.close()
    finally:
        coord.close()
    s.data = reader_dir


stack = stack_fixture("reader", build=lambda work: prepared_stack(work, "reader", _prepare))


def _card(tab: Tab, name: str):
    return tab.page.get_by_role("button", name=re.compile(f"^{re.escape(name)},"))


@pytest.mark.parametrize(("size", "mode", "tag"), [("100 %", "Licht", "100_light"), ("200 %", "Donker", "200_dark")])
def test_a_partner_reader_reads_and_is_offered_nothing_to_record(tab: Tab, size, mode, tag):
    page = tab.page
    if tag == "100_light":
        tab.unlock(READER_PASS)
    expect(_card(tab, "Dennis A.")).to_be_visible(timeout=60_000)
    appearance(tab, size, mode)
    page.get_by_role("tab", name="Cliënten").click()
    expect(_card(tab, "Dennis A.")).to_be_visible(timeout=10_000)
    tab.frame()
    tab.shot(f"reader_caseload_{tag}")
    expect(page.get_by_role("button", name=re.compile("^Nieuwe cliënt"))).to_have_count(0)
    check_targets_and_names(tab, f"reader_caseload_{tag}")
    page.get_by_role("tab", name=re.compile("^Signalen")).click()
    page.wait_for_timeout(800)
    tab.shot(f"reader_flags_{tag}")
    check_targets_and_names(tab, f"reader_flags_{tag}")
    page.get_by_role("tab", name="Cliënten").click()
    _card(tab, "Dennis A.").click()
    # not in the partner's own caseload: opening the file asks for a reason, which the access log keeps
    reason = page.get_by_role("textbox", name="Reden")
    expect(reason).to_be_visible(timeout=10_000)
    tab.shot(f"reader_reason_{tag}")
    check_targets_and_names(tab, f"reader_reason_{tag}")
    tab.type("Reden", "Casusoverleg ZVH (fictief)")
    page.get_by_role("button", name="Openen en vastleggen").click()
    expect(page.get_by_role("heading", name="Dennis A.").first).to_be_visible(timeout=10_000)
    expect(tab.by_id("section-timeline")).to_be_visible()
    expect(page.locator('[flt-semantics-identifier^="note-"]').first).to_be_attached(timeout=10_000)
    tab.frame()
    tab.shot(f"reader_client_{tag}")
    expect(tab.by_id("record-contact")).to_have_count(0)
    expect(page.get_by_role("button", name="Contact vastleggen")).to_have_count(0)
    check_targets_and_names(tab, f"reader_client_{tag}")
    page.get_by_role("button", name="Terug").first.click()
    expect(_card(tab, "Dennis A.")).to_be_visible(timeout=10_000)
