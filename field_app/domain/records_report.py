"""Reports to the OM or court, the decisions that follow, and reviews (DOMAIN.md §3.4, §9.11, §9.13).

* **report** (rapportage, mutable): an advice report with a four-eyes rule. The author sets it *concept*,
  *ter goedkeuring* or *verzonden*; it is *definitief* only once a supervisor other than the author has
  approved it (derived in :mod:`review`, never stored as a status).
* **om_decision** (mutable): the OM's or the court's decision after a report or a violation, linked to the
  report; its ``effect`` is applied to the framework or conditions (:func:`decision_changes`).
* **review** (note): a supervisor's decision on a contact or report (approve, return with a comment,
  discussed in a case conference), or the author's resubmission after a return.
"""

from __future__ import annotations

from typing import Any

from .fieldkit import (
    Bad,
    Errors,
    a_date,
    choice,
    choices,
    leaf,
    moment,
    opt_text,
    record_id_re,
    ref,
    refs,
    text,
)
from .schema import Field, Schema
from .vocab import (
    Advies,
    BeslissingEffect,
    KaderStatus,
    OmBeslissing,
    RapportageAan,
    RapportageStatus,
    RapportageType,
    ReviewBesluit,
    VoorwaardeType,
)

REVIEWABLE_TYPES = frozenset({"contact", "report"})
MSG_FINAL_BY_APPROVAL = "Een rapportage wordt pas definitief na goedkeuring door een werkbegeleider."


def _report_check(r: dict, ctx: Any, errors: Errors) -> None:
    if r.get("status") == RapportageStatus.DEFINITIEF.value:
        errors.add("status", MSG_FINAL_BY_APPROVAL)


REPORT = Schema(
    fields={
        "report_type": Field(choice(RapportageType, "Kies het soort rapportage."), required=True,
                             required_msg="Kies het soort rapportage.", doc="type"),
        "requested_by": Field(choice(RapportageAan, "Kies voor wie de rapportage is."), required=True,
                              required_msg="Kies voor wie de rapportage is.", doc="aangevraagd door / verzonden aan"),
        "due_date": Field(a_date(), doc="uiterste datum (in the agenda; overdue when missed)"),
        "advice": Field(choice(Advies, "Kies het advies."), doc="advies"),
        "conditions_advised": Field(choices(VoorwaardeType), default=[], doc="geadviseerde voorwaarden"),
        "text": Field(text(20_000), default="", doc="de rapportage zelf 🔒"),
        "status": Field(choice(RapportageStatus, "Kies de status."), default=RapportageStatus.CONCEPT.value,
                        doc="CONCEPT | TER_GOEDKEURING | VERZONDEN (DEFINITIEF only by approval)"),
        "source_id": Field(leaf(lambda v, ctx: _any_record(v, ctx), "id → any record"), fixed=True,
                           doc="the violation contact or ladder step it came from"),
        "sent_on": Field(a_date(), doc="verzonden_op"),
    },
    check=_report_check,
)


def _any_record(value: Any, ctx: Any) -> str:
    if not isinstance(value, str) or not record_id_re(value) or ctx.record(value) is None:
        raise Bad("Het record waar dit over gaat is niet gevonden.")
    return value


def _decision_check(d: dict, ctx: Any, errors: Errors) -> None:
    effect = d.get("effect")
    if effect in (BeslissingEffect.VOORWAARDEN_GEWIJZIGD.value, BeslissingEffect.VOORWAARDEN_BEEINDIGD.value) \
            and not d.get("condition_ids"):
        errors.add("condition_ids", "Kies de voorwaarden waar deze beslissing over gaat.")
    if effect in (BeslissingEffect.KADER_GESCHORST.value, BeslissingEffect.KADER_BEEINDIGD.value) \
            and not d.get("framework_id"):
        errors.add("framework_id", "Kies het kader waar deze beslissing over gaat.")


