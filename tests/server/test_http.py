"""The HTTP edge: every error is JSON {error, detail}, bodies are limited while streaming, teams are walled
off, authenticated access is logged, and nothing secret reaches the logs."""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator

import httpx
import pytest

from field_app.crypto.canonical import b64e
from sync_server import protocol
from sync_server.app import BodyLimit, create_app
from sync_server.settings import Settings
from sync_server.store import SqliteStore, open_store

from .support import DB_REFUSED, PUBLIC_URL, DeviceKeys, Server, genesis_entry

MiB = 1024 * 1024


@pytest.fixture
async def admin(server: Server) -> DeviceKeys:
    return await server.admin()


def _is_error(response: httpx.Response, status: int, error: str) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error", "detail"} and body["error"] == error and body["detail"]
    assert error in protocol.ERRORS_BY_CODE


async def test_healthz(server: Server) -> None:
    response = await server.client.get("/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok"}


async def test_openapi_describes_every_endpoint(server: Server) -> None:
    spec = (await server.client.get("/openapi.json")).json()
    assert spec["info"]["title"] == "Veldwerk sync server"
    assert set(spec["paths"]) == {
        "/healthz",
        "/v1/enrol",
        "/v1/auth/challenge",
        "/v1/auth/login",
        "/v1/teams/{team}/devices",
        "/v1/teams/{team}/invites",
        "/v1/teams/{team}/ledger",
        "/v1/teams/{team}/ledger/public",
        "/v1/teams/{team}/grants",
        "/v1/teams/{team}/changes",
        "/v1/teams/{team}/changes/signed",
        "/v1/teams/{team}/heads",
        "/v1/teams/{team}/round",
        "/v1/teams/{team}/devices/{device}/chain",
        "/v1/teams/{team}/access-log",
        "/v1/teams/{team}/changes/redeliver",  # issue #11
        "/v1/teams/{team}/devices/{device}/chain/hashes",
    }
    assert set(spec["paths"]["/v1/teams/{team}/changes"]) == {"get", "post"}


async def test_unknown_route_is_404_json(server: Server) -> None:
    _is_error(await server.client.get("/v2/nothing"), 404, "not_found")


async def test_wrong_method_is_405_json(server: Server) -> None:
    response = await server.client.delete("/v1/enrol")
    _is_error(response, 405, "method_not_allowed")
    assert "POST" in response.headers["allow"]


async def test_malformed_json_is_400(server: Server) -> None:
    response = await server.client.post(
        "/v1/enrol", content=b'{"code": "x", ', headers={"Content-Type": "application/json"}
    )
    _is_error(response, 400, "malformed_json")


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", None])
async def test_non_json_content_type_is_415(server: Server, content_type) -> None:
    headers = {} if content_type is None else {"Content-Type": content_type}
    response = await server.client.post("/v1/enrol", content=b'{"code": "x"}', headers=headers)
    _is_error(response, 415, "unsupported_media_type")


async def test_json_with_charset_is_fine(server: Server) -> None:
    response = await server.client.post(
        "/v1/auth/challenge", content=b"{}", headers={"Content-Type": "application/json; charset=utf-8"}
    )
    _is_error(response, 422, "validation_error")


@pytest.mark.parametrize(
    "body",
    [
        {},
        [],
        "text",
        {"team": 1, "device": 2},
        {"team": "AAAAAAAAAAAAAAAAAAAAAA", "device": "AAAAAAAAAAAAAAAAAAAAAA", "extra": True},
    ],
)
async def test_wrong_shapes_and_types_are_422(server: Server, body) -> None:
    _is_error(await server.client.post("/v1/auth/challenge", json=body), 422, "validation_error")


async def test_validation_detail_does_not_echo_the_input(server: Server) -> None:
    response = await server.client.post("/v1/enrol", json={"code": "SECRET-CODE-1234", "device": 5})
    assert "SECRET-CODE-1234" not in response.text


async def test_body_over_the_limit_with_content_length_is_413(server: Server, admin) -> None:
    before = server.count("changes")
    body = b'{"envelopes": []}' + b" " * (2 * MiB)
    response = await server.client.post(
        f"/v1/teams/{admin.team}/changes",
        content=body,
        headers={**admin.auth, "Content-Type": "application/json"},
    )
    _is_error(response, 413, "body_too_large")
    assert server.count("changes") == before


async def test_chunked_body_over_the_limit_is_caught_while_streaming(server: Server, admin) -> None:
    chunk, sent = 64 * 1024, 0

    async def stream() -> AsyncIterator[bytes]:
        nonlocal sent
        yield b'{"envelopes": ["'
        for _ in range(64):  # 4 MiB in all
            sent += chunk
            yield b"A" * chunk

    before = server.count("changes")
    response = await server.client.post(
        f"/v1/teams/{admin.team}/changes",
        content=stream(),
        headers={**admin.auth, "Content-Type": "application/json"},
    )
    _is_error(response, 413, "body_too_large")
    assert sent <= 2 * MiB + chunk  # stopped reading right after the limit
    assert server.count("changes") == before


