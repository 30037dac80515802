"""Names and states a screen reader gets from Flutter web's accessibility tree (found by a tester in the
browser), at 390x844: the passphrase's eye button is named and says what a tap does, a dialog is named by
its title (not "Melding"), a compliance answer says whether it is the chosen one, and a dropdown's message
is a whole sentence under it. Screenshots: artifacts/e2e/a11y_*.png."""

from __future__ import annotations

import re

import pytest
from e2e_support import Tab, stack_fixture
from playwright.sync_api import expect
from test_contact_browser import CLIENT, seed_alcohol_ban, seeded_stack

pytestmark = pytest.mark.e2e

stack = stack_fixture("a11y", lambda work: seeded_stack(work, "a11y", seed_alcohol_ban))


def test_01_the_eye_button_is_named_and_shows_the_passphrase(tab: Tab):
    page = tab.page
    eye = page.get_by_role("button", name="Wachtwoordzin tonen", exact=True)
    expect(eye).to_be_visible(timeout=10_000)
    tab.type("Wachtwoordzin", "geheim")
    field = page.get_by_role("textbox", name="Wachtwoordzin")
    expect(field).to_have_attribute("type", "password")
    eye.click()
    expect(page.get_by_role("button", name="Wachtwoordzin verbergen", exact=True)).to_be_visible(timeout=10_000)
    expect(field).not_to_have_attribute("type", "password", timeout=10_000)
    tab.shot("a11y_eye_revealed")
    page.get_by_role("button", name="Wachtwoordzin verbergen", exact=True).click()
    expect(eye).to_be_visible(timeout=10_000)


def test_02_a_dialog_is_named_by_its_title(tab: Tab):
    page = tab.page
    page.get_by_role("button", name="Wachtwoordzin vergeten?").click()
    dialog = page.get_by_role("alertdialog")
    expect(dialog).to_be_visible(timeout=10_000)
    # Flutter web names the dialog's route by its first labelled node (what a screen reader announces on
    # opening): the title, no longer the generic "Melding"
    named = dialog.locator("flt-semantics[aria-label]").first
    expect(named).to_have_attribute("aria-label", "Opnieuw beginnen op dit toestel")
    expect(dialog.locator('[aria-label="Melding"]')).to_have_count(0)
    tab.shot("a11y_dialog")
    page.get_by_role("button", name="Annuleren", exact=True).click()
    expect(dialog).to_have_count(0, timeout=10_000)


def test_03_a_compliance_answer_says_whether_it_is_chosen(tab: Tab):
    page = tab.page
    tab.unlock()
    card = page.get_by_role("button", name=re.compile(f"^{re.escape(CLIENT)}"))
    expect(card).to_be_visible(timeout=20_000)
    card.click()
    expect(tab.by_id("record-contact")).to_be_visible(timeout=10_000)
    tab.by_id("record-contact").click()
    expect(tab.by_id("contact-type")).to_be_visible(timeout=10_000)
    done, unknown = tab.by_id("compliance-0-NAGELEEFD"), tab.by_id("compliance-0-NIET_TE_BEOORDELEN")
    tab.reveal(done, top=80)
    tab.steady(done)
    expect(done).to_have_attribute("aria-checked", "false")
    expect(done).to_have_accessible_name("Verbod op alcohol en/of drugs, met controle: Nageleefd")
    done.click()
    expect(done).to_have_attribute("aria-checked", "true", timeout=10_000)
    expect(unknown).to_have_attribute("aria-checked", "false")
    tab.shot("a11y_compliance_chosen")


def test_04_a_dropdowns_message_is_a_whole_sentence_under_it(tab: Tab):
    page = tab.page
    tab.reveal(tab.by_id("contact-type"), top=80)
    page.get_by_role("button", name="Opslaan", exact=True).click()
    expect(tab.by_id("contact-type")).to_have_accessible_name("Soort contact, Kies het soort contact.",
                                                              timeout=10_000)
    tab.reveal(tab.by_id("contact-type"), top=80)
    message = tab.text("Kies het soort contact.", exact=True)
    expect(message).to_be_visible(timeout=10_000)
    tab.shot("a11y_dropdown_message")


FOCUSED = """() => { const a = document.activeElement;
  if (!a || a.tagName === 'FLUTTER-VIEW' || a === document.body) return null;
  return a.getAttribute('aria-label') || (a.innerText || '').trim(); }"""


def test_05_tab_goes_through_the_form_in_order_and_reaches_opslaan_last(tab: Tab):
    page = tab.page
    date = page.get_by_role("textbox", name="Datum (dd-mm-jjjj)")
    tab.reveal(date, top=80)
    tab.steady(date)
    date.click()
    expect(date).to_be_focused(timeout=5_000)
    seen: list[str] = []
    for _ in range(90):
        page.keyboard.press("Tab")
        page.wait_for_timeout(200)
        now = page.evaluate(FOCUSED)
        if now and (not seen or seen[-1] != now):
            seen.append(now)
        if now == "Contact opslaan":
            break
    tab.shot("a11y_tab_end")
    assert seen and seen[-1] == "Contact opslaan", seen
    assert "Opslaan" not in seen, f"the pinned Opslaan bar is a Tab stop in the middle of the form: {seen}"
    fields = ["Tijd (uu:mm)", "Naam", "Rol (bijv. moeder, behandelaar)", "Verslag (feiten)",
              "Afspraken en vervolgacties", "Datum volgende contact", "Tijd volgende contact"]
    where = [next((i for i, s in enumerate(seen) if s.startswith(f)), None) for f in fields]
    assert None not in where and where == sorted(where), list(zip(fields, where, strict=True))
    expect(page.get_by_role("button", name="Contact opslaan", exact=True)).to_be_focused()
