"""Security in depth on the server: the full ledger, revocation, epochs, signed push, invitations, the
public ledger, push heads and the access log."""

from __future__ import annotations

import hashlib
import os
import secrets
from typing import Any

import httpx
import pytest

from field_app.crypto.canonical import b64d, b64e, canonical_json, pinned

from .support import DB_REFUSED, START_MS, DeviceKeys, Server

# --- helpers ----------------------------------------------------------------------------------------


def _entry(signer: DeviceKeys, index: int, prev: str, kind: str, body: dict[str, Any]) -> dict[str, Any]:
    return signer.sign_entry(
        {
            "team": signer.team,
            "index": index,
            "prev": prev,
            "type": kind,
            "body": body,
            "signer": signer.id,
            "at": START_MS,
        }
    )


async def _append(server: Server, signer: DeviceKeys, kind: str, body: dict[str, Any]) -> httpx.Response:
    head = await server.head(signer)
    return await server.append(signer, _entry(signer, head["index"] + 1, head["hash"], kind, body))


async def _ok(server: Server, signer: DeviceKeys, kind: str, body: dict[str, Any]) -> dict[str, Any]:
    response = await _append(server, signer, kind, body)
    assert response.status_code == 200, response.text
    return response.json()


async def _revoke(server: Server, admin: DeviceKeys, device: DeviceKeys, reason: str) -> dict[str, Any]:
    return await _ok(server, admin, "revoke_device", {"device": device.id, "reason": reason})


async def _rotate(server: Server, admin: DeviceKeys, epoch: int) -> dict[str, Any]:
    body = {
        "epoch": epoch,
        "epoch_commit": b64e(secrets.token_bytes(32)),
        "key_history": b64e(secrets.token_bytes(60)),
    }
    return await _ok(server, admin, "rotate_epoch", body)


def _is(response: httpx.Response, status: int, error: str) -> None:
    assert response.status_code == status, response.text
    assert response.json()["error"] == error


async def _signed_push(server: Server, team: str, envelopes: list[bytes], head: dict | None = None):
    body: dict[str, Any] = {"envelopes": [b64e(e) for e in envelopes]}
    if head is not None:
        body["head"] = head
    return await server.client.post(f"/v1/teams/{team}/changes/signed", json=body)


def _head(device: DeviceKeys, envelope: bytes, seq: int | None = None) -> dict[str, Any]:
    digest = hashlib.sha256(envelope).digest()
    seq = seq if seq is not None else device.device_seq
    signed = pinned(
        "push-head", {"team": b64d(device.team), "device": b64d(device.id), "device_seq": seq, "hash": digest}
    )
    return {
        "device": device.id,
        "device_seq": seq,
        "hash": b64e(digest),
        "sig": b64e(device.signing.sign(signed)),
    }


@pytest.fixture
async def admin(server: Server) -> DeviceKeys:
    return await server.admin()


# --- revocation -------------------------------------------------------------------------------------


@pytest.mark.parametrize("reason", ["RETIRED", "LOST", "LEFT"])
async def test_revoked_device_can_neither_pull_nor_push_nor_log_in(server: Server, admin, reason) -> None:
    worker = await server.member(admin)
    assert (await server.push(worker, [worker.envelope()[1]])).status_code == 200
    await _revoke(server, admin, worker, reason)
    assert server.rows(
        "SELECT status, revoked_reason, revoked_index FROM devices WHERE id = ?", [worker.id]
    ) == [("revoked", reason, 2)]
    _is(
        await server.client.get(f"/v1/teams/{worker.team}/changes", headers=worker.auth),
        401,
        "device_revoked",
    )
    _is(await server.push(worker, [worker.envelope()[1]]), 401, "device_revoked")
    _is(
        await server.client.get(f"/v1/teams/{worker.team}/ledger", headers=worker.auth), 401, "device_revoked"
    )
    challenge = await server.client.post(
        "/v1/auth/challenge", json={"team": worker.team, "device": worker.id}
    )
    nonce = b64e(secrets.token_bytes(16))
    login = await server.client.post(
        "/v1/auth/login",
        json={
            "team": worker.team,
            "device": worker.id,
            "challenge": challenge.json()["challenge"],
            "device_nonce": nonce,
            "signature": worker.login_signature(challenge.json()["challenge"], nonce),
        },
    )
    _is(login, 401, "device_revoked")
    # the others are untouched: a token is bound to its own device
    assert (await server.client.get(f"/v1/teams/{admin.team}/changes", headers=admin.auth)).status_code == 200


