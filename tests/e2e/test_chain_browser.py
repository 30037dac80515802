"""One bad envelope never stops a team (issue #11), seen in a real browser at 390x844: a colleague's two
notes are damaged in the server's SQLite file; the coordinator's device (the web app) keeps syncing and its
sync sheet lists the colleague's device as waiting and the damaged notes as refused. The colleague's device
delivers them again (`field-app sync`, a real process); the sheet no longer lists anything and every note
opens. Screenshots: artifacts/e2e/chain_sheet_held.png, chain_sheet_mended.png, chain_notes_open.png."""

from __future__ import annotations

import re
import sqlite3
import sys
from pathlib import Path

import pytest
from e2e_support import PASSPHRASE, Stack, Tab, stop
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "integration"))

COLLEAGUE = "Sam de Vries (fictief)"
COLL_PASS = "collega wachtwoordzin"
NOTES = 5


def _damage(db_path: Path, device: str, which: tuple[int, ...]) -> None:
    """One bit of the signature of the colleague's notes at those indexes flipped, straight in the file."""
    db = sqlite3.connect(db_path, timeout=30)
    rows = db.execute("SELECT seq, envelope FROM changes WHERE device = ? ORDER BY device_seq",
                      [device]).fetchall()[-NOTES:]
    for i in which:
        seq, env = rows[i]
        damaged = bytearray(env)
        damaged[-9] ^= 0x20
        db.execute("UPDATE changes SET envelope = ? WHERE seq = ?", [bytes(damaged), seq])
    db.commit()
    db.close()


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    from procs import DeviceShell, admit, sync

    work = tmp_path_factory.mktemp("chain")
    s = Stack(work, "chain").start()
    stop(s.web)
    colleague = work / "colleague"
    joined = admit(s.data, PASSPHRASE, colleague, COLL_PASS, COLLEAGUE)
    assert sync(colleague, COLL_PASS)["state"] == "online"  # its name (the member announcement) goes first
    shell = DeviceShell(colleague, COLL_PASS, work / "colleague.log")
    try:
        client = shell.call("add_client", name="Cliënt van Sam (fictief)", fictional=True)
        for i in range(NOTES):
            shell.call("record_contact", client_id=client, contact_type="TELEFONISCH", outcome="PLAATSGEVONDEN",
                       report=f"Notitie {i} van Sam (fictief).")
    finally:
        shell.close()
    assert sync(colleague, COLL_PASS, rounds=2)["state"] == "online"
    _damage(work / "server.db", joined["device"], (1, 3))
    s.colleague = colleague
    s.enrol = False
    s.start()
    yield s
    s.close()


@pytest.fixture(scope="module")
def tab(phone, stack):
    t = Tab(phone, stack.url).open()
    yield t
    t.check_clean()


def _sheet_text(tab: Tab) -> str:
    tab.by_id("sync-chip").click()
    expect(tab.page.get_by_role("button", name="Nu synchroniseren")).to_be_visible(timeout=10_000)
    return tab.page.locator("flt-semantics-host").inner_text()


def _close_sheet(tab: Tab) -> None:
    tab.press("Nu synchroniseren")
    expect(tab.page.get_by_role("button", name="Nu synchroniseren")).to_have_count(0)


def test_01_the_sheet_lists_the_held_device_and_the_refused_notes(tab: Tab):
    tab.unlock()
    expect(tab.page.get_by_role("button", name=re.compile("^Cliënt van Sam"))).to_be_visible(timeout=60_000)
    text = _sheet_text(tab)
    for _ in range(20):  # the background sync may still be pulling: look again after a round
        if "zijn geweigerd" in text:
            break
        _close_sheet(tab)
        tab.page.wait_for_timeout(1500)
        text = _sheet_text(tab)
    assert f"Berichten van {COLLEAGUE} wachten" in text, text
    assert f"2 berichten van {COLLEAGUE} zijn geweigerd" in text, text
    assert "Synchroniseren is gestopt" not in text
    tab.shot("chain_sheet_held")
    _close_sheet(tab)


def test_02_after_the_colleague_delivers_again_nothing_waits(tab: Tab, stack):
    from procs import sync

    assert sync(stack.colleague, COLL_PASS)["state"] == "online"  # unlocked again: finds and mends its chain
    text = ""
    for _ in range(40):
        text = _sheet_text(tab)
        if "geweigerd" not in text and "wachten" not in text:
            break
        _close_sheet(tab)
        tab.page.wait_for_timeout(1500)
    assert "geweigerd" not in text and f"Berichten van {COLLEAGUE} wachten" not in text, text
    tab.shot("chain_sheet_mended")
    _close_sheet(tab)
    tab.page.get_by_role("button", name=re.compile("^Cliënt van Sam")).click()
    reason = tab.page.get_by_role("textbox", name="Reden")  # a colleague's client: break the glass
    reason.click()
    tab.page.keyboard.type("Controle na herstel (fictief)")
    tab.press("Openen en vastleggen")
    for i in (4, 3):  # the newest (it waited behind the damage) and a damaged one, delivered again
        expect(tab.text(f"Notitie {i} van Sam (fictief).")).to_be_attached(timeout=30_000)
    tab.shot("chain_notes_open")
