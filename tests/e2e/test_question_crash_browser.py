""""Escaleren?" survives a crash, in a real browser at 390x844 (issue #14): a violation of an alcohol ban
is saved, "Escaleren?" opens, and the device process (the web app) is killed with SIGKILL before anyone
answers. After a restart and unlock the question is asked again; "Nu niet" declines it, which is kept.
Screenshots: artifacts/e2e/question_*.png."""

from __future__ import annotations

import re

import pytest
from e2e_support import PASSPHRASE, Tab, stack_fixture, stop
from playwright.sync_api import expect
from test_contact_browser import CLIENT, restart_web, seed_alcohol_ban, seeded_stack

pytestmark = pytest.mark.e2e

stack = stack_fixture("question", lambda work: seeded_stack(work, "question", seed_alcohol_ban))


def test_the_question_is_asked_again_after_the_device_process_was_killed(phone, stack):
    first = Tab(phone, stack.url).open()
    first.unlock()
    card = first.page.get_by_role("button", name=re.compile(f"^{re.escape(CLIENT)}"))
    expect(card).to_be_visible(timeout=20_000)
    card.click()
    expect(first.by_id("record-contact")).to_be_visible(timeout=10_000)
    first.by_id("record-contact").click()
    expect(first.by_id("contact-type")).to_be_visible(timeout=10_000)
    first.choose("contact-type", "Huisbezoek (onaangekondigd)")
    first.type("Verslag (feiten)", "Ademtest positief (fictief).")
    toggle = first.by_id("compliance-0-OVERTREDING")
    first.reveal(toggle, top=80)
    first.steady(toggle)
    toggle.click()
    expect(first.by_id("compliance-severity-0")).to_be_visible(timeout=10_000)
    first.choose("compliance-severity-0", "Matig")
    first.choose("compliance-response-0", "Aanspreken")
    first.by_id("save-contact").click()
    expect(first.text("Escaleren?")).to_be_visible(timeout=15_000)
    first.shot("question_asked")
    assert not first.errors and not first.failed, (first.errors, first.failed)

    stack.web.kill()  # SIGKILL: the device process dies between the save and the answer
    stack.web.wait(10)
    first.page.close()
    restart_web(stack)

    again = Tab(phone, stack.url).open()
    again.unlock()
    expect(again.text("Escaleren?")).to_be_visible(timeout=20_000)  # asked again, saying about what
    expect(again.text(re.compile("^De app stopte voordat je deze vraag beantwoordde"))).to_be_visible()
    expect(again.text(re.compile("^Je legde een overtreding vast: Verbod op alcohol"))).to_be_visible()
    again.shot("question_asked_again")
    later = again.by_id("escalate-later")
    again.reveal(later)
    later.click()
    expect(again.text("Escaleren?")).to_have_count(0, timeout=10_000)
    again.check_clean()
    again.page.close()

    from field_app.services import Services

    stop(stack.web)  # look at the device's store: the note is there and the question was declined
    svc = Services(stack.data, autosync=False)
    try:
        svc.unlock(PASSPHRASE)
        cid = next(c.id for c in svc.caseload() if c.display_name == CLIENT)
        [note] = svc.records(cid, "contact")
        assert svc.pending_questions() == []
        [q] = svc.question_history()
        assert q["record_id"] == note.id and q["status"] == "declined"
    finally:
        svc.close()
