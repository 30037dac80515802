"""The device's web server answers only its own page on this computer (fast, in-process ASGI checks).
The same rules over a real socket and from a real browser are tested in tests/e2e."""

from __future__ import annotations

import logging
import os
import secrets

import httpx
import pytest
from fake_services import FakeServices

from field_app.web import TOKEN_ENV, LocalOnly, _HideKey, app_url, create_app, launch_token, serve

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


async def _websocket(headers: list[tuple[bytes, bytes]], app: LocalOnly | None = None,
                     query: bytes = b"") -> list[dict]:
    sent: list[dict] = []
    inbox = [{"type": "websocket.connect"}, {"type": "websocket.disconnect", "code": 1000}]

    async def receive():
        return inbox.pop(0)

    async def send(message):
        sent.append(message)

    scope = {"type": "websocket", "path": "/ws", "query_string": query, "headers": headers}
    await (app or LocalOnly(_inner, PORT))(scope, receive, send)
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


# -- the launch key: only the browser of whoever started `field-app serve` gets in

TOKEN = "k" * 10 + secrets.token_urlsafe(32)
COOKIE = f"veldwerk_{PORT}"


def _keyed(**kw) -> LocalOnly:
    return LocalOnly(_inner, PORT, TOKEN, **kw)


async def test_without_the_key_cookie_http_is_refused_with_a_dutch_hint():
    async with _client(_keyed()) as http:
        r = await http.get("/")
        asset = await http.get("/main.dart.js")
    assert r.status_code == 403 and asset.status_code == 403
    assert "field-app serve" in r.text and "Geen toegang" in r.text
    assert r.headers["x-frame-options"] == "DENY"
    assert "set-cookie" not in r.headers


async def test_wrong_key_in_the_address_is_refused_and_sets_no_cookie():
    async with _client(_keyed()) as http:
        r = await http.get("/", params={"k": TOKEN[:-1] + ("A" if TOKEN[-1] != "A" else "B")})
        empty = await http.get("/?k=")
    assert r.status_code == 403 and empty.status_code == 403
    assert "set-cookie" not in r.headers and "set-cookie" not in empty.headers


async def test_right_key_sets_a_strict_httponly_cookie_and_redirects_to_the_address_without_it():
    async with _client(_keyed()) as http:
        r = await http.get("/", params={"k": TOKEN})
        deep = await http.get("/clients/3", params={"a": "1", "k": TOKEN, "b": "2"})
        sneaky = await http.get(f"//evil.example/?k={TOKEN}")
    assert r.status_code == 303
    assert r.headers["location"] == "/"
    cookie = r.headers["set-cookie"]
    assert cookie.startswith(f"{COOKIE}={TOKEN};")
    attrs = {a.strip().lower() for a in cookie.split(";")[1:]}
    assert {"httponly", "samesite=strict", "path=/"} <= attrs
    assert "secure" not in attrs  # plain http on loopback
    assert r.headers["cache-control"] == "no-store"
    assert deep.status_code == 303 and deep.headers["location"] == "/clients/3?a=1&b=2"
    assert TOKEN not in deep.headers["location"]
    assert sneaky.status_code == 303 and not sneaky.headers["location"].startswith("//")


async def test_the_right_cookie_passes_and_a_wrong_one_does_not():
    async with _client(_keyed()) as http:
        ok = await http.get("/", headers={"Cookie": f"other=1; {COOKIE}={TOKEN}"})
        wrong = await http.get("/", headers={"Cookie": f"{COOKIE}={TOKEN[:-1]}"})
        other_port = await http.get("/", headers={"Cookie": f"veldwerk_{PORT + 1}={TOKEN}"})
        key_and_cookie_wrong_key = await http.get("/?k=nope", headers={"Cookie": f"{COOKIE}={TOKEN}"})
    assert ok.status_code == 200 and ok.text == "ok"
    assert ok.headers["x-frame-options"] == "DENY"
    assert wrong.status_code == 403
    assert other_port.status_code == 403  # cookies are not bound to a port: the name is
    assert key_and_cookie_wrong_key.status_code == 403