OM_DECISION = Schema(
    fields={
        "decision": Field(choice(OmBeslissing, "Kies de beslissing."), required=True,
                          required_msg="Kies de beslissing.", doc="beslissing"),
        "date": Field(a_date(), required=True, required_msg="Vul de datum van de beslissing in.", doc="datum"),
        "report_id": Field(ref("report", "Kies een rapportage van deze persoon."), doc="the report it answers"),
        "effect": Field(choice(BeslissingEffect, "Kies het gevolg."), default=BeslissingEffect.GEEN.value,
                        doc="gevolg voor kader of voorwaarden"),
        "framework_id": Field(ref("framework", "Kies een kader van deze persoon."), doc="kader (with a kader effect)"),
        "condition_ids": Field(refs("condition", "Kies voorwaarden van deze persoon."), default=[],
                               doc="voorwaarden (with a voorwaarden effect)"),
        "court_outcome": Field(opt_text(500), doc="rechterlijke uitkomst"),
        "note": Field(text(4000), default="", doc="toelichting"),
    },
    check=_decision_check,
)


def _target(value: Any, ctx: Any) -> str:
    found = ctx.record(value) if isinstance(value, str) and record_id_re(value) else None
    if found is None or found[0] not in REVIEWABLE_TYPES:
        raise Bad("Het contact of de rapportage die je beoordeelt is niet gevonden.")
    return value


def _review_check(r: dict, ctx: Any, errors: Errors) -> None:
    if r.get("decision") == ReviewBesluit.AANPASSEN.value and not (r.get("comment") or "").strip():
        errors.add("comment", "Schrijf op wat er aangepast moet worden.")


REVIEW = Schema(
    fields={
        "target_id": Field(leaf(_target, "id → contact | report"), required=True,
                           required_msg="Het contact of de rapportage die je beoordeelt is niet gevonden.",
                           doc="the reviewed contact or report"),
        "decision": Field(choice(ReviewBesluit, "Kies je besluit."), required=True,
                          required_msg="Kies je besluit.", doc="besluit"),
        "comment": Field(text(4000), default="", doc="opmerkingen; required when returning"),
        "at": Field(moment(), default_fn=lambda ctx: ctx.now, doc="tijdstip (ms)"),
    },
    check=_review_check,
)

_END_STATUS = {
    OmBeslissing.VORDERING_TUL.value: KaderStatus.TENUITVOERGELEGD.value,
    OmBeslissing.VORDERING_HERROEPING_VI.value: KaderStatus.BEEINDIGD_HERROEPEN.value,
}


def decision_changes(decision: dict) -> list[tuple[str, dict]]:
    """The ``set`` changes a decision's effect makes to the file: ``[(record_id, changes)]``.

    KADER_BEEINDIGD ends the framework on the decision date (revoked or enforced when the decision says so,
    otherwise ended normally, which raises the lapsed-framework flag when nothing else binds the person);
    KADER_GESCHORST suspends it; VOORWAARDEN_BEEINDIGD and VOORWAARDEN_GEWIJZIGD end the chosen conditions
    on that date (changed conditions are then added as new ones)."""
    effect, day = decision.get("effect"), decision.get("date")
    if effect == BeslissingEffect.KADER_BEEINDIGD.value and decision.get("framework_id"):
        status = _END_STATUS.get(decision.get("decision"), KaderStatus.BEEINDIGD_REGULIER.value)
        return [(decision["framework_id"], {"status": status, "end": day})]
    if effect == BeslissingEffect.KADER_GESCHORST.value and decision.get("framework_id"):
        return [(decision["framework_id"], {"status": KaderStatus.GESCHORST.value})]
    if effect in (BeslissingEffect.VOORWAARDEN_BEEINDIGD.value, BeslissingEffect.VOORWAARDEN_GEWIJZIGD.value):
        return [(cid, {"active": False, "end": day}) for cid in decision.get("condition_ids") or []]
    return []
