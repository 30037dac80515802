"""Lists and navigation in a real browser at 390x844 on a device seeded with the five fictional demo
cases (through the real services, before `field-app serve` starts): the caseload with the filter
"Signaal", the agenda for this week, Signalen, the caseload at 200 % text and in dark mode.
Screenshots: artifacts/e2e/lists_*.png."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from e2e_support import PASSPHRASE, Stack, Tab, stack_fixture, stop
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


def _seed(data) -> None:
    """The demo cases plus a little of today: my own client with a contact planned tomorrow, an immediate
    flag assigned to me, and a colleague's clients covered by me during her holiday."""
    from field_app.demo import seed
    from field_app.services import Services
    from field_app.ui import fmt
    from field_app.ui.views.agenda import day_start_ms

    svc = Services(data, autosync=False)
    try:
        svc.unlock(PASSPHRASE)
        seed(svc)
        today = fmt.local(fmt.now_ms()).date()
        cid = svc.intake("Cees C.", fictional=True, safety_warning="WAPENBEZIT_BEKEND")
        svc.create_record("contact", cid, {
            "contact_type": "TELEFONISCH", "outcome": "PLAATSGEVONDEN", "occurred_at": fmt.now_ms() - 3_600_000,
            "report": "Gebeld.", "next_contact_at": day_start_ms(today + timedelta(days=1)) + 10 * 3_600_000})
        dennis = next(i.id for i in svc.caseload_items() if i.display_name == "Dennis A.")
        svc.create_record("flag", dennis, {"reason": "ACUUT_GEVAAR", "urgency": "DIRECT", "route": "POLITIE_112",
                                           "assignee": svc.user_name, "note": "Dreigde met geweld."})
        svc.hand_over("Kevin Mulder", svc.user_name, (today + timedelta(days=14)).isoformat())
    finally:
        svc.close()


def _seeded(work):
    s = Stack(work, "lists").start()
    stop(s.web)  # enrolled: now seed the device through the real services, then serve it
    _seed(s.data)
    s.enrol = False
    return s.start()


stack = stack_fixture("lists", _seeded)




def scroll_to(tab: Tab, locator) -> None:
    """Scroll the list down until ``locator`` is in Flutter's accessibility tree, then clear of the bars."""
    for _ in range(20):
        if locator.count():
            break
        tab.page.mouse.move(195, 420)
        tab.page.mouse.wheel(0, 300)
        tab.page.wait_for_timeout(250)
    tab.reveal(locator)


def mine_heading(tab: Tab):
    """"Aan mij toegewezen" heads the list (mine first, then the others); scroll to it if needed."""
    heading = tab.text("Aan mij toegewezen")
    heading.first.wait_for(state="attached", timeout=10_000) if heading.count() else None
    return tab.seek(heading, tries=40)


def row(tab: Tab, name: str):
    return tab.page.get_by_role("button", name=re.compile(f"^{re.escape(name)}"))


def test_01_caseload_with_filter_signaal(tab: Tab):
    page = tab.page
    tab.unlock()
    expect(row(tab, "Dennis A.")).to_be_visible(timeout=30_000)
    expect(tab.text("6 cliënten")).to_be_visible()
    expect(page.get_by_role("tab", name="Cliënten")).to_have_attribute("aria-selected", "true")
    tab.shot("lists_caseload")
    page.get_by_role("button", name="Filter", exact=True).click()  # the filters are in a bottom sheet
    signaal = page.get_by_role("checkbox", name="Signaal")
    signaal.click()
    expect(signaal).to_be_checked(timeout=10_000)
    expect(page.get_by_role("button", name="Filters wissen")).to_be_attached()
    page.get_by_role("button", name="Klaar").click()
    expect(tab.text("3 cliënten")).to_be_visible(timeout=10_000)  # Dennis, Henk and Rob have open flags
    expect(page.get_by_role("button", name="Filter (1)")).to_be_visible()
    expect(row(tab, "Cees C.")).to_have_count(0)
    expect(row(tab, "Dennis A.")).to_be_visible()
    tab.shot("lists_caseload_signaal")
    page.get_by_role("button", name="Filter (1)").click()
    page.get_by_role("button", name="Filters wissen").click()
    expect(signaal).not_to_be_checked(timeout=10_000)
    page.get_by_role("button", name="Klaar").click()
    expect(tab.text("6 cliënten")).to_be_attached(timeout=10_000)


