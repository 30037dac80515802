"""Review state of a contact or report, and the order of a supervisor's review queue (DOMAIN.md §9.13).

Every review is kept: two supervisors deciding offline both stay in the history, and the later one by
clock is the current state. Four eyes: a decision by the item's own author does not count, and only the
author may resubmit after a return. A report is *definitief* once the current state is an approval.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .records_report import REVIEWABLE_TYPES
from .timeutil import DAY_MS
from .vocab import Ernst, NalevingStatus, RapportageStatus, ReviewBesluit, ReviewStatus

# Notes older than this that nobody reviewed do not fill the queue **(verify)**; resubmitted items and
# reports awaiting approval are always in it.
QUEUE_WINDOW_DAYS = 30
_DECISION_STATUS = {
    ReviewBesluit.GOEDGEKEURD.value: ReviewStatus.GOEDGEKEURD.value,
    ReviewBesluit.AANPASSEN.value: ReviewStatus.AANPASSEN.value,
    ReviewBesluit.BESPROKEN_IN_CASUSOVERLEG.value: ReviewStatus.BESPROKEN.value,
    ReviewBesluit.OPNIEUW_INGEDIEND.value: ReviewStatus.OPNIEUW_INGEDIEND.value,
}


@dataclass(frozen=True)
class ReviewEntry:
    id: str
    decision: str
    comment: str
    at: int
    by: str


@dataclass(frozen=True)
class ReviewState:
    status: str  # ReviewStatus code
    current: ReviewEntry | None = None
    history: tuple[ReviewEntry, ...] = field(default_factory=tuple)

    @property
    def approved(self) -> bool:
        return self.status == ReviewStatus.GOEDGEKEURD.value

    @property
    def returned(self) -> bool:
        return self.status == ReviewStatus.AANPASSEN.value

    @property
    def waiting(self) -> bool:
        """In the supervisor's queue: never decided, or resubmitted after a return."""
        return self.status in (ReviewStatus.TE_BEOORDELEN.value, ReviewStatus.OPNIEUW_INGEDIEND.value)


def review_state(item_author: str, reviews: list[ReviewEntry]) -> ReviewState:
    """The state of an item written by ``item_author`` given every review of it (any order)."""
    valid = []
    for r in sorted(reviews, key=lambda r: (r.at, r.id)):
        own = r.by == item_author
        if r.decision == ReviewBesluit.OPNIEUW_INGEDIEND.value:
            if own:
                valid.append(r)
        elif r.decision in _DECISION_STATUS and not own:
            valid.append(r)
    if not valid:
        return ReviewState(ReviewStatus.TE_BEOORDELEN.value)
    return ReviewState(_DECISION_STATUS[valid[-1].decision], valid[-1], tuple(valid))


def report_status(fields: dict, state: ReviewState) -> str:
    """The status a report shows: the author's status, but *definitief* once approved (until sent), and
    never definitief without an approval."""
    stored = fields.get("status") or RapportageStatus.CONCEPT.value
    if state.approved and stored != RapportageStatus.VERZONDEN.value:
        return RapportageStatus.DEFINITIEF.value
    return stored


def urgent(item_type: str, fields: dict) -> bool:
    """A contact with a violation or a high/acute risk signal: what a supervisor must see first."""
    if item_type != "contact":
        return False
    if any(isinstance(c, dict) and c.get("status") == NalevingStatus.OVERTREDING.value
           for c in fields.get("compliance") or []):
        return True
    return any(isinstance(r, dict) and r.get("severity") in (Ernst.HOOG.value, Ernst.ACUUT.value)
               for r in fields.get("risks") or [])


def needs_attention(item_type: str, fields: dict) -> bool:
    """Marked in the queue: an urgent contact, or a report (it needs a second supervisor's approval)."""
    return item_type == "report" or urgent(item_type, fields)


def _rank(item: Any) -> int:
    """0 urgent contact, 1 report, 2 the rest."""
    return 0 if urgent(item.type, item.fields) else 1 if item.type == "report" else 2


def in_queue(item_type: str, fields: dict, created_at: int, state: ReviewState, now: int) -> bool:
    if item_type not in REVIEWABLE_TYPES or not state.waiting:
        return False
    if state.status == ReviewStatus.OPNIEUW_INGEDIEND.value:
        return True
    if item_type == "report":
        return fields.get("status") == RapportageStatus.TER_GOEDKEURING.value
    return created_at >= now - QUEUE_WINDOW_DAYS * DAY_MS


def queue_order(items: list[Any]) -> list[Any]:
    """Grouped by author; a group holding a violation or high risk first (then by name); within a group
    urgent contacts, then reports, then the rest, each oldest first. Found in the browser: a routine report
    came before an acute violation, since every report counted as "attention". Items need ``author``,
    ``type``, ``fields`` and ``created_at``."""
    hot = {i.author for i in items if _rank(i) == 0}
    return sorted(items, key=lambda i: (i.author not in hot, i.author.casefold(), _rank(i), i.created_at))
