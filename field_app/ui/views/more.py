"""Meer: sync status with "Nu synchroniseren", text size, light/dark, language, handing the caseload over
(holiday cover), who is signed in, "Vergrendelen"."""

from __future__ import annotations

from typing import TYPE_CHECKING

import flet as ft

from field_app.app_api import may_assign
from field_app.domain.vocab import Rol
from field_app.ui import components as c
from field_app.ui import theme
from field_app.ui.views.devices import security_section
from field_app.ui.views.worker_dialogs import HandoverDialog

if TYPE_CHECKING:
    from field_app.ui.app import VeldwerkApp


class MoreView:
    title_key = "more.title"
    back = False
    nav = True
    chip = True

    def __init__(self, app: VeldwerkApp):
        self.app = app
        self.sync_box = ft.Column(spacing=6)

    def build(self) -> ft.Control:
        app, t = self.app, self.app.i18n.t
        self.refresh()
        size = ft.SegmentedButton(
            segments=[ft.Segment(value=str(int(s * 100)), label=f"{int(s * 100)} %") for s in theme.TEXT_SCALES],
            selected=[str(int(app.scale * 100))], show_selected_icon=False,
            on_change=app.handler(self.on_text_size),
        )
        lang = ft.SegmentedButton(
            segments=[ft.Segment(value="nl", label="Nederlands"), ft.Segment(value="en", label="English")],
            selected=[app.i18n.lang], show_selected_icon=False, on_change=app.handler(self.on_language),
        )
        mode = ft.SegmentedButton(
            segments=[ft.Segment(value=m, label=t(f"lists.more.theme.{m}")) for m in theme.THEME_MODES],
            selected=[app.prefs.theme_mode], show_selected_icon=False, on_change=app.handler(self.on_theme_mode),
        )
        handover = ft.OutlinedButton(content=t("lists.handover.button"), icon=ft.Icons.BEACH_ACCESS_OUTLINED,
                                     on_click=app.handler(lambda e: HandoverDialog(app).open()), expand=True)
        who = c.para(t("more.signed_in", name=app.services.user_name,
                       role=app.i18n.code_label(Rol, app.services.role)), ft.TextThemeStyle.BODY_LARGE)
        lock = ft.OutlinedButton(content=t("more.lock"), icon=ft.Icons.LOCK_OUTLINE,
                                 on_click=app.handler(lambda e: app.lock("manual")), expand=True)
        sections: list[ft.Control] = [
            c.section_title(t("more.sync")),
            self.sync_box,
            ft.Row([ft.FilledButton(content=t("sync.now"), icon=ft.Icons.SYNC,
                                    on_click=app.handler(self.sync_now), expand=True)]),
            ft.Divider(),
            c.section_title(t("more.text_size")),
            ft.Semantics(content=size, identifier="text-size", label=t("more.text_size"), container=True),
            ft.Divider(),
            c.section_title(t("more.language")),
            ft.Semantics(content=lang, identifier="language", label=t("more.language"), container=True),
            ft.Divider(),
            # one section "Toestel en beveiliging": who is signed in and the lock, then the security screens
            # (before, "Apparaat en beveiliging" and "Toestel en beveiliging" were two sections one above the other)
            *security_section(app, first=[
                who,
                c.para(t("more.lock_explain", minutes=max(1, round(app.guard.idle_timeout / 60))),
                       ft.TextThemeStyle.BODY_MEDIUM),
                ft.Row([lock]),
            ]),
            c.section_title(t("lists.more.appearance")),
            ft.Semantics(content=ft.Row([mode], wrap=True), identifier="theme-mode",
                         label=t("lists.more.appearance"), container=True),
            c.para(t("lists.more.theme_explain"), ft.TextThemeStyle.BODY_MEDIUM),
            ft.Divider(),
            c.section_title(t("lists.more.caseload")),
            *([c.para(t("lists.handover.intro"), ft.TextThemeStyle.BODY_MEDIUM),
               ft.Semantics(content=ft.Row([handover]), identifier="handover")]
              if may_assign(app.services.role) else
              [c.para(t("lists.handover.ask_supervisor"), ft.TextThemeStyle.BODY_MEDIUM)]),
            ft.Divider(),
            c.para(t("more.about"), ft.TextThemeStyle.BODY_SMALL, color=ft.Colors.ON_SURFACE_VARIANT),
        ]
        return ft.ListView([ft.Column(sections, spacing=12)], padding=ft.Padding.symmetric(horizontal=16,
                                                                                          vertical=12),
                           expand=True)

    def refresh(self) -> None:
        status = self.app.services.sync_status()
        summary = c.sync_summary(self.app.i18n, status)
        if summary == getattr(self, "_shown", None):
            return
        self._shown = summary
        self.sync_box.controls = [
            ft.Row([c.badge(summary.short, summary.icon, summary.tone, self.app.scale)]),
            *[c.para(line, ft.TextThemeStyle.BODY_MEDIUM) for line in summary.explanation],
        ]

    def sync_now(self, e=None) -> None:
        self.app.services.sync_now()
        self.app.toast(self.app.i18n.t("sync.started"))

    def on_text_size(self, e) -> None:
        selected = e.control.selected or ["100"]
        self.app.set_text_scale(int(selected[0]) / 100)

    def on_language(self, e) -> None:
        selected = e.control.selected or ["nl"]
        self.app.set_language(selected[0])

    def on_theme_mode(self, e) -> None:
        selected = e.control.selected or ["system"]
        self.app.set_theme_mode(selected[0])


