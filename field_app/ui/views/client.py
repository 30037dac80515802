"""Cliënt: a header card and the Tijdlijn of contacts, with "Contact vastleggen" at the bottom."""

from __future__ import annotations

from typing import TYPE_CHECKING

import flet as ft

from field_app.ui import components as c
from field_app.ui import fmt, theme
from field_app.views_model import NoteView

if TYPE_CHECKING:
    from field_app.ui.app import VeldwerkApp


class ClientView:
    back = True
    nav = True
    chip = True

    def __init__(self, app: VeldwerkApp, client_id: str):
        self.app = app
        self.client_id = client_id
        self.header = ft.Container()
        self.notice = ft.Container(visible=False)
        self.notes = ft.Column(spacing=4, key="timeline")

    def title(self) -> str:
        try:
            return self.app.services.client(self.client_id).display_name
        except KeyError:
            return self.app.i18n.t("client.title")

    def build(self) -> ft.Control:
        t = self.app.i18n.t
        self.refresh()
        return ft.Column(
            [
                ft.ListView(
                    [self.header, self.notice, c.section_title(t("client.timeline")), self.notes],
                    padding=ft.Padding.symmetric(horizontal=16, vertical=12), spacing=12, expand=True,
                ),
                ft.Container(
                    c.primary_button(t("contact.open"), ft.Icons.EDIT_NOTE,
                                     self.app.handler(lambda e: self.app.open_contact_form(self.client_id)),
                                     identifier="record-contact"),
                    padding=ft.Padding.only(left=16, right=16, bottom=8, top=4),
                ),
            ],
            expand=True, spacing=0,
        )

    def refresh(self) -> None:
        app, t = self.app, self.app.i18n.t
        try:
            client = app.services.client(self.client_id)
        except KeyError:  # retracted or gone: nothing to show here any more
            self.header.content = c.error_line(t("client.gone"), app.scale)
            self.notes.controls = []
            return
        timeline = app.services.timeline(self.client_id)
        state = (client, tuple(timeline), app.notice_for(self.client_id), app.services.sync_status().state,
                 fmt.local(fmt.now_ms()).date())
        if state == getattr(self, "_shown", None):
            return
        self._shown = state
        badges: list[ft.Control] = []
        if client.fictional:
            badges.append(c.fictional_badge(app.i18n, app.scale))
        if client.highest_risk:
            badges.append(c.severity_badge(app.i18n, client.highest_risk, app.scale))
        self.header.content = c.node(ft.Card(
            ft.Container(
                ft.Column(
                    [
                        ft.Semantics(content=c.text(client.display_name, ft.TextThemeStyle.HEADLINE_SMALL,
                                                    weight=ft.FontWeight.W_600), header=True,
                                     container=True),
                        *([ft.Row(badges, wrap=True, spacing=6, run_spacing=6)] if badges else []),
                        c.para(app.i18n.n("client.contacts", client.contact_count), ft.TextThemeStyle.BODY_MEDIUM),
                        c.para(fmt.last_contact_text(app.i18n, client.last_contact_at),
                               ft.TextThemeStyle.BODY_MEDIUM),
                    ],
                    spacing=8,
                ),
                padding=ft.Padding.all(16),
            ),
            margin=ft.Margin.all(0),
        ))
        self._refresh_notice(timeline)
        if timeline:
            self.notes.controls = [c.note_card(app.i18n, n, app.scale) for n in timeline]
        else:
            self.notes.controls = [c.para(t("client.timeline_empty"), ft.TextThemeStyle.BODY_LARGE)]

    def _refresh_notice(self, timeline: list[NoteView]) -> None:
        """The quiet line after a save or after leaving a half-typed form."""
        app, t = self.app, self.app.i18n.t
        notice = app.notice_for(self.client_id)
        message = None
        if notice and notice[0] == "saved":
            note = next((n for n in timeline if n.id == notice[1]), None)
            if note is not None:
                message = self.saved_message(note)
        elif notice and notice[0] == "draft_kept":
            message = t("contact.draft_kept")
        self.notice.visible = bool(message)
        self.notice.content = (c.info_line(message, app.scale, identifier="saved-line",
                                           icon=ft.Icons.CHECK_CIRCLE_OUTLINE if notice[0] == "saved"
                                           else ft.Icons.EDIT_NOTE, tone=theme.SUCCESS if notice[0] == "saved"
                                           else theme.NEUTRAL)
                               if message else None)

    def saved_message(self, note: NoteView) -> str:
        t = self.app.i18n.t
        if note.sync_state in ("verzonden", "ontvangen"):
            return t("contact.saved_sent")
        state = self.app.services.sync_status().state
        if state in ("online", "bezig"):
            return t("contact.saved_sending")
        return t("contact.saved_offline")
