"""Tijdlijn: every note (contacts, meldcode weighings, case conferences) newest first, each with author,
time and sync state, its addenda under it, a stub for a retracted note, and behind a ⋮ per note the actions
Aanvulling toevoegen · Signaal maken · Intrekken."""

from __future__ import annotations

from typing import TYPE_CHECKING

import flet as ft

from field_app.domain.vocab import (
    Bron,
    ContactType,
    ContactUitkomst,
    MeldcodeBesluit,
    NalevingStatus,
    OverlegSoort,
    Trend,
    Zekerheid,
)
from field_app.ui import components as c
from field_app.ui import fmt, theme
from field_app.ui.views import client_parts as p
from field_app.ui.views import review as rv
from field_app.ui.views.forms import records as forms
from field_app.ui.views.forms import reports as report_forms
from field_app.ui.views.forms.base import confirm_dialog, iso_to_field
from field_app.views_model import RiskView

if TYPE_CHECKING:
    from field_app.ui.views.client import ClientData, ClientView


def summary(view: ClientView, note) -> str:
    """One line naming a note: ``Huisbezoek (aangekondigd) · vandaag 10:42``."""
    i18n = view.app.i18n
    f = note.fields
    if note.type == "contact":
        what = i18n.code_label(ContactType, f.get("contact_type"))
        return f"{what} · {fmt.moment(i18n, f.get('occurred_at') or note.created_at)}"
    if note.type == "case_conference":
        return f"{i18n.code_label(OverlegSoort, f.get('kind'))} · {iso_to_field(f.get('date'))}"
    return f"{i18n.t('cf.note.meldcode')} · {fmt.moment(i18n, note.created_at)}"


# The notes the timeline draws. Reviews and flag steps are append-only notes too, but they belong to what
# they are about: a review under its contact (``review.review_block``), a step under its flag; drawn here
# they came out as "Meldcode-afweging" cards with raw codes (found in the browser).
TIMELINE_TYPES = frozenset({"contact", "case_conference", "meldcode"})


def render(view: ClientView, data: ClientData) -> list[ft.Control]:
    t = view.app.i18n.t
    out: list[ft.Control] = []  # the selected section button names it; Signaal and Meldcode are in the bar
    notes = [n for n in data.notes if n.type in TIMELINE_TYPES]
    if not notes:
        out.append(p.empty(t("client.timeline_empty")))
        return out
    conditions = {r.id: r for r in data.of("condition")}
    for note in notes:
        out.append(_note(view, data, note, conditions))
    return out


def _note(view: ClientView, data: ClientData, note, conditions: dict) -> ft.Control:
    app, i18n, t = view.app, view.app.i18n, view.app.i18n.t
    if note.retracted:
        r = note.retracted
        return p.card([
            ft.Row([ft.Icon(ft.Icons.BLOCK, color=theme.NEUTRAL.fg, size=20 * app.scale),
                    c.text(t("cf.note.retracted_title"), ft.TextThemeStyle.TITLE_SMALL, weight=ft.FontWeight.W_600)],
                   spacing=6),
            p.line(t("cf.note.retracted", author=r.get("author") or "?", when=fmt.moment(i18n, r.get("at") or 0),
                     reason=r.get("reason") or "")),
            p.line(summary(view, note), muted=True),
        ], key=f"note-{note.id}", identifier=f"retracted-{note.id}")
    f = note.fields
    rows: list[ft.Control] = []
    if note.type == "contact":
        rows += [p.title(i18n.code_label(ContactType, f.get("contact_type"))),
                 p.line(i18n.code_label(ContactUitkomst, f.get("outcome")))]
        when = f.get("occurred_at") or note.created_at
    elif note.type == "case_conference":
        rows += [p.title(t("cf.note.conference", kind=i18n.code_label(OverlegSoort, f.get("kind")))),
                 p.line(t("cf.note.conference_date", date=iso_to_field(f.get("date"))))]
        when = note.created_at
    else:
        rows.append(p.title(t("cf.note.meldcode")))
        if f.get("decision"):
            rows.append(p.line(t("cf.note.meldcode_decision",
                                 decision=i18n.code_label(MeldcodeBesluit, f["decision"]))))
        when = note.created_at
    rows.append(p.line(t("note.meta", when=fmt.moment(i18n, when), author=note.author), muted=True))
    rows.append(c.note_sync_badge(i18n, note.sync_state, app.scale))
    text = f.get("report") or f.get("decisions") or f.get("note")
    if text:
        rows.append(c.para(text, ft.TextThemeStyle.BODY_LARGE))
    if f.get("duiding") and note.type == "case_conference":
        rows.append(p.line(t("cf.note.duiding", text=f["duiding"])))
    if note.type == "contact":  # the interpretation kept apart from the facts, then what was agreed
        for name in ("interpretation", "agreements"):
            if f.get(name):
                rows.append(p.line(t(f"cf.note.{name}", text=f[name])))
    rows += [risk_signal(view, r) for r in f.get("risks") or []]
    for item in f.get("compliance") or []:
        cond = conditions.get(item.get("condition_id"))
        name = view.condition_name(cond) if cond else t("cf.cond.unknown")
        rows.append(p.status_badge(f"{name}: {i18n.code_label(NalevingStatus, item.get('status'))}",
                                   item.get("status"), app.scale, wide=True))
        basis = ([t("cf.note.compliance_source", source=i18n.code_label(Bron, item["source"]))]
                 if item.get("source") else []) + ([item["evidence"]] if item.get("evidence") else [])
        if basis:  # what the check rests on: "Bron: Testuitslag · Ademtest negatief"
            rows.append(p.line(" · ".join(basis)))
        if item.get("violation"):
            rows.append(p.line(rv.ladder_line(app, item["violation"])))
            if item["violation"].get("response") == "RAPPORTAGE_OM" and app.may_record and not any(
                    r.fields.get("source_id") == note.id for r in data.of("report")):
                rows.append(p.actions([p.button(t("rep.from_violation"), ft.Icons.NOTE_ADD_OUTLINED, app.handler(
                    lambda e: report_forms.report_form(app, view.client_id, source_id=note.id)),
                    identifier=f"report-from-{note.id}")]))
    for a in note.addenda:
        rows.append(ft.Container(
            ft.Column([c.para(t("cf.note.addendum_meta", author=a.author, when=fmt.moment(i18n, a.at)),
                              ft.TextThemeStyle.LABEL_LARGE, weight=ft.FontWeight.W_600),
                       c.para(a.text, ft.TextThemeStyle.BODY_MEDIUM)], spacing=2),
            padding=ft.Padding.only(left=12, top=6, bottom=6),
            border=ft.Border.only(left=ft.BorderSide(3, theme.NEUTRAL.fg)), key=f"addendum-{a.id}"))
    if note.type == "contact":
        rows += rv.review_block(app, note, lambda: view.show_section(view.section))
    for flag in data.flags_for(note.id):
        rows.append(p.flag_card(app, flag))
    if not app.may_record:  # the ⋮ holds only writes (addendum, flag, retract): a reading role gets none
        return p.card(rows, key=f"note-{note.id}", identifier=f"note-{note.id}")
    name = summary(view, note)
    # the note's actions wait behind one ⋮ beside its title (three large buttons per note were too many)
    menu = ft.Semantics(content=c.icon_button(ft.Icons.MORE_VERT, t("lists.row.menu", name=name),
                                              app.handler(lambda e: note_actions(view, note.id, name)), app.scale),
                        identifier=f"note-menu-{note.id}")
    rows[0] = ft.Row([ft.Container(rows[0], expand=True), menu], vertical_alignment=ft.CrossAxisAlignment.START,
                     spacing=0)
    return p.card(rows, key=f"note-{note.id}", identifier=f"note-{note.id}")


