"""The device's web server answers only its own page on this computer (fast, in-process ASGI checks).
The same rules over a real socket and from a real browser are tested in tests/e2e."""

from __future__ import annotations

import httpx
import pytest
from fake_services import FakeServices

from field_app.web import LocalOnly, create_app, serve

PORT = 8765


async def _inner(scope, receive, send):
    if scope["type"] == "websocket":
        await receive()
        await send({"type": "websocket.accept"})
        await send({"type": "websocket.close", "code": 1000})
        return
    await send({"type": "http.response.start", "status": 200,
                "headers": [(b"content-type", b"text/plain"), (b"access-control-allow-origin", b"*")]})
    await send({"type": "http.response.body", "body": b"ok"})


def _client(app) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=f"http://127.0.0.1:{PORT}")


async def test_own_page_gets_security_headers_and_no_wildcard_cors():
    async with _client(LocalOnly(_inner, PORT)) as http:
        r = await http.get("/")
    assert r.status_code == 200
    assert r.headers["x-frame-options"] == "DENY"
    assert "frame-ancestors 'none'" in r.headers["content-security-policy"]
    assert r.headers["referrer-policy"] == "no-referrer"
    assert "access-control-allow-origin" not in r.headers


@pytest.mark.parametrize("headers", [
    {"Host": "evil.example"},  # DNS rebinding
    {"Host": f"127.0.0.1:{PORT + 1}"},
    {"Origin": "http://evil.example"},
    {"Origin": f"http://127.0.0.1:{PORT + 1}"},  # another local page
    {"Origin": "null"},
])
async def test_foreign_host_or_origin_is_refused(headers):
    async with _client(LocalOnly(_inner, PORT)) as http:
        r = await http.get("/", headers=headers)
    assert r.status_code == 403
    assert r.headers["x-frame-options"] == "DENY"


async def test_localhost_name_and_same_origin_are_allowed():
    async with _client(LocalOnly(_inner, PORT)) as http:
        r = await http.get("/", headers={"Host": f"localhost:{PORT}", "Origin": f"http://localhost:{PORT}"})
    assert r.status_code == 200


async def _websocket(headers: list[tuple[bytes, bytes]]) -> list[dict]:
    sent: list[dict] = []
    inbox = [{"type": "websocket.connect"}, {"type": "websocket.disconnect", "code": 1000}]

    async def receive():
        return inbox.pop(0)

    async def send(message):
        sent.append(message)

    scope = {"type": "websocket", "path": "/ws", "headers": headers}
    await LocalOnly(_inner, PORT)(scope, receive, send)
    return sent


async def test_websocket_from_foreign_origin_is_closed_before_accept():
    sent = await _websocket([(b"host", f"127.0.0.1:{PORT}".encode()), (b"origin", b"http://evil.example")])
    assert sent == [{"type": "websocket.close", "code": 1008}]


async def test_websocket_without_origin_is_refused_and_same_origin_accepted():
    host = (b"host", f"127.0.0.1:{PORT}".encode())
    assert (await _websocket([host]))[0]["type"] == "websocket.close"
    ok = await _websocket([host, (b"origin", f"http://127.0.0.1:{PORT}".encode())])
    assert ok[0]["type"] == "websocket.accept"


async def test_flet_app_behind_the_guard_serves_its_page_offline():
    app = create_app(FakeServices(), PORT, idle_timeout=60)
    async with _client(app) as http:
        page = await http.get("/")
        docs = await http.get("/docs")
        foreign = await http.get("/", headers={"Origin": "http://evil.example"})
    assert page.status_code == 200 and "<html" in page.text.lower()
    assert page.headers["x-frame-options"] == "DENY"
    assert "access-control-allow-origin" not in page.headers
    assert docs.status_code == 404
    assert foreign.status_code == 403
    assert app.guard.idle_timeout == 60


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.10", "::"])
def test_serve_refuses_to_bind_anything_but_loopback(tmp_path, host):
    with pytest.raises(SystemExit, match="127.0.0.1"):
        serve(tmp_path, host=host, port=PORT)
