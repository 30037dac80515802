"""One unlocked browser session at a time, and locking after inactivity.

In web mode the Python process is the device and each browser tab is a Flet session. The guard is shared
by all sessions of one process: the session that unlocks last owns the unlocked device; the one before is
told to lock its screen (it saves a half-typed form as a sealed draft first). When the owner is idle for
``idle_timeout`` seconds it is told to lock; if no session owns the device while it is unlocked (a tab
died without telling us), the guard locks the device itself.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Protocol

log = logging.getLogger(__name__)

DEFAULT_IDLE_TIMEOUT = 300.0


class Holder(Protocol):
    """A session that can own the unlocked device (the app shell implements this)."""

    def on_displaced(self) -> None: ...  # another session unlocked: lock this screen now

    def on_idle(self) -> None: ...  # inactive too long: save the draft, lock the device


class LockableServices(Protocol):
    @property
    def unlocked(self) -> bool: ...

    def lock(self) -> None: ...


class SessionGuard:
    def __init__(self, services: LockableServices, idle_timeout: float = DEFAULT_IDLE_TIMEOUT,
                 clock: Callable[[], float] = time.monotonic):
        self.services = services
        self.idle_timeout = float(idle_timeout)
        self._clock = clock
        self._lock = threading.RLock()
        self._owner: Holder | None = None
        self._last_activity = clock()
        self._ownerless_since = clock()
        self.orphan_grace = 10.0  # an unowned unlocked device is locked after this many seconds
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()

    @property
    def owner(self) -> Holder | None:
        return self._owner

    def is_owner(self, holder: Holder) -> bool:
        return self._owner is holder

    def acquire(self, holder: Holder) -> None:
        """Make ``holder`` the owner. The previous owner (another session) locks its screen first."""
        with self._lock:
            previous, self._owner = self._owner, holder
            self._last_activity = self._clock()
        if previous is not None and previous is not holder:
            try:
                previous.on_displaced()
            except Exception:  # a dead session must not keep another one out
                log.exception("displacing the previous session failed")

    def release(self, holder: Holder) -> None:
        with self._lock:
            if self._owner is holder:
                self._owner = None
                self._ownerless_since = self._clock()

    def touch(self, holder: Holder) -> None:
        """The owner did something: restart the inactivity timer."""
        with self._lock:
            if self._owner is holder:
                self._last_activity = self._clock()

    def idle_for(self) -> float:
        return self._clock() - self._last_activity

    def tick(self) -> None:
        """Lock an idle owner; lock an unlocked device that nobody owns. Called every few seconds."""
        with self._lock:
            owner = self._owner
            expired = owner is not None and self.idle_for() >= self.idle_timeout
            if expired:
                self._owner = None
                self._ownerless_since = self._clock()
            orphaned = owner is None and self._clock() - self._ownerless_since >= self.orphan_grace
        if expired:
            try:
                owner.on_idle()
            except Exception:
                log.exception("locking the idle session failed; locking the device directly")
                self.services.lock()
        elif orphaned and self.services.unlocked:
            log.info("locking an unlocked device that no session owns")
            self.services.lock()

    def start(self, interval: float | None = None) -> None:
        """Run :meth:`tick` on a daemon thread until :meth:`stop`."""
        if self._thread is not None:
            return
        period = interval if interval is not None else max(0.5, min(5.0, self.idle_timeout / 10))

        def run() -> None:
            while not self._stop.wait(period):
                try:
                    self.tick()
                except Exception:
                    log.exception("session guard tick failed")

        self._thread = threading.Thread(target=run, name="veldwerk-session-guard", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
