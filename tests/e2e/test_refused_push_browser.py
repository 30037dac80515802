"""A push the server refuses for good, seen in a real browser at 390x844 (issue #11): this device's own
outbox holds an envelope larger than the server takes, before another note in the same push (made so in
the device's SQLite file; a damaged signature, or a damaged last envelope of a push, is no longer refused
for good: the device seals its outbox again, tests/integration/test_damaged_store.py and
test_state_attacks.py). The server answers ``envelope_too_large`` and stores nothing; the note and its
client stay on the device, each saying *Geweigerd door de server: blijft bewaard op dit toestel*, and the
sync sheet gives the code for the administrator; at 200 % text in dark mode the state is still whole on the note's card. Screenshots:
artifacts/e2e/refused_note.png, refused_sheet.png, refused_note_200_dark.png."""

from __future__ import annotations

import re
import sqlite3

import pytest
from e2e_support import PASSPHRASE, Tab, appearance, prepared_stack, stack_fixture
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

CLIENT = "Cliënt met een geweigerde notitie (fictief)"
REPORT = "Notitie die de server weigert (fictief)."
LATER = "Latere notitie, in dezelfde push (fictief)."
REFUSED = "Geweigerd door de server"


def _prepare(s) -> None:
    from field_app.services import Services

    svc = Services(s.data, autosync=False)
    try:
        svc.unlock(PASSPHRASE)
        client = svc.add_client(CLIENT, fictional=True)
        svc.record_contact(client, contact_type="TELEFONISCH", outcome="PLAATSGEVONDEN", report=REPORT)
        svc.record_contact(client, contact_type="TELEFONISCH", outcome="PLAATSGEVONDEN", report=LATER)
    finally:
        svc.close()
    db = sqlite3.connect(s.data / "veldwerk.db")
    op_id, envelope = db.execute("SELECT op_id, envelope FROM outbox ORDER BY position DESC LIMIT 1 OFFSET 1").fetchone()
    too_large = envelope + bytes(300 * 1024)  # beyond the server's 256 KiB an envelope
    db.execute("UPDATE outbox SET envelope = ? WHERE op_id = ?", [too_large, op_id])
    db.commit()
    db.close()


stack = stack_fixture("refused", build=lambda work: prepared_stack(work, "refused", _prepare))


def test_the_refused_note_stays_on_the_device_and_says_so(tab: Tab):
    tab.unlock()
    client = tab.page.get_by_role("button", name=re.compile("^Cliënt met een geweigerde"))
    expect(client).to_be_visible(timeout=60_000)
    client.click()
    expect(tab.text(REPORT)).to_be_attached(timeout=30_000)
    refused = tab.page.get_by_text(re.compile(REFUSED))
    for _ in range(30):  # the background sync tries, and the server refuses
        if refused.count():
            break
        tab.page.wait_for_timeout(1000)
    expect(refused.first).to_be_attached(timeout=5_000)
    tab.shot("refused_note")


def test_the_sync_sheet_gives_the_code(tab: Tab):
    tab.by_id("sync-chip").click()
    expect(tab.page.get_by_role("button", name="Nu synchroniseren")).to_be_visible(timeout=10_000)
    text = tab.page.locator("flt-semantics-host").inner_text()
    assert "envelope_too_large" in text, text
    tab.shot("refused_sheet")


def test_at_200_percent_in_dark_mode_the_state_stays_whole(tab: Tab):
    """The note's state wraps inside its card at 200 % text (it was cut off at phone width before)."""
    page = tab.page
    page.keyboard.press("Escape")
    appearance(tab, "200 %", "Donker")
    page.get_by_role("tab", name="Cliënten").click()
    client = page.get_by_role("button", name=re.compile("^Cliënt met een geweigerde"))
    expect(client).to_be_visible(timeout=10_000)
    client.click()
    refused = page.get_by_text(re.compile(REFUSED)).first
    expect(refused).to_be_attached(timeout=10_000)
    record = page.get_by_role("button", name="Contact vastleggen").first
    fab = record.bounding_box()
    assert fab, "the floating button"
    tab.reveal(refused, bottom_bar=page.viewport_size["height"] - fab["y"] + 8)  # above the floating button
    box, width = refused.bounding_box(), page.viewport_size["width"]
    assert box and box["x"] >= 0 and box["x"] + box["width"] <= width, f"the state runs off the screen: {box}"
    assert box["y"] + box["height"] <= record.bounding_box()["y"], f"under the floating button: {box}"
    assert "blijft bewaard op dit toestel" in (refused.inner_text() or refused.get_attribute("aria-label") or "")
    tab.shot("refused_note_200_dark")
    appearance(tab, "100 %", "Licht")
