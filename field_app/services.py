"""The application API of a Veldwerk device. Views, the command line and tests call only this.

A ``Services`` object is one device: its data directory, its keys (only while unlocked), the decrypted
projection the views read, and the background sync. Every write validates with ``domain``, is stored as
one sealed operation together with its outbox entry in one transaction, and then shows in the projection.
"""

from __future__ import annotations

import json
import logging
import os
import threading
from collections.abc import Callable, Sequence
from pathlib import Path

import httpx

from .casework import CaseworkMixin
from .crypto.canonical import b64d, b64e
from .crypto.envelope import seal
from .crypto.identity import DeviceIdentity, fingerprint, new_id
from .crypto.ledger import VerifiedLedger, verify_chain
from .crypto.vault import (
    DEFAULT_SCRYPT,
    ScryptParams,
    WrongPassphrase,
    check_passphrase,
    create_vault,
    open_vault,
)
from .crypto.wire import HASH_LEN, envelope_hash
from .domain.errors import ValidationError
from .domain.hlc import HybridClock, Stamp, now_ms
from .domain.validation import clean_display_name
from .store import LocalStore, Projection
from .sync.client import ServerError, SyncClient, Unreachable, check_server_url
from .sync.engine import SyncEngine
from .views_model import ClientSummary, NoteView, SyncStatus

__all__ = ["Services", "EnrolError", "LockedError", "WrongPassphrase", "ValidationError"]

log = logging.getLogger("veldwerk.services")

ENROL_MESSAGES = {
    "bad_code": "Deze code klopt niet, is al gebruikt of is verlopen. Vraag je coördinator om een nieuwe code.",
    "conflict": "Dit toestel is al ingeschreven.",
}


class EnrolError(RuntimeError):
    """Enrolment did not succeed; ``str()`` is a Dutch sentence for the user."""


class LockedError(RuntimeError):
    """The device is locked: unlock first."""