async def test_grants_to_a_revoked_device_are_refused(server: Server, admin) -> None:
    worker = await server.member(admin)
    await _revoke(server, admin, worker, "LOST")
    grant = {"team": admin.team, "epoch": 1, "recipient": worker.id, "granter": admin.id}
    _is(
        await server.client.post(
            f"/v1/teams/{admin.team}/grants", json={"grants": [grant]}, headers=admin.auth
        ),
        400,
        "bad_grant",
    )


async def test_the_server_applies_the_clients_ledger_rules(server: Server, admin) -> None:
    worker = await server.member(admin)
    before = server.count("ledger")
    # wipe of a device that is not revoked
    _is(await _append(server, admin, "wipe", {"device": worker.id}), 400, "bad_ledger_entry")
    # revoke of a device that is not in the ledger
    pending = await server.member(admin, confirm=False)
    _is(
        await _append(server, admin, "revoke_device", {"device": pending.id, "reason": "LOST"}),
        400,
        "bad_ledger_entry",
    )
    # an unknown reason
    _is(
        await _append(server, admin, "revoke_device", {"device": worker.id, "reason": "FIRED"}),
        400,
        "bad_ledger_entry",
    )
    # a rotation that skips an epoch
    body = {"epoch": 3, "epoch_commit": b64e(bytes(32)), "key_history": b64e(bytes(60))}
    _is(await _append(server, admin, "rotate_epoch", body), 400, "bad_ledger_entry")
    # the last device with beheer cannot go
    _is(
        await _append(server, admin, "revoke_device", {"device": admin.id, "reason": "RETIRED"}),
        400,
        "bad_ledger_entry",
    )
    _is(
        await _append(server, admin, "set_role", {"device": admin.id, "role": "BEHEERDER", "beheer": False}),
        400,
        "bad_ledger_entry",
    )
    # a revoked device is not revoked twice and never added again
    await _revoke(server, admin, worker, "LEFT")
    _is(
        await _append(server, admin, "revoke_device", {"device": worker.id, "reason": "LOST"}),
        400,
        "bad_ledger_entry",
    )
    _is(
        await _append(server, admin, "add_device", {"device": worker.ledger_device(False)}),
        400,
        "bad_ledger_entry",
    )
    assert server.count("ledger") == before + 1


async def test_set_role_and_beheer_follow_the_ledger(server: Server, admin) -> None:
    worker = await server.member(admin)
    newcomer = await server.member(admin, confirm=False)
    entry = _entry(
        worker, 2, (await server.head(admin))["hash"], "add_device", {"device": newcomer.ledger_device(False)}
    )
    _is(await server.append(worker, entry), 403, "not_beheer")
    await _ok(server, admin, "set_role", {"device": worker.id, "role": "WERKBEGELEIDER", "beheer": True})
    assert server.rows("SELECT role, beheer FROM devices WHERE id = ?", [worker.id]) == [
        ("WERKBEGELEIDER", 1)
    ]
    assert (
        await _append(server, worker, "add_device", {"device": newcomer.ledger_device(False)})
    ).status_code == 200
    # and a beheer device may take it away again; then the worker may no longer sign
    await _ok(server, admin, "set_role", {"device": worker.id, "role": "VELDWERKER", "beheer": False})
    _is(
        await _append(
            server,
            worker,
            "rotate_epoch",
            {"epoch": 2, "epoch_commit": b64e(bytes(32)), "key_history": b64e(bytes(60))},
        ),
        403,
        "not_beheer",
    )


