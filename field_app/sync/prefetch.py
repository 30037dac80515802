"""Reading the next pull page while the current one is checked and applied.

A page is a few hundred envelopes: the server reads them and the answer travels while this device checks
signatures, opens and stores the page before it (on another core, or while either side waits). The next
page's cursor is known before the current page is applied (the page announces it and ``check_cursor``
has checked it), so the request can go out at once. Nothing changes in what is checked: the prefetched
page is checked like any other when its turn comes, and it is used only if the stored cursor is the one
it was read for (a failed slice leaves the cursor behind, and the page is dropped).

The push uses the same class to read and encode its next batch while the current one travels
(``engine._push_batches``)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

__all__ = ["PageFetcher"]


class PageFetcher:
    """``fetch(cursor)`` reads one page; :meth:`start` runs it in a thread of its own, :meth:`take` gives
    the page for a cursor (the prefetched one if it was read for that cursor, else read now)."""

    def __init__(self, fetch: Callable[[int], Any], name: str = "veldwerk-pull-ahead"):
        self._fetch, self._name = fetch, name
        self._thread: threading.Thread | None = None
        self._cursor: int | None = None
        self._result: Any = None
        self._error: BaseException | None = None

    def start(self, cursor: int) -> None:
        self.close()
        self._cursor, self._result, self._error = cursor, None, None

        def run() -> None:
            try:
                self._result = self._fetch(cursor)
            except BaseException as exc:  # noqa: BLE001 - handed to the reader in take()
                self._error = exc

        self._thread = threading.Thread(target=run, name=self._name, daemon=True)
        self._thread.start()

    def take(self, cursor: int) -> Any:
        if self._thread is None or self._cursor != cursor:
            self.close()
            return self._fetch(cursor)
        self._thread.join()
        self._thread = None
        error, result = self._error, self._result
        self._result = self._error = None
        if error is not None:
            raise error
        return result

    def close(self) -> None:
        """Wait for a request still under way (the client is not shared between two requests) and drop it."""
        if self._thread is not None:
            self._thread.join()
        self._thread, self._cursor, self._result, self._error = None, None, None, None
