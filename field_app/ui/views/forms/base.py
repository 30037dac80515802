"""A generic record form: a pushed screen with labelled fields, Dutch validation messages per field, and
"Opslaan" at the bottom. Field values become a (nested) dict by their path: ``parameters.zone`` →
``{"parameters": {"zone": ...}}``; the services' ``ValidationError.errors`` paths map back onto the fields.

Kinds: ``text``, ``multiline``, ``choice`` (a vocabulary or explicit options), ``multi`` (checkboxes),
``bool`` (a checkbox), ``date`` (``dd-mm-jjjj`` → ``YYYY-MM-DD``), ``datetime`` (date + time →
UTC ms via Europe/Amsterdam).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

import flet as ft

from field_app.domain.errors import ValidationError
from field_app.ui import components as c
from field_app.ui import fmt, pickers

if TYPE_CHECKING:
    from field_app.ui.app import VeldwerkApp


@dataclass
class Field:
    path: str
    label_key: str
    kind: str = "text"
    vocab: Any = None  # a Vocab enum for ``choice`` / ``multi``
    options: list[tuple[str, str]] | None = None  # explicit (key, label) options
    value: Any = None
    required: bool = False
    codes: list[str] | None = None  # limit a vocabulary to these codes
    extra: dict = field(default_factory=dict)


def iso_to_field(value: str | None) -> str:
    if not value:
        return ""
    try:
        return date.fromisoformat(value).strftime("%d-%m-%Y")
    except ValueError:
        return value


def set_path(out: dict, path: str, value: Any) -> None:
    parts = path.split(".")
    for p in parts[:-1]:
        out = out.setdefault(p, {})
    out[parts[-1]] = value


class _Input:
    """One form field's controls, value and error display."""

    def __init__(self, form: FormView, spec: Field):
        self.spec = spec
        app, t = form.app, form.app.i18n.t
        self.label = t(spec.label_key, **spec.extra)
        self.error_line = ft.Container(visible=False)
        kind = spec.kind
        ident = "form-" + spec.path.replace(".", "-").replace("_", "-")
        if kind in ("text", "multiline"):
            self.tf = c.text_field(label=self.label, value=spec.value or "", multiline=kind == "multiline",
                                   min_lines=3 if kind == "multiline" else None,
                                   text_size=16 * app.scale, expand=True, on_change=form.changed)
            self.control = c.field(self.tf)
        elif kind == "date":
            self.tf = c.text_field(label=t("cf.form.date_label", label=self.label),
                                   value=iso_to_field(spec.value), text_size=16 * app.scale, expand=True,
                                   keyboard_type=ft.KeyboardType.DATETIME, on_change=form.changed)
            pickers.add_date_picker(app, self.tf, form.changed)
            self.control = c.field(self.tf)
        elif kind == "datetime":
            ms = spec.value
            self.tf = c.text_field(label=t("cf.form.date_label", label=self.label),
                                   value=fmt.date_field(ms) if ms else "", expand=3, text_size=16 * app.scale,
                                   keyboard_type=ft.KeyboardType.DATETIME, on_change=form.changed)
            self.tf_time = c.text_field(label=t("cf.form.time_label"), value=fmt.time_field(ms) if ms else "",
                                        expand=2, text_size=16 * app.scale, keyboard_type=ft.KeyboardType.DATETIME,
                                        on_change=form.changed)
            pickers.add_date_picker(app, self.tf, form.changed)
            pickers.add_time_picker(app, self.tf_time, form.changed)
            self.control = c.field(self.tf, self.tf_time)
        elif kind == "choice":
            opts = spec.options if spec.options is not None else [
                (m.value, app.i18n.label(m)) for m in spec.vocab if not spec.codes or m.value in spec.codes]
            if not spec.required:
                opts = [("", t("cf.form.none")), *opts]
            self.choice = c.Choice(self.label, opts, spec.value or ("" if not spec.required else None),
                                   ident, form.changed, app.scale, wrap=app.handler)
            self.control = self.choice.control
        elif kind == "multi":
            chosen = set(spec.value or [])
            opts = spec.options if spec.options is not None else [
                (m.value, app.i18n.label(m)) for m in spec.vocab if not spec.codes or m.value in spec.codes]
            self.boxes = [(k, ft.Checkbox(label=v, value=k in chosen, on_change=form.changed)) for k, v in opts]
            self.control = ft.Column(
                [c.para(self.label, ft.TextThemeStyle.TITLE_SMALL, weight=ft.FontWeight.W_600),
                 *[ft.Semantics(content=b, container=True) for _, b in self.boxes]], spacing=0)
        elif kind == "bool":
            self.box = ft.Checkbox(label=self.label, value=bool(spec.value), on_change=form.changed)
            self.control = ft.Semantics(content=self.box, container=True)
        else:
            raise ValueError(kind)
        self.wrapper = ft.Column([self.control, self.error_line], spacing=2)

    def value(self) -> Any:
        kind = self.spec.kind
        if kind in ("text", "multiline"):
            return self.tf.value.strip() if self.tf.value else ""
        if kind == "date":
            text = (self.tf.value or "").strip()
            return fmt.parse_date(text).isoformat() if text else None
        if kind == "datetime":
            day, clock = (self.tf.value or "").strip(), (self.tf_time.value or "").strip()
            if not day and not clock:
                return None
            h, m = fmt.parse_clock(clock or "0:00")
            return fmt.to_ms(fmt.parse_date(day), h, m)
        if kind == "choice":
            return self.choice.value or None
        if kind == "multi":
            return [k for k, b in self.boxes if b.value]
        return bool(self.box.value)

    def raw(self) -> Any:
        """What the person has typed or chosen, as is (for the sealed draft)."""
        kind = self.spec.kind
        if kind in ("text", "multiline", "date"):
            return self.tf.value or ""
        if kind == "datetime":
            return [self.tf.value or "", self.tf_time.value or ""]
        if kind == "choice":
            return self.choice.value
        if kind == "multi":
            return [k for k, b in self.boxes if b.value]
        return bool(self.box.value)

    def restore(self, raw: Any) -> None:
        kind = self.spec.kind
        if kind in ("text", "multiline", "date") and isinstance(raw, str):
            self.tf.value = raw
        elif kind == "datetime" and isinstance(raw, list) and len(raw) == 2:
            self.tf.value, self.tf_time.value = raw
        elif kind == "choice" and (raw in self.choice.texts or raw is None):
            self.choice.dropdown.value = raw
            self.choice.describe()
        elif kind == "multi" and isinstance(raw, list):
            for k, b in self.boxes:
                b.value = k in raw
        elif kind == "bool":
            self.box.value = bool(raw)

    def set_error(self, message: str | None) -> None:
        kind = self.spec.kind
        if kind in ("text", "multiline", "date", "datetime"):
            self.tf.error = message
        elif kind == "choice":
            self.choice.set_error(message)
        else:
            self.error_line.visible = bool(message)
            self.error_line.content = c.error_line(message, 1.0) if message else None


