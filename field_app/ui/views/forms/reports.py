"""Forms for reports (rapportage) and OM or court decisions; the same generic ``FormView`` as the other
record forms. A decision's effect on the framework or conditions is applied by the services."""

from __future__ import annotations

from typing import TYPE_CHECKING

from field_app.domain import vocab as v
from field_app.ui.views.forms.base import Field, FormView, prune
from field_app.ui.views.forms.records import _push

if TYPE_CHECKING:
    from field_app.ui.app import VeldwerkApp

AUTHOR_STATUSES = [v.RapportageStatus.CONCEPT.value, v.RapportageStatus.TER_GOEDKEURING.value]


def report_form(app: VeldwerkApp, client_id: str, record=None, *, source_id: str | None = None) -> None:
    """A new report (from a violation: ``source_id``, the contact), or (``record``) changing one that is
    not yet approved."""
    t = app.i18n.t
    f = record.fields if record is not None else {}
    fields = [
        Field("report_type", "rep.f.report_type", "choice", v.RapportageType, required=True,
              value=f.get("report_type") or (v.RapportageType.OVERTREDING.value if source_id else None)),
        Field("requested_by", "rep.f.requested_by", "choice", v.RapportageAan, value=f.get("requested_by") or "OM",
              required=True),
        Field("due_date", "rep.f.due_date", "date", value=f.get("due_date")),
        Field("advice", "rep.f.advice", "choice", v.Advies, value=f.get("advice")),
        Field("conditions_advised", "rep.f.conditions_advised", "multi", v.VoorwaardeType,
              value=f.get("conditions_advised") or []),
        Field("text", "rep.f.text", "multiline", value=f.get("text") or ""),
        Field("status", "cf.f.status", "choice", v.RapportageStatus, codes=AUTHOR_STATUSES,
              value=f.get("status") or v.RapportageStatus.CONCEPT.value, required=True),
    ]

    def save(values: dict):
        if record is None:
            extra = {"source_id": source_id} if source_id else {}
            return app.services.create_record("report", client_id, {**prune(values), **extra})
        return app.services.update_record(record.id, values, seen=record.versions)

    _push(app, record.id if record is not None else client_id,
          FormView(app, t("rep.form.report"), fields, save, identifier="report-form"))


def decision_form(app: VeldwerkApp, client_id: str, reports: list, frameworks: list, conditions: list,
                  condition_name) -> None:
    t, i18n = app.i18n.t, app.i18n
    fields = [
        Field("decision", "rep.f.decision", "choice", v.OmBeslissing, required=True),
        Field("date", "rep.f.date", "date", required=True),
        Field("report_id", "rep.f.report_id", "choice",
              options=[(r.id, i18n.code_label(v.RapportageType, r.fields.get("report_type"))) for r in reports]),
        Field("effect", "rep.f.effect", "choice", v.BeslissingEffect, value=v.BeslissingEffect.GEEN.value,
              required=True),
        Field("framework_id", "rep.f.framework_id", "choice",
              options=[(r.id, i18n.code_label(v.KaderType, r.fields.get("framework_type"))) for r in frameworks]),
        Field("condition_ids", "rep.f.condition_ids", "multi", options=[(r.id, condition_name(r)) for r in conditions]),
        Field("court_outcome", "rep.f.court_outcome"),
        Field("note", "rep.f.note", "multiline"),
    ]

    def save(values: dict) -> str:
        return app.services.record_decision(client_id, prune(values))

    _push(app, client_id, FormView(app, t("rep.form.decision"), fields, save, identifier="decision-form",
                                   intro=t("rep.form.decision_intro")))
