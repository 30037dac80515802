"""Review and follow-up: a supervisor's queue of the team's notes and reports (approve, return with a
comment, the author resubmits), the four-eyes rule on reports, OM decisions applied to the file, and flags
acknowledged and resolved by their assignee with the coordinator watching deadlines.

Every decision is an ordinary sealed record (``review``, ``om_decision``, a ``set`` on a ``flag``), so it
travels, merges and is checked by role on every device like any other (``core.policy``).
"""

from __future__ import annotations

from ..core.device import Device
from ..core.errors import NotAllowed
from ..core.policy import FLAG_ROLES, REVIEW_TYPE, may_review
from ..domain.errors import ValidationError
from ..domain.hlc import now_ms
from ..domain.records import decision_changes
from ..domain.records_flag import deadline_order
from ..domain.records_report import REVIEWABLE_TYPES
from ..domain.review import (
    ReviewState,
    in_queue,
    needs_attention,
    queue_order,
    report_status,
    review_state,
)
from ..domain.vocab import FlagStatus, RapportageStatus, ReviewBesluit
from ..views_model import FlagItem, ReviewItem
from .casework import OPEN_FLAG_STATES, Casework, reviews_of

MSG_LOCKED = "Deze rapportage is goedgekeurd en ligt vast; alleen verzenden kan nog."
MSG_NOT_FOUND = "Dit contact of deze rapportage bestaat niet (meer) op dit toestel."


