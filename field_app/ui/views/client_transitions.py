"""Overgang & nazorg: transitions (type, from → to, planned and actual time, transport, accompanied by,
status; a late one red with "Te laat" and its automatic flag), their checklist (tap an item to change its
status), "Aangekomen" and "Vertraagd"; the six aftercare areas and the spoed-nazorg checklist."""

from __future__ import annotations

from typing import TYPE_CHECKING

import flet as ft

from field_app.domain import rules
from field_app.domain.vocab import (
    ChecklistItem,
    ChecklistStatus,
    Leefgebied,
    NazorgStatus,
    OvergangStatus,
    OvergangType,
    Vervoer,
)
from field_app.ui import components as c
from field_app.ui import fmt, theme
from field_app.ui.views import client_parts as p
from field_app.ui.views.forms import records as forms
from field_app.ui.views.forms.base import iso_to_field

if TYPE_CHECKING:
    from field_app.ui.views.client import ClientData, ClientView

CYCLE = ("OPEN", "GEREGELD", "MISLUKT", "NVT")
DONE = ("AANGEKOMEN", "MISLUKT", "GEANNULEERD")


def next_status(current: str | None) -> str:
    return CYCLE[(CYCLE.index(current) + 1) % len(CYCLE)] if current in CYCLE else "GEREGELD"


def render(view: ClientView, data: ClientData) -> list[ft.Control]:
    app, t = view.app, view.app.i18n.t
    out: list[ft.Control] = [c.section_title(t("cf.tr.title"))]
    if app.may_record:
        out.append(p.actions([p.button(t("cf.tr.add"), ft.Icons.ADD,
                                       app.handler(lambda e: forms.transition_form(app, view.client_id)),
                                       identifier="add-transition")]))
    transitions = sorted(data.of("transition"), key=lambda r: (r.fields.get("status") in DONE,
                                                                -(r.fields.get("planned_at") or r.fields.get("actual_at")
                                                                  or r.created_at)))
    if not transitions:
        out.append(p.empty(t("cf.tr.empty")))
    for tr in transitions:
        out.append(_transition(view, data, tr))
    out.append(c.section_title(t("cf.after.title")))
    out += _aftercare(view, data)
    return out


def _transition(view: ClientView, data: ClientData, tr) -> ft.Control:
    app, i18n, t = view.app, view.app.i18n, view.app.i18n.t
    f = tr.fields
    status = f.get("status") or "GEPLAND"
    late = rules.transition_is_late(f, data.now)
    rows: list[ft.Control] = [p.title(i18n.code_label(OvergangType, f.get("transition_type")))]
    chips = [p.status_badge(i18n.code_label(OvergangStatus, status), status, app.scale,
                            identifier=f"tr-status-{tr.id}")]
    if late:
        chips.insert(0, c.badge(t("cf.tr.late"), ft.Icons.ALARM, theme.DANGER, app.scale,
                                identifier=f"tr-late-{tr.id}", semantic=t("cf.tr.late_semantic")))
    rows.append(ft.Row(chips, wrap=True, spacing=6, run_spacing=6))
    if f.get("from_place") or f.get("to_place"):
        rows.append(p.line(t("cf.tr.route", src=f.get("from_place") or "…", dst=f.get("to_place") or "…")))
    if f.get("planned_at"):
        rows.append(p.line(t("cf.tr.planned", when=fmt.moment(i18n, f["planned_at"]))))
    if f.get("actual_at"):
        rows.append(p.line(t("cf.tr.actual", when=fmt.moment(i18n, f["actual_at"]))))
    if f.get("transport"):
        rows.append(p.line(t("cf.tr.transport", how=i18n.code_label(Vervoer, f["transport"]))))
    if f.get("accompanied_by"):
        rows.append(p.line(t("cf.tr.accompanied", who=f["accompanied_by"])))
    if f.get("note"):
        rows.append(p.line(f["note"], muted=True))
    for flag in data.flags_for(tr.id):
        rows.append(p.flag_card(app, flag))
    checklist = f.get("checklist") or {}
    if checklist:
        rows.append(c.para(t("cf.tr.checklist"), ft.TextThemeStyle.TITLE_SMALL, weight=ft.FontWeight.W_600))
        for item, st in checklist.items():
            rows.append(_check_item(view, item, st, lambda item=item, st=st: view.app.services.update_record(
                tr.id, {"checklist": {item: next_status(st)}}), f"tr-{tr.id}-{item}"))
    if status not in DONE and app.may_record:
        def arrived(e=None) -> None:  # asks when (date and time, now to start with)
            forms.arrival_form(app, tr)

        def delayed(e=None) -> None:
            app.services.update_record(tr.id, {"status": "VERTRAAGD"})
            view.show_section("transitions")

        buttons = [p.button(t("cf.tr.arrived"), ft.Icons.FLAG_CIRCLE_OUTLINED, app.handler(arrived),
                            identifier=f"tr-arrived-{tr.id}", filled=True)]
        if status != "VERTRAAGD":
            buttons.append(p.button(t("cf.tr.delayed"), ft.Icons.SCHEDULE, app.handler(delayed),
                                    identifier=f"tr-delayed-{tr.id}"))
        rows.append(p.actions(buttons))
    return p.card(rows, key=f"tr-{tr.id}", tone=theme.DANGER if late else None, identifier=f"transition-{tr.id}")


