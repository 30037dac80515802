"""Phone mode in a real browser at 390x844, with the REAL flet-secure-storage (its web implementation in
the Flutter client of flet_web, which keeps its items in the browser's localStorage). The device process
runs with VELDWERK_PHONE_MODE=1 and is not enrolled: the app shows "Aanmelden bij je team", the worker
enrols with server address, one-time code, name and a PIN, and the vault key is wrapped under the PIN plus
a secret in the secure storage. Then: a reload locks, a wrong PIN is refused, the right one opens the
client list; hiding the tab locks ("verborgen of gesloten"); with the secure storage emptied the right PIN
opens nothing and no attempt is counted.
Screenshots: artifacts/e2e/phone_enrol.png, phone_security.png, phone_unlock_wrong.png,
phone_background_locked.png, phone_keystore_missing.png."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest
from e2e_support import ROOT, Stack, Tab, stack_fixture
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

PIN = "583920"
WRONG_PIN = "111111"
NAME = "Sanne Vos (fictief)"
SLOT = "veldwerk.unlock.v1"  # field_app.ui.keystore.SLOT
PIN_LINE = "Pincode van minstens 6 cijfers met beveiligde opslag van de telefoon"
MISSING = re.compile("^De sleutel in de beveiligde opslag van deze telefoon ontbreekt")


TAB_READY = "Aanmelden"
stack = stack_fixture("phone", cli_enrol=False, env={"VELDWERK_PHONE_MODE": "1"})




def info(stack: Stack) -> dict:
    """``field-app info`` of the device's data directory (a separate process, as an operator would)."""
    out = subprocess.run([sys.executable, "-m", "field_app.cli", "info", "--data", str(stack.data)],
                         capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.strip().splitlines()[-1])


def local_storage(tab: Tab) -> dict[str, str]:
    return tab.page.evaluate("() => Object.fromEntries(Object.entries(window.localStorage))")


def reload(tab: Tab) -> None:
    """Reload the tab (the old session disconnects, which locks) and wait for the PIN field."""
    tab.page.reload()
    placeholder = tab.page.locator("flt-semantics-placeholder")
    placeholder.wait_for(state="attached", timeout=60_000)
    placeholder.dispatch_event("click")
    tab.page.get_by_role("button", name="Ontgrendelen", exact=True).wait_for(timeout=60_000)
    expect(tab.page.get_by_role("textbox", name="Pincode")).to_be_attached()


def unlock_pin(tab: Tab, pin: str) -> None:
    tab.type("Pincode", pin)
    tab.press("Ontgrendelen")


def test_01_enrol_in_phone_mode(tab: Tab, stack: Stack):
    page = tab.page
    expect(tab.text("Aanmelden bij je team").first).to_be_visible()
    expect(tab.text(re.compile("^Dit is een telefoon: je ontgrendelt met een pincode"))).to_be_attached()
    expect(page.get_by_role("textbox", name="Kies een pincode")).to_be_attached()
    tab.press("Geen uitnodiging? Serveradres en code")
    expect(page.get_by_role("textbox", name="Serveradres")).to_be_attached(timeout=10_000)
    tab.type("Serveradres", stack.server_url)
    tab.type("Eenmalige code", stack.code)
    tab.type("Je naam", NAME)
    tab.type("Kies een pincode", PIN)
    tab.type("Herhaal de pincode", PIN)
    tab.shot("phone_enrol")
    button = page.get_by_role("button", name="Aanmelden", exact=True)
    tab.reveal(button)
    tab.steady(button)
    button.click()
    expect(tab.text(PIN_LINE)).to_be_attached(timeout=60_000)
    expect(tab.text("Vingerafdruk van dit toestel")).to_be_visible()
    tab.shot("phone_security")

    facts = info(stack)
    assert facts["mode"] == "pincode+beveiligde opslag", facts
    assert facts["secret_kind"] == "pin" and facts["failed_attempts"] == 0 and not facts["destroyed"], facts


