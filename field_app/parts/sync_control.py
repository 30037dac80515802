"""Sync control: the one place that starts, stops and asks the background sync of a device, and that
tells the views what sync is doing (:meth:`SyncControl.status`). Delivery by signature (no keys, no
login) is here too. The engine itself is :mod:`field_app.sync.engine`; it sees only the device core."""

from __future__ import annotations

import logging
import threading
from typing import Any

import httpx

from ..core.device import Device
from ..core.snapshots import damaged_positions
from ..core.states import SyncState
from ..crypto.canonical import b64d
from ..sync import holds, waiting
from ..sync.client import ServerError, SyncClient, Unreachable
from ..sync.engine import SyncEngine, deliver_signed
from ..sync.mend import MENDED, MENDED_AT, UNSENT_LOST, UNSENT_LOST_AT
from ..views_model import SyncStatus

__all__ = ["SyncControl", "LOCKED_DELIVERY_S"]

log = logging.getLogger("veldwerk.sync")

LOCKED_DELIVERY_S = 3.0  # while locked: how often to look for sealed work to deliver by signature


class SyncControl:
    def __init__(self, device: Device, *, transport: httpx.BaseTransport | None = None, autosync: bool = True):
        self.device = device
        self.transport = transport
        self.autosync = autosync
        self.engine: SyncEngine | None = None
        self._locked_stop: threading.Event | None = None
        device.on_stop(self.stop)
        device.on_stop(self.stop_locked_delivery)
        device.set_nudge(self.nudge)

    def client(self, server_url: str) -> SyncClient:
        """A client for ``server_url`` (enrolment, delivery); close it after use."""
        return SyncClient(server_url, transport=self.transport)

    # -- engine life cycle ----------------------------------------------------------------------------
    def start(self) -> None:
        """After an unlock: an engine for this device, running in the background when autosync is on."""
        self.stop_locked_delivery()  # the engine pushes from now on (a delivery under way ends by itself)
        self.engine = SyncEngine(self.device, SyncClient(self.device.profile["server_url"],
                                                         transport=self.transport))
        if self.autosync:
            self.engine.start()

    def stop(self) -> None:
        engine, self.engine = self.engine, None
        if engine is not None:
            engine.stop()
            engine.client.close()

    def nudge(self) -> None:
        """Ask the background sync to run now (never blocks)."""
        if self.engine is not None:
            self.engine.nudge()

    def sync_once(self) -> None:
        """One full sync round in the calling thread (command line, tests). Raises on failure."""
        self.device.require_unlocked()
        try:
            self.engine.run_once()
        except Unreachable:
            self.device.set_sync_state(SyncState.OFFLINE)
            raise
        except ServerError as exc:  # as the background rounds say it: the sync sheet shows the code
            self.device.set_sync_state(SyncState.ERROR, code=exc.code)
            raise

    # -- what the views show --------------------------------------------------------------------------
    def status(self) -> SyncStatus:
        """``state`` is a :class:`SyncState`. On a security stop it is ERROR, ``message`` the code
        ("rollback", "fork", "gap", ...) and ``extra["uitleg"]`` a Dutch sentence. ``extra`` also has
        ``busy``, ``progress`` (a long round's ``{received, sent, to_send}``; ``state`` is then BUSY),
        ``ignored_ops`` (operations from a role that may not write them), ``held`` (devices whose envelopes
        wait because the server served their chain broken: ``[{device, user, reason}]``), ``waiting``
        (received envelopes that wait or were refused, counted and listed: :func:`field_app.sync.waiting.summary`),
        ``lease_days_left`` (from day 10 offline) and ``lease_expired``."""
        dev = self.device
        if dev.erased:
            return SyncStatus(state=SyncState.ERASED, pending=0, last_sync_at=dev.last_sync_at)
        store = dev.store
        extra: dict[str, Any] = {"busy": bool(self.engine and self.engine.busy),
                                 "ignored_ops": store.state_number("ignored_ops")}
        state, message = dev.sync_state
        alert = dev.alert_state()
        if store.get_meta("keys_destroyed"):
            state = SyncState.KEYS_DESTROYED
        elif alert is not None:
            state, message = SyncState.ERROR, alert["code"]
            extra["uitleg"] = alert["uitleg"]
        elif store.get_state("revoked"):
            state, message = SyncState.REVOKED, store.get_state("revoked")
        elif dev.unlocked and state in (SyncState.ONLINE, SyncState.AWAITING_CONFIRMATION) and not dev.can_seal():
            state = dev.waiting_state()
        progress = self.engine.progress_shown() if self.engine is not None else None
        if progress is not None:  # a long round moving many envelopes: say how far it is
            extra["progress"] = progress
            if alert is None and state in (SyncState.ONLINE, SyncState.OFFLINE, SyncState.ERROR):
                state = SyncState.BUSY
        held = holds.held(store)
        names = dev.projection.member_names() if dev.unlocked else {}
        if held:
            extra["held"] = [{"device": d, "user": names.get(d), "reason": r} for d, r in sorted(held.items())]
        extra["waiting"] = waiting.summary(store, names)  # what waits or was refused, listed (#11)
        damaged = len(damaged_positions(store))
        if damaged:
            extra["damaged_ops"] = damaged
        def this_week(key: str) -> int:
            """The moment in state row ``key`` if it lies within the last week, else 0."""
            at = store.state_number(key)
            return at if at and dev.clock() - at < 7 * 24 * 3600_000 else 0

        if this_week(MENDED_AT):  # lost or damaged rows fetched again
            extra["mended_ops"] = store.state_number(MENDED)
        if this_week(UNSENT_LOST_AT):  # unsent work that could not be restored (taken out of the outbox)
            extra["unsent_lost"] = store.state_number(UNSENT_LOST)
        recovered = this_week("recovered_at")
        if recovered:
            extra["recovered_at"] = recovered
        if dev.unlocked:
            extra.update(dev.lease_info())
        extra["pending_log"] = store.outbox_count() - store.outbox_count(work_only=True)  # access-log entries
        return SyncStatus(state=state, pending=store.outbox_count(work_only=True), last_sync_at=dev.last_sync_at,
                          message=message, pending_key=store.pending_count(), extra=extra)

    def unsynced_count(self) -> int:
        """The user's own work not yet delivered to the server; readable while locked. Access-log entries
        (opening a file, the device's member announcement) travel in the outbox too but are not counted."""
        return 0 if self.device.erased else self.device.store.outbox_count(work_only=True)

    def security_alert(self) -> dict | None:
        """The security stop in force: ``{code, uitleg, at}``, or None."""
        return self.device.alert_state()

    def clear_security_alert(self) -> None:
        """Let sync try again after a person has looked at a security stop (the same server behaviour
        stops it again)."""
        self.device.clear_alert()
        self.nudge()

    # -- delivery without keys --------------------------------------------------------------------------
    def deliver_outbox(self) -> dict[str, Any]:
        """Deliver the outbox by signature (``/changes/signed``): no passphrase and no login needed. For a
        device whose keys were destroyed, or an old data directory whose passphrase was forgotten.
        Returns ``{delivered, remaining, error, permanent}``."""
        dev = self.device
        if dev.erased:
            return {"delivered": 0, "remaining": 0, "error": "", "permanent": False}
        store = dev.store
        server_url, team = store.get_meta("server_url"), store.get_meta("team")
        if not server_url or not team:
            return {"delivered": 0, "remaining": store.outbox_count(), "error": "unknown_server",
                    "permanent": True}
        client = self.client(server_url)
        try:
            outcome = deliver_signed(client, store, b64d(team))
        finally:
            client.close()
        if dev.unlocked:
            dev.outbox_changed()
        else:
            dev.notify()
        return outcome

    # -- delivery while locked ------------------------------------------------------------------------
    def start_locked_delivery(self) -> None:
        """While the app runs locked (after a lock, or started and not yet unlocked): keep delivering the
        outbox's already sealed and signed envelopes by signature in the background. Pulling waits for the
        unlock (that needs the keys); work sealed only under the local key waits too. Only with autosync."""
        dev = self.device
        if not self.autosync or dev.erased or dev.unlocked or not dev.enrolled:
            return
        if self._locked_stop is not None:
            return
        stop = self._locked_stop = threading.Event()
        threading.Thread(target=self._locked_loop, args=(stop,), name="veldwerk-deliver-locked",
                         daemon=True).start()

    def stop_locked_delivery(self) -> None:
        stop, self._locked_stop = self._locked_stop, None
        if stop is not None:
            stop.set()

    def _locked_loop(self, stop: threading.Event) -> None:
        delay = 0.0
        while not stop.wait(delay):
            delay = LOCKED_DELIVERY_S
            dev = self.device
            if dev.erased or dev.unlocked:
                return
            try:
                if not dev.store.outbox_ready(1):
                    continue  # nothing sealed to send (or only work that waits for a team key)
                outcome = self.deliver_outbox()
            except Exception as exc:  # keep going; nothing sensitive in the log line
                log.warning("delivery while locked failed: %s", type(exc).__name__)
                continue
            if outcome["permanent"] and outcome["error"] != "not_sealed":
                log.info("delivery while locked refused (%s): waits for the unlock", outcome["error"])
                return  # refused for good (revoked, stale key): the engine sorts it out after the unlock
