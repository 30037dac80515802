"""GET /round: the ledger, the heads and the first page of changes in one answer, equal to the three reads."""

from __future__ import annotations

import pytest

from .support import DeviceKeys, Server


@pytest.fixture
async def admin(server: Server) -> DeviceKeys:
    return await server.admin()


async def test_round_is_the_ledger_heads_and_page_read_one_by_one(server: Server, admin) -> None:
    envelopes = [admin.envelope()[1] for _ in range(5)]
    assert (await server.push(admin, envelopes)).status_code == 200
    base = f"/v1/teams/{admin.team}"
    for ledger_after, after, limit in ((-1, 0, 500), (0, 2, 2), (5, 5, 500)):
        got = await server.client.get(f"{base}/round", headers=admin.auth,
                                      params={"ledger_after": ledger_after, "after": after, "limit": limit})
        assert got.status_code == 200, got.text
        view = got.json()
        ledger = (await server.client.get(f"{base}/ledger", headers=admin.auth, params={"after": ledger_after})).json()
        heads = (await server.client.get(f"{base}/heads", headers=admin.auth)).json()["heads"]
        page = (await server.client.get(f"{base}/changes", headers=admin.auth,
                                        params={"after": after, "limit": limit})).json()
        assert view == {"ledger": ledger, "heads": heads, "page": page}
    assert server.rows("SELECT action, result FROM access_log WHERE device = ? AND action = 'changes.pull'",
                       [admin.id])[:1] == [("changes.pull", "ok")]


async def test_round_needs_a_confirmed_device_and_a_token(server: Server, admin) -> None:
    waiting = await server.member(admin, confirm=False)
    base = f"/v1/teams/{admin.team}"
    refused = await server.client.get(f"{base}/round", headers=waiting.auth)
    assert refused.status_code == 403
    assert (await server.client.get(f"{base}/round")).status_code == 401
    bad = await server.client.get(f"{base}/round", headers=admin.auth, params={"limit": "0"})
    same = await server.client.get(f"{base}/changes", headers=admin.auth, params={"limit": "0"})
    assert bad.status_code == same.status_code == 422 and bad.json()["error"] == same.json()["error"]
