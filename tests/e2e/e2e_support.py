"""Real processes and browser helpers for the browser tests (Flet 1.0.5 web + Debian Chromium).

Recipe: /work/shared/TESTING.md. Flet paints to a canvas; we turn on Flutter's accessibility tree and
drive the app through it. Typing: click the field, wait for focus, then ``keyboard.type``.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeout

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "artifacts" / "e2e"
CHROMIUM = os.getenv("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]
# The only off-host request Flet 1.0.5's web client makes with no_cdn=True (fails harmlessly).
ALLOWED_EXTERNAL = ("cdn.jsdelivr.net/npm/@rive-app/",)
PASSPHRASE = "correct horse battery staple"
USER = "Lotte de Boer (fictief)"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_http(url: str, proc: subprocess.Popen, log: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{proc.args} exited rc={proc.returncode}; see {log}")
        try:
            urllib.request.urlopen(url, timeout=1).read()
            return
        except urllib.error.HTTPError:
            return  # it answers (the device's tokened URL: 303, then 403 as urllib keeps no cookie)
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"{url} did not answer in {timeout} s; see {log}")


def stop(proc: subprocess.Popen | None) -> None:
    if proc is None or proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=10)


class Stack:
    """A sync server, one enrolled device, and that device's web UI — all real processes.

    ``enrol=False`` starts only the web UI (the server and the device from an earlier ``start``).
    ``cli_enrol=False`` starts the server and keeps its one-time code in ``code`` without enrolling the
    device, so the app shows its own enrol screen. ``env`` is added to the web process's environment.

    The web UI gets a random launch key (``VELDWERK_WEB_TOKEN``); ``url`` is the address with the key, as
    ``field-app serve`` prints it, ``base`` the plain address (which answers 403 without the cookie)."""

    def __init__(self, workdir: Path, name: str, *, idle_timeout: float | None = None, enrol: bool = True,
                 cli_enrol: bool = True, env: dict[str, str] | None = None):
        self.workdir = workdir
        self.name = name
        self.idle_timeout = idle_timeout
        self.enrol = enrol
        self.cli_enrol = cli_enrol
        self.env = dict(env or {})
        self.code = ""  # the server's one-time code (sync_server.cli init)
        self.data = workdir / "device"
        self.server: subprocess.Popen | None = None
        self.web: subprocess.Popen | None = None
        self.server_url = ""
        self.port = 0
        self.token = secrets.token_urlsafe(32)
        self.url = ""
        self.base = ""

    def start(self) -> Stack:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        if self.enrol:
            db = self.workdir / "server.db"
            out = subprocess.run([sys.executable, "-m", "sync_server.cli", "init", "--db", str(db), "--json"],
                                 capture_output=True, text=True, check=True, cwd=ROOT)
            code = self.code = json.loads(out.stdout.strip().splitlines()[-1])["code"]
            sport = free_port()
            self.server_url = f"http://127.0.0.1:{sport}"
            slog = ARTIFACTS / f"{self.name}_server.log"
            self.server = subprocess.Popen(
                [sys.executable, "-m", "sync_server.cli", "serve", "--db", str(db), "--host", "127.0.0.1",
                 "--port", str(sport)], stdout=open(slog, "w"), stderr=subprocess.STDOUT, cwd=ROOT, env=env)
            wait_http(self.server_url + "/healthz", self.server, slog)
            if self.cli_enrol:
                enrolled = subprocess.run(
                    [sys.executable, "-m", "field_app.cli", "enrol", "--data", str(self.data), "--server",
                     self.server_url, "--code", code, "--name", USER],
                    input=PASSPHRASE + "\n", capture_output=True, text=True, cwd=ROOT, timeout=120)
                assert enrolled.returncode == 0, enrolled.stderr
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}/"
        self.url = f"{self.base}?k={self.token}"
        self.serve_web()
        return self

    def web_env(self) -> dict[str, str]:
        """The web process's environment (also for a test that restarts it: the same key)."""
        wenv = {
            **os.environ,
            "PYTHONUNBUFFERED": "1",
            "FLET_WEB_RENDERER": os.getenv("E2E_RENDERER", "canvaskit"),  # screenshots in step with the DOM
            "FLET_WEB_NO_CDN": "true",
            "FLET_FORCE_WEB_SERVER": "true",
            "FLET_SERVER_IP": "127.0.0.1",
            "VELDWERK_LOG_LEVEL": "info",
            "VELDWERK_WEB_TOKEN": self.token,
        }
        wenv.pop("DISPLAY", None)
        if self.idle_timeout is not None:
            wenv["VELDWERK_IDLE_TIMEOUT"] = str(self.idle_timeout)
        wenv.update(self.env)
        return wenv

    def serve_web(self, env: dict[str, str] | None = None) -> None:
        """Start the device's web UI (``field-app serve``) and wait until it answers."""
        wlog = ARTIFACTS / f"{self.name}_device_web.log"
        self.web = subprocess.Popen(
            [sys.executable, "-m", "field_app.cli", "serve", "--data", str(self.data), "--port", str(self.port)],
            stdout=open(wlog, "w"), stderr=subprocess.STDOUT, cwd=ROOT, env=env or self.web_env())
        wait_http(self.url, self.web, wlog)

    def close(self) -> None:
        stop(self.web)
        stop(self.server)