async def test_chunked_body_on_an_open_route_is_limited_too(server: Server) -> None:
    async def stream() -> AsyncIterator[bytes]:
        for _ in range(40):
            yield b" " * 65536

    response = await server.client.post(
        "/v1/enrol", content=stream(), headers={"Content-Type": "application/json"}
    )
    _is_error(response, 413, "body_too_large")


async def test_body_of_exactly_the_limit_is_accepted(server: Server, admin) -> None:
    start = b'{"envelopes": []'
    body = start + b" " * (2 * MiB - len(start) - 1) + b"}"
    assert len(body) == 2 * MiB
    response = await server.client.post(
        f"/v1/teams/{admin.team}/changes",
        content=body,
        headers={**admin.auth, "Content-Type": "application/json"},
    )
    assert response.status_code == 200 and response.json() == {"results": []}


async def test_bad_content_length_is_400(settings: Settings, store: SqliteStore) -> None:
    app = create_app(settings, store)
    sent: list[dict] = []

    async def receive() -> dict:
        return {"type": "http.request", "body": b"{}", "more_body": False}

    async def send(message: dict) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/v1/enrol",
        "raw_path": b"/v1/enrol",
        "query_string": b"",
        "root_path": "",
        "headers": [(b"content-type", b"application/json"), (b"content-length", b"12abc")],
        "client": ("127.0.0.1", 1),
        "server": ("testserver", 80),
    }
    await app(scope, receive, send)
    assert sent[0]["status"] == 400
    assert b'"bad_request"' in sent[1]["body"]


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", "devices", None),
        ("GET", "ledger", None),
        ("POST", "ledger", "entry"),
        ("GET", "grants", None),
        ("POST", "grants", {"grants": []}),
        ("GET", "changes", None),
        ("POST", "changes", "envelope"),
        ("GET", "heads", None),
        ("POST", "invites", {"role": "VELDWERKER"}),
        ("GET", "access-log", None),
    ],
)
async def test_a_device_of_team_a_is_refused_on_team_b(server: Server, admin, method, path, body) -> None:
    other = await server.admin()
    if body == "entry":
        body = {"entry": genesis_entry(admin)}
    elif body == "envelope":
        body = {"envelopes": [b64e(admin.envelope(team=other.team)[1])]}
    counts = {t: server.count(t) for t in ("ledger", "grants", "changes", "codes")}
    response = await server.client.request(
        method, f"/v1/teams/{other.team}/{path}", json=body, headers=admin.auth
    )
    _is_error(response, 403, "wrong_team")
    assert {t: server.count(t) for t in counts} == counts


async def test_malformed_team_in_path_is_refused_as_wrong_team(server: Server, admin) -> None:
    _is_error(await server.client.get("/v1/teams/nope/devices", headers=admin.auth), 403, "wrong_team")


async def test_every_authenticated_request_leaves_one_access_log_row(server: Server, admin) -> None:
    other = await server.admin()
    start = server.count("access_log")
    team = admin.team
    await server.client.get(f"/v1/teams/{team}/devices", headers=admin.auth)
    await server.client.get(f"/v1/teams/{team}/ledger", headers=admin.auth)
    await server.push(admin, [admin.envelope()[1]])
    await server.client.get(f"/v1/teams/{team}/changes?limit=0", headers=admin.auth)
    await server.client.post(f"/v1/teams/{team}/changes", json={"envelopes": "x"}, headers=admin.auth)
    await server.client.get(f"/v1/teams/{team}/grants", headers=admin.auth)
    await server.client.get(f"/v1/teams/{other.team}/changes", headers=admin.auth)
    rows = server.rows(
        "SELECT team, device, action, result FROM access_log WHERE id > ? ORDER BY id", [start]
    )
    assert rows == [
        (team, admin.id, "devices.list", "ok"),
        (team, admin.id, "ledger.read", "ok"),
        (team, admin.id, "changes.push", "ok"),
        (team, admin.id, "changes.pull", "bad_query"),
        (team, admin.id, "changes.push", "validation_error"),
        (team, admin.id, "grants.read", "ok"),
        (team, admin.id, "changes.pull", "wrong_team"),
    ]
    columns = server.columns("access_log")
    assert columns == ["id", "at", "team", "device", "action", "result", "role"]
    assert {r[0] for r in server.rows("SELECT role FROM access_log WHERE id > ?", [start])} == {admin.role}


async def test_access_log_is_append_only(server: Server, admin) -> None:
    with pytest.raises(DB_REFUSED):
        server.rows("DELETE FROM access_log")
    with pytest.raises(DB_REFUSED):
        server.rows("UPDATE access_log SET result = 'ok'")


class _Broken:
    def list_devices(self, team: str):  # type: ignore[override]
        raise RuntimeError("boom with a secret inside")


