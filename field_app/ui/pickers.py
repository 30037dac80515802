"""Date and time pickers beside the typed date and time fields: a calendar or clock button in the field
(Flet's ``DatePicker``/``TimePicker``) writes ``dd-mm-jjjj`` or ``HH:MM`` into it. Typing stays possible."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

import flet as ft

from field_app.ui import components as c
from field_app.ui import fmt

FIRST = datetime(1900, 1, 1)
LAST = datetime(2100, 12, 31)


def picked_date(value: Any) -> date | None:
    """The calendar date the picker chose (it may send a local midnight as UTC)."""
    if isinstance(value, datetime):
        return value.astimezone(fmt.TZ).date() if value.tzinfo else value.date()
    return value if isinstance(value, date) else None


def picked_time(value: Any) -> tuple[int, int] | None:
    """(hour, minute) the picker chose: a ``time``, or the ``HH:MM`` text the client sends."""
    if hasattr(value, "hour") and hasattr(value, "minute"):
        return value.hour, value.minute
    if isinstance(value, str) and value.strip():
        try:
            return fmt.parse_clock(value[:5])
        except ValueError:
            return None
    return None


def add_date_picker(app: Any, tf: ft.TextField, on_pick: Callable[[], None] | None = None) -> ft.TextField:
    """Give ``tf`` (a ``dd-mm-jjjj`` field) a calendar button."""
    t = app.i18n.t

    def chosen(e=None) -> None:
        day = picked_date(e.control.value if e is not None else None)
        if day is None:
            return
        tf.value, tf.error = day.strftime("%d-%m-%Y"), None
        if on_pick:
            on_pick()

    def open_picker(e=None) -> None:
        try:
            current = fmt.parse_date(tf.value or "")
        except ValueError:
            current = fmt.local(fmt.now_ms()).date()
        app.page.show_dialog(ft.DatePicker(
            value=datetime(current.year, current.month, current.day), first_date=FIRST, last_date=LAST,
            help_text=tf.label, cancel_text=t("common.cancel"), confirm_text=t("picker.ok"),
            on_change=app.handler(chosen)))

    tf.suffix = c.icon_button(ft.Icons.CALENDAR_MONTH, t("picker.date", label=tf.label), app.handler(open_picker),
                              app.scale)
    return tf


def add_time_picker(app: Any, tf: ft.TextField, on_pick: Callable[[], None] | None = None) -> ft.TextField:
    """Give ``tf`` (an ``HH:MM`` field) a clock button."""
    t = app.i18n.t

    def chosen(e=None) -> None:
        hm = picked_time(e.control.value if e is not None else None)
        if hm is None:
            return
        tf.value, tf.error = f"{hm[0]:02d}:{hm[1]:02d}", None
        if on_pick:
            on_pick()

    def open_picker(e=None) -> None:
        try:
            hour, minute = fmt.parse_clock(tf.value or "")
        except ValueError:
            now = fmt.local(fmt.now_ms())
            hour, minute = now.hour, now.minute
        app.page.show_dialog(ft.TimePicker(
            value=datetime(2000, 1, 1, hour, minute).time(), help_text=tf.label, cancel_text=t("common.cancel"),
            confirm_text=t("picker.ok"), on_change=app.handler(chosen)))

    tf.suffix = c.icon_button(ft.Icons.SCHEDULE, t("picker.time", label=tf.label), app.handler(open_picker),
                              app.scale)
    return tf