async def test_foreign_origin_or_host_is_refused_even_with_the_right_key():
    async with _client(_keyed()) as http:
        cookie = {"Cookie": f"{COOKIE}={TOKEN}"}
        origin = await http.get("/", headers={"Origin": "http://evil.example", **cookie})
        host = await http.get("/", headers={"Host": "evil.example", **cookie})
        keyed = await http.get("/", params={"k": TOKEN}, headers={"Origin": "http://evil.example"})
    assert origin.status_code == host.status_code == keyed.status_code == 403
    assert "set-cookie" not in keyed.headers


async def test_websocket_needs_the_key_cookie():
    host = (b"host", f"127.0.0.1:{PORT}".encode())
    origin = (b"origin", f"http://127.0.0.1:{PORT}".encode())
    cookie = (b"cookie", f"{COOKIE}={TOKEN}".encode())
    app = _keyed()
    assert await _websocket([host, origin], app) == [{"type": "websocket.close", "code": 1008}]
    assert await _websocket([host, origin, (b"cookie", f"{COOKIE}=x".encode())], app) == [
        {"type": "websocket.close", "code": 1008}]
    assert (await _websocket([host, origin, cookie], app))[0]["type"] == "websocket.accept"
    foreign = (b"origin", b"http://evil.example")
    assert await _websocket([host, foreign, cookie], app) == [{"type": "websocket.close", "code": 1008}]
    # the key in a websocket's address is not a way in either
    assert await _websocket([host, origin], app, query=f"k={TOKEN}".encode()) == [
        {"type": "websocket.close", "code": 1008}]


async def test_the_key_never_reaches_a_log_line(caplog):
    scope_seen = {}

    async def inner(scope, receive, send):
        scope_seen.update(scope)
        await _inner(scope, receive, send)

    with caplog.at_level(logging.DEBUG):
        async with _client(LocalOnly(inner, PORT, TOKEN)) as http:
            await http.get("/x", params={"k": TOKEN[:-1]})
            await http.get("/x", params={"k": TOKEN}, headers={"Origin": "http://evil.example"})
            await http.get("/x", params={"a": "1"}, headers={"Cookie": f"{COOKIE}={TOKEN}"})
    ours = [r.getMessage() for r in caplog.records if r.name == "veldwerk.web"]  # (httpx logs its own URL)
    assert len(ours) == 2 and all(m.startswith("refused http /x ") for m in ours)
    assert not any(TOKEN[:-1] in m for m in ours)
    assert scope_seen["query_string"] == b"a=1"


def test_the_uvicorn_log_filter_hides_the_key():
    record = logging.LogRecord("uvicorn.access", logging.INFO, __file__, 1, '%s - "%s %s HTTP/%s" %d',
                               ("127.0.0.1:5", "GET", f"/?k={TOKEN}", "1.1", 303), None)
    assert _HideKey(TOKEN).filter(record)
    assert TOKEN not in record.getMessage()


def test_launch_token_is_random_or_a_long_one_from_the_environment(monkeypatch):
    monkeypatch.delenv(TOKEN_ENV, raising=False)
    a, b = launch_token(), launch_token()
    assert a != b and len(a) >= 43
    monkeypatch.setenv(TOKEN_ENV, TOKEN)
    assert launch_token() == TOKEN
    assert TOKEN_ENV not in os.environ  # not passed on to anything this process starts
    monkeypatch.setenv(TOKEN_ENV, "short")
    with pytest.raises(SystemExit, match=TOKEN_ENV):
        launch_token()
    assert app_url(8550, TOKEN) == f"http://127.0.0.1:8550/?k={TOKEN}"


async def test_flet_app_with_a_key_serves_its_page_only_with_the_cookie():
    app = create_app(FakeServices(), PORT, idle_timeout=60, token=TOKEN)
    async with _client(app) as http:
        refused = await http.get("/")
        admitted = await http.get("/", params={"k": TOKEN})
        page = await http.get("/", headers={"Cookie": f"{COOKIE}={TOKEN}"})
    assert refused.status_code == 403
    assert admitted.status_code == 303
    assert page.status_code == 200 and "<html" in page.text.lower()