class Services(CaseworkMixin):
    def __init__(self, data_dir: str | Path, *, scrypt: ScryptParams | None = None,
                 transport: httpx.BaseTransport | None = None, autosync: bool = True):
        self.data_dir = Path(data_dir)
        self._store = LocalStore(self.data_dir)
        self._scrypt = scrypt or DEFAULT_SCRYPT
        self._transport = transport
        self._autosync = autosync
        self._listeners: list[Callable[[], None]] = []
        self._listeners_lock = threading.Lock()
        self._state = "vergrendeld"
        self._error_code = ""
        self._last_sync_at: int | None = None
        self._rules_lock = threading.RLock()
        self._reset_unlocked_state()

    def _reset_unlocked_state(self) -> None:
        self._identity: DeviceIdentity | None = None
        self._profile: dict = {}
        self._team: bytes = b""
        self._epoch_keys: dict[int, bytes] = {}
        self._ledger: VerifiedLedger | None = None
        self._projection = Projection()
        self._hlc: HybridClock | None = None
        self._engine: SyncEngine | None = None

    # -- enrolment, unlock, lock -------------------------------------------------------------------------
    @classmethod
    def enrol(cls, data_dir: str | Path, *, server_url: str, code: str, passphrase: str, user_name: str,
              scrypt: ScryptParams | None = None, transport: httpx.BaseTransport | None = None,
              autosync: bool = True) -> Services:
        """Register this device with the team's server using a one-time code; returns it unlocked."""
        check_passphrase(passphrase)
        server_url = check_server_url(server_url)
        try:
            user_name = clean_display_name(user_name)
        except ValidationError:
            raise EnrolError("Vul je naam in.") from None
        svc = cls(data_dir, scrypt=scrypt, transport=transport, autosync=autosync)
        if svc.enrolled:
            svc.close()
            raise EnrolError(ENROL_MESSAGES["conflict"])
        identity = DeviceIdentity.generate()
        client = SyncClient(server_url, transport=transport)
        try:
            answer = client.enrol(code.strip().upper(), identity)
        except ServerError as exc:
            svc.close()
            raise EnrolError(ENROL_MESSAGES.get(exc.code, "De server weigerde de inschrijving.")) from None
        except Unreachable:
            svc.close()
            raise EnrolError("De server is niet bereikbaar. Probeer het opnieuw als er verbinding is.") from None
        finally:
            client.close()
        record, local_key = create_vault(passphrase, svc._scrypt)
        svc._store.set_local_key(local_key)
        profile = {"team": answer["team"], "device": b64e(identity.device_id), "server_url": server_url,
                   "user_name": user_name, "role": answer["role"], "first": bool(answer["first"])}
        with svc._store.transaction():
            svc._store.put_secret("identity", b64e(identity.to_bytes()))
            svc._store.put_secret("profile", profile)
            if profile["first"]:  # the team's first device creates the first team key
                svc._store.put_secret("epoch:1", b64e(os.urandom(32)))
            svc._store.set_meta("vault", json.dumps(record))  # last: an interrupted enrolment leaves no vault
        svc._load_unlocked()
        return svc

    @property
    def enrolled(self) -> bool:
        return self._store.get_meta("vault") is not None

    @property
    def unlocked(self) -> bool:
        return self._identity is not None

    def unlock(self, passphrase: str) -> None:
        """Open the vault; raises WrongPassphrase (Dutch message) and changes nothing on failure."""
        raw = self._store.get_meta("vault")
        if raw is None:
            raise LockedError("Dit toestel is nog niet ingeschreven.")
        if self.unlocked:
            return
        local_key = open_vault(json.loads(raw), passphrase)
        self._store.set_local_key(local_key)
        self._load_unlocked()

    def _load_unlocked(self) -> None:
        store = self._store
        self._identity = DeviceIdentity.from_bytes(b64d(store.get_secret("identity")))
        self._profile = store.get_secret("profile")
        self._team = b64d(self._profile["team"])
        for name in store.secret_names("epoch:"):
            self._epoch_keys[int(name.split(":", 1)[1])] = b64d(store.get_secret(name))
        entries = store.ledger_entries()
        self._ledger = verify_chain(entries, self._team) if entries else None
        self._hlc = HybridClock(self._profile["device"])
        projection = Projection()
        now = now_ms()
        for op_id, origin, _seq, op in store.iter_ops():
            projection.apply(op, op_id=op_id, origin=origin, received_at=now)
        projection.set_unsent(store.outbox_ids())
        self._projection = projection
        self._state = "offline"
        self._engine = SyncEngine(self, SyncClient(self._profile["server_url"], transport=self._transport))
        if self._autosync:
            self._engine.start()
            self._start_rules_timer()
        self._notify()

    def lock(self) -> None:
        """Stop syncing and drop every key and the projection from memory."""
        self._stop_rules_timer()
        engine = self._engine
        if engine is not None:
            engine.stop()
            engine.client.close()
        self._store.set_local_key(None)
        self._reset_unlocked_state()
        self._state = "vergrendeld"
        self._notify()

    def close(self) -> None:
        self.lock()
        self._store.close()

    def _require_unlocked(self) -> None:
        if not self.unlocked:
            raise LockedError("Het toestel is vergrendeld.")

    # -- who am I ----------------------------------------------------------------------------------------
    @property
    def user_name(self) -> str:
        self._require_unlocked()
        return self._profile["user_name"]

    @property
    def role(self) -> str:
        self._require_unlocked()
        return self._profile["role"]

    @property
    def device_id(self) -> str:
        self._require_unlocked()
        return self._profile["device"]

    def fingerprint(self) -> list[str]:
        self._require_unlocked()
        i = self._identity
        return fingerprint(self._team, i.ed25519_pub, i.x25519_pub)

    # -- reads ---------------------------------------------------------------------------------------------
    def caseload(self) -> list[ClientSummary]:
        self._require_unlocked()
        return self._projection.caseload()

    def client(self, client_id: str) -> ClientSummary:
        self._require_unlocked()
        return self._projection.client(client_id)

    def timeline(self, client_id: str) -> list[NoteView]:
        self._require_unlocked()
        return self._projection.timeline(client_id)

    def unsynced_count(self) -> int:
        """Operations not yet delivered to the server; readable while locked."""
        return self._store.outbox_count()

    # -- writes --------------------------------------------------------------------------------------------
    def add_client(self, display_name: str, *, fictional: bool = False) -> str:
        """A new client in the caseload, assigned to the current user."""
        return self.intake(display_name, fictional=fictional)

    def record_contact(self, client_id: str, *, contact_type: str, outcome: str, report: str,
                       occurred_at: int | None = None, risks: Sequence[tuple[str, str]] = ()) -> str:
        """Record a contact note (append-only). Local and instant; sync delivers it later."""
        risks = [{"domain": d, "severity": sev} for d, sev in risks] if risks else []
        fields = {"contact_type": contact_type, "outcome": outcome, "report": report, "risks": risks}
        if occurred_at is not None:
            fields["occurred_at"] = occurred_at
        return self.create_record("contact", client_id, fields)

    def _write_op(self, type_: str, record_id: str, client_id: str, kind: str, fields: dict) -> None:
        op = {"type": type_, "record_id": record_id, "client_id": client_id, "kind": kind, "fields": fields,
              "hlc": self._hlc.now().to_wire(), "author_user": self._profile["user_name"]}
        op_id = new_id()
        with self._store.transaction():
            self._store.add_op(op_id, op, origin="local")
            if self._can_seal() and not self._store.outbox_has_waiting():
                self._store.outbox_add(op_id, envelope=self._seal(op_id, op))
            else:
                self._store.outbox_add(op_id, waiting_op=op)
        self._projection.apply(op, op_id=op_id, origin="local", received_at=now_ms())
        self._outbox_changed()
        if self._engine is not None:
            self._engine.nudge()

    # -- sealing (used by writes and by the sync engine) -------------------------------------------------
    def _can_seal(self) -> bool:
        return (self._ledger is not None and self._identity.device_id in self._ledger.devices
                and self._ledger.current_epoch in self._epoch_keys)

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

    def _envelope_waiting(self) -> None:
        if not self._can_seal() or not self._store.outbox_has_waiting():
            return
        with self._store.transaction():
            for op_id, op in self._store.outbox_waiting():
                self._store.outbox_set_envelope(op_id, self._seal(op_id, op))

    def _has_beheer(self) -> bool:
        info = self._ledger.devices.get(self._identity.device_id) if self._ledger else None
        return bool(info and info.beheer)

    def _store_epoch_key(self, epoch: int, key: bytes) -> None:
        self._store.put_secret(f"epoch:{epoch}", b64e(key))
        self._epoch_keys[epoch] = key

    # -- sync ------------------------------------------------------------------------------------------------
    def sync_now(self) -> None:
        """Ask the background sync to run now (never blocks)."""
        if self._engine is not None:
            self._engine.nudge()

    def sync_once(self) -> None:
        """One full sync round in the calling thread (command line, tests). Raises on failure."""
        self._require_unlocked()
        try:
            self._engine.run_once()
        except Unreachable:
            self._set_sync_state("offline")
            raise

    def sync_status(self) -> SyncStatus:
        state = self._state
        if self.unlocked and state == "online" and not self._can_seal():
            state = "wacht_op_bevestiging"
        busy = bool(self._engine and self._engine.busy)
        return SyncStatus(state=state, pending=self._store.outbox_count(), last_sync_at=self._last_sync_at,
                          message=self._error_code, pending_key=self._store.pending_count(),
                          extra={"busy": busy})

    def _set_sync_state(self, state: str, code: str = "") -> None:
        changed = (state, code) != (self._state, self._error_code)
        self._state, self._error_code = state, code
        if changed:
            self._notify()

    def _after_round(self) -> None:
        self._last_sync_at = now_ms()
        self._set_sync_state("online" if self._can_seal() else "wacht_op_bevestiging")
        self._notify()

    def _apply_remote(self, applied: list[tuple[bytes, dict]]) -> None:
        if not applied:
            return
        now = now_ms()
        for op_id, op in applied:
            self._projection.apply(op, op_id=op_id, origin="remote", received_at=now)
            try:
                self._hlc.observe(Stamp.from_wire(op["hlc"]))
            except (KeyError, ValueError):
                pass
        self._notify()

    def _outbox_changed(self) -> None:
        self._projection.set_unsent(self._store.outbox_ids())
        self._notify()

    # -- drafts --------------------------------------------------------------------------------------------
    def save_draft(self, slot: str, data: dict) -> None:
        self._require_unlocked()
        self._store.draft_put(slot, data)

    def load_draft(self, slot: str) -> dict | None:
        self._require_unlocked()
        return self._store.draft_get(slot)

    def clear_draft(self, slot: str) -> None:
        self._require_unlocked()
        self._store.draft_delete(slot)

    # -- notifications -------------------------------------------------------------------------------------
    def subscribe(self, callback: Callable[[], None]) -> Callable[[], None]:
        with self._listeners_lock:
            self._listeners.append(callback)

        def unsubscribe() -> None:
            with self._listeners_lock:
                if callback in self._listeners:
                    self._listeners.remove(callback)

        return unsubscribe

    def _notify(self) -> None:
        with self._listeners_lock:
            listeners = list(self._listeners)
        for callback in listeners:
            try:
                callback()
            except Exception:  # a broken view must not break sync
                log.exception("listener failed")
