"""The device's life cycle: enrolment (registration with the team's server, confirmation by a
coordinator follows), unlock and lock, display preferences, and starting over after a forgotten PIN or
passphrase. The vault and its lockout are :mod:`.vault`; this part wires the device core, the vault,
the sync and the rules timer together at unlock and lock."""

from __future__ import annotations

import json
import logging
import os
from typing import Any

from ..core.alerts import SecurityAlert
from ..core.device import Device
from ..core.errors import LockedError, NotAllowed
from ..crypto.canonical import b64e
from ..crypto.chain import DeviceChainTracker
from ..crypto.identity import DeviceIdentity
from ..crypto.invite import InviteError, parse_invite
from ..crypto.vault import check_passphrase, check_pin, create_vault
from ..domain.errors import ValidationError
from ..domain.validation import clean_display_name
from ..sync.client import ServerError, Unreachable, check_server_url
from .casework import Casework
from .export import clear_exports
from .sync_control import SyncControl
from .vault import Vault

__all__ = ["Lifecycle", "EnrolError", "ENROL_MESSAGES"]

log = logging.getLogger("veldwerk.lifecycle")

ENROL_MESSAGES = {
    "bad_code": "Deze code klopt niet, is al gebruikt of is verlopen. Vraag je coördinator om een nieuwe code.",
    "conflict": "Dit toestel is al ingeschreven.",
    "invite": "Deze uitnodiging is niet geldig. Scan of plak de uitnodiging opnieuw.",
    "wrong_team": "De server hoort niet bij het team van de uitnodiging. Deze inschrijving is geweigerd.",
}


class EnrolError(RuntimeError):
    """Enrolment did not succeed; ``str()`` is a Dutch sentence for the user."""


