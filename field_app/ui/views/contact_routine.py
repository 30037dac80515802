"""*Alles volgens afspraak*: a routine contact in a few taps (issue #14).

From the caseload card's menu the contact form opens filled in for a routine visit: the type of the last
contact, its outcome when that was a contact that took place (a no-show or cancellation is not a routine
to repeat: then "Heeft plaatsgevonden") **(verify)**, every active condition marked *Nageleefd*, the date
and time now and a short factual line as the report. Everything stays editable; one tap on *Opslaan*
saves it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from field_app.domain import rules
from field_app.domain.vocab import ContactUitkomst, NalevingStatus
from field_app.ui import fmt

if TYPE_CHECKING:
    from field_app.ui.app import VeldwerkApp

__all__ = ["routine_defaults"]

# outcomes of a contact that took place: repeated as they were; anything else is not a routine
ROUTINE_OUTCOMES = frozenset({ContactUitkomst.PLAATSGEVONDEN.value})


def routine_defaults(app: VeldwerkApp, client_id: str) -> dict:
    """The contact form's starting values (the draft format) for a routine contact now."""
    timeline = app.services.timeline(client_id)
    last = timeline[0] if timeline else None
    outcome = last.outcome if last is not None and last.outcome in ROUTINE_OUTCOMES \
        else ContactUitkomst.PLAATSGEVONDEN.value
    try:
        conditions = rules.active_conditions(app.services.client_context(client_id))
    except KeyError:
        conditions = []
    now = fmt.now_ms()
    return {
        "contact_type": last.contact_type if last is not None else None,
        "outcome": outcome,
        "date": fmt.date_field(now), "time": fmt.time_field(now),
        "report": app.i18n.t("routine.report"),
        "compliance": [{"condition_id": cid, "status": NalevingStatus.NAGELEEFD.value} for cid, _ in conditions],
        "risks": [],
    }
