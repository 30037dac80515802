"""The request's head is bounded and malformed HTTP gets the JSON error shape, on a real ``sync-server
serve`` over a raw socket (found by fuzzing: a 1 MB header was accepted and handed to the app, and
malformed HTTP got uvicorn's plain-text 400)."""

from __future__ import annotations

import json
import socket

import pytest

from field_app.crypto.facts import MAX_HEAD_BYTES

from . import serving


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    proc, url = serving.start(str(tmp_path_factory.mktemp("head") / "server.db"))
    yield url
    serving.stop(proc)


def _exchange(base: str, *parts: bytes) -> tuple[int, dict, bytes, bool]:
    """Send ``parts`` one write each; (status, headers, body, closed by the server)."""
    host, port = base.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as s:
        try:
            for part in parts:
                s.sendall(part)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server answered and closed while the rest was still being sent
        data = b""
        while True:
            try:
                chunk = s.recv(65536)
            except ConnectionResetError:
                break
            if not chunk:
                break
            data += chunk
            head, sep, body = data.partition(b"\r\n\r\n")
            if sep:
                headers = dict(line.split(b": ", 1) for line in head.split(b"\r\n")[1:])
                if len(body) >= int(headers.get(b"content-length", b"0")):
                    if headers.get(b"connection") != b"close":
                        return int(head.split()[1]), headers, body, False
        head, _, body = data.partition(b"\r\n\r\n")
        headers = dict(line.split(b": ", 1) for line in head.split(b"\r\n")[1:])
        return int(head.split()[1]), headers, body, True


def _request(extra: bytes = b"", method: bytes = b"GET", path: bytes = b"/healthz", body: bytes = b"") -> bytes:
    return (method + b" " + path + b" HTTP/1.1\r\nHost: test\r\n" + extra
            + b"Content-Length: %d\r\n\r\n" % len(body) + body)


def test_a_header_beyond_the_limit_is_431_in_json_and_the_connection_closes(base):
    huge = b"X-Fictief: " + b"a" * (1024 * 1024) + b"\r\n"  # 1 MB, arriving over many reads
    status, headers, body, closed = _exchange(base, _request(huge))
    assert status == 431 and closed
    assert headers[b"content-type"] == b"application/json"
    assert json.loads(body)["error"] == "headers_too_large"


def test_a_head_over_the_limit_in_one_read_is_refused_before_the_app(base):
    big = b"X-Fictief: " + b"b" * (MAX_HEAD_BYTES + 100) + b"\r\n"  # one write: usually one read
    status, _headers, body, closed = _exchange(base, _request(big))
    assert status == 431 and closed
    assert json.loads(body)["error"] == "headers_too_large"


def test_heads_under_the_limit_and_large_bodies_pass(base):
    fine = b"X-Fictief: " + b"c" * (MAX_HEAD_BYTES // 2) + b"\r\n"
    status, _headers, body, _closed = _exchange(base, _request(fine))
    assert status == 200, body
    # a body of 1 MB is not counted as head: the route answers (not 431)
    status, _headers, body, _closed = _exchange(
        base, _request(b"Content-Type: application/json\r\n", b"POST", b"/v1/enroll", b"{" + b" " * (1024 * 1024) + b"}"))
    assert status != 431 and json.loads(body)["error"] != "headers_too_large"


def test_malformed_http_is_a_json_400_and_the_server_keeps_serving(base):
    status, headers, body, closed = _exchange(base, b"GARBAGE \x00\x01 NOT HTTP\r\n\r\n")
    assert status == 400 and closed
    assert headers[b"content-type"] == b"application/json"
    assert json.loads(body)["error"] == "bad_request"
    status, _headers, _body, _closed = _exchange(base, _request())
    assert status == 200
