"""Voorwaarden: legal frameworks with phases and status, supervision orders, and every condition with its
wording, parameters, control means, enforcer and latest compliance (status word + icon + date)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import flet as ft

from field_app.domain import indicators
from field_app.domain.vocab import (
    ControleMiddel,
    Handhaver,
    KaderFase,
    KaderStatus,
    KaderType,
    MeldFrequentie,
    MeldInstantie,
    Middel,
    NalevingStatus,
    Opdrachtgever,
    Organisatie3RO,
    Toezichtniveau,
    ToezichtStatus,
    VoorwaardeType,
    Weekdag,
)
from field_app.ui import components as c
from field_app.ui import fmt
from field_app.ui.views import client_parts as p
from field_app.ui.views.forms import records as forms
from field_app.ui.views.forms.base import iso_to_field

if TYPE_CHECKING:
    from field_app.ui.views.client import ClientData, ClientView


def condition_name(i18n, fields: dict) -> str:
    return i18n.code_label(VoorwaardeType, fields.get("condition_type"))


def _period(t, f: dict) -> str | None:
    if f.get("start") or f.get("end"):
        return t("cf.period", start=iso_to_field(f.get("start")) or "…", end=iso_to_field(f.get("end")) or "…")
    return None


def render(view: ClientView, data: ClientData) -> list[ft.Control]:
    app, i18n, t = view.app, view.app.i18n, view.app.i18n.t
    out: list[ft.Control] = []  # the selected section button names it (no second "conditions" on screen)
    frameworks = data.of("framework")
    buttons = [p.button(t("cf.cond.add_framework"), ft.Icons.ADD,
                        app.handler(lambda e: forms.framework_form(app, view.client_id)), identifier="add-framework"),
               p.button(t("cf.cond.add_supervision"), ft.Icons.ADD,
                        app.handler(lambda e: forms.supervision_form(app, view.client_id)),
                        identifier="add-supervision")]
    if frameworks:
        buttons.insert(1, p.button(t("cf.cond.add_condition"), ft.Icons.ADD,
                                   app.handler(lambda e: forms.condition_form(app, view.client_id, frameworks)),
                                   identifier="add-condition"))
    if app.may_record:
        out.append(p.actions(buttons))
    lapse = [f for f in data.open_flags() if f.fields.get("raised_by_rule") == "KADER_VERVALLEN"]
    for flag in lapse:
        out.append(p.flag_card(app, flag))
    if not frameworks and not data.of("supervision"):
        out.append(p.empty(t("cf.cond.empty")))
    latest = indicators.latest_compliance(data.ctx)
    conditions = data.of("condition")
    for fw in frameworks:
        f = fw.fields
        status = f.get("status") or "ACTIEF"
        rows: list[ft.Control] = [
            p.title(i18n.code_label(KaderType, f.get("framework_type"))),
            p.status_badge(i18n.code_label(KaderStatus, status), status, app.scale, identifier=f"fw-status-{fw.id}"),
        ]
        if f.get("commissioner"):
            rows.append(p.line(t("cf.cond.commissioner", who=i18n.code_label(Opdrachtgever, f["commissioner"]))))
        if _period(t, f):
            rows.append(p.line(_period(t, f)))
        if f.get("current_phase"):
            rows.append(p.line(t("cf.cond.current_phase", phase=i18n.code_label(KaderFase, f["current_phase"]))))
        for ph in f.get("phases") or []:
            rows.append(p.line(f"• {i18n.code_label(KaderFase, ph.get('phase'))}: "
                               + t("cf.period", start=iso_to_field(ph.get("from")) or "…",
                                   end=iso_to_field(ph.get("to")) or "…")
                               + (f" · {ph['location']}" if ph.get("location") else ""), muted=True))
        if f.get("note"):
            rows.append(p.line(f["note"], muted=True))
        if app.may_record:
            rows.append(p.actions([p.button(t("cf.cond.change_status"), ft.Icons.EDIT_OUTLINED,
                                            app.handler(lambda e, r=fw: forms.framework_status_form(app, r)),
                                            identifier=f"fw-change-{fw.id}")]))
        mine = [r for r in conditions if r.fields.get("framework_id") == fw.id]
        for cond in mine:
            rows.append(_condition(view, cond, latest.get(cond.id)))
        out.append(p.card(rows, key=f"fw-{fw.id}"))
    for sup in data.of("supervision"):
        s = sup.fields
        rows = [p.title(t("cf.cond.supervision", org=i18n.code_label(Organisatie3RO, s.get("organisation")))),
                p.line(i18n.code_label(Toezichtniveau, s.get("level"))
                       + (" · " + t("cf.header.intensified") if s.get("intensified") else "")),
                p.status_badge(i18n.code_label(ToezichtStatus, s.get("status")), s.get("status"), app.scale)]
        if s.get("supervisor"):
            rows.append(p.line(t("cf.cond.supervisor", who=s["supervisor"])))
        if _period(t, s):
            rows.append(p.line(_period(t, s)))
        out.append(p.card(rows, key=f"sup-{sup.id}"))
    return out


def _condition(view: ClientView, cond, latest: tuple[str, int] | None) -> ft.Control:
    app, i18n, t = view.app, view.app.i18n, view.app.i18n.t
    f = cond.fields
    par = f.get("parameters") or {}
    rows: list[ft.Control] = [c.para(condition_name(i18n, f), ft.TextThemeStyle.TITLE_SMALL,
                                     weight=ft.FontWeight.W_600)]
    if f.get("active") is False:
        rows.append(p.line(t("cf.cond.inactive"), muted=True))
    if f.get("wording"):
        rows.append(c.para(f"“{f['wording']}”", ft.TextThemeStyle.BODY_MEDIUM, italic=True))
    details = []
    if par.get("zone"):
        details.append(t("cf.cond.zone", zone=par["zone"]))
    if par.get("frequency"):
        details.append(t("cf.cond.frequency", freq=i18n.code_label(MeldFrequentie, par["frequency"])))
    if par.get("report_to"):
        details.append(t("cf.cond.report_to", to=i18n.code_label(MeldInstantie, par["report_to"])))
    if par.get("institution"):
        details.append(t("cf.cond.institution", name=par["institution"]))
    if par.get("substances"):
        details.append(t("cf.cond.substances", what=", ".join(i18n.code_label(Middel, s) for s in par["substances"])))
    if par.get("protected_persons"):
        names = {r.id: r.fields.get("name") for r in view.data.of("network_person")} if view.data else {}
        details.append(t("cf.cond.protected", who=", ".join(names.get(x) or x for x in par["protected_persons"])))
    for w in par.get("time_windows") or []:
        days = ", ".join(i18n.code_label(Weekdag, d) for d in w.get("days") or [])
        details.append(t("cf.cond.window", days=days, start=w.get("from"), end=w.get("to")))
    if f.get("control_means"):
        details.append(t("cf.cond.control", what=", ".join(i18n.code_label(ControleMiddel, m)
                                                            for m in f["control_means"])))
    if f.get("enforcer"):
        details.append(t("cf.cond.enforcer", who=i18n.code_label(Handhaver, f["enforcer"])))
    if _period(t, f):
        details.append(_period(t, f))
    rows += [p.line(d) for d in details]
    if latest:
        status, at = latest
        word = t("cf.cond.latest", status=i18n.code_label(NalevingStatus, status), date=fmt.day_text(i18n, at))
        rows.append(p.status_badge(word, status, app.scale, identifier=f"compliance-{cond.id}", wide=True))
    else:
        rows.append(p.status_badge(t("cf.cond.never_checked"), None, app.scale, identifier=f"compliance-{cond.id}",
                                    wide=True))
    return ft.Container(ft.Column(rows, spacing=4), padding=ft.Padding.only(left=10, top=8, bottom=4),
                        border=ft.Border.only(left=ft.BorderSide(3, ft.Colors.OUTLINE_VARIANT)),
                        key=f"cond-{cond.id}")
