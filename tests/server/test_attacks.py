"""Attacks from outside on a real ``sync-server serve`` process, on either store (an independent review):
what is refused is a 4xx with a JSON error code, never a 500 or a stack trace in the server's log, and
changes nothing."""

from __future__ import annotations

import sys

import httpx

from sync_server.settings import now_ms

from . import serving
from .support import START_MS, Clock, Server


def _refused(response: httpx.Response, status: int, error: str) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/json"
    assert response.json()["error"] == error


async def test_text_that_is_no_id_in_a_path_query_or_ledger_body_is_refused_on_either_store(db_path, store) -> None:
    """A NUL byte where an id belongs (the public ledger's ``device`` or ``team``, a ledger entry naming
    its device) reached the database as text: PostgreSQL refuses NUL in a text column, so the server
    answered 500 with a stack trace in its log. Only ids are looked up now: 404 / 400, nothing stored."""
    proc, base = serving.start(db_path)
    try:
        async with httpx.AsyncClient(base_url=base, timeout=30) as client:
            server = Server(client, store, Clock(now_ms()), db_path)
            admin = await server.admin()
            team, public = admin.team, f"/v1/teams/{admin.team}/ledger/public"
            head = await server.head(admin)
            for path in (f"{public}?device=%00", f"{public}?device={admin.id}%00", f"{public}?device=a%00b",
                         f"/v1/teams/%00/ledger/public?device={admin.id}",
                         f"/v1/teams/{team}%00/ledger/public?device={admin.id}"):
                _refused(await client.get(path), 404, "unknown_device")
            for kind, body in (("revoke_device", {"device": "\x00", "reason": "LOST"}),
                               ("set_role", {"device": admin.id + "\x00", "role": "VELDWERKER", "beheer": False}),
                               ("wipe", {"device": "\x00" * 22}),
                               ("add_device", {"device": {**admin.ledger_device(False), "id": "\x00"}})):
                entry = admin.sign_entry({"team": team, "index": head["index"] + 1, "prev": head["hash"],
                                          "type": kind, "body": body, "signer": admin.id, "at": START_MS})
                _refused(await server.append(admin, entry), 400, "bad_ledger_entry")
            assert await server.head(admin) == head  # nothing stored
            assert (await client.get("/healthz")).status_code == 200
    finally:
        serving.stop(proc)
    log = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
    assert "Traceback" not in log and "Exception" not in log, log[-3000:]


# The server as installed without the ``fast`` extra (docs/deploy.md names it, but every use falls back to the
# standard library): orjson and pybase64 cannot be imported.
_WITHOUT_FAST = [sys.executable, "-c", "import sys; sys.modules['orjson'] = sys.modules['pybase64'] = None; "
                 "from sync_server.cli import main; sys.exit(main())"]


async def test_a_lone_surrogate_in_a_grant_or_ledger_entry_is_400_without_the_fast_extra(
        db_path, store, monkeypatch) -> None:
    """The standard JSON parser takes ``"\\ud800"``, which has no UTF-8: a grant or a ledger entry holding
    one answered 500 with a stack trace in the log (orjson refuses it as malformed JSON). It has no
    canonical form: 400 ``bad_grant`` / ``bad_ledger_entry``, nothing stored."""
    monkeypatch.setattr(serving, "COMMAND", _WITHOUT_FAST)
    proc, base = serving.start(db_path)
    try:
        async with httpx.AsyncClient(base_url=base, timeout=30) as client:
            server = Server(client, store, Clock(now_ms()), db_path)
            admin = await server.admin()
            team, head = admin.team, await server.head(admin)
            headers = {**admin.auth, "Content-Type": "application/json"}
            grant = (f'{{"grants":[{{"team":"{team}","epoch":1,"recipient":"{admin.id}","granter":"{admin.id}",'
                     f'"wrapped":"\\ud800"}}]}}')
            _refused(await client.post(f"/v1/teams/{team}/grants", content=grant.encode(), headers=headers),
                     400, "bad_grant")
            entry = (f'{{"entry":{{"team":"{team}","index":{head["index"] + 1},"prev":"{head["hash"]}",'
                     f'"type":"wipe","body":{{"device":"\\udfff"}},"signer":"{admin.id}","at":{START_MS},'
                     f'"sig":"{"A" * 86}"}}}}')
            _refused(await client.post(f"/v1/teams/{team}/ledger", content=entry.encode(), headers=headers),
                     400, "bad_ledger_entry")
            assert (await client.get(f"/v1/teams/{team}/grants", headers=admin.auth)).json() == {"grants": []}
            assert await server.head(admin) == head
    finally:
        serving.stop(proc)
    log = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
    assert "Traceback" not in log and "Exception" not in log, log[-3000:]
