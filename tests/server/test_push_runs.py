"""A push's contiguous run of the caller's chain is checked with one signature, and still refuses any
changed byte of any of its envelopes (crypto/runs.py; docs/security.md section 5)."""

from __future__ import annotations

import pytest

from field_app.crypto.canonical import b64e

from .support import DeviceKeys, Server


@pytest.fixture
async def admin(server: Server) -> DeviceKeys:
    return await server.admin()


async def test_a_changed_byte_anywhere_in_a_pushed_run_is_refused(server: Server, admin) -> None:
    base = f"/v1/teams/{admin.team}/changes"
    run = [admin.envelope(ciphertext_len=64)[1] for _ in range(3)]
    for which in range(3):
        for pos in range(0, len(run[which]), 37):
            bad = bytearray(run[which])
            bad[pos] ^= 0x10
            batch = list(run)
            batch[which] = bytes(bad)
            response = await server.client.post(base, json={"envelopes": [b64e(e) for e in batch]},
                                                headers=admin.auth)
            assert response.status_code in (400, 403), (which, pos, response.text)
            assert response.json()["error"] in ("bad_signature", "bad_envelope", "wrong_team", "wrong_device")
            assert server.count("changes") == 0
    stored = await server.client.post(base, json={"envelopes": [b64e(e) for e in run]}, headers=admin.auth)
    assert stored.status_code == 200 and [r["seq"] for r in stored.json()["results"]] == [1, 2, 3]


async def test_a_run_whose_last_signature_is_forged_is_refused(server: Server, admin) -> None:
    good = admin.envelope()[1]
    _, forged = admin.envelope(signer=DeviceKeys().signing)
    response = await server.client.post(f"/v1/teams/{admin.team}/changes", headers=admin.auth,
                                        json={"envelopes": [b64e(good), b64e(forged)]})
    assert response.status_code == 400 and response.json()["error"] == "bad_signature"
    assert server.count("changes") == 0
