"""Cliënt: one row under the top bar with the five sections (Tijdlijn, Voorwaarden, Risico's, Netwerk &
partners, Overgang & nazorg) and the actions Signaal maken and Meldcode-afweging, scrolling sideways
(``client_bar``); a header card (name, safety warning, flags, risk, framework and phase, regime,
supervision, last contact) that scrolls away with the section and leaves its badges above the row; and
"Contact vastleggen" at the bottom. The sections live in ``client_*.py``; forms in ``forms/``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

import flet as ft

from field_app.app_api import SyncState
from field_app.domain import rules
from field_app.domain.vocab import (
    KaderFase,
    KaderRegime,
    KaderType,
    Organisatie3RO,
    Toezichtniveau,
    Veiligheidswaarschuwing,
)
from field_app.ui import components as c
from field_app.ui import fmt, theme
from field_app.ui.views import client_parts as p
from field_app.ui.views import conflicts
from field_app.ui.views.case_export import export_button
from field_app.ui.views.client_bar import ClientBar
from field_app.views_model import NoteView

if TYPE_CHECKING:
    from field_app.ui.app import VeldwerkApp

OPEN_FLAG = ("OPEN", "IN_BEHANDELING")
_TYPES = ("framework", "condition", "supervision", "transition", "aftercare", "network_person", "zvh_case",
          "case_action", "flag", "report", "om_decision", "review", "organisation", "flag_step", "case_conference")


@dataclass
class ClientData:
    """Everything the sections show, read once per refresh from the services."""

    client: Any
    notes: list
    recs: dict[str, list]
    ctx: Any
    now: int

    def of(self, rtype: str) -> list:
        return self.recs.get(rtype, [])

    def open_flags(self) -> list:
        return [f for f in self.of("flag") if f.fields.get("status", "OPEN") in OPEN_FLAG]

    def flags_for(self, source_id: str) -> list:
        return [f for f in self.of("flag") if f.fields.get("source_id") == source_id]


class ClientView:
    back = True
    nav = True
    chip = True

    def __init__(self, app: VeldwerkApp, client_id: str, section: str = "timeline"):
        self.app = app
        self.client_id = client_id
        self.section = section
        self.header = ft.Container()
        self.notice = ft.Container(visible=False)
        self.conflicts = ft.Container(visible=False)  # "Conflict: twee wijzigingen tegelijk" (#11, views/conflicts.py)
        self.bar = ClientBar(self)
        self.body = ft.Column(spacing=8, key="timeline")
        self.notes = self.body  # the timeline's column (older callers)
        self.data: ClientData | None = None
        self._shown: Any = None
        self._details_open = False  # at large text: the header's details unfolded

    def title(self) -> str:
        try:
            return self.app.services.client(self.client_id).display_name
        except KeyError:
            return self.app.i18n.t("client.title")

    def build(self) -> ft.Control:
        t = self.app.i18n.t
        self._shown = None
        self.refresh()
        bottom: list[ft.Control] = [
            c.primary_button(t("contact.open"), ft.Icons.EDIT_NOTE,
                             self.app.handler(lambda e: self.app.open_contact_form(self.client_id)),
                             identifier="record-contact")] if self.app.may_record else []
        return ft.Column(
            [
                self.bar.build(),
                ft.ListView(
                    [self.header, self.conflicts, self.notice, self.body],
                    padding=ft.Padding.symmetric(horizontal=16, vertical=8), spacing=12, expand=True,
                    on_scroll=self.bar.on_scroll, scroll_interval=100,
                ),
                ft.Container(ft.Column(bottom, spacing=6),
                             padding=ft.Padding.only(left=16, right=16, bottom=8, top=4)),
            ],
            expand=True, spacing=0,
        )

    def condition_name(self, record) -> str:
        from field_app.ui.views.client_conditions import condition_name
        return condition_name(self.app.i18n, record.fields)

    # -- sections --------------------------------------------------------------------------------------------
    def show_section(self, key: str) -> None:
        self.section = key
        self._shown = None
        self.bar.select(key)
        self.refresh()

    def _render_section(self, data: ClientData) -> list[ft.Control]:
        from field_app.ui.views import (
            client_case,  # Samenwerking (#15)
            client_conditions,
            client_network,
            client_reports,
            client_risks,
            client_timeline,
            client_transitions,
        )
        module = {"timeline": client_timeline, "conditions": client_conditions, "risks": client_risks,
                  "network": client_network, "transitions": client_transitions,
                  "reports": client_reports, "case": client_case}[self.section]
        return module.render(self, data)

    # -- refresh -----------------------------------------------------------------------------------------------
    def refresh(self) -> None:
        app, t = self.app, self.app.i18n.t
        try:
            summary = app.services.client(self.client_id)
        except KeyError:  # retracted or gone: nothing to show here any more
            self.header.content = c.error_line(t("client.gone"), app.scale)
            self.body.controls = []
            return
        svc = app.services
        now = fmt.now_ms()
        notes = svc.notes(self.client_id)
        recs = {rt: svc.records(self.client_id, rt) for rt in _TYPES}
        client_rec = svc.record(self.client_id)
        state = (summary, client_rec, tuple(notes), tuple(tuple(v) for v in recs.values()), self.section,
                 app.notice_for(self.client_id), svc.sync_status().state, now // 60_000)
        if state == self._shown:
            return
        self._shown = state
        data = ClientData(client_rec, notes, recs, svc.client_context(self.client_id, now), now)
        self.data = data
        self.header.content = self._header(summary, data)
        card = conflicts.panel(app, [client_rec, *(r for rs in recs.values() for r in rs)], self._kept)
        self.conflicts.content, self.conflicts.visible = card, card is not None
        self._refresh_notice_full(notes)
        self.body.controls = self._render_section(data)

    def _kept(self, message: str) -> None:
        """A value of a conflict was kept: show the file again, and say so."""
        self._shown = None
        self.refresh()
        self.app.toast(message)

    def _who(self, f: dict) -> list[ft.Control]:
        """Case manager and cover (waarneming): moved here from the caseload card."""
        t, out = self.app.i18n.t, []
        if f.get("assigned_to"):
            out.append(c.para(t("lists.row.assigned", name=f["assigned_to"]), ft.TextThemeStyle.BODY_MEDIUM,
                              color=ft.Colors.ON_SURFACE_VARIANT))
        if f.get("cover_by"):
            until = f.get("cover_until")
            if until:
                try:
                    until = date.fromisoformat(until).strftime("%d-%m-%Y")
                except ValueError:
                    pass
            line = (t("lists.row.cover", name=f["cover_by"], date=until) if until
                    else t("lists.row.cover_open", name=f["cover_by"]))
            out.append(c.para(line, ft.TextThemeStyle.BODY_MEDIUM))
        return out

    def _header(self, summary, data: ClientData) -> ft.Control:
        app, t, i18n = self.app, self.app.i18n.t, self.app.i18n
        f = data.client.fields
        rows: list[ft.Control] = [
            ft.Semantics(content=c.text(f.get("display_name") or summary.display_name,
                                        ft.TextThemeStyle.HEADLINE_SMALL, weight=ft.FontWeight.W_600),
                         header=True, container=True)]
        warning = f.get("safety_warning") or "GEEN"
        if warning != "GEEN":
            rows.append(p.wide_badge(i18n.code_label(Veiligheidswaarschuwing, warning), ft.Icons.GPP_MAYBE,
                                     theme.DANGER, app.scale, identifier="safety-warning",
                                     semantic=t("cf.header.safety",
                                                warning=i18n.code_label(Veiligheidswaarschuwing, warning))))
            if f.get("safety_note"):
                rows.append(c.para(f["safety_note"], ft.TextThemeStyle.BODY_MEDIUM, color=theme.DANGER.fg))
        badges = self._badges(data)
        if badges:
            rows.append(ft.Row(badges, wrap=True, spacing=6, run_spacing=6))
        details = self._details(summary, data)
        if app.scale < 1.5:
            rows += details
        else:  # at large text the details wait behind one tap, so the first screen shows the section too
            rows.append(ft.ExpansionTile(
                title=c.text(t("cf.header.details"), ft.TextThemeStyle.TITLE_SMALL, weight=ft.FontWeight.W_600),
                controls=details, expanded=self._details_open, tile_padding=ft.Padding.all(0),
                expanded_cross_axis_alignment=ft.CrossAxisAlignment.START, min_tile_height=theme.TOUCH,
                on_change=self._toggle_details))
        safety = None
        if warning != "GEEN":  # the safety warning stays in sight above the sections, never cut off
            safety = c.badge(i18n.code_label(Veiligheidswaarschuwing, warning), ft.Icons.GPP_MAYBE, theme.DANGER,
                             app.scale, wrap=app.scale > 1)
        lines = len(rows) + (len(badges) if app.scale > 1 else 0)  # at large text each badge is a line
        self.bar.set_header(self._badges(data, collapsed=True), lines, safety=safety)
        return c.node(ft.Card(ft.Container(ft.Column(rows, spacing=8), padding=ft.Padding.all(16)),
                              margin=ft.Margin.all(0)))

    def _toggle_details(self, e) -> None:
        self._details_open = not self._details_open  # kept when the header is drawn again

    def _details(self, summary, data: ClientData) -> list[ft.Control]:
        """Framework and phase, case manager and cover, regime, supervision, last contact."""
        t, i18n, f, ctx = self.app.i18n.t, self.app.i18n, data.client.fields, data.ctx
        rows: list[ft.Control] = []
        active = [r for r in data.of("framework") if r.fields.get("status") in ("ACTIEF", "GESCHORST")]
        if active:
            fw = active[0].fields
            text = i18n.code_label(KaderType, fw.get("framework_type"))
            if fw.get("current_phase"):
                text += " · " + i18n.code_label(KaderFase, fw["current_phase"])
            rows.append(c.para(t("cf.header.framework", framework=text), ft.TextThemeStyle.BODY_MEDIUM))
        else:
            rows.append(c.para(t("cf.header.no_framework"), ft.TextThemeStyle.BODY_MEDIUM))
        rows += self._who(f)
        if f.get("regime"):
            rows.append(c.para(t("cf.header.regime", regime=i18n.code_label(KaderRegime, f["regime"])),
                               ft.TextThemeStyle.BODY_MEDIUM))
        sup = rules.current_supervision(ctx)
        if sup:
            s = sup[1]
            text = (f"{i18n.code_label(Organisatie3RO, s.get('organisation'))} · "
                    f"{i18n.code_label(Toezichtniveau, s.get('level'))}")
            if s.get("intensified"):
                text += " · " + t("cf.header.intensified")
            rows.append(c.para(t("cf.header.supervision", supervision=text), ft.TextThemeStyle.BODY_MEDIUM))
        if rules.days_since_last_contact(ctx) is None:
            rows.append(c.para(t("caseload.no_contact"), ft.TextThemeStyle.BODY_MEDIUM))
        else:
            rows.append(c.para(fmt.last_contact_text(i18n, summary.last_contact_at), ft.TextThemeStyle.BODY_MEDIUM))
        rows.append(export_button(self.app, self.client_id))  # PDF voor casusoverleg (views/case_export.py)
        return rows

    def _badges(self, data: ClientData, *, collapsed: bool = False) -> list[ft.Control]:
        """Fictief, risk, open flags, contact overdue: new controls on each call (the header card and the
        collapsed header each hold their own)."""
        app, i18n = self.app, self.app.i18n
        wrap = not collapsed and app.scale > 1  # in the card a long badge wraps (the collapsed row scrolls)
        badges: list[ft.Control] = []
        if data.client.fields.get("fictional") and not collapsed:
            badges.append(c.fictional_badge(i18n, app.scale))
        level = rules.risk_level(data.ctx)
        if level:
            badges.append(c.severity_badge(i18n, level, app.scale))
        flags = data.open_flags()
        if flags:
            badges.append(c.badge(i18n.n("cf.header.flags", len(flags)), ft.Icons.FLAG, theme.DANGER, app.scale,
                                  identifier=None if collapsed else "open-flags", wrap=wrap))
        overdue = rules.contact_overdue(data.ctx)
        if overdue:
            badges.append(c.badge(i18n.n("cf.header.overdue", overdue), ft.Icons.SCHEDULE, theme.WARNING,
                                  app.scale, wrap=wrap))
        return badges

    def _refresh_notice_full(self, notes: list) -> None:
        app, t = self.app, self.app.i18n.t
        notice = app.notice_for(self.client_id)
        message = None
        if notice and notice[0] == "saved":
            note = next((n for n in notes if n.id == notice[1]), None)
            if note is not None:
                message = self.saved_message(note)
        elif notice and notice[0] == "draft_kept":
            message = t("contact.draft_kept")
        self._set_notice(notice, message)

    def _set_notice(self, notice, message: str | None) -> None:
        self.notice.visible = bool(message)
        saved = bool(notice) and notice[0] == "saved"
        self.notice.content = (c.info_line(message, self.app.scale, identifier="saved-line",
                                           icon=ft.Icons.CHECK_CIRCLE_OUTLINE if saved else ft.Icons.EDIT_NOTE,
                                           tone=theme.SUCCESS if saved else theme.NEUTRAL)
                               if message else None)

    # -- a bare test double: header and the contacts timeline only ----------------------------------------------
    def saved_message(self, note: NoteView) -> str:
        t = self.app.i18n.t
        if note.sync_state in ("verzonden", "afgeleverd", "ontvangen"):
            return t("contact.saved_sent")
        state = self.app.services.sync_status().state
        if state in (SyncState.ONLINE, SyncState.BUSY):
            return t("contact.saved_sending")
        return t("contact.saved_offline")
