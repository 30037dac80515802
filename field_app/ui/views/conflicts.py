"""Conflict: twee wijzigingen tegelijk (#11). On the client screen, above the section: every record of the client
with a field that two devices changed without seeing each other's change: per field each value, who and when
(the one shown now marked), and "Deze houden" per value, which asks for confirmation and then keeps it on every
device (``resolve_conflict``). Warning tone from the theme; each button's accessible name says which value it keeps.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

import flet as ft

from field_app.app_api import NotAllowed, ValidationError
from field_app.domain import vocab
from field_app.domain.records import RECORD_SPECS
from field_app.ui import components as c
from field_app.ui import fmt, theme
from field_app.ui.views import client_parts as p

if TYPE_CHECKING:
    from field_app.ui.app import VeldwerkApp
    from field_app.views_model import ConflictValue, FieldConflict, RecordView


def with_conflicts(records: list) -> list:
    """The records (RecordView) of a list that hold a conflict."""
    return [r for r in records if getattr(r, "conflicts", ())]


def _vocab(name: str) -> Any:
    enum = getattr(vocab, name, None)
    return enum if isinstance(enum, type) and issubclass(enum, vocab.Vocab) else None


def value_text(app: VeldwerkApp, kind: str, value: Any) -> str:
    """A stored value as a person reads it: labels for codes, dd-mm-jjjj for dates, day and time for moments."""
    i18n, t = app.i18n, app.i18n.t
    if value is None or value == "" or value == [] or value == {}:
        return t("conflict.empty")
    if isinstance(value, bool):
        return t("conflict.yes") if value else t("conflict.no")
    enum = _vocab(kind)
    if enum is not None and isinstance(value, str):
        return i18n.code_label(enum, value)
    if kind.startswith("list[") and isinstance(value, list):
        inner = _vocab(kind[5:-1])
        return ", ".join(i18n.code_label(inner, x) if inner and isinstance(x, str) else str(x) for x in value)
    if kind == "date" and isinstance(value, str):
        try:
            return date.fromisoformat(value).strftime("%d-%m-%Y")
        except ValueError:
            return value
    if kind == "ms" and isinstance(value, int):
        return fmt.moment(i18n, value)
    if isinstance(value, dict):
        return "; ".join(f"{k}: {value_text(app, '', v)}" for k, v in value.items())
    if isinstance(value, list):
        return ", ".join(value_text(app, "", v) for v in value)
    return str(value)


def field_label(app: VeldwerkApp, name: str) -> str:
    t = app.i18n.t
    for key in (f"conflict.f.{name}", f"cf.f.{name}"):
        if t(key) != key:
            return t(key)
    area = vocab.Leefgebied.__members__.get(name)  # the nazorg areas are fields of the aftercare record
    return app.i18n.label(area) if area is not None else name


def record_label(app: VeldwerkApp, rtype: str) -> str:
    spec = RECORD_SPECS.get(rtype)
    return spec.label.get(app.i18n.lang) if spec is not None else rtype


def panel(app: VeldwerkApp, records: list, on_kept) -> ft.Control | None:
    """The warning card for these records' conflicts, or None when there are none."""
    records = with_conflicts(records)
    if not records:
        return None
    t = app.i18n.t
    rows: list[ft.Control] = [
        ft.Semantics(content=ft.Row([ft.Icon(ft.Icons.CALL_SPLIT, color=theme.WARNING.fg, size=24 * app.scale),
                                     c.text(t("conflict.title"), ft.TextThemeStyle.TITLE_MEDIUM,
                                            weight=ft.FontWeight.W_600, color=theme.WARNING.fg, expand=True)],
                                    spacing=8),
                     header=True, container=True),
        c.para(t("conflict.intro"), ft.TextThemeStyle.BODY_MEDIUM, color=theme.WARNING.fg),
    ]
    for n, rec in enumerate(records):
        for conflict in rec.conflicts:
            rows += _field_rows(app, rec, conflict, n, on_kept)
    return p.card(rows, tone=theme.WARNING, identifier="conflicts")


