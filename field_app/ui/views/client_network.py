"""Netwerk & partners: people around the client (relation, roles, minor, lives with client, consent), the
ZVH case (approach, phase, directors, referral, triage) and its actions grouped per phase (tap to mark
GEDAAN)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import flet as ft

from field_app.domain.vocab import (
    Aanpak,
    ActieStatus,
    CasusFase,
    KaderRegime,
    NetwerkRol,
    PartnerOrganisatie,
    Relatie,
    WegingBesluit,
)
from field_app.ui import components as c
from field_app.ui import theme
from field_app.ui.views import client_parts as p
from field_app.ui.views.forms import records as forms
from field_app.ui.views.forms.base import iso_to_field

if TYPE_CHECKING:
    from field_app.ui.views.client import ClientData, ClientView


def render(view: ClientView, data: ClientData) -> list[ft.Control]:
    app, i18n, t = view.app, view.app.i18n, view.app.i18n.t
    out: list[ft.Control] = [c.section_title(t("cf.net.people"))]
    if app.may_record:
        out.append(p.actions([p.button(t("cf.net.add_person"), ft.Icons.PERSON_ADD_ALT,
                                       app.handler(lambda e: forms.network_person_form(app, view.client_id)),
                                       identifier="add-network-person")]))
    people = data.of("network_person")
    if not people:
        out.append(p.empty(t("cf.net.people_empty")))
    for person in people:
        f = person.fields
        rows: list[ft.Control] = [p.title(f.get("name") or "?"), p.line(i18n.code_label(Relatie, f.get("relation")))]
        chips = []
        for role in f.get("roles") or []:
            danger = role in ("SLACHTOFFER", "MOGELIJK_SLACHTOFFER", "RISICOFIGUUR")
            chips.append(c.badge(i18n.code_label(NetwerkRol, role), ft.Icons.WARNING_AMBER if danger else ft.Icons.PERSON,
                                 theme.WARNING if danger else theme.NEUTRAL, app.scale))
        if f.get("minor"):
            chips.append(c.badge(t("cf.net.minor"), ft.Icons.CHILD_CARE, theme.WARNING, app.scale))
        if f.get("lives_with_client"):
            chips.append(c.badge(t("cf.net.lives_with"), ft.Icons.HOME_OUTLINED, theme.NEUTRAL, app.scale))
        chips.append(c.badge(t("cf.net.consent_yes") if f.get("consent_collateral") else t("cf.net.consent_no"),
                             ft.Icons.CHECK if f.get("consent_collateral") else ft.Icons.BLOCK, theme.NEUTRAL,
                             app.scale))
        rows.append(ft.Row(chips, wrap=True, spacing=6, run_spacing=6))
        if f.get("note"):
            rows.append(p.line(f["note"], muted=True))
        for flag in data.flags_for(person.id):
            rows.append(p.flag_card(app, flag))
        out.append(p.card(rows, key=f"np-{person.id}"))

    out.append(c.section_title(t("cf.net.partners")))
    cases = data.of("zvh_case")
    if not cases and app.may_record:
        out.append(p.actions([p.button(t("cf.net.add_case"), ft.Icons.ADD,
                                       app.handler(lambda e: forms.zvh_case_form(app, view.client_id)),
                                       identifier="add-zvh-case")]))
        out.append(p.empty(t("cf.net.case_empty")))
    for case in cases:
        out.append(_case(view, data, case))
    return out


def _case(view: ClientView, data: ClientData, case) -> ft.Control:
    app, i18n, t = view.app, view.app.i18n, view.app.i18n.t
    f = case.fields
    rows: list[ft.Control] = [
        p.title(t("cf.net.case", approach=i18n.code_label(Aanpak, f.get("approach")))),
        p.status_badge(t("cf.net.phase", phase=i18n.code_label(CasusFase, f.get("phase"))), "OPEN"
                       if f.get("phase") != "AFGESLOTEN" else None, app.scale),
    ]
    if f.get("regime"):
        rows.append(p.line(t("cf.header.regime", regime=i18n.code_label(KaderRegime, f["regime"]))))
    if f.get("process_director"):
        rows.append(p.line(t("cf.net.process_director", who=f["process_director"])))
    if f.get("case_director"):
        rows.append(p.line(t("cf.net.case_director", who=f["case_director"])))
    ref = f.get("referral") or {}
    if ref.get("date") or ref.get("reason"):
        rows.append(p.line(t("cf.net.referral", date=iso_to_field(ref.get("date")) or "…",
                             by=ref.get("referred_by") or "…")))
        if ref.get("reason"):
            rows.append(p.line(ref["reason"], muted=True))
    if ref.get("partners"):
        rows.append(p.line(t("cf.net.partner_list", who=", ".join(i18n.code_label(PartnerOrganisatie, x)
                                                                  for x in ref["partners"]))))
    tri = f.get("triage") or {}
    if tri.get("outcome"):
        rows.append(p.line(t("cf.net.triage", outcome=i18n.code_label(WegingBesluit, tri["outcome"]),
                             date=iso_to_field(tri.get("date")) or "…")))
    if app.may_record:
        rows.append(p.actions([
            p.button(t("cf.net.add_conference"), ft.Icons.GROUPS_OUTLINED,
                     app.handler(lambda e: forms.case_conference_form(app, view.client_id, case.id)),
                     identifier="add-conference"),
            p.button(t("cf.net.add_action"), ft.Icons.ADD_TASK,
                     app.handler(lambda e: forms.case_action_form(app, view.client_id, case.id)),
                     identifier="add-action"),
        ]))
    actions = [a for a in data.of("case_action") if a.fields.get("case_id") == case.id]
    groups: dict[str, list] = {}
    for a in actions:
        groups.setdefault(a.fields.get("phase") or t("cf.net.no_phase"), []).append(a)
    for phase, items in groups.items():
        rows.append(c.para(t("cf.net.actions_phase", phase=phase), ft.TextThemeStyle.TITLE_SMALL,
                           weight=ft.FontWeight.W_600))
        for a in sorted(items, key=lambda r: (r.fields.get("status") != "OPEN", r.fields.get("due") or "9999")):
            rows.append(_action(view, a))
    if not actions:
        rows.append(p.line(t("cf.net.actions_empty"), muted=True))
    return p.card(rows, key=f"case-{case.id}")


def _action(view: ClientView, action) -> ft.Control:
    app, i18n, t = view.app, view.app.i18n, view.app.i18n.t
    f = action.fields
    status = f.get("status") or "OPEN"
    rows: list[ft.Control] = [
        c.para(f.get("action") or "", ft.TextThemeStyle.BODY_LARGE, weight=ft.FontWeight.W_600),
        p.line(t("cf.net.action_meta", owner=i18n.code_label(PartnerOrganisatie, f.get("owner")) or f.get("owner"),
                 due=iso_to_field(f.get("due")) or "…")),
        p.status_badge(i18n.code_label(ActieStatus, status), status, app.scale),
    ]
    if status == "OPEN" and app.may_record:
        def done(e=None) -> None:
            app.services.update_record(action.id, {"status": "GEDAAN"})
            view.show_section("network")
        rows.append(p.button(t("cf.net.mark_done"), ft.Icons.CHECK, app.handler(done),
                             identifier=f"action-done-{action.id}"))
    return ft.Container(ft.Column(rows, spacing=4), padding=ft.Padding.only(left=10, top=6, bottom=6),
                        border=ft.Border.only(left=ft.BorderSide(3, ft.Colors.OUTLINE_VARIANT)),
                        key=f"action-{action.id}")
