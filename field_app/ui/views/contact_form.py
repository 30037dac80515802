"""Contact vastleggen: type · uitkomst · wanneer · verslag · risicosignalen, "Opslaan" always at the bottom.

Saving is local and instant. A half-typed form is kept as a sealed draft (``services.save_draft``) while
typing, when leaving the form and when the app locks; it comes back when the form is opened again.
"""

from __future__ import annotations

import asyncio
import time
from typing import TYPE_CHECKING

import flet as ft

from field_app.domain.errors import ValidationError
from field_app.domain.validation import check_contact
from field_app.domain.vocab import ContactType, ContactUitkomst, Ernst, RisicoDomein
from field_app.ui import components as c
from field_app.ui import fmt, theme

if TYPE_CHECKING:
    from field_app.ui.app import VeldwerkApp

DRAFT_EVERY = 2.0  # seconds between draft saves while typing


def draft_slot(client_id: str) -> str:
    return f"contact:{client_id}"


class RiskRow:
    """One risk signal being entered: domain and ernst."""

    def __init__(self, form: ContactFormView, index: int, domain: str | None = None, severity: str | None = None):
        app, i18n = form.app, form.app.i18n
        self.form = form
        self.domain = c.Choice(i18n.t("risk.domain"), [(m.value, i18n.label(m)) for m in RisicoDomein], domain,
                               f"risk-domain-{index}", form.changed, app.scale, app.handler)
        self.severity = c.Choice(i18n.t("risk.severity"), [(m.value, i18n.label(m)) for m in Ernst], severity,
                                 f"risk-severity-{index}", form.changed, app.scale,
                                 app.handler)
        remove = c.icon_button(ft.Icons.DELETE_OUTLINE, i18n.t("risk.remove"),
                               app.handler(lambda e: form.remove_risk(self)), app.scale)
        self.control = ft.Container(
            ft.Column([self.domain.control, ft.Row([ft.Container(self.severity.control, expand=True), remove])],
                      spacing=8),
            padding=ft.Padding.all(10), border=ft.Border.all(1, ft.Colors.OUTLINE_VARIANT),
            border_radius=ft.BorderRadius.all(8),
        )

    def value(self) -> tuple[str, str]:
        return (self.domain.value or "", self.severity.value or "")


