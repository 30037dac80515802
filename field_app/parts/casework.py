"""Casework: every record type of ``domain.records`` through one validated path, the automatic rules and
the overviews the views read (caseload, agenda, flags). Views call these methods, never the store.

A write is validated against the client's merged records (``ProjectionContext``), stored as one sealed
operation with its outbox entry, and then folded into the projection. Automatic flags get an id derived
from (client, rule, source), so two devices that raise the same flag offline write the same record.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from typing import Any

from ..core.device import Device
from ..core.policy import may_write
from ..crypto.canonical import b64e
from ..crypto.identity import new_id
from ..domain import flag_steps, links, rules
from ..domain.context import DictContext
from ..domain.errors import StorageError, ValidationError
from ..domain.hlc import now_ms
from ..domain.questions import ESCALATE, needs_escalation
from ..domain.records import (
    NOTE_TYPES,
    RECORD_SPECS,
    singleton_record_id,
    validate_addendum,
    validate_create,
    validate_retract,
    validate_update,
)
from ..domain.records_report import REVIEWABLE_TYPES
from ..domain.review import ReviewEntry, review_state
from ..domain.vocab import Ernst
from ..sync.delivery import PUSH_REFUSED
from ..views_model import AddendumView, CaseloadItem, ClientSummary, NoteView, RecordView
from . import questions
from .conflicts import conflicts_by_client, field_conflicts

log = logging.getLogger("veldwerk.rules")

RULES_INTERVAL_S = 15.0  # the local timer that raises time-based flags (late transition) offline too
OPEN_FLAG_STATES = ("OPEN", "IN_BEHANDELING")


def reviews_of(projection, client_id: str, target_id: str, reviews: list | None = None) -> list[ReviewEntry]:
    """Every review of one contact or report (any order), from the projection."""
    rows = projection.records(client_id, "review") if reviews is None else reviews
    return [ReviewEntry(r.id, r.fields.get("decision", ""), r.fields.get("comment", ""),
                        int(r.fields.get("at") or r.created_at), r.author)
            for r in rows if r.fields.get("target_id") == target_id]


class ProjectionContext:
    """``domain.context.ClientContext`` over the live projection."""

    def __init__(self, projection, client_id: str, now: int, only: dict[str, str] | None = None):
        self._p, self.client_id, self.now = projection, client_id, now
        self._only = only or {}  # type -> the one record of that type the rules look at (what a write touched)

    def records(self, type: str) -> list[tuple[str, dict]]:
        if type in self._only:
            found = self.record(self._only[type])
            return [(self._only[type], found[1])] if found is not None and found[0] == type else []
        return [(r.id, dict(r.fields)) for r in self._p.records(self.client_id, type)]

    def record(self, record_id: str) -> tuple[str, dict] | None:
        rec = self._p.record(record_id)
        if rec is None or rec.retracted is not None or rec.client_id != self.client_id:
            return None
        return rec.type, dict(rec.fields)



class Casework:
    """Every domain record through one validated path, the automatic rules and the overviews."""

    def __init__(self, device: Device):
        self.device = device
        self._rules_lock = threading.RLock()
        self._rules_paused = False
        self._rules_stop: threading.Event | None = None
        # other parts' checks before a ``set`` (``guard(record, changes)`` raises to refuse it)
        self.update_guards: list[Callable[[Any, dict], None]] = []
        device.on_stop(self.stop_timer)

    # -- context -----------------------------------------------------------------------------------
    def client_context(self, client_id: str, now: int | None = None) -> ProjectionContext:
        self.device.require_unlocked()
        if not self.device.projection.has_client(client_id):
            raise KeyError(client_id)
        return ProjectionContext(self.device.projection, client_id, now_ms() if now is None else now)

    def _sync_state(self, op_id: bytes, origin: str, refused: bool) -> str:
        """The record's sync state; an unsent one is ``geweigerd`` while the server refuses this device's
        pushes (the reason is in the sync sheet: the round's error code)."""
        state = self.device.projection.sync_state(op_id, origin)
        return "geweigerd" if refused and state == "wachtend" else state

    def _push_refused(self) -> bool:
        return bool(self.device.store.get_state(PUSH_REFUSED))

    def view(self, rec, refused: bool | None = None) -> RecordView:
        """``refused``: :meth:`_push_refused`, read once by a caller that shows many records."""
        p = self.device.projection
        refused = self._push_refused() if refused is None else refused
        return RecordView(
            id=rec.id, type=rec.type, client_id=rec.client_id, fields=dict(rec.fields), author=rec.author,
            created_at=rec.created_at, sync_state=self._sync_state(rec.op_id, rec.origin, refused),
            last_author=rec.last_author,
            addenda=tuple(AddendumView(a.id, a.text, a.author, a.at, self._sync_state(a.op_id, a.origin, refused))
                          for a in rec.addenda),
            retracted=dict(rec.retracted) if rec.retracted else None,
            conflicts=field_conflicts(p, rec) if rec.frontier else (),
            versions={} if rec.type in NOTE_TYPES else {n: s.to_wire() for n, s in rec.stamps.items()})

    # -- reads -------------------------------------------------------------------------------------
    def records(self, client_id: str, type: str, *, include_retracted: bool = False) -> list[RecordView]:
        self.device.require_unlocked()
        refused = self._push_refused()
        return [self.view(r, refused) for r in self.device.projection.records(client_id, type, include_retracted)]

    def record(self, record_id: str) -> RecordView:
        self.device.require_unlocked()
        rec = self.device.projection.record(record_id)
        if rec is None:
            raise KeyError(record_id)
        return self.view(rec)

    def notes(self, client_id: str) -> list[RecordView]:
        """Every note of a client (contacts, meldcode weighings, case conferences), retracted stubs
        included, newest first by the moment it is about."""
        self.device.require_unlocked()
        out, refused = [], self._push_refused()
        for rtype in sorted(NOTE_TYPES):
            out += [self.view(r, refused) for r in self.device.projection.records(client_id, rtype, include_retracted=True)]

        def when(v: RecordView) -> int:
            f = v.fields
            return f.get("occurred_at") or f.get("recorded_at") or v.created_at

        return sorted(out, key=lambda v: (when(v), v.created_at, v.id), reverse=True)

    # -- writes ------------------------------------------------------------------------------------
    def create_record(self, type: str, client_id: str, fields: dict, *, record_id: str | None = None,
                      ask: bool = False) -> str:
        """Validate and store a new record of ``type`` for a client; returns its id. ``ask`` (the contact
        form): a contact with a violation or an acute risk stores the question "Escaleren?" with it, in the
        same transaction, so it is asked again after a crash (seeding and imports ask nothing)."""
        self.device.require_unlocked()
        if type == "client":
            raise ValidationError({"type": "Gebruik add_client voor een nieuwe persoon."})
        if type not in RECORD_SPECS:
            raise ValidationError({"type": "Onbekend soort gegevens."})
        ctx = self.client_context(client_id) if self.device.projection.has_client(client_id) else None
        if ctx is None:
            raise ValidationError({"client_id": "Deze cliënt bestaat niet (meer) op dit toestel."})
        fields = dict(fields)
        if type == "aftercare" and self.device.projection.record(singleton_record_id(client_id, type)) is not None:
            self.update_record(singleton_record_id(client_id, type), fields)  # one per client: merge
            return singleton_record_id(client_id, type)
        if type == "contact":
            fields.setdefault("occurred_at", ctx.now)
            fields["recorded_at"] = ctx.now
        clean = validate_create(type, fields, ctx)
        if record_id is None:
            record_id = singleton_record_id(client_id, type) if type == "aftercare" else b64e(new_id())
        with self.device.store.transaction():  # "Escaleren?" is stored with the note: it survives a crash
            self.device.write_op(type, record_id, client_id, "create", clean)
            if ask and type == "contact" and needs_escalation(clean):
                questions.ask(self.device, ESCALATE, client_id, record_id)
        self._after_write(client_id, {type: record_id} if type == "contact" else None)
        return record_id

    def update_record(self, record_id: str, changes: dict, *, seen: dict | None = None) -> None:
        """Change fields of a mutable record (last writer wins per field). Notes cannot change. ``seen``: the
        ``versions`` of the record the user edited (a form opened earlier), so a change of the same field that
        arrived meanwhile shows as a conflict instead of being overwritten unseen (docs/conflicts.md)."""
        self.device.require_unlocked()
        rec = self.device.projection.record(record_id)
        if rec is None:
            raise ValidationError({"record_id": "Deze gegevens bestaan niet (meer) op dit toestel."})
        for guard in self.update_guards:
            guard(rec, dict(changes))
        ctx = self.client_context(rec.client_id)
        clean = validate_update(rec.type, dict(rec.fields), dict(changes), ctx)
        if clean:
            self.device.write_op(rec.type, record_id, rec.client_id, "set", clean, seen=seen)
            self._after_write(rec.client_id)

    def add_addendum(self, record_id: str, text: str) -> str:
        """Add a correction or later information to a note; the note itself never changes."""
        self.device.require_unlocked()
        rec = self.device.projection.record(record_id)
        if rec is None:
            raise ValidationError({"record_id": "Deze notitie bestaat niet (meer) op dit toestel."})
        if rec.retracted is not None:
            raise ValidationError({"record_id": "Deze notitie is ingetrokken."})
        clean = validate_addendum(rec.type, {"text": text})
        addendum_id = b64e(new_id())
        self.device.write_op(rec.type, addendum_id, rec.client_id, "addendum", {**clean, "original": record_id})
        return addendum_id

    def retract_record(self, record_id: str, reason: str) -> None:
        """Withdraw a note written on the wrong client; the stub (who, when, why) stays visible."""
        self.device.require_unlocked()
        rec = self.device.projection.record(record_id)
        if rec is None:
            raise ValidationError({"record_id": "Deze notitie bestaat niet (meer) op dit toestel."})
        if rec.type not in NOTE_TYPES:
            raise ValidationError({"kind": "Alleen een notitie trek je in; pas andere gegevens aan."})
        if rec.retracted is not None:
            raise ValidationError({"record_id": "Deze notitie is al ingetrokken."})
        self.device.write_op(rec.type, record_id, rec.client_id, "retract", validate_retract({"reason": reason}))
        self._after_write(rec.client_id)

    def intake(self, display_name: str, **fields) -> str:
        """A new client in the caseload (assigned to the current user unless said otherwise)."""
        self.device.require_unlocked()
        fields = {"display_name": display_name, **fields}
        fields.setdefault("assigned_to", self.device.profile["user_name"])
        client_id = b64e(new_id())
        # a client's own context is empty at intake
        clean = validate_create("client", fields, DictContext(client_id, now_ms()))
        self.device.write_op("client", client_id, client_id, "create", clean)
        return client_id

    def assign(self, client_id: str, user_name: str) -> None:
        self.update_record(client_id, {"assigned_to": user_name})

    def hand_over(self, from_user: str, to_user: str, until: str) -> list[str]:
        """Holiday cover: every active client of ``from_user`` is covered by ``to_user`` until a date."""
        self.device.require_unlocked()
        moved = []
        for rec in self.device.projection.records(rtype="client"):
            f = rec.fields
            if f.get("assigned_to") == from_user and f.get("status", "ACTIEF") == "ACTIEF":
                self.update_record(rec.id, {"cover_by": to_user, "cover_until": until})
                moved.append(rec.id)
        return moved

    def end_cover(self, client_id: str) -> None:
        self.update_record(client_id, {"cover_by": None, "cover_until": None})

    # -- rules ---------------------------------------------------------------------------------------
    @contextmanager
    def deferred_rules(self) -> Iterator[None]:
        """Write several records before the automatic rules look at them (seeding, imports)."""
        self._rules_paused = True
        try:
            yield
        finally:
            self._rules_paused = False
        self.run_rules()

    def _after_write(self, client_id: str, only: dict[str, str] | None = None) -> None:
        """The rules after a write. A new contact note is immutable and the rules judge each contact on its own, so
        after one only that contact is looked at (``only``), not every contact of the client: a save costs the
        same with 10 or 10,000 notes. Other records may change what older notes mean: all are looked at."""
        if self._rules_paused:
            return
        try:
            self._run_rules([client_id], None, only)
        except ValidationError:
            pass  # a rule proposal that no longer validates is skipped, never blocks the worker's save
        except StorageError:  # the write itself is stored; the rules' flags (fixed ids) come next round
            log.warning("rules after a write: the device's storage refused the flags")

    def run_rules(self, client_ids: list[str] | None = None, now: int | None = None) -> list[str]:
        """Raise every automatic flag whose condition holds (once: ids are deterministic) and open the
        spoed-nazorg follow-up when a framework lapsed. Returns the ids of flags raised now. A read-only
        role raises no flags (it writes nothing)."""
        return self._run_rules(client_ids, now, None)

    def _run_rules(self, client_ids: list[str] | None, now: int | None, only: dict[str, str] | None) -> list[str]:
        self.device.require_unlocked()
        if not may_write(self.device.role, "flag"):
            return []
        with self._rules_lock:
            raised = []
            ids = client_ids or [r.id for r in self.device.projection.records(rtype="client")]
            for client_id in ids:
                if not self.device.projection.has_client(client_id):
                    continue
                ctx = self.client_context(client_id, now)
                if only:
                    ctx = ProjectionContext(self.device.projection, client_id, ctx.now, only)
                for proposal in rules.evaluate(ctx):
                    flag_id = proposal.record_id(client_id)
                    if self.device.projection.record(flag_id) is not None:
                        continue
                    fields = proposal.fields()
                    fields["raised_at"] = ctx.now
                    clean = validate_create("flag", fields, ctx)
                    self.device.write_op("flag", flag_id, client_id, "create", clean)
                    raised.append(flag_id)
                self._settle(client_id, now)
                follow = rules.lapse_followup(self.client_context(client_id, now))
                if follow:
                    for w in follow["writes"]:
                        ctx = self.client_context(client_id, now)
                        if w["kind"] == "create" and self.device.projection.record(w["record_id"]) is None:
                            clean = validate_create(w["type"], w["fields"], ctx)
                        else:
                            rec = self.device.projection.record(w["record_id"])
                            if rec is None:
                                continue
                            clean = validate_update(w["type"], dict(rec.fields), w["fields"], ctx)
                            if not clean:
                                continue
                        kind = "create" if self.device.projection.record(w["record_id"]) is None else "set"
                        self.device.write_op(w["type"], w["record_id"], client_id, kind, clean)
            return raised

    def _settle(self, client_id: str, now: int | None) -> None:
        """Flags the client's records answer (an arrival, a meldcode decision): settled with a note."""
        ctx = self.client_context(client_id, now)
        for settled in links.settlements(ctx):
            rec = self.device.projection.record(settled.flag_id)
            if rec is None:
                continue
            clean = validate_update("flag", dict(rec.fields), settled.fields, ctx)
            if clean:
                self.device.write_op("flag", settled.flag_id, client_id, "set", clean)
            tick = flag_steps.ticks(ctx, settled.flag_id).get(settled.step or "")
            if settled.step and (tick is None or not tick.done):  # the step the settling record answered
                step = validate_create("flag_step", {
                    "flag_id": settled.flag_id, "step": settled.step, "done": True,
                    "by": self.device.profile.get("user_name") or "", "note": settled.fields["resolution_note"]}, ctx)
                self.device.write_op("flag_step", b64e(new_id()), client_id, "create", step)

    def start_timer(self) -> None:
        stop = threading.Event()
        self._rules_stop = stop

        def loop() -> None:
            while not stop.wait(RULES_INTERVAL_S):
                try:
                    if self.device.unlocked and self.run_rules():
                        self.device.notify()
                except Exception:  # keep the timer alive; nothing sensitive in the log
                    log.exception("rules round failed")

        threading.Thread(target=loop, name="veldwerk-rules", daemon=True).start()

    def stop_timer(self) -> None:
        stop, self._rules_stop = self._rules_stop, None
        if stop is not None:
            stop.set()

    # -- overviews for the views ---------------------------------------------------------------------
    def caseload_items(self, now: int | None = None) -> list[CaseloadItem]:
        """Every client with the badges a caseload needs, sorted by name."""
        self.device.require_unlocked()
        now = now_ms() if now is None else now
        me = self.device.profile["user_name"]
        items = []
        conflicts = conflicts_by_client(self.device.projection)  # records with two changes at once (#11)
        for rec in self.device.projection.records(rtype="client"):
            ctx = ProjectionContext(self.device.projection, rec.id, now)
            f = rec.fields
            flags = [v for _, v in ctx.records("flag") if v.get("status", "OPEN") in OPEN_FLAG_STATES]
            transitions = [v for _, v in ctx.records("transition")
                           if v.get("status") in ("GEPLAND", "ONDERWEG", "VERTRAAGD")]
            frameworks = [v for _, v in ctx.records("framework") if v.get("status") == "ACTIEF"]
            cases = [v for _, v in ctx.records("zvh_case") if v.get("phase") != "AFGESLOTEN"]
            sup = rules.current_supervision(ctx)
            fw = frameworks[0] if frameworks else None
            items.append(CaseloadItem(
                id=rec.id, display_name=f.get("display_name", "?"), fictional=bool(f.get("fictional")),
                assigned_to=f.get("assigned_to") or "", cover_by=f.get("cover_by") or "",
                regime=f.get("regime") or "", status=f.get("status") or "ACTIEF",
                safety_warning=f.get("safety_warning") or "GEEN",
                risk_level=rules.risk_level(ctx), open_flags=len(flags),
                urgent_flags=sum(1 for v in flags if v.get("urgency") == "DIRECT"),
                days_since_contact=rules.days_since_last_contact(ctx), overdue_days=rules.contact_overdue(ctx),
                in_transition=bool(transitions), framework=fw.get("framework_type") if fw else None,
                phase=(cases[0].get("phase") if cases else None) or (fw.get("current_phase") if fw else None),
                supervision_level=sup[1].get("level") if sup else None,
                returned=self._returned(rec.id, me), conflicts=conflicts.get(rec.id, 0),
            ))
        return sorted(items, key=lambda c: (c.display_name.casefold(), c.id))

    def _returned(self, client_id: str, me: str) -> int:
        """How many of my contacts and reports of this client are returned for revision."""
        p = self.device.projection
        reviews = p.records(client_id, "review")
        if not reviews:
            return 0
        count = 0
        for rtype in sorted(REVIEWABLE_TYPES):
            for rec in p.records(client_id, rtype):
                if rec.author == me and review_state(me, reviews_of(p, client_id, rec.id, reviews)).returned:
                    count += 1
        return count

    def agenda(self, start: int, end: int) -> list:
        """Planned contacts, reporting-duty dates, transitions due and flag deadlines between two moments."""
        self.device.require_unlocked()
        now = now_ms()
        ctxs = [ProjectionContext(self.device.projection, r.id, now) for r in self.device.projection.records(rtype="client")]
        return rules.agenda(ctxs, start, end)

    def open_flags(self) -> list[RecordView]:
        """Open urgent flags of every client: mine first, then by deadline."""
        self.device.require_unlocked()
        me = self.device.profile["user_name"]
        refused = self._push_refused()
        flags = [self.view(r, refused) for r in self.device.projection.records(rtype="flag")
                 if r.fields.get("status", "OPEN") in OPEN_FLAG_STATES]
        return sorted(flags, key=lambda v: (v.fields.get("assignee") != me, v.fields.get("deadline") or 0))

    def risk_summary(self, client_id: str) -> dict[str, list[tuple[int, int]]]:
        """Per risk domain seen for this client: the (occurred_at, severity rank) series for a trend chart."""
        ctx = self.client_context(client_id)
        domains = {r["domain"] for _, c in ctx.records("contact") for r in c.get("risks", [])}
        return {d: rules.risk_trend_series(ctx, d) for d in sorted(domains)}

    @staticmethod
    def severity_rank(code: str) -> int:
        return Ernst(code).rank

    # -- the simple calls of the first screens ----------------------------------------------------------
    def caseload(self) -> list[ClientSummary]:
        self.device.require_unlocked()
        return self.device.projection.caseload()

    def client(self, client_id: str) -> ClientSummary:
        self.device.require_unlocked()
        return self.device.projection.client(client_id)

    def timeline(self, client_id: str) -> list[NoteView]:
        self.device.require_unlocked()
        notes = self.device.projection.timeline(client_id)
        if self._push_refused():
            notes = [replace(n, sync_state="geweigerd") if n.sync_state == "wachtend" else n for n in notes]
        return notes

    def add_client(self, display_name: str, *, fictional: bool = False) -> str:
        """A new client in the caseload, assigned to the current user."""
        return self.intake(display_name, fictional=fictional)

    def record_contact(self, client_id: str, *, contact_type: str, outcome: str, report: str,
                       occurred_at: int | None = None, risks: Sequence[tuple[str, str]] = (),
                       excused: bool | None = None) -> str:
        """Record a contact note (append-only). Local and instant; sync delivers it later. ``excused``: a
        no-show (NIET_VERSCHENEN) needs it, another outcome refuses it."""
        risks = [{"domain": d, "severity": sev} for d, sev in risks] if risks else []
        fields = {"contact_type": contact_type, "outcome": outcome, "report": report, "risks": risks}
        if occurred_at is not None:
            fields["occurred_at"] = occurred_at
        if excused is not None:
            fields["excused"] = excused
        return self.create_record("contact", client_id, fields)

    # -- drafts: half-typed forms, sealed ---------------------------------------------------------------
    def save_draft(self, slot: str, data: dict) -> None:
        self.device.require_unlocked()
        self.device.store.draft_put(slot, data)

    def load_draft(self, slot: str) -> dict | None:
        self.device.require_unlocked()
        return self.device.store.draft_get(slot)

    def clear_draft(self, slot: str) -> None:
        self.device.require_unlocked()
        self.device.store.draft_delete(slot)
