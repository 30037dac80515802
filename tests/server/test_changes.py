"""Push and pull: idempotent by op_id, all-or-nothing batches, contiguous per-team seqs, resumable paging."""

from __future__ import annotations

import asyncio
import secrets
import threading

import pytest

from field_app.crypto import wire
from field_app.crypto.canonical import b64d, b64e
from sync_server.store.base import PushItem

from .support import DeviceKeys, Server


@pytest.fixture
async def admin(server: Server) -> DeviceKeys:
    return await server.admin()


async def test_push_assigns_consecutive_seqs_and_pull_returns_the_same_bytes(server: Server, admin) -> None:
    envelopes = [admin.envelope() for _ in range(3)]
    response = await server.push(admin, [e for _, e in envelopes])
    assert response.status_code == 200
    assert response.json() == {
        "results": [{"op_id": op, "seq": i + 1, "duplicate": False} for i, (op, _) in enumerate(envelopes)]
    }
    pulled = (await server.client.get(f"/v1/teams/{admin.team}/changes", headers=admin.auth)).json()
    assert pulled["next"] == 3 and pulled["more"] is False
    assert [(c["seq"], b64d(c["envelope"])) for c in pulled["changes"]] == [
        (i + 1, e) for i, (_, e) in enumerate(envelopes)
    ]


async def test_repush_of_the_same_bytes_returns_the_original_seq(server: Server, admin) -> None:
    op, envelope = admin.envelope()
    first = await server.push(admin, [envelope])
    _, other = admin.envelope()
    again = await server.push(admin, [other, envelope])
    assert first.json()["results"] == [{"op_id": op, "seq": 1, "duplicate": False}]
    assert again.json()["results"][1] == {"op_id": op, "seq": 1, "duplicate": True}
    assert again.json()["results"][0]["seq"] == 2
    assert server.count("changes") == 2


async def test_same_op_id_within_one_batch_is_stored_once(server: Server, admin) -> None:
    op, envelope = admin.envelope()
    response = await server.push(admin, [envelope, envelope])
    assert [r["duplicate"] for r in response.json()["results"]] == [False, True]
    assert server.count("changes") == 1


async def test_other_bytes_under_a_known_op_id_are_409_and_the_batch_rolls_back(
    server: Server, admin
) -> None:
    op, envelope = admin.envelope()
    await server.push(admin, [envelope])
    _, reused = admin.envelope(op_id=op)  # same op id, different ciphertext
    fresh = [admin.envelope()[1] for _ in range(3)]
    before = server.rows("SELECT seq, op_id FROM changes")
    response = await server.push(admin, [fresh[0], fresh[1], reused, fresh[2]])
    assert response.status_code == 409
    assert response.json()["error"] == "op_conflict"
    assert server.rows("SELECT seq, op_id FROM changes") == before
    assert server.rows("SELECT last_seq FROM teams WHERE id = ?", [admin.team]) == [(1,)]
    # the next good push (continuing the device's chain as stored) continues the sequence without a gap
    fresh = [admin.envelope()[1] for _ in range(3)]
    assert (await server.push(admin, fresh)).json()["results"][0]["seq"] == 2


async def test_other_bytes_under_an_op_id_of_the_same_batch_are_409_and_nothing_is_stored(
    server: Server, admin
) -> None:
    """Found by fuzzing: two different envelopes under one op_id in one push were taken (200), the second
    answered as a duplicate of the first although its bytes were not stored, and the device's chain head
    on the server then disagreed with its signed head. Now the batch is refused as op_conflict."""
    op, first = admin.envelope()
    _, second = admin.envelope(op_id=op)  # same op id, other bytes, continuing the chain
    before = server.count("changes")
    response = await server.push(admin, [first, second])
    assert response.status_code == 409 and response.json()["error"] == "op_conflict", response.text
    assert server.count("changes") == before


async def test_paging_over_many_pages_returns_every_seq_once_in_order(server: Server, admin) -> None:
    total = 1234
    sent: dict[int, bytes] = {}
    for start in range(0, total, 200):
        batch = [admin.envelope(ciphertext_len=40)[1] for _ in range(min(200, total - start))]
        results = (await server.push(admin, batch)).json()["results"]
        sent.update({r["seq"]: e for r, e in zip(results, batch, strict=True)})
    seen: list[int] = []
    after, pages, more = 0, 0, True
    while more:
        page = await server.client.get(
            f"/v1/teams/{admin.team}/changes", params={"after": after, "limit": 100}, headers=admin.auth
        )
        body = page.json()
        assert len(body["changes"]) <= 100
        for change in body["changes"]:
            assert b64d(change["envelope"]) == sent[change["seq"]]
            seen.append(change["seq"])
        after, more, pages = body["next"], body["more"], pages + 1
    assert seen == list(range(1, total + 1))
    assert pages == 13
    tail = (
        await server.client.get(f"/v1/teams/{admin.team}/changes?after={total}", headers=admin.auth)
    ).json()
    assert tail == {"changes": [], "next": total, "more": False}