class ContactFormView:
    back = True
    nav = False
    chip = True
    title_key = "contact.title"

    def __init__(self, app: VeldwerkApp, client_id: str, *, restored_after_unlock: bool = False):
        self.app = app
        self.client_id = client_id
        self.dirty = False
        self._last_draft_save = 0.0
        i18n, t = app.i18n, app.i18n.t
        draft = app.services.load_draft(draft_slot(client_id))
        self.restored = draft is not None
        self.restored_after_unlock = restored_after_unlock and self.restored
        timeline = app.services.timeline(client_id)
        now = fmt.now_ms()
        d = draft or {
            "contact_type": timeline[0].contact_type if timeline else None,  # last contact type
            "outcome": ContactUitkomst.PLAATSGEVONDEN.value,
            "date": fmt.date_field(now), "time": fmt.time_field(now), "report": "", "risks": [],
        }
        on_change = app.handler(self.changed)
        self.contact_type = c.Choice(t("contact.type"), [(m.value, i18n.label(m)) for m in ContactType],
                                     d.get("contact_type"), "contact-type", self.changed, app.scale, app.handler)
        self.outcome = c.Choice(t("contact.outcome"), [(m.value, i18n.label(m)) for m in ContactUitkomst],
                                d.get("outcome"), "contact-outcome", self.changed, app.scale, app.handler)
        size = 16 * app.scale
        self.date = ft.TextField(error_max_lines=3, label=t("contact.date"), value=d.get("date", ""), on_change=on_change,
                                 keyboard_type=ft.KeyboardType.DATETIME, expand=True, text_size=size)
        self.time = ft.TextField(error_max_lines=3, label=t("contact.time"), value=d.get("time", ""), on_change=on_change,
                                 keyboard_type=ft.KeyboardType.DATETIME, expand=True, text_size=size)
        self.report = ft.TextField(error_max_lines=3, label=t("contact.report"), hint_text=t("contact.report_hint"),
                                   value=d.get("report", ""), multiline=True, min_lines=5, max_lines=14,
                                   on_change=on_change, text_size=size, expand=True,
                                   capitalization=ft.TextCapitalization.SENTENCES)
        self.risk_rows: list[RiskRow] = []
        self._risk_counter = 0
        self.risk_column = ft.Column(spacing=8)
        self.risk_error = ft.Container(visible=False)
        self.form_error = ft.Container(visible=False)
        for dom, sev in d.get("risks", []):
            self._add_risk_row(dom or None, sev or None)

    def title(self) -> str:
        return self.app.i18n.t("contact.title")

    # -- layout
    def build(self) -> ft.Control:
        app, t = self.app, self.app.i18n.t
        try:
            name = app.services.client(self.client_id).display_name
        except KeyError:
            name = ""
        top: list[ft.Control] = [c.para(t("contact.for", name=name), ft.TextThemeStyle.TITLE_MEDIUM,
                                        weight=ft.FontWeight.W_600)]
        if self.restored:
            key = "contact.restored_after_unlock" if self.restored_after_unlock else "contact.restored"
            top.append(ft.Column([
                c.info_line(t(key), app.scale, icon=ft.Icons.RESTORE, tone=theme.NEUTRAL,
                            identifier="draft-restored"),
                ft.TextButton(content=t("contact.discard"), icon=ft.Icons.DELETE_SWEEP_OUTLINED,
                              on_click=app.handler(self.discard)),
            ], spacing=4))
        when = (c.field(self.date, self.time) if app.scale == 1
                else ft.Column([c.field(self.date), c.field(self.time)], spacing=12))
        fields: list[ft.Control] = [
            *top,
            self.contact_type.control,
            self.outcome.control,
            c.para(t("contact.when"), ft.TextThemeStyle.TITLE_SMALL),
            when,
            c.field(self.report),
            c.section_title(t("risk.title")),
            c.para(t("risk.intro"), ft.TextThemeStyle.BODY_MEDIUM, color=ft.Colors.ON_SURFACE_VARIANT),
            self.risk_column,
            self.risk_error,
            ft.Row([ft.OutlinedButton(content=t("risk.add"), icon=ft.Icons.ADD,
                                      on_click=app.handler(self.add_risk))]),
        ]
        # a scrolling Column (not a ListView) so the form can scroll to a new risk row or to the errors
        self.scroller = ft.Column(
            [ft.Container(ft.Column(fields, spacing=14), padding=ft.Padding.symmetric(horizontal=16, vertical=12))],
            scroll=ft.ScrollMode.AUTO, expand=True,
        )
        return ft.Column(
            [
                self.scroller,
                ft.Container(
                    ft.Column([self.form_error,
                               c.primary_button(t("contact.save"), ft.Icons.SAVE_OUTLINED,
                                                app.handler(self.save), identifier="save-contact")],
                              spacing=6),
                    padding=ft.Padding.only(left=16, right=16, bottom=12, top=6),
                    border=ft.Border.only(top=ft.BorderSide(1, ft.Colors.OUTLINE_VARIANT)),
                ),
            ],
            expand=True, spacing=0,
        )

    def refresh(self) -> None:
        """Background changes never touch what the worker is typing."""

    # -- risks
    def _add_risk_row(self, domain: str | None = None, severity: str | None = None) -> None:
        self._risk_counter += 1
        row = RiskRow(self, self._risk_counter, domain, severity)
        self.risk_rows.append(row)
        self.risk_column.controls.append(row.control)

    async def add_risk(self, e=None) -> None:
        self._add_risk_row()
        self.changed()
        self.app.page.update()  # the row must exist in the browser before scrolling to it
        await self._scroll(-1)  # the end: the new row and the add button

    async def _scroll(self, offset: float) -> None:
        """Scroll the form (0 = top, -1 = end); a browser that does not answer is not an error."""
        try:
            await asyncio.wait_for(self.scroller.scroll_to(offset=offset, duration=250), timeout=5)
        except (TimeoutError, RuntimeError):
            pass

    def remove_risk(self, row: RiskRow) -> None:
        if row in self.risk_rows:
            self.risk_rows.remove(row)
            self.risk_column.controls.remove(row.control)
        self.changed()

    # -- drafts
    def draft_data(self) -> dict:
        return {
            "client_id": self.client_id,
            "contact_type": self.contact_type.value, "outcome": self.outcome.value,
            "date": self.date.value or "", "time": self.time.value or "", "report": self.report.value or "",
            "risks": [list(r.value()) for r in self.risk_rows],
        }

    def changed(self, e=None) -> None:
        control = getattr(e, "control", None)
        if isinstance(control, ft.TextField) and control.error:  # the worker is fixing it
            control.error = None
            if control in (self.date, self.time):
                self.date.error = self.time.error = None
        if self.form_error.visible and not self._field_errors():
            self.form_error.visible = False
        self.dirty = True
        now = time.monotonic()
        if now - self._last_draft_save >= DRAFT_EVERY:
            self.save_draft()

    def save_draft(self) -> None:
        """Keep what is typed as a sealed draft (called while typing, on leaving and before locking)."""
        if self.dirty and self.app.services.unlocked:
            self.app.services.save_draft(draft_slot(self.client_id), self.draft_data())
            self._last_draft_save = time.monotonic()

    def discard(self, e=None) -> None:
        self.app.services.clear_draft(draft_slot(self.client_id))
        self.dirty = False
        self.app.replace_screen(ContactFormView(self.app, self.client_id))

    # -- saving
    def _occurred_at(self) -> int | None:
        try:
            day = fmt.parse_date(self.date.value or "")
            hour, minute = fmt.parse_clock(self.time.value or "")
        except ValueError:
            return None
        return fmt.to_ms(day, hour, minute)

    async def save(self, e=None) -> None:
        app = self.app
        occurred_at = self._occurred_at()
        fields = {
            "contact_type": self.contact_type.value or "", "outcome": self.outcome.value or "",
            "report": self.report.value or "", "risks": [r.value() for r in self.risk_rows],
        }
        try:
            if occurred_at is None:
                # still check the other fields, so every problem shows at once (pure, nothing is stored)
                errors = {"occurred_at": app.i18n.t("contact.error.when")}
                try:
                    check_contact(occurred_at=fmt.now_ms(), **fields)
                except ValidationError as exc:
                    errors = {**exc.errors, **errors}
                raise ValidationError(errors)
            note_id = app.services.record_contact(self.client_id, occurred_at=occurred_at, **fields)
        except ValidationError as exc:
            self.show_errors(exc.errors)
            self.app.page.update()
            await self._scroll(0)  # the first fields are at the top; the summary says where to look
            return
        self.dirty = False
        app.services.clear_draft(draft_slot(self.client_id))
        app.contact_saved(self.client_id, note_id)

    def _field_errors(self) -> bool:
        choices = [self.contact_type, self.outcome, *(ch for r in self.risk_rows for ch in (r.domain, r.severity))]
        return (any(ch.dropdown.error_text for ch in choices) or self.risk_error.visible
                or any(f.error for f in (self.date, self.time, self.report)))

    def show_errors(self, errors: dict[str, str]) -> None:
        app, t = self.app, self.app.i18n.t

        def msg(key: str) -> str | None:
            return app.validation_message(errors, key) if key in errors else None

        self.contact_type.set_error(msg("contact_type"))
        self.outcome.set_error(msg("outcome"))
        self.report.error = msg("report")  # TextField: `error` (Dropdown: `error_text`)
        self.date.error = msg("occurred_at")
        self.time.error = " " if "occurred_at" in errors else None
        risk = msg("risks")
        self.risk_error.content = c.error_line(risk, app.scale, identifier="risk-error") if risk else None
        self.risk_error.visible = bool(risk)
        other = [app.validation_message(errors, k) for k in errors
                 if k not in ("contact_type", "outcome", "report", "occurred_at", "risks")]
        summary = " ".join([t("contact.error.summary"), *other])
        self.form_error.content = c.error_line(summary, app.scale, identifier="form-error") if errors else None
        self.form_error.visible = bool(errors)
