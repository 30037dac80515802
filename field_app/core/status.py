"""What a :class:`~field_app.core.device.Device` says about its own condition: its sync state (and the
round that renews it), its security stops (an alert that halts sync until cleared) and its offline lease
(team keys dropped after 14 days without a sync, see core/lease.py). A mixin of Device, moved out of
core/device.py unchanged; it uses the device's store, clock, keys and listeners."""

from __future__ import annotations

import logging

from ..domain.hlc import now_ms
from . import lease
from .alerts import SecurityAlert, read_alert, record_alert
from .states import SyncState

__all__ = ["DeviceStatus"]

log = logging.getLogger("veldwerk.device")


class DeviceStatus:
    # -- sync state --------------------------------------------------------------------------------------
    @property
    def sync_state(self) -> tuple[SyncState, str]:
        return self._state, self._error_code

    def set_sync_state(self, state: SyncState, code: str = "") -> None:
        changed = (state, code) != (self._state, self._error_code)
        self._state, self._error_code = state, code
        if changed:
            self.notify()

    def after_round(self) -> None:
        """A successful round: renew the offline lease, say online (or why work waits)."""
        self.last_sync_at = now_ms()
        now = self.clock()
        lease.renew(self._store, now)
        self.set_sync_state(SyncState.ONLINE if self.can_seal() else self.waiting_state())
        self.notify()
        self.maybe_snapshot()

    # -- security stops ------------------------------------------------------------------------------------
    def raise_alert(self, code: str, detail: str = "") -> None:
        record_alert(self._store, code, self.clock())
        self.set_sync_state(SyncState.ERROR, code=code)
        raise SecurityAlert(code, detail)

    def alert_state(self) -> dict | None:
        return None if self.erased else read_alert(self._store)

    def check_alert(self) -> None:
        state = self.alert_state()
        if state is not None:
            self.set_sync_state(SyncState.ERROR, code=state["code"])
            raise SecurityAlert(state["code"])

    def clear_alert(self) -> None:
        self.require_unlocked()
        self._store.set_state("alert", "")
        self.set_sync_state(SyncState.OFFLINE)

    # -- offline lease (see core/lease.py) -------------------------------------------------------------------
    def lease_info(self) -> dict:
        return lease.info(self._store, self.clock())

    def check_lease(self) -> None:
        """After 14 days without a successful sync, drop the team keys from the keyring and memory. Only
        when they can come back: this device is in the ledger, so its grants wait on the server."""
        if not self.unlocked or not lease.expired(self._store, self.clock()) or not self.is_member():
            return
        if self._epoch_keys or self._store.secret_names("epoch:"):
            self._store.delete_secrets("epoch:")
            self._epoch_keys.clear()
            self._store.set_state("lease_expired", "1")
            log.info("offline lease expired: team keys dropped until the next sync")
            self.notify()

    def lease_restored(self) -> None:
        lease.restored(self._store)
