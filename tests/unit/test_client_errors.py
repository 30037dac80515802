"""What the sync client makes of an error answer that is not the server's error JSON (a gateway, a server
starting up): a 502/503/504 is ``server_unavailable``, said on the sync sheet in a sentence; anything else
without a code stays ``unknown``. Nothing here is retried or hidden: the engine backs off as for any error."""

from __future__ import annotations

import httpx
import pytest

from field_app.sync.client import ServerError, SyncClient


@pytest.mark.parametrize(("status", "body", "code"), [
    (503, b"<html>Service Unavailable</html>", "server_unavailable"),
    (502, b"", "server_unavailable"),
    (504, b"[1, 2]", "server_unavailable"),  # JSON, but not an object
    (500, b"oops", "unknown"),
    (503, b'{"error": "busy", "detail": "x"}', "busy"),  # the server's own code wins
])
def test_an_error_answer_without_our_json_gets_a_code_that_says_what_it_is(status, body, code):
    client = SyncClient("http://127.0.0.1:9", transport=httpx.MockTransport(lambda _req: httpx.Response(status, content=body)))
    with pytest.raises(ServerError) as err:
        client._request("GET", "/v1/health", auth=False)
    assert err.value.status == status and err.value.code == code

