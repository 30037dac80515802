"""Security in depth for a Veldwerk device: a mixin of ``Services`` (see docs/security.md).

- **Unlock lockout**: every wrong passphrase is counted (a clear counter, persisted *before* Scrypt runs,
  so pulling the plug does not help). From the 5th wrong attempt the device waits 1, 5, 15, then 60
  minutes before it even tries Scrypt again (:class:`TooManyAttempts`); the 10th wrong attempt destroys
  the key material (:class:`KeysDestroyed`). The outbox survives: its envelopes are sealed to the team and
  signed, and are delivered by signature without a login (:meth:`SecurityMixin.deliver_outbox`).
- **Enrolment with confirmation**: a coordinator device makes an invitation (code, team fingerprint,
  server) as text and QR; the new device checks the team fingerprint against the genesis it is served;
  the coordinator compares the new device's twelve fingerprint groups before it signs ``add_device`` and
  grants the current epoch key (earlier epochs follow from the key history).
- **Roles, revocation, rotation, wipe**: only from and into the verified team ledger.
- **Offline lease**: 14 days without a successful sync drop the team keys (warning from day 10) until a
  sync re-collects the grants; new notes wait in the outbox meanwhile.
- **Access log**: every opening of a client file is a sealed ``audit`` operation that syncs to the team;
  a file outside one's caseload opens only with a reason (break the glass).
- **Security stops**: what the sync engine detects (rollback, fork, gap, withheld, forged grant, wrong
  team) is kept until a person looks at it; the device pushes and applies nothing meanwhile.
"""

from __future__ import annotations

import hmac
import json
import logging
import math
import os
import threading
import time
from typing import Any

from .crypto.canonical import b64d, b64e
from .crypto.chain import DeviceChainTracker
from .crypto.identity import fingerprint, fingerprint_groups, new_id
from .crypto.invite import invite_payload, team_fingerprint_bytes
from .crypto.ledger import REVOKE_REASONS, epoch_commitment
from .crypto.ledger import add_device as ledger_add_device
from .crypto.ledger import revoke_device as ledger_revoke_device
from .crypto.ledger import set_role as ledger_set_role
from .crypto.ledger import wipe as ledger_wipe
from .crypto.qr import QrUnavailable, qr_png
from .crypto.vault import (
    MIN_PASSPHRASE,
    MIN_PIN,
    PlatformSecretNeeded,
    WrongPassphrase,
    check_passphrase,
    check_pin,
    create_vault,
    needs_platform_secret,
    open_vault,
)
from .domain.errors import ValidationError
from .domain.vocab import ROLE_CODES, Rol
from .store import LocalStore
from .store.projection import Projection
from .sync.alerts import SecurityAlert, uitleg
from .sync.client import SyncClient
from .sync.engine import LedgerRefused, deliver_signed
from .sync.policy import AUDIT_ROLES, AUDIT_TYPE, MEMBER_TYPE

__all__ = [
    "AuditProjection",
    "KeysDestroyed",
    "LockedError",
    "NotAllowed",
    "SecurityMixin",
    "TooManyAttempts",
    "MAX_ATTEMPTS",
    "FIRST_WAIT_AT",
    "WAIT_MINUTES",
    "LEASE_DAYS",
    "LEASE_WARNING_DAY",
]

log = logging.getLogger("veldwerk.security")

MAX_ATTEMPTS = 10  # the 10th wrong attempt destroys the key material
FIRST_WAIT_AT = 5  # from the 5th wrong attempt on, wait before the next try
WAIT_MINUTES = (1, 5, 15, 60)
MINUTE_MS = 60_000
DAY_MS = 24 * 3600_000
LEASE_DAYS = 14
LEASE_WARNING_DAY = 10
SERVER_LOG_ROLES = AUDIT_ROLES | {"BEHEERDER"}  # as the server's ACCESS_LOG_ROLES
MIN_REASON = 5


class LockedError(RuntimeError):
    """The device is locked: unlock first."""


class PlatformSecretMissing(RuntimeError):
    """A phone-mode vault was opened without its keystore secret (the secure storage lost it, or the data
    directory was copied to another phone). Not a wrong attempt. ``str()`` is Dutch."""

    def __init__(self, unsynced: int = 0) -> None:
        self.unsynced = unsynced
        tail = (f" {unsynced} vastgelegde wijziging(en) kunnen nog worden afgeleverd." if unsynced else "")
        super().__init__("De sleutel in de beveiligde opslag van deze telefoon ontbreekt, dus de pincode alleen "
                         "opent niets." + tail + " Laat de telefoon opnieuw inschrijven door je coördinator.")