class FormView:
    """A pushed screen: title (in the top bar), fields, Opslaan. ``save(values)`` writes through the services and may raise
    ``ValidationError``; on success the form goes back to the client file with a toast."""

    writes = True  # every form records something: not for a reading role (VeldwerkApp.push)
    back = True
    nav = False
    chip = True

    def __init__(self, app: VeldwerkApp, title: str, fields: list[Field], save: Callable[[dict], Any], *,
                 identifier: str = "form", intro: str | None = None, saved_key: str = "cf.form.saved",
                 save_key: str = "cf.form.save", lead: ft.Control | None = None):
        self.app = app
        self.lead = lead  # what the form is about, at the top of the form (e.g. the note a review returns)
        self._title = title
        self.specs = fields
        self.save_fn = save
        self.identifier = identifier
        self.intro = intro
        self.saved_key = saved_key
        self.save_key = save_key
        self.inputs: list[_Input] = []
        self.general = ft.Container(visible=False)
        self.draft_slot: str | None = None  # set by the caller: half-typed input survives a lock or a kill

    def title(self) -> str:
        return self._title

    def build(self) -> ft.Control:
        t = self.app.i18n.t
        self.inputs = [_Input(self, s) for s in self.specs]
        draft = self.app.services.load_draft(self.draft_slot) if self.draft_slot else None
        if isinstance(draft, dict):
            for inp in self.inputs:
                if inp.spec.path in draft:
                    inp.restore(draft[inp.spec.path])
        # the title is the top bar's heading ("screen-title"); said again here a screen reader read it twice
        head: list[ft.Control] = []
        if self.lead is not None:
            head.append(self.lead)
        if self.intro:
            head.append(c.para(self.intro, ft.TextThemeStyle.BODY_MEDIUM))
        save = self.app.handler(self._save)
        # the form ends with its action, the one Tab reaches after the last field; the pinned bar below is for
        # touch, mouse and screen readers and is no Tab stop (Flutter orders Tab by position on the screen:
        # a focusable pinned button came right after the last field in view, in the middle of the form)
        end = c.primary_button(t(self.save_key), ft.Icons.SAVE, save, identifier=f"{self.identifier}-save-end")
        return ft.Column(
            [
                # a scrolling Column, not a ListView: every field and the closing action exist for Tab
                ft.Column([ft.Container(ft.Column([*head, self.general, *[i.wrapper for i in self.inputs], end],
                                                  spacing=12),
                                        padding=ft.Padding.symmetric(horizontal=16, vertical=12))],
                          scroll=ft.ScrollMode.AUTO, expand=True),
                ft.Container(c.pinned_action(t(self.save_key), ft.Icons.SAVE, save,
                                             identifier=f"{self.identifier}-save", scale=self.app.scale),
                             padding=ft.Padding.only(left=16, right=16, bottom=8, top=4)),
            ],
            expand=True, spacing=0,
        )

    def refresh(self) -> None:
        pass

    def changed(self, e=None) -> None:
        """Keep what is typed as a sealed draft, so a lock or a killed app loses nothing."""
        if self.draft_slot and self.app.services.unlocked:
            self.app.services.save_draft(self.draft_slot, {i.spec.path: i.raw() for i in self.inputs})

    def values(self) -> tuple[dict, dict[str, str]]:
        """The field values as a nested dict, and local parse errors (dates, times) per path."""
        out: dict = {}
        errors: dict[str, str] = {}
        t = self.app.i18n.t
        for inp in self.inputs:
            try:
                v = inp.value()
            except ValueError:
                key = "cf.form.bad_datetime" if inp.spec.kind == "datetime" else "cf.form.bad_date"
                errors[inp.spec.path] = t(key)
                continue
            set_path(out, inp.spec.path, v)
        return out, errors

    def show_errors(self, errors: dict[str, str]) -> None:
        left = dict(errors)
        for inp in self.inputs:
            path = inp.spec.path
            hits = [k for k in errors if k == path or k.startswith(path + ".")]
            msg = " ".join(self._message(errors, k) for k in hits) or None
            inp.set_error(msg)
            for k in hits:
                left.pop(k, None)
        if left:
            self.general.visible = True
            self.general.content = c.error_line(" ".join(self._message(errors, k) for k in left),
                                                self.app.scale, identifier=f"{self.identifier}-error")
        else:
            self.general.visible = False
            self.general.content = None

    def _message(self, errors: dict[str, str], key: str) -> str:
        if self.app.i18n.lang == "nl":
            return errors[key]
        return self.app.validation_message(errors, key)

    def _save(self, e=None) -> None:
        values, local = self.values()
        if local:
            self.show_errors(local)
            return
        try:
            self.save_fn(values)
        except ValidationError as exc:
            self.show_errors(exc.errors)
            return
        if self.draft_slot:
            self.app.services.clear_draft(self.draft_slot)
        self.app.toast(self.app.i18n.t(self.saved_key))
        self.app.back()


