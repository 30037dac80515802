"""Rapportages en beslissingen: advice reports to the OM or court with their four-eyes status and due date,
the review history and actions under each, and the decisions of the OM or court that followed."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

import flet as ft

from field_app.domain.vocab import (
    Advies,
    BeslissingEffect,
    OmBeslissing,
    RapportageAan,
    RapportageStatus,
    RapportageType,
)
from field_app.ui import components as c
from field_app.ui import fmt, theme
from field_app.ui.views import client_parts as p
from field_app.ui.views import review as rv
from field_app.ui.views.forms import reports as forms
from field_app.ui.views.forms.base import iso_to_field

if TYPE_CHECKING:
    from field_app.ui.views.client import ClientData, ClientView


def render(view: ClientView, data: ClientData) -> list[ft.Control]:
    app, t = view.app, view.app.i18n.t
    reports, decisions = data.of("report"), data.of("om_decision")
    out: list[ft.Control] = [] if not app.may_record else [p.actions([
        p.button(t("rep.add"), ft.Icons.NOTE_ADD_OUTLINED, app.handler(lambda e: forms.report_form(app, view.client_id)),
                 identifier="add-report"),
        p.button(t("rep.decision_add"), ft.Icons.GAVEL, app.handler(lambda e: forms.decision_form(
            app, view.client_id, reports, data.of("framework"), data.of("condition"), view.condition_name)),
            identifier="add-decision")])]
    if not reports and not decisions:
        out.append(p.empty(t("rep.empty")))
    refresh = lambda: view.show_section(view.section)  # noqa: E731
    for r in sorted(reports, key=lambda r: r.created_at, reverse=True):
        out.append(_report(view, r, refresh))
    names = {r.id: app.i18n.code_label(RapportageType, r.fields.get("report_type")) for r in reports}
    for d in sorted(decisions, key=lambda d: d.fields.get("date") or "", reverse=True):
        out.append(_decision(view, d, names))
    return out


def _report(view: ClientView, record, refresh) -> ft.Control:
    app, i18n, t = view.app, view.app.i18n, view.app.i18n.t
    f = record.fields
    status = app.services.report_status(record.id)
    rows: list[ft.Control] = [
        p.title(i18n.code_label(RapportageType, f.get("report_type"))),
        p.status_badge(t("rep.status", status=i18n.code_label(RapportageStatus, status)),
                       "GEDAAN" if status in ("DEFINITIEF", "VERZONDEN") else "OPEN", app.scale,
                       identifier=f"report-status-{record.id}"),
        p.line(f"{i18n.code_label(RapportageAan, f.get('requested_by'))}"
               + (f" · {i18n.code_label(Advies, f['advice'])}" if f.get("advice") else "")),
    ]
    due = f.get("due_date")
    if due and status not in ("VERZONDEN",):
        late = date.fromisoformat(due) < date.fromtimestamp(view.data.now / 1000) if view.data else False
        rows.append(p.wide_badge(t("rep.overdue" if late else "rep.due", date=iso_to_field(due)),
                                 ft.Icons.EVENT_BUSY if late else ft.Icons.EVENT, theme.DANGER if late
                                 else theme.NEUTRAL, app.scale))
    if f.get("text"):
        rows.append(c.para(f["text"], ft.TextThemeStyle.BODY_LARGE))
    rows.append(p.line(t("note.meta", when=fmt.moment(i18n, record.created_at), author=record.author), muted=True))
    rows += rv.review_block(app, record, refresh)
    buttons: list[ft.Control] = []
    mine = record.author == app.services.user_name
    if mine and status in ("CONCEPT", "TER_GOEDKEURING") and not app.services.review_state(record.id).approved:
        buttons.append(p.button(t("rep.edit"), ft.Icons.EDIT, app.handler(
            lambda e: forms.report_form(app, view.client_id, record)), identifier=f"report-edit-{record.id}"))
    if mine and status == "CONCEPT":
        buttons.append(p.button(t("rep.submit"), ft.Icons.SEND, app.handler(
            lambda e: (app.services.update_record(record.id, {"status": "TER_GOEDKEURING"}), refresh())),
            identifier=f"report-submit-{record.id}"))
    if status == "DEFINITIEF":
        buttons.append(p.button(t("rep.send"), ft.Icons.OUTBOX, app.handler(
            lambda e: (app.services.update_record(record.id, {"status": "VERZONDEN",
                                                              "sent_on": date.today().isoformat()}), refresh())),
            identifier=f"report-send-{record.id}"))
    if buttons and app.may_record:  # a role that now only reads changes nothing, not even its own
        rows.append(p.actions(buttons))
    return p.card(rows, key=f"report-{record.id}", identifier=f"report-{record.id}")


def _decision(view: ClientView, record, names: dict) -> ft.Control:
    i18n, t = view.app.i18n, view.app.i18n.t
    f = record.fields
    rows: list[ft.Control] = [
        p.title(t("rep.decision", decision=i18n.code_label(OmBeslissing, f.get("decision")),
                  date=iso_to_field(f.get("date")))),
        p.line(t("rep.decision_effect", effect=i18n.code_label(BeslissingEffect, f.get("effect")))),
    ]
    if f.get("report_id") in names:
        rows.append(p.line(t("rep.decision_for", report=names[f["report_id"]])))
    for key in ("court_outcome", "note"):
        if f.get(key):
            rows.append(c.para(f[key], ft.TextThemeStyle.BODY_MEDIUM))
    return p.card(rows, key=f"decision-{record.id}", identifier=f"decision-{record.id}")
