"""Browser-test fixtures. Module scope on purpose: Playwright's sync API keeps an event loop running in the
main thread, which clashes with pytest-asyncio tests in the same run (the Makefile runs `-m e2e` apart)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))  # e2e_support

from e2e_support import CHROMIUM, CHROMIUM_ARGS  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture(scope="module")
def phone(browser):
    """One phone-sized browser context per module (a new context costs seconds)."""
    ctx = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=1,
                              service_workers="block")
    yield ctx
    ctx.close()


@pytest.fixture(scope="module")
def tab(request, phone, stack):
    """The module's browser tab on its stack, opened at the unlock screen (or at ``TAB_READY`` of the
    module, e.g. "Aanmelden"); after the module it must have had no failed request or UI error."""
    from e2e_support import Tab

    t = Tab(phone, stack.url).open(getattr(request.module, "TAB_READY", "Ontgrendelen"))
    yield t
    t.check_clean()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """When a browser step fails, say what the screen held (its accessibility tree) and how the device's
    web process ended its log: on a loaded CI machine that is all there is to go on."""
    outcome = yield
    report = outcome.get_result()
    if report.when != "call" or not report.failed or "tab" not in item.funcargs:
        return
    tab, stack = item.funcargs["tab"], item.funcargs.get("stack")
    try:
        tree = tab.page.locator("body").aria_snapshot(timeout=5_000)
    except Exception as exc:  # the page itself is gone
        tree = f"(no snapshot: {type(exc).__name__})"
    report.sections.append(("screen at the failure", tree))
    if stack is not None:
        from e2e_support import ARTIFACTS
        log = ARTIFACTS / f"{stack.name}_device_web.log"
        if log.exists():
            report.sections.append(("device web log, last 30 lines",
                                    "\n".join(log.read_text(errors="replace").splitlines()[-30:])))
