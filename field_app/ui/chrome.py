"""The parts around every screen: the top bar with the sync chip, the bottom navigation, the sync
explanation and short messages."""

from __future__ import annotations

from typing import TYPE_CHECKING

import flet as ft

from field_app.ui import components as c

if TYPE_CHECKING:
    from field_app.ui.app import VeldwerkApp


def nav_bar(app: VeldwerkApp) -> ft.NavigationBar:
    """The bottom navigation: Cliënten and Meer."""
    t = app.i18n.t
    return ft.NavigationBar(
        selected_index=app.tab,
        destinations=[
            ft.NavigationBarDestination(icon=ft.Icons.PEOPLE_OUTLINE, selected_icon=ft.Icons.PEOPLE,
                                        label=t("nav.caseload")),
            ft.NavigationBarDestination(icon=ft.Icons.MORE_HORIZ, label=t("nav.more")),
        ],
        on_change=app.handler(lambda e: app.open_tab(e.control.selected_index)),
    )


def render_top(app: VeldwerkApp) -> None:
    """Draw the top bar; unchanged words are not redrawn (sync reports every few seconds, and a
    redraw while someone types or listens with a screen reader is noise)."""
    screen, t = app.screen, app.i18n.t
    title_text = screen.title() if hasattr(screen, "title") else t(screen.title_key)
    status = app.services.sync_status() if screen.chip and app.services.unlocked else None
    summary = c.sync_summary(app.i18n, status) if status else None
    wide = is_wide(app.page)
    progress = (status.extra or {}).get("progress") if status else None
    moved = (progress["received"] // 500, progress["sent"], progress["to_send"]) if progress else None
    key = (id(screen), title_text, summary.short if summary else None, status.pending if status else None,
           app.scale, app.i18n.lang, wide, moved)
    if key == app.top_key:
        return
    app.top_key = key
    title = ft.Semantics(
        content=ft.Text(title_text, theme_style=ft.TextThemeStyle.TITLE_LARGE, weight=ft.FontWeight.W_600,
                        no_wrap=True, overflow=ft.TextOverflow.ELLIPSIS),
        header=True, container=True, expand=True, identifier="screen-title")
    head: list[ft.Control] = []
    if screen.back:
        head.append(c.icon_button(ft.Icons.ARROW_BACK, t("common.back"), app.handler(app.back), app.scale))
    else:
        head.append(ft.Container(width=12))
    head.append(title)
    if status is None:
        app.top.content = ft.Row(head, spacing=4, height=48)
    elif not wide:  # a phone: the title wins, the state is an icon with a badge (its name says it all)
        app.top.content = ft.Row([*head, c.sync_icon(app.i18n, status, app.scale, app.handler(app.open_sync_info))],
                                 spacing=4)
    elif app.scale == 1:
        app.top.content = ft.Row([*head, c.sync_chip(app.i18n, status, app.scale, app.handler(app.open_sync_info))],
                                 spacing=4)
    else:
        chip = c.sync_chip(app.i18n, status, app.scale, app.handler(app.open_sync_info))
        app.top.content = ft.Column([ft.Row(head, spacing=4), ft.Row([chip], wrap=True)], spacing=4)
    bar = c.sync_progress(app.i18n, status)
    if bar is not None:  # a long round: how far it is, under the title
        app.top.content = ft.Column([app.top.content, bar], spacing=2, tight=True)


WIDE = 600  # logical px: from here on (a tablet, a desktop window) the sync state is a chip with words


def is_wide(page: ft.Page) -> bool:
    """Is there room for the sync chip's words beside the title? Unknown width counts as a phone."""
    return (page.width or 0) >= WIDE


def watch_width(app: VeldwerkApp) -> None:
    """Redraw the top bar when the window crosses the phone/wide boundary."""

    def resized(e=None) -> None:
        if app.top_key is not None and app.top_key[-1] != is_wide(app.page):
            app._render_top()
            app.page.update()

    app.page.on_resize = resized


def open_sync_info(app: VeldwerkApp) -> None:
    """Explain the sync state and offer "Nu synchroniseren"."""
    t = app.i18n.t
    summary = c.sync_summary(app.i18n, app.services.sync_status())

    def close(e=None) -> None:
        app.page.pop_dialog()

    def sync_now(e=None) -> None:
        app.services.sync_now()
        app.page.pop_dialog()
        toast(app.page, t("sync.started"))

    dialog = c.dialog(
        t("sync.title"),
        content=ft.Column(
            [ft.Row([c.badge(summary.short, summary.icon, summary.tone, app.scale)]),
             *[c.para(line, ft.TextThemeStyle.BODY_MEDIUM) for line in summary.explanation]],
            tight=True, spacing=10, width=340,
        ),
        actions=[
            ft.TextButton(content=t("common.close"), on_click=app.handler(close)),
            ft.FilledButton(content=t("sync.now"), icon=ft.Icons.SYNC, on_click=app.handler(sync_now)),
        ],
    )
    app.page.show_dialog(dialog)


TOAST = (ft.Colors.ON_INVERSE_SURFACE, ft.Colors.INVERSE_SURFACE)  # in theme.PAIRS: checked for contrast
TOAST_ERROR = (ft.Colors.ON_ERROR_CONTAINER, ft.Colors.ERROR_CONTAINER)


def toast(page: ft.Page, message: str, *, error: bool = False) -> None:
    """A short message at the bottom that goes away by itself. Its colours are set as a pair (the text
    theme's body colour on the snack bar's inverse surface was 1.3:1, found in the browser)."""
    fg, bg = TOAST_ERROR if error else TOAST
    page.show_dialog(ft.SnackBar(
        content=ft.Text(message, theme_style=ft.TextThemeStyle.BODY_LARGE, color=fg),
        bgcolor=bg,
        duration=ft.Duration(milliseconds=6000 if error else 2500),
    ))