def _check_item(view: ClientView, item: str, status: str, change, identifier: str) -> ft.Control:
    app, i18n, t = view.app, view.app.i18n, view.app.i18n.t
    icon, tone = p.status_tone(status)
    word = i18n.code_label(ChecklistStatus, status)
    name = i18n.code_label(ChecklistItem, item)

    def tap(e=None) -> None:
        change()
        view.show_section(view.section)

    row = ft.Container(
        ft.Row([ft.Icon(icon, color=tone.fg, size=22 * app.scale),
                c.text(name, ft.TextThemeStyle.BODY_LARGE, expand=True),
                c.text(word, ft.TextThemeStyle.LABEL_LARGE, color=tone.fg, weight=ft.FontWeight.W_600)],
               spacing=8, vertical_alignment=ft.CrossAxisAlignment.CENTER),
        on_click=app.handler(tap) if app.may_record else None, padding=ft.Padding.symmetric(horizontal=8, vertical=12),
        border_radius=ft.BorderRadius.all(8), bgcolor=tone.bg, ink=app.may_record,
    )
    # a reading role sees the state, not a button that the device would refuse
    return ft.Semantics(content=row, button=app.may_record, identifier=identifier, container=True,
                        exclude_semantics=True, label=t("cf.tr.check_semantic", item=name, status=word))


def _aftercare(view: ClientView, data: ClientData) -> list[ft.Control]:
    app, i18n, t = view.app, view.app.i18n, view.app.i18n.t
    records = data.of("aftercare")
    rec = records[0] if records else None
    f = rec.fields if rec else {}
    out: list[ft.Control] = []
    if f.get("spoed"):
        rows: list[ft.Control] = [
            ft.Row([ft.Icon(ft.Icons.EMERGENCY, color=theme.DANGER.fg, size=22 * app.scale),
                    c.text(t("cf.after.spoed"), ft.TextThemeStyle.TITLE_MEDIUM, weight=ft.FontWeight.W_600,
                           color=theme.DANGER.fg, expand=True)], spacing=6),
            p.line(t("cf.after.spoed_intro")),
        ]
        for item, st in (f.get("spoed_checklist") or {}).items():
            rows.append(_check_item(view, item, st, lambda item=item, st=st: app.services.update_record(
                rec.id, {"spoed_checklist": {item: next_status(st)}}), f"spoed-{item}"))
        out.append(p.card(rows, key="spoed", identifier="spoed-nazorg"))
    rows = []
    for area in forms.AFTERCARE_AREAS:
        cur = f.get(area) or {}
        status = cur.get("status") or "ONBEKEND"
        name = i18n.code_label(Leefgebied, area)
        word = i18n.code_label(NazorgStatus, status)
        info: list[ft.Control] = [c.text(name, ft.TextThemeStyle.TITLE_SMALL, weight=ft.FontWeight.W_600),
                                  p.status_badge(word, status, app.scale)]
        if cur.get("owner"):
            info.append(p.line(t("cf.after.owner", who=cur["owner"])))
        if cur.get("as_of"):
            info.append(p.line(t("cf.after.as_of", date=iso_to_field(cur["as_of"])), muted=True))
        if cur.get("note"):
            info.append(p.line(cur["note"], muted=True))
        edit = c.icon_button(ft.Icons.EDIT_OUTLINED, t("cf.after.edit_area", area=name),
                             app.handler(lambda e, a=area, cur=cur: forms.aftercare_area_form(app, view.client_id,
                                                                                               a, cur)), app.scale)
        rows.append(ft.Container(
            ft.Row([ft.Semantics(content=ft.Column(info, spacing=4), container=True, expand=True),
                    *([ft.Semantics(content=edit, identifier=f"after-edit-{area}")] if app.may_record else [])],
                   vertical_alignment=ft.CrossAxisAlignment.START),
            padding=ft.Padding.symmetric(vertical=6), key=f"after-{area}",
            border=ft.Border.only(bottom=ft.BorderSide(1, ft.Colors.OUTLINE_VARIANT))))
    out.append(p.card(rows, key="aftercare", identifier="aftercare"))
    return out