class TooManyAttempts(RuntimeError):
    """Too many wrong attempts: nothing is tried until ``wait_until_ms`` (UTC ms). ``str()`` is Dutch."""

    def __init__(self, wait_until_ms: int, now_ms: int | None = None) -> None:
        self.wait_until_ms = wait_until_ms
        now_ms = time.time_ns() // 1_000_000 if now_ms is None else now_ms
        minutes = max(1, math.ceil((wait_until_ms - now_ms) / MINUTE_MS))
        unit = "minuut" if minutes == 1 else "minuten"
        super().__init__(f"Te veel onjuiste pogingen. Probeer het over {minutes} {unit} opnieuw.")


class KeysDestroyed(RuntimeError):
    """The key material of this device was destroyed after ten wrong attempts. ``str()`` is Dutch."""

    def __init__(self, unsynced: int = 0) -> None:
        self.unsynced = unsynced
        tail = (f" {unsynced} vastgelegde wijziging(en) worden nog afgeleverd bij de server." if unsynced
                else "")
        super().__init__("Na tien onjuiste pogingen zijn de sleutels van dit toestel vernietigd." + tail
                         + " Laat dit toestel opnieuw inschrijven door je coördinator.")


class NotAllowed(RuntimeError):
    """This device (its role, its beheer right, its state) may not do this. ``str()`` is Dutch."""


class AuditProjection(Projection):
    """The projection plus the app's access log: ``audit`` operations are folded into a list, never into
    the records the views read."""

    def __init__(self) -> None:
        super().__init__()
        self._audit: dict[bytes, dict] = {}
        self._members: dict[str, tuple[int, str]] = {}  # device id -> (at, name), the newest announcement

    def apply(self, op: dict, *, op_id: bytes, origin: str, received_at: int) -> None:
        if isinstance(op, dict) and op.get("type") == MEMBER_TYPE:
            fields = op.get("fields") if isinstance(op.get("fields"), dict) else {}
            device, name, at = fields.get("device"), fields.get("name"), fields.get("at")
            if isinstance(device, str) and isinstance(name, str) and isinstance(at, int):
                with self._lock:
                    if device not in self._members or self._members[device][0] <= at:
                        self._members[device] = (at, name[:200])
            return
        if isinstance(op, dict) and op.get("type") == AUDIT_TYPE:
            fields = op.get("fields") if isinstance(op.get("fields"), dict) else {}
            with self._lock:
                self._audit[op_id] = {
                    "who": op.get("author_user", ""), "device": fields.get("device", ""),
                    "client_id": fields.get("client_id", op.get("client_id", "")),
                    "action": fields.get("action", ""), "reason": fields.get("reason"),
                    "at": fields.get("at", 0), "break_glass": bool(fields.get("break_glass")),
                }
            return
        super().apply(op, op_id=op_id, origin=origin, received_at=received_at)

    def member_names(self) -> dict[str, str]:
        """Device id -> the name its user works under, as each device announced it (signed by it)."""
        with self._lock:
            return {device: name for device, (_at, name) in self._members.items()}

    def audit_entries(self, client_id: str | None = None) -> list[dict]:
        with self._lock:
            rows = [dict(e) for e in self._audit.values() if client_id is None or e["client_id"] == client_id]
        return sorted(rows, key=lambda e: (e["at"], e["device"]), reverse=True)


def _ledger_refusal(exc: LedgerRefused) -> NotAllowed:
    text = str(exc)
    if "no active device with beheer" in text:
        return NotAllowed("Het team moet minstens één actief toestel met beheerrechten houden.")
    if "already revoked" in text:
        return NotAllowed("Dit toestel is al ingetrokken.")
    if "already wiped" in text:
        return NotAllowed("Voor dit toestel is al een wisopdracht gegeven.")
    if text and not text.isascii():  # a Dutch sentence from the engine itself
        return NotAllowed(text)
    return NotAllowed("De teamgeschiedenis staat deze wijziging niet toe.")


def _role_label(code: Any) -> str:
    """The Dutch label of a role code ("Veldwerker / toezichthouder"), or the code itself if unknown."""
    try:
        return Rol(code).label.nl
    except ValueError:
        return str(code)


