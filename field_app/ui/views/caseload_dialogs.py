"""The caseload's dialogs: *Cliënt toevoegen* (intake) and the reason asked before opening a file outside one's caseload (break the glass)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import flet as ft

from field_app.domain.errors import ValidationError
from field_app.domain.vocab import (
    Veiligheidswaarschuwing,
    Verblijfstype,
)
from field_app.ui import components as c
from field_app.ui import fmt

if TYPE_CHECKING:
    from field_app.ui.app import VeldwerkApp


def _date_to_iso(text: str) -> str:
    """``14-03-1988`` → ``1988-03-14``; ``ValueError`` if it is not a date."""
    return fmt.parse_date(text).isoformat()


class IntakeDialog:
    """"Nieuwe cliënt": name, birth date, housing, safety warning, case manager (me by default), fictional."""

    def __init__(self, app: VeldwerkApp):
        self.app = app
        t, i18n = app.i18n.t, app.i18n
        size = 16 * app.scale
        self.name = c.text_field(label=t("add_client.name"), on_submit=app.handler(self.save), text_size=size,
                                 expand=True)
        self.birth = c.text_field(label=t("lists.intake.birth_date"), text_size=size, expand=True,
                                  keyboard_type=ft.KeyboardType.DATETIME)
        self.housing = c.Choice(t("lists.intake.housing"), [(v.value, i18n.label(v)) for v in Verblijfstype],
                                "ONBEKEND", "intake-housing", lambda e=None: None, app.scale, app.handler)
        self.safety = c.Choice(t("lists.intake.safety"),
                               [(v.value, i18n.label(v)) for v in Veiligheidswaarschuwing], "GEEN",
                               "intake-safety", lambda e=None: None, app.scale, app.handler)
        self.assigned = c.text_field(label=t("lists.intake.assigned"), value=app.services.user_name,
                                     text_size=size, expand=True)
        self.fictional = ft.Checkbox(label=t("add_client.fictional"), value=False)
        self.dialog = c.dialog(
            t("lists.intake.title"), modal=True, scrollable=True,
            content=ft.Column([c.field(self.name), c.field(self.birth), self.housing.control, self.safety.control,
                               c.field(self.assigned), self.fictional], tight=True, spacing=12, width=340),
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
        app = self.app
        for f in (self.name, self.birth, self.assigned):
            f.error = None
        fields: dict = {"fictional": bool(self.fictional.value), "housing_type": self.housing.value or "ONBEKEND",
                        "safety_warning": self.safety.value or "GEEN",
                        "assigned_to": (self.assigned.value or "").strip() or app.services.user_name}
        if (self.birth.value or "").strip():
            try:
                fields["birth_date"] = _date_to_iso(self.birth.value)
            except ValueError:
                self.birth.error = app.i18n.t("lists.intake.bad_date")
                return
        try:
            client_id = app.services.intake((self.name.value or "").strip(), **fields)
        except ValidationError as exc:
            targets = {"display_name": self.name, "birth_date": self.birth, "assigned_to": self.assigned}
            for key in exc.errors:
                if key in targets:
                    targets[key].error = app.validation_message(exc.errors, key)
                elif key == "housing_type":
                    self.housing.set_error(app.validation_message(exc.errors, key))
                elif key == "safety_warning":
                    self.safety.set_error(app.validation_message(exc.errors, key))
            return
        app.page.pop_dialog()
        app.open_client(client_id)


AddClientDialog = IntakeDialog  # the walking skeleton's name


class BreakGlassDialog:
    """Opening a file outside one's own caseload: say so, ask for a reason; the reason is logged."""

    def __init__(self, app: VeldwerkApp, client_id: str, message: str):
        self.app = app
        self.client_id = client_id
        t = app.i18n.t
        self.reason = c.text_field(label=t("break_glass.reason"), multiline=True, min_lines=2, expand=True,
                                   text_size=16 * app.scale)
        self.dialog = c.dialog(
            t("break_glass.title"), modal=True,
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