def _field_rows(app: VeldwerkApp, rec: RecordView, conflict: FieldConflict, n: int, on_kept) -> list[ft.Control]:
    t = app.i18n.t
    label = field_label(app, conflict.field)
    out: list[ft.Control] = [c.para(t("conflict.where", record=record_label(app, rec.type), field=label),
                                    ft.TextThemeStyle.TITLE_SMALL, weight=ft.FontWeight.W_600,
                                    color=theme.WARNING.fg)]
    for i, v in enumerate(conflict.values):
        shown = value_text(app, conflict.kind, v.value)
        by = t("conflict.by", author=v.author or "?", when=fmt.moment(app.i18n, v.at))
        if v.current:
            by += " · " + t("conflict.current")
        name = t("conflict.keep_named", value=shown, author=v.author or "?")
        ask = app.handler(_asker(app, rec, conflict.field, label, v, shown, on_kept))
        # the button's accessible name says which value it keeps; it stays a real button (keyboard focus)
        keep = ft.OutlinedButton(content=ft.Text(t("conflict.keep"), semantics_label=name), icon=ft.Icons.CHECK,
                                 on_click=ask,
                                 style=ft.ButtonStyle(color=theme.WARNING.fg, side=ft.BorderSide(1, theme.WARNING.fg)))
        out.append(ft.Container(ft.Column([
            c.para(shown, ft.TextThemeStyle.BODY_LARGE, weight=ft.FontWeight.W_600, color=theme.WARNING.fg),
            c.para(by, ft.TextThemeStyle.BODY_MEDIUM, color=theme.WARNING.fg),
            *([ft.Semantics(content=ft.Row([keep]), container=True,
                            identifier=f"conflict-keep-{n}-{conflict.field}-{i}")] if app.may_record else []),
        ], spacing=4), padding=ft.Padding.only(left=8, top=4, bottom=4),
            border=ft.Border.only(left=ft.BorderSide(3, theme.WARNING.fg))))
    return out


def _asker(app: VeldwerkApp, rec: RecordView, field: str, label: str, v: ConflictValue, shown: str, on_kept):
    def ask() -> None:
        _confirm(app, rec, field, label, v, shown, on_kept)
    return ask


def _confirm(app: VeldwerkApp, rec: RecordView, field: str, label: str, v: ConflictValue, shown: str,
             on_kept) -> None:
    t = app.i18n.t
    error = ft.Container(visible=False)

    def cancel(e=None) -> None:
        app.page.pop_dialog()

    def keep(e=None) -> None:
        try:
            app.services.resolve_conflict(rec.id, field, v.value)
        except (ValidationError, NotAllowed) as exc:  # gone meanwhile, or not this role's to change
            message = next(iter(exc.errors.values()), "") if isinstance(exc, ValidationError) else str(exc)
            error.content = c.error_line(message, app.scale, identifier="conflict-error")
            error.visible = True
            return
        app.page.pop_dialog()
        on_kept(t("conflict.kept"))

    dialog = c.dialog(
        t("conflict.confirm_title"), modal=True,
        content=ft.Column([c.para(t("conflict.confirm_body", field=label, value=shown, author=v.author or "?"),
                                  ft.TextThemeStyle.BODY_LARGE), error], tight=True, spacing=10, width=340),
        actions=[
            ft.Semantics(content=ft.TextButton(content=t("common.cancel"), on_click=app.handler(cancel)),
                         identifier="conflict-cancel", container=True),
            ft.Semantics(content=ft.FilledButton(content=t("conflict.confirm_yes"), icon=ft.Icons.CHECK,
                                                 on_click=app.handler(keep)),
                         identifier="conflict-confirm", container=True),
        ],
    )
    app.page.show_dialog(dialog)
