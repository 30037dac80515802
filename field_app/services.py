"""The application API of a Veldwerk device. Views, the command line and tests call only this.

A ``Services`` object is one device: its data directory, its keys (only while unlocked), the decrypted
projection the views read, and the background sync. Every write validates with ``domain``, is stored as
one sealed operation together with its outbox entry in one transaction, and then shows in the projection.
Device life cycle, enrolment with confirmation, roles, revocation, wipe, the unlock lockout, the offline
lease and the access log live in :mod:`field_app.security` (a mixin of this class).
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
from .crypto.chain import DeviceChainTracker
from .crypto.envelope import seal
from .crypto.identity import DeviceIdentity, fingerprint, new_id
from .crypto.invite import InviteError, parse_invite
from .crypto.ledger import VerifiedLedger, verify_chain
from .crypto.vault import (
    DEFAULT_SCRYPT,
    ScryptParams,
    WeakPassphrase,
    WrongPassphrase,
    check_passphrase,
    check_pin,
    create_vault,
)
from .crypto.wire import HASH_LEN, envelope_hash
from .domain.errors import ValidationError
from .domain.hlc import HybridClock, Stamp, now_ms
from .domain.validation import clean_display_name
from .security import (
    AuditProjection,
    KeysDestroyed,
    LockedError,
    NotAllowed,
    PlatformSecretMissing,
    SecurityMixin,
    TooManyAttempts,
)
from .store import LocalStore
from .sync.alerts import SecurityAlert
from .sync.client import ServerError, SyncClient, Unreachable, check_server_url
from .sync.engine import SyncEngine
from .sync.policy import may_write
from .views_model import ClientSummary, NoteView, SyncStatus

__all__ = ["Services", "EnrolError", "LockedError", "WrongPassphrase", "ValidationError", "TooManyAttempts",
           "KeysDestroyed", "NotAllowed", "SecurityAlert", "PlatformSecretMissing", "WeakPassphrase"]

log = logging.getLogger("veldwerk.services")

ENROL_MESSAGES = {
    "bad_code": "Deze code klopt niet, is al gebruikt of is verlopen. Vraag je coördinator om een nieuwe code.",
    "conflict": "Dit toestel is al ingeschreven.",
    "invite": "Deze uitnodiging is niet geldig. Scan of plak de uitnodiging opnieuw.",
    "wrong_team": "De server hoort niet bij het team van de uitnodiging. Deze inschrijving is geweigerd.",
}


class EnrolError(RuntimeError):
    """Enrolment did not succeed; ``str()`` is a Dutch sentence for the user."""


class Services(SecurityMixin, CaseworkMixin):
    def __init__(self, data_dir: str | Path, *, scrypt: ScryptParams | None = None,
                 transport: httpx.BaseTransport | None = None, autosync: bool = True,
                 clock: Callable[[], int] | None = None, platform_secret: bytes = b""):
        """``clock`` (UTC ms; tests) drives the unlock waits and the offline lease. ``platform_secret``
        (>= 16 bytes from a phone's Keystore/Keychain) allows a PIN instead of a passphrase."""
        self.data_dir = Path(data_dir)
        self._platform_secret = bytes(platform_secret)
        self._store = LocalStore(self.data_dir)
        self._scrypt = scrypt or DEFAULT_SCRYPT
        self._transport = transport
        self._autosync = autosync
        self._clock: Callable[[], int] = clock or now_ms
        self._listeners: list[Callable[[], None]] = []
        self._listeners_lock = threading.Lock()
        self._unlock_lock = threading.Lock()
        self._state = "vergrendeld"
        self._error_code = ""
        self._last_sync_at: int | None = None
        self._erased = False
        self._rules_lock = threading.RLock()
        self._reset_unlocked_state()

    def _reset_unlocked_state(self) -> None:
        self._identity: DeviceIdentity | None = None
        self._profile: dict = {}
        self._team: bytes = b""
        self._epoch_keys: dict[int, bytes] = {}
        self._ledger: VerifiedLedger | None = None
        self._projection = AuditProjection()
        self._tracker = DeviceChainTracker()
        self._hlc: HybridClock | None = None
        self._engine: SyncEngine | None = None

    # -- enrolment, unlock, lock -------------------------------------------------------------------------
    @classmethod
    def enrol(cls, data_dir: str | Path, *, server_url: str | None = None, code: str | None = None,
              passphrase: str, user_name: str, invite: str | None = None, scrypt: ScryptParams | None = None,
              transport: httpx.BaseTransport | None = None, autosync: bool = True,
              clock: Callable[[], int] | None = None, platform_secret: bytes = b"") -> Services:
        """Register a new device in ``data_dir``; returns it unlocked and waiting for confirmation.
        See :meth:`register`."""
        svc = cls(data_dir, scrypt=scrypt, transport=transport, autosync=autosync, clock=clock,
                  platform_secret=platform_secret)
        try:
            svc.register(server_url=server_url, code=code, passphrase=passphrase, user_name=user_name,
                         invite=invite, platform_secret=platform_secret)
        except BaseException:
            svc.close()
            raise
        return svc

    def register(self, *, passphrase: str, user_name: str, invite: str | None = None,
                 server_url: str | None = None, code: str | None = None, platform_secret: bytes = b"") -> None:
        """Register this (not yet enrolled) device with the team's server; afterwards it is unlocked and
        waits for a coordinator to confirm it. Raises :class:`EnrolError` (a Dutch sentence) or
        ``WeakPassphrase``; on failure nothing is stored.

        ``invite`` is the invitation text from a coordinator's device (``create_invitation``): it supplies
        the code and (unless ``server_url`` is given) the server, and its team fingerprint is checked
        against the genesis the server shows — a server that shows another team is refused. Without an
        invitation, ``code`` and ``server_url`` are needed (the very first device of a team).

        ``platform_secret`` (phone mode, >= 16 bytes from the Android Keystore / iOS Keychain) is mixed
        into the key that wraps the local key; then ``passphrase`` may be a PIN of 6 or more digits, and
        every unlock needs the same secret again. Without it, a passphrase of 10 or more characters.
        """
        platform_secret = bytes(platform_secret)
        if platform_secret:
            check_pin(passphrase, platform_secret)
        else:
            check_passphrase(passphrase)
        team_fp = expected_team = None
        if invite is not None:
            try:
                parsed = parse_invite(invite)
            except InviteError:
                raise EnrolError(ENROL_MESSAGES["invite"]) from None
            code, server_url = parsed.code, server_url or parsed.server
            team_fp, expected_team = parsed.team_fp, parsed.team
        if not code or not server_url:
            raise EnrolError("Vul de code en het serveradres in, of gebruik de uitnodiging.")
        try:
            server_url = check_server_url(server_url)
        except ValueError as exc:
            dutch = str(exc).startswith(("Geen ", "De server"))
            raise EnrolError(str(exc) if dutch else "Geen geldig serveradres.") from None
        try:
            user_name = clean_display_name(user_name)
        except ValidationError:
            raise EnrolError("Vul je naam in.") from None
        if not self._unlock_lock.acquire(blocking=False):  # one registration (or unlock) at a time
            raise EnrolError("Dit toestel wordt al aangemeld. Wacht even.")
        try:
            self._register_locked(passphrase=passphrase, user_name=user_name, code=code, server_url=server_url,
                                  platform_secret=platform_secret, team_fp=team_fp, expected_team=expected_team)
        finally:
            self._unlock_lock.release()
        self._notify()
        if team_fp is not None:
            self._check_invited_team()

    def _register_locked(self, *, passphrase: str, user_name: str, code: str, server_url: str,
                         platform_secret: bytes, team_fp: bytes | None, expected_team: bytes | None) -> None:
        if self.enrolled or self._erased:
            raise EnrolError(ENROL_MESSAGES["conflict"])
        identity = DeviceIdentity.generate()
        client = SyncClient(server_url, transport=self._transport)
        try:
            answer = client.enrol(code.strip().upper(), identity)
        except ServerError as exc:
            raise EnrolError(ENROL_MESSAGES.get(exc.code, "De server weigerde de inschrijving.")) from None
        except Unreachable:
            raise EnrolError("De server is niet bereikbaar. Probeer het opnieuw als er verbinding is.") from None
        finally:
            client.close()
        if expected_team is not None and answer["team"] != b64e(expected_team):
            raise EnrolError(ENROL_MESSAGES["wrong_team"])
        record, local_key = create_vault(passphrase, self._scrypt, platform_secret)
        self._store.set_local_key(local_key)
        profile = {"team": answer["team"], "device": b64e(identity.device_id), "server_url": server_url,
                   "user_name": user_name, "role": answer["role"], "first": bool(answer["first"])}
        if team_fp is not None:
            profile["team_fp"] = b64e(team_fp)
        with self._store.transaction():
            self._store.put_secret("identity", b64e(identity.to_bytes()))
            self._store.put_secret("profile", profile)
            if profile["first"]:  # the team's first device creates the first team key
                self._store.put_secret("epoch:1", b64e(os.urandom(32)))
            # clear: what a delivery-only sync needs once the keys are gone (no names, no content)
            self._store.set_meta("server_url", server_url)
            self._store.set_meta("team", answer["team"])
            self._store.set_state("lease_from", str(self._clock()))
            self._store.set_state("chain", json.dumps(DeviceChainTracker().to_json()))
            self._store.set_meta("vault", json.dumps(record))  # last: an interrupted enrolment leaves no vault
        self._load_unlocked()

    @property
    def enrolled(self) -> bool:
        """True when this data directory belongs to a device (also after its keys were destroyed)."""
        if self._erased:
            return False
        return self._store.get_meta("vault") is not None or self._store.get_meta("keys_destroyed") is not None

    @property
    def unlocked(self) -> bool:
        return self._identity is not None

    def unlock(self, passphrase: str, platform_secret: bytes | None = None) -> None:
        """Open the vault. Raises WrongPassphrase (Dutch message, the count of wrong attempts grows),
        TooManyAttempts while a wait runs (Scrypt is not even tried), KeysDestroyed after the tenth
        wrong attempt and PlatformSecretMissing (not counted) when a phone-mode vault gets no keystore
        secret. ``platform_secret`` defaults to the one given to the constructor. Nothing else changes on
        failure."""
        if self._erased:
            raise LockedError("De gegevens van dit toestel zijn gewist.")
        with self._unlock_lock:
            if self.unlocked:
                return
            secret = self._platform_secret if platform_secret is None else bytes(platform_secret)
            local_key = self._open_vault_counted(passphrase, secret)
            self._store.set_local_key(local_key)
            self._load_unlocked()

    def _load_unlocked(self) -> None:
        store = self._store
        self._identity = DeviceIdentity.from_bytes(b64d(store.get_secret("identity")))
        self._profile = store.get_secret("profile")
        self._team = b64d(self._profile["team"])
        if store.get_meta("server_url") is None:  # a data directory from before delivery-only sync
            store.set_meta("server_url", self._profile["server_url"])
            store.set_meta("team", self._profile["team"])
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
        self._state = "offline"
        self._check_lease()
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

    # -- display preferences (language, text size, light/dark): not sensitive, readable before unlock ------
    DISPLAY_CHOICES = {"lang": ("nl", "en"), "text_scale": (1.0, 1.5, 2.0), "theme_mode": ("system", "light", "dark")}

    def display_prefs(self) -> dict:
        """The saved display preferences (only known keys with allowed values; {} if none)."""
        raw = self._store.get_meta("display") if not self._erased else None
        try:
            saved = json.loads(raw) if raw else {}
        except ValueError:
            return {}
        if not isinstance(saved, dict):
            return {}
        return {k: v for k, v in saved.items() if k in self.DISPLAY_CHOICES and v in self.DISPLAY_CHOICES[k]}

    def save_display_prefs(self, **prefs) -> None:
        """Remember display preferences across restarts; unknown keys or values are refused (ValueError)."""
        for key, value in prefs.items():
            if key not in self.DISPLAY_CHOICES or value not in self.DISPLAY_CHOICES[key]:
                raise ValueError(f"display preference {key}={value!r} not allowed")
        if self._erased:
            return
        self._store.set_meta("display", json.dumps({**self.display_prefs(), **prefs}, sort_keys=True))

    def close(self) -> None:
        if self._erased or self.closed:
            return
        self.lock()
        self._closed = True
        self._store.close()

    @property
    def closed(self) -> bool:
        """True after :meth:`close` (the process is ending): screens stop asking it anything."""
        return getattr(self, "_closed", False)

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
        """This device's role from the verified team ledger (before confirmation: the invitation's)."""
        self._require_unlocked()
        info = self._ledger.devices.get(self._identity.device_id) if self._ledger else None
        return info.role if info is not None else self._profile["role"]

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
        return 0 if self._erased else self._store.outbox_count()

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
        if not may_write(self.role, type_):
            raise ValidationError({"role": "Met jouw rol kun je gegevens alleen lezen, niet vastleggen."})
        if not may_write(self.role, type_, kind, fields):
            raise NotAllowed("Toewijzen en vervanging regelt je werkbegeleider of regisseur; met jouw rol kan dat "
                             "niet.")
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

    def run_rules(self, client_ids: list[str] | None = None, now: int | None = None) -> list[str]:
        """The automatic rules (see casework); a read-only role raises no flags (it writes nothing)."""
        if self.unlocked and not may_write(self.role, "flag"):
            return []
        return super().run_rules(client_ids, now)

    # -- sealing (used by writes and by the sync engine) -------------------------------------------------
    def _waiting_state(self) -> str:
        """Why this device cannot seal: a removal waits for the team key's rotation, or it is not (yet)
        a confirmed member with the current key."""
        member = self._ledger is not None and self._identity.device_id in self._ledger.active_devices()
        return "wacht_op_teamsleutel" if member and self._ledger.rotation_due() else "wacht_op_bevestiging"

    def _can_seal(self) -> bool:
        """A member with the current key, and no removed device still holding that key (after a revocation
        work waits, sealed locally, until a coordinator's device has renewed the team key)."""
        return (self._ledger is not None and self._identity.device_id in self._ledger.active_devices()
                and self._ledger.current_epoch in self._epoch_keys and not self._ledger.rotation_due())

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

    def _reseal_outbox(self, seq: int, last_hash: bytes) -> None:
        """Seal the whole outbox again, in order, on top of this device's chain as the server holds it
        (``seq``, ``last_hash``): after a rotation the old envelopes are refused (409 stale_epoch) and were
        never stored, so their positions are free. Without the current key they wait again."""
        with self._store.transaction():
            self._store.set_state("device_seq", str(seq))
            self._store.set_state("prev_hash", b64e(last_hash))
            for op_id, _envelope in self._store.outbox_all():
                op = self._store.get_op(op_id)
                if op is None:
                    continue
                if self._can_seal():
                    self._store.outbox_set_envelope(op_id, self._seal(op_id, op))
                else:
                    self._store.outbox_set_waiting(op_id, op)

    def _has_beheer(self) -> bool:
        return bool(self._ledger and self._ledger.has_beheer(self._identity.device_id))

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
        """state: "offline" | "online" | "wacht_op_bevestiging" | "wacht_op_teamsleutel" (a device was
        removed; new work waits for the renewed team key) | "fout" | "vergrendeld" | "ingetrokken"
        (revoked) | "sleutels_vernietigd" (too many wrong attempts; delivery only) | "gewist" (wiped).
        On a security stop the state is "fout", ``message`` the code ("rollback", "fork", "gap", ...)
        and ``extra["uitleg"]`` a Dutch sentence. ``extra`` also has ``ignored_ops`` (operations from a
        role that may not write them), ``lease_days_left`` (from day 10 offline) and ``lease_expired``."""
        if self._erased:
            return SyncStatus(state="gewist", pending=0, last_sync_at=self._last_sync_at)
        store = self._store
        extra = {"busy": bool(self._engine and self._engine.busy),
                 "ignored_ops": int(store.get_state("ignored_ops", "0"))}
        state, message = self._state, self._error_code
        alert = self._alert_state()
        if store.get_meta("keys_destroyed"):
            state = "sleutels_vernietigd"
        elif alert is not None:
            state, message = "fout", alert["code"]
            extra["uitleg"] = alert["uitleg"]
        elif store.get_state("revoked"):
            state, message = "ingetrokken", store.get_state("revoked")
        elif self.unlocked and state in ("online", "wacht_op_bevestiging") and not self._can_seal():
            state = self._waiting_state()
        if self.unlocked:
            extra.update(self._lease_info())
        return SyncStatus(state=state, pending=store.outbox_count(), last_sync_at=self._last_sync_at,
                          message=message, pending_key=store.pending_count(), extra=extra)

    def _set_sync_state(self, state: str, code: str = "") -> None:
        changed = (state, code) != (self._state, self._error_code)
        self._state, self._error_code = state, code
        if changed:
            self._notify()

    def _after_round(self) -> None:
        self._last_sync_at = now_ms()
        now = self._clock()
        if now - int(self._store.get_state("lease_from") or 0) > 60_000:  # a successful round renews the lease
            self._store.set_state("lease_from", str(now))
        self._set_sync_state("online" if self._can_seal() else self._waiting_state())
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
