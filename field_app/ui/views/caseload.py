"""Cliënten: the caseload with search, last contact, highest risk and a way to add a client."""

from __future__ import annotations

from typing import TYPE_CHECKING

import flet as ft

from field_app.domain.errors import ValidationError
from field_app.domain.vocab import Ernst
from field_app.ui import components as c
from field_app.ui import fmt
from field_app.views_model import ClientSummary

if TYPE_CHECKING:
    from field_app.ui.app import VeldwerkApp


class CaseloadView:
    title_key = "caseload.title"
    back = False
    nav = True
    chip = True

    def __init__(self, app: VeldwerkApp):
        self.app = app
        t = app.i18n.t
        self.search = ft.TextField(label=t("caseload.search"), prefix_icon=ft.Icons.SEARCH,
                                   on_change=app.handler(self.on_search), expand=True,
                                   text_size=16 * app.scale)
        self.list = ft.Column(spacing=8, key="caseload-list")
        self.count = c.text("", ft.TextThemeStyle.BODY_MEDIUM, color=ft.Colors.ON_SURFACE_VARIANT)

    def build(self) -> ft.Control:
        t = self.app.i18n.t
        add = ft.OutlinedButton(content=t("caseload.add"), icon=ft.Icons.PERSON_ADD_ALT,
                                on_click=self.app.handler(self.open_add_dialog), expand=True)
        self.refresh()
        return ft.Column(
            [
                ft.Container(c.field(self.search), padding=ft.Padding.only(left=16, right=16, top=12)),
                ft.ListView([c.node(self.count), self.list], padding=ft.Padding.symmetric(horizontal=16, vertical=8),
                            expand=True, spacing=8),
                ft.Container(ft.Row([add]), padding=ft.Padding.only(left=16, right=16, bottom=8)),
            ],
            expand=True, spacing=0,
        )

    # -- data
    def refresh(self) -> None:
        app, t = self.app, self.app.i18n.t
        clients = app.services.caseload()
        query = (self.search.value or "").strip().casefold()
        state = (tuple(clients), query, fmt.local(fmt.now_ms()).date())
        if state == getattr(self, "_shown", None):
            return  # nothing new: leave the list alone (no redraw while someone types or listens)
        self._shown = state
        shown = [cl for cl in clients if query in cl.display_name.casefold()] if query else clients
        if not clients:
            self.count.value = ""
            self.list.controls = [self._empty(t("caseload.empty_title"), t("caseload.empty_body"))]
        elif not shown:
            self.count.value = ""
            self.list.controls = [self._empty(t("caseload.no_match_title", query=self.search.value.strip()),
                                              t("caseload.no_match_body"))]
        else:
            self.count.value = app.i18n.n("caseload.count", len(shown))
            self.list.controls = [self._tile(cl) for cl in shown]

    def _empty(self, title: str, body: str) -> ft.Control:
        return ft.Semantics(
            content=ft.Container(
                ft.Column([ft.Icon(ft.Icons.PEOPLE_OUTLINE, size=40 * self.app.scale),
                           c.text(title, ft.TextThemeStyle.TITLE_MEDIUM, weight=ft.FontWeight.W_600),
                           c.text(body, ft.TextThemeStyle.BODY_LARGE)], spacing=8),
                padding=ft.Padding.symmetric(vertical=24),
            ),
            identifier="caseload-empty", container=True,
        )

    def _tile(self, cl: ClientSummary) -> ft.Control:
        app = self.app
        name_row: list[ft.Control] = [
            c.text(cl.display_name, ft.TextThemeStyle.TITLE_MEDIUM, weight=ft.FontWeight.W_600),
        ]
        if cl.fictional:
            name_row.append(c.fictional_badge(app.i18n, app.scale))
        rows: list[ft.Control] = [
            ft.Row(name_row, spacing=8, run_spacing=4, wrap=True),
            c.text(fmt.last_contact_text(app.i18n, cl.last_contact_at), ft.TextThemeStyle.BODY_MEDIUM),
        ]
        if cl.highest_risk:
            rows.append(ft.Row([c.severity_badge(app.i18n, cl.highest_risk, app.scale)]))
        t = app.i18n.t
        spoken = [cl.display_name, fmt.last_contact_text(app.i18n, cl.last_contact_at)]
        if cl.highest_risk:
            spoken.append(t("risk.badge", severity=app.i18n.code_label(Ernst, cl.highest_risk)))
        if cl.fictional:
            spoken.append(t("client.fictional_semantic"))
        open_it = app.handler(lambda e=None, cid=cl.id: app.open_client(cid))
        card = ft.Card(
            content=ft.Container(
                ft.Row([ft.Column(rows, spacing=6, expand=True), ft.Icon(ft.Icons.CHEVRON_RIGHT)]),
                padding=ft.Padding.all(14), on_click=open_it, ink=True,
            ),
            margin=ft.Margin.all(0),
            key=f"client-{cl.id}",
        )
        # a screen reader hears one button: "Jan Jansen, Laatste contact: vandaag, Risico: Hoog"
        return ft.Semantics(content=card, button=True, container=True, exclude_semantics=True,
                            label=", ".join(spoken), on_tap=open_it)

    # -- events
    def on_search(self, e=None) -> None:
        self.refresh()

    def open_add_dialog(self, e=None) -> None:
        AddClientDialog(self.app).open()


