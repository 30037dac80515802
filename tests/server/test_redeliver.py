"""Re-delivery (issue #11): an envelope whose stored copy no longer verifies (a flipped bit on disk, an
edited database) is replaced by its author's copy and served again under a new seq; anything else stays
409 and nothing is stored. Both stores."""

from __future__ import annotations

import pytest

from field_app.crypto import wire
from field_app.crypto.canonical import b64d, b64e

from .support import DeviceKeys, Server


@pytest.fixture
async def admin(server: Server) -> DeviceKeys:
    return await server.admin()


async def redeliver(server: Server, device: DeviceKeys, envelopes: list[bytes]):
    return await server.client.post(f"/v1/teams/{device.team}/changes/redeliver",
                                    json={"envelopes": [b64e(e) for e in envelopes]}, headers=device.auth)


def flip(server: Server, seq: int, at: int) -> bytes:
    """One bit of the stored envelope at ``seq`` flipped, straight in the database."""
    (raw,) = server.rows("SELECT envelope FROM changes WHERE seq = ?", [seq])[0]
    damaged = bytearray(bytes(raw))
    damaged[at % len(damaged)] ^= 0x10
    server.rows("UPDATE changes SET envelope = ? WHERE seq = ?", [bytes(damaged), seq])
    return bytes(damaged)


def served(server: Server) -> list[tuple[int, bytes]]:
    return [(seq, bytes(env)) for seq, env in server.rows("SELECT seq, envelope FROM changes ORDER BY seq")]


async def _chain(server: Server, worker: DeviceKeys, n: int) -> list[bytes]:
    envelopes = [worker.envelope()[1] for _ in range(n)]
    assert (await server.push(worker, envelopes)).status_code == 200
    return envelopes


@pytest.mark.parametrize("where", ["middle", "head", "two_in_a_row"])
async def test_a_damaged_stored_copy_is_replaced_and_served_again(server: Server, admin: DeviceKeys, where) -> None:
    worker = await server.member(admin)
    sent = await _chain(server, worker, 5)
    damaged_at = {"middle": [2], "head": [5], "two_in_a_row": [3, 4]}[where]
    for device_seq in damaged_at:
        flip(server, device_seq, at=-7 if device_seq % 2 else 40)  # the signature, or inside the header
    before = served(server)
    answer = await redeliver(server, worker, [sent[s - 1] for s in damaged_at])
    assert answer.status_code == 200, answer.text
    results = answer.json()["results"]
    assert [r["duplicate"] for r in results] == [False] * len(damaged_at)
    assert [r["seq"] for r in results] == list(range(6, 6 + len(damaged_at)))  # new seqs, chain order
    after = served(server)
    assert after[:5] == before  # history is not rewritten: the damaged rows keep their seq and bytes
    assert [env for _, env in after[5:]] == [sent[s - 1] for s in damaged_at]
    # the device's own chain as served is whole again, each place once, with the good copies
    chain = (await server.client.get(f"/v1/teams/{worker.team}/devices/{worker.id}/chain",
                                     headers=worker.auth)).json()
    assert [b64d(e["envelope"]) for e in chain["envelopes"]] == sent
    # the same again is a duplicate; the device carries on with its chain as before
    again = await redeliver(server, worker, [sent[s - 1] for s in damaged_at])
    assert [r["duplicate"] for r in again.json()["results"]] == [True] * len(damaged_at)
    assert (await server.push(worker, [worker.envelope()[1]])).status_code == 200
    assert server.rows("SELECT action, result FROM access_log WHERE action = 'changes.redeliver'")[0][1] == "ok"


async def test_anything_else_stays_409_and_nothing_is_stored(server: Server, admin: DeviceKeys) -> None:
    worker = await server.member(admin)
    sent = await _chain(server, worker, 3)
    before = served(server)

    async def refused(envelopes: list[bytes], who: DeviceKeys = worker, error: str = "op_conflict") -> None:
        answer = await redeliver(server, who, envelopes)
        assert answer.status_code == (403 if error == "wrong_device" else 409), answer.text
        assert answer.json()["error"] == error
        assert served(server) == before

    # the stored copy verifies: it stays, whatever other signed envelope claims its place
    worker.rewind(sent[1])
    twin = worker.envelope(op_id=wire.unpack(sent[1]).header["op_id"])[1]
    await refused([twin])
    # damaged, but the new envelope is not the one the chain names there (another signed twin)
    flip(server, 2, at=-5)
    before = served(server)
    await refused([twin])
    # not stored at all: push it, do not re-deliver it
    worker.rewind(sent[2])
    worker.envelope()  # place 3 taken again locally
    await refused([worker.envelope()[1]])
    # another device's envelope (its own signature, but not the caller's chain)
    other = await server.member(admin)
    await refused([sent[1]], who=other, error="wrong_device")
    # a damaged copy whose next envelope is damaged too cannot be judged alone
    flip(server, 3, at=-5)
    before = served(server)
    await refused([sent[1]])
    answer = await redeliver(server, worker, [sent[1], sent[2]])  # together they can
    assert answer.status_code == 200, answer.text


async def test_a_device_reads_the_hashes_of_its_own_chain(server: Server, admin: DeviceKeys) -> None:
    import hashlib

    worker = await server.member(admin)
    sent = await _chain(server, worker, 4)
    flip(server, 2, at=-5)
    url = f"/v1/teams/{worker.team}/devices/{worker.id}/chain/hashes"
    answer = await server.client.get(url, params={"after": 1, "limit": 2}, headers=worker.auth)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert [(h["device_seq"], h["seq"]) for h in body["hashes"]] == [(2, 2), (3, 3)] and body["more"]
    assert b64d(body["hashes"][1]["hash"]) == hashlib.sha256(sent[2]).digest()
    assert b64d(body["hashes"][0]["hash"]) != hashlib.sha256(sent[1]).digest()  # the damaged copy's hash
    other = await server.member(admin)
    assert (await server.client.get(url, headers=other.auth)).status_code == 403
