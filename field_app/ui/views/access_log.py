"""Wie opende welk dossier (services.access_log: who opened which client file when; a file opened outside
one's caseload — break the glass — is highlighted with its reason) and Serverlogboek
(services.server_access_log: which device did what kind of request, when, with what result)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import flet as ft

from field_app.app_api import NETWORK_ERRORS, NotAllowed
from field_app.domain.vocab import Rol
from field_app.ui import components as c
from field_app.ui import fmt, theme

if TYPE_CHECKING:
    from field_app.ui.app import VeldwerkApp


class AccessLogView:
    title_key = "sec.log.title"
    back = True
    nav = False
    chip = True

    def __init__(self, app: VeldwerkApp):
        self.app = app
        self.list = ft.Column(spacing=8, horizontal_alignment=ft.CrossAxisAlignment.STRETCH)
        self.only_glass = False
        self._shown = None

    def title(self) -> str:
        return self.app.i18n.t("sec.log.title_short")

    def build(self) -> ft.Control:
        app, t = self.app, self.app.i18n.t
        switch = ft.Switch(value=self.only_glass, on_change=app.handler(self.on_toggle))
        toggle = ft.Row([switch, ft.Text(t("sec.log.only_glass"), theme_style=ft.TextThemeStyle.BODY_MEDIUM,
                                         expand=True)], spacing=8)  # the words wrap; a Switch label does not
        self.refresh()
        return ft.ListView([ft.Column([c.para(t("sec.log.intro"), ft.TextThemeStyle.BODY_MEDIUM),
                                       ft.Semantics(content=toggle, identifier="sec-log-glass", label=t("sec.log.only_glass"),
                                                    container=True),
                                       self.list], spacing=12)],
                           padding=ft.Padding.symmetric(horizontal=16, vertical=12), expand=True)

    def on_toggle(self, e) -> None:
        self.only_glass = bool(e.control.value)
        self._shown = None
        self.refresh()

    def refresh(self) -> None:
        app, t = self.app, self.app.i18n.t
        try:
            rows = app.services.access_log()
        except NotAllowed as exc:
            self.list.controls = [c.error_line(str(exc) if app.i18n.lang == "nl" else t("sec.not_allowed_en"),
                                               app.scale)]
            return
        if self.only_glass:
            rows = [r for r in rows if r.get("break_glass")]
        key = (repr(rows), app.i18n.lang, app.scale)
        if key == self._shown:
            return
        self._shown = key
        glass = sum(1 for r in rows if r.get("break_glass"))
        head = c.text(app.i18n.n("sec.log.count", len(rows), glass=glass), ft.TextThemeStyle.BODY_MEDIUM,
                      color=ft.Colors.ON_SURFACE_VARIANT)
        if not rows:
            self.list.controls = [c.node(head), c.para(t("sec.log.empty"), ft.TextThemeStyle.BODY_MEDIUM)]
            return
        self.list.controls = [c.node(head), *[self._row(r) for r in rows]]

    def _client_name(self, client_id: str) -> str:
        try:
            return self.app.services.client(client_id).display_name
        except Exception:  # not (or no longer) on this device
            return self.app.i18n.t("sec.log.unknown_client")

    def _row(self, r: dict) -> ft.Control:
        app, t = self.app, self.app.i18n.t
        when = fmt.moment(app.i18n, r["at"]) if r.get("at") else ""
        lines: list[ft.Control] = [
            c.text(self._client_name(r.get("client_id", "")), ft.TextThemeStyle.TITLE_MEDIUM,
                   weight=ft.FontWeight.W_600),
            c.para(t("sec.log.exported" if r.get("action") == "export_case_pdf" else "sec.log.who",
                     who=r.get("who") or "?", when=when), ft.TextThemeStyle.BODY_MEDIUM),
        ]
        if r.get("break_glass"):
            lines.insert(0, ft.Row([c.badge(t("sec.log.glass"), ft.Icons.WARNING_AMBER, theme.WARNING,
                                            app.scale)], wrap=True))
            lines.append(c.para(t("sec.log.reason", reason=r.get("reason") or "—"), ft.TextThemeStyle.BODY_LARGE,
                                weight=ft.FontWeight.W_600))
            box = ft.Container(ft.Column(lines, spacing=4), padding=12, bgcolor=theme.WARNING.bg,
                               border=ft.Border.all(2, theme.WARNING.fg), border_radius=ft.BorderRadius.all(8))
            return ft.Semantics(content=box, identifier="sec-log-glass-row", container=True)
        return ft.Semantics(content=ft.Card(ft.Container(ft.Column(lines, spacing=4), padding=12)),
                            identifier="sec-log-row", container=True)


class ServerLogView:
    title_key = "sec.server.title"
    back = True
    nav = False
    chip = True

    def __init__(self, app: VeldwerkApp):
        self.app = app
        self.list = ft.Column(spacing=8, horizontal_alignment=ft.CrossAxisAlignment.STRETCH)

    def title(self) -> str:
        return self.app.i18n.t("sec.server.title")

    def build(self) -> ft.Control:
        app, t = self.app, self.app.i18n.t
        self.load()
        reload = ft.Semantics(content=ft.Row([ft.OutlinedButton(content=t("sec.server.reload"), icon=ft.Icons.REFRESH,
                                                                on_click=app.handler(self.load), expand=True)]),
                              identifier="sec-server-reload")
        return ft.ListView([ft.Column([c.para(t("sec.server.intro"), ft.TextThemeStyle.BODY_MEDIUM), reload,
                                       self.list], spacing=12)],
                           padding=ft.Padding.symmetric(horizontal=16, vertical=12), expand=True)

    def refresh(self) -> None:  # the server's log is fetched on request, not on every sync tick
        return

    def load(self, e=None) -> None:
        app, t = self.app, self.app.i18n.t
        try:
            rows = app.services.server_access_log()
        except NotAllowed as exc:
            self.list.controls = [c.error_line(str(exc) if app.i18n.lang == "nl" else t("sec.not_allowed_en"),
                                               app.scale)]
            return
        except NETWORK_ERRORS:
            self.list.controls = [c.error_line(t("sec.offline"), app.scale, identifier="sec-server-error")]
            return
        rows = sorted(rows, key=lambda r: r.get("at", 0), reverse=True)[:200]
        head = c.text(app.i18n.n("sec.server.count", len(rows)), ft.TextThemeStyle.BODY_MEDIUM,
                      color=ft.Colors.ON_SURFACE_VARIANT)
        self.list.controls = [c.node(head), *[self._row(r) for r in rows]]

    def _row(self, r: dict) -> ft.Control:
        app, t = self.app, self.app.i18n.t
        result = str(r.get("result", ""))
        ok = result.lower() in ("ok", "200", "201", "204") or result.startswith("2")
        tone, icon = (theme.SUCCESS, ft.Icons.CHECK_CIRCLE_OUTLINE) if ok else (theme.DANGER, ft.Icons.ERROR_OUTLINE)
        when = fmt.moment(app.i18n, r["at"]) if r.get("at") else ""
        device = str(r.get("device") or "")[:8]
        if r.get("user"):  # the server logs devices; the team knows whose device it is
            device = f"{r['user']} · {device}"
        role = app.i18n.code_label(Rol, r.get("role")) if r.get("role") else ""
        lines = [
            ft.Row([c.text(str(r.get("action", "")), ft.TextThemeStyle.TITLE_SMALL, weight=ft.FontWeight.W_600,
                           expand=True),
                    c.badge(result or "?", icon, tone, app.scale)], wrap=True),
            c.para(t("sec.server.row", when=when, device=device, role=role), ft.TextThemeStyle.BODY_SMALL),
        ]
        return ft.Semantics(content=ft.Card(ft.Container(ft.Column(lines, spacing=4), padding=10)),
                            identifier="sec-server-row", container=True)
