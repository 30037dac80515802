"""The sync engine: one background thread per unlocked device.

Each round: log in, follow the team ledger, (coordinator) admit newly enrolled devices, collect key
grants, envelope work that waited for a key, push the outbox, pull what others wrote. It never blocks the
UI: views read the projection, and the engine only nudges them through ``Services`` notifications. When
the server is unreachable it retries every few seconds, so sync starts by itself within 5 s of the
server coming back.
"""

from __future__ import annotations

import logging
import threading
from typing import TYPE_CHECKING

from ..crypto import ledger as ledger_mod
from ..crypto.canonical import b64d, b64e
from ..crypto.envelope import EnvelopeError, MissingEpochKey, open_envelope
from ..crypto.grants import GrantError, make_grant, open_grant
from ..crypto.ledger import LedgerError, verify_chain
from ..crypto.wire import EnvelopeFormatError, unpack
from ..domain.hlc import now_ms
from .client import ServerError, SyncClient, Unreachable

if TYPE_CHECKING:
    from ..services import Services

log = logging.getLogger("veldwerk.sync")

POLL_S = 2.0  # idle poll interval while online
RETRY_MAX_S = 3.0  # longest wait between attempts while offline (keeps "back within 5 s")
PUSH_BATCH = 200
PULL_LIMIT = 500


