"""The team ledger: genesis by the first device, add_device by a beheer device, no stale or forged entries."""

from __future__ import annotations

import json

import pytest

from field_app.crypto.canonical import b64e

from .support import DeviceKeys, Server, add_device_entry, entry_hash, genesis_entry


@pytest.fixture
async def first(server: Server) -> DeviceKeys:
    _, code = server.new_team()
    device = await server.enrol(code, "PROCESREGISSEUR")
    await server.login(device)
    return device


async def _post(server: Server, device: DeviceKeys, entry: dict):
    return await server.client.post(
        f"/v1/teams/{device.team}/ledger", json={"entry": entry}, headers=device.auth
    )


async def _refused(server: Server, device: DeviceKeys, entry: dict, status: int, error: str) -> None:
    before = server.count("ledger")
    response = await _post(server, device, entry)
    assert response.status_code == status, response.text
    assert response.json()["error"] == error
    assert server.count("ledger") == before


async def test_genesis_by_the_first_device_confirms_it(server: Server, first) -> None:
    entry = genesis_entry(first)
    response = await _post(server, first, entry)
    assert response.status_code == 200
    assert response.json() == {"index": 0, "hash": entry_hash(entry)}
    ledger = (await server.client.get(f"/v1/teams/{first.team}/ledger", headers=first.auth)).json()
    assert ledger == {"entries": [entry], "head": {"index": 0, "hash": entry_hash(entry)}}
    assert server.rows("SELECT status FROM devices WHERE id = ?", [first.id]) == [("confirmed",)]


async def test_empty_ledger_has_no_head(server: Server, first) -> None:
    ledger = (await server.client.get(f"/v1/teams/{first.team}/ledger", headers=first.auth)).json()
    assert ledger == {"entries": [], "head": None}


async def test_add_device_by_the_beheer_device_confirms_the_new_device(server: Server, first) -> None:
    genesis = genesis_entry(first)
    await _post(server, first, genesis)
    newcomer = await server.member(first, confirm=False)
    entry = add_device_entry(first, newcomer, 1, entry_hash(genesis))
    response = await _post(server, first, entry)
    assert response.json() == {"index": 1, "hash": entry_hash(entry)}
    devices = (await server.client.get(f"/v1/teams/{first.team}/devices", headers=first.auth)).json()[
        "devices"
    ]
    assert {d["id"]: d["status"] for d in devices} == {first.id: "confirmed", newcomer.id: "confirmed"}
    after = (await server.client.get(f"/v1/teams/{first.team}/ledger?after=0", headers=first.auth)).json()
    assert after["entries"] == [entry] and after["head"]["index"] == 1


async def test_stale_prev_is_409(server: Server, first) -> None:
    genesis = genesis_entry(first)
    await _post(server, first, genesis)
    a = await server.member(first, confirm=False)
    b = await server.member(first, confirm=False)
    assert (await _post(server, first, add_device_entry(first, a, 1, entry_hash(genesis)))).status_code == 200
    await _refused(server, first, add_device_entry(first, b, 1, entry_hash(genesis)), 409, "ledger_conflict")
    await _refused(server, first, add_device_entry(first, b, 2, entry_hash(genesis)), 409, "ledger_conflict")
    assert server.rows("SELECT status FROM devices WHERE id = ?", [b.id]) == [("pending",)]


async def test_second_genesis_is_409(server: Server, first) -> None:
    await _post(server, first, genesis_entry(first))
    await _refused(server, first, genesis_entry(first), 409, "ledger_conflict")


async def test_non_beheer_device_may_not_post_genesis(server: Server, first) -> None:
    other = await server.enrol(server.invite(first.team), "VELDWERKER")
    await server.login(other)
    await _refused(server, other, genesis_entry(other), 403, "not_beheer")


async def test_non_beheer_signer_may_not_add_devices(server: Server, first) -> None:
    genesis = genesis_entry(first)
    await _post(server, first, genesis)
    member = await server.member(first)
    newcomer = await server.member(first, confirm=False)
    head = (await server.client.get(f"/v1/teams/{first.team}/ledger", headers=first.auth)).json()["head"]
    entry = add_device_entry(member, newcomer, head["index"] + 1, head["hash"])
    await _refused(server, member, entry, 403, "not_beheer")


async def test_forged_signature_is_refused(server: Server, first) -> None:
    await _refused(
        server, first, first.sign_entry(genesis_entry(first), DeviceKeys().signing), 400, "bad_signature"
    )
    tampered = {**genesis_entry(first), "at": 1}  # signed, then changed
    await _refused(server, first, tampered, 400, "bad_signature")


async def test_signer_must_be_the_caller(server: Server, first) -> None:
    other = await server.enrol(server.invite(first.team), "VELDWERKER")
    await server.login(other)
    await _refused(server, other, genesis_entry(first), 403, "wrong_device")


async def test_entry_for_another_team_is_refused(server: Server, first) -> None:
    entry = first.sign_entry({**genesis_entry(first), "team": b64e(bytes(16))})
    await _refused(server, first, entry, 403, "wrong_team")


async def test_add_device_must_repeat_the_enrolled_keys_and_role(server: Server, first) -> None:
    genesis = genesis_entry(first)
    await _post(server, first, genesis)
    newcomer = await server.member(first, confirm=False)
    impostor = DeviceKeys(id=newcomer.id, role=newcomer.role, team=first.team)  # same id, other keys
    await _refused(
        server, first, add_device_entry(first, impostor, 1, entry_hash(genesis)), 400, "bad_ledger_entry"
    )
    newcomer.role = "BEHEERDER"
    await _refused(
        server, first, add_device_entry(first, newcomer, 1, entry_hash(genesis)), 400, "bad_ledger_entry"
    )
    stranger = DeviceKeys(role="VELDWERKER", team=first.team)
    await _refused(
        server, first, add_device_entry(first, stranger, 1, entry_hash(genesis)), 400, "bad_ledger_entry"
    )


