"""The sync engine: one background thread per unlocked device.

Each round: log in, follow the team ledger on top of the pinned head (``verify_extension``), collect and
check key grants (earlier epochs through the key history), do the coordinator's duties (finish a due
rotation, grant the current key to active devices), envelope work that waited for a key, push the outbox
with a signed push head, read the push heads, pull to the end while checking the cursor and every
device's envelope chain, check the heads, and retry envelopes that waited for a key. New devices join
only when a coordinator confirms them (``Services.confirm_device``); there is no trust on first use.

When the server contradicts what this device verified before (rollback, fork, gap, withheld envelopes,
a grant for a key the ledger does not commit to, another team than the invitation's) the engine raises
:class:`~field_app.core.alerts.SecurityAlert`, applies nothing of that answer and stops syncing. A revoked device
polls the public ledger for its wipe entry and erases itself only on a verified one.

The work is split: :mod:`.ledger_sync` (ledger and keys), :mod:`.pull` (pull and chain checks),
:mod:`.delivery` (delivery by signature); this module runs the rounds, pushes and handles revocation.

It never blocks the UI: views read the projection, and the engine only nudges them through ``Services``
notifications. When the server is unreachable (or answers errors) it tries again with exponential backoff
and jitter (0.5 s doubling up to 30 s, :mod:`.backoff`); a write or "Nu synchroniseren" wakes it at once.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from functools import partial
from typing import Any

from ..core.alerts import SecurityAlert
from ..core.states import SyncState
from ..crypto.canonical import b64d
from ..crypto.chain import push_head
from ..crypto.facts import ErrorCode
from ..crypto.identity import verify_signature
from ..crypto.ledger import verify_extension, wipe_decision
from ..crypto.wire import envelope_hash, unpack
from ..domain.errors import StorageError
from ..store.bulk import OUTBOX_START
from .backoff import retry_delay
from .client import ServerError, SyncClient, Unreachable
from .delivery import LEGACY_PUSH_BATCH, PUSH_BATCH, PUSH_REFUSED, deliver_signed, fitting
from .ledger_sync import LedgerRefused, LedgerSync
from .lost_tail import refill_gap
from .marks import DeliveryMarks
from .mend import StoreMend
from .own_chain import OwnChainCheck
from .port import DevicePort
from .prefetch import PageFetcher
from .progress import RoundProgress
from .pull import PULL_LIMIT, Puller, read_cursor

__all__ = ["SyncEngine", "LedgerRefused", "deliver_signed"]

log = logging.getLogger("veldwerk.sync")

POLL_S = 2.0  # idle poll interval while online
ALERT_RETRY_S = 30.0  # a stopped (alerted) device only re-reads its own state


class _NotAnEnvelope(Exception):
    """An entry of this device's own outbox is not an envelope: its framing damaged in the file (a flipped
    bit where the server's ``bad_envelope`` would be found too late: the batch's head could not be made) or
    the row altered into text. Every push failed on it (the sync sheet said "Deze invoer klopt niet") and the
    work behind it never left; the outbox is sealed again from the stored operations instead (found by an
    attack on the device's file)."""


class SyncEngine:
    """The background sync of one unlocked device. It reads and changes the device only through
    :class:`~.port.DevicePort` (the device core's public API)."""

    def __init__(self, device: DevicePort, client: SyncClient):
        self.device = device
        self.client = client
        self.ledger = LedgerSync(device, client)
        self.puller = Puller(device, client, self.ledger)
        self.own_chain = OwnChainCheck(device, client)  # its own envelopes as the server holds them (#11)
        self.mend = StoreMend(device, client, self.puller.allowed)  # stored operations lost or damaged
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._round_lock = threading.RLock()
        self._no_round = False  # the server has no GET /round (an older one)
        self.busy = False
        self.progress: RoundProgress | None = None  # the running round's counts (:mod:`.progress`)
        self.push_batch = PUSH_BATCH  # LEGACY_PUSH_BATCH after an older server refused a batch as too many

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
        delay, failures = 0.0, 0  # failed rounds in a row: the wait backs off with jitter (sync/backoff.py)
        while not self._stop.is_set():
            self._wake.wait(delay)
            self._wake.clear()
            if self._stop.is_set():
                break
            try:
                self.run_once()
                delay, failures = POLL_S, 0
                continue
            except Unreachable:
                self.device.set_sync_state(SyncState.OFFLINE)
            except SecurityAlert:
                delay = ALERT_RETRY_S  # the state says why; nothing is pushed or applied any more
                continue
            except ServerError as exc:
                log.warning("sync: server answered %s %s", exc.status, exc.code)
                self.device.set_sync_state(SyncState.ERROR, code=exc.code)
            except StorageError as exc:  # full or read-only: the sync sheet shows the Dutch sentence
                log.error("sync round failed: the device's storage refused a write (%s)", exc.kind)
                self.device.set_sync_state(SyncState.ERROR, code=str(exc))
            except Exception as exc:  # keep the thread alive; nothing sensitive in the log line
                if self._stop.is_set():
                    break
                log.error("sync round failed: %s", type(exc).__name__)
                self.device.set_sync_state(SyncState.ERROR, code=type(exc).__name__)
            failures += 1
            delay = retry_delay(failures)

    # -- one round ---------------------------------------------------------------------------------
    def run_once(self) -> None:
        with self._round_lock:
            self.busy = True
            self.progress = self.puller.progress = RoundProgress()
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
                shown = self.progress.shown() is not None
                self.busy = False
                self.progress = self.puller.progress = None
                if shown:  # the progress line goes away now, not at the next change
                    self.device.notify()

    def progress_shown(self) -> dict[str, int] | None:
        """The running round's counts when it is long enough to show (:mod:`.progress`), else None."""
        progress = self.progress
        return progress.shown() if progress is not None else None

    def logged_in(self, action: Callable[[], Any]) -> Any:
        """Run a read (e.g. the server's access log) between rounds, logged in."""
        with self._round_lock:
            self.client.ensure_login(self.device.team, self.device.identity)
            return action()

    def admin(self, action: Callable[[], Any]) -> Any:
        """Run a coordinator action between rounds, logged in and on top of the newest verified ledger."""
        with self._round_lock:  # not stopped by a security stop: a coordinator must be able to respond
            self.client.ensure_login(self.device.team, self.device.identity)
            self.ledger.follow()
            return action()

    def append_entry(self, build):
        """Sign and append one ledger entry (see :meth:`LedgerSync.append_entry`)."""
        return self.ledger.append_entry(build)

    def rotate(self) -> None:
        self.ledger.rotate()

    def grant_current(self, only: set[bytes] | None = None) -> None:
        self.ledger.grant_current(only)

    def _round(self) -> None:
        dev = self.device
        dev.check_alert()
        if dev.store.get_state("revoked"):
            if dev.ledger is not None and dev.ledger.is_revoked(dev.identity.device_id):
                self._revoked()
                return
            # set only together with the verified ledger entry that revokes this device (``_revoked``): a
            # row without it was written into the file, and would have stopped this device for good
            log.warning("a revoked mark without its ledger entry: ignored")
            dev.store.set_state("revoked", "")
        dev.check_lease()
        self.ledger.fresh = False
        self.client.ensure_login(dev.team, dev.identity)
        view = self._read_round()  # ledger, heads and first page in one request (a member's round)
        self.ledger.follow(view["ledger"] if view else None)
        if dev.ledger is not None and dev.ledger.is_revoked(dev.identity.device_id):
            self._revoked()
            return
        self.ledger.collect_grants()
        if dev.has_beheer():
            self.ledger.coordinate()
        dev.envelope_waiting()
        try:
            dev.announce_member()  # whose device this is, for the team's device list and access logs
        except Exception as exc:  # never let it spoil the round; it is tried again next time
            log.warning("member announcement not written: %s", type(exc).__name__)
        if not self.mend.done and self._member():  # before the push: unsent work whose row is gone travels
            self._mend()
        self._push()
        member = self._member()
        heads = (view["heads"] if view else self.client.heads(dev.team)) if member else []
        if member:  # the server gives a device nothing of the team's before its confirmation
            self.puller.pull((view["page"], view["cursor"]) if view else None)
        if self.puller.need_reseal:
            self._reseal_from_server_view()
            self._push()
        self.puller.check_heads(heads)
        self.puller.retry_pending()
        if member:
            self._check_own_chain()
        dev.after_round()

    def _check_own_chain(self) -> None:
        """Deliver again own envelopes whose copies on the server are damaged (:mod:`.own_chain`)."""
        if self.puller.saw_damaged:
            self.puller.saw_damaged, self.own_chain.suspect = False, True
        if not self.own_chain.due():
            return
        try:
            self.own_chain.run()
        except ServerError as exc:  # never let it spoil the round; an older server without it: stop asking
            log.warning("own chain check: server answered %s %s", exc.status, exc.code)
            if exc.status in (404, 405):
                self.own_chain.unsupported = True

    def _mend(self) -> None:
        """Stored operations lost or damaged in this device's file, fetched again (:mod:`.mend`). Never
        spoils the round: only a server out of reach fails it (the next round tries again)."""
        try:
            self.mend.run()
        except Unreachable:
            raise
        except Exception as exc:  # noqa: BLE001 - logged by type only; tried again after the next unlock
            log.warning("mending stored operations failed: %s", type(exc).__name__)
            self.mend.done = True

    def _member(self) -> bool:
        return self.device.is_member()

    def _read_round(self) -> dict | None:
        """For a member: ``SyncClient.round`` (the heads read before the page, as a reader must). None
        before confirmation, or from a server without it (then the three reads go one by one)."""
        dev = self.device
        if self._no_round or dev.ledger is None or not dev.is_member():
            return None
        cursor = read_cursor(dev.store)
        try:
            view = self.client.round(dev.team, dev.ledger.head_index, cursor, PULL_LIMIT)
        except ServerError as exc:
            if exc.status != 404:
                raise
            self._no_round = True
            return None
        if not (isinstance(view.get("ledger"), dict) and isinstance(view.get("heads"), list)
                and isinstance(view.get("page"), dict)):
            raise ServerError(200, "bad_response", "a round answer without its parts")
        return {**view, "cursor": cursor}

    # -- push --------------------------------------------------------------------------------------------
    def _push(self) -> None:
        dev = self.device
        if not self.ledger.fresh or not self._member():
            return  # never push on a ledger view that was not just checked against the server
        marks = DeliveryMarks(dev)  # a batch's delivery is written while the next one travels
        try:
            self._push_batches(marks)
        finally:
            marks.wait()

    def _push_batches(self, marks: DeliveryMarks) -> None:
        """Push the outbox batch by batch. While a batch travels (and the server checks and stores it), the
        next one is read from the outbox (after this one's positions, so an entry still being marked is not
        sent twice), signed and encoded in a thread of its own (:class:`.prefetch.PageFetcher`); the
        previous batch's marks are written meanwhile too (:class:`.marks.DeliveryMarks`)."""
        dev = self.device
        resealed = False
        ahead = PageFetcher(lambda after: self._push_batch(after, ahead=True), name="veldwerk-push-ahead")
        # read once, not after every batch: that read waited for the previous batch's marks (the store lock)
        refused = bool(dev.store.get_state(PUSH_REFUSED))
        progress = self.progress or RoundProgress()
        progress.pushing(dev.store.outbox_count())

        def read(get: Callable[[], Any]) -> Any:
            """A batch, or when an envelope of the outbox is not one (:class:`_NotAnEnvelope`): the outbox
            sealed again, as for a server's ``bad_envelope``, once a push, and the batch from the start."""
            nonlocal resealed
            try:
                return get()
            except _NotAnEnvelope:
                if resealed:
                    raise
                ahead.close()
                marks.wait()
                self._reseal()
                resealed = True
                return self._push_batch(OUTBOX_START)

        try:
            batch = read(partial(self._push_batch, OUTBOX_START))
            while batch is not None:
                rows, body, more = batch
                if more:
                    ahead.start(rows[-1][0])
                try:
                    results = self.client.push_encoded(dev.team, body)
                except ServerError as exc:
                    ahead.close()  # the outbox changes below: what was read ahead is dropped
                    marks.wait()  # the outbox as the server's earlier answers left it
                    resealed = self._after_push_error(exc, resealed)
                    refused = bool(dev.store.get_state(PUSH_REFUSED))
                    if resealed is None:
                        return
                    batch = read(partial(self._push_batch, OUTBOX_START))
                    continue
                by_id = {b64d(r["op_id"]): r["seq"] for r in results}
                if refused:  # a push passed: what was refused before is no longer said
                    dev.store.set_state(PUSH_REFUSED, "")
                    refused = False
                marks.add([(op_id, by_id[op_id]) for _, op_id, _ in rows if op_id in by_id])
                progress.sent += len(rows)
                batch = read(partial(ahead.take, rows[-1][0])) if more else None
        finally:
            ahead.close()

    def _push_batch(self, after: int, ahead: bool = False) -> tuple[list[tuple[int, bytes, bytes]], bytes, bool] | None:
        """The outbox's next batch after position ``after`` (at most PUSH_BATCH, cut to the server's body
        limit), its push body with a signed head, and whether more may follow; None when nothing is ready.
        ``ahead``: read while the previous batch's marks are written, through the store's reading connection."""
        dev = self.device
        store = dev.store
        read = (store.outbox_read_ahead if ahead else store.outbox_ready_after)(after, self.push_batch)
        if not read:
            return None
        rows = fitting(read, lambda row: row[2])
        envelopes = [env for _, _, env in rows]
        try:
            last = unpack(envelopes[-1])
            head = push_head(dev.team, dev.identity.device_id, last.header["device_seq"],
                             envelope_hash(envelopes[-1]), dev.identity)
            body = self.client.push_body(envelopes, head)
        except (TypeError, ValueError) as exc:  # EnvelopeFormatError is a ValueError
            raise _NotAnEnvelope() from exc
        return rows, body, len(read) == self.push_batch or len(rows) < len(read)

    def _after_push_error(self, exc: ServerError, resealed: bool) -> bool | None:
        """What a refused push batch means: True when the outbox was sealed again (the push starts over),
        None when the push stops for this round; raises what this device cannot mend."""
        # stale_epoch: the epoch rotated under the outbox. op_conflict / head_conflict: the server
        # already holds an earlier sealing of this work (an answer lost on the way). Either way:
        # catch up with what the server holds, then seal the rest again on top of it, once.
        # bad_signature / bad_envelope: an envelope in this device's own outbox is damaged (a bit flipped in
        # its file); the operations are stored apart from it, so sealing them again mends it (once a push).
        if exc.is_(ErrorCode.STALE_EPOCH, ErrorCode.OP_CONFLICT, ErrorCode.HEAD_CONFLICT, ErrorCode.BAD_SIGNATURE,
                   ErrorCode.BAD_ENVELOPE) and not resealed:
            self._reseal()
            return True
        if exc.is_(ErrorCode.CHAIN_GAP) and not resealed:
            self._recover_gap()  # the server lacks part of this device's chain (lost_tail.py)
            return True
        if exc.is_(ErrorCode.CHAIN_FORK) and not resealed:
            self._recover_own_chain()  # behind the server's copy of this device's chain (restored from a backup)
            return True
        if exc.is_(ErrorCode.TOO_MANY_ENVELOPES) and self.push_batch > LEGACY_PUSH_BATCH:
            self.push_batch = LEGACY_PUSH_BATCH  # a server from before issue #11: its batches, from the start
            return resealed
        if exc.is_(ErrorCode.ROTATION_PENDING):  # the server saw a removal first: keep it, re-seal later
            self.puller.need_reseal = True
            return None
        if 400 <= exc.status < 500:  # refused, not mended here: each unsent record says so until a push passes
            self.device.store.set_state(PUSH_REFUSED, exc.code)
        raise exc

    def _recover_own_chain(self) -> None:
        """This device is behind what the server holds of its own chain (its data folder was restored from
        a backup, or anything else lost its newest envelopes): pull (its own later operations come back
        like anyone's), read its own chain from the server after what it knows and verify it with its own
        key, then seal its unsent work again on top. Nothing on either side is lost or doubled; the user
        is told in one sentence. A chain that does not verify with its own key is a security stop."""
        dev = self.device
        self.ledger.follow()
        self.ledger.collect_grants()
        self.puller.pull()
        seq, digest = self._own_chain_head()
        dev.reseal_outbox(seq, digest)
        dev.store.set_state("recovered_at", str(dev.clock()))
        log.warning("this device was behind the server's copy of its chain: its unsent work is sealed again")

    def _recover_gap(self) -> None:
        """The server holds this device's chain only up to an earlier place than its outbox was sealed on:
        pull, deliver again the kept envelopes the server lost, put own work that has no envelope anywhere
        back in the outbox (:mod:`.lost_tail`), then seal the outbox again on top of the server's head.
        Nothing recorded here is dropped; the user is told in one sentence."""
        dev = self.device
        self.ledger.follow()
        self.ledger.collect_grants()
        self.puller.pull()
        refill = refill_gap(dev, self.client)
        dev.reseal_outbox(*refill.head)
        dev.outbox_changed()
        dev.store.set_state("recovered_at", str(dev.clock()))
        log.warning("the server lacked part of this device's chain: %d delivered again, %d sealed again",
                    refill.delivered, refill.requeued)

    def _own_chain_head(self) -> tuple[int, bytes]:
        """The head of this device's own chain as the server holds it, every envelope read back checked with
        this device's own key. A copy damaged on the server (its signature no longer verifies: disk damage,
        an edited database) is skipped, and the next envelope, signed by this device at the next place,
        carries the chain on (it commits to the good copy by hash, which the damaged one no longer has):
        a restored phone seals on top of its own newest envelope instead of stopping for good, and readers
        wait for the damaged place as they do for any device (docs/security.md). An envelope this device
        did not sign after a good one, a place out of order, or a head that does not end the chain
        are a security stop."""
        dev = self.device
        me = dev.identity.device_id
        seq, digest = dev.tracker.last(me)
        damaged = False  # the previous envelope read back did not verify
        while True:
            answer = self.client.own_chain(dev.team, me, seq)
            for item in answer.get("envelopes") or []:
                try:
                    env = b64d(item["envelope"])
                    parts = unpack(env)
                except (KeyError, TypeError, ValueError):
                    env, parts = None, None
                signed = parts is not None and parts.device == me and verify_signature(
                    dev.identity.ed25519_pub, parts.signature, parts.signed_bytes())
                place = parts.header["device_seq"] if signed else \
                    item.get("device_seq") if isinstance(item, dict) else None  # a malformed item: a stop
                if place != seq + 1 or (signed and not damaged and b64d(parts.header["prev_hash"]) != digest):
                    dev.raise_alert("fork", "the server shows an own chain this device did not sign")
                damaged = not signed
                if damaged:
                    log.warning("an own envelope the server holds is damaged: skipped, the chain goes on after it")
                seq, digest = seq + 1, envelope_hash(env) if env is not None else b""
            if not answer.get("more") or not answer.get("envelopes"):
                break
        head_hash = answer.get("hash")
        if damaged or answer.get("device_seq") != seq or (seq and (not head_hash or b64d(head_hash) != digest)):
            dev.raise_alert("fork", "the server's head of this device's chain does not match its envelopes")
        return seq, digest

    def _reseal(self) -> None:
        """Follow the ledger, collect the newest key, pull to the end (what the server already holds
        leaves the outbox), then seal the rest again on top of this device's chain as the server holds it."""
        self.ledger.follow()
        self.ledger.collect_grants()
        self.puller.pull()
        self._reseal_from_server_view()

    def _reseal_from_server_view(self) -> None:
        dev = self.device
        self.puller.need_reseal = False
        seq, digest = dev.tracker.last(dev.identity.device_id)
        dev.reseal_outbox(seq, digest)

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
        # no clock check here: a phone whose clock was set back must still take its wipe
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

