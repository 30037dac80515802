"""The meldcode weighing in a real browser at 390x844 for a client who lives with his mother, a victim:
five questions one at a time, the decision in plain Dutch, recorded, and visible in the file.
Screenshots: artifacts/e2e/meldcode_*.png."""

from __future__ import annotations

import re

import pytest
from e2e_support import Tab, stack_fixture
from playwright.sync_api import expect
from test_contact_browser import seeded_stack

pytestmark = pytest.mark.e2e

CLIENT = "Rob Dijkstra (fictief)"


def seed_victim_mother(svc) -> None:
    cid = svc.intake(CLIENT, fictional=True, housing_type="BIJ_FAMILIE")
    svc.create_record("network_person", cid, {"name": "Moeder Dijkstra (fictief)", "relation": "MOEDER",
                                              "roles": ["SLACHTOFFER"], "lives_with_client": True})


stack = stack_fixture("meldcode", lambda work: seeded_stack(work, "meldcode", seed_victim_mother))




def answer(tab: Tab, question: str, yes: bool) -> None:
    expect(tab.text(question)).to_be_visible(timeout=10_000)
    tab.by_id("meldcode-ja" if yes else "meldcode-nee").click()


def test_01_open_the_weighing(tab: Tab):
    page = tab.page
    tab.unlock()
    card = page.get_by_role("button", name=re.compile(f"^{re.escape(CLIENT)}"))
    expect(card).to_be_visible(timeout=20_000)
    card.click()
    tab.section("open-meldcode").click()
    expect(tab.text("Vraag 1 van 5")).to_be_visible(timeout=10_000)
    expect(tab.text("Afweging voor Rob Dijkstra (fictief)")).to_be_visible()
    tab.shot("meldcode_q1")


def test_02_five_questions_one_at_a_time(tab: Tab):
    answer(tab, "Is er een vermoeden van huiselijk geweld of kindermishandeling?", True)
    answer(tab, "Is er sprake van acute of structurele onveiligheid?", False)
    answer(tab, "Kun je zelf, of met anderen, goede hulp bieden of organiseren?", True)
    answer(tab, "Aanvaarden de betrokkenen deze hulp?", True)
    expect(tab.text("Vraag 5 van 5")).to_be_visible(timeout=10_000)
    tab.shot("meldcode_q5")
    answer(tab, "Leidt de hulp op tijd tot voldoende veiligheid?", False)


def test_03_decision_in_plain_dutch_and_recorded(tab: Tab):
    expect(tab.text("Besluit: Melden bij Veilig Thuis")).to_be_visible(timeout=10_000)
    expect(tab.text(re.compile("^Meld bij Veilig Thuis."))).to_be_visible()
    tab.shot("meldcode_decision")
    tab.by_id("meldcode-save").click()
    expect(tab.text(re.compile("^Vastgelegd: Melden bij Veilig Thuis"))).to_be_visible(timeout=10_000)
    tab.shot("meldcode_saved")


def test_04_visible_in_the_file(tab: Tab):
    tab.by_id("meldcode-done").click()
    expect(tab.by_id("record-contact")).to_be_visible(timeout=10_000)
    expect(tab.text(re.compile("Melden bij Veilig Thuis")).first).to_be_attached(timeout=10_000)
    tab.reveal(tab.text(re.compile("Melden bij Veilig Thuis")).first)
    tab.page.wait_for_timeout(400)
    tab.shot("meldcode_in_timeline")
