"""uvicorn's HTTP/1.1 protocol (httptools) with two edges of the server's own, found by fuzzing a real
``sync-server serve``:

- **a request's head is bounded.** A 1 MB header was read into memory and handed to the app; any client
  could do that on every connection. The request line and headers are counted as they arrive: beyond
  :data:`~field_app.crypto.facts.MAX_HEAD_BYTES` the answer is ``431 headers_too_large`` and the connection
  is closed, before the app sees the request;
- **malformed HTTP gets the JSON error shape** every other refusal has (``400 bad_request``), not
  uvicorn's plain-text sentence; the connection is closed as before.

Used through ``uvicorn.run(..., http=BoundedHttpTools)`` (``cli.py``).
"""

from __future__ import annotations

import json

from uvicorn.protocols.http.httptools_impl import STATUS_LINE, HttpToolsProtocol

from .protocol import MAX_HEAD_BYTES, ErrorCode, error_body

__all__ = ["BoundedHttpTools"]


class _HeadTooLarge(Exception):
    """Raised from a parser callback to stop parsing; answered by :meth:`BoundedHttpTools.send_400_response`."""


class BoundedHttpTools(HttpToolsProtocol):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._in_head = True  # a connection starts with a request's head
        self._head_bytes = 0
        self._refusal: ErrorCode | None = None

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._in_head = True

    def on_headers_complete(self) -> None:
        # a head that arrived in one read (up to 256 KiB) is never counted in data_received: measured here,
        # before the request is handed to the app
        size = len(self.url) + sum(len(name) + len(value) + 4 for name, value in self.headers)
        self._in_head, self._head_bytes = False, 0
        if size > MAX_HEAD_BYTES:
            self._refusal = ErrorCode.HEADERS_TOO_LARGE
            raise _HeadTooLarge
        super().on_headers_complete()

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        if self._in_head and not self.transport.is_closing():  # still in a head after these bytes
            self._head_bytes += len(data)
            if self._head_bytes > MAX_HEAD_BYTES:
                self._send_error(ErrorCode.HEADERS_TOO_LARGE)

    def send_400_response(self, msg: str) -> None:
        """uvicorn's answer to what the parser refused (malformed HTTP, or a callback that stopped it)."""
        refusal, self._refusal = self._refusal, None
        if refusal is not None:
            self._send_error(refusal)
        else:
            self._send_error(ErrorCode.BAD_REQUEST, "The request is not valid HTTP/1.1.")

    def _send_error(self, error: ErrorCode, detail: str | None = None) -> None:
        if self.transport.is_closing():
            return
        body = json.dumps(error_body(error, detail)).encode()
        content = [STATUS_LINE[error.status]]
        for name, value in self.server_state.default_headers:
            content += [name, b": ", value, b"\r\n"]
        content += [b"content-type: application/json\r\n", b"content-length: %d\r\n" % len(body),
                    b"connection: close\r\n", b"\r\n", body]
        self.transport.write(b"".join(content))
        self.transport.close()
