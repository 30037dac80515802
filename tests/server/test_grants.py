"""Key grants: stored opaquely, all or nothing, handed only to their recipient."""

from __future__ import annotations

import secrets
from typing import Any

import pytest

from field_app.crypto.canonical import b64e

from .support import DeviceKeys, Server


def grant(granter: DeviceKeys, recipient: DeviceKeys, epoch: int = 1, **extra: Any) -> dict[str, Any]:
    """Shaped like a real grant; the server never looks inside ``wrapped`` or checks ``sig``."""
    return {
        "team": granter.team,
        "epoch": epoch,
        "recipient": recipient.id,
        "recipient_x25519": recipient.x25519,
        "granter": granter.id,
        "wrapped": b64e(secrets.token_bytes(32 + 48)),
        "sig": b64e(secrets.token_bytes(64)),
        **extra,
    }


@pytest.fixture
async def admin(server: Server) -> DeviceKeys:
    return await server.admin()


async def _post(server: Server, device: DeviceKeys, grants: list):
    return await server.client.post(
        f"/v1/teams/{device.team}/grants", json={"grants": grants}, headers=device.auth
    )


async def _mine(server: Server, device: DeviceKeys) -> list[dict]:
    response = await server.client.get(f"/v1/teams/{device.team}/grants", headers=device.auth)
    assert response.status_code == 200
    return response.json()["grants"]


async def test_grants_are_stored_opaquely_and_returned_only_to_their_recipient(server: Server, admin) -> None:
    alice = await server.member(admin)
    bob = await server.member(admin)
    to_alice, to_bob, to_admin = (
        grant(admin, alice),
        grant(admin, bob),
        grant(admin, admin, future_field=[1, 2]),
    )
    response = await _post(server, admin, [to_alice, to_bob, to_admin])
    assert response.json() == {"stored": 3}
    assert await _mine(server, alice) == [to_alice]
    assert await _mine(server, bob) == [to_bob]
    assert await _mine(server, admin) == [to_admin]  # unknown fields kept as they came


async def test_grants_come_in_epoch_order(server: Server, admin) -> None:
    alice = await server.member(admin)
    later, earlier = grant(admin, alice, epoch=2), grant(admin, alice, epoch=1)
    await _post(server, admin, [later, earlier])
    assert await _mine(server, alice) == [earlier, later]


async def test_same_grant_again_is_fine_and_a_different_one_is_409_for_the_whole_batch(
    server: Server, admin
) -> None:
    alice = await server.member(admin)
    bob = await server.member(admin)
    original = grant(admin, alice)
    await _post(server, admin, [original])
    assert (await _post(server, admin, [original])).status_code == 200
    response = await _post(server, admin, [grant(admin, bob), grant(admin, alice)])
    assert response.status_code == 409
    assert response.json()["error"] == "grant_conflict"
    assert await _mine(server, alice) == [original]
    assert await _mine(server, bob) == []


async def test_only_a_beheer_device_stores_grants(server: Server, admin) -> None:
    member = await server.member(admin)
    response = await _post(server, member, [grant(member, member)])
    assert response.status_code == 403 and response.json()["error"] == "not_beheer"
    assert server.count("grants") == 0


@pytest.mark.parametrize(
    ("change", "status", "error"),
    [
        ({"epoch": 0}, 400, "bad_grant"),
        ({"epoch": "1"}, 400, "bad_grant"),
        ({"epoch": True}, 400, "bad_grant"),
        ({"recipient": "nope"}, 400, "bad_grant"),
        ({"recipient": b64e(bytes(16))}, 400, "bad_grant"),  # not a device of this team
        ({"team": b64e(bytes(16))}, 403, "wrong_team"),
        ({"granter": b64e(bytes(16))}, 403, "wrong_device"),
        ({"blob": "x" * 4096}, 413, "grant_too_large"),
    ],
)
async def test_bad_grants_are_refused_and_nothing_is_stored(
    server: Server, admin, change, status, error
) -> None:
    alice = await server.member(admin)
    response = await _post(server, admin, [grant(admin, alice), {**grant(admin, alice, epoch=2), **change}])
    assert response.status_code == status, response.text
    assert response.json()["error"] == error
    assert server.count("grants") == 0


async def test_missing_fields_are_refused(server: Server, admin) -> None:
    response = await _post(server, admin, [{"team": admin.team}])
    assert response.status_code == 400 and response.json()["error"] == "bad_grant"


async def test_too_many_grants_is_413(server: Server, admin) -> None:
    grants = [grant(admin, admin, epoch=e) for e in range(1, 102)]
    response = await _post(server, admin, grants)
    assert response.status_code == 413 and response.json()["error"] == "too_many_grants"
    assert (await _post(server, admin, grants[:100])).json() == {"stored": 100}


def _deep(levels: int) -> Any:
    value: Any = 1
    for _ in range(levels):
        value = {"a": value}
    return value


@pytest.mark.parametrize("levels", [300, 500])
async def test_a_grant_nested_deeper_than_the_limit_is_refused_and_grants_stay_readable(
    server: Server, admin, levels
) -> None:
    """Found by fuzzing: a grant with a field nested 300 deep was stored (200) and every later read of the
    recipient's grants answered 500; 500 deep was a 500 at once (recursion). Both are refused now, nothing
    stored, and the recipient's grants stay readable."""
    alice = await server.member(admin)
    response = await _post(server, admin, [grant(admin, alice, x=_deep(levels))])
    assert 400 <= response.status_code < 500 and response.json()["error"] in ("bad_grant", "grant_too_large"), \
        response.text
    assert server.count("grants") == 0
    assert (await server.client.get(f"/v1/teams/{admin.team}/grants", headers=alice.auth)).status_code == 200