class SecurityMixin:
    """Methods of ``Services`` for device life cycle and security. Relies on Services' store, ledger,
    keys, engine, projection and clock."""

    # -- unlock: counted attempts, waits, destruction ----------------------------------------------------
    def _open_vault_counted(self, passphrase: str, platform_secret: bytes) -> bytes:
        store = self._store
        if store.get_meta("keys_destroyed"):
            raise KeysDestroyed(store.outbox_count())
        raw = store.get_meta("vault")
        if raw is None:
            raise LockedError("Dit toestel is nog niet ingeschreven.")
        now = self._clock()
        wait_until = int(store.get_meta("unlock_wait_until") or 0)
        if now < wait_until:
            raise TooManyAttempts(wait_until, now)  # Scrypt is not even tried
        record = json.loads(raw)
        if needs_platform_secret(record) and not platform_secret:
            raise PlatformSecretMissing(store.outbox_count())  # not a guess at the PIN: not counted
        failures = int(store.get_meta("unlock_failures") or 0) + 1
        store.set_meta("unlock_failures", str(failures))  # counted before Scrypt: a cut-off try still counts
        try:
            local_key = open_vault(record, passphrase, platform_secret)
        except WrongPassphrase:
            word = "pincode" if needs_platform_secret(record) else "wachtwoordzin"
            if failures >= MAX_ATTEMPTS:
                self._destroy_keys()
                raise KeysDestroyed(store.outbox_count()) from None
            if failures >= FIRST_WAIT_AT:
                minutes = WAIT_MINUTES[min(failures - FIRST_WAIT_AT, len(WAIT_MINUTES) - 1)]
                store.set_meta("unlock_wait_until", str(now + minutes * MINUTE_MS))
                unit = "minuut" if minutes == 1 else "minuten"
                raise WrongPassphrase(
                    f"Onjuiste {word}. Wacht {minutes} {unit} voor de volgende poging. Na nog "
                    f"{MAX_ATTEMPTS - failures} onjuiste poging(en) worden de sleutels van dit toestel "
                    "vernietigd.") from None
            raise WrongPassphrase(f"Onjuiste {word}.") from None
        except BaseException:
            store.set_meta("unlock_failures", str(failures - 1))  # not a wrong passphrase: not counted
            raise
        store.set_meta("unlock_failures", "0")
        store.set_meta("unlock_wait_until", "0")
        return local_key

    def _destroy_keys(self) -> None:
        store = self._store
        store.set_meta("keys_destroyed", str(self._clock()))
        store.destroy_keys()
        log.warning("too many wrong attempts: key material destroyed")
        if self._autosync and store.outbox_count():
            threading.Thread(target=self._deliver_quietly, name="veldwerk-deliver", daemon=True).start()

    def _deliver_quietly(self) -> None:
        try:
            self.deliver_outbox()
        except Exception as exc:  # best effort; `field-app deliver` can do it later
            log.warning("delivery-only sync failed: %s", type(exc).__name__)

    def unlock_info(self) -> dict[str, Any]:
        """What the unlock screen can say before anyone types: ``failed_attempts``, ``attempts_left``
        (before the keys are destroyed), ``wait_until`` (UTC ms or None), ``unsynced`` (outbox items not
        yet at the server) and ``destroyed`` (the keys are gone; only delivery remains)."""
        if self._erased:
            return {"failed_attempts": 0, "attempts_left": 0, "wait_until": None, "unsynced": 0,
                    "destroyed": True, "erased": True}
        store = self._store
        failures = int(store.get_meta("unlock_failures") or 0)
        wait_until = int(store.get_meta("unlock_wait_until") or 0)
        return {"failed_attempts": failures, "attempts_left": max(0, MAX_ATTEMPTS - failures),
                "wait_until": wait_until if wait_until > self._clock() else None,
                "unsynced": store.outbox_count(), "destroyed": bool(store.get_meta("keys_destroyed")),
                "erased": False}

    def security_info(self) -> dict[str, Any]:
        """How this device protects its data: ``mode`` ("wachtwoordzin" on desktop and web, "pincode+
        beveiligde opslag" with a platform keystore secret), the Scrypt cost of the vault, the lockout and
        the offline lease."""
        raw = self._store.get_meta("vault") if not self._erased else None
        record = json.loads(raw) if raw else {}
        n, r, p = record.get("n"), record.get("r"), record.get("p")
        scrypt = {"n": n, "r": r, "p": p, "memory_mib": 128 * n * r * p // 2**20} if n else None
        phone = needs_platform_secret(record) if record else bool(self._platform_secret)
        return {
            "mode": "pincode+beveiligde opslag" if phone else "wachtwoordzin",
            "platform_secret": phone,
            "secret_kind": "pin" if phone else "passphrase",
            "scrypt": scrypt,
            "min_secret_length": MIN_PIN if phone else MIN_PASSPHRASE,
            "max_attempts": MAX_ATTEMPTS,
            "waits_from_attempt": FIRST_WAIT_AT,
            "wait_minutes": list(WAIT_MINUTES),
            "lease_days": LEASE_DAYS,
            "lease_warning_day": LEASE_WARNING_DAY,
            **self.unlock_info(),
        }

    def unlock_mode(self) -> str | None:
        """``"pin"`` when the vault needs the phone's keystore secret plus a PIN, ``"passphrase"`` when a
        passphrase alone opens it, None when there is no vault (not enrolled, or the keys are gone)."""
        raw = self._store.get_meta("vault") if not self._erased else None
        if raw is None:
            return None
        return "pin" if needs_platform_secret(json.loads(raw)) else "passphrase"

    def change_passphrase(self, old: str, new: str, platform_secret: bytes | None = None) -> None:
        """Wrap the local key under a new passphrase (or PIN, in phone mode, with the same keystore
        secret); the old one opens nothing afterwards."""
        self._require_unlocked()
        store = self._store
        record = json.loads(store.get_meta("vault"))
        secret = self._platform_secret if platform_secret is None else bytes(platform_secret)
        if needs_platform_secret(record):
            if not secret:
                raise PlatformSecretMissing()
            check_pin(new, secret)
        else:
            secret = b""
            check_passphrase(new)
        with self._unlock_lock:
            try:
                local_key = open_vault(record, old, secret)
            except PlatformSecretNeeded:
                raise PlatformSecretMissing() from None
            if not hmac.compare_digest(local_key, store._key()):
                raise WrongPassphrase()
            feed = [local_key]

            def rng(n: int) -> bytes:  # the existing local key first, then fresh salt and nonce
                return feed.pop() if feed and n == len(local_key) else os.urandom(n)

            record, same = create_vault(new, self._scrypt, secret, _rng=rng)
            assert same == local_key
            store.set_meta("vault", json.dumps(record))  # replaces (and, secure_delete on, zeroes) the old
            store._checkpoint()

    # -- delivery without keys ---------------------------------------------------------------------------
    def deliver_outbox(self) -> dict[str, Any]:
        """Deliver the outbox by signature (``/changes/signed``): no passphrase and no login needed. For a
        device whose keys were destroyed, or an old data directory whose passphrase was forgotten.
        Returns ``{delivered, remaining, error, permanent}``."""
        if self._erased:
            return {"delivered": 0, "remaining": 0, "error": "", "permanent": False}
        store = self._store
        server_url, team = store.get_meta("server_url"), store.get_meta("team")
        if not server_url or not team:
            return {"delivered": 0, "remaining": store.outbox_count(), "error": "unknown_server",
                    "permanent": True}
        client = SyncClient(server_url, transport=self._transport)
        try:
            outcome = deliver_signed(client, store, b64d(team))
        finally:
            client.close()
        if self.unlocked:
            self._outbox_changed()
        else:
            self._notify()
        return outcome

    def start_over(self, *, accept_loss: bool = False) -> dict[str, Any]:
        """A forgotten PIN or passphrase (or keys destroyed after ten wrong attempts): deliver what this
        device still has to send, by signature, then erase its data so it can be enrolled again.

        Returns ``{erased, delivered, remaining, error, permanent}``. Nothing is erased while work waits
        that could still arrive later (``error`` "offline" or a server error that may pass). Work that can
        never travel without the secret (``permanent``: sealed before this device had a team key, or
        refused for good) is erased only with ``accept_loss=True`` — the screen asks first. Not while
        unlocked: then the secret is known and nothing needs to start over. The old registration stays in
        the team ledger until a coordinator revokes it (reason "retired")."""
        if self.unlocked:
            raise NotAllowed("Het toestel is ontgrendeld; opnieuw beginnen is niet nodig.")
        if self._erased or not self.enrolled:
            return {"erased": False, "delivered": 0, "remaining": 0, "error": "", "permanent": False}
        outcome = self.deliver_outbox()
        if outcome["remaining"] and not (outcome["permanent"] and accept_loss):
            return {"erased": False, **outcome}
        with self._unlock_lock:  # nobody may unlock while the files go
            if self.unlocked:  # someone unlocked (another tab) while delivering: the secret is known after all
                raise NotAllowed("Het toestel is intussen ontgrendeld; er is niets gewist.")
            self._stop_rules_timer()
            if self._engine is not None:
                self._engine.stop()
            self._erased = True  # while the files go, screens asking anything see an erased device
            self._store.erase()  # wrapped keys destroyed (committed) first, then every file
            self._store = LocalStore(self.data_dir)
            self._erased = False
            self._reset_unlocked_state()
        self._state, self._error_code = "vergrendeld", ""
        log.warning("device data erased to enrol again (%d item(s) delivered, %d given up)",
                    outcome["delivered"], outcome["remaining"])
        self._notify()
        return {"erased": True, **outcome}

    # -- offline lease -----------------------------------------------------------------------------------
    def _lease_age(self) -> int:
        now = self._clock()
        return now - int(self._store.get_state("lease_from") or now)

    def _lease_info(self) -> dict[str, Any]:
        age = self._lease_age()
        info: dict[str, Any] = {"lease_expired": bool(self._store.get_state("lease_expired"))}
        if age >= LEASE_WARNING_DAY * DAY_MS:
            info["lease_days_left"] = max(0, math.ceil((LEASE_DAYS * DAY_MS - age) / DAY_MS))
        return info

    def _check_lease(self) -> None:
        """After 14 days without a successful sync, drop the team keys from the keyring and memory. Only
        when they can come back: this device is in the ledger, so its grants wait on the server."""
        if not self.unlocked or self._lease_age() < LEASE_DAYS * DAY_MS:
            return
        if self._ledger is None or self._identity.device_id not in self._ledger.active_devices():
            return
        if self._epoch_keys or self._store.secret_names("epoch:"):
            self._store.delete_secrets("epoch:")
            self._epoch_keys.clear()
            self._store.set_state("lease_expired", "1")
            log.info("offline lease expired: team keys dropped until the next sync")
            self._notify()

    def _lease_restored(self) -> None:
        if self._store.get_state("lease_expired"):
            self._store.set_state("lease_expired", "")

    # -- security stops (what the sync engine detected) ----------------------------------------------------
    def _raise_alert(self, code: str, detail: str = "") -> None:
        self._store.set_state("alert", json.dumps({"code": code, "at": self._clock()}))
        log.warning("sync stopped for a security reason: %s", code)
        self._set_sync_state("fout", code=code)
        raise SecurityAlert(code, detail)

    def _alert_state(self) -> dict | None:
        raw = self._store.get_state("alert")
        if not raw:
            return None
        data = json.loads(raw)
        data["uitleg"] = uitleg(data["code"])
        return data

    def _check_alert(self) -> None:
        state = self._alert_state()
        if state is not None:
            self._set_sync_state("fout", code=state["code"])
            raise SecurityAlert(state["code"])

    def security_alert(self) -> dict | None:
        """The security stop in force: ``{code, uitleg, at}``, or None."""
        return None if self._erased else self._alert_state()

    def clear_security_alert(self) -> None:
        """Let sync try again after a person has looked at a security stop (the same server behaviour
        stops it again)."""
        self._require_unlocked()
        self._store.set_state("alert", "")
        self._set_sync_state("offline")
        self.sync_now()

    def _load_tracker(self) -> None:
        raw = self._store.get_state("chain")
        if raw:
            self._tracker = DeviceChainTracker.from_json(json.loads(raw))
            return
        # a data directory from before chain checks: read the team's changes again from the start
        self._tracker = DeviceChainTracker()
        with self._store.transaction():
            self._store.set_state("cursor", "0")
            self._save_tracker()

    def _save_tracker(self) -> None:
        self._store.set_state("chain", json.dumps(self._tracker.to_json()))

    def _restore_tracker(self, snapshot: dict) -> None:
        self._tracker = DeviceChainTracker.from_json(snapshot)

    def _count(self, name: str) -> None:
        self._store.set_state(name, str(int(self._store.get_state(name, "0") or 0) + 1))

    # -- the team: invitations, confirmation, roles, revocation, wipe ---------------------------------------
    def _require_beheer(self) -> None:
        self._require_unlocked()
        if not self._has_beheer():
            raise NotAllowed("Alleen een bevestigd toestel met beheerrechten kan dit.")

    def _admin(self, action):
        try:
            return self._engine.admin(action)
        except LedgerRefused as exc:
            raise _ledger_refusal(exc) from None
        finally:
            self._notify()

    def create_invitation(self, role: str) -> dict[str, Any]:
        """An invitation for a new device with ``role`` (coordinator devices only): ``{code, text,
        team_fingerprint (12 groups), qr_png (bytes; b"" without segno), expires_at, role}``. ``text`` is
        what the QR code holds: code, team, team fingerprint and server address."""
        self._require_beheer()
        if role not in ROLE_CODES:
            raise ValidationError({"role": "Kies een bestaande rol."})
        answer = self._admin(lambda: self._engine.client.invite(self._team, role))
        # remembered (sealed) so the confirmation can check the role the server reports for the newcomer
        sent = [i for i in (self._store.get_secret("invites_sent") or []) if i.get("expires_at", 0) > self._clock()]
        sent.append({"role": role, "expires_at": int(answer.get("expires_at") or self._clock() + 7 * DAY_MS)})
        self._store.put_secret("invites_sent", sent)
        team_fp = team_fingerprint_bytes(self._store.ledger_entries()[0])
        text = invite_payload(answer["code"], self._team, team_fp, self._profile["server_url"])
        try:
            png = qr_png(text)
        except QrUnavailable:
            png = b""
        return {"code": answer["code"], "text": text, "team_fingerprint": fingerprint_groups(team_fp),
                "qr_png": png, "expires_at": answer.get("expires_at"), "role": role}

    def fingerprint_qr_png(self) -> bytes:
        """This device's fingerprint (the twelve groups as text) as a QR code, for the coordinator."""
        return qr_png(" ".join(self.fingerprint()))

    def _check_invited_team(self) -> None:
        """Right after enrolling with an invitation: the genesis the server shows must be the invitation's
        team. On a mismatch this device erases itself and refuses. Offline: checked at the first sync."""
        from .services import ENROL_MESSAGES, EnrolError  # services imports this module
        from .sync.client import ServerError, Unreachable

        try:
            self._engine.admin(lambda: None)
        except SecurityAlert as exc:
            if exc.code == "wrong_team":
                self._erase()
                raise EnrolError(ENROL_MESSAGES["wrong_team"]) from None
            raise
        except (ServerError, Unreachable):
            pass

    def pending_devices(self) -> list[dict[str, Any]]:
        """Devices that enrolled with an invitation and wait for a coordinator: ``[{id, role,
        fingerprint (12 groups computed from the keys the server holds)}]``. Compare the groups with the
        ones the new device shows before :meth:`confirm_device`."""
        self._require_beheer()
        devices = self._admin(lambda: self._engine.client.devices(self._team))
        out = []
        for dev in devices:
            if not isinstance(dev, dict) or dev.get("status") != "pending":
                continue
            try:
                dev_id = b64d(dev["id"])
                groups = fingerprint(self._team, b64d(dev["ed25519"]), b64d(dev["x25519"]))
            except (KeyError, TypeError, ValueError):
                continue
            if dev_id not in self._ledger.devices:
                out.append({"id": dev["id"], "role": dev.get("role", ""), "fingerprint": groups})
        return out

    def confirm_device(self, device_id: str, fingerprint_digits: str, role: str | None = None) -> None:
        """Admit a waiting device after comparing its fingerprint: ``fingerprint_digits`` are the digits
        the new device shows (spaces and dashes ignored). On a mismatch nothing is signed. Then
        ``add_device`` is appended and the current epoch key granted.

        The role comes from the invitation, as the server reports it; the server must not choose it. So
        it must be the role of an open invitation made on this device, or be named in ``role`` by the
        coordinator (who checked it with the colleague, e.g. for a code made with ``sync-server invite``
        or on another coordinator's device). Otherwise nothing is signed."""
        self._require_beheer()
        given = "".join(ch for ch in str(fingerprint_digits) if ch.isdigit())
        if len(given) != 60:
            raise ValidationError({"fingerprint": "Typ alle twaalf groepen van vijf cijfers over."})
        sent = [i for i in (self._store.get_secret("invites_sent") or []) if i.get("expires_at", 0) > self._clock()]

        def work() -> None:
            dev = next((d for d in self._engine.client.devices(self._team)
                        if isinstance(d, dict) and d.get("id") == device_id), None)
            if dev is None or dev.get("status") != "pending":
                raise ValidationError({"device": "Dit toestel wacht niet op bevestiging."})
            dev_id, ed, x = b64d(dev["id"]), b64d(dev["ed25519"]), b64d(dev["x25519"])
            if not hmac.compare_digest(given.encode(), "".join(fingerprint(self._team, ed, x)).encode()):
                raise ValidationError({"fingerprint": "De cijfers komen niet overeen met dit toestel. Bevestig "
                                                      "het niet en neem contact op met je collega."})
            reported = dev.get("role")
            if role is not None and role != reported:
                raise ValidationError({"invite_role": f"De server meldt voor dit toestel de rol {_role_label(reported)}, "
                                               f"niet {_role_label(role)}. Bevestig het niet."})
            if role is None and reported not in {i["role"] for i in sent}:
                raise ValidationError({"invite_role": f"Dit toestel vraagt de rol {_role_label(reported)}, maar op dit "
                                               "toestel staat geen open uitnodiging voor die rol. Vraag je collega "
                                               "welke rol is afgesproken en bevestig alleen als die klopt."})
            self._engine.append_entry(lambda led: None if dev_id in led.devices else ledger_add_device(
                self._team, led.head_index + 1, led.head_hash, self._identity, dev_id, ed, x, reported,
                self._clock()))
            self._engine.grant_current(only={dev_id})
            used = next((i for i in sent if i["role"] == reported), None)
            if used is not None:  # one invitation for this role is spent
                sent.remove(used)
                self._store.put_secret("invites_sent", sent)

        self._admin(work)

    def devices(self) -> list[dict[str, Any]]:
        """The team's devices as the verified ledger knows them: ``[{id, user, role, beheer, status ("actief" |
        "ingetrokken"), reason, wiped, fingerprint, me}]``."""
        self._require_unlocked()
        ledger = self._ledger
        if ledger is None:
            return []
        out = []
        names = self._projection.member_names()
        for dev_id, info in ledger.devices.items():
            revoked = ledger.revoked.get(dev_id)
            out.append({"id": b64e(dev_id), "user": names.get(b64e(dev_id)), "role": info.role, "beheer": info.beheer and revoked is None,
                        "status": "ingetrokken" if revoked else "actief",
                        "reason": revoked[0] if revoked else None, "wiped": dev_id in ledger.wipes,
                        "fingerprint": fingerprint(self._team, info.ed25519, info.x25519),
                        "me": dev_id == self._identity.device_id})
        return out

    def _target(self, device_id: str) -> bytes:
        try:
            target = b64d(device_id)
        except (TypeError, ValueError):
            target = b""
        if self._ledger is None or target not in self._ledger.devices:
            raise ValidationError({"device": "Dit toestel hoort niet bij het team."})
        return target

    def set_role(self, device_id: str, role: str, beheer: bool) -> None:
        """Give a team device another role and/or the beheer right (coordinator devices only)."""
        self._require_beheer()
        if role not in ROLE_CODES:
            raise ValidationError({"role": "Kies een bestaande rol."})
        target = self._target(device_id)
        self._admin(lambda: self._engine.append_entry(lambda led: ledger_set_role(
            self._team, led.head_index + 1, led.head_hash, self._identity, target, role, bool(beheer),
            self._clock())))

    def revoke_device(self, device_id: str, reason: str) -> None:
        """Remove a device from the team (``RETIRED`` handed in, ``LOST`` lost or stolen, ``LEFT``): the
        revocation, then a new epoch key (with key history) granted to every remaining device. Nothing
        written afterwards can be opened with that device's keys."""
        self._require_beheer()
        if reason not in REVOKE_REASONS:
            raise ValidationError({"reason": "Kies: ingeleverd (RETIRED), kwijt of gestolen (LOST) of vertrokken "
                                             "(LEFT)."})
        target = self._target(device_id)
        if target == self._identity.device_id:
            raise ValidationError({"device": "Een toestel kan zichzelf niet intrekken; laat een andere "
                                             "coördinator dit doen."})

        def work() -> None:
            self._engine.append_entry(lambda led: None if led.is_revoked(target) else ledger_revoke_device(
                self._team, led.head_index + 1, led.head_hash, self._identity, target, reason, self._clock()))
            if self._ledger.rotation_due():
                self._engine.rotate()

        self._admin(work)

    def rotate_team_key(self) -> None:
        """A new epoch key now (also done by itself after a revocation)."""
        self._require_beheer()
        self._admin(self._engine.rotate)

    def wipe_device(self, device_id: str) -> None:
        """Order a revoked device to erase its data when it next reaches the server."""
        self._require_beheer()
        target = self._target(device_id)
        if not self._ledger.is_revoked(target):
            raise ValidationError({"device": "Alleen een ingetrokken toestel kan gewist worden. Trek het eerst in."})
        self._admin(lambda: self._engine.append_entry(lambda led: None if target in led.wipes else ledger_wipe(
            self._team, led.head_index + 1, led.head_hash, self._identity, target, self._clock())))

    def _adopt_rotated_key(self) -> None:
        """A key this device made for a rotation becomes its epoch key once the verified ledger commits to
        it; if another rotation won, it is dropped."""
        if not self.unlocked or not self._store.secret_names("epoch-next"):
            return
        pending = self._store.get_secret("epoch-next")
        epoch, key = pending["epoch"], b64d(pending["key"])
        commit = self._ledger.epochs.get(epoch) if self._ledger else None
        if commit is not None and hmac.compare_digest(commit, epoch_commitment(self._team, epoch, key)):
            self._store_epoch_key(epoch, key)
            self._store.delete_secrets("epoch-next")
        elif self._ledger is not None and self._ledger.current_epoch >= epoch:
            self._store.delete_secrets("epoch-next")

    # -- access log ----------------------------------------------------------------------------------------
    def _announce_member(self) -> None:
        """Once this device can seal for the team (and again if its user name changes): a sealed ``member``
        operation {device, name, at}, so the team's devices and access logs can show whose device it is."""
        if not self._can_seal():
            return
        name = self._profile["user_name"]
        if self._store.get_state("member_announced") == name:
            return
        fields = {"device": self.device_id, "name": name, "at": self._clock()}
        self._write_op(MEMBER_TYPE, b64e(new_id()), "", "create", fields)
        self._store.set_state("member_announced", name)

    def open_client_file(self, client_id: str, reason: str | None = None) -> str:
        """Log that this user opens a client's file (call it when the file is shown). A client outside
        one's own caseload (assigned_to / cover_by) opens only with a reason (break the glass), which is
        logged too. The entry is a sealed ``audit`` operation that syncs to the team. Returns its id."""
        self._require_unlocked()
        rec = self._projection.record(client_id)
        if rec is None or rec.type != "client":
            raise ValidationError({"client_id": "Deze cliënt bestaat niet (meer) op dit toestel."})
        me = self._profile["user_name"]
        own = me in (rec.fields.get("assigned_to"), rec.fields.get("cover_by"))
        reason = (reason or "").strip()
        if not own and len(reason) < MIN_REASON:
            raise ValidationError({"reason": "Deze cliënt staat niet in jouw caseload. Geef een reden op om het "
                                             "dossier toch te openen; die wordt vastgelegd."})
        fields: dict[str, Any] = {"action": "open_client", "client_id": client_id, "at": self._clock(),
                                  "device": self.device_id}
        if reason:
            fields["reason"] = reason[:500]
        if not own:
            fields["break_glass"] = True
        audit_id = b64e(new_id())
        self._write_op(AUDIT_TYPE, audit_id, client_id, "create", fields)
        return audit_id

    def access_log(self, client_id: str | None = None) -> list[dict[str, Any]]:
        """Who opened which client file, newest first: ``[{who, device, client_id, action, reason, at,
        break_glass}]``. For supervising and auditing roles only."""
        self._require_unlocked()
        if self.role not in AUDIT_ROLES:
            raise NotAllowed("Alleen een werkbegeleider, procesregisseur of functionaris gegevensbescherming "
                             "kan het toegangslogboek inzien.")
        return self._projection.audit_entries(client_id)

    def server_access_log(self) -> list[dict[str, Any]]:
        """The server's request log of the team (which device did which kind of request, when, with what
        result): ``[{id, at, device, user, role, action, result}]``. ``user`` is the name the device's user
        works under, from the device's own signed ``member`` announcement (the server never sees names)."""
        self._require_unlocked()
        if self.role not in SERVER_LOG_ROLES:
            raise NotAllowed("Met jouw rol kun je het toegangslogboek van de server niet inzien.")

        def fetch() -> list[dict]:
            rows, after = [], 0
            while True:
                page = self._engine.client.access_log(self._team, after)
                rows += page.get("entries", [])
                if not page.get("more") or page.get("next", after) <= after:
                    return rows
                after = page["next"]

        with self._engine._round_lock:
            self._engine.client.ensure_login(self._team, self._identity)
            rows = fetch()
        names = self._projection.member_names()  # the server knows devices; the team knows their users
        return [{**r, "user": names.get(r.get("device"))} if isinstance(r, dict) else r for r in rows]

    # -- erase -----------------------------------------------------------------------------------------------
    def _erase(self) -> None:
        """Erase this device: wrapped keys destroyed first (committed), then every file of the data
        directory deleted. Only for a verified wipe entry (or a refused enrolment)."""
        self._stop_rules_timer()
        engine = self._engine
        if engine is not None:
            engine.stop()
            engine.client.close()
        self._store.erase()
        self._erased = True
        self._reset_unlocked_state()
        self._state, self._error_code = "gewist", ""
        log.warning("device erased on a verified wipe entry")
        self._notify()
