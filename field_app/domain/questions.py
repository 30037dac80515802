"""Questions the app asks after a save (issue #14): a saved violation or acute risk asks "Escaleren?".

The question is stored with the record, on the device only, in the same transaction as the record: if the
app dies before it is answered, it is asked again after the restart and unlock until it is answered or
declined, and what happened to it is kept (``open`` → ``answered`` | ``declined``)."""

from __future__ import annotations

from .vocab import Ernst, NalevingStatus

__all__ = ["ESCALATE", "OUTCOMES", "needs_escalation"]

ESCALATE = "escalate"
OUTCOMES = frozenset({"answered", "declined"})


def needs_escalation(fields: dict) -> bool:
    """A violation or an acute risk in a contact's fields asks "Escaleren?" right away."""
    compliance = fields.get("compliance") or []
    risks = fields.get("risks") or []
    return (any(isinstance(i, dict) and i.get("status") == NalevingStatus.OVERTREDING.value for i in compliance)
            or any(isinstance(r, dict) and r.get("severity") == Ernst.ACUUT.value for r in risks))
