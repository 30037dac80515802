"""The access log's write path: rows are queued in memory and written by one flusher thread, many rows in one
transaction, instead of one write transaction per request.

Why: every authenticated request (pulls and no-op rounds included) leaves an access-log row. Written one
by one, each read request took the database write lock for its row and waited behind pushes holding it;
under 200 devices the server's worker threads mostly queued for that lock (bench/server_load.py). Now a
request only appends to a list; the flusher wakes when rows arrive, waits ``delay_s`` so the rows of
concurrent requests share one transaction, and writes them in the order they were logged.

What it costs: a row is in the database up to ``delay_s`` (plus the time to get the write lock) after the
request was answered. A clean stop (SIGTERM/SIGINT: the app's shutdown, ``Store.close()``) writes what is
queued; a ``kill -9`` or power cut loses the rows of at most the last ``delay_s`` (docs/security.md).
Reading the log (``Store.access_log``, an export) flushes first, so it sees every row logged before.
A failed write keeps the rows queued and tries again a second later. While writing has failed for more
than ``stuck_s`` (a full disk, a read-only file), ``healthy()`` is False and the server refuses
authenticated requests (``routes/deps.py``): no access is served that the log cannot hold.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

Row = tuple[Any, ...]


class AccessLogBuffer:
    def __init__(self, write: Callable[[list[Row]], None], delay_s: float = 0.05,
                 after_flush: Callable[[], None] | None = None, stuck_s: float = 5.0) -> None:
        self._write = write
        self.stuck_s = stuck_s
        self._failing_since: float | None = None  # monotonic time of the first failed write in a row
        self._after_flush = after_flush  # housekeeping the flusher thread does off the requests' path
        self.delay_s = delay_s
        self._rows: list[Row] = []
        self._lock = threading.Lock()  # guards _rows and _thread
        self._flushing = threading.Lock()  # one flush at a time: rows reach the table in the order logged
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def add(self, row: Row) -> None:
        with self._lock:
            self._rows.append(row)
            if self._thread is None and not self._stop.is_set():
                self._thread = threading.Thread(target=self._run, name="access-log", daemon=True)
                self._thread.start()
        self._wake.set()

    def pending(self) -> int:
        with self._lock:
            return len(self._rows)

    def flush(self) -> None:
        """Write every queued row now (in one transaction); on failure they stay queued and it raises."""
        with self._flushing:
            with self._lock:
                rows, self._rows = self._rows, []
            if not rows:
                return
            try:
                self._write(rows)
            except BaseException:
                with self._lock:
                    self._rows[:0] = rows
                if self._failing_since is None:
                    self._failing_since = time.monotonic()
                raise
            self._failing_since = None

    def healthy(self) -> bool:
        """False while writing rows has failed for more than ``stuck_s``."""
        since = self._failing_since
        return since is None or time.monotonic() - since <= self.stuck_s

    def close(self) -> None:
        """Stop the flusher thread and write what is queued."""
        self._stop.set()
        self._wake.set()
        with self._lock:
            thread, self._thread = self._thread, None
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=30)
        self.flush()

    def _run(self) -> None:
        while True:
            self._wake.wait()
            if self._stop.wait(self.delay_s):  # gather the rows of concurrent requests
                return
            self._wake.clear()
            try:
                self.flush()
                if self._after_flush is not None:
                    self._after_flush()
            except Exception:  # noqa: BLE001 - the rows stay queued; try again in a while
                if self._stop.wait(1.0):
                    return
                self._wake.set()