class ReviewWork:
    def __init__(self, device: Device, casework: Casework):
        self.device, self.casework = device, casework
        casework.update_guards.append(self._guard_report)

    # -- state -------------------------------------------------------------------------------------
    def _reviewable(self, record_id: str):
        self.device.require_unlocked()
        rec = self.device.projection.record(record_id)
        if rec is None or rec.type not in REVIEWABLE_TYPES or rec.retracted is not None:
            raise ValidationError({"record_id": MSG_NOT_FOUND})
        return rec

    def review_state(self, record_id: str) -> ReviewState:
        rec = self._reviewable(record_id)
        return review_state(rec.author, reviews_of(self.device.projection, rec.client_id, record_id))

    def report_status(self, record_id: str) -> str:
        """CONCEPT | TER_GOEDKEURING | DEFINITIEF (approved by someone else) | VERZONDEN."""
        rec = self._reviewable(record_id)
        return report_status(rec.fields, self.review_state(record_id))

    def review_queue(self, now: int | None = None) -> list[ReviewItem]:
        """For a reviewing role: the team's contacts and reports waiting for a decision (never decided, or
        resubmitted), grouped by author, attention first, oldest first. For anyone else: their own items
        returned for revision."""
        self.device.require_unlocked()
        p, now = self.device.projection, now_ms() if now is None else now
        me, reviewer = self.device.profile["user_name"], may_review(self.device.role)
        names = {c.id: c.fields.get("display_name", "") for c in p.records(rtype="client")}
        items = []
        for rtype in sorted(REVIEWABLE_TYPES):
            for rec in p.records(rtype=rtype):
                if (rec.author == me) == reviewer:
                    continue  # a reviewer never reviews her own work; an author sees only her own
                state = review_state(rec.author, reviews_of(p, rec.client_id, rec.id))
                wanted = in_queue(rec.type, rec.fields, rec.created_at, state, now) if reviewer else state.returned
                if wanted:
                    items.append(ReviewItem(self.casework.view(rec), names.get(rec.client_id, ""), state,
                                            needs_attention(rec.type, rec.fields)))
        ordered = queue_order([i.record for i in items])
        by_id = {i.record.id: i for i in items}
        return [by_id[v.id] for v in ordered]

    # -- decisions -----------------------------------------------------------------------------------
    def review(self, record_id: str, decision: str, comment: str = "") -> str:
        """A supervisor approves, returns (with a comment) or marks as discussed a contact or report."""
        rec = self._reviewable(record_id)
        if decision == ReviewBesluit.OPNIEUW_INGEDIEND.value:
            raise ValidationError({"decision": "Opnieuw indienen doet de schrijver met 'Aangepast, opnieuw indienen'."})
        if not may_review(self.device.role):
            raise NotAllowed("Beoordelen (goedkeuren of terugsturen) doet een werkbegeleider; met jouw rol kan dat "
                             "niet.")
        if rec.author == self.device.profile["user_name"]:
            raise NotAllowed("Vier ogen: je eigen contact of rapportage keurt een andere werkbegeleider goed.")
        return self.casework.create_record(REVIEW_TYPE, rec.client_id, {"target_id": record_id, "decision": decision,
                                                                       "comment": comment})

    def resubmit(self, record_id: str, text: str) -> str:
        """The author answers a return: for a contact an addendum with ``text``, for a report the changes
        already made plus ``text`` as comment; then the item goes back into the queue."""
        rec = self._reviewable(record_id)
        if rec.author != self.device.profile["user_name"]:
            raise NotAllowed("Alleen wie het schreef, dient het opnieuw in.")
        if not self.review_state(record_id).returned:
            raise ValidationError({"record_id": "Dit is niet teruggestuurd voor aanpassing."})
        if rec.type == "contact":
            self.casework.add_addendum(record_id, text)
        elif not (text or "").strip():
            raise ValidationError({"comment": "Schrijf kort op wat je hebt aangepast."})
        return self.casework.create_record(REVIEW_TYPE, rec.client_id, {
            "target_id": record_id, "decision": ReviewBesluit.OPNIEUW_INGEDIEND.value, "comment": text})

    def _guard_report(self, rec, changes: dict) -> None:
        """Every ``set`` on a report: once approved it is locked except for sending it; it is sent only
        after approval; only its author or a reviewer changes it."""
        if rec.type != "report":
            return
        state = review_state(rec.author, reviews_of(self.device.projection, rec.client_id, rec.id))
        if state.approved and set(changes) - {"status", "sent_on"}:
            raise ValidationError({"record_id": MSG_LOCKED})
        if changes.get("status") == RapportageStatus.VERZONDEN.value and not state.approved:
            raise ValidationError({"status": "Een rapportage verstuur je pas na goedkeuring door een werkbegeleider."})
        if rec.author != self.device.profile["user_name"] and not may_review(self.device.role):
            raise NotAllowed("Alleen de schrijver of een werkbegeleider past deze rapportage aan.")

    def record_decision(self, client_id: str, fields: dict) -> str:
        """Record an OM or court decision and apply its effect to the framework or conditions."""
        decision_id = self.casework.create_record("om_decision", client_id, fields)
        clean = self.casework.record(decision_id).fields
        for record_id, changes in decision_changes(clean):
            self.casework.update_record(record_id, changes)
        return decision_id

    # -- flags ----------------------------------------------------------------------------------------
    def _flag(self, flag_id: str):
        self.device.require_unlocked()
        rec = self.device.projection.record(flag_id)
        if rec is None or rec.type != "flag":
            raise ValidationError({"record_id": "Dit signaal bestaat niet (meer) op dit toestel."})
        if rec.fields.get("status", FlagStatus.OPEN.value) not in OPEN_FLAG_STATES:
            raise ValidationError({"status": "Dit signaal is al afgehandeld."})
        me, assignee = self.device.profile["user_name"], rec.fields.get("assignee") or ""
        if assignee not in ("", me) and self.device.role not in FLAG_ROLES:
            raise NotAllowed(f"Dit signaal is toegewezen aan {assignee}; die of de procesregisseur pakt het op.")
        return rec

    def acknowledge_flag(self, flag_id: str) -> None:
        """*Gezien, ik pak het op*: who and when are recorded and shown to the coordinator."""
        rec = self._flag(flag_id)
        me = self.device.profile["user_name"]
        self.casework.update_record(flag_id, {"acknowledged_by": me, "acknowledged_at": now_ms(),
                                              "status": FlagStatus.IN_BEHANDELING.value,
                                              "assignee": rec.fields.get("assignee") or me})

    def resolve_flag(self, flag_id: str, note: str) -> None:
        self._flag(flag_id)
        if not isinstance(note, str) or not note.strip():
            raise ValidationError({"resolution_note": "Schrijf kort op hoe het signaal is afgehandeld."})
        self.casework.update_record(flag_id, {"status": FlagStatus.AFGEHANDELD.value, "resolution_note": note})

    def flag_queue(self, now: int | None = None) -> list[FlagItem]:
        """Every open flag: mine (assigned to me) first, then the others; each by deadline (UX.md: "urgent
        flags: mine first, by deadline"), so the overdue ones lead their group and are marked ``overdue``. A
        flag without a deadline comes after those with one; on the same deadline the more urgent first."""
        self.device.require_unlocked()
        p, now = self.device.projection, now_ms() if now is None else now
        me = self.device.profile["user_name"]
        names = {c.id: c.fields.get("display_name", "") for c in p.records(rtype="client")}
        items = []
        for rec in p.records(rtype="flag"):
            f = rec.fields
            if f.get("status", FlagStatus.OPEN.value) not in OPEN_FLAG_STATES:
                continue
            items.append(FlagItem(self.casework.view(rec), names.get(rec.client_id, ""),
                                  overdue=bool(f.get("deadline")) and now > f["deadline"],
                                  automatic=bool(f.get("raised_by_rule")), mine=f.get("assignee") == me,
                                  acknowledged_by=f.get("acknowledged_by") or "",
                                  acknowledged_at=f.get("acknowledged_at")))
        return sorted(items, key=lambda i: (not i.mine, *deadline_order(
            i.record.fields.get("deadline"), i.record.fields.get("urgency"), i.record.id)))