async def test_unexpected_errors_are_500_internal_error_revealing_nothing(
    settings: Settings, db_path: str, clock
) -> None:
    store = open_store(db_path)
    store.__class__ = type("BrokenStore", (_Broken, type(store)), {})
    app = create_app(settings, store)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url=PUBLIC_URL) as client:
        server = Server(client, store, clock, db_path)
        admin = await server.admin()
        response = await client.get(f"/v1/teams/{admin.team}/devices", headers=admin.auth)
    _is_error(response, 500, "internal_error")
    assert "boom" not in response.text and "secret" not in response.text
    assert server.rows("SELECT result FROM access_log ORDER BY id DESC LIMIT 1") == [("internal_error",)]


async def test_logs_never_contain_tokens_codes_or_envelopes(server: Server, caplog) -> None:
    caplog.set_level(logging.DEBUG)
    team, code = server.new_team()
    device = await server.enrol(code, "PROCESREGISSEUR")
    token = await server.login(device)
    await server.client.post(
        f"/v1/teams/{team}/ledger", json={"entry": genesis_entry(device)}, headers=device.auth
    )
    _, envelope = device.envelope()
    await server.push(device, [envelope])
    await server.client.get(f"/v1/teams/{team}/changes", headers=device.auth)
    server_logs = "\n".join(
        r.getMessage() for r in caplog.records if not r.name.startswith(("httpx", "httpcore"))
    )
    for secret in (token, code, b64e(envelope), b64e(envelope)[:40]):
        assert secret not in server_logs


async def _drive(app, chunks: list[bytes]) -> list[dict]:
    messages = [
        {"type": "http.request", "body": c, "more_body": i < len(chunks) - 1} for i, c in enumerate(chunks)
    ]
    sent: list[dict] = []

    async def receive() -> dict:
        return messages.pop(0) if messages else {"type": "http.disconnect"}

    async def send(message: dict) -> None:
        sent.append(message)

    scope = {"type": "http", "method": "POST", "path": "/", "headers": [], "query_string": b""}
    await app(scope, receive, send)
    return sent


async def test_body_limit_wins_over_an_app_that_turns_read_errors_into_400() -> None:
    async def swallowing_app(scope, receive, send) -> None:
        try:
            while (await receive()).get("more_body"):
                pass
        except Exception:  # noqa: BLE001 - what a careless framework might do
            pass
        await send({"type": "http.response.start", "status": 400, "headers": []})
        await send({"type": "http.response.body", "body": b"parse error"})

    sent = await _drive(BodyLimit(swallowing_app, max_bytes=10), [b"12345", b"67890", b"x"])
    assert sent[0]["status"] == 413
    assert json.loads(sent[1]["body"])["error"] == "body_too_large"
    assert len(sent) == 2


async def test_body_limit_answers_when_the_read_error_escapes_the_app() -> None:
    async def reading_app(scope, receive, send) -> None:
        while (await receive()).get("more_body"):
            pass
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})

    assert (await _drive(BodyLimit(reading_app, max_bytes=10), [b"1" * 6, b"2" * 6]))[0]["status"] == 413
    assert (await _drive(BodyLimit(reading_app, max_bytes=12), [b"1" * 6, b"2" * 6]))[0]["status"] == 200


async def test_a_body_that_stops_arriving_is_408_and_a_slow_one_that_keeps_coming_is_not() -> None:
    """Found by fuzzing: Content-Length 100 and 4 bytes sent held the connection open for good. A body of
    which nothing arrives for ``idle_s`` is now 408 ``request_timeout``; after the body is in, waiting for the
    client's disconnect is not timed; a slow body whose parts keep coming is read whole."""
    import asyncio

    async def reading_app(scope, receive, send) -> None:
        while (await receive()).get("more_body"):
            pass
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})
        assert (await receive())["type"] == "http.disconnect"  # not timed: comes when it comes

    def driver(chunks: list[bytes], gap: float, stall_after: int | None = None):
        sent: list[dict] = []
        state = {"i": 0}

        async def receive() -> dict:
            i = state["i"]
            state["i"] += 1
            if stall_after is not None and i >= stall_after:
                await asyncio.sleep(3600)
            await asyncio.sleep(gap)
            if i < len(chunks):
                return {"type": "http.request", "body": chunks[i], "more_body": i < len(chunks) - 1}
            await asyncio.sleep(0.3)  # longer than idle_s: the disconnect after the body is not timed
            return {"type": "http.disconnect"}

        async def send(message: dict) -> None:
            sent.append(message)

        return receive, send, sent

    scope = {"type": "http", "method": "POST", "path": "/", "headers": [], "query_string": b""}
    receive, send, sent = driver([b"1234", b"5678"], gap=0.0, stall_after=1)
    await asyncio.wait_for(BodyLimit(reading_app, idle_s=0.2)(scope, receive, send), 5)
    assert sent[0]["status"] == 408 and json.loads(sent[1]["body"])["error"] == "request_timeout"
    receive, send, sent = driver([b"12", b"34", b"56"], gap=0.1)  # each part within idle_s
    await asyncio.wait_for(BodyLimit(reading_app, idle_s=0.2)(scope, receive, send), 5)
    assert sent[0]["status"] == 200