async def test_a_device_is_added_only_once(server: Server, first) -> None:
    genesis = genesis_entry(first)
    await _post(server, first, genesis)
    newcomer = await server.member(first, confirm=False)
    added = add_device_entry(first, newcomer, 1, entry_hash(genesis))
    await _post(server, first, added)
    await _refused(
        server, first, add_device_entry(first, newcomer, 2, entry_hash(added)), 400, "bad_ledger_entry"
    )


async def test_genesis_body_must_describe_the_signer(server: Server, first) -> None:
    entry = genesis_entry(first)
    wrong_epoch = first.sign_entry({**entry, "body": {**entry["body"], "epoch": 2}})
    await _refused(server, first, wrong_epoch, 400, "bad_ledger_entry")
    no_beheer = first.sign_entry({**entry, "body": {**entry["body"], "device": first.ledger_device(False)}})
    await _refused(server, first, no_beheer, 400, "bad_ledger_entry")
    nonzero_prev = first.sign_entry({**entry, "prev": b64e(b"\1" * 32)})
    await _refused(server, first, nonzero_prev, 400, "bad_ledger_entry")


async def test_unknown_entry_type_is_refused(server: Server, first) -> None:
    await _post(server, first, genesis_entry(first))
    entry = first.sign_entry({**genesis_entry(first), "type": "make_me_admin", "index": 1})
    await _refused(server, first, entry, 400, "bad_ledger_entry")


async def test_add_device_before_genesis_is_refused(server: Server, first) -> None:
    newcomer = await server.member(first, confirm=False)
    await _refused(
        server, first, add_device_entry(first, newcomer, 0, b64e(bytes(32))), 403, "device_not_confirmed"
    )


async def test_oversized_entry_is_413(server: Server, first) -> None:
    entry = genesis_entry(first)
    entry = first.sign_entry({**entry, "body": {**entry["body"], "padding": "x" * (16 * 1024)}})
    await _refused(server, first, entry, 413, "entry_too_large")


async def test_malformed_entries_are_422(server: Server, first) -> None:
    entry = genesis_entry(first)
    for broken in [
        {k: v for k, v in entry.items() if k != "sig"},
        {**entry, "index": "0"},
        {**entry, "index": -1},
        {**entry, "extra": 1},
        {**entry, "body": []},
        {**entry, "prev": "short"},
    ]:
        await _refused(server, first, broken, 422, "validation_error")


async def test_float_inside_body_is_refused(server: Server, first) -> None:
    entry = genesis_entry(first)
    response = await server.client.post(
        f"/v1/teams/{first.team}/ledger",
        content=json.dumps({"entry": {**entry, "body": {**entry["body"], "x": 1.5}}}),
        headers={**first.auth, "Content-Type": "application/json"},
    )
    assert response.status_code == 400
    assert response.json()["error"] == "bad_ledger_entry"


@pytest.mark.parametrize("after", ["-2", "x", "0.5"])
async def test_bad_ledger_after_is_422(server: Server, first, after) -> None:
    response = await server.client.get(f"/v1/teams/{first.team}/ledger?after={after}", headers=first.auth)
    assert response.status_code == 422 and response.json()["error"] == "bad_query"


async def test_an_entry_nested_too_deep_is_a_clear_error_not_a_500(server: Server, first) -> None:
    """Found by fuzzing: a ledger entry whose body held a value nested 500 deep ran canonical_json out of
    recursion: 500 and a traceback of thousands of lines in the log, for any device's token."""
    nested: object = 1
    for _ in range(500):
        nested = [nested]
    entry = {**genesis_entry(first), "body": {"x": nested}}
    before = server.count("ledger")
    response = await _post(server, first, entry)
    assert 400 <= response.status_code < 500, response.text
    assert server.count("ledger") == before


async def test_an_entry_time_far_ahead_of_the_servers_clock_is_refused(server: Server, first) -> None:
    """``at`` is the signing device's clock: more than a day ahead of the server's clock is refused with a
    sentence naming the rule, nothing stored (genesis and later entries alike); a day of skew is allowed.
    Negative, fractional or non-integer times never get past the schema (422), nor beyond 2^53."""
    day = 24 * 3600_000
    for at in (server.clock() + day + 1, 2**53):
        entry = first.sign_entry({**genesis_entry(first), "at": at})
        await _refused(server, first, entry, 400, "bad_ledger_entry")
        answer = await _post(server, first, entry)
        assert "lies more than 24 h ahead" in answer.json()["detail"]
    for at in (-1, 2**53 + 1, "1750000000000", True):
        await _refused(server, first, first.sign_entry({**genesis_entry(first), "at": at}), 422, "validation_error")
    genesis = first.sign_entry({**genesis_entry(first), "at": server.clock() + day})  # within the skew
    assert (await _post(server, first, genesis)).status_code == 200
    newcomer = await server.member(first, confirm=False)
    late = first.sign_entry({**add_device_entry(first, newcomer, 1, entry_hash(genesis)),
                             "at": server.clock() + 30 * day})
    await _refused(server, first, late, 400, "bad_ledger_entry")
    assert server.rows("SELECT status FROM devices WHERE id = ?", [newcomer.id]) == [("pending",)]
    server.clock.advance(29 * day)  # the same entry, once the server's clock has caught up
    await server.login(first)
    assert (await _post(server, first, late)).status_code == 200
