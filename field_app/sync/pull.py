"""Pulling the team's changes: page by page with the cursor stored in the same transaction as the data,
every device's envelope chain checked, each envelope opened and judged against the sender's ledger role;
what cannot be opened yet waits (``pending``), what never opens is set aside (``rejected``)."""

from __future__ import annotations

import logging

from ..core.alerts import alert_code
from ..core.policy import SELF_TYPES, may_write
from ..crypto.canonical import CanonicalError, b64d, b64e, canonical_loads
from ..crypto.chain import ChainError, check_cursor, check_envelope_context
from ..crypto.envelope import EnvelopeError, MissingEpochKey, open_envelope_plain
from ..crypto.identity import verify_signature
from ..crypto.ledger import ledger_knows
from ..crypto.runs import vouch_runs
from ..crypto.wire import EnvelopeFormatError, envelope_hash, unpack
from ..store import LocalStore
from . import holds, opener
from .client import SyncClient
from .ledger_sync import LedgerSync
from .port import DevicePort
from .prefetch import PageFetcher
from .progress import RoundProgress
from .slice_store import SliceStore

__all__ = ["Puller", "PULL_LIMIT", "read_cursor"]

log = logging.getLogger("veldwerk.sync")

PULL_LIMIT = 500
# Envelopes applied per store transaction. The device's one SQLite connection is shared by the UI and
# sync under one lock: a page of 500 (signatures checked, opened, sealed again under the local key) held
# it for seconds on a busy phone, and a worker's save waited that long for "Opgeslagen". A page is now
# applied in slices, each with its cursor, so a save gets in between two slices.
# (100 per slice: about 15 ms of work on this machine; each slice is a commit, without an fsync: see
# ``_apply_page``.)
APPLY_CHUNK = 100


def read_cursor(store) -> int:
    """The stored pull cursor; 0 when the clear state row is not a whole number from 0 to 2^53, the range
    the server takes (damaged or altered in the file): everything is read again, and what is already here
    is recognised and skipped, instead of every sync failing (a larger number was refused by the server
    with 422 ``bad_query`` in every round, for good)."""
    value = store.get_state("cursor", "0") or "0"
    if value.isascii() and value.isdigit() and len(value) <= 16 and int(value) <= 2**53:
        return int(value)
    log.warning("the stored pull cursor is not a number: reading the team's changes from the start")
    return 0


