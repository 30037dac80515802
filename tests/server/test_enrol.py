"""Teams, one-time codes and enrolment."""

from __future__ import annotations

import hashlib

from sync_server import protocol

from .support import DAY_MS, DeviceKeys, Server


async def test_first_device_enrols_with_the_init_code_and_gets_beheer(server: Server) -> None:
    team, code = server.new_team()
    device = DeviceKeys()
    response = await server.client.post("/v1/enrol", json=device.enrol_body(code))
    assert response.status_code == 200
    assert response.json() == {"team": team, "device": device.id, "role": "PROCESREGISSEUR", "first": True}
    stored = server.rows(
        "SELECT role, beheer, status, ed25519, x25519 FROM devices WHERE id = ?", [device.id]
    )
    assert stored == [("PROCESREGISSEUR", 1, "pending", device.ed25519, device.x25519)]


async def test_invited_device_gets_the_invite_role_without_beheer(server: Server) -> None:
    team, code = server.new_team()
    await server.enrol(code, "PROCESREGISSEUR")
    device = DeviceKeys()
    response = await server.client.post(
        "/v1/enrol", json=device.enrol_body(server.invite(team, "WERKBEGELEIDER"))
    )
    assert response.json() == {"team": team, "device": device.id, "role": "WERKBEGELEIDER", "first": False}
    assert server.rows("SELECT beheer FROM devices WHERE id = ?", [device.id]) == [(0,)]


async def test_codes_are_stored_only_as_hashes(server: Server) -> None:
    _, code = server.new_team()
    stored = server.rows("SELECT hash FROM codes")
    assert len(stored) == 1
    assert code.encode() not in stored[0][0] and protocol.normalise_code(code).encode() not in stored[0][0]
    assert len(stored[0][0]) == hashlib.sha256().digest_size


async def test_code_is_typable_in_any_case_with_or_without_dashes(server: Server) -> None:
    _, code = server.new_team()
    typed = " " + code.replace("-", " ").lower() + " "
    response = await server.client.post("/v1/enrol", json=DeviceKeys().enrol_body(typed))
    assert response.status_code == 200


async def test_used_code_is_refused_and_nothing_is_stored(server: Server) -> None:
    _, code = server.new_team()
    await server.enrol(code, "PROCESREGISSEUR")
    before = server.count("devices")
    response = await server.client.post("/v1/enrol", json=DeviceKeys().enrol_body(code))
    assert response.status_code == 403
    assert response.json()["error"] == "bad_code"
    assert server.count("devices") == before


async def test_wrong_code_is_refused_and_nothing_is_stored(server: Server) -> None:
    server.new_team()
    for wrong in ["AAAA-BBBB-CCCC-DDDD", "not a code", "", "X" * 64]:
        response = await server.client.post("/v1/enrol", json=DeviceKeys().enrol_body(wrong))
        assert response.status_code == 403, wrong
        assert response.json() == {"error": "bad_code", "detail": protocol.ErrorCode.BAD_CODE.meaning}
    assert server.count("devices") == 0
    assert server.rows("SELECT used_at FROM codes") == [(None,)]


async def test_expired_code_is_refused_and_stays_unused(server: Server) -> None:
    _, code = server.new_team()
    server.clock.advance(7 * DAY_MS)
    response = await server.client.post("/v1/enrol", json=DeviceKeys().enrol_body(code))
    assert response.status_code == 403
    assert response.json()["error"] == "bad_code"
    assert server.count("devices") == 0
    assert server.rows("SELECT used_at FROM codes") == [(None,)]


async def test_code_just_before_expiry_still_works(server: Server) -> None:
    _, code = server.new_team()
    server.clock.advance(7 * DAY_MS - 1)
    response = await server.client.post("/v1/enrol", json=DeviceKeys().enrol_body(code))
    assert response.status_code == 200


async def test_device_id_already_enrolled_is_409_and_the_code_stays_usable(server: Server) -> None:
    team, code = server.new_team()
    first = await server.enrol(code, "PROCESREGISSEUR")
    invite = server.invite(team)
    twin = DeviceKeys(id=first.id)
    response = await server.client.post("/v1/enrol", json=twin.enrol_body(invite))
    assert response.status_code == 409
    assert response.json()["error"] == "device_exists"
    assert server.rows("SELECT ed25519 FROM devices") == [(first.ed25519,)]
    response = await server.client.post("/v1/enrol", json=DeviceKeys().enrol_body(invite))
    assert response.status_code == 200


async def test_enrol_rejects_malformed_ids_and_keys(server: Server) -> None:
    _, code = server.new_team()
    good = DeviceKeys().enrol_body(code)
    for field, value in [
        ("device", "AAAAAAAAAAAAAAAAAAAAAA=="),  # padded
        ("device", "AAAAAAAAAAAAAAAAAAAAAB"),  # non-canonical trailing bits
        ("device", "AAAAAAAAAAAAAAAAAAAA+/"),  # wrong alphabet
        ("ed25519", "AAAA"),
        ("x25519", 12345),
    ]:
        response = await server.client.post("/v1/enrol", json={**good, field: value})
        assert response.status_code == 422, (field, value)
        assert response.json()["error"] == "validation_error"
    assert server.count("devices") == 0
    assert server.rows("SELECT used_at FROM codes") == [(None,)]


async def test_enrolment_is_logged_without_the_code(server: Server) -> None:
    _, code = server.new_team()
    device = await server.enrol(code, "PROCESREGISSEUR")
    rows = server.rows("SELECT team, device, action, result FROM access_log")
    assert rows == [(device.team, device.id, "enrol", "ok")]
