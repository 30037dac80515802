"""Web mode exposes a device: no other web page may drive it. A page served from another loopback port
tries to open the device's websocket (the one Flet's client uses, path /ws) from a real browser; it
must never open. The same refusal is checked without a browser, and a same-origin handshake is
accepted so the test can tell the two apart.

Another OS user on the same computer can reach the port too: every request must carry this launch's key
(a cookie the printed address sets), so a browser without it sees only a refusal."""

from __future__ import annotations

import http.client
import http.server
import threading
from pathlib import Path

import pytest
from e2e_support import ARTIFACTS, Stack, Tab, free_port
from playwright.sync_api import expect
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect

pytestmark = pytest.mark.e2e

PROBE = """<!doctype html><meta charset="utf-8"><title>probe</title>
<body>Een andere website</body>
<script>
window.events = [];
const ws = new WebSocket("ws://127.0.0.1:%(port)d/ws");
ws.onopen = () => window.events.push("open");
ws.onerror = () => window.events.push("error");
ws.onclose = (e) => window.events.push("close:" + e.code);
window.fetchResult = "pending";
fetch("http://127.0.0.1:%(port)d/", {mode: "cors"})
  .then(r => r.text()).then(t => window.fetchResult = "read:" + t.length)
  .catch(e => window.fetchResult = "blocked");
</script>
<iframe id="frame" src="http://127.0.0.1:%(port)d/" width="300" height="300"></iframe>
"""


@pytest.fixture(scope="module")
def device(tmp_path_factory):
    # no enrolment needed: the websocket and the headers are the same for every device
    s = Stack(tmp_path_factory.mktemp("origin"), "origin", enrol=False).start()
    yield s
    s.close()


@pytest.fixture(scope="module")
def foreign_site(tmp_path_factory, device):
    """A page on another loopback port: what a malicious local web page or a DNS-rebound site could do."""
    root: Path = tmp_path_factory.mktemp("foreign")
    (root / "index.html").write_text(PROBE % {"port": device.port}, encoding="utf-8")

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *a, **kw):
            super().__init__(*a, directory=str(root), **kw)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", free_port()), Quiet)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()


def test_foreign_page_in_a_browser_cannot_open_the_device_websocket(phone, device, foreign_site):
    page = phone.new_page()
    try:
        page.goto(foreign_site)
        page.wait_for_function("window.events.length > 0 && window.fetchResult !== 'pending'", timeout=15_000)
        page.wait_for_timeout(1000)  # an "open" after an error would show up here
        events = page.evaluate("window.events")
        assert "open" not in events, events
        assert any(e.startswith("close") or e == "error" for e in events), events
        assert page.evaluate("window.fetchResult") == "blocked"
        frame = page.frame_locator("#frame")
        expect(frame.locator("flt-semantics-placeholder, flutter-view")).to_have_count(0)  # not framed
        page.screenshot(path=str(ARTIFACTS / "20_foreign_origin_probe.png"))
    finally:
        page.close()


def test_same_origin_browser_page_can_open_it(phone, device):
    """The control experiment: the device's own page opens the same websocket."""
    page = phone.new_page()
    try:
        page.goto(device.url)
        result = page.evaluate(
            """url => new Promise(done => {
                 const ws = new WebSocket(url);
                 ws.onopen = () => { done("open"); ws.close(); };
                 ws.onerror = () => done("error");
               })""",
            f"ws://127.0.0.1:{device.port}/ws",
        )
        assert result == "open"
    finally:
        page.close()


def _cookie(device: Stack) -> dict[str, str]:
    return {"Cookie": f"veldwerk_{device.port}={device.token}"}


def test_websocket_handshake_with_foreign_origin_is_refused(device):
    url = f"ws://127.0.0.1:{device.port}/ws"
    key = _cookie(device)
    for origin in ("http://evil.example", f"http://127.0.0.1:{device.port + 1}", "null"):
        with pytest.raises(InvalidStatus) as refused:
            connect(url, origin=origin, additional_headers=key, open_timeout=10).close()
        assert refused.value.response.status_code == 403, origin
    with pytest.raises(InvalidStatus):  # every browser sends an Origin; no Origin is not a browser page
        connect(url, additional_headers=key, open_timeout=10).close()
    with connect(url, origin=f"http://127.0.0.1:{device.port}", additional_headers=key, open_timeout=10) as ws:
        assert ws.protocol.state.name == "OPEN"
    with connect(url, origin=f"http://localhost:{device.port}", additional_headers=key, open_timeout=10) as ws:
        assert ws.protocol.state.name == "OPEN"


def test_websocket_handshake_without_the_launch_key_is_refused(device):
    """Another user on this computer: the right Host and Origin, but not the key."""
    url = f"ws://127.0.0.1:{device.port}/ws"
    origin = f"http://127.0.0.1:{device.port}"
    for headers in ({}, {"Cookie": f"veldwerk_{device.port}=guess"}):
        with pytest.raises(InvalidStatus) as refused:
            connect(url, origin=origin, additional_headers=headers, open_timeout=10).close()
        assert refused.value.response.status_code == 403
    with pytest.raises(InvalidStatus):  # the key in the websocket's address is no way in either
        connect(f"{url}?k={device.token}", origin=origin, open_timeout=10).close()


