"""Every kind of record Veldwerk stores, and how a change to one is validated.

Every change is an operation ``{type, record_id, client_id, kind, fields, hlc, author_user}`` with
``kind`` one of ``create | set | addendum | retract``. A record type is either a **note** (one ``create``,
then only addenda or a retraction: contacts, meldcode weighings, case conferences) or **mutable**
(``create`` then ``set`` operations merged per field, last writer wins).

``validate_create`` returns the clean fields of a new record with every default filled in;
``validate_update`` returns only the clean changed fields (plus derived ones that change). Both raise
``ValidationError`` with a Dutch message per field path, all problems at once. Field paths are the
field name, or ``field.index.subfield`` inside lists and objects. Record-level problems use the keys
``type`` (unknown or duplicate record) and ``kind`` (the operation is not allowed). The field reference is
in docs/records.md.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .context import ClientContext, DictContext, new_id
from .errors import ValidationError
from .fieldkit import Errors, text
from .meldcode import MELDCODE, MELDCODE_QUESTIONS, meldcode_decision, meldcode_next_question
from .records_case import CASE_ACTION, CASE_CONFERENCE, ZVH_CASE, meets_zvh_criteria
from .records_contact import CONTACT
from .records_flag import FLAG, flag_deadline
from .records_legal import CONDITION, FRAMEWORK, SUPERVISION, condition_applies
from .records_person import AFTERCARE, AFTERCARE_AREAS, CLIENT, NETWORK_PERSON
from .records_report import OM_DECISION, REPORT, REVIEW, decision_changes
from .records_transition import TRANSITION, create_transition, default_checklist
from .schema import Schema
from .vocab import Label

__all__ = [
    "ClientContext", "DictContext", "RecordSpec", "RECORD_SPECS", "NOTE_TYPES", "SINGLETON_TYPES",
    "validate_create", "validate_update", "validate_addendum", "validate_retract", "singleton_record_id",
    "new_id", "MELDCODE_QUESTIONS", "meldcode_decision", "meldcode_next_question", "flag_deadline",
    "default_checklist", "AFTERCARE_AREAS", "condition_applies", "meets_zvh_criteria", "decision_changes",
]

MAX_ADDENDUM = 10_000
MSG_NOTE_IMMUTABLE = "Een notitie verander je niet; voeg een aanvulling toe."


@dataclass(frozen=True)
class RecordSpec:
    """A record type: whether it is a note, its label, and its validators."""

    type: str
    note: bool
    label: Label
    create: Callable[[dict, ClientContext], dict]
    update: Callable[[dict, dict, ClientContext], dict] | None
    schema: Schema | None = None  # the field definitions behind create/update (for docs and forms)


def _one_per_client(type_: str, schema: Schema, message: str) -> Callable[[dict, ClientContext], dict]:
    def create(fields: dict, ctx: ClientContext) -> dict:
        errors = Errors()
        if ctx.records(type_):
            errors.add("type", message)
        try:
            clean = schema.create(fields, ctx)
        except ValidationError as exc:
            errors.items.update(exc.errors)
        errors.raise_if_any()
        return clean

    return create


def _spec(type_: str, label: Label, schema: Schema, *, note: bool = False,
          create: Callable[[dict, ClientContext], dict] | None = None) -> RecordSpec:
    return RecordSpec(type=type_, note=note, label=label, create=create or schema.create,
                      update=None if note else schema.update, schema=schema)


RECORD_SPECS: dict[str, RecordSpec] = {s.type: s for s in (
    _spec("client", Label("Persoon", "Person"), CLIENT),
    _spec("network_person", Label("Persoon uit het netwerk", "Network person"), NETWORK_PERSON),
    _spec("framework", Label("Justitieel kader", "Legal framework"), FRAMEWORK),
    _spec("condition", Label("Voorwaarde", "Condition"), CONDITION),
    _spec("supervision", Label("Toezicht", "Supervision order"), SUPERVISION),
    _spec("contact", Label("Contact", "Contact"), CONTACT, note=True),
    _spec("transition", Label("Overgangsmoment", "Transition"), TRANSITION, create=create_transition),
    _spec("aftercare", Label("Nazorg", "Aftercare"), AFTERCARE,
          create=_one_per_client("aftercare", AFTERCARE,
                                 "Deze persoon heeft al een nazorgoverzicht; pas dat aan.")),
    _spec("zvh_case", Label("ZVH-casus", "ZVH case"), ZVH_CASE),
    _spec("case_action", Label("Afspraak uit casusoverleg", "Case action"), CASE_ACTION),
    _spec("case_conference", Label("Casusoverleg", "Case conference"), CASE_CONFERENCE, note=True),
    _spec("meldcode", Label("Meldcode-afweging", "Reporting-code weighing"), MELDCODE, note=True),
    _spec("flag", Label("Signaal", "Urgent flag"), FLAG),
    _spec("report", Label("Rapportage", "Report"), REPORT),
    _spec("om_decision", Label("Beslissing OM of rechter", "Decision of the prosecution or court"), OM_DECISION),
    _spec("review", Label("Beoordeling", "Review"), REVIEW, note=True),
)}

NOTE_TYPES = frozenset(t for t, s in RECORD_SPECS.items() if s.note)
SINGLETON_TYPES = frozenset({"aftercare"})  # at most one per client


def _spec_for(type_: str) -> RecordSpec:
    spec = RECORD_SPECS.get(type_) if isinstance(type_, str) else None
    if spec is None:
        raise ValidationError({"type": "Onbekend soort gegevens."})
    return spec


def validate_create(type: str, fields: dict, ctx: ClientContext) -> dict:
    """Clean fields for a new record of ``type``, every default filled in."""
    return _spec_for(type).create(fields, ctx)


def validate_update(type: str, current: dict, changes: dict, ctx: ClientContext) -> dict:
    """Clean changed fields for a ``set`` on a mutable record whose merged fields are ``current``."""
    spec = _spec_for(type)
    if spec.update is None:
        raise ValidationError({"kind": MSG_NOTE_IMMUTABLE})
    return spec.update(current, changes, ctx)


def validate_addendum(original_type: str, fields: dict) -> dict:
    """``{text}``: 1 to 10 000 characters, added to a note."""
    if not _spec_for(original_type).note:
        raise ValidationError({"kind": "Een aanvulling hoort bij een notitie; pas de gegevens zelf aan."})
    return _short_form(fields, "text", 1, MAX_ADDENDUM, "Schrijf de aanvulling.")


def validate_retract(fields: dict) -> dict:
    """``{reason}``: 5 to 1000 characters. A retracted note stays in the log but leaves every view."""
    return _short_form(fields, "reason", 5, 1000, "Schrijf op waarom je dit intrekt (minstens 5 tekens).")


def _short_form(fields: Any, key: str, min_len: int, max_len: int, missing: str) -> dict:
    errors = Errors()
    if not isinstance(fields, dict):
        raise ValidationError({key: missing})
    for other in fields:
        if other != key:
            errors.add(other, "Dit veld hoort niet bij dit soort gegevens.")
    value = text(max_len)(fields.get(key), key, errors, None)
    if isinstance(value, str) and len(value) < min_len:
        errors.add(key, missing)
    errors.raise_if_any()
    return {key: value}


def singleton_record_id(client_id: str, type: str) -> str:
    """The fixed id of a one-per-client record (``aftercare``), so two offline devices that both create
    it write the same record and their fields merge."""
    digest = hashlib.sha256(b"veldwerk/singleton/v1\0" + f"{client_id}\0{type}".encode()).digest()
    return base64.urlsafe_b64encode(digest[:16]).rstrip(b"=").decode()