async def test_add_device_may_grant_beheer(server: Server, admin) -> None:
    deputy = await server.member(admin, "BEHEERDER", confirm=False)
    await _ok(server, admin, "add_device", {"device": deputy.ledger_device(True)})
    assert server.rows("SELECT status, beheer FROM devices WHERE id = ?", [deputy.id]) == [("confirmed", 1)]
    response = await server.client.post(
        f"/v1/teams/{admin.team}/invites", json={"role": "VELDWERKER"}, headers=deputy.auth
    )
    assert response.status_code == 200


# --- epochs and ledger heads in envelopes ------------------------------------------------------------


async def test_push_under_a_superseded_epoch_is_refused(server: Server, admin) -> None:
    worker = await server.member(admin)
    leaver = await server.member(admin)
    await _revoke(server, admin, leaver, "LEFT")
    rotation = await _rotate(server, admin, 2)
    before = server.count("changes")
    _is(await server.push(worker, [worker.envelope()[1]]), 409, "stale_epoch")
    # a batch that mixes current and stale envelopes stores nothing
    current = worker.envelope(ledger_head=rotation["hash"], epoch=2)[1]
    stale = worker.envelope(ledger_head=rotation["hash"], epoch=1)[1]
    _is(await server.push(worker, [current, stale]), 409, "stale_epoch")
    assert server.count("changes") == before
    worker.ledger_head, worker.epoch = rotation["hash"], 2
    assert (await server.push(worker, [worker.envelope()[1]])).status_code == 200


async def test_push_with_an_unknown_ledger_head_or_a_future_epoch_is_refused(server: Server, admin) -> None:
    _is(
        await server.push(admin, [admin.envelope(ledger_head=b64e(secrets.token_bytes(32)))[1]]),
        409,
        "unknown_ledger_head",
    )
    _is(await server.push(admin, [admin.envelope(epoch=2)[1]]), 409, "unknown_epoch")
    other = await server.admin()  # the head of another team's ledger is unknown here
    _is(
        await server.push(admin, [admin.envelope(ledger_head=other.ledger_head)[1]]),
        409,
        "unknown_ledger_head",
    )
    assert server.count("changes") == 0


async def test_a_replayed_envelope_changes_nothing(server: Server, admin) -> None:
    op, envelope = admin.envelope()
    first = (await server.push(admin, [envelope])).json()["results"]
    before = server.rows("SELECT seq, op_id, envelope FROM changes")
    again = (await server.push(admin, [envelope])).json()["results"]
    assert again == [{"op_id": op, "seq": first[0]["seq"], "duplicate": True}]
    assert (await _signed_push(server, admin.team, [envelope])).json()["results"][0]["duplicate"] is True
    assert server.rows("SELECT seq, op_id, envelope FROM changes") == before


# --- signed push ------------------------------------------------------------------------------------


async def test_retired_device_delivers_its_pre_revocation_envelopes_by_signature(
    server: Server, admin
) -> None:
    worker = await server.member(admin)
    outbox = [worker.envelope()[1] for _ in range(3)]  # sealed before the revocation, not yet pushed
    await _revoke(server, admin, worker, "RETIRED")
    await _rotate(server, admin, 2)
    head = _head(worker, outbox[-1])
    response = await _signed_push(server, worker.team, outbox, head)
    assert response.status_code == 200, response.text
    assert [r["seq"] for r in response.json()["results"]] == [1, 2, 3]
    heads = (await server.client.get(f"/v1/teams/{admin.team}/heads", headers=admin.auth)).json()["heads"]
    assert heads == [head]
    row = server.rows(
        "SELECT device, role, action, result FROM access_log WHERE action = 'changes.push_signed'"
    )
    assert row == [(worker.id, worker.role, "changes.push_signed", "ok")]
    # but nothing it claims to have sealed after its revocation
    revocation_hash = (
        await server.client.get(f"/v1/teams/{admin.team}/ledger?after=1", headers=admin.auth)
    ).json()["entries"][0]
    late = worker.envelope(ledger_head=_hash(revocation_hash))[1]
    assert (await _signed_push(server, worker.team, [late])).status_code == 200  # at its revocation: allowed
    rotation_head = (await server.head(admin))["hash"]
    _is(
        await _signed_push(server, worker.team, [worker.envelope(ledger_head=rotation_head, epoch=2)[1]]),
        401,
        "device_revoked",
    )