def _get(port: int, host: str, origin: str | None = None, *, path: str = "/",
         cookie: dict[str, str] | None = None) -> http.client.HTTPResponse:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    headers = {"Host": host, **(cookie or {})}
    if origin:
        headers["Origin"] = origin
    conn.request("GET", path, headers=headers)
    return conn.getresponse()


def test_dns_rebinding_and_foreign_origin_http_are_refused(device):
    key = _cookie(device)
    assert _get(device.port, "evil.example", cookie=key).status == 403
    assert _get(device.port, f"evil.example:{device.port}", cookie=key).status == 403
    assert _get(device.port, f"127.0.0.1:{device.port}", origin="http://evil.example", cookie=key).status == 403
    ok = _get(device.port, f"127.0.0.1:{device.port}", cookie=key)
    assert ok.status == 200
    assert ok.getheader("X-Frame-Options") == "DENY"
    assert "frame-ancestors 'none'" in ok.getheader("Content-Security-Policy")
    assert ok.getheader("Referrer-Policy") == "no-referrer"
    assert ok.getheader("Access-Control-Allow-Origin") is None


def test_http_without_the_launch_key_is_refused_and_the_printed_address_admits(device):
    own = f"127.0.0.1:{device.port}"
    for path in ("/", "/main.dart.js", "/canvaskit/chromium/canvaskit.wasm", "/assets/FontManifest.json"):
        refused = _get(device.port, own, path=path)
        assert refused.status == 403, path
        assert "field-app serve" in refused.read().decode()
    wrong = _get(device.port, own, path=f"/?k={device.token[:-2]}xx")
    assert wrong.status == 403 and wrong.getheader("Set-Cookie") is None
    admitted = _get(device.port, own, path=f"/?k={device.token}")
    assert admitted.status == 303
    assert admitted.getheader("Location") == "/"
    cookie = admitted.getheader("Set-Cookie")
    assert cookie.startswith(f"veldwerk_{device.port}={device.token};")
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
    assert _get(device.port, own, path="/main.dart.js", cookie=_cookie(device)).status == 200


def test_the_launch_key_is_printed_once_and_never_logged(device):
    """The device's web log runs at level info here (uvicorn's access log included): the key appears only
    in the address ``field-app serve`` printed, not in a logged request line."""
    _get(device.port, f"127.0.0.1:{device.port}", path=f"/?k={device.token}").read()
    _get(device.port, f"127.0.0.1:{device.port}", path=f"/?k={device.token}&x=1", origin="http://evil.example").read()
    text = (ARTIFACTS / f"{device.name}_device_web.log").read_text(encoding="utf-8")
    assert '"GET / HTTP/1.1" 303' in text and '"GET /?x=1 HTTP/1.1" 403' in text  # logged, without the key
    lines = [line for line in text.splitlines() if device.token in line]
    assert lines == [f"  {device.url}"], lines


def test_a_browser_without_the_key_sees_a_refusal_and_no_app(browser, device):
    """Another user opens http://127.0.0.1:PORT/ in their own browser: no app, no websocket. The user who
    started it opens the printed address; later the plain address (a reload, a bookmark) still works."""
    ctx = browser.new_context(viewport={"width": 390, "height": 844}, service_workers="block")
    try:
        page = ctx.new_page()
        sockets: list[str] = []
        page.on("websocket", lambda ws: sockets.append(ws.url))
        response = page.goto(device.base)
        assert response.status == 403
        expect(page.locator("body")).to_contain_text("Geen toegang")
        expect(page.locator("body")).to_contain_text("field-app serve")
        page.wait_for_timeout(1000)
        expect(page.locator("flt-semantics-placeholder, flutter-view")).to_have_count(0)
        assert sockets == []
        page.screenshot(path=str(ARTIFACTS / "21_no_launch_key.png"))
        page.close()

        tab = Tab(ctx, device.url).open("Aanmelden")  # enrol=False: the device shows its enrol screen
        assert device.token not in tab.page.url  # the address bar keeps no key
        assert tab.page.url == device.base
        cookies = {c["name"]: c for c in ctx.cookies()}
        cookie = cookies[f"veldwerk_{device.port}"]
        assert cookie["httpOnly"] and cookie["sameSite"] == "Strict" and not cookie["secure"]
        assert tab.page.evaluate("document.cookie") == ""  # not readable by scripts

        tab.url = device.base  # a reload of the plain address: the cookie carries it
        tab.open("Aanmelden")
        tab.check_clean()
        tab.shot("21_launch_key_reload")
    finally:
        ctx.close()


def _listeners(port: int) -> list[str]:
    """Local addresses listening on ``port`` (Linux /proc/net/tcp and tcp6; state 0A = LISTEN)."""
    found = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            local, state = line.split()[1], line.split()[3]
            address, hex_port = local.rsplit(":", 1)
            if state == "0A" and int(hex_port, 16) == port:
                found.append(address)
    return found


def test_device_listens_on_loopback_only(device):
    listeners = _listeners(device.port)
    assert listeners == ["0100007F"], listeners  # 127.0.0.1 only; not 0.0.0.0, not [::]
