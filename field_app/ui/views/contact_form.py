"""Contact vastleggen, for one thumb after a home visit: type · uitkomst · wanneer · wie waren er ·
naleving per actieve voorwaarde · risicosignalen · beschermende factoren · verslag (feiten) · duiding ·
leefgebieden · veiligheid medewerker · afspraken en volgende contact. "Opslaan" is always at the bottom.

Saving is local and instant (``services.create_record("contact", ...)``). A half-typed form is kept as a
sealed draft (``services.save_draft``) while typing, when leaving the form and when the app locks; it
comes back when the form is opened again. A saved violation or acute risk opens "Escaleren?" at once.
"""

from __future__ import annotations

import asyncio
import time
from typing import TYPE_CHECKING

import flet as ft

from field_app.domain import ladder, rules
from field_app.domain.errors import StorageError, ValidationError
from field_app.domain.validation import check_contact
from field_app.domain.vocab import (
    BeschermCategorie,
    BeschermendeFactor,
    ContactType,
    ContactUitkomst,
    Leefgebied,
    NazorgStatus,
    VeiligheidMedewerker,
)
from field_app.ui import components as c
from field_app.ui import fmt, pickers
from field_app.ui.views import contact_check, contact_layout
from field_app.ui.views.contact_routine import routine_defaults
from field_app.ui.views.contact_rows import (  # noqa: F401
    _STATUS_ICON,
    COMPLIANCE_CHOICES,
    DRAFT_EVERY,
    ChipList,
    ComplianceRow,
    RiskRow,
    _box,
    _choice,
    condition_detail,
    condition_label,
    draft_slot,
)

if TYPE_CHECKING:
    from field_app.ui.app import VeldwerkApp

