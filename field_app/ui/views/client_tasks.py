"""Taken per fase (#15): the template of partner tasks of a phase (who, what, by when from the phase start,
``domain.phase_tasks``), the phases of this case first. "Taken overnemen" adopts the tasks not adopted yet as
ordinary case actions (editable and marked done under Netwerk & partners; overdue ones in the agenda)."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

import flet as ft

from field_app.domain import phase_tasks
from field_app.domain.timeutil import local_date
from field_app.domain.vocab import ActieStatus, PartnerOrganisatie
from field_app.ui import components as c
from field_app.ui import theme
from field_app.ui.views import client_parts as p
from field_app.ui.views.forms.base import iso_to_field

if TYPE_CHECKING:
    from field_app.ui.views.client import ClientData, ClientView


def render(view: ClientView, data: ClientData) -> list[ft.Control]:
    app, i18n, t = view.app, view.app.i18n, view.app.i18n.t
    here = phase_tasks.applicable(data.ctx)
    starts = dict(reversed(here))
    chosen = getattr(view, "case_phase", None) or (here[0][0] if here else "ISD_INTRAMURAAL")
    out: list[ft.Control] = [c.section_title(t("case.tasks.title")), _phases(view, chosen, starts)]
    start = starts.get(chosen)
    today = local_date(data.now)
    tasks = phase_tasks.tasks(data.ctx, chosen, start, today)
    label = phase_tasks.PHASES[chosen].get(i18n.lang)
    head = [p.title(label),
            p.line(t("case.tasks.start", date=iso_to_field(start.isoformat())) if start
                   else t("case.tasks.no_start"), muted=start is None)]
    if chosen in starts:
        head.insert(1, ft.Row([c.badge(t("case.tasks.this_case"), ft.Icons.CHECK, theme.SUCCESS, app.scale)]))
    rows: list[ft.Control] = [*head, *[_task(view, data, task, today) for task in tasks]]
    rows.append(_adopt(view, data, chosen, start, today, tasks))
    out.append(p.card(rows, key=f"tasks-{chosen}", identifier=f"tasks-{chosen}"))
    return out


def _phases(view: ClientView, chosen: str, starts: dict) -> ft.Control:
    app, i18n, t = view.app, view.app.i18n, view.app.i18n.t

    def pick(key: str) -> None:
        view.case_phase = key
        view.show_section("case")

    buttons = []
    order = [*starts, *[k for k in phase_tasks.PHASES if k not in starts]]
    for key in order:
        label = phase_tasks.PHASES[key].get(i18n.lang)
        handler = app.handler(lambda e, k=key: pick(k))
        b = (ft.FilledTonalButton(content=ft.Text(label), icon=ft.Icons.CHECK, on_click=handler) if key == chosen
             else ft.OutlinedButton(content=ft.Text(label), on_click=handler))
        buttons.append(ft.Semantics(content=b, identifier=f"phase-{key}", selected=key == chosen, container=True))
    return ft.Semantics(content=ft.Row(buttons, wrap=True, spacing=6, run_spacing=6), container=True,
                        label=t("case.tasks.phases"))


def _task(view: ClientView, data: ClientData, task: phase_tasks.PlannedTask, today: date) -> ft.Control:
    app, i18n, t = view.app, view.app.i18n, view.app.i18n.t
    owner = i18n.code_label(PartnerOrganisatie, task.owner) or task.owner
    status = None
    if task.adopted:
        found = next((a for a in data.of("case_action") if a.id == task.adopted), None)
        status = (found.fields.get("status") if found else None) or ActieStatus.OPEN.value
    late = status == ActieStatus.OPEN.value and task.due < today.isoformat()
    meta = t("case.tasks.meta", owner=owner, due=iso_to_field(task.due))
    chips: list[ft.Control] = []
    if status:
        chips.append(p.status_badge(i18n.code_label(ActieStatus, status), status, app.scale))
    else:
        chips.append(c.badge(t("case.tasks.template"), ft.Icons.CONTENT_COPY, theme.NEUTRAL, app.scale))
    if late:
        chips.append(c.badge(t("case.tasks.late"), ft.Icons.ALARM, theme.DANGER, app.scale))
    rows = [c.para(task.action(i18n.lang), ft.TextThemeStyle.BODY_LARGE, weight=ft.FontWeight.W_600),
            p.line(meta), ft.Row(chips, wrap=True, spacing=6, run_spacing=6)]
    return ft.Container(ft.Column(rows, spacing=4), padding=ft.Padding.only(left=10, top=6, bottom=6),
                        border=ft.Border.only(left=ft.BorderSide(3, ft.Colors.OUTLINE_VARIANT)))


def _adopt(view: ClientView, data: ClientData, phase: str, start, today: date, tasks) -> ft.Control:
    app, t = view.app, view.app.i18n.t
    todo = [x for x in tasks if x.adopted is None]
    if not todo:
        return p.line(t("case.tasks.all_adopted"), muted=True)
    cases = [r for r in data.of("zvh_case") if r.fields.get("phase") != "AFGESLOTEN"]
    if not cases:
        return p.line(t("case.tasks.no_case"), muted=True)
    if not app.may_record:  # a reading role sees the plan, adopts nothing
        return p.line(app.i18n.n("case.tasks.open", len(todo)), muted=True)

    def adopt(e=None) -> None:
        for fields in phase_tasks.adoption(data.ctx, phase, start, today, cases[0].id):
            app.services.create_record("case_action", view.client_id, fields)
        app.toast(app.i18n.n("case.tasks.adopted", len(todo)))
        view.show_section("case")

    return p.actions([p.button(app.i18n.n("case.tasks.adopt", len(todo)), ft.Icons.PLAYLIST_ADD_CHECK,
                               app.handler(adopt), identifier=f"adopt-{phase}", filled=True)])
