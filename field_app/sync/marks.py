"""Marking pushed envelopes as delivered while the next batch travels.

After each push batch the server's answer (op id -> seq) is written to the store: the entries leave the
outbox into ``kept`` with their seqs (``BulkStore.outbox_delivered``). That write is disk work (hundreds
of pages on a busy disk: 5 to 50 ms a batch on the shared development machine) that the next request
need not wait for. The engine
reads its next batch after the last one sent (by outbox position, so an entry still being marked is not
sent twice) and :class:`DeliveryMarks` writes the previous batch's marks in a thread of its own meanwhile.
Before anything else reads or changes the outbox (a re-seal after ``stale_epoch``, the end of the push)
the engine waits for the marks (:meth:`wait`); an error writing them is raised there."""

from __future__ import annotations

import threading

from .port import DevicePort

__all__ = ["DeliveryMarks"]


class DeliveryMarks:
    def __init__(self, device: DevicePort):
        self.device = device
        self._thread: threading.Thread | None = None
        self._error: BaseException | None = None

    def add(self, delivered: list[tuple[bytes, int]]) -> None:
        """Write these ``(op_id, seq)`` marks in the background (after the previous ones)."""
        self.wait()
        if not delivered:
            return

        def run() -> None:
            try:
                self.device.store.outbox_delivered(delivered)  # one transaction for the batch
                self.device.delivered([op_id for op_id, _seq in delivered])  # not the whole outbox again
            except BaseException as exc:  # noqa: BLE001 - raised in wait()
                self._error = exc

        self._thread = threading.Thread(target=run, name="veldwerk-push-marks", daemon=True)
        self._thread.start()

    def wait(self) -> None:
        if self._thread is not None:
            self._thread.join()
            self._thread = None
        error, self._error = self._error, None
        if error is not None:
            raise error
