"""PDF voor casusoverleg: the button in a client's file that makes the case-conference PDF on this device
(services.export_case_pdf) and, in the web build, offers it as a download (Flet's FilePicker.save_file with
the bytes: the browser saves it; nothing is sent to the server)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import flet as ft

from field_app.app_api import NotAllowed, ValidationError, may_record

if TYPE_CHECKING:
    from field_app.ui.app import VeldwerkApp


def export_button(app: VeldwerkApp, client_id: str) -> ft.Control:
    """The button; none for roles that only read (a partner reader, the DPO): they may not export."""
    if not may_record(app.services.role):
        return ft.Container(visible=False)

    async def make(e=None) -> None:
        await export(app, client_id)

    button = ft.OutlinedButton(content=app.i18n.t("pdf.button"), icon=ft.Icons.PICTURE_AS_PDF_OUTLINED,
                               on_click=app.handler(make))
    return ft.Semantics(content=ft.Row([button], wrap=True), identifier="case-pdf", container=True)


async def export(app: VeldwerkApp, client_id: str) -> None:
    t = app.i18n.t
    web = bool(getattr(app.page, "web", False))
    try:
        made = app.services.export_case_pdf(client_id, save=not web)
    except (NotAllowed, ValidationError) as exc:
        app.toast(str(exc) if app.i18n.lang == "nl" else t("pdf.refused"), error=True)
        return
    if web:  # the browser downloads it; the file never leaves this computer
        await ft.FilePicker().save_file(file_name=made["file_name"], src_bytes=made["data"])
        app.toast(t("pdf.downloaded", name=made["file_name"]))
    else:
        app.toast(t("pdf.saved", name=made["file_name"]))