class AddClientDialog:
    """A small dialog: name (and "fictief" for demo and practice)."""

    def __init__(self, app: VeldwerkApp):
        self.app = app
        t = app.i18n.t
        self.name = ft.TextField(label=t("add_client.name"),
                                 on_submit=app.handler(self.save), text_size=16 * app.scale, expand=True)
        self.fictional = ft.Checkbox(label=t("add_client.fictional"), value=False)
        self.dialog = ft.AlertDialog(
            modal=True,
            title=c.text(t("add_client.title"), ft.TextThemeStyle.TITLE_LARGE),
            content=ft.Column([c.field(self.name), self.fictional], tight=True, spacing=12, width=340),
            actions=[
                ft.TextButton(content=t("common.cancel"), on_click=app.handler(self.cancel)),
                ft.FilledButton(content=t("add_client.save"), icon=ft.Icons.CHECK,
                                on_click=app.handler(self.save)),
            ],
        )

    def open(self) -> None:
        self.app.page.show_dialog(self.dialog)

    def cancel(self, e=None) -> None:
        self.app.page.pop_dialog()

    def save(self, e=None) -> None:
        try:
            client_id = self.app.services.add_client(self.name.value or "", fictional=bool(self.fictional.value))
        except ValidationError as exc:
            self.name.error = self.app.validation_message(exc.errors, "display_name")
            return
        self.app.page.pop_dialog()
        self.app.open_client(client_id)


class BreakGlassDialog:
    """Opening a file outside one's own caseload: say so, ask for a reason; the reason is logged."""

    def __init__(self, app: VeldwerkApp, client_id: str, message: str):
        self.app = app
        self.client_id = client_id
        t = app.i18n.t
        self.reason = ft.TextField(label=t("break_glass.reason"), multiline=True, min_lines=2, expand=True,
                                   text_size=16 * app.scale, error_max_lines=3)
        self.dialog = ft.AlertDialog(
            modal=True,
            title=c.text(t("break_glass.title"), ft.TextThemeStyle.TITLE_LARGE),
            content=ft.Column([c.para(message, ft.TextThemeStyle.BODY_MEDIUM), c.field(self.reason)],
                              tight=True, spacing=12, width=340),
            actions=[
                ft.TextButton(content=t("common.cancel"), on_click=app.handler(self.cancel)),
                ft.FilledButton(content=t("break_glass.open"), icon=ft.Icons.LOCK_OPEN,
                                on_click=app.handler(self.confirm)),
            ],
        )

    def open(self) -> None:
        self.app.page.show_dialog(self.dialog)

    def cancel(self, e=None) -> None:
        self.app.page.pop_dialog()

    def confirm(self, e=None) -> None:
        try:
            self.app.log_file_opened(self.client_id, self.reason.value or "")
        except ValidationError as exc:
            self.reason.error = self.app.validation_message(exc.errors, next(iter(exc.errors)))
            return
        self.app.page.pop_dialog()
        self.app.show_client(self.client_id)
