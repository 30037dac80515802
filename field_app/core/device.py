"""The device core: the one object that owns an unlocked device's state.

A :class:`Device` holds the local store, and — only while unlocked — the device identity, the profile,
the team id, the epoch keys, the verified team ledger, the envelope-chain tracker, the hybrid clock and
the decrypted projection. Everything else (the services' parts, the sync engine) reads that state
through read-only properties and changes it only through the methods here:

- :meth:`write_op` is the only way an operation is written: role check, sealed in the local store
  together with its outbox entry (sealed to the team and signed when it can), then shown;
- :meth:`adopt_ledger`, :meth:`store_epoch_key`, :meth:`apply_remote`, :meth:`reseal_outbox` are what
  sync may change; :meth:`set_sync_state` says what sync is doing; :meth:`raise_alert` stops it;
- :meth:`erase` destroys the keys and every file (a verified wipe, a refused enrolment).
"""

from __future__ import annotations

import hmac
import json
import logging
import math
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from types import MappingProxyType

from ..crypto.canonical import b64d, b64e
from ..crypto.chain import ChainError, DeviceChainTracker
from ..crypto.envelope import seal
from ..crypto.identity import DeviceIdentity, new_id
from ..crypto.ledger import VerifiedLedger, epoch_commitment, verify_chain
from ..crypto.wire import HASH_LEN, envelope_hash
from ..domain.errors import ValidationError
from ..domain.hlc import HybridClock, Stamp, now_ms
from ..store import LocalStore
from .alerts import SecurityAlert, alert_code, uitleg
from .errors import LockedError, NotAllowed
from .policy import MEMBER_TYPE, may_write
from .projection import AuditProjection
from .states import SyncState

__all__ = ["Device", "LEASE_DAYS", "LEASE_WARNING_DAY", "DAY_MS"]

log = logging.getLogger("veldwerk.device")

DAY_MS = 24 * 3600_000
LEASE_DAYS = 14  # without a successful sync the team keys are dropped (they come back with the next sync)
LEASE_WARNING_DAY = 10


