"""The screen for a device that cannot open its data folder at start (issue #11).

A read-only or full data folder (the phone's app storage, a USB stick on a laptop) stops the device before
there is anything to unlock. The app then shows the Dutch storage sentence instead of a Python error; the
folder is not changed, so the data stored there before is kept for the next start.
"""

from __future__ import annotations

import flet as ft

from field_app.app_api import StorageError
from field_app.ui.components import para, section_title
from field_app.ui.i18n import I18n
from field_app.ui.theme import apply_theme


def show_start_error(page: ft.Page, exc: StorageError, i18n: I18n | None = None) -> None:
    """Replace the page with the title and the storage sentence of ``exc``; nothing else to press."""
    i18n = i18n or I18n()
    apply_theme(page, 1.0)
    page.title = "Veldwerk"
    page.controls.clear()
    page.add(ft.SafeArea(ft.Column(
        [section_title(i18n.t("storage.start.title")),
         ft.Row([ft.Icon(ft.Icons.ERROR_OUTLINE, semantics_label=i18n.t("storage.start.title")),
                 ft.Container(para(i18n.t(f"storage.{exc.kind}")), expand=True)],
                vertical_alignment=ft.CrossAxisAlignment.START),
         para(i18n.t("storage.start.kept"))],
        spacing=16, scroll=ft.ScrollMode.AUTO), expand=True))
    page.update()