class ContactFormView:
    writes = True  # a screen that records: not for a reading role (VeldwerkApp.push)
    back = True
    nav = False
    chip = True
    title_key = "contact.title"

    def __init__(self, app: VeldwerkApp, client_id: str, *, restored_after_unlock: bool = False,
                 routine: bool = False):
        self.app = app
        self.client_id = client_id
        self.dirty = False
        self._last_draft_save = 0.0
        self.network_names: dict[str, str] = {}  # the client's network persons by id (_active_conditions)
        draft = app.services.load_draft(draft_slot(client_id))
        if draft is not None and draft.get("client_id", client_id) != client_id:
            draft = None  # another client's form (the store binds a draft to its slot; this says it twice)
        self.restored = draft is not None
        self.restored_after_unlock = restored_after_unlock and self.restored
        timeline = app.services.timeline(client_id)
        now = fmt.now_ms()
        # "Alles volgens afspraak" fills the form for a routine visit (a kept draft wins: never lost)
        self.routine = routine and draft is None
        d = draft or (routine_defaults(app, client_id) if self.routine else None) or {
            "contact_type": timeline[0].contact_type if timeline else None,  # last contact type
            "outcome": ContactUitkomst.PLAATSGEVONDEN.value,
            "date": fmt.date_field(now), "time": fmt.time_field(now), "report": "", "risks": [],
        }
        self._make_core(d)
        self._make_lists(d)
        self._make_followup(d)
        self.form_error = ft.Container(visible=False)
        self._sync_outcome()

    def _tf(self, label: str, value: str = "", **kw) -> ft.TextField:
        # a focused field keeps room below it for its message and the Opslaan bar (Flutter's ensureVisible)
        return c.text_field(label=label, value=value, on_change=self.app.handler(self.changed),
                            scroll_padding=ft.Padding.only(left=20, top=120, right=20, bottom=160),
                            text_size=16 * self.app.scale, expand=True, **kw)

    def _make_core(self, d: dict) -> None:
        """Type, outcome, when, report and interpretation."""
        app, i18n, t, tf = self.app, self.app.i18n, self.app.i18n.t, self._tf
        self.contact_type = c.Choice(t("contact.type"), [(m.value, i18n.label(m)) for m in ContactType],
                                     d.get("contact_type"), "contact-type", self.changed, app.scale, app.handler)
        self.outcome = c.Choice(t("contact.outcome"), [(m.value, i18n.label(m)) for m in ContactUitkomst],
                                d.get("outcome"), "contact-outcome", self.outcome_changed, app.scale, app.handler)
        self.excused = c.Choice(t("contact_c.excused"), [("JA", t("contact_c.excused.yes")),
                                                         ("NEE", t("contact_c.excused.no"))],
                                d.get("excused") or None, "contact-excused", self.changed, app.scale, app.handler)
        self.date = pickers.add_date_picker(app, tf(t("contact.date"), d.get("date", ""),
                                                    keyboard_type=ft.KeyboardType.DATETIME), self.changed)
        self.time = pickers.add_time_picker(app, tf(t("contact.time"), d.get("time", ""),
                                                    keyboard_type=ft.KeyboardType.DATETIME), self.changed)
        # no capitalization= on free text: Flet's client applies it itself to the whole value on every key
        # (web and phone alike), so "H. zegt" became "H. Zegt", "o.a." "o.A." and "Truus de Vries" "Truus De Vries"
        self.report = tf(t("contact.report"), d.get("report", ""), hint_text=t("contact.report_hint"),
                         multiline=True, min_lines=5, max_lines=14)
        self.interpretation = tf(t("contact_c.interpretation"), d.get("interpretation", ""),
                                 hint_text=t("contact_c.interpretation_hint"), multiline=True, min_lines=3,
                                 max_lines=10)

    def _make_lists(self, d: dict) -> None:
        """Who was there, compliance per active condition, risk signals, protective factors."""
        t, tf = self.app.i18n.t, self._tf
        # wie waren er
        self.participant_name = tf(t("contact_c.participant.name"))
        self.participant_role = tf(t("contact_c.participant.role"))
        self.participants = ChipList(self, t("contact_c.participant.remove"), "participant")
        self.participants.set([p for p in d.get("participants", []) if isinstance(p, dict)], self._participant_text)
        self.participant_error = ft.Container(visible=False)
        # naleving per actieve voorwaarde
        self.compliance_rows: list[ComplianceRow] = []
        kept = {item.get("condition_id"): item for item in d.get("compliance", []) if isinstance(item, dict)}
        for i, (cond_id, cond) in enumerate(self._active_conditions()):
            self.compliance_rows.append(ComplianceRow(self, i, cond_id, cond, kept.get(cond_id, {})))
        # risicosignalen
        self.risk_rows: list[RiskRow] = []
        self._risk_counter = 0
        self.risk_column = ft.Column(spacing=8)
        self.risk_error = ft.Container(visible=False)
        for risk in d.get("risks", []):
            self._add_risk_row(*[(v or None) for v in list(risk)[:4]])
        # beschermende factoren
        self.protective_category = _choice(self, t("contact_c.protective.category"), BeschermCategorie, None,
                                           "protective-category")
        self.protective_code = _choice(self, t("contact_c.protective.code"), BeschermendeFactor, None,
                                       "protective-code")
        self.protective = ChipList(self, t("contact_c.protective.remove"), "protective")
        self.protective.set([p for p in d.get("protective", []) if isinstance(p, dict)], self._protective_text)
        self.protective_error = ft.Container(visible=False)

    def _make_followup(self, d: dict) -> None:
        """Life domains, the worker's safety, agreements and the next contact."""
        app, i18n, t, tf = self.app, self.app.i18n, self.app.i18n.t, self._tf
        # leefgebieden (optional quick status per domain)
        lives = {x.get("domain"): x.get("status") for x in d.get("life_domains", []) if isinstance(x, dict)}
        self.life_choices = {m.value: _choice(self, i18n.label(m), NazorgStatus, lives.get(m.value) or None,
                                              f"life-{m.value}") for m in Leefgebied}
        self.life_open = bool(lives)
        self.life_column = ft.Column([ch.control for ch in self.life_choices.values()], spacing=8,
                                     visible=self.life_open)
        self.life_toggle = ft.TextButton(on_click=app.handler(self.toggle_life))
        self._life_toggle_text()
        # veiligheid medewerker
        self.worker_safety = _choice(self, t("contact_c.safety"), VeiligheidMedewerker,
                                     d.get("worker_safety") or VeiligheidMedewerker.GEEN_BIJZONDERHEDEN.value,
                                     "worker-safety")
        self.duo = ft.Checkbox(label=t("contact_c.duo"), value=bool(d.get("duo_next_time")),
                               on_change=app.handler(self.changed), label_style=ft.TextStyle(size=16 * app.scale))
        # afspraken en volgende contact
        self.agreements = tf(t("contact_c.agreements"), d.get("agreements", ""), multiline=True, min_lines=2,
                             max_lines=8)
        self.next_date = pickers.add_date_picker(app, tf(t("contact_c.next_date"), d.get("next_date", ""),
                                                         keyboard_type=ft.KeyboardType.DATETIME), self.changed)
        self.next_time = pickers.add_time_picker(app, tf(t("contact_c.next_time"), d.get("next_time", ""),
                                                         keyboard_type=ft.KeyboardType.DATETIME), self.changed)

    def _active_conditions(self) -> list[tuple[str, dict]]:
        try:
            ctx = self.app.services.client_context(self.client_id)
        except KeyError:
            return []
        # whom a contact ban protects is named in its row ("Beschermde personen: Marieke V.")
        self.network_names = {rid: str(f.get("name") or "") for rid, f in ctx.records("network_person")}
        return rules.active_conditions(ctx)

    def _participant_text(self, p: dict) -> str:
        return f"{p.get('name', '')} · {p['role']}" if p.get("role") else str(p.get("name", ""))

    def _protective_text(self, p: dict) -> str:
        i18n = self.app.i18n
        return (f"{i18n.code_label(BeschermendeFactor, p.get('code'))} "
                f"({i18n.code_label(BeschermCategorie, p.get('category'))})")

    def title(self) -> str:
        return self.app.i18n.t("contact.title")

    def build(self) -> ft.Control:
        app, t = self.app, self.app.i18n.t
        save = app.handler(self.save)
        # the same action at the end of the form: the one Tab reaches, after the last field (the pinned
        # bar below is for touch and mouse, and is no Tab stop: Flutter orders Tab by screen position)
        end = c.primary_button(t("contact.save_end"), ft.Icons.SAVE_OUTLINED, save, identifier="save-contact-end")
        fields = [*contact_layout.first_fields(self), *contact_layout.later_fields(self), end]
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
                               c.pinned_action(t("contact.save"), ft.Icons.SAVE_OUTLINED, save,
                                               identifier="save-contact", scale=app.scale)],
                              spacing=6),
                    padding=ft.Padding.only(left=16, right=16, bottom=12, top=6),
                    border=ft.Border.only(top=ft.BorderSide(1, ft.Colors.OUTLINE_VARIANT)),
                ),
            ],
            expand=True, spacing=0,
        )

    def refresh(self) -> None:
        """Background changes never touch what the worker is typing."""

    # -- outcome: geoorloofd / ongeoorloofd only with "niet verschenen"
    def _sync_outcome(self) -> None:
        self.excused.control.visible = self.outcome.value == ContactUitkomst.NIET_VERSCHENEN.value

    def outcome_changed(self, e=None) -> None:
        self._sync_outcome()
        self.changed(e)

    # -- participants
    def add_participant(self, e=None) -> None:
        t = self.app.i18n.t
        name = (self.participant_name.value or "").strip()
        if not name:
            self.participant_name.error = t("contact_c.participant.name_needed")
            return
        role = (self.participant_role.value or "").strip()
        self.participants.add({"name": name, **({"role": role} if role else {})})
        self.participant_name.value = self.participant_role.value = ""
        self.participant_name.error = None
        self.participant_error.visible = False

    # -- protective factors
    def add_protective(self, e=None) -> None:
        t = self.app.i18n.t
        cat, code = self.protective_category.value, self.protective_code.value
        self.protective_category.set_error(None if cat else t("contact_c.protective.category_needed"))
        self.protective_code.set_error(None if code else t("contact_c.protective.code_needed"))
        if not (cat and code):
            return
        if any(p["category"] == cat and p["code"] == code for p in self.protective.items):
            self.protective_code.set_error(t("contact_c.protective.twice"))
            return
        self.protective.add({"category": cat, "code": code})
        self.protective_error.visible = False

    # -- leefgebieden
    def _life_toggle_text(self) -> None:
        t = self.app.i18n.t
        self.life_toggle.content = t("contact_c.life.hide") if self.life_open else t("contact_c.life.show")
        self.life_toggle.icon = ft.Icons.EXPAND_LESS if self.life_open else ft.Icons.EXPAND_MORE

    def toggle_life(self, e=None) -> None:
        self.life_open = not self.life_open
        self.life_column.visible = self.life_open
        self._life_toggle_text()

    # -- risks
    def _add_risk_row(self, domain: str | None = None, severity: str | None = None, trend: str | None = None,
                      certainty: str | None = None) -> None:
        self._risk_counter += 1
        row = RiskRow(self, self._risk_counter, domain, severity, trend, certainty)
        self.risk_rows.append(row)
        self.risk_column.controls.append(row.control)

    async def add_risk(self, e=None) -> None:
        self._add_risk_row()
        self.changed()
        self.app.page.update()  # the row must exist in the browser before scrolling to it
        await self._scroll(key=f"risk-row-{self._risk_counter}")

    async def _scroll(self, offset: float | None = None, key: str | None = None, *, delta: float | None = None,
                      duration: int = 250) -> None:
        """Scroll the form (0 = top, -1 = end, to a control's key, or by ``delta``); a browser that does not
        answer is not an error."""
        try:
            if key is not None:
                await asyncio.wait_for(self.scroller.scroll_to(scroll_key=key, duration=duration), timeout=5)
            elif delta is not None:
                await asyncio.wait_for(self.scroller.scroll_to(delta=delta, duration=duration), timeout=5)
            else:
                await asyncio.wait_for(self.scroller.scroll_to(offset=offset, duration=duration), timeout=5)
        except (TimeoutError, RuntimeError, TypeError):
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
            "excused": self.excused.value or "",
            "date": self.date.value or "", "time": self.time.value or "", "report": self.report.value or "",
            "interpretation": self.interpretation.value or "",
            "participants": list(self.participants.items),
            "compliance": [r.draft() for r in self.compliance_rows if r.touched() or r.source.value],
            "risks": [r.draft() for r in self.risk_rows],
            "protective": list(self.protective.items),
            "life_domains": [{"domain": k, "status": ch.value} for k, ch in self.life_choices.items() if ch.value],
            "worker_safety": self.worker_safety.value or "", "duo_next_time": bool(self.duo.value),
            "agreements": self.agreements.value or "",
            "next_date": self.next_date.value or "", "next_time": self.next_time.value or "",
        }

    def changed(self, e=None) -> None:
        control = getattr(e, "control", None)
        if isinstance(control, ft.TextField) and control.error:  # the worker is fixing it
            control.error = None
            if control in (self.date, self.time):
                self.date.error = self.time.error = None
            if control in (self.next_date, self.next_time):
                self.next_date.error = self.next_time.error = None
        if self.form_error.visible and not self._field_errors():
            self.form_error.visible = False
        self._propose_no_show()
        self.dirty = True
        now = time.monotonic()
        if now - self._last_draft_save >= DRAFT_EVERY:
            self.save_draft()

    def _propose_no_show(self) -> None:
        """An unexcused no-show at the office while a reporting duty applies is proposed as a violation of
        that duty (domain.ladder); the worker can still change it."""
        if not self.compliance_rows:
            return
        ctx = self.app.services.client_context(self.client_id)
        excused = {"JA": True, "NEE": False}.get(self.excused.value or "")
        broken = set(ladder.proposed_no_show(ctx, contact_type=self.contact_type.value, outcome=self.outcome.value,
                                             excused=excused, at=ctx.now))
        if any([r.propose_violation() for r in self.compliance_rows if r.condition_id in broken]):
            self.app.toast(self.app.i18n.t("ladder.no_show"))

    def save_draft(self) -> None:
        """Keep what is typed as a sealed draft (called while typing, on leaving and before locking)."""
        if self.dirty and self.app.services.unlocked:
            try:
                self.app.services.save_draft(draft_slot(self.client_id), self.draft_data())
            except StorageError:  # a full device: the text stays in the form; Opslaan says what is wrong
                pass
            self._last_draft_save = time.monotonic()

    def discard(self, e=None) -> None:
        """Ask first: what was typed is gone for good (found in the browser: one tap threw it away)."""
        app, t = self.app, self.app.i18n.t

        def cancel(e=None) -> None:
            app.page.pop_dialog()

        def confirmed(e=None) -> None:
            app.page.pop_dialog()
            app.services.clear_draft(draft_slot(self.client_id))
            self.dirty = False
            app.replace_screen(ContactFormView(app, self.client_id))

        app.page.show_dialog(c.dialog(
            t("contact.discard_title"),
            modal=True,
            content=c.para(t("contact.discard_body"), ft.TextThemeStyle.BODY_MEDIUM),
            actions=[ft.TextButton(content=t("common.cancel"), on_click=app.handler(cancel)),
                     ft.FilledButton(content=t("contact.discard_ok"), icon=ft.Icons.DELETE_OUTLINE,
                                     on_click=app.handler(confirmed))],
        ))

    # -- saving
    def contact_fields(self) -> tuple[dict, dict[str, str]]:
        """The fields for ``create_record("contact")`` and the errors the form itself finds."""
        return contact_check.collect(self)

    def first_invalid(self) -> ft.Control | None:
        """The first field with a message, in the form's order (its message is beside it)."""
        return contact_check.first_invalid(self)

    async def go_to_first_error(self) -> None:
        await contact_layout.go_to_first_error(self)

    def set_now(self, e=None) -> None:
        """A restored draft's time was when it was started: "Nu" sets the date and time to now."""
        now = fmt.now_ms()
        self.date.value, self.time.value = fmt.date_field(now), fmt.time_field(now)
        self.date.error = self.time.error = None
        self.changed()

    def _field_errors(self) -> bool:
        return contact_check.field_errors(self)

    def show_errors(self, errors: dict[str, str]) -> None:
        contact_check.show_errors(self, errors)

    async def save(self, e=None) -> None:
        app = self.app
        fields, own_errors = self.contact_fields()
        try:
            if own_errors:
                # still check the other fields, so every problem shows at once (pure, nothing is stored)
                errors = dict(own_errors)
                try:
                    check_contact(occurred_at=fmt.now_ms(), contact_type=fields["contact_type"],
                                  outcome=fields["outcome"], report=fields["report"],
                                  risks=[(r["domain"], r["severity"]) for r in fields["risks"]],
                                  excused=fields.get("excused"))
                except ValidationError as exc:
                    errors = {**exc.errors, **errors}
                raise ValidationError(errors)
            note_id = app.services.create_record("contact", self.client_id, fields, ask=True)
        except ValidationError as exc:
            self.show_errors(exc.errors)
            await self.go_to_first_error()
            return
        except StorageError as exc:  # nothing stored; everything typed stays in the form
            contact_check.show_storage_error(self, exc.kind)
            return
        self.dirty = False
        app.services.clear_draft(draft_slot(self.client_id))
        app.contact_saved(self.client_id, note_id)
        if contact_check.needs_escalation(fields):
            from field_app.ui.views.escalate import ask_pending

            ask_pending(app, record_id=note_id)  # stored with the note: asked again after a crash