class Device:
    def __init__(self, data_dir: str | Path, *, clock: Callable[[], int] = now_ms):
        self.data_dir = Path(data_dir)
        self.clock = clock
        self._store = LocalStore(self.data_dir)
        self._listeners: list[Callable[[], None]] = []
        self._listeners_lock = threading.Lock()
        self._stop_hooks: list[Callable[[], None]] = []
        self._nudge: Callable[[], None] = lambda: None
        self._state, self._error_code = SyncState.LOCKED, ""
        self.last_sync_at: int | None = None
        self.erased = False
        self._reset()

    def _reset(self) -> None:
        self._identity: DeviceIdentity | None = None
        self._profile: dict = {}
        self._team = b""
        self._epoch_keys: dict[int, bytes] = {}
        self._ledger: VerifiedLedger | None = None
        self._projection = AuditProjection()
        self._tracker = DeviceChainTracker()
        self._hlc: HybridClock | None = None

    # -- read-only state ------------------------------------------------------------------------------
    @property
    def store(self) -> LocalStore:
        return self._store

    @property
    def unlocked(self) -> bool:
        return self._identity is not None

    @property
    def enrolled(self) -> bool:
        """True when the data directory belongs to a device (also after its keys were destroyed)."""
        if self.erased:
            return False
        return self._store.get_meta("vault") is not None or self._store.get_meta("keys_destroyed") is not None

    def require_unlocked(self) -> None:
        if not self.unlocked:
            raise LockedError("Het toestel is vergrendeld.")

    @property
    def identity(self) -> DeviceIdentity:
        self.require_unlocked()
        return self._identity

    @property
    def team(self) -> bytes:
        return self._team

    @property
    def profile(self) -> Mapping:
        return MappingProxyType(self._profile)

    @property
    def ledger(self) -> VerifiedLedger | None:
        return self._ledger

    @property
    def epoch_keys(self) -> Mapping[int, bytes]:
        return MappingProxyType(self._epoch_keys)

    @property
    def projection(self) -> AuditProjection:
        return self._projection

    @property
    def tracker(self) -> DeviceChainTracker:
        return self._tracker

    @property
    def user_name(self) -> str:
        self.require_unlocked()
        return self._profile["user_name"]

    @property
    def device_id(self) -> str:
        self.require_unlocked()
        return self._profile["device"]

    @property
    def role(self) -> str:
        """This device's role from the verified team ledger (before confirmation: the invitation's)."""
        self.require_unlocked()
        info = self._ledger.devices.get(self._identity.device_id) if self._ledger else None
        return info.role if info is not None else self._profile["role"]

    def is_member(self) -> bool:
        return self._ledger is not None and self._identity.device_id in self._ledger.active_devices()

    def has_beheer(self) -> bool:
        return bool(self._ledger and self._ledger.has_beheer(self._identity.device_id))

    # -- unlocking and locking ------------------------------------------------------------------------
    def open(self, local_key: bytes) -> None:
        """Load the unlocked state with the local key the vault gave."""
        store = self._store
        store.set_local_key(local_key)
        self._identity = DeviceIdentity.from_bytes(b64d(store.get_secret("identity")))
        self._profile = store.get_secret("profile")
        self._team = b64d(self._profile["team"])
        if store.get_meta("server_url") is None:  # a data directory from before delivery-only sync
            store.set_meta("server_url", self._profile["server_url"])
            store.set_meta("team", self._profile["team"])
        if store.get_state("member_announced"):  # kept in clear before: now sealed (whose name it is)
            store.put_secret("member_announced", store.get_state("member_announced"))
            store.set_state("member_announced", "")
        for name in store.secret_names("epoch:"):
            self._epoch_keys[int(name.split(":", 1)[1])] = b64d(store.get_secret(name))
        entries = store.ledger_entries()
        self._ledger = verify_chain(entries, self._team) if entries else None
        self._load_tracker()
        self._hlc = HybridClock(self._profile["device"])
        projection = AuditProjection()
        now = now_ms()
        for op_id, origin, _seq, op in store.iter_ops():
            projection.apply(op, op_id=op_id, origin=origin, received_at=now)
        projection.set_unsent(store.outbox_ids())
        self._projection = projection
        self._state = SyncState.OFFLINE
        self.check_lease()

    def close_keys(self) -> None:
        """Drop every key and the projection from memory (the sync and timers were stopped first)."""
        self._store.set_local_key(None)
        self._reset()
        self._state, self._error_code = SyncState.LOCKED, ""
        self.notify()

    def on_stop(self, hook: Callable[[], None]) -> None:
        """Called (sync engine, timers) before the device erases itself."""
        self._stop_hooks.append(hook)

    def set_nudge(self, nudge: Callable[[], None]) -> None:
        """What to call after a write so the sync delivers it soon."""
        self._nudge = nudge

    def erase(self) -> None:
        """Erase this device: wrapped keys destroyed first (committed), then every file of the data
        directory deleted. Only for a verified wipe entry (or a refused enrolment)."""
        for hook in self._stop_hooks:
            hook()
        self._store.erase()
        self.erased = True
        self._reset()
        self._state, self._error_code = SyncState.ERASED, ""
        log.warning("device erased on a verified wipe entry")
        self.notify()

    def start_afresh(self) -> None:
        """After the data directory was erased to enrol again: an empty store, locked."""
        self.erased = True  # while the files go, screens asking anything see an erased device
        self._store.erase()
        self._store = LocalStore(self.data_dir)
        self.erased = False
        self._reset()
        self._state, self._error_code = SyncState.LOCKED, ""

    def close(self) -> None:
        self._store.close()

    # -- writing ----------------------------------------------------------------------------------------
    def write_op(self, type_: str, record_id: str, client_id: str, kind: str, fields: dict) -> bytes:
        """The one way an operation is written: the role must allow it; stored sealed under the local key
        with its outbox entry (sealed to the team and signed when this device can) in one transaction;
        then shown in the projection. Returns the operation id."""
        self.require_unlocked()
        role = self.role
        if not may_write(role, type_):
            raise ValidationError({"role": "Met jouw rol kun je gegevens alleen lezen, niet vastleggen."})
        if not may_write(role, type_, kind, fields):
            raise NotAllowed("Toewijzen en vervanging regelt je werkbegeleider of regisseur; met jouw rol kan dat "
                             "niet.")
        op = {"type": type_, "record_id": record_id, "client_id": client_id, "kind": kind, "fields": fields,
              "hlc": self._hlc.now().to_wire(), "author_user": self._profile["user_name"]}
        op_id = new_id()
        with self._store.transaction():
            self._store.add_op(op_id, op, origin="local")
            if self.can_seal() and not self._store.outbox_has_waiting():
                self._store.outbox_add(op_id, envelope=self._seal(op_id, op))
            else:
                self._store.outbox_add(op_id, waiting_op=op)
        self._projection.apply(op, op_id=op_id, origin="local", received_at=now_ms())
        self.outbox_changed()
        self._nudge()
        return op_id

    def announce_member(self) -> None:
        """Once this device can seal for the team (and again if its user name changes): a sealed ``member``
        operation {device, name, at}, so the team's devices and access logs can show whose device it is.
        What was announced is kept sealed (never in clear)."""
        if not self.can_seal():
            return
        name = self._profile["user_name"]
        if self._store.get_secret("member_announced") == name:
            return
        fields = {"device": self.device_id, "name": name, "at": self.clock()}
        self.write_op(MEMBER_TYPE, b64e(new_id()), "", "create", fields)
        self._store.put_secret("member_announced", name)

    # -- sealing ---------------------------------------------------------------------------------------
    def waiting_state(self) -> SyncState:
        """Why this device cannot seal: a removal waits for the team key's rotation, or it is not (yet)
        a confirmed member with the current key."""
        if self.is_member() and self._ledger.rotation_due():
            return SyncState.AWAITING_TEAM_KEY
        return SyncState.AWAITING_CONFIRMATION

    def can_seal(self) -> bool:
        """A member with the current key, and no removed device still holding that key (after a revocation
        work waits, sealed locally, until a coordinator's device has renewed the team key)."""
        return (self.is_member() and self._ledger.current_epoch in self._epoch_keys
                and not self._ledger.rotation_due())

    def _seal(self, op_id: bytes, op: dict) -> bytes:
        """Seal to the team's current key and advance this device's chain. Call inside a transaction."""
        seq = int(self._store.get_state("device_seq", "0")) + 1
        prev = self._store.get_state("prev_hash")
        epoch = self._ledger.current_epoch
        envelope = seal(op, team=self._team, epoch=epoch, epoch_key=self._epoch_keys[epoch],
                        identity=self._identity, op_id=op_id, device_seq=seq,
                        prev_hash=b64d(prev) if prev else bytes(HASH_LEN), ledger_head=self._ledger.head_hash)
        self._store.set_state("device_seq", str(seq))
        self._store.set_state("prev_hash", b64e(envelope_hash(envelope)))
        return envelope

    def envelope_waiting(self) -> None:
        """Seal, in order, the work that waited for a team key (now that there is one)."""
        if not self.can_seal() or not self._store.outbox_has_waiting():
            return
        with self._store.transaction():
            for op_id, op in self._store.outbox_waiting():
                self._store.outbox_set_envelope(op_id, self._seal(op_id, op))

    def reseal_outbox(self, seq: int, last_hash: bytes) -> None:
        """Seal the whole outbox again, in order, on top of this device's chain as the server holds it
        (``seq``, ``last_hash``). Without the current key the work waits again."""
        with self._store.transaction():
            self._store.set_state("device_seq", str(seq))
            self._store.set_state("prev_hash", b64e(last_hash))
            for op_id, _envelope in self._store.outbox_all():
                op = self._store.get_op(op_id)
                if op is None:
                    continue
                if self.can_seal():
                    self._store.outbox_set_envelope(op_id, self._seal(op_id, op))
                else:
                    self._store.outbox_set_waiting(op_id, op)

    # -- what sync may change ------------------------------------------------------------------------------
    def adopt_ledger(self, verified: VerifiedLedger, new_entries: list[dict]) -> None:
        """A ledger the sync engine verified on top of the pinned one, with the entries it adds."""
        if new_entries:
            known = self._store.ledger_entries() if self._ledger is not None else []
            self._store.ledger_replace(known + new_entries)
        self._ledger = verified
        self.adopt_rotated_key()

    def store_epoch_key(self, epoch: int, key: bytes) -> None:
        self._store.put_secret(f"epoch:{epoch}", b64e(key))
        self._epoch_keys[epoch] = key

    def adopt_rotated_key(self) -> None:
        """A key this device made for a rotation becomes its epoch key once the verified ledger commits to
        it; if another rotation won, it is dropped."""
        if not self.unlocked or not self._store.secret_names("epoch-next"):
            return
        pending = self._store.get_secret("epoch-next")
        epoch, key = pending["epoch"], b64d(pending["key"])
        commit = self._ledger.epochs.get(epoch) if self._ledger else None
        if commit is not None and hmac.compare_digest(commit, epoch_commitment(self._team, epoch, key)):
            self.store_epoch_key(epoch, key)
            self._store.delete_secrets("epoch-next")
        elif self._ledger is not None and self._ledger.current_epoch >= epoch:
            self._store.delete_secrets("epoch-next")

    def apply_remote(self, applied: list[tuple[bytes, dict]]) -> None:
        """Show operations the sync engine verified, opened and stored."""
        if not applied:
            return
        now = now_ms()
        for op_id, op in applied:
            self._projection.apply(op, op_id=op_id, origin="remote", received_at=now)
            try:
                self._hlc.observe(Stamp.from_wire(op["hlc"]))
            except (KeyError, ValueError):
                pass
        self.notify()

    def outbox_changed(self) -> None:
        self._projection.set_unsent(self._store.outbox_ids())
        self.notify()

    def count(self, name: str) -> None:
        """Add one to a clear counter (replays, ignored operations): numbers only."""
        self._store.set_state(name, str(int(self._store.get_state(name, "0") or 0) + 1))

    # -- the envelope-chain tracker ---------------------------------------------------------------------
    def _load_tracker(self) -> None:
        raw = self._store.get_state("chain")
        if raw:
            self._tracker = DeviceChainTracker.from_json(json.loads(raw))
            return
        # a data directory from before chain checks: read the team's changes again from the start
        self._tracker = DeviceChainTracker()
        with self._store.transaction():
            self._store.set_state("cursor", "0")
            self.save_tracker()

    def save_tracker(self) -> None:
        self._store.set_state("chain", json.dumps(self._tracker.to_json()))

    @contextmanager
    def chain_transaction(self) -> Iterator[None]:
        """One store transaction in which the tracker may advance: saved with it on success; on a chain
        error or any failure the tracker goes back to where it was (a chain error raises the alert)."""
        snapshot = self._tracker.to_json()
        try:
            with self._store.transaction():
                yield
                self.save_tracker()
        except ChainError as exc:
            self._tracker = DeviceChainTracker.from_json(snapshot)
            self.raise_alert(alert_code(exc.kind), str(exc))
        except BaseException:
            self._tracker = DeviceChainTracker.from_json(snapshot)
            raise

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
        if now - int(self._store.get_state("lease_from") or 0) > 60_000:
            self._store.set_state("lease_from", str(now))
        self.set_sync_state(SyncState.ONLINE if self.can_seal() else self.waiting_state())
        self.notify()

    # -- security stops ------------------------------------------------------------------------------------
    def raise_alert(self, code: str, detail: str = "") -> None:
        self._store.set_state("alert", json.dumps({"code": code, "at": self.clock()}))
        log.warning("sync stopped for a security reason: %s", code)
        self.set_sync_state(SyncState.ERROR, code=code)
        raise SecurityAlert(code, detail)

    def alert_state(self) -> dict | None:
        raw = None if self.erased else self._store.get_state("alert")
        if not raw:
            return None
        data = json.loads(raw)
        data["uitleg"] = uitleg(data["code"])
        return data

    def check_alert(self) -> None:
        state = self.alert_state()
        if state is not None:
            self.set_sync_state(SyncState.ERROR, code=state["code"])
            raise SecurityAlert(state["code"])

    def clear_alert(self) -> None:
        self.require_unlocked()
        self._store.set_state("alert", "")
        self.set_sync_state(SyncState.OFFLINE)

    # -- offline lease ------------------------------------------------------------------------------------
    def _lease_age(self) -> int:
        now = self.clock()
        return now - int(self._store.get_state("lease_from") or now)

    def lease_info(self) -> dict:
        age = self._lease_age()
        info: dict = {"lease_expired": bool(self._store.get_state("lease_expired"))}
        if age >= LEASE_WARNING_DAY * DAY_MS:
            info["lease_days_left"] = max(0, math.ceil((LEASE_DAYS * DAY_MS - age) / DAY_MS))
        return info

    def check_lease(self) -> None:
        """After 14 days without a successful sync, drop the team keys from the keyring and memory. Only
        when they can come back: this device is in the ledger, so its grants wait on the server."""
        if not self.unlocked or self._lease_age() < LEASE_DAYS * DAY_MS or not self.is_member():
            return
        if self._epoch_keys or self._store.secret_names("epoch:"):
            self._store.delete_secrets("epoch:")
            self._epoch_keys.clear()
            self._store.set_state("lease_expired", "1")
            log.info("offline lease expired: team keys dropped until the next sync")
            self.notify()

    def lease_restored(self) -> None:
        if self._store.get_state("lease_expired"):
            self._store.set_state("lease_expired", "")

    # -- notifications --------------------------------------------------------------------------------------
    def subscribe(self, callback: Callable[[], None]) -> Callable[[], None]:
        with self._listeners_lock:
            self._listeners.append(callback)

        def unsubscribe() -> None:
            with self._listeners_lock:
                if callback in self._listeners:
                    self._listeners.remove(callback)

        return unsubscribe

    def notify(self) -> None:
        with self._listeners_lock:
            listeners = list(self._listeners)
        for callback in listeners:
            try:
                callback()
            except Exception:  # a broken view must not break sync
                log.exception("listener failed")
