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
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from types import MappingProxyType

from ..crypto.canonical import b64d, b64e
from ..crypto.chain import ChainError, DeviceChainTracker
from ..crypto.identity import DeviceIdentity, new_id
from ..crypto.ledger import VerifiedLedger, epoch_commitment, verify_chain
from ..domain.errors import StorageError, ValidationError
from ..domain.hlc import HybridClock, Stamp, now_ms
from ..store import LocalStore
from ..store.frontier import older_bases
from .alerts import alert_code
from .errors import LockedError, NotAllowed
from .listeners import Listeners
from .policy import MEMBER_TYPE, SELF_TYPES, may_write, refusal
from .projection import AuditProjection
from .sealing import Sealer
from .snapshots import GRACE_S, SnapshotKeeper
from .states import SyncState
from .status import DeviceStatus

__all__ = ["Device"]

log = logging.getLogger("veldwerk.device")


class Device(DeviceStatus):
    def __init__(self, data_dir: str | Path, *, clock: Callable[[], int] = now_ms):
        self.data_dir = Path(data_dir)
        self.clock = clock
        self._store = LocalStore(self.data_dir)
        self._listeners = Listeners()
        self._stop_hooks: list[Callable[[], None]] = []
        self._nudge: Callable[[], None] = lambda: None
        self._sealer = Sealer(self)
        self._snap = SnapshotKeeper(lambda: self._store)
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
    def snapshot_loaded(self) -> bool:
        """Whether the last unlock read the sealed projection snapshot (core/snapshots.py)."""
        return self._snap.loaded_from_snapshot

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
        """Load the unlocked state with the local key the vault gave. The key is right (the vault checked
        it), so what does not read now is damaged data: :class:`StorageError` "damaged" (Dutch), and the
        device stays locked, with no key kept. Stored operations that do not open are left out instead
        (``SnapshotKeeper``): one damaged note does not lock a worker out of the others."""
        try:
            self._open(local_key)
        except BaseException as exc:
            self._forget_keys()
            if isinstance(exc, (StorageError, KeyboardInterrupt, SystemExit, MemoryError)):
                raise
            log.warning("unlock: this device's data does not read (%s)", type(exc).__name__)
            raise StorageError("damaged") from exc

    def _open(self, local_key: bytes) -> None:
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
        projection = self._snap.unlock(local_key, now_ms())  # the sealed snapshot and what came after it
        projection.set_unsent(store.outbox_ids())
        projection.set_delivery(store.unsealed_ids(), store.unconfirmed_ids())
        self._projection = projection
        self._state = SyncState.OFFLINE
        self.check_lease()
        self.maybe_snapshot()

    def maybe_snapshot(self) -> None:
        """Write a new sealed projection snapshot in the background when enough was folded since the last."""
        if self.unlocked:
            self._snap.maybe_write(self._projection, self._store.local_key)

    def settle_background(self) -> None:
        """Write a due projection snapshot now and wait for it (tools; see ``SnapshotKeeper.settle``)."""
        if self.unlocked:
            self._snap.maybe_write(self._projection, self._store.local_key)
        self._snap.settle()

    def _forget_keys(self) -> None:
        """The key, the projection and what the snapshot keeper knows of them, out of memory."""
        self._snap.reset()
        self._store.set_local_key(None)
        self._reset()
        self._snap.after_lock()

    def close_keys(self) -> None:
        """Drop every key and the projection from memory (the sync and timers were stopped first); a snapshot
        being written may finish first (core/snapshots.py)."""
        self._snap.stop(GRACE_S)
        self._forget_keys()
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
        self._snap.stop()
        self._store.erase()
        self.erased = True
        self._reset()
        self._state, self._error_code = SyncState.ERASED, ""
        log.warning("device erased on a verified wipe entry")
        self.notify()

    def start_afresh(self) -> None:
        """After the data directory was erased to enrol again: an empty store, locked."""
        self.erased = True  # while the files go, screens asking anything see an erased device
        self._snap.stop()
        self._store.erase()
        self._store = LocalStore(self.data_dir)
        self.erased = False
        self._reset()
        self._state, self._error_code = SyncState.LOCKED, ""

    def close(self) -> None:
        self._store.close()

    # -- writing ----------------------------------------------------------------------------------------
    def write_op(self, type_: str, record_id: str, client_id: str, kind: str, fields: dict,
                 seen: dict | None = None) -> bytes:
        """The one way an operation is written: the role must allow it; stored sealed under the local key
        with its outbox entry (sealed to the team and signed when this device can) in one transaction;
        then shown in the projection. Returns the operation id."""
        self.require_unlocked()
        role = self.role
        if not may_write(role, type_):
            raise ValidationError({"role": "Met jouw rol kun je gegevens alleen lezen, niet vastleggen."})
        if not may_write(role, type_, kind, fields):
            raise NotAllowed(refusal(type_))
        base = self._projection.base_for(record_id, type_, fields) \
            if kind in ("create", "set") and type_ not in SELF_TYPES else None
        for held in (base or {}).values():  # what this device holds (conflicts show): this change orders after it
            self._hlc.observe(Stamp.from_wire(held))
        if base and seen:  # the user edited an older version (a form opened earlier): that is what was seen
            base = older_bases(base, seen)
        op_id = new_id()
        # the operation names its own id (as in its envelope): a stored blob copied over another operation's
        # row then holds another operation than its row's, and is caught where it is read (issue #11)
        op = {"type": type_, "record_id": record_id, "client_id": client_id, "kind": kind, "fields": fields,
              "hlc": self._hlc.now().to_wire(), "author_user": self._profile["user_name"], "op_id": b64e(op_id)}
        if base is not None:
            op["base"] = base
        with self._store.transaction():
            self._store.add_op(op_id, op, origin="local")
            counts = type_ not in SELF_TYPES  # an access-log entry travels without counting as work
            sealed = self.can_seal() and not self._store.outbox_has_waiting()
            if sealed:
                self._store.outbox_add(op_id, envelope=self._sealer.seal(op_id, op), counts=counts)
            else:
                self._store.outbox_add(op_id, waiting_op=op, counts=counts)
        self._projection.apply(op, op_id=op_id, origin="local", received_at=now_ms())
        self._snap.shown(op_id)
        self._projection.add_unsent(op_id, unsealed=not sealed)  # not the whole outbox: the same cost at any size
        self.notify()
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

    # -- sealing (core/sealing.py) ---------------------------------------------------------------------------
    def can_seal(self) -> bool:
        return self._sealer.can_seal()

    def waiting_state(self) -> SyncState:
        return self._sealer.waiting_state()

    def envelope_waiting(self) -> None:
        self._sealer.envelope_waiting()

    def reseal_outbox(self, seq: int, last_hash: bytes) -> None:
        self._sealer.reseal_outbox(seq, last_hash)

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

    def apply_remote(self, applied: list[tuple[bytes, dict] | tuple[bytes, dict, str]]) -> None:
        """Show operations the sync engine verified, opened and stored: ``(op_id, op)``, or with the origin
        they were stored with (a pull stores an own operation whose row was lost as the device's own)."""
        if not applied:
            return
        now = now_ms()
        for op_id, op, *origin in applied:
            self._projection.apply(op, op_id=op_id, origin=origin[0] if origin else "remote", received_at=now)
            self._snap.shown(op_id)
            try:
                self._hlc.observe(Stamp.from_wire(op["hlc"]))
            except (KeyError, ValueError):
                pass
        self.notify()

    def show_restored(self, restored: list[tuple[bytes, dict, str, int | None]]) -> None:
        """Show operations stored again after their rows were lost or damaged (``sync/mend.py``):
        ``(op_id, op, origin, position mended in place or None)``; folding is idempotent, so one the
        projection still held changes nothing."""
        now = now_ms()
        for op_id, op, origin, position in restored:
            self._projection.apply(op, op_id=op_id, origin=origin, received_at=now)
            self._snap.restored(op_id, position)
        self.outbox_changed()

    def own_sealed_op(self, op_id: bytes, envelope: bytes) -> dict | None:
        """The operation as this device sealed it in its own outbox envelope (None if it does not open)."""
        return self._sealer.sealed_op(op_id, envelope)

    def outbox_changed(self) -> None:
        self._projection.set_unsent(self._store.outbox_ids())
        self._projection.set_delivery(self._store.unsealed_ids(), self._store.unconfirmed_ids())
        self.notify()

    def delivered(self, op_ids: list[bytes]) -> None:
        """These left the outbox (the server stored them): :meth:`outbox_changed` for just them."""
        self._projection.discard_unsent(op_ids)
        self.notify()

    def count(self, name: str) -> None:
        """Add one to a clear counter (replays, ignored operations): numbers only."""
        self._store.set_state(name, str(self._store.state_number(name) + 1))

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
    def chain_transaction(self, durable: bool = True) -> Iterator[None]:
        """One store transaction in which the tracker may advance: saved with it on success; on a chain
        error or any failure the tracker goes back to where it was (a chain error raises the alert).
        ``durable``: see :meth:`LocalStore.transaction`."""
        snapshot = self._tracker.to_json()
        try:
            with self._store.transaction(durable=durable):
                yield
                self.save_tracker()
        except ChainError as exc:
            self._tracker = DeviceChainTracker.from_json(snapshot)
            self.raise_alert(alert_code(exc.kind), str(exc))
        except BaseException:
            self._tracker = DeviceChainTracker.from_json(snapshot)
            raise

    # -- notifications --------------------------------------------------------------------------------------
    def subscribe(self, callback: Callable[[], None]) -> Callable[[], None]:
        return self._listeners.add(callback)

    def notify(self) -> None:
        self._listeners.call()