class SyncEngine:
    def __init__(self, services: Services, client: SyncClient):
        self.svc = services
        self.client = client
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._round_lock = threading.Lock()
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
                self.svc._set_sync_state("offline")
                delay = min(max(delay * 2, 0.5), RETRY_MAX_S)
            except ServerError as exc:
                log.warning("sync: server answered %s %s", exc.status, exc.code)
                self.svc._set_sync_state("fout", code=exc.code)
                delay = RETRY_MAX_S
            except Exception as exc:  # keep the thread alive; nothing sensitive in the log line
                if self._stop.is_set():
                    break
                log.error("sync round failed: %s", type(exc).__name__)
                self.svc._set_sync_state("fout", code=type(exc).__name__)
                delay = RETRY_MAX_S

    # -- one round ---------------------------------------------------------------------------------
    def run_once(self) -> None:
        with self._round_lock:
            self.busy = True
            try:
                self._round()
            finally:
                self.busy = False

    def _round(self) -> None:
        svc = self.svc
        self.client.ensure_login(svc._team, svc._identity)
        self._follow_ledger()
        if svc._has_beheer():
            self._admit_devices()
        self._collect_grants()
        svc._envelope_waiting()
        self._push()
        self._pull()
        self._retry_pending()
        svc._after_round()

    def _follow_ledger(self) -> None:
        svc = self.svc
        remote = self.client.ledger(svc._team)["entries"]
        if not remote:
            if svc._profile.get("first"):
                self._post_genesis()
                remote = self.client.ledger(svc._team)["entries"]
            else:
                return
        local = svc._store.ledger_entries()
        if remote[: len(local)] != local:
            raise LedgerError("de server toont een andere teamgeschiedenis dan eerder")
        if len(remote) > len(local) or svc._ledger is None:
            verified = verify_chain(remote, svc._team)
            svc._store.ledger_replace(remote)
            svc._ledger = verified

    def _post_genesis(self) -> None:
        svc = self.svc
        key = svc._epoch_keys[1]
        from ..crypto.grants import epoch_commitment

        entry = ledger_mod.genesis(svc._team, svc._identity, svc._profile["role"],
                                   epoch_commitment(svc._team, 1, key), now_ms())
        self.client.append_ledger(svc._team, entry)
        grant = make_grant(team=svc._team, epoch=1, epoch_key=key, recipient=svc._identity.device_id,
                           recipient_x25519=svc._identity.x25519_pub, granter=svc._identity)
        self.client.post_grants(svc._team, [grant])

    def _admit_devices(self) -> None:
        """Trust on first use: add every enrolled, not yet admitted device and grant it the team keys."""
        svc = self.svc
        for dev in self.client.devices(svc._team):
            dev_id = b64d(dev["id"])
            if svc._ledger is None:
                return
            if dev.get("status") == "pending" and dev_id not in svc._ledger.devices:
                entry = ledger_mod.add_device(
                    svc._team, svc._ledger.head_index + 1, svc._ledger.head_hash, svc._identity, dev_id,
                    b64d(dev["ed25519"]), b64d(dev["x25519"]), dev["role"], now_ms(),
                )
                try:
                    self.client.append_ledger(svc._team, entry)
                except ServerError as exc:
                    if exc.code == "ledger_conflict":
                        self._follow_ledger()
                        continue
                    raise
                self._follow_ledger()
        # grant every epoch key we hold to every admitted device that has not had it from us yet
        grants = []
        for dev_id, info in svc._ledger.devices.items():
            for epoch, key in svc._epoch_keys.items():
                marker = f"granted:{b64e(dev_id)}:{epoch}"
                if svc._store.get_state(marker):
                    continue
                grants.append((marker, make_grant(team=svc._team, epoch=epoch, epoch_key=key, recipient=dev_id,
                                                  recipient_x25519=info.x25519, granter=svc._identity)))
        for start in range(0, len(grants), 100):
            chunk = grants[start:start + 100]
            try:
                self.client.post_grants(svc._team, [g for _, g in chunk])
            except ServerError as exc:
                if exc.code != "grant_conflict":
                    raise
            for marker, _ in chunk:
                svc._store.set_state(marker, "1")

    def _collect_grants(self) -> None:
        svc = self.svc
        if svc._ledger is None or svc._identity.device_id not in svc._ledger.devices:
            return
        for grant in self.client.grants(svc._team):
            epoch = grant.get("epoch")
            if epoch in svc._epoch_keys:
                continue
            try:
                epoch, key = open_grant(grant, me=svc._identity, team=svc._team, ledger=svc._ledger)
            except GrantError:
                log.warning("sync: refused a key grant that did not verify")
                continue
            svc._store_epoch_key(epoch, key)

    def _push(self) -> None:
        svc = self.svc
        while True:
            batch = svc._store.outbox_ready(PUSH_BATCH)
            if not batch:
                return
            results = self.client.push(svc._team, [env for _, env in batch])
            by_id = {b64d(r["op_id"]): r["seq"] for r in results}
            with svc._store.transaction():
                for op_id, _ in batch:
                    if op_id in by_id:
                        svc._store.outbox_remove(op_id)
                        svc._store.set_op_seq(op_id, by_id[op_id])
            svc._outbox_changed()
            if len(batch) < PUSH_BATCH:
                return

    def _open(self, envelope: bytes) -> tuple[str, dict | None]:
        """('ok', op) | ('pending', None) | ('rejected', None)"""
        svc = self.svc
        try:
            parts = unpack(envelope)
        except EnvelopeFormatError:
            return "rejected", None
        sender = svc._ledger.devices.get(parts.device) if svc._ledger else None
        if sender is None:
            return "pending", None
        try:
            op = open_envelope(envelope, team=svc._team, sender_ed25519=sender.ed25519, epoch_keys=svc._epoch_keys)
        except MissingEpochKey:
            return "pending", None
        except EnvelopeError:
            return "rejected", None
        return "ok", op

    def _pull(self) -> None:
        svc = self.svc
        while True:
            cursor = int(svc._store.get_state("cursor", "0"))
            page = self.client.pull(svc._team, cursor, PULL_LIMIT)
            applied: list[tuple[bytes, dict]] = []
            with svc._store.transaction():
                for change in page["changes"]:
                    envelope = b64d(change["envelope"])
                    seq = change["seq"]
                    try:
                        op_id = unpack(envelope).op_id
                    except EnvelopeFormatError:
                        svc._store.rejected_add(b"seq:%d" % seq, seq, envelope)
                        continue
                    if svc._store.has_op(op_id):
                        svc._store.set_op_seq(op_id, seq)
                        continue
                    status, op = self._open(envelope)
                    if status == "ok":
                        svc._store.add_op(op_id, op, origin="remote", seq=seq)
                        applied.append((op_id, op))
                    elif status == "pending":
                        svc._store.pending_add(op_id, seq, envelope, "key")
                    else:
                        svc._store.rejected_add(op_id, seq, envelope)
                svc._store.set_state("cursor", str(page["next"]))
            svc._apply_remote(applied)
            if not page.get("more"):
                return

    def _retry_pending(self) -> None:
        svc = self.svc
        applied = []
        for op_id, seq, envelope in svc._store.pending_all():
            status, op = self._open(envelope)
            if status == "pending":
                continue
            with svc._store.transaction():
                svc._store.pending_remove(op_id)
                if status == "ok":
                    svc._store.add_op(op_id, op, origin="remote", seq=seq)
                    applied.append((op_id, op))
                else:
                    svc._store.rejected_add(op_id, seq, envelope)
        svc._apply_remote(applied)
