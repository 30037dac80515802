"""Meer: sync status with "Nu synchroniseren", text size, light/dark, language, handing the caseload over
(holiday cover), who is signed in, "Vergrendelen"."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

import flet as ft

from field_app.app_api import NotAllowed, may_assign
from field_app.domain.errors import ValidationError
from field_app.domain.vocab import Rol
from field_app.ui import components as c
from field_app.ui import fmt, theme
from field_app.ui.views.caseload import known_workers
from field_app.ui.views.devices import security_section

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
            c.section_title(t("more.device")),
            who,
            c.para(t("more.lock_explain", minutes=max(1, round(app.guard.idle_timeout / 60))),
                   ft.TextThemeStyle.BODY_MEDIUM),
            ft.Row([lock]),
            ft.Divider(),
            *security_section(app),  # area D: Toestel en beveiliging
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


class HandoverDialog:
    """"Overdragen (vakantie)": every active client of one worker is covered by a colleague until a date
    (services.hand_over). The cover shows on the caseload row ("Waarneming: <naam> tot <datum>")."""

    def __init__(self, app: VeldwerkApp):
        self.app = app
        t = app.i18n.t
        size = 16 * app.scale
        self.source = ft.TextField(label=t("lists.handover.from"), value=app.services.user_name, text_size=size,
                                   expand=True, error_max_lines=3)
        self.target = ft.TextField(label=t("lists.handover.to"), text_size=size, expand=True, error_max_lines=3)
        self.until = ft.TextField(label=t("lists.handover.until"), text_size=size, expand=True, error_max_lines=3,
                                  keyboard_type=ft.KeyboardType.DATETIME, on_submit=app.handler(self.save))
        me = app.services.user_name
        picks = [ft.OutlinedButton(content=name, on_click=app.handler(lambda e=None, n=name: self.pick(n)))
                 for name in known_workers(app) if name != me][:6]
        self.dialog = ft.AlertDialog(
            modal=True, scrollable=True,
            title=c.text(t("lists.handover.title"), ft.TextThemeStyle.TITLE_LARGE),
            content=ft.Column([c.para(t("lists.handover.intro"), ft.TextThemeStyle.BODY_MEDIUM),
                               c.field(self.source), c.field(self.target),
                               ft.Row(picks, wrap=True, spacing=8, run_spacing=8), c.field(self.until)],
                              tight=True, spacing=12, width=340),
            actions=[
                ft.TextButton(content=t("common.cancel"), on_click=app.handler(self.cancel)),
                ft.FilledButton(content=t("lists.handover.save"), icon=ft.Icons.CHECK,
                                on_click=app.handler(self.save)),
            ],
        )

    def open(self) -> None:
        self.app.page.show_dialog(self.dialog)

    def cancel(self, e=None) -> None:
        self.app.page.pop_dialog()

    def pick(self, name: str) -> None:
        self.target.value = name
        self.target.error = None

    def save(self, e=None) -> None:
        app, t = self.app, self.app.i18n.t
        for f in (self.source, self.target, self.until):
            f.error = None
        source, target = (self.source.value or "").strip(), (self.target.value or "").strip()
        ok = True
        if not source:
            self.source.error, ok = t("lists.handover.empty_from"), False
        if not target:
            self.target.error, ok = t("lists.handover.empty_to"), False
        elif target == source:
            self.target.error, ok = t("lists.handover.same"), False
        try:
            until = fmt.parse_date(self.until.value or "")
        except ValueError:
            self.until.error, ok = t("lists.intake.bad_date"), False
        else:
            if until < fmt.local(fmt.now_ms()).date():
                self.until.error, ok = t("lists.handover.past"), False
        if not ok:
            return
        try:
            moved = app.services.hand_over(source, target, until.isoformat())
        except ValidationError as exc:
            fields = {"cover_by": self.target, "cover_until": self.until}
            key = next((k for k in exc.errors if k in fields), next(iter(exc.errors)))
            fields.get(key, self.target).error = app.validation_message(exc.errors, key)
            return
        except NotAllowed as exc:
            self.target.error = str(exc)
            return
        if not moved:
            self.source.error = t("lists.handover.none", name=source)
            return
        app.page.pop_dialog()
        app.toast(app.i18n.n("lists.handover.done", len(moved), to=target, date=_dmy(until)))


def _dmy(day: date) -> str:
    return day.strftime("%d-%m-%Y")
