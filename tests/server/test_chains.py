"""The server keeps every device's chain whole: an envelope is stored only when it continues its device's
chain as stored (issue: one restored phone must never stop the team), and a device can read its own
chain back to recover."""

from __future__ import annotations

import asyncio
import hashlib

import httpx
import pytest

from field_app.crypto import wire
from field_app.crypto.canonical import b64d, b64e

from .support import DeviceKeys, Server
from .test_security import _revoke


@pytest.fixture
async def admin(server: Server) -> DeviceKeys:
    return await server.admin()


def _is(response: httpx.Response, status: int, error: str) -> None:
    assert response.status_code == status, response.text
    assert response.json()["error"] == error


async def test_a_skipped_device_seq_is_a_gap_and_nothing_is_stored(server: Server, admin: DeviceKeys) -> None:
    worker = await server.member(admin)
    assert (await server.push(worker, [worker.envelope()[1]])).status_code == 200
    worker.envelope()  # made, never pushed: the next one skips a position
    before = server.rows("SELECT seq, op_id FROM changes")
    _is(await server.push(worker, [worker.envelope()[1]]), 409, "chain_gap")
    assert server.rows("SELECT seq, op_id FROM changes") == before


async def test_a_repeated_device_seq_or_a_wrong_prev_hash_is_a_fork(server: Server, admin: DeviceKeys) -> None:
    worker = await server.member(admin)
    first = worker.envelope()[1]
    assert (await server.push(worker, [first])).status_code == 200
    # a restored copy of the device: the same position again, with other bytes
    worker.rewind(first)
    twin = worker.envelope()[1]
    _is(await server.push(worker, [twin]), 409, "chain_fork")
    # the next position, but not chained to the stored envelope
    worker.device_seq, worker.prev_hash = 1, b"\x01" * 32
    _is(await server.push(worker, [worker.envelope()[1]]), 409, "chain_fork")
    assert server.count("changes") == 1
    # a first envelope must start the chain: seq 1 after 32 zero bytes
    fresh = await server.member(admin)
    fresh.prev_hash = b"\x02" * 32
    _is(await server.push(fresh, [fresh.envelope()[1]]), 409, "chain_fork")


async def test_a_fork_within_one_push_says_so_and_not_that_the_server_holds_it(server: Server,
                                                                                admin: DeviceKeys) -> None:
    """Two envelopes at device_seq 1 in one batch (found by fuzzing): the detail said the server held the
    chain up to 1 while it held nothing. It now says the break is within this push."""
    worker = await server.member(admin)
    first = worker.envelope()[1]
    worker.rewind(first)
    twin = worker.envelope()[1]
    response = await server.push(worker, [first, twin])
    _is(response, 409, "chain_fork")
    assert "in this push" in response.json()["detail"] and "server holds" not in response.json()["detail"]
    assert server.count("changes") == 0
    assert (await server.push(worker, [first])).status_code == 200  # the chain as the server holds it
    worker.rewind(first)
    response = await server.push(worker, [worker.envelope()[1]])
    _is(response, 409, "chain_fork")
    assert response.json()["detail"].startswith("The server holds this device's chain up to 1;")


async def test_a_batch_is_checked_as_one_chain_all_or_nothing(server: Server, admin: DeviceKeys) -> None:
    envelopes = [admin.envelope()[1] for _ in range(3)]
    assert (await server.push(admin, [envelopes[0], envelopes[1], envelopes[2]])).status_code == 200
    more = [admin.envelope()[1] for _ in range(3)]
    before = server.count("changes")
    _is(await server.push(admin, [more[0], more[2]]), 409, "chain_gap")  # one left out in the middle
    assert server.count("changes") == before
    assert (await server.push(admin, more)).status_code == 200


async def test_the_same_bytes_again_stay_idempotent(server: Server, admin: DeviceKeys) -> None:
    op, envelope = admin.envelope()
    first = await server.push(admin, [envelope])
    again = await server.push(admin, [envelope])
    assert again.json()["results"] == [{"op_id": op, "seq": first.json()["results"][0]["seq"], "duplicate": True}]


async def test_concurrent_pushes_of_one_device_cannot_both_extend_its_chain(server: Server, admin) -> None:
    worker = await server.member(admin)
    base = (worker.device_seq, worker.prev_hash)
    left = worker.envelope()[1]
    worker.device_seq, worker.prev_hash = base
    right = worker.envelope()[1]  # the same position, other bytes: two copies of one device
    answers = await asyncio.gather(server.push(worker, [left]), server.push(worker, [right]))
    assert sorted(a.status_code for a in answers) == [200, 409]
    assert server.count("changes") == 1