def _hash(entry: dict[str, Any]) -> str:
    return b64e(hashlib.sha256(canonical_json(entry)).digest())


@pytest.mark.parametrize("reason", ["LOST", "LEFT"])
async def test_signed_push_from_a_lost_or_departed_device_is_refused(server: Server, admin, reason) -> None:
    worker = await server.member(admin)
    envelope = worker.envelope()[1]
    await _revoke(server, admin, worker, reason)
    _is(await _signed_push(server, worker.team, [envelope]), 401, "device_revoked")
    assert server.count("changes") == 0
    row = server.rows("SELECT device, action, result FROM access_log ORDER BY id DESC LIMIT 1")
    assert row == [(worker.id, "changes.push_signed", "device_revoked")]


async def test_signed_push_from_an_unknown_device_is_refused(server: Server, admin) -> None:
    stranger = DeviceKeys(team=admin.team, ledger_head=admin.ledger_head)
    _is(await _signed_push(server, admin.team, [stranger.envelope()[1]]), 404, "unknown_device")
    # a stranger's key cannot pass for a member either
    forged = admin.envelope(signer=stranger.signing)[1]
    _is(await _signed_push(server, admin.team, [forged]), 400, "bad_signature")
    assert server.count("changes") == 0


async def test_signed_push_from_a_device_whose_keys_were_destroyed(server: Server, admin) -> None:
    # Ten wrong PINs destroyed the key material; the outbox was sealed and signed before. No token needed.
    worker = await server.member(admin)
    outbox = [worker.envelope()[1] for _ in range(2)]
    worker.token = ""
    response = await _signed_push(server, worker.team, outbox)
    assert response.status_code == 200 and len(response.json()["results"]) == 2


async def test_signed_push_rules(server: Server, admin) -> None:
    worker = await server.member(admin)
    pending = await server.member(admin, confirm=False)
    pending.ledger_head = admin.ledger_head
    _is(await _signed_push(server, admin.team, [pending.envelope()[1]]), 403, "device_not_confirmed")
    _is(
        await _signed_push(server, admin.team, [admin.envelope()[1], worker.envelope()[1]]),
        403,
        "wrong_device",
    )
    other = await server.admin()
    _is(await _signed_push(server, other.team, [admin.envelope()[1]]), 403, "wrong_team")
    _is(await _signed_push(server, admin.team, []), 400, "bad_request")
    _is(await _signed_push(server, admin.team, [admin.envelope()[1]] * 501), 413, "too_many_envelopes")
    _is(
        await _signed_push(server, admin.team, [worker.envelope(epoch=1, ledger_head=b64e(bytes(32)))[1]]),
        409,
        "unknown_ledger_head",
    )
    assert server.count("changes") == 0


# --- push heads -------------------------------------------------------------------------------------


async def test_push_heads_are_verified_kept_and_served(server: Server, admin) -> None:
    worker = await server.member(admin)
    batch = [worker.envelope()[1] for _ in range(3)]
    head = _head(worker, batch[-1])
    response = await server.client.post(
        f"/v1/teams/{worker.team}/changes",
        json={"envelopes": [b64e(e) for e in batch], "head": head},
        headers=worker.auth,
    )
    assert response.status_code == 200, response.text
    served = await server.client.get(f"/v1/teams/{admin.team}/heads", headers=admin.auth)
    assert served.json() == {"heads": [head]}
    # an older head (a re-push of an old batch) does not move it back
    old = {**_head(worker, batch[0], seq=1)}
    body = {"envelopes": [b64e(batch[0])], "head": old}
    assert (
        await server.client.post(f"/v1/teams/{worker.team}/changes", json=body, headers=worker.auth)
    ).status_code == 200
    assert (await server.client.get(f"/v1/teams/{admin.team}/heads", headers=admin.auth)).json() == {
        "heads": [head]
    }


