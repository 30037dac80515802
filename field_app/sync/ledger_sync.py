"""The team ledger and the team keys, as the sync engine follows them: the ledger is accepted only on top
of the pinned head (``verify_extension``); grants are opened and checked against it; a coordinator's
device appends signed entries, rotates the epoch key and grants it to every active device."""

from __future__ import annotations

import os
from collections.abc import Callable

from ..core.alerts import alert_code
from ..crypto import ledger as ledger_mod
from ..crypto.canonical import b64d, b64e
from ..crypto.facts import LEDGER_AT_AHEAD_DEVICE_MS, ErrorCode
from ..crypto.grants import GrantError, make_grant, open_grant
from ..crypto.invite import matches_team
from ..crypto.ledger import (
    LedgerError,
    LedgerTimeError,
    VerifiedLedger,
    epoch_commitment,
    extend_chain,
    unwrap_history,
    verify_extension,
)
from .client import ServerError, SyncClient
from .port import DevicePort

__all__ = ["LedgerSync", "LedgerRefused", "GRANT_BATCH"]

GRANT_BATCH = 100


class LedgerRefused(ValueError):
    """A ledger entry this device was about to sign breaks a ledger rule (e.g. no beheer left)."""


class LedgerSync:
    def __init__(self, device: DevicePort, client: SyncClient):
        self.device, self.client = device, client
        self.fresh = False  # the ledger view was just checked against the server

    def _alert(self, kind: str, detail: str = "") -> None:
        self.device.raise_alert(alert_code(kind), detail)

    def follow(self, answer: dict | None = None) -> None:
        """Fetch what follows the pinned head and accept it only through ``verify_extension``. ``answer``:
        the server's answer to that read when it came with others (``SyncClient.round``)."""
        dev = self.device
        pinned = dev.ledger
        if answer is None:
            answer = self.client.ledger(dev.team, -1 if pinned is None else pinned.head_index)
        entries, head = answer.get("entries"), answer.get("head")
        if pinned is None and not entries:
            if dev.profile.get("first") and not dev.store.get_state("genesis_posted"):
                self._post_genesis()
                self.follow()
            self.fresh = True
            return
        head_t = None
        if isinstance(head, dict):
            try:
                head_t = (int(head["index"]), b64d(head["hash"]))
            except (KeyError, TypeError, ValueError):
                self._alert("ledger", "malformed head")
        elif pinned is not None:
            self._alert("rollback", "the server announces no ledger head")
        base = pinned or VerifiedLedger(team=dev.team)
        try:
            verified = verify_extension(base, entries, head_t, now=dev.clock(), ahead=LEDGER_AT_AHEAD_DEVICE_MS)
        except LedgerTimeError as exc:
            self._alert("ledger_time", str(exc))
        except (LedgerError, AttributeError, TypeError, KeyError, ValueError, RecursionError) as exc:
            self._alert(str(exc) if isinstance(exc, LedgerError) else "ledger", str(exc))
        team_fp = dev.profile.get("team_fp")
        if pinned is None and team_fp and not matches_team(entries[0], b64d(team_fp)):
            self._alert("wrong_team", "the genesis does not match the invitation")
        dev.adopt_ledger(verified, [e for e in entries if e["index"] > base.head_index]
                         if verified.head_index > base.head_index else [])
        self.fresh = True

    def _post_genesis(self) -> None:
        dev = self.device
        key = dev.epoch_keys[1]
        entry = ledger_mod.genesis(dev.team, dev.identity, dev.profile["role"],
                                   epoch_commitment(dev.team, 1, key), dev.clock())
        self.client.append_ledger(dev.team, entry)
        grant = make_grant(team=dev.team, epoch=1, epoch_key=key, recipient=dev.identity.device_id,
                           recipient_x25519=dev.identity.x25519_pub, granter=dev.identity)
        self.client.post_grants(dev.team, [grant])
        dev.store.set_state("genesis_posted", "1")
        dev.store.set_state(f"granted:{b64e(dev.identity.device_id)}:1", "1")

    def append_entry(self, build: Callable[[VerifiedLedger], dict | None]) -> dict | None:
        """Sign and append one ledger entry made by ``build(ledger)`` (None: nothing to do any more).
        The entry is checked against the ledger rules first; a stale head is re-read and rebuilt."""
        dev = self.device
        for _ in range(5):
            ledger = dev.ledger
            if ledger is None:
                raise LedgerRefused("Dit toestel kent de teamgeschiedenis nog niet.")
            entry = build(ledger)
            if entry is None:
                return None
            try:
                extend_chain(ledger, [entry])
            except LedgerError as exc:
                raise LedgerRefused(str(exc)) from None
            try:
                self.client.append_ledger(dev.team, entry)
            except ServerError as exc:
                if exc.is_(ErrorCode.LEDGER_CONFLICT):
                    self.follow()
                    continue
                raise
            self.follow()
            return entry
        raise ServerError(409, ErrorCode.LEDGER_CONFLICT.code, "the ledger kept moving")

    # -- keys ------------------------------------------------------------------------------------------
    def collect_grants(self) -> None:
        """Open the grants for epochs this device lacks (newest first) and walk the key history down.
        A grant that does not verify against the ledger is an alert: the server offered a key of its own."""
        dev = self.device
        ledger = dev.ledger
        if not dev.is_member() or all(e in dev.epoch_keys for e in ledger.epochs):
            return
        grants = [g for g in self.client.grants(dev.team)
                  if isinstance(g, dict) and type(g.get("epoch")) is int and g["epoch"] in ledger.epochs]
        for grant in sorted(grants, key=lambda g: -g["epoch"]):
            if grant["epoch"] in dev.epoch_keys:
                continue
            try:
                epoch, key = open_grant(grant, me=dev.identity, team=dev.team, ledger=ledger)
                keys = unwrap_history(ledger, epoch, key)
            except (GrantError, LedgerError) as exc:
                self._alert("grant", str(exc))
            with dev.store.transaction():
                for e, k in keys.items():
                    if e not in dev.epoch_keys:
                        dev.store_epoch_key(e, k)
        if all(e in dev.epoch_keys for e in ledger.epochs):
            dev.lease_restored()

    def coordinate(self) -> None:
        dev = self.device
        ledger = dev.ledger
        if ledger.rotation_due() and ledger.current_epoch in dev.epoch_keys:
            self.rotate()
        self.grant_current()

    def rotate(self) -> None:
        """A fresh epoch key: ``rotate_epoch`` (with the key history), then grants to every active device.
        The new key is kept sealed as "epoch-next" before the entry is sent, so a crash cannot lose it."""
        dev = self.device
        current = dev.ledger.current_epoch
        prev_key = dev.epoch_keys.get(current)
        if prev_key is None:
            raise LedgerRefused("Dit toestel heeft de huidige teamsleutel niet en kan hem dus niet vernieuwen.")
        new_key = os.urandom(32)
        dev.store.put_secret("epoch-next", {"epoch": current + 1, "key": b64e(new_key)})

        def build(ledger: VerifiedLedger) -> dict | None:
            if ledger.current_epoch != current:
                return None  # another coordinator rotated meanwhile
            return ledger_mod.rotate_epoch(dev.team, ledger.head_index + 1, ledger.head_hash, dev.identity,
                                           current + 1, new_key, prev_key, dev.clock())

        self.append_entry(build)
        dev.adopt_rotated_key()
        self.grant_current()

    def grant_current(self, only: set[bytes] | None = None) -> None:
        """Grant the current epoch key to every active device of the verified ledger that has not had it
        from this device (another coordinator's grant for the same device counts as done)."""
        dev = self.device
        ledger = dev.ledger
        epoch = ledger.current_epoch
        key = dev.epoch_keys.get(epoch)
        if key is None:
            return
        todo = []
        for dev_id, info in ledger.active_devices().items():
            marker = f"granted:{b64e(dev_id)}:{epoch}"
            if (only is not None and dev_id not in only) or dev.store.get_state(marker):
                continue
            todo.append((marker, make_grant(team=dev.team, epoch=epoch, epoch_key=key, recipient=dev_id,
                                            recipient_x25519=info.x25519, granter=dev.identity)))
        for start in range(0, len(todo), GRANT_BATCH):
            chunk = todo[start:start + GRANT_BATCH]
            try:
                self.client.post_grants(dev.team, [g for _, g in chunk])
            except ServerError as exc:
                if not exc.is_(ErrorCode.GRANT_CONFLICT):
                    raise
                for _, grant in chunk:  # all or nothing was stored: one by one, conflicts are done
                    try:
                        self.client.post_grants(dev.team, [grant])
                    except ServerError as one:
                        if not one.is_(ErrorCode.GRANT_CONFLICT):
                            raise
            for marker, _ in chunk:
                dev.store.set_state(marker, "1")

