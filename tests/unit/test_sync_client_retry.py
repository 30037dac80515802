"""The client sends an idempotent request once more when a kept-alive connection was closed under it
(seen with 200 devices: some reads failed with RemoteProtocolError instead of being retried)."""

from __future__ import annotations

import httpx
import pytest

from field_app.sync.client import SyncClient, Unreachable


class ClosesOnce(httpx.BaseTransport):
    """Answers like a server, but the first ``fail`` requests find their connection closed."""

    def __init__(self, fail: int = 1) -> None:
        self.fail, self.calls = fail, []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.calls.append((request.method, request.url.path))
        if len(self.calls) <= self.fail:
            raise httpx.RemoteProtocolError("Server disconnected without sending a response.", request=request)
        if request.url.path.endswith("/heads"):
            return httpx.Response(200, json={"heads": []})
        return httpx.Response(200, json={"results": []})


def test_a_read_is_sent_again_once_when_the_connection_was_closed():
    transport = ClosesOnce(fail=1)
    client = SyncClient("http://127.0.0.1:9", transport=transport)
    assert client.heads(b"t" * 16) == []
    assert len(transport.calls) == 2


def test_a_push_is_idempotent_by_op_id_and_sent_again_once():
    transport = ClosesOnce(fail=1)
    client = SyncClient("http://127.0.0.1:9", transport=transport)
    assert client.push(b"t" * 16, [b"x"]) == []
    assert [m for m, _ in transport.calls] == ["POST", "POST"]


def test_twice_closed_is_offline_and_a_non_idempotent_call_is_not_repeated():
    transport = ClosesOnce(fail=2)
    client = SyncClient("http://127.0.0.1:9", transport=transport)
    with pytest.raises(Unreachable):
        client.heads(b"t" * 16)
    transport = ClosesOnce(fail=1)
    client = SyncClient("http://127.0.0.1:9", transport=transport)
    with pytest.raises(Unreachable):
        client.invite(b"t" * 16, "VELDWERKER")  # a new code each time: never sent twice
    assert len(transport.calls) == 1
