"""Who wants to hear that a device changed (the views, through the services); a broken listener never
breaks the sync that calls it."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

__all__ = ["Listeners"]

log = logging.getLogger("veldwerk.device")


class Listeners:
    def __init__(self) -> None:
        self._callbacks: list[Callable[[], None]] = []
        self._lock = threading.Lock()

    def add(self, callback: Callable[[], None]) -> Callable[[], None]:
        """Register ``callback``; returns the function that unregisters it."""
        with self._lock:
            self._callbacks.append(callback)

        def unsubscribe() -> None:
            with self._lock:
                if callback in self._callbacks:
                    self._callbacks.remove(callback)

        return unsubscribe

    def call(self) -> None:
        with self._lock:
            callbacks = list(self._callbacks)
        for callback in callbacks:
            try:
                callback()
            except Exception:  # a broken view must not break sync
                log.exception("listener failed")
