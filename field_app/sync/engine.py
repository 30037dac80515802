"""The sync engine: one background thread per unlocked device.

Each round: log in, follow the team ledger on top of the pinned head (``verify_extension``), collect and
check key grants (earlier epochs through the key history), do the coordinator's duties (finish a due
rotation, grant the current key to active devices), envelope work that waited for a key, push the outbox
with a signed push head, read the push heads, pull to the end while checking the cursor and every
device's envelope chain, check the heads, and retry envelopes that waited for a key. New devices join
only when a coordinator confirms them (``Services.confirm_device``); there is no trust on first use.

When the server contradicts what this device verified before (rollback, fork, gap, withheld envelopes,
a grant for a key the ledger does not commit to, another team than the invitation's) the engine raises
:class:`~.alerts.SecurityAlert`, applies nothing of that answer and stops syncing. A revoked device
polls the public ledger for its wipe entry and erases itself only on a verified one.

It never blocks the UI: views read the projection, and the engine only nudges them through ``Services``
notifications. When the server is unreachable it retries every few seconds, so sync starts by itself
within 5 s of the server coming back.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable
from typing import Any

from ..core.alerts import SecurityAlert, alert_code
from ..core.policy import SELF_TYPES, may_write
from ..core.states import SyncState
from ..crypto import ledger as ledger_mod
from ..crypto.canonical import b64d, b64e
from ..crypto.chain import ChainError, check_cursor, check_envelope_context, push_head
from ..crypto.envelope import EnvelopeError, MissingEpochKey, open_envelope
from ..crypto.facts import ErrorCode
from ..crypto.grants import GrantError, make_grant, open_grant
from ..crypto.identity import verify_signature
from ..crypto.invite import matches_team
from ..crypto.ledger import (
    LedgerError,
    VerifiedLedger,
    epoch_commitment,
    extend_chain,
    ledger_knows,
    unwrap_history,
    verify_extension,
    wipe_decision,
)
from ..crypto.wire import EnvelopeFormatError, envelope_hash, unpack
from .client import ServerError, SyncClient, Unreachable
from .port import DevicePort

log = logging.getLogger("veldwerk.sync")

POLL_S = 2.0  # idle poll interval while online
RETRY_MAX_S = 3.0  # longest wait between attempts while offline (keeps "back within 5 s")
ALERT_RETRY_S = 30.0  # a stopped (alerted) device only re-reads its own state
PUSH_BATCH = 200
PULL_LIMIT = 500
GRANT_BATCH = 100


class LedgerRefused(ValueError):
    """A ledger entry this device was about to sign breaks a ledger rule (e.g. no beheer left)."""


def deliver_signed(client: SyncClient, store, team: bytes) -> dict[str, Any]:
    """Deliver the outbox by signature (``/changes/signed``, no token): for a device whose keys were
    destroyed, an old data directory whose passphrase is forgotten, or a device retired with work left.

    Returns ``{delivered, remaining, error, permanent}``: ``error`` is "" when everything arrived,
    "offline" when unreachable, "not_sealed" for work that waited for a team key (sealed under the local
    key only, so it cannot travel without the passphrase), else the server's error code (``permanent`` True
    for a refusal that will not change by trying again, e.g. ``stale_epoch`` or ``device_revoked``).
    """
    delivered, error, permanent = 0, "", False
    while True:
        batch = store.outbox_ready(PUSH_BATCH)
        if not batch:
            break
        try:
            results = client.push_signed(team, [env for _, env in batch])
        except Unreachable:
            error = "offline"
            break
        except ServerError as exc:
            error, permanent = exc.code, 400 <= exc.status < 500 and not exc.is_(ErrorCode.ROTATION_PENDING)
            break
        accepted = {r.get("op_id") for r in results if isinstance(r, dict)}
        with store.transaction():
            for op_id, _ in batch:
                if b64e(op_id) in accepted:
                    store.outbox_remove(op_id)
                    delivered += 1
        if not accepted:
            break
    remaining = store.outbox_count()
    if remaining and not error:  # work written before this device had the team key: sealed locally only
        error, permanent = "not_sealed", True
    return {"delivered": delivered, "remaining": remaining, "error": error, "permanent": permanent}


class SyncEngine:
    """The background sync of one unlocked device. It reads and changes the device only through
    :class:`~.port.DevicePort` (the device core's public API)."""

    def __init__(self, device: DevicePort, client: SyncClient):
        self.device = device
        self.client = client
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._round_lock = threading.RLock()
        self._ledger_fresh = False
        self._need_reseal = False
        self._own_delivered = False
        self.busy = False

    # -- thread ------------------------------------------------------------------------------------
    def start(self) -> None:
        if self._thread and self._thread.is_alive():
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._loop, name="veldwerk-sync", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 15.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread and self._thread is not threading.current_thread():
            self._thread.join(timeout)
        self._thread = None

    def nudge(self) -> None:
        self._wake.set()

    def _loop(self) -> None:
        delay = 0.0
        while not self._stop.is_set():
            self._wake.wait(delay)
            self._wake.clear()
            if self._stop.is_set():
                break
            try:
                self.run_once()
                delay = POLL_S
            except Unreachable:
                self.device.set_sync_state(SyncState.OFFLINE)
                delay = min(max(delay * 2, 0.5), RETRY_MAX_S)
            except SecurityAlert:
                delay = ALERT_RETRY_S  # the state says why; nothing is pushed or applied any more
            except ServerError as exc:
                log.warning("sync: server answered %s %s", exc.status, exc.code)
                self.device.set_sync_state(SyncState.ERROR, code=exc.code)
                delay = RETRY_MAX_S
            except Exception as exc:  # keep the thread alive; nothing sensitive in the log line
                if self._stop.is_set():
                    break
                log.error("sync round failed: %s", type(exc).__name__)
                self.device.set_sync_state(SyncState.ERROR, code=type(exc).__name__)
                delay = RETRY_MAX_S

    # -- one round ---------------------------------------------------------------------------------
    def run_once(self) -> None:
        with self._round_lock:
            self.busy = True
            try:
                try:
                    self._round()
                except ServerError as exc:
                    if exc.is_(ErrorCode.DEVICE_REVOKED):
                        self._revoked()
                    elif exc.is_(ErrorCode.TOKEN_EXPIRED, ErrorCode.UNAUTHORIZED):
                        self._round()  # the client dropped the token: log in again, once
                    else:
                        raise
            finally:
                self.busy = False

    def logged_in(self, action: Callable[[], Any]) -> Any:
        """Run a read (e.g. the server's access log) between rounds, logged in."""
        with self._round_lock:
            self.client.ensure_login(self.device.team, self.device.identity)
            return action()

    def admin(self, action: Callable[[], Any]) -> Any:
        """Run a coordinator action between rounds, logged in and on top of the newest verified ledger."""
        with self._round_lock:
            self.device.check_alert()
            self.client.ensure_login(self.device.team, self.device.identity)
            self._follow_ledger()
            return action()

    def _round(self) -> None:
        dev = self.device
        dev.check_alert()
        if dev.store.get_state("revoked"):
            self._revoked()
            return
        dev.check_lease()
        self._ledger_fresh = False
        self.client.ensure_login(dev.team, dev.identity)
        self._follow_ledger()
        if dev.ledger is not None and dev.ledger.is_revoked(dev.identity.device_id):
            self._revoked()
            return
        self._collect_grants()
        if dev.has_beheer():
            self._coordinate()
        dev.envelope_waiting()
        try:
            dev.announce_member()  # whose device this is, for the team's device list and access logs
        except Exception as exc:  # never let it spoil the round; it is tried again next time
            log.warning("member announcement not written: %s", type(exc).__name__)
        self._push()
        member = self._member()
        heads = self.client.heads(dev.team) if member else []
        if member:  # the server gives a device nothing of the team's before its confirmation
            self._pull()
        if self._need_reseal:
            self._reseal_from_server_view()
            self._push()
        self._check_heads(heads)
        self._retry_pending()
        dev.after_round()

    def _member(self) -> bool:
        return self.device.is_member()

    def _alert(self, kind: str, detail: str = "") -> None:
        self.device.raise_alert(alert_code(kind), detail)

    # -- the team ledger -----------------------------------------------------------------------------
    def _follow_ledger(self) -> None:
        """Fetch what follows the pinned head and accept it only through ``verify_extension``."""
        dev = self.device
        pinned = dev.ledger
        answer = self.client.ledger(dev.team, -1 if pinned is None else pinned.head_index)
        entries, head = answer.get("entries"), answer.get("head")
        if pinned is None and not entries:
            if dev.profile.get("first") and not dev.store.get_state("genesis_posted"):
                self._post_genesis()
                self._follow_ledger()
            self._ledger_fresh = True
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
            verified = verify_extension(base, entries, head_t)
        except (LedgerError, AttributeError, TypeError, KeyError, ValueError, RecursionError) as exc:
            self._alert(str(exc) if isinstance(exc, LedgerError) else "ledger", str(exc))
        team_fp = dev.profile.get("team_fp")
        if pinned is None and team_fp and not matches_team(entries[0], b64d(team_fp)):
            self._alert("wrong_team", "the genesis does not match the invitation")
        dev.adopt_ledger(verified, [e for e in entries if e["index"] > base.head_index]
                         if verified.head_index > base.head_index else [])
        self._ledger_fresh = True

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
                    self._follow_ledger()
                    continue
                raise
            self._follow_ledger()
            return entry
        raise ServerError(409, ErrorCode.LEDGER_CONFLICT.code, "the ledger kept moving")

    # -- keys ------------------------------------------------------------------------------------------
    def _collect_grants(self) -> None:
        """Open the grants for epochs this device lacks (newest first) and walk the key history down.
        A grant that does not verify against the ledger is an alert: the server offered a key of its own."""
        dev = self.device
        ledger = dev.ledger
        if not self._member() or all(e in dev.epoch_keys for e in ledger.epochs):
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

    def _coordinate(self) -> None:
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

    # -- push --------------------------------------------------------------------------------------------
    def _push(self) -> None:
        dev = self.device
        if not self._ledger_fresh or not self._member():
            return  # never push on a ledger view that was not just checked against the server
        resealed = False
        while True:
            batch = dev.store.outbox_ready(PUSH_BATCH)
            if not batch:
                return
            envelopes = [env for _, env in batch]
            last = unpack(envelopes[-1])
            head = push_head(dev.team, dev.identity.device_id, last.header["device_seq"],
                             envelope_hash(envelopes[-1]), dev.identity)
            try:
                results = self.client.push(dev.team, envelopes, head)
            except ServerError as exc:
                # stale_epoch: the epoch rotated under the outbox. op_conflict / head_conflict: the server
                # already holds an earlier sealing of this work (an answer lost on the way). Either way:
                # catch up with what the server holds, then seal the rest again on top of it, once.
                if exc.is_(ErrorCode.STALE_EPOCH, ErrorCode.OP_CONFLICT, ErrorCode.HEAD_CONFLICT) and not resealed:
                    resealed = True
                    self._reseal()
                    continue
                if exc.is_(ErrorCode.ROTATION_PENDING):  # the server saw a removal first: keep it, re-seal later
                    self._need_reseal = True
                    return
                raise
            by_id = {b64d(r["op_id"]): r["seq"] for r in results}
            with dev.store.transaction():
                for op_id, _ in batch:
                    if op_id in by_id:
                        dev.store.outbox_remove(op_id)
                        dev.store.set_op_seq(op_id, by_id[op_id])
            dev.outbox_changed()
            if len(batch) < PUSH_BATCH:
                return

    def _reseal(self) -> None:
        """Follow the ledger, collect the newest key, pull to the end (what the server already holds
        leaves the outbox), then seal the rest again on top of this device's chain as the server holds it."""
        self._follow_ledger()
        self._collect_grants()
        self._pull()
        self._reseal_from_server_view()

    def _reseal_from_server_view(self) -> None:
        dev = self.device
        self._need_reseal = False
        seq, digest = dev.tracker.last(dev.identity.device_id)
        dev.reseal_outbox(seq, digest)

    # -- pull --------------------------------------------------------------------------------------------
    def _pull(self) -> None:
        dev = self.device
        store = dev.store
        self._retry_pending()
        while True:
            cursor = int(store.get_state("cursor", "0"))
            page = self.client.pull(dev.team, cursor, PULL_LIMIT)
            changes, announced = page.get("changes"), page.get("next")
            served: dict[int, bytes] = {}
            try:
                for change in changes:
                    served[change["seq"]] = b64d(change["envelope"])
            except (TypeError, KeyError, ValueError):
                self._alert("bad_envelope", "malformed page")

            def applied(seq: int, served: dict[int, bytes] = served) -> bytes | None:
                env, seen = served.get(seq), store.seen_at_seq(seq)
                return env if env is not None and seen is not None and seen == envelope_hash(env) else None

            try:
                new_cursor = check_cursor(cursor, changes, announced, applied=applied)
            except ChainError as exc:
                self._alert(exc.kind, str(exc))
            fresh = [(seq, env) for seq, env in sorted(served.items()) if seq > cursor]
            self._ensure_ledger_covers(fresh)
            self._own_delivered = False
            dev.apply_remote(self._apply_page(fresh, new_cursor))
            if self._own_delivered:
                dev.outbox_changed()
            if not page.get("more") or not fresh:
                return

    def _ensure_ledger_covers(self, fresh: list[tuple[int, bytes]]) -> None:
        """An envelope signed by a member naming a ledger head this device does not know means this
        device is behind: follow the ledger; if the server still cannot show that head, it withholds."""
        def unknown() -> list[bytes]:
            ledger, out = self.device.ledger, []
            for _seq, env in fresh:
                try:
                    parts = unpack(env)
                except EnvelopeFormatError:
                    continue
                sender = ledger.devices.get(parts.device) if ledger else None
                if sender is None:
                    out.append(b"")
                elif verify_signature(sender.ed25519, parts.signature, parts.signed_bytes()) and \
                        not ledger_knows(ledger, b64d(parts.header["ledger_head"])):
                    out.append(b64d(parts.header["ledger_head"]))
            return out

        if unknown():
            self._follow_ledger()
            if any(head for head in unknown()):
                self._alert("withheld", "an envelope names a ledger head the server does not show")

    def _apply_page(self, fresh: list[tuple[int, bytes]], new_cursor: int) -> list[tuple[bytes, dict]]:
        """Check and apply one page in one transaction with the cursor and the chain state. A gap or
        fork rolls the whole page back (nothing applied) and raises the alert."""
        dev = self.device
        applied: list[tuple[bytes, dict]] = []
        with dev.chain_transaction():
            for seq, env in fresh:
                taken = self._take(seq, env, observe=True)
                if taken is not None:
                    applied.append(taken)
            dev.store.set_state("cursor", str(new_cursor))
        return applied

    def _take(self, seq: int, env: bytes, *, observe: bool) -> tuple[bytes, dict] | None:
        """One served envelope: chain check, own delivery, context, open, role. Inside a transaction.
        Raises ChainError for a gap or fork (the caller rolls back and alerts)."""
        dev = self.device
        store = dev.store
        try:
            parts = unpack(env)
        except EnvelopeFormatError:
            store.rejected_add(b"seq:%d" % seq, seq, env)
            return None
        ledger = dev.ledger
        sender = ledger.devices.get(parts.device) if ledger else None
        op_id = parts.op_id
        if sender is None:
            store.pending_add(op_id, seq, env, "sender")  # its ledger entry is not here yet
            return None
        if observe:
            try:
                dev.tracker.observe(env, sender.ed25519, known=store.seen_in_chain)
            except ChainError as exc:
                if exc.kind == "replay":
                    dev.count("replays")
                    return None
                if exc.kind == "bad_envelope":
                    store.rejected_add(b"seq:%d" % seq, seq, env)
                    return None
                raise
            store.seen_add(seq, parts.device, parts.header["device_seq"], envelope_hash(env))
        own = store.outbox_envelope(op_id)
        if own is not None:  # this device's own envelope: it has been delivered
            store.outbox_remove(op_id)
            store.set_op_seq(op_id, seq)
            if own != env:  # an earlier sealing of it was stored: seal the rest on top of what is there
                self._need_reseal = True
            self._own_delivered = True
            return None
        if store.has_op(op_id):
            store.set_op_seq(op_id, seq)
            return None
        try:
            index = check_envelope_context(ledger, env)
        except ChainError:
            store.rejected_add(op_id, seq, env)
            return None
        try:
            op = open_envelope(env, team=dev.team, sender_ed25519=sender.ed25519, epoch_keys=dev.epoch_keys,
                               sender_device=parts.device)
        except MissingEpochKey:
            store.pending_add(op_id, seq, env, "key")
            return None
        except EnvelopeError:
            store.rejected_add(op_id, seq, env)
            return None
        if not self._allowed(op, parts.device, index):
            dev.count("ignored_ops")
            store.rejected_add(op_id, seq, env)
            return None
        store.add_op(op_id, op, origin="remote", seq=seq)
        return op_id, op

    def _allowed(self, op: dict, sender: bytes, index: int) -> bool:
        """The sender's ledger role at the head it sealed under must allow the operation; an audit or
        member entry must name its own sender."""
        if op.get("type") in SELF_TYPES:
            fields = op.get("fields")
            return isinstance(fields, dict) and fields.get("device") == b64e(sender)
        kind = op.get("kind")
        if kind == "create" and isinstance(op.get("record_id"), str) and \
                self.device.projection.record(op["record_id"]) is not None:
            kind = "set"  # a second create of a known record changes its fields like a set: judge it so
        return may_write(self.device.ledger.role_at(sender, index), str(op.get("type")), kind, op.get("fields"))

    def _retry_pending(self) -> None:
        dev = self.device
        store = dev.store
        pending = store.pending_all()
        if not pending:
            return
        applied = []
        with dev.chain_transaction():
            for op_id, seq, env, reason in pending:
                if not self._can_retry(env, reason):
                    continue
                store.pending_remove(op_id)
                taken = self._take(seq, env, observe=reason == "sender")
                if taken is not None:
                    applied.append(taken)
        dev.apply_remote(applied)

    def _can_retry(self, env: bytes, reason: str) -> bool:
        """A held envelope is tried again once what it waited for (its sender's ledger entry, or the
        key of its epoch) is here."""
        dev = self.device
        try:
            parts = unpack(env)
        except EnvelopeFormatError:
            return reason not in ("sender", "key")
        if reason == "sender":
            return dev.ledger is not None and parts.device in dev.ledger.devices
        if reason == "key":
            return parts.epoch in dev.epoch_keys
        return True

    def _check_heads(self, heads: list[dict]) -> None:
        dev = self.device
        if dev.ledger is None or not heads:
            return
        try:
            dev.tracker.check_heads(heads, team=dev.team, ledger=dev.ledger, known=dev.store.seen_in_chain)
        except ChainError as exc:
            self._alert(exc.kind, str(exc))

    # -- revoked -----------------------------------------------------------------------------------------
    def _revoked(self) -> None:
        """The server refuses this device. Believe only the verified ledger: read the public ledger, and
        erase only on a verified wipe entry (a RETIRED device delivers its outbox by signature first).
        A server error, garbage or a forged answer changes nothing."""
        dev = self.device
        me = dev.identity.device_id
        pinned = dev.ledger
        known = dev.store.get_state("revoked")
        dev.set_sync_state(SyncState.REVOKED if known else SyncState.ERROR, code=known or "device_revoked")
        if pinned is None:
            return
        try:
            answer = self.client.public_ledger(dev.team, me, pinned.head_index)
        except (ServerError, Unreachable):
            return
        entries = answer.get("entries")
        decision = wipe_decision(pinned, entries, me)
        if decision.revoked is None:
            return
        verified = verify_extension(pinned, entries)  # wipe_decision just verified it
        if verified.head_index > pinned.head_index:
            dev.adopt_ledger(verified, [e for e in entries if e["index"] > pinned.head_index])
        dev.store.set_state("revoked", decision.revoked)
        dev.set_sync_state(SyncState.REVOKED, code=decision.revoked)
        outcome = None
        if decision.revoked == "RETIRED" and dev.store.outbox_count():
            outcome = deliver_signed(self.client, dev.store, dev.team)
            dev.outbox_changed()
        if decision.wipe:
            if decision.deliver_outbox_first and outcome is not None and outcome["remaining"] \
                    and not outcome["permanent"]:
                return  # not delivered yet (offline or a server error): erase on a later try
            dev.erase()