class Lifecycle:
    def __init__(self, device: Device, vault: Vault, sync: SyncControl, casework: Casework):
        self.device, self.vault, self.sync, self.casework = device, vault, sync, casework
        self.closed = False

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
        if not self.vault.unlock_lock.acquire(blocking=False):  # one registration (or unlock) at a time
            raise EnrolError("Dit toestel wordt al aangemeld. Wacht even.")
        try:
            self._register_locked(passphrase=passphrase, user_name=user_name, code=code, server_url=server_url,
                                  platform_secret=platform_secret, team_fp=team_fp, expected_team=expected_team)
        finally:
            self.vault.unlock_lock.release()
        self.device.notify()
        if team_fp is not None:
            self._check_invited_team()

    def _register_locked(self, *, passphrase: str, user_name: str, code: str, server_url: str,
                         platform_secret: bytes, team_fp: bytes | None, expected_team: bytes | None) -> None:
        if self.device.enrolled or self.device.erased:
            raise EnrolError(ENROL_MESSAGES["conflict"])
        identity = DeviceIdentity.generate()
        client = self.sync.client(server_url)
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
        record, local_key = create_vault(passphrase, self.vault.scrypt, platform_secret)
        self.device.store.set_local_key(local_key)
        profile = {"team": answer["team"], "device": b64e(identity.device_id), "server_url": server_url,
                   "user_name": user_name, "role": answer["role"], "first": bool(answer["first"])}
        if team_fp is not None:
            profile["team_fp"] = b64e(team_fp)
        with self.device.store.transaction():
            self.device.store.put_secret("identity", b64e(identity.to_bytes()))
            self.device.store.put_secret("profile", profile)
            if profile["first"]:  # the team's first device creates the first team key
                self.device.store.put_secret("epoch:1", b64e(os.urandom(32)))
            # clear: what a delivery-only sync needs once the keys are gone (no names, no content)
            self.device.store.set_meta("server_url", server_url)
            self.device.store.set_meta("team", answer["team"])
            self.device.store.set_state("lease_from", str(self.device.clock()))
            self.device.store.set_state("chain", json.dumps(DeviceChainTracker().to_json()))
            self.device.store.set_meta("vault", json.dumps(record))  # last: an interrupted enrolment leaves no vault
        self.device.open(local_key)
        self._started()

    def unlock(self, passphrase: str, platform_secret: bytes | None = None) -> None:
        """Open the vault. Raises WrongPassphrase (Dutch message, the count of wrong attempts grows),
        TooManyAttempts while a wait runs (Scrypt is not even tried), KeysDestroyed after the tenth
        wrong attempt and PlatformSecretMissing (not counted) when a phone-mode vault gets no keystore
        secret. ``platform_secret`` defaults to the one given to the constructor. Nothing else changes on
        failure."""
        if self.device.erased:
            raise LockedError("De gegevens van dit toestel zijn gewist.")
        with self.vault.unlock_lock:
            if self.device.unlocked:
                return
            secret = self.vault.platform_secret if platform_secret is None else bytes(platform_secret)
            local_key = self.vault.open_counted(passphrase, secret)
            self.device.open(local_key)
            clear_exports(self.device.data_dir, self.device.clock())  # exports older than a day go
            self._started()

    def _started(self) -> None:
        self.sync.start()
        if self.sync.autosync:
            self.casework.start_timer()
        self.device.notify()

    def lock(self) -> None:
        """Stop syncing and drop every key and the projection from memory."""
        self.casework.stop_timer()
        self.sync.stop()
        self.device.close_keys()
        if not self.device.erased:
            clear_exports(self.device.data_dir, self.device.clock())  # exports older than a day go
        self.sync.start_locked_delivery()  # sealed work keeps travelling, by signature, while locked

    def close(self) -> None:
        """The process is ending: lock, and close the store. Screens stop asking anything afterwards."""
        if self.device.erased or self.closed:
            return
        self.lock()
        self.sync.stop_locked_delivery()
        self.closed = True
        self.device.close()

    # -- display preferences (language, text size, light/dark): not sensitive, readable before unlock ------
    DISPLAY_CHOICES = {"lang": ("nl", "en"), "text_scale": (1.0, 1.5, 2.0), "theme_mode": ("system", "light", "dark")}

    def display_prefs(self) -> dict:
        """The saved display preferences (only known keys with allowed values; {} if none)."""
        raw = self.device.store.get_meta("display") if not self.device.erased else None
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
        if self.device.erased:
            return
        self.device.store.set_meta("display", json.dumps({**self.display_prefs(), **prefs}, sort_keys=True))

    def start_over(self, *, accept_loss: bool = False) -> dict[str, Any]:
        """A forgotten PIN or passphrase (or keys destroyed after ten wrong attempts): deliver what this
        device still has to send, by signature, then erase its data so it can be enrolled again.

        Returns ``{erased, delivered, remaining, error, permanent}``. Nothing is erased while work waits
        that could still arrive later (``error`` "offline" or a server error that may pass). Work that can
        never travel without the secret (``permanent``: sealed before this device had a team key, or
        refused for good) is erased only with ``accept_loss=True`` — the screen asks first. Not while
        unlocked: then the secret is known and nothing needs to start over. The old registration stays in
        the team ledger until a coordinator revokes it (reason "retired")."""
        if self.device.unlocked:
            raise NotAllowed("Het toestel is ontgrendeld; opnieuw beginnen is niet nodig.")
        if self.device.erased or not self.device.enrolled:
            return {"erased": False, "delivered": 0, "remaining": 0, "error": "", "permanent": False}
        outcome = self.sync.deliver_outbox()
        if outcome["remaining"] and not (outcome["permanent"] and accept_loss):
            return {"erased": False, **outcome}
        with self.vault.unlock_lock:  # nobody may unlock while the files go
            if self.device.unlocked:  # someone unlocked (another tab) while delivering: the secret is known after all
                raise NotAllowed("Het toestel is intussen ontgrendeld; er is niets gewist.")
            self.casework.stop_timer()
            self.sync.stop()
            self.sync.stop_locked_delivery()
            self.device.start_afresh()  # wrapped keys destroyed (committed) first, then every file
        log.warning("device data erased to enrol again (%d item(s) delivered, %d given up)",
                    outcome["delivered"], outcome["remaining"])
        self.device.notify()
        return {"erased": True, **outcome}

    def _check_invited_team(self) -> None:
        """Right after enrolling with an invitation: the genesis the server shows must be the invitation's
        team. On a mismatch this device erases itself and refuses. Offline: checked at the first sync."""
        try:
            self.sync.engine.admin(lambda: None)
        except SecurityAlert as exc:
            if exc.code == "wrong_team":  # an alert code (core.alerts), not a server error code
                self.device.erase()
                raise EnrolError(ENROL_MESSAGES["wrong_team"]) from None
            raise
        except (ServerError, Unreachable):
            pass