def test_02_agenda_this_week(tab: Tab):
    page = tab.page
    page.get_by_role("tab", name="Agenda").click()
    expect(tab.by_id("agenda-range")).to_be_visible(timeout=10_000)
    page.get_by_role("button", name="Deze week").click()
    expect(tab.text("Morgen")).to_be_visible(timeout=10_000)
    expect(page.get_by_role("button", name=re.compile("^10:00, Gepland contact, Cees C."))).to_be_attached()
    tab.shot("lists_agenda_week")


def test_03_signalen_mine_first(tab: Tab):
    page = tab.page
    page.get_by_role("tab", name=re.compile("^Signalen")).click()
    expect(mine_heading(tab)).to_be_visible(timeout=10_000)
    first = page.get_by_role("button", name=re.compile("^Acuut gevaar, Dennis A., Direct"))
    expect(first).to_be_visible()
    tab.shot("lists_signalen")
    expect(tab.seek(tab.text("Aan mij toegewezen"))).to_be_visible(timeout=10_000)
    first = tab.seek(page.get_by_role("button", name=re.compile("^Acuut gevaar, Dennis A., Direct")))
    expect(first).to_be_visible()
    tab.shot("lists_signalen_mine")
    first.click()
    # Dennis A. is Kevin Mulder's client, covered by me: his file opens
    expect(page.get_by_role("heading", name="Dennis A.").first).to_be_visible(timeout=10_000)
    expect(page.get_by_role("button", name="Contact vastleggen")).to_be_visible()
    page.get_by_role("tab", name=re.compile("^Signalen")).click()
    expect(mine_heading(tab)).to_be_visible(timeout=10_000)


def test_04_caseload_at_200_percent(tab: Tab):
    page = tab.page
    page.get_by_role("tab", name="Meer").click()
    expect(tab.text("Tekstgrootte")).to_be_attached(timeout=10_000)
    page.get_by_role("button", name="200 %").click()
    expect(page.get_by_role("button", name="Vergrendelen")).to_be_attached(timeout=10_000)  # the Meer screen redrawn
    page.wait_for_timeout(500)
    page.get_by_role("tab", name="Cliënten").click()
    expect(row(tab, "Cees C.")).to_be_visible(timeout=10_000)
    expect(page.get_by_role("button", name="Cliënt toevoegen")).to_be_visible()
    tab.shot("lists_caseload_200")
    tab.reveal(row(tab, "Dennis A."), top=200)
    tab.shot("lists_caseload_200_rows")
    page.get_by_role("tab", name="Agenda").click()
    expect(tab.by_id("agenda-range")).to_be_visible(timeout=10_000)
    tab.shot("lists_agenda_200")
    page.get_by_role("tab", name=re.compile("^Signalen")).click()
    expect(mine_heading(tab)).to_be_visible(timeout=10_000)
    tab.shot("lists_signalen_200")
    page.get_by_role("tab", name="Meer").click()
    page.get_by_role("button", name="100 %").click()
    expect(page.get_by_role("button", name="Vergrendelen")).to_be_attached(timeout=10_000)
    page.wait_for_timeout(500)


def test_05_caseload_in_dark_mode(tab: Tab):
    page = tab.page
    scroll_to(tab, page.get_by_role("button", name="Donker"))
    page.get_by_role("button", name="Donker").click()
    tab.page.wait_for_timeout(500)
    tab.shot("lists_meer_dark")
    page.get_by_role("tab", name="Cliënten").click()
    expect(row(tab, "Dennis A.")).to_be_visible(timeout=10_000)
    tab.shot("lists_caseload_dark")
    page.get_by_role("tab", name=re.compile("^Signalen")).click()
    expect(mine_heading(tab)).to_be_visible(timeout=10_000)
    tab.shot("lists_signalen_dark")
    page.get_by_role("tab", name="Meer").click()
    expect(page.get_by_role("button", name="Vergrendelen")).to_be_attached(timeout=10_000)
    # exact: a flag card on Signalen says "Automatisch" too, and may linger a moment in the tree
    scroll_to(tab, page.get_by_role("button", name="Automatisch", exact=True))
    page.get_by_role("button", name="Automatisch", exact=True).click()