def test_02_secure_storage_holds_only_ciphertext(tab: Tab, stack: Stack):
    items = local_storage(tab)
    ours = {k: v for k, v in items.items() if k.endswith(SLOT)}
    assert ours, f"nothing the secure storage wrote for {SLOT!r} in localStorage: {sorted(items)}"
    for value in ours.values():
        assert value and value != "null"
    plain = [PIN, NAME, stack.code, stack.server_url, str(stack.data), stack.workdir.name]
    for key, value in items.items():
        for secret in plain:
            assert secret not in key and secret not in value, f"{secret!r} in plain sight in localStorage[{key!r}]"
    # the stored item is not the 32-byte secret in base64 as the app handed it over (it is encrypted)
    for value in ours.values():
        assert not re.fullmatch(r"[A-Za-z0-9+/]{43}=", value), value


def test_03_reload_locks_wrong_pin_refused_right_pin_opens(tab: Tab, stack: Stack):
    page = tab.page
    reload(tab)
    expect(tab.text("Vul je pincode in om verder te werken.")).to_be_attached()
    unlock_pin(tab, WRONG_PIN)
    expect(tab.text(re.compile("^Onjuiste pincode. Je gegevens blijven veilig."))).to_be_visible(timeout=30_000)
    tab.shot("phone_unlock_wrong")
    assert info(stack)["failed_attempts"] == 1

    unlock_pin(tab, PIN)
    expect(page.get_by_role("tab", name="Cliënten")).to_have_attribute("aria-selected", "true", timeout=30_000)
    expect(page.get_by_role("button", name="Cliënt toevoegen")).to_be_attached()
    assert info(stack)["failed_attempts"] == 0


def test_04_hidden_tab_locks_as_background(tab: Tab, stack: Stack):
    """Flutter web reports a hidden document (visibilitychange) as AppLifecycleState.hidden; the Flet client
    sends "inactive" and "hide", and the app locks. Headless Chromium never hides a page by itself, so the
    document is made to say it is hidden. Flutter draws no frames (and updates no accessibility tree) while
    hidden, so the locked screen can only be seen after the tab is visible again."""
    page = tab.page
    expect(page.get_by_role("button", name="Cliënt toevoegen")).to_be_attached()
    page.evaluate("""() => {
        Object.defineProperty(document, 'visibilityState', {configurable: true, get: () => 'hidden'});
        Object.defineProperty(document, 'hidden', {configurable: true, get: () => true});
        window.dispatchEvent(new Event('blur'));
        document.dispatchEvent(new Event('visibilitychange'));
    }""")
    page.wait_for_timeout(1000)
    page.evaluate("""() => {
        delete document.visibilityState;
        delete document.hidden;
        document.dispatchEvent(new Event('visibilitychange'));
        window.dispatchEvent(new Event('focus'));
    }""")
    expect(tab.text(re.compile("^Vergrendeld omdat het venster werd verborgen of gesloten."))).to_be_visible(
        timeout=20_000)
    expect(page.get_by_role("textbox", name="Pincode")).to_be_attached()
    tab.shows_no("Cliënt toevoegen")
    tab.shot("phone_background_locked")
    unlock_pin(tab, PIN)
    expect(page.get_by_role("tab", name="Cliënten")).to_have_attribute("aria-selected", "true", timeout=30_000)
    assert info(stack)["failed_attempts"] == 0


def test_05_missing_keystore_secret_opens_nothing_and_counts_nothing(tab: Tab, stack: Stack):
    page = tab.page
    page.evaluate("() => window.localStorage.clear()")
    assert local_storage(tab) == {}
    reload(tab)
    unlock_pin(tab, PIN)
    expect(tab.text(MISSING)).to_be_visible(timeout=30_000)
    expect(page.get_by_role("tab", name="Cliënten")).to_have_count(0)
    tab.shot("phone_keystore_missing")
    facts = info(stack)
    assert facts["failed_attempts"] == 0, facts
    assert facts["destroyed"] is False, facts
    assert facts["mode"] == "pincode+beveiligde opslag", facts
