"""Conflict: twee wijzigingen tegelijk (#11) in a real browser at 390x844: the caseload card says so, the client
file shows both values with who and when, each "Deze houden" is a 48 dp button named after its value, the
keyboard reaches it, and the confirmed pick leaves one value and no conflict.

The other device's change is stored on the enrolled device as sync stores it (a remote operation made on the
same value) before its web UI starts. Screenshots: artifacts/e2e/conflict_*.png."""

from __future__ import annotations

import re

import pytest
from e2e_support import Tab, check_targets_and_names, stack_fixture
from playwright.sync_api import expect
from test_contact_browser import seeded_stack

pytestmark = pytest.mark.e2e

CLIENT = "Cor Conflict (fictief)"
OTHER = "Fatima El Amrani (fictief)"
MINE, THEIRS = "Niet alleen op huisbezoek", "Wapenbezit bekend"


def seed_conflict(svc) -> None:
    cid = svc.intake(CLIENT, fictional=True, safety_warning="DUO_BEZOEK")
    created = next(op for *_x, op in svc.device.store.iter_ops() if op["record_id"] == cid)["hlc"]
    svc.update_record(cid, {"safety_warning": "NIET_ALLEEN_THUIS_BEZOEKEN"})
    mine = [op for *_x, op in svc.device.store.iter_ops() if op["record_id"] == cid][-1]
    svc.device.store.add_op(b"t" * 16, {
        "type": "client", "record_id": cid, "client_id": cid, "kind": "set",
        "fields": {"safety_warning": "WAPENBEZIT_BEKEND"}, "hlc": [mine["hlc"][0] + 60_000, 0, "ander-toestel"],
        "author_user": OTHER, "base": {"safety_warning": created}}, origin="remote")


stack = stack_fixture("conflict", lambda work: seeded_stack(work, "conflict", seed_conflict))


def test_01_the_caseload_card_says_there_is_a_conflict(tab: Tab):
    tab.unlock()
    card = tab.page.get_by_role("button", name=re.compile(f"^{re.escape(CLIENT)}"))
    expect(card).to_be_visible(timeout=20_000)
    expect(tab.page.get_by_role("button", name=re.compile(f"^{re.escape(CLIENT)}.*Conflict: kies een waarde"))
           ).to_have_count(1)
    card.click()
    expect(tab.by_id("conflicts")).to_be_attached(timeout=10_000)


def test_02_both_values_with_who_and_when_and_named_48dp_buttons(tab: Tab):
    expect(tab.text("Conflict: twee wijzigingen tegelijk")).to_be_visible()
    for text in (MINE, THEIRS, "Persoon · Veiligheidswaarschuwing"):
        expect(tab.text(text).first).to_be_attached()
    expect(tab.text(re.compile(f"^{re.escape(OTHER)} · vandaag .* · nu getoond$"))).to_be_attached()
    keep_mine = tab.page.get_by_role("button", name=f"Deze houden: {MINE}, van Lotte de Boer (fictief)")
    keep_theirs = tab.page.get_by_role("button", name=f"Deze houden: {THEIRS}, van {OTHER}")
    expect(keep_mine).to_have_count(1)
    expect(keep_theirs).to_have_count(1)
    tab.reveal(keep_theirs)
    tab.steady(keep_theirs)
    tab.shot("conflict_card")
    check_targets_and_names(tab, "conflict card")


def test_03_keyboard_reaches_keep_and_a_confirmed_pick_settles_it(tab: Tab):
    keep_mine = tab.page.get_by_role("button", name=f"Deze houden: {MINE}, van Lotte de Boer (fictief)")
    tab.reveal(keep_mine)
    keep_mine.focus()
    expect(keep_mine).to_be_focused()
    tab.page.keyboard.press("Enter")
    expect(tab.text("Deze waarde houden?")).to_be_visible(timeout=10_000)
    tab.shot("conflict_confirm")
    tab.press("Houden")
    expect(tab.text(re.compile("^Bewaard\\."))).to_be_visible(timeout=10_000)
    expect(tab.text("Conflict: twee wijzigingen tegelijk")).to_have_count(0, timeout=10_000)
    expect(tab.by_id("safety-warning")).to_contain_text(MINE)
    tab.shot("conflict_settled")
