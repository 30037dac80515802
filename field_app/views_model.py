"""Plain, read-only values the services hand to the views (and tests). No keys, no database handles."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class RiskView:
    domain: str  # RisicoDomein code
    severity: str  # Ernst code


@dataclass(frozen=True)
class NoteView:
    """One contact note as shown in a client's timeline."""

    id: str
    client_id: str
    contact_type: str  # ContactType code
    outcome: str  # ContactUitkomst code
    occurred_at: int  # UTC ms
    recorded_at: int  # UTC ms
    report: str
    risks: tuple[RiskView, ...]
    author: str  # display name of the user who recorded it
    # "wachtend" (only on this device, to be sent) | "wacht_op_sleutel" (only on this device, waiting for a team
    # key) | "geweigerd" (only on this device: the server refuses this device's pushes, the reason is in the sync
    # sheet) | "afgeleverd" (delivered, not yet confirmed) | "verzonden" (confirmed by the server: it has a seq) |
    # "ontvangen" (from another device)
    sync_state: str


@dataclass(frozen=True)
class ClientSummary:
    id: str
    display_name: str
    created_at: int
    last_contact_at: int | None
    contact_count: int
    highest_risk: str | None  # Ernst code of the most severe risk signal on record, or None
    fictional: bool = False  # demo data is labelled as such


@dataclass(frozen=True)
class SyncStatus:
    state: str  # a field_app.core.states.SyncState value ("offline", "online", "error", "locked", ...)
    pending: int  # the user's own work waiting in the outbox (access-log entries travel uncounted)
    last_sync_at: int | None  # UTC ms of the last successful round trip
    message: str = ""  # on "error": the code, or a Dutch sentence for the user
    pending_key: int = 0  # received records that cannot be opened yet (key not granted)
    extra: dict = field(default_factory=dict)


@dataclass(frozen=True)
class AddendumView:
    id: str
    text: str
    author: str
    at: int
    sync_state: str


@dataclass(frozen=True)
class ConflictValue:
    """One of the values two devices wrote to a field without seeing each other's (#11)."""

    value: Any
    author: str  # display name of who wrote it
    at: int  # UTC ms of the change (its clock stamp)
    current: bool  # the value the record shows now (the last writer's)


@dataclass(frozen=True)
class FieldConflict:
    """A field of a record in conflict: each value, oldest first; a pick keeps one (``resolve_conflict``)."""

    field: str
    kind: str  # what the field holds: a vocabulary name ("FlagStatus"), "list[Middel]", "date", "ms", "bool", text
    values: tuple[ConflictValue, ...]


@dataclass(frozen=True)
class RecordView:
    id: str
    type: str
    client_id: str
    fields: dict
    author: str
    created_at: int
    sync_state: str
    last_author: str = ""
    addenda: tuple[AddendumView, ...] = ()
    retracted: dict | None = None
    conflicts: tuple[FieldConflict, ...] = ()  # fields changed on two devices at once (#11); () nearly always
    # field -> clock stamp of the value shown; a form that edits this record passes it on save
    # (``update_record(..., seen=record.versions)``) so a change that arrived meanwhile shows as a conflict
    versions: dict = field(default_factory=dict)


@dataclass(frozen=True)
class CaseloadItem:
    id: str
    display_name: str
    fictional: bool
    assigned_to: str
    cover_by: str
    regime: str
    status: str
    safety_warning: str
    risk_level: str | None
    open_flags: int
    urgent_flags: int  # open flags with urgency DIRECT
    days_since_contact: int | None
    overdue_days: int | None
    in_transition: bool
    framework: str | None  # current framework type code
    phase: str | None  # current ZVH phase or framework phase
    supervision_level: str | None
    returned: int = 0  # my contacts and reports of this client returned for revision
    conflicts: int = 0  # records of this client with a field changed on two devices at once (#11)
    tags: tuple[str, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class ReviewItem:
    """One contact or report waiting in a supervisor's review queue (or returned to its author)."""

    record: RecordView
    client_name: str
    state: object  # field_app.domain.review.ReviewState
    attention: bool  # a violation or a high/acute risk, or a report: shown first in its group


@dataclass(frozen=True)
class FlagItem:
    """An open flag as the coordinator's queue and the assignee see it."""

    record: RecordView
    client_name: str
    overdue: bool  # past its deadline and not resolved
    automatic: bool  # raised by a rule (``raised_by_rule``)
    mine: bool  # assigned to this user
    acknowledged_by: str
    acknowledged_at: int | None