async def test_pull_defaults_to_100_and_more_is_exact(server: Server, admin) -> None:
    await server.push(admin, [admin.envelope(ciphertext_len=10)[1] for _ in range(100)])
    body = (await server.client.get(f"/v1/teams/{admin.team}/changes", headers=admin.auth)).json()
    assert len(body["changes"]) == 100 and body["more"] is False and body["next"] == 100
    body = (await server.client.get(f"/v1/teams/{admin.team}/changes?limit=99", headers=admin.auth)).json()
    assert body["more"] is True and body["next"] == 99


@pytest.mark.parametrize(
    "query",
    [
        "limit=0",
        "limit=501",
        "limit=abc",
        "limit=1.5",
        "limit=",
        "after=-1",
        "after=x",
        "after=1e3",
        "limit=%201",
    ],
)
async def test_bad_paging_values_are_422_bad_query(server: Server, admin, query) -> None:
    response = await server.client.get(f"/v1/teams/{admin.team}/changes?{query}", headers=admin.auth)
    assert response.status_code == 422
    assert response.json()["error"] == "bad_query"


def test_concurrent_pushes_from_threads_get_contiguous_unique_seqs(server: Server) -> None:
    team, _ = server.new_team()
    threads, per_thread, batch = 8, 10, 5
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            for _ in range(per_thread):
                items = [
                    PushItem(b64e(secrets.token_bytes(16)), "dev", secrets.token_bytes(64))
                    for _ in range(batch)
                ]
                outcomes = server.store.push(team, items, 0)
                seqs = [o.seq for o in outcomes]
                assert seqs == list(range(seqs[0], seqs[0] + batch))  # a batch is one contiguous run
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    pool = [threading.Thread(target=worker) for _ in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    assert errors == []
    seqs = [row[0] for row in server.rows("SELECT seq FROM changes WHERE team = ? ORDER BY seq", [team])]
    assert seqs == list(range(1, threads * per_thread * batch + 1))
    assert server.rows("SELECT last_seq FROM teams WHERE id = ?", [team]) == [(len(seqs),)]


async def test_concurrent_http_pushes_get_contiguous_unique_seqs(server: Server, admin) -> None:
    devices = [admin] + [await server.member(admin) for _ in range(11)]  # one batch per device: each
    batches = [(device, [device.envelope(ciphertext_len=20)[1] for _ in range(4)]) for device in devices]
    responses = await asyncio.gather(*(server.push(device, envs) for device, envs in batches))
    seqs = sorted(r["seq"] for response in responses for r in response.json()["results"])
    assert seqs == list(range(1, 49))


async def test_teams_have_their_own_sequences(server: Server, admin) -> None:
    other = await server.admin()
    await server.push(admin, [admin.envelope()[1]])
    response = await server.push(other, [other.envelope()[1]])
    assert response.json()["results"][0]["seq"] == 1


async def _refused(server: Server, device: DeviceKeys, envelopes: list, status: int, error: str) -> None:
    before = server.count("changes")
    response = await server.client.post(
        f"/v1/teams/{device.team}/changes", json={"envelopes": envelopes}, headers=device.auth
    )
    assert response.status_code == status, response.text
    assert response.json()["error"] == error
    assert set(response.json()) == {"error", "detail"}
    assert server.count("changes") == before


async def test_too_many_envelopes_is_413(server: Server, admin) -> None:
    envelopes = [b64e(admin.envelope(ciphertext_len=10)[1]) for _ in range(501)]
    await _refused(server, admin, envelopes, 413, "too_many_envelopes")


async def test_500_envelopes_are_fine(server: Server, admin) -> None:
    response = await server.push(admin, [admin.envelope(ciphertext_len=10)[1] for _ in range(500)])
    assert response.status_code == 200 and len(response.json()["results"]) == 500


async def test_oversized_envelope_is_413(server: Server, admin) -> None:
    _, big = admin.envelope(ciphertext_len=256 * 1024)
    await _refused(server, admin, [b64e(admin.envelope()[1]), b64e(big)], 413, "envelope_too_large")


async def test_envelope_of_exactly_the_limit_is_accepted(server: Server, admin) -> None:
    _, probe = admin.envelope(ciphertext_len=0)
    admin.rewind(probe)  # only measured, never pushed
    _, exact = admin.envelope(ciphertext_len=256 * 1024 - len(probe))
    assert len(exact) == 256 * 1024
    assert (await server.push(admin, [exact])).status_code == 200


@pytest.mark.parametrize("bad", ["not base64!", "QUJD=", "QUJDRA==", "", "QR"])
async def test_bad_base64_is_400_bad_envelope(server: Server, admin, bad) -> None:
    await _refused(server, admin, [b64e(admin.envelope()[1]), bad], 400, "bad_envelope")


async def test_bad_framing_is_400_bad_envelope(server: Server, admin) -> None:
    _, envelope = admin.envelope()
    for broken in [b"XXXX" + envelope[4:], envelope[:-1], envelope + b"\0", envelope[:50]]:
        await _refused(server, admin, [b64e(broken)], 400, "bad_envelope")


async def test_envelope_with_float_in_header_is_400_not_500(server: Server, admin) -> None:
    _, envelope = admin.envelope()
    parts = wire.unpack(envelope)
    header = parts.header_bytes.replace(b'"v":1', b'"v":1.0')
    hacked = b"VWE1" + len(header).to_bytes(4, "big") + header + envelope[8 + len(parts.header_bytes) :]
    await _refused(server, admin, [b64e(hacked)], 400, "bad_envelope")


async def test_envelope_with_boolean_version_is_400(server: Server, admin) -> None:
    _, envelope = admin.envelope()
    parts = wire.unpack(envelope)
    header = parts.header_bytes.replace(b'"v":1', b'"v":true')
    hacked = b"VWE1" + len(header).to_bytes(4, "big") + header + envelope[8 + len(parts.header_bytes) :]
    await _refused(server, admin, [b64e(hacked)], 400, "bad_envelope")


async def test_bad_signature_is_400(server: Server, admin) -> None:
    _, forged = admin.envelope(signer=DeviceKeys().signing)
    await _refused(server, admin, [b64e(admin.envelope()[1]), b64e(forged)], 400, "bad_signature")


async def test_tampered_ciphertext_fails_the_signature(server: Server, admin) -> None:
    _, envelope = admin.envelope()
    tampered = bytearray(envelope)
    tampered[-70] ^= 1  # last ciphertext byte
    await _refused(server, admin, [b64e(bytes(tampered))], 400, "bad_signature")


async def test_header_device_other_than_caller_is_403(server: Server, admin) -> None:
    second = await server.member(admin)
    _, envelope = second.envelope()  # sealed and signed by the second device
    await _refused(server, admin, [b64e(envelope)], 403, "wrong_device")


async def test_header_team_other_than_path_is_403(server: Server, admin) -> None:
    _, envelope = admin.envelope(team=b64e(secrets.token_bytes(16)))
    await _refused(server, admin, [b64e(envelope)], 403, "wrong_team")


async def test_unconfirmed_device_cannot_push(server: Server, admin) -> None:
    pending = await server.member(admin, confirm=False)
    await _refused(server, pending, [b64e(pending.envelope()[1])], 403, "device_not_confirmed")


async def test_unconfirmed_device_reads_nothing_of_the_team(server: Server, admin) -> None:
    """A leaked invitation code gives a device keys on the server, not the team's ciphertext or metadata:
    until a coordinator has compared its fingerprint it may read only the ledger and its own grants."""
    assert (await server.push(admin, [admin.envelope()[1]])).status_code == 200
    pending = await server.member(admin, confirm=False)
    for path in ("changes", "heads", "devices"):
        answer = await server.client.get(f"/v1/teams/{admin.team}/{path}", headers=pending.auth)
        assert (answer.status_code, answer.json()["error"]) == (403, "device_not_confirmed"), path
        assert "envelope" not in answer.text and admin.id not in answer.text
    for path in ("ledger", "grants"):
        answer = await server.client.get(f"/v1/teams/{admin.team}/{path}", headers=pending.auth)
        assert answer.status_code == 200, (path, answer.text)


async def test_envelopes_must_be_strings(server: Server, admin) -> None:
    await _refused(server, admin, [123], 422, "validation_error")
    response = await server.client.post(
        f"/v1/teams/{admin.team}/changes", json={"envelopes": "abc"}, headers=admin.auth
    )
    assert response.json()["error"] == "validation_error"


async def test_server_stores_only_what_it_needs(server: Server, admin) -> None:
    op, envelope = admin.envelope()
    await server.push(admin, [envelope])
    assert server.rows("SELECT team, seq, op_id, device, envelope FROM changes") == [
        (admin.team, 1, op, admin.id, envelope)
    ]