def risk_details(view: ClientView, risk: dict) -> str:
    """``Trend: Toenemend · Zekerheid: Waargenomen`` for a note's risk signal, with the labels of the contact
    form's risk row; empty when neither was recorded."""
    i18n, t = view.app.i18n, view.app.i18n.t
    parts = []
    if risk.get("trend"):
        parts.append(f"{t('contact_c.risk.trend')}: {i18n.code_label(Trend, risk['trend'])}")
    if risk.get("certainty"):
        parts.append(f"{t('contact_c.risk.certainty')}: {i18n.code_label(Zekerheid, risk['certainty'])}")
    return " · ".join(parts)


def risk_signal(view: ClientView, risk: dict) -> ft.Control:
    """One risk signal of a note: its chip (domain · ernst) and under it its trend and zekerheid, each signal
    on its own line so the words stay with their chip; the chip's words wrap at large text (in a row they were
    cut off at the screen's edge: "Houding / motivatie · Mid")."""
    chip = c.risk_chip(view.app.i18n, RiskView(risk["domain"], risk["severity"]), view.app.scale, wrap=True)
    details = risk_details(view, risk)
    return ft.Column([chip, p.line(details)], spacing=2) if details else chip


def note_actions(view: ClientView, note_id: str, name: str) -> None:
    """The ⋮ of a note: Aanvulling toevoegen · Signaal maken · Intrekken (which asks to confirm, with a
    reason)."""
    app, t = view.app, view.app.i18n.t

    def then(fn):
        def run(e=None) -> None:
            app.page.pop_dialog()
            fn()
        return app.handler(run)

    def action(label: str, icon: ft.IconData, fn, identifier: str) -> ft.Control:
        return ft.Semantics(content=ft.Row([ft.OutlinedButton(content=label, icon=icon, on_click=then(fn),
                                                              expand=True)]), identifier=identifier)

    dialog = c.dialog(
        name,
        content=ft.Column([
            action(t("cf.note.add_addendum"), ft.Icons.NOTE_ADD_OUTLINED,
                   lambda: forms.addendum_form(app, note_id, name), f"addendum-{note_id}"),
            action(t("cf.note.make_flag"), ft.Icons.FLAG_OUTLINED,
                   lambda: forms.flag_form(app, view.client_id, note_id), f"flag-{note_id}"),
            action(t("cf.note.retract"), ft.Icons.BLOCK, lambda: _retract(view, note_id, name),
                   f"retract-{note_id}"),
        ], tight=True, spacing=12, width=340),
        actions=[ft.TextButton(content=t("common.cancel"), on_click=app.handler(lambda e=None: app.page.pop_dialog()))],
    )
    app.page.show_dialog(dialog)


def _retract(view: ClientView, note_id: str, name: str) -> None:
    app, t = view.app, view.app.i18n.t

    def done(reason: str) -> None:
        app.services.retract_record(note_id, reason)
        view.show_section("timeline")

    confirm_dialog(app, t("cf.retract.title"), t("cf.retract.body", note=name), t("cf.note.retract"), done,
                   reason_label=t("cf.retract.reason"), identifier="retract-confirm")