async def test_bad_push_heads_are_refused(server: Server, admin) -> None:
    envelope = admin.envelope()[1]

    async def push(head: dict) -> httpx.Response:
        return await server.client.post(
            f"/v1/teams/{admin.team}/changes",
            json={"envelopes": [b64e(envelope)], "head": head},
            headers=admin.auth,
        )

    good = _head(admin, envelope)
    _is(await push({**good, "sig": b64e(DeviceKeys().signing.sign(b"x"))}), 400, "bad_head")
    _is(await push({**good, "device_seq": 2}), 400, "bad_head")
    _is(await push(_head(admin, os.urandom(10))), 400, "bad_head")  # names no envelope of the push
    other = DeviceKeys()
    _is(await push({**good, "device": other.id}), 400, "bad_head")
    assert server.count("changes") == 0 and server.count("push_heads") == 0
    assert (await push(good)).status_code == 200
    # the same position with another envelope: a fork by the device itself (its chain is refused first)
    admin.rewind(envelope)
    twin = admin.envelope()[1]
    response = await server.client.post(
        f"/v1/teams/{admin.team}/changes",
        json={"envelopes": [b64e(twin)], "head": _head(admin, twin)},
        headers=admin.auth,
    )
    _is(response, 409, "chain_fork")
    assert server.count("changes") == 1


# --- invitations ------------------------------------------------------------------------------------


async def test_invites_by_a_beheer_device_only(server: Server, admin) -> None:
    worker = await server.member(admin)
    _is(
        await server.client.post(
            f"/v1/teams/{admin.team}/invites", json={"role": "VELDWERKER"}, headers=worker.auth
        ),
        403,
        "not_beheer",
    )
    response = await server.client.post(
        f"/v1/teams/{admin.team}/invites", json={"role": "FG_AUDITOR"}, headers=admin.auth
    )
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"code", "expires_at"} and body["expires_at"] == server.clock() + 7 * 24 * 3600_000
    newcomer = await server.enrol(body["code"], "FG_AUDITOR")
    assert server.rows("SELECT role, beheer, status FROM devices WHERE id = ?", [newcomer.id]) == [
        ("FG_AUDITOR", 0, "pending")
    ]
    _is(
        await server.client.post(
            f"/v1/teams/{admin.team}/invites", json={"role": "KONING"}, headers=admin.auth
        ),
        422,
        "validation_error",
    )
    assert server.rows("SELECT COUNT(*) FROM codes WHERE team = ?", [admin.team]) == [
        (3,)
    ]  # init, member, API
    row = server.rows("SELECT action, result FROM access_log WHERE action = 'invites.create' ORDER BY id")
    assert row == [
        ("invites.create", "not_beheer"),
        ("invites.create", "ok"),
        ("invites.create", "validation_error"),
    ]


async def test_a_pending_device_cannot_invite_even_with_a_beheer_code(server: Server) -> None:
    _, code = server.new_team()
    first = await server.enrol(code, "PROCESREGISSEUR")
    await server.login(first)  # no genesis yet: not confirmed
    _is(
        await server.client.post(
            f"/v1/teams/{first.team}/invites", json={"role": "VELDWERKER"}, headers=first.auth
        ),
        403,
        "device_not_confirmed",
    )


# --- the public ledger ------------------------------------------------------------------------------


