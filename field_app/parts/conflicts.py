"""Conflicts (#11): a field two devices changed from the same base, without seeing each other's change.

The projection keeps each field's concurrent writes (``store/frontier.py``); this part turns them into
``FieldConflict`` values for the views and writes a user's pick. A pick is an ordinary change of that field
(validated, role-checked, signed like any other) whose base is the newest value in the conflict, so it
supersedes every value on every device once synced and the conflict disappears everywhere. Fields a user
cannot change (fixed at create, or derived from other fields) never show a conflict: they merge by last
writer as before (two devices raising the same automatic flag offline differ only in ``raised_at``).
"""

from __future__ import annotations

from typing import Any

from ..core.device import Device
from ..domain.errors import ValidationError
from ..domain.fieldkit import kind_of
from ..domain.records import RECORD_SPECS
from ..store import frontier as fr
from ..views_model import ConflictValue, FieldConflict, RecordView

GONE = "Dit conflict is er niet meer: de gegevens zijn intussen gewijzigd. Kijk opnieuw."


def _pickable(rtype: str, name: str) -> str | None:
    """The field's kind when a user can change it after create, else None."""
    spec = RECORD_SPECS.get(rtype)
    if spec is None or spec.note:
        return None
    f = spec.schema.fields.get(name)
    if f is None or f.fixed or name in spec.schema.derived:
        return None
    return kind_of(f.clean)


def field_conflicts(projection, rec) -> tuple[FieldConflict, ...]:
    """The conflicts of one record as the views show them (empty for nearly every record, and cheap then)."""
    if not rec.frontier:
        return ()
    out = []
    for name, entries in sorted(projection.conflicts(rec).items()):
        kind = _pickable(rec.type, name)
        if kind is None:
            continue
        last = len(entries) - 1
        out.append(FieldConflict(name, kind, tuple(
            ConflictValue(e[fr.VALUE], e[fr.AUTHOR], e[fr.MS], i == last) for i, e in enumerate(entries))))
    return tuple(out)


def conflicts_by_client(projection) -> dict[str, int]:
    """Client id -> how many of its records have a field in conflict (for the caseload's badge)."""
    out: dict[str, int] = {}
    for r in projection.conflicted():
        if field_conflicts(projection, r):
            out[r.client_id] = out.get(r.client_id, 0) + 1
    return out


class Conflicts:
    """The list of records in conflict and the pick."""

    def __init__(self, device: Device, casework):
        self.device, self.casework = device, casework

    def conflicted_records(self) -> list[RecordView]:
        """Every record with a field in conflict, the most recent change first."""
        self.device.require_unlocked()
        views = [self.casework.view(r) for r in self.device.projection.conflicted()]
        views = [v for v in views if v.conflicts]

        def newest(v: RecordView) -> int:
            return max(x.at for c in v.conflicts for x in c.values)

        return sorted(views, key=lambda v: (newest(v), v.id), reverse=True)

    def resolve_conflict(self, record_id: str, field: str, value: Any) -> None:
        """Keep ``value`` (one of the values in conflict) for ``field``: a change on top of every value in the
        conflict. Raises ``ValidationError`` when the conflict is gone or the value is not one of its values."""
        self.device.require_unlocked()
        rec = self.device.projection.record(record_id)
        if rec is None:
            raise ValidationError({"record_id": "Deze gegevens bestaan niet (meer) op dit toestel."})
        conflict = next((c for c in field_conflicts(self.device.projection, rec) if c.field == field), None)
        if conflict is None or all(v.value != value for v in conflict.values):
            raise ValidationError({field: GONE})
        spec = RECORD_SPECS[rec.type].schema
        if field in spec.partial and isinstance(value, dict):
            # a partial dict merges into the current one: remove the keys the kept value does not have
            value = {**{k: None for k in (rec.fields.get(field) or {})}, **value}
        self.casework.update_record(record_id, {field: value})