class Tab:
    """One browser tab on the device's page, with off-host requests blocked and checked."""

    def __init__(self, context, url: str):
        self.url = url
        origin = "{0.scheme}://{0.netloc}/".format(urlsplit(url))  # url may carry the launch key
        self.page: Page = context.new_page()
        self.external: list[str] = []
        self.errors: list[str] = []
        self.failed: list[str] = []  # the app's own requests that failed (4xx/5xx): none is allowed
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))

        def answered(response) -> None:
            if response.url.startswith(origin) and response.status >= 400:
                self.failed.append(f"{response.status} {urlsplit(response.url).path}")  # no launch key

        self.page.on("response", answered)

        def block(route) -> None:
            self.external.append(route.request.url)
            route.abort()

        self.page.route(lambda u: not u.startswith(origin) and not u.startswith(("blob:", "data:")), block)

    def open(self, ready_text: str = "Ontgrendelen") -> Tab:
        self.page.goto(self.url)
        placeholder = self.page.locator("flt-semantics-placeholder")
        placeholder.wait_for(state="attached", timeout=60_000)
        placeholder.dispatch_event("click")  # turn Flutter's accessibility tree on
        self.page.get_by_role("button", name=ready_text).first.wait_for(timeout=60_000)
        return self

    def check_clean(self) -> None:
        assert not self.errors, self.errors
        bad = [u for u in self.external if not any(a in u for a in ALLOWED_EXTERNAL)]
        assert not bad, f"unexpected off-host requests: {bad}"
        assert not self.failed, f"requests to the app that failed: {sorted(set(self.failed))}"

    # -- steps
    def frame(self) -> None:
        """Two animation frames, so the canvas shows the latest state (canvaskit renderer)."""
        self.page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")

    def shot(self, name: str) -> Path:
        self.frame()
        path = ARTIFACTS / f"{name}.png"
        self.page.screenshot(path=str(path))
        return path

    def text(self, text, **kw):
        """Text on screen (in the accessibility tree; not the screen-reader announcement copies)."""
        return self.page.locator("flt-semantics-host").get_by_text(text, **kw)

    def shows_no(self, text: str) -> None:
        """Nothing on screen or in the accessibility tree mentions ``text`` (e.g. a client's name)."""
        expect(self.page.locator("flt-semantics-host")).not_to_contain_text(text, timeout=10_000)
        expect(self.page.locator(f'[aria-label*="{text}"]')).to_have_count(0)

    def announced(self, text: str):
        """A live-region announcement for screen readers."""
        return self.page.locator("flt-announcement-polite, flt-announcement-assertive").get_by_text(text)

    def top_bar_bottom(self) -> float:
        """Where the app's top bar ends (it is taller at 200 % text): under its title and its sync icon,
        plus the bar's padding; 0 on a screen without one."""
        ends = [b["y"] + b["height"] for b in (box_of(self.by_id("screen-title")), box_of(self.by_id("sync-chip")))
                if b and b["y"] < 200]
        return max(ends) + 6 if ends else 0

    def reveal(self, locator, top: float | None = None, bottom_bar: float = 120) -> None:
        """Scroll Flutter's list with the mouse wheel until ``locator`` is clear of the top bar (or of
        ``top``) and the bottom bar (Flutter ignores DOM scrollIntoView); a control in a row that scrolls
        sideways (the client file's sections) is brought into the width of the screen with a sideways wheel
        over that row."""
        height = self.page.viewport_size["height"]
        top = max(top or 0, self.top_bar_bottom())
        for _ in range(12):
            box = locator.bounding_box()
            if box is None:
                break
            if box["y"] >= 0 and box["y"] + box["height"] <= height and self._sideways(box, locator):
                continue  # first sideways, at its own height (a pinned row does not move up or down)
            if box["y"] < top:
                delta = -200
            elif box["y"] + box["height"] > height - bottom_bar:
                delta = 200
            else:
                return
            self.page.mouse.move(195, height / 2)
            self.page.mouse.wheel(0, delta)
            self.page.wait_for_timeout(250)
        self.frame()

    def _sideways(self, box: dict, locator) -> bool:
        """Bring ``locator`` (its box ``box``) wholly into the width if a row that scrolls sideways cuts it
        off; False when it is already inside. The browser's scroll-into-view does it (Flutter answers it
        with showOnScreen); a sideways wheel is the fallback."""
        width = self.page.viewport_size["width"]
        # Flutter clips a control's semantics box to the row: cut off, it is a sliver at the edge
        right = box["x"] + box["width"] > width or (box["width"] < 48 and box["x"] + box["width"] >= width - 1)
        left = box["x"] < 0 or (box["width"] < 48 and box["x"] <= 1)
        if not (right or left):
            return False
        try:
            locator.evaluate(INTO_VIEW, timeout=2000)
            self.page.wait_for_timeout(300)
            return True
        except PlaywrightError:  # gone from the tree meanwhile: the wheel below
            pass
        dx = max(box["x"] + box["width"] - width, 0) + 200 if right else min(box["x"], 0) - 200
        self.page.mouse.move(width / 2, box["y"] + box["height"] / 2)
        self.page.mouse.wheel(dx, 0)
        self.page.wait_for_timeout(300)
        return True

    def seek(self, locator, tries: int = 16):
        """Scroll the list (down, then back up) until ``locator`` is in Flutter's semantics tree, then clear
        of the bars: Flutter leaves controls far outside the viewport out of that tree, as a user who has
        to scroll to them would. Returns the locator."""
        height = self.page.viewport_size["height"]
        for step in range(tries):
            try:
                box = locator.bounding_box(timeout=1500) if locator.count() else None
            except PlaywrightTimeout:  # it left the tree again while Flutter redrew
                box = None
            if box is not None:
                if box["y"] >= 0 and box["y"] + box["height"] <= height - 120:
                    return locator
                delta = 200 if box["y"] > 0 else -200
            else:
                delta = 300 if step < tries // 2 else -300
            self.page.mouse.move(195, height / 2)
            self.page.mouse.wheel(0, delta)
            self.page.wait_for_timeout(300)
        return locator

    def section(self, identifier: str):
        """A button of the client file's sideways row (``section-risks``, ``open-meldcode`` ...): Flutter
        leaves the buttons far outside the row's width out of its semantics tree, so the row is wheeled
        sideways (back to its start, then onwards) until the button is there, then it is brought wholly
        into view. Returns the locator."""
        target, row = self.by_id(identifier), self.by_id("client-sections")
        row.wait_for(timeout=10_000)
        for step in range(16):
            if target.count():
                break
            box = row.bounding_box()
            self.page.mouse.move(195, box["y"] + box["height"] / 2)
            self.page.mouse.wheel(-300 if step < 4 else 300, 0)
            self.page.wait_for_timeout(300)
        self.reveal(target)
        self.steady(target)
        return target

    def steady(self, locator, timeout_ms: int = 3000) -> None:
        """Wait until ``locator`` stops moving (a scroll animation may still be running)."""
        last = None
        for _ in range(timeout_ms // 100):
            box = locator.bounding_box()
            if box is not None and box == last:
                return
            last = box
            self.page.wait_for_timeout(100)

    def type(self, label: str, text: str) -> None:
        """Make the field hold exactly ``text``. Flutter can miss keys typed in the first moment after it
        takes focus (TESTING.md), so the value is checked and typed again if needed."""
        field = self.page.get_by_role("textbox", name=label).first  # a hint text may follow the label
        self.reveal(field)
        self.steady(field)
        for attempt in range(4):
            field.click()
            try:  # right after a screen change Flutter may not take the first tap as focus
                expect(field).to_be_focused(timeout=2000)
            except AssertionError:
                if attempt == 3:
                    self.shot(f"debug_focus_{label}")
                    raise
                self.page.wait_for_timeout(300)
                continue
            self.page.wait_for_timeout(150)
            self.page.keyboard.press("Control+A")
            self.page.keyboard.type(text)
            try:
                expect(field).to_have_value(text, timeout=3000)
                return
            except AssertionError:
                if attempt == 3:
                    self.shot(f"debug_type_{label}")
                    raise

    def press(self, name: str) -> None:
        self.page.get_by_role("button", name=name, exact=True).click()

    def by_id(self, identifier: str):
        return self.page.locator(f'[flt-semantics-identifier="{identifier}"]')

    def choose(self, identifier: str, option: str) -> None:
        """Open the Dropdown with this Semantics identifier and pick an option by its label; check that the
        Dropdown now says it (a tap Flutter ignored or passed through is tried again, three times)."""
        target = self.by_id(identifier)
        item = self.page.get_by_role("button", name=option, exact=True).last
        for attempt in range(3):
            for tap in range(3):  # Flutter web now and then ignores a tap on a loaded machine: tap again
                self.reveal(target)
                self.steady(target)
                target.click()
                try:
                    item.wait_for(timeout=7_000)
                    break
                except Exception:
                    self.shot(f"debug_choose_{identifier}_{attempt}_{tap}")  # what the missed tap left
                    print(f"choose {identifier}: the tap at {box_of(target)} opened nothing")
                    continue
            else:
                self.shot(f"debug_choose_{identifier}")
                raise AssertionError(f"the options of {identifier} did not open")
            item.click()
            expect(self.by_id(identifier)).to_have_attribute("aria-expanded", "false")
            try:
                expect(self.by_id(identifier)).to_have_accessible_name(re.compile(re.escape(option)), timeout=3_000)
                return
            except AssertionError:
                if attempt == 2:
                    self.shot(f"debug_choose_{identifier}")
                    raise

    def unlock(self, passphrase: str = PASSPHRASE) -> None:
        self.type("Wachtwoordzin", passphrase)
        self.press("Ontgrendelen")


def appearance(tab: Tab, size: str, mode: str) -> None:
    """Meer → Tekstgrootte ``size`` ("100 %", "200 %") and Weergave ``mode`` ("Licht", "Donker"); stays on
    Meer."""
    page = tab.page
    page.get_by_role("tab", name="Meer").click()
    expect(tab.text("Tekstgrootte")).to_be_attached(timeout=10_000)
    page.get_by_role("button", name=size).click()
    page.wait_for_timeout(500)
    target = page.get_by_role("button", name=mode)
    for _ in range(20):
        if target.count():
            break
        page.mouse.move(195, 420)
        page.mouse.wheel(0, 300)
        page.wait_for_timeout(250)
    tab.reveal(target)
    target.click()
    page.wait_for_timeout(500)


def prepared_stack(work: Path, name: str, prepare) -> Stack:
    """A stack whose enrolled device is prepared through its own services first (``prepare(stack)``, with
    the web app stopped meanwhile so the device has one user), then served again."""
    s = Stack(work, name).start()
    stop(s.web)
    prepare(s)
    s.enrol = False
    s.start()
    return s


def stack_fixture(name: str, build=None, **kw):
    """A module's ``stack`` fixture: ``Stack(work, name, **kw).start()``, or ``build(work)`` for a module
    that prepares its devices first; closed after the module. One definition instead of one per file."""

    @pytest.fixture(scope="module")
    def stack(tmp_path_factory):
        work = tmp_path_factory.mktemp(name)
        s = build(work) if build is not None else Stack(work, name, **kw).start()
        try:
            yield s
        finally:
            s.close()

    return stack


# -- what a screen must hold at any text size (issue 14): targets, names, whole cards, nothing covered
INTERACTIVE = ("flt-semantics[role=button], flt-semantics[role=checkbox], flt-semantics[role=tab], "
               "flt-semantics[role=switch], flt-semantics[role=radio], flt-semantics[role=link], "
               "flt-semantics[role=menuitem], input, textarea")


def controls_on_screen(tab: Tab) -> list[dict]:
    """Every tappable control in the viewport: its accessible name and its box (CSS px = dp here)."""
    return tab.page.evaluate("""(sel) => {
        const h = window.innerHeight, w = window.innerWidth, out = [];
        for (const el of document.querySelectorAll(sel)) {
            const r = el.getBoundingClientRect();
            if (r.width === 0 || r.height === 0 || r.bottom <= 0 || r.top >= h || r.right <= 0 || r.left >= w) continue;
            let name = el.getAttribute('aria-label') || '';
            if (!name && el.id) { const l = document.querySelector(`[for="${el.id}"]`); if (l) name = l.textContent; }
            if (!name) name = (el.textContent || '').trim();
            if (!name && el.getAttribute('aria-labelledby')) name = 'labelled';
            out.push({name: name.trim(), x: r.left, y: r.top, w: r.width, h: r.height, id: el.id,
                      tag: el.tagName.toLowerCase(), role: el.getAttribute('role') || '',
                      html: el.outerHTML.replace(/ style="[^"]*"/g, '').slice(0, 300)});
        }
        return out;
    }""", INTERACTIVE)


def check_targets_and_names(tab: Tab, where: str, minimum: float = 47.5) -> None:
    """Everything tappable on screen is at least 48 x 48 dp and has an accessible name."""
    small, nameless = [], []
    nav = tab.page.locator("flt-semantics[role=tab]").first  # the bottom bar, where a screen has one
    clip = nav.bounding_box()["y"] if nav.count() and nav.bounding_box() else tab.page.viewport_size["height"]
    width = tab.page.viewport_size["width"]
    record = box_of(tab.by_id("record-contact"))  # the client file's bottom bar: the list ends above it
    if record:
        clip = min(clip, record["y"] - 4)
    row = box_of(tab.by_id("section-timeline"))  # the client file's pinned sections row: the list starts below it
    top = row["y"] + row["height"] if row else None
    for c in controls_on_screen(tab):
        if c["tag"] in ("input", "textarea"):  # a text field's tap area is its whole decorated box
            continue
        if c["y"] < clip - 1 <= c["y"] + c["h"] and c["role"] != "tab":  # cut off by a bottom bar: scroll to it
            continue
        if top is not None and c["y"] >= top - 1 and c["y"] <= top + 12 and c["h"] < minimum:
            continue  # cut off at the top of the list, under the pinned row: measured when scrolled to
        if c["w"] < minimum and (c["x"] <= 24 or c["x"] + c["w"] >= width - 24):
            continue  # a sliver at the edge of a sideways row (clipped by the row, inside the screen's 16 px
            # margin): measured when it is scrolled to
        if (c["w"] < minimum or c["h"] < minimum) and not whole_size_when_revealed(tab, c["id"], minimum):
            small.append(f"{c['role']} {c['name'][:40]!r} {c['w']:.0f}x{c['h']:.0f}")
        if not c["name"] and not named_by_playwright(tab, c["id"]):
            nameless.append(f"{c['role']} at {c['x']:.0f},{c['y']:.0f}: {c['html']}")
    if small or nameless:
        tab.shot(f"debug_targets_{where}")
    assert not small, f"{where}: targets under 48 dp: {small}"
    assert not nameless, f"{where}: controls without a name: {nameless}"


# The browser's scroll-into-view, always (a sliver at the row's edge counts as "in view" for Playwright's
# scroll_into_view_if_needed): Flutter turns the scroll of its semantics container into a scroll action.
INTO_VIEW = "e => e.scrollIntoView({block: 'nearest', inline: 'center'})"


def whole_size_when_revealed(tab: Tab, element_id: str, minimum: float) -> bool:
    """A control cut off at the edge of a scrolling list measures small: scroll it into view and measure
    again (the check is about the control, not about how much of it the list shows)."""
    if not element_id:
        return False
    target = tab.page.locator(f"#{element_id}")
    if not target.count():
        return False
    # Flutter answers the browser's scroll-into-view of a semantics node with showOnScreen: that brings a
    # button of a sideways row into the width; then the wheel, clear of the top bar (measured), and clear
    # of a pinned row under it (the caseload's search, the client file's sections)
    try:
        target.evaluate(INTO_VIEW, timeout=3000)
        tab.steady(target)
        box = target.bounding_box() if target.count() else None
        if box and box["width"] >= minimum and box["height"] >= minimum:
            return True
    except PlaywrightError:
        pass
    for top in (None, 150):
        tab.reveal(target, top=top, bottom_bar=200)
        tab.steady(target)
        box = target.bounding_box() if target.count() else None
        if box and box["width"] >= minimum and box["height"] >= minimum:
            return True
    return False


def named_by_playwright(tab: Tab, element_id: str) -> bool:
    """The accessible name as Playwright computes it (aria-labelledby, tooltips), for what the quick look
    at aria-label and text did not name."""
    if not element_id:
        return False
    try:
        expect(tab.page.locator(f"#{element_id}")).to_have_accessible_name(re.compile(r"\S"), timeout=500)
        return True
    except AssertionError:
        return False


def box_of(locator) -> dict | None:
    """The box of ``locator``, or None when it is not there, also when it goes away between the count and
    the box (a dialog opening hides the screen below it: the box then waited 30 s, and the CI's flow test
    failed with its "Nieuwe cliënt" dialog left open for every later step)."""
    if not locator.count():
        return None
    try:
        return locator.bounding_box(timeout=2_000)
    except PlaywrightTimeout:
        return None


def overlaps(a: dict, b: dict) -> bool:
    return not (a["x"] + a["width"] <= b["x"] or b["x"] + b["width"] <= a["x"]
                or a["y"] + a["height"] <= b["y"] or b["y"] + b["height"] <= a["y"])