async def test_public_ledger_only_for_an_enrolled_device(server: Server, admin) -> None:
    worker = await server.member(admin)
    await _revoke(server, admin, worker, "LOST")
    await _ok(server, admin, "wipe", {"device": worker.id})
    # the revoked device has no token but sees its wipe
    public = await server.client.get(f"/v1/teams/{admin.team}/ledger/public?device={worker.id}")
    assert public.status_code == 200
    entries = public.json()["entries"]
    assert [e["type"] for e in entries] == ["genesis", "add_device", "revoke_device", "wipe"]
    authed = (await server.client.get(f"/v1/teams/{admin.team}/ledger", headers=admin.auth)).json()
    assert public.json() == authed
    assert (
        await server.client.get(f"/v1/teams/{admin.team}/ledger/public?device={worker.id}&after=2")
    ).json()["entries"][0]["type"] == "wipe"
    # nobody else
    for query in [f"device={b64e(secrets.token_bytes(16))}", "device=nonsense", ""]:
        _is(await server.client.get(f"/v1/teams/{admin.team}/ledger/public?{query}"), 404, "unknown_device")
    other = await server.admin()
    _is(
        await server.client.get(f"/v1/teams/{other.team}/ledger/public?device={worker.id}"),
        404,
        "unknown_device",
    )
    rows = server.rows(
        "SELECT device, action, result FROM access_log WHERE action = 'ledger.public' AND device = ?",
        [worker.id],
    )
    assert rows == [(worker.id, "ledger.public", "ok")] * 2


# --- the access log ---------------------------------------------------------------------------------


async def test_access_log_has_an_entry_per_read_and_write(server: Server, admin) -> None:
    worker = await server.member(admin)
    start = server.rows("SELECT MAX(id) FROM access_log")[0][0]
    team = admin.team
    await server.push(worker, [worker.envelope()[1]])
    await server.client.get(f"/v1/teams/{team}/changes", headers=worker.auth)
    await server.client.get(f"/v1/teams/{team}/ledger", headers=worker.auth)
    await server.client.get(f"/v1/teams/{team}/grants", headers=worker.auth)
    await server.client.get(f"/v1/teams/{team}/heads", headers=worker.auth)
    await server.client.get(f"/v1/teams/{team}/devices", headers=worker.auth)
    server.clock.advance(5)
    await _signed_push(server, team, [worker.envelope()[1]])
    rows = server.rows(
        "SELECT at, team, device, role, action, result FROM access_log WHERE id > ? ORDER BY id", [start]
    )
    now = server.clock()
    assert rows == [
        (now - 5, team, worker.id, "VELDWERKER", "changes.push", "ok"),
        (now - 5, team, worker.id, "VELDWERKER", "changes.pull", "ok"),
        (now - 5, team, worker.id, "VELDWERKER", "ledger.read", "ok"),
        (now - 5, team, worker.id, "VELDWERKER", "grants.read", "ok"),
        (now - 5, team, worker.id, "VELDWERKER", "heads.read", "ok"),
        (now - 5, team, worker.id, "VELDWERKER", "devices.list", "ok"),
        (now, team, worker.id, "VELDWERKER", "changes.push_signed", "ok"),
    ]


async def test_sealing_under_the_old_key_after_a_removal_is_refused_until_the_rotation(server: Server, admin) -> None:
    """A revoke_device entry without the rotate_epoch that should follow: an envelope whose sealer had
    seen the removal, under the key the removed device still holds, is refused (409 rotation_pending);
    one sealed before the removal is still taken."""
    worker = await server.member(admin)
    leaver = await server.member(admin)
    head_before = (await server.client.get(f"/v1/teams/{admin.team}/ledger", headers=admin.auth)).json()["head"]
    revocation = await _revoke(server, admin, leaver, "LEFT")
    after = revocation["hash"]
    _is(await server.push(worker, [worker.envelope(ledger_head=after)[1]]), 409, "rotation_pending")
    assert (await server.push(worker, [worker.envelope(ledger_head=head_before["hash"])[1]])).status_code == 200
    _is(await _signed_push(server, admin.team, [worker.envelope(ledger_head=after)[1]]), 409, "rotation_pending")


