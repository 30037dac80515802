"""Team administration on a coordinator's device: invitations, confirming a newcomer by its fingerprint,
roles, revocation with key rotation, wipe orders, and the list of the team's devices.

Every change is a signed entry of the team ledger, appended through the sync engine's ``admin`` (logged
in, on top of the newest verified ledger). Only a confirmed device with the beheer right may do this.
"""

from __future__ import annotations

import hmac
from typing import Any

from ..core.device import Device
from ..core.errors import NotAllowed
from ..core.lease import DAY_MS
from ..crypto.canonical import b64d, b64e
from ..crypto.facts import REVOKE_REASONS, ROLES
from ..crypto.identity import fingerprint, fingerprint_groups
from ..crypto.invite import invite_payload, team_fingerprint_bytes
from ..crypto.ledger import add_device as ledger_add_device
from ..crypto.ledger import revoke_device as ledger_revoke_device
from ..crypto.ledger import set_role as ledger_set_role
from ..crypto.ledger import wipe as ledger_wipe
from ..crypto.qr import QrUnavailable, qr_png
from ..domain.errors import ValidationError
from ..domain.vocab import Rol
from ..sync.engine import LedgerRefused
from .sync_control import SyncControl

__all__ = ["TeamAdmin"]


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


class TeamAdmin:
    def __init__(self, device: Device, sync: SyncControl):
        self.device, self.sync = device, sync

    def fingerprint(self) -> list[str]:
        """This device's twelve fingerprint groups (what a coordinator compares before confirming it)."""
        i = self.device.identity
        return fingerprint(self.device.team, i.ed25519_pub, i.x25519_pub)

    def _require_beheer(self) -> None:
        self.device.require_unlocked()
        if not self.device.has_beheer():
            raise NotAllowed("Alleen een bevestigd toestel met beheerrechten kan dit.")

    def _admin(self, action):
        try:
            return self.sync.engine.admin(action)
        except LedgerRefused as exc:
            raise _ledger_refusal(exc) from None
        finally:
            self.device.notify()

    def create_invitation(self, role: str) -> dict[str, Any]:
        """An invitation for a new device with ``role`` (coordinator devices only): ``{code, text,
        team_fingerprint (12 groups), qr_png (bytes; b"" without segno), expires_at, role}``. ``text`` is
        what the QR code holds: code, team, team fingerprint and server address."""
        self._require_beheer()
        if role not in ROLES:
            raise ValidationError({"role": "Kies een bestaande rol."})
        answer = self._admin(lambda: self.sync.engine.client.invite(self.device.team, role))
        # remembered (sealed) so the confirmation can check the role the server reports for the newcomer
        sent = [i for i in (self.device.store.get_secret("invites_sent") or []) if i.get("expires_at", 0) > self.device.clock()]
        sent.append({"role": role, "expires_at": int(answer.get("expires_at") or self.device.clock() + 7 * DAY_MS)})
        self.device.store.put_secret("invites_sent", sent)
        team_fp = team_fingerprint_bytes(self.device.store.ledger_entries()[0])
        text = invite_payload(answer["code"], self.device.team, team_fp, self.device.profile["server_url"])
        try:
            png = qr_png(text)
        except QrUnavailable:
            png = b""
        return {"code": answer["code"], "text": text, "team_fingerprint": fingerprint_groups(team_fp),
                "qr_png": png, "expires_at": answer.get("expires_at"), "role": role}

    def fingerprint_qr_png(self) -> bytes:
        """This device's fingerprint (the twelve groups as text) as a QR code, for the coordinator."""
        return qr_png(" ".join(self.fingerprint()))

    def pending_devices(self) -> list[dict[str, Any]]:
        """Devices that enrolled with an invitation and wait for a coordinator: ``[{id, role,
        fingerprint (12 groups computed from the keys the server holds)}]``. Compare the groups with the
        ones the new device shows before :meth:`confirm_device`."""
        self._require_beheer()
        devices = self._admin(lambda: self.sync.engine.client.devices(self.device.team))
        out = []
        for dev in devices:
            if not isinstance(dev, dict) or dev.get("status") != "pending":
                continue
            try:
                dev_id = b64d(dev["id"])
                groups = fingerprint(self.device.team, b64d(dev["ed25519"]), b64d(dev["x25519"]))
            except (KeyError, TypeError, ValueError):
                continue
            if dev_id not in self.device.ledger.devices:
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
        sent = [i for i in (self.device.store.get_secret("invites_sent") or []) if i.get("expires_at", 0) > self.device.clock()]

        def work() -> None:
            dev = next((d for d in self.sync.engine.client.devices(self.device.team)
                        if isinstance(d, dict) and d.get("id") == device_id), None)
            if dev is None or dev.get("status") != "pending":
                raise ValidationError({"device": "Dit toestel wacht niet op bevestiging."})
            dev_id, ed, x = b64d(dev["id"]), b64d(dev["ed25519"]), b64d(dev["x25519"])
            if not hmac.compare_digest(given.encode(), "".join(fingerprint(self.device.team, ed, x)).encode()):
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
            self.sync.engine.append_entry(lambda led: None if dev_id in led.devices else ledger_add_device(
                self.device.team, led.head_index + 1, led.head_hash, self.device.identity, dev_id, ed, x, reported,
                self.device.clock()))
            self.sync.engine.grant_current(only={dev_id})
            used = next((i for i in sent if i["role"] == reported), None)
            if used is not None:  # one invitation for this role is spent
                sent.remove(used)
                self.device.store.put_secret("invites_sent", sent)

        self._admin(work)

    def devices(self) -> list[dict[str, Any]]:
        """The team's devices as the verified ledger knows them: ``[{id, user, role, beheer, status ("actief" |
        "ingetrokken"), reason, wiped, fingerprint, me}]``."""
        self.device.require_unlocked()
        ledger = self.device.ledger
        if ledger is None:
            return []
        out = []
        names = self.device.projection.member_names()
        for dev_id, info in ledger.devices.items():
            revoked = ledger.revoked.get(dev_id)
            out.append({"id": b64e(dev_id), "user": names.get(b64e(dev_id)), "role": info.role, "beheer": info.beheer and revoked is None,
                        "status": "ingetrokken" if revoked else "actief",
                        "reason": revoked[0] if revoked else None, "wiped": dev_id in ledger.wipes,
                        "fingerprint": fingerprint(self.device.team, info.ed25519, info.x25519),
                        "me": dev_id == self.device.identity.device_id})
        return out

    def _target(self, device_id: str) -> bytes:
        try:
            target = b64d(device_id)
        except (TypeError, ValueError):
            target = b""
        if self.device.ledger is None or target not in self.device.ledger.devices:
            raise ValidationError({"device": "Dit toestel hoort niet bij het team."})
        return target

    def set_role(self, device_id: str, role: str, beheer: bool) -> None:
        """Give a team device another role and/or the beheer right (coordinator devices only)."""
        self._require_beheer()
        if role not in ROLES:
            raise ValidationError({"role": "Kies een bestaande rol."})
        target = self._target(device_id)
        self._admin(lambda: self.sync.engine.append_entry(lambda led: ledger_set_role(
            self.device.team, led.head_index + 1, led.head_hash, self.device.identity, target, role, bool(beheer),
            self.device.clock())))

    def revoke_device(self, device_id: str, reason: str) -> None:
        """Remove a device from the team (``RETIRED`` handed in, ``LOST`` lost or stolen, ``LEFT``): the
        revocation, then a new epoch key (with key history) granted to every remaining device. Nothing
        written afterwards can be opened with that device's keys."""
        self._require_beheer()
        if reason not in REVOKE_REASONS:
            raise ValidationError({"reason": "Kies: ingeleverd (RETIRED), kwijt of gestolen (LOST) of vertrokken "
                                             "(LEFT)."})
        target = self._target(device_id)
        if target == self.device.identity.device_id:
            raise ValidationError({"device": "Een toestel kan zichzelf niet intrekken; laat een andere "
                                             "coördinator dit doen."})

        def work() -> None:
            self.sync.engine.append_entry(lambda led: None if led.is_revoked(target) else ledger_revoke_device(
                self.device.team, led.head_index + 1, led.head_hash, self.device.identity, target, reason, self.device.clock()))
            if self.device.ledger.rotation_due():
                self.sync.engine.rotate()

        self._admin(work)

    def rotate_team_key(self) -> None:
        """A new epoch key now (also done by itself after a revocation)."""
        self._require_beheer()
        self._admin(self.sync.engine.rotate)

    def wipe_device(self, device_id: str) -> None:
        """Order a revoked device to erase its data when it next reaches the server."""
        self._require_beheer()
        target = self._target(device_id)
        if not self.device.ledger.is_revoked(target):
            raise ValidationError({"device": "Alleen een ingetrokken toestel kan gewist worden. Trek het eerst in."})
        self._admin(lambda: self.sync.engine.append_entry(lambda led: None if target in led.wipes else ledger_wipe(
            self.device.team, led.head_index + 1, led.head_hash, self.device.identity, target, self.device.clock())))
