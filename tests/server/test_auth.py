"""Login: single-use, device-bound, 60 s challenges; 15-minute tokens that die with revocation."""

from __future__ import annotations

import secrets

import pytest

from field_app.crypto.canonical import b64e

from .support import DeviceKeys, Server


async def _challenge(server: Server, device: DeviceKeys) -> str:
    response = await server.client.post("/v1/auth/challenge", json={"team": device.team, "device": device.id})
    assert response.status_code == 200
    body = response.json()
    assert body["expires_at"] == server.clock() + 60_000
    return body["challenge"]


async def _login(
    server: Server,
    device: DeviceKeys,
    challenge: str,
    server_url: str = "http://testserver",
    signer: DeviceKeys | None = None,
):
    nonce = b64e(secrets.token_bytes(16))
    return await server.client.post(
        "/v1/auth/login",
        json={
            "team": device.team,
            "device": device.id,
            "challenge": challenge,
            "device_nonce": nonce,
            "signature": (signer or device).login_signature(challenge, nonce, server_url),
        },
    )


@pytest.fixture
async def device(server: Server) -> DeviceKeys:
    _, code = server.new_team()
    return await server.enrol(code, "PROCESREGISSEUR")


async def test_login_happy_path_gives_a_15_minute_token_stored_only_as_hash(server: Server, device) -> None:
    response = await _login(server, device, await _challenge(server, device))
    assert response.status_code == 200
    body = response.json()
    assert body["expires_at"] == server.clock() + 15 * 60_000
    assert len(body["token"]) == 43
    assert server.rows("SELECT hash FROM tokens") != [(body["token"],)]
    assert body["token"].encode() not in server.rows("SELECT hash FROM tokens")[0][0]
    ledger = await server.client.get(
        f"/v1/teams/{device.team}/ledger", headers={"Authorization": f"Bearer {body['token']}"}
    )
    assert ledger.status_code == 200


async def test_expired_challenge_is_refused(server: Server, device) -> None:
    challenge = await _challenge(server, device)
    server.clock.advance(60_000)
    response = await _login(server, device, challenge)
    assert response.status_code == 401
    assert response.json()["error"] == "challenge_expired"
    assert server.count("tokens") == 0


async def test_challenge_is_single_use(server: Server, device) -> None:
    challenge = await _challenge(server, device)
    assert (await _login(server, device, challenge)).status_code == 200
    replay = await _login(server, device, challenge)
    assert replay.status_code == 401
    assert replay.json()["error"] == "login_failed"
    assert server.count("tokens") == 1


async def test_a_failed_attempt_burns_the_challenge(server: Server, device) -> None:
    challenge = await _challenge(server, device)
    assert (await _login(server, device, challenge, signer=DeviceKeys())).status_code == 401
    assert (await _login(server, device, challenge)).json()["error"] == "login_failed"


async def test_challenge_of_another_device_is_refused(server: Server, device) -> None:
    other = await server.enrol(server.invite(device.team), "VELDWERKER")
    challenge = await _challenge(server, other)
    response = await _login(server, device, challenge)
    assert response.status_code == 401
    assert response.json()["error"] == "login_failed"
    # the other device's challenge was not burned by the attempt
    assert (await _login(server, other, challenge)).status_code == 200


async def test_signature_for_another_server_url_is_refused(server: Server, device) -> None:
    response = await _login(
        server, device, await _challenge(server, device), server_url="http://evil.example"
    )
    assert response.status_code == 401
    assert response.json()["error"] == "login_failed"
    assert server.count("tokens") == 0


async def test_server_url_is_compared_without_trailing_slash(server: Server, device) -> None:
    # settings carry "http://testserver/"; the signature carries it without the slash
    response = await _login(server, device, await _challenge(server, device), server_url="http://testserver")
    assert response.status_code == 200


async def test_signature_by_another_key_is_refused(server: Server, device) -> None:
    response = await _login(server, device, await _challenge(server, device), signer=DeviceKeys())
    assert response.status_code == 401
    assert response.json()["error"] == "login_failed"


async def test_challenge_for_unknown_device_is_refused_and_not_stored(server: Server, device) -> None:
    response = await server.client.post(
        "/v1/auth/challenge", json={"team": device.team, "device": DeviceKeys().id}
    )
    assert response.status_code == 401
    assert response.json()["error"] == "login_failed"
    assert server.count("challenges") == 0


async def test_expired_token_is_refused(server: Server, device) -> None:
    await server.login(device)
    server.clock.advance(15 * 60_000)
    response = await server.client.get(f"/v1/teams/{device.team}/devices", headers=device.auth)
    assert response.status_code == 401
    assert response.json()["error"] == "token_expired"
    assert response.headers["www-authenticate"].startswith("Bearer")


async def test_revoked_device_loses_its_tokens_and_cannot_log_in(server: Server, device) -> None:
    await server.login(device)
    server.store.set_device_status(device.team, device.id, "revoked")
    response = await server.client.get(f"/v1/teams/{device.team}/devices", headers=device.auth)
    assert response.status_code == 401
    assert response.json()["error"] == "device_revoked"
    login = await _login(server, device, await _challenge(server, device))
    assert login.status_code == 401
    assert login.json()["error"] == "device_revoked"


@pytest.mark.parametrize(
    "header",
    [None, "Bearer", "Bearer not-base64!", "Basic dXNlcjpwYXNz", "Bearer " + b64e(secrets.token_bytes(32))],
)
async def test_missing_or_unknown_token_is_401(server: Server, device, header) -> None:
    headers = {} if header is None else {"Authorization": header}
    response = await server.client.get(f"/v1/teams/{device.team}/devices", headers=headers)
    assert response.status_code == 401
    assert response.json()["error"] == "unauthorized"
    assert server.count("access_log") == 1  # only the enrolment; unauthenticated requests are not "access"


async def test_login_attempts_are_logged_with_their_result(server: Server, device) -> None:
    await _login(server, device, await _challenge(server, device), signer=DeviceKeys())
    await server.login(device)
    rows = server.rows(
        "SELECT device, action, result FROM access_log WHERE action = 'auth.login' ORDER BY id"
    )
    assert rows == [(device.id, "auth.login", "login_failed"), (device.id, "auth.login", "ok")]