async def test_access_log_records_refused_tokens_of_a_known_device(server: Server, admin) -> None:
    """A revoked device's attempts and an expired token are logged (result = the refusal); a token the
    server does not know names no device and is not logged."""
    worker = await server.member(admin)
    team = admin.team
    await _revoke(server, admin, worker, "LOST")
    start = server.rows("SELECT MAX(id) FROM access_log")[0][0]
    _is(await server.client.get(f"/v1/teams/{team}/changes", headers=worker.auth), 401, "device_revoked")
    _is(await server.push(worker, [worker.envelope()[1]]), 401, "device_revoked")
    _is(await server.client.get(f"/v1/teams/{team}/changes", headers={"Authorization": "Bearer " + "A" * 43}),
        401, "unauthorized")
    server.clock.advance(16 * 60_000)  # the admin's token has expired
    _is(await server.client.get(f"/v1/teams/{team}/ledger", headers=admin.auth), 401, "token_expired")
    rows = server.rows("SELECT team, device, role, action, result FROM access_log WHERE id > ? ORDER BY id", [start])
    assert rows == [
        (team, worker.id, "VELDWERKER", "changes.pull", "device_revoked"),
        (team, worker.id, "VELDWERKER", "changes.push", "device_revoked"),
        (team, admin.id, admin_role(server, admin), "ledger.read", "token_expired"),
    ]


def admin_role(server: Server, device: DeviceKeys) -> str:
    return server.rows("SELECT role FROM devices WHERE id = ?", [device.id])[0][0]


async def test_access_log_is_append_only(server: Server, admin) -> None:
    assert server.count("access_log") > 0
    for sql in [
        "UPDATE access_log SET result = 'ok'",
        "UPDATE access_log SET role = NULL",
        "DELETE FROM access_log",
        "DELETE FROM access_log WHERE id = 1",
    ]:
        with pytest.raises(DB_REFUSED, match="append-only"):
            server.rows(sql)


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        ("VELDWERKER", False),
        ("CASUSREGISSEUR", False),
        ("PARTNER_LEZER", False),
        ("WERKBEGELEIDER", True),
        ("FG_AUDITOR", True),
        ("BEHEERDER", True),
    ],
)
async def test_access_log_endpoint_is_role_gated(server: Server, admin, role, allowed) -> None:
    device = await server.member(admin, role)
    response = await server.client.get(f"/v1/teams/{admin.team}/access-log", headers=device.auth)
    if not allowed:
        _is(response, 403, "role_not_allowed")
        return
    assert response.status_code == 200
    body = response.json()
    assert body["more"] is False and body["entries"]
    assert {e["device"] for e in body["entries"]} <= {admin.id, device.id}
    assert set(body["entries"][0]) == {"id", "at", "device", "role", "action", "result"}


async def test_access_log_role_follows_set_role(server: Server, admin) -> None:
    worker = await server.member(admin)
    url = f"/v1/teams/{admin.team}/access-log"
    _is(await server.client.get(url, headers=worker.auth), 403, "role_not_allowed")
    await _ok(server, admin, "set_role", {"device": worker.id, "role": "FG_AUDITOR", "beheer": False})
    assert (await server.client.get(url, headers=worker.auth)).status_code == 200


async def test_access_log_pages_and_stays_within_the_team(server: Server, admin) -> None:
    other = await server.admin()
    await server.client.get(f"/v1/teams/{other.team}/devices", headers=other.auth)
    url = f"/v1/teams/{admin.team}/access-log"
    seen: list[dict] = []
    after = 0
    while True:
        page = (await server.client.get(f"{url}?after={after}&limit=2", headers=admin.auth)).json()
        seen += page["entries"]
        after = page["next"]
        if not page["more"]:
            break
    assert len({e["id"] for e in seen}) == len(seen) and [e["id"] for e in seen] == sorted(
        e["id"] for e in seen
    )
    assert {e["device"] for e in seen} == {admin.id}
    assert any(e["action"] == "access_log.read" for e in seen)
    _is(await server.client.get(f"{url}?limit=0", headers=admin.auth), 422, "bad_query")