class Puller:
    def __init__(self, device: DevicePort, client: SyncClient, ledger: LedgerSync):
        self.device, self.client, self.ledger = device, client, ledger
        self.need_reseal = False  # an earlier sealing of own work is on the server: seal the rest on top
        self.own_delivered = False
        self.saw_damaged = False  # an envelope refused as damaged: the own-chain check runs (own_chain.py)
        self._slice: SliceStore | None = None
        self._opened: dict[int, bytes] = {}  # seq -> plaintext the worker opened, for the slice being applied
        self.progress: RoundProgress | None = None  # the engine's round counts (the top bar's progress line)

    def _alert(self, kind: str, detail: str = "") -> None:
        self.device.raise_alert(alert_code(kind), detail)

    def pull(self, first: tuple[dict, int] | None = None) -> None:
        """To the end, page by page. ``first``: (page, cursor) already read with the round's other reads;
        used when the cursor is still that one. The next page is read while a page is applied
        (:mod:`.prefetch`)."""
        dev = self.device
        store = dev.store
        self.retry_pending()
        fetcher = PageFetcher(lambda after: self._read_ahead(self.client.pull(dev.team, after, PULL_LIMIT), after))
        try:
            while True:
                cursor = read_cursor(store)
                if first is not None and first[1] == cursor:
                    page = self._read_ahead(first[0], cursor)
                else:
                    page = fetcher.take(cursor)
                first = None
                if not self._pull_page(page, cursor, fetcher):
                    return
        finally:
            fetcher.close()

    def _read_ahead(self, page: dict, after: int) -> _Page:
        """A page as read, its envelopes decoded and, for a long page, given to the worker to open ahead
        (:mod:`.opener`; in the fetching thread, so the worker starts on the next page while this one is
        applied). A page that does not decode is left to :meth:`_pull_page`, which says so."""
        out = _Page(page)
        try:
            out.served = {change["seq"]: b64d(change["envelope"]) for change in page.get("changes")}
        except (TypeError, KeyError, ValueError, AttributeError):
            out.served = None
            return out
        ahead = sorted(seq for seq in out.served if type(seq) is int and seq > after)
        if len(ahead) >= opener.MIN_ENVELOPES and opener.available():
            dev = self.device
            for start in range(0, len(ahead), APPLY_CHUNK):
                seqs = ahead[start:start + APPLY_CHUNK]
                future = opener.submit(dev.team, dev.epoch_keys, [out.served[seq] for seq in seqs])
                if future is None:
                    break
                for seq in seqs:
                    out.opening[seq] = (future, seqs)
        return out

    def _take_opened(self, page: _Page, seqs: list[int]) -> None:
        """The worker's plaintexts for ``seqs`` (the slice about to be applied), where it has them."""
        self._opened = {}
        done: set[int] = set()
        for seq in seqs:
            entry = page.opening.get(seq)
            if entry is None or id(entry[0]) in done:
                continue
            future, its_seqs = entry
            done.add(id(future))
            answer = opener.result(future, wait=opener.warm())
            if answer is not None and len(answer) == len(its_seqs):
                self._opened.update((s, plain) for s, plain in zip(its_seqs, answer, strict=True)
                                    if plain is not None)

    def _pull_page(self, fetched: _Page, cursor: int, fetcher: PageFetcher) -> bool:
        """Check and apply one page; True if there is more to read (then already being read)."""
        dev = self.device
        store = dev.store
        page = fetched.page
        changes, announced = page.get("changes"), page.get("next")
        served: dict[int, bytes] = {}
        decoded: list[dict] = []  # the page's changes with their envelopes decoded once
        try:
            for change in changes:
                seq = change["seq"]
                env = fetched.served[seq] if fetched.served is not None else b64d(change["envelope"])
                served[seq] = env
                decoded.append({"seq": seq, "envelope": env})
        except (TypeError, KeyError, ValueError):
            self._alert("bad_envelope", "malformed page")

        def applied(seq: int, served: dict[int, bytes] = served) -> bytes | None:
            env, seen = served.get(seq), store.seen_at_seq(seq)
            return env if env is not None and seen is not None and seen == envelope_hash(env) else None

        try:
            new_cursor = check_cursor(cursor, decoded, announced, applied=applied)
        except ChainError as exc:
            self._alert(exc.kind, str(exc))
        fresh = [(seq, env) for seq, env in sorted(served.items()) if seq > cursor]
        self._ensure_ledger_covers(fresh)
        more = bool(page.get("more") and fresh)
        if more:
            fetcher.start(new_cursor)  # read the next page while this one is applied
        for start in range(0, max(len(fresh), 1), APPLY_CHUNK):
            chunk = fresh[start:start + APPLY_CHUNK]
            last = start + APPLY_CHUNK >= len(fresh)
            self.own_delivered = False
            self._take_opened(fetched, [seq for seq, _env in chunk])
            try:
                applied = self._apply_page(chunk, new_cursor if last else chunk[-1][0])
            finally:
                self._opened = {}
            if self.progress is not None:
                self.progress.received += len(chunk)
            dev.apply_remote(applied)
            if self.own_delivered:
                dev.outbox_changed()
        return more

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
                elif not ledger_knows(ledger, parts.ledger_head) and \
                        verify_signature(sender.ed25519, parts.signature, parts.signed_bytes()):
                    out.append(parts.ledger_head)  # the signature only when it matters (the chain check has it)
            return out

        if unknown():
            self.ledger.follow()
            if any(head for head in unknown()):
                self._alert("withheld", "an envelope names a ledger head the server does not show")

    def _apply_page(self, fresh: list[tuple[int, bytes]], new_cursor: int) -> list[tuple[bytes, dict]]:
        """Check and apply one slice of a page in one transaction with the cursor and the chain state. A
        security stop rolls the slice back (nothing of it applied) and raises the alert; the page's cursor
        was checked before any slice was applied."""
        dev = self.device
        applied: list[tuple[bytes, dict, str]] = []
        ledger = dev.ledger
        vouched = vouch_runs([env for _seq, env in fresh],
                             lambda d: ledger.devices[d].ed25519 if ledger and d in ledger.devices else None)
        # Not durable (no fsync at its commit): a power cut may lose the newest slices, never half of one,
        # and their cursor goes with them, so they are read again (docs/architecture.md, "How a note travels").
        with dev.chain_transaction(durable=False):
            self._slice = SliceStore(dev.store, [env for _seq, env in fresh])  # few statements per slice
            try:
                for i, (seq, env) in enumerate(fresh):
                    taken = self._take(seq, env, observe=True, vouched=i in vouched)
                    if taken is not None:
                        applied.append(taken)
                self._slice.flush()
            finally:
                self._slice = None
            dev.store.set_state("cursor", str(new_cursor))
        return applied

    def _store(self) -> LocalStore | SliceStore:
        """The store, or the slice's view of it while a slice is applied (:mod:`.slice_store`)."""
        return self._slice if self._slice is not None else self.device.store

    def _take(self, seq: int, env: bytes, *, observe: bool, in_order: bool = False,
              vouched: bool = False) -> tuple[bytes, dict, str] | None:
        """One served envelope: chain check, own delivery, context, open, role. Inside a transaction.
        A gap or fork in its device's chain holds that device back (the envelope waits as ``chain``);
        ``in_order`` is a held envelope tried again in its chain's order."""
        dev = self.device
        store = self._store()
        try:
            parts = unpack(env)
        except EnvelopeFormatError:
            store.rejected_add(b"seq:%d" % seq, seq, env)
            self.saw_damaged = True
            return None
        ledger = dev.ledger
        sender = ledger.devices.get(parts.device) if ledger else None
        op_id = parts.op_id
        if sender is None:
            store.pending_add(op_id, seq, env, "sender")  # its ledger entry is not here yet
            return None
        if observe and not self._observe(seq, env, parts, sender.ed25519, in_order, vouched):
            return None
        own = store.outbox_envelope(op_id)
        if own is not None:  # this device's own envelope: it has been delivered
            store.outbox_remove(op_id)
            store.set_op_seq(op_id, seq)
            if own != env:  # an earlier sealing of it was stored: seal the rest on top of what is there
                self.need_reseal = True
            self.own_delivered = True
            return None
        if store.has_op(op_id):
            store.set_op_seq(op_id, seq)
            if dev.projection.unconfirmed(op_id):  # delivered by signature, confirmed now: its state changes
                self.own_delivered = True
            return None
        try:
            index = check_envelope_context(ledger, env)
        except ChainError:
            store.rejected_add(op_id, seq, env, "context")
            return None
        try:
            op, plain = self._opened_here(seq, parts) if observe else (None, None)
            if op is None:
                op, plain = open_envelope_plain(env, team=dev.team, sender_ed25519=sender.ed25519,
                                                epoch_keys=dev.epoch_keys, sender_device=parts.device,
                                                signature_checked=observe)  # observe verified it
        except MissingEpochKey:
            store.pending_add(op_id, seq, env, "key")
            return None
        except EnvelopeError:
            store.rejected_add(op_id, seq, env, "unreadable")
            return None
        if not self.allowed(op, parts.device, index):
            dev.count("ignored_ops")
            store.rejected_add(op_id, seq, env, "not_allowed")
            return None
        # the device's own operation whose row was lost (the file altered): stored as its own again
        origin = "local" if parts.device == dev.identity.device_id else "remote"
        store.add_op(op_id, op, origin=origin, seq=seq, plain=plain)
        return op_id, op, origin

    def _opened_here(self, seq: int, parts) -> tuple[dict | None, bytes | None]:
        """The worker's plaintext of this envelope (opened with the same checks, :mod:`.opener`), read again
        with the full canonical check; (None, None) when there is none or it does not fit (then the
        envelope is opened here)."""
        plain = self._opened.pop(seq, None)
        if plain is None:
            return None, None
        try:
            op = canonical_loads(plain)
        except CanonicalError:
            return None, None
        if type(op) is not dict or op.get("op_id") != parts.header["op_id"]:
            return None, None
        return op, plain

    def _observe(self, seq: int, env: bytes, parts, sender_key: bytes, in_order: bool, vouched: bool = False) -> bool:
        """Feed the envelope to its device's chain; False if it is not taken now (a replay, a bad envelope,
        or its device held back: then it waits, in chain order). ``vouched``: a verified run of its chain
        in this page carries its signature (``crypto.runs``; docs/security.md)."""
        store = self._store()
        held = holds.held(store)
        if held and not in_order and held.get(b64e(parts.device)) in holds.BLOCKING:
            # its chain is broken before it: wait in order — if it is its device's at all (a damaged copy
            # is refused now, so only the author's good copy can fill its place later)
            if vouched or verify_signature(sender_key, parts.signature, parts.signed_bytes()):
                store.pending_add(parts.op_id, seq, env, "chain")
            else:
                store.rejected_add(b"seq:%d" % seq, seq, env)
                self.saw_damaged = True
            return False
        try:
            self.device.tracker.observe(env, sender_key, known=store.seen_in_chain, signature_checked=vouched)
        except ChainError as exc:
            if exc.kind == "replay":
                self.device.count("replays")
                return False
            if exc.kind == "bad_envelope":
                store.rejected_add(b"seq:%d" % seq, seq, env)
                self.saw_damaged = True
                if parts.header["device_seq"] == self.device.tracker.last(parts.device)[0] + 1:
                    holds.hold(store, parts.device, "damaged")  # its place waits for the author's copy
                return False
            if exc.kind in ("gap", "fork") and exc.device is not None:
                holds.hold(store, exc.device, exc.kind)
                store.pending_add(parts.op_id, seq, env, "chain")
                return False
            raise
        store.seen_add(seq, parts.device, parts.header["device_seq"], envelope_hash(env))
        return True

    def allowed(self, op: dict, sender: bytes, index: int) -> bool:
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

    def retry_pending(self) -> None:
        dev = self.device
        store = dev.store
        pending = store.pending_all()
        if not pending:
            return
        applied = []
        with dev.chain_transaction():
            for op_id, seq, env, reason in pending:
                if reason == "sender" and store.has_op(op_id):
                    store.pending_remove(op_id)  # a damaged copy naming no known device: its op came intact
                    continue
                if reason == "chain" or not self._can_retry(env, reason):
                    continue
                store.pending_remove(op_id)
                taken = self._take(seq, env, observe=reason == "sender")
                if taken is not None:
                    applied.append(taken)
            applied += self._retry_chains([p for p in pending if p[3] == "chain"])
        dev.apply_remote(applied)

    def _retry_chains(self, waiting: list[tuple[bytes, int, bytes, str]]) -> list[tuple[bytes, dict, str]]:
        """Held envelopes, per device in chain order, as far as the chain is whole now (the missing
        envelope arrived); a device with nothing left waiting is released."""
        dev, store = self.device, self.device.store
        by_device: dict[bytes, list[tuple[int, bytes, int, bytes]]] = {}
        for op_id, seq, env, _reason in waiting:
            parts = unpack(env)
            by_device.setdefault(parts.device, []).append((parts.header["device_seq"], op_id, seq, env))
        applied = []
        for device, chain in by_device.items():
            left = len(chain)
            for device_seq, op_id, seq, env in sorted(chain):
                last = dev.tracker.last(device)[0]
                if device_seq > last + 1:
                    break  # still missing before it
                store.pending_remove(op_id)
                left -= 1
                if device_seq <= last:  # seen meanwhile (or another envelope at its place): not again
                    continue
                taken = self._take(seq, env, observe=True, in_order=True)
                if taken is not None:
                    applied.append(taken)
            if not left and holds.held(store).get(b64e(device)) in holds.MENDED_BY_THE_CHAIN:
                holds.release(store, device)
        return applied

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

    def check_heads(self, heads: list[dict]) -> None:
        """Each device's signed push head against what was served: a head beyond it (withheld), another
        envelope at its place (fork) or a head that does not verify holds that device back; a device
        whose head is reached again is released from a ``withheld`` hold. A head naming no device at all
        is an alert."""
        dev = self.device
        if dev.ledger is None or not heads:
            return
        for head in heads:
            try:
                dev.tracker.check_heads([head], team=dev.team, ledger=dev.ledger, known=dev.store.seen_in_chain)
            except ChainError as exc:
                if exc.device is None:
                    self._alert(exc.kind, str(exc))
                holds.hold(dev.store, exc.device, exc.kind if exc.kind in holds.HOLD_REASONS else "bad_head")
                continue
            device = b64d(head["device"])
            if holds.held(dev.store).get(b64e(device)) == "withheld":
                holds.release(dev.store, device)


class _Page:
    """A pull page as read, with its envelopes decoded (``served``, None if the page does not decode) and the
    worker's openings under way (seq -> (future, the seqs of that future))."""

    __slots__ = ("page", "served", "opening")

    def __init__(self, page: dict):
        self.page = page
        self.served: dict[int, bytes] | None = None
        self.opening: dict[int, tuple] = {}