async def test_a_device_reads_its_own_chain_back(server: Server, admin: DeviceKeys) -> None:
    worker = await server.member(admin)
    envelopes = [worker.envelope()[1] for _ in range(5)]
    await server.push(worker, envelopes)
    url = f"/v1/teams/{worker.team}/devices/{worker.id}/chain"
    answer = (await server.client.get(url, params={"after": 2, "limit": 2}, headers=worker.auth)).json()
    assert answer["device_seq"] == 5 and b64d(answer["hash"]) == hashlib.sha256(envelopes[-1]).digest()
    assert [e["device_seq"] for e in answer["envelopes"]] == [3, 4] and answer["more"] is True
    assert [b64d(e["envelope"]) for e in answer["envelopes"]] == envelopes[2:4]
    assert all(wire.unpack(b64d(e["envelope"])).device == b64d(worker.id) for e in answer["envelopes"])
    other = await server.member(admin)
    _is(await server.client.get(url, headers=other.auth), 403, "wrong_device")
    empty = (await server.client.get(f"/v1/teams/{other.team}/devices/{other.id}/chain", headers=other.auth)).json()
    assert empty == {"device_seq": 0, "hash": None, "envelopes": [], "more": False}


async def test_no_envelope_is_stored_once_the_revocation_is_answered(server: Server, admin: DeviceKeys) -> None:
    """A lost phone pushing in a loop while the coordinator revokes it: every push after the revocation's
    answer is refused, and nothing sealed by it lands after that answer."""
    lost = await server.member(admin)
    stop = asyncio.Event()
    answered_at: list[int] = []

    async def loop() -> None:
        while not stop.is_set():
            await server.push(lost, [lost.envelope(ciphertext_len=20)[1]])
            await asyncio.sleep(0)

    pusher = asyncio.create_task(loop())
    await asyncio.sleep(0.05)
    await _revoke(server, admin, lost, "LOST")
    answered_at.append(server.rows("SELECT COALESCE(MAX(seq), 0) FROM changes WHERE team = ?", [admin.team])[0][0])
    await asyncio.sleep(0.1)
    stop.set()
    await pusher
    after = server.rows("SELECT COUNT(*) FROM changes WHERE team = ? AND device = ? AND seq > ?",
                        [admin.team, lost.id, answered_at[0]])[0][0]
    assert after == 0
    assert server.rows("SELECT COUNT(*) FROM changes WHERE device = ?", [lost.id])[0][0] >= 1  # it did push


async def test_existing_changes_get_their_chains_when_the_schema_moves_on(tmp_path) -> None:
    """Migration 3 reads the device_seq of every stored envelope and each device's chain head."""
    import sqlite3

    from sync_server.store.sqlite import MIGRATIONS, SqliteStore

    keys = DeviceKeys(team=b64e(b"t" * 16))
    keys.ledger_head = b64e(b"h" * 32)
    envelopes = [keys.envelope()[1] for _ in range(3)]
    path = tmp_path / "old.db"
    old = SqliteStore(path)
    with old._tx() as db:
        db.execute("CREATE TABLE schema_version (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)")
        for version, migration in enumerate(MIGRATIONS[:2], start=1):
            migration(db)
            db.execute("INSERT INTO schema_version VALUES (?, 'then')", [version])
        db.execute("INSERT INTO teams (id, created_at) VALUES (?, 0)", [keys.team])
        for seq, env in enumerate(envelopes, start=1):
            db.execute("INSERT INTO changes (team, seq, op_id, device, envelope, received_at) VALUES (?,?,?,?,?,0)",
                       [keys.team, seq, f"op{seq}", keys.id, env])
    assert SqliteStore(path).migrate() == len(MIGRATIONS)
    head = SqliteStore(path).chain_head(keys.team, keys.id)
    assert head.device_seq == 3 and head.hash == hashlib.sha256(envelopes[-1]).digest()
    rows = sqlite3.connect(path).execute("SELECT device_seq FROM changes ORDER BY seq").fetchall()
    assert rows == [(1,), (2,), (3,)]


async def test_a_login_flood_is_refused_and_grows_the_database_by_a_few_rows(server: Server, admin) -> None:
    """2,000 failed logins for a known device and for unknown ones: after the limit the server answers 429
    with Retry-After before doing any work, and the failures are counts per key and minute, so the
    database grows by a handful of rows, not one per attempt."""
    worker = await server.member(admin)
    log_before, failures_before = server.count("access_log"), server.count("auth_failures")
    statuses: dict[int, int] = {}
    bad = {"team": worker.team, "device": worker.id, "challenge": b64e(b"c" * 32),
           "device_nonce": b64e(b"n" * 16), "signature": b64e(b"s" * 64)}
    for i in range(2000):
        body = bad if i % 2 else {**bad, "device": b64e(i.to_bytes(16, "big"))}
        answer = await server.client.post("/v1/auth/login", json=body)
        statuses[answer.status_code] = statuses.get(answer.status_code, 0) + 1
        if answer.status_code == 429:
            assert int(answer.headers["Retry-After"]) >= 1
            assert answer.json()["error"] == "too_many_attempts"
    assert statuses[429] >= 1800 and statuses[401] <= 200
    assert server.count("access_log") - log_before <= 2  # the first failure of its kind this minute
    assert server.count("auth_failures") - failures_before <= 5
    server.clock.advance(61_000)  # a new minute: the right device logs in again at once
    await server.login(worker)
    assert (await server.client.get(f"/v1/teams/{worker.team}/heads", headers=worker.auth)).status_code == 200