def prune(values: dict) -> dict:
    """Leave out empty optional values (the record's default applies) — for creating a record."""
    out = {}
    for k, v in values.items():
        if isinstance(v, dict):
            v = prune(v)
            if not v:
                continue
        if v is None or v == "" or v == []:
            continue
        out[k] = v
    return out


def confirm_dialog(app: VeldwerkApp, title: str, body: str, confirm: str, on_confirm: Callable[[str], None],
                   *, reason_label: str | None = None, identifier: str = "confirm") -> None:
    """A dialog that asks to confirm, optionally with a reason. ``on_confirm(reason)`` may raise
    ``ValidationError``; its message is shown at the reason field."""
    t = app.i18n.t
    reason = c.text_field(label=reason_label, multiline=True, min_lines=2, text_size=16 * app.scale,
                          expand=True) \
        if reason_label else None

    def ok(e=None) -> None:
        try:
            on_confirm((reason.value or "").strip() if reason else "")
        except ValidationError as exc:
            msg = " ".join(app.validation_message(exc.errors, k) for k in exc.errors)
            if reason is not None:
                reason.error = msg
            else:
                app.toast(msg, error=True)
            return
        app.page.pop_dialog()

    content: list[ft.Control] = [c.para(body, ft.TextThemeStyle.BODY_LARGE)]
    if reason is not None:
        content.append(c.field(reason))
    dlg = c.dialog(
        title, modal=True,
        content=ft.Column(content, tight=True, scroll=ft.ScrollMode.AUTO, spacing=12),
        actions=[
            ft.TextButton(t("common.cancel"), on_click=app.handler(lambda e: app.page.pop_dialog())),
            ft.Semantics(content=ft.FilledButton(confirm, on_click=app.handler(ok)), identifier=identifier),
        ],
    )
    app.page.show_dialog(dlg)
