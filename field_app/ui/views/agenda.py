"""Agenda: today or the coming seven days — planned contacts, meldplicht dates, transitions due and flag
deadlines (services.agenda), grouped per day in Europe/Amsterdam time. Tapping an item opens the client."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

import flet as ft

from field_app.domain.vocab import AgendaSoort
from field_app.ui import components as c
from field_app.ui import fmt, theme
from field_app.ui.views.caseload import badge, caseload_items

if TYPE_CHECKING:
    from field_app.ui.app import VeldwerkApp

RANGES = ("today", "week")
WEEK_DAYS = 7

# kind → (icon, tone): a flag deadline is urgent (red), a meldplicht or transition needs attention (amber)
KIND_LOOK: dict[str, tuple[ft.IconData, theme.Tone]] = {
    AgendaSoort.CONTACT_GEPLAND.value: (ft.Icons.EVENT_AVAILABLE, theme.NEUTRAL),
    AgendaSoort.MELDPLICHT.value: (ft.Icons.HOW_TO_REG_OUTLINED, theme.WARNING),
    AgendaSoort.OVERGANG.value: (ft.Icons.SWAP_HORIZ, theme.WARNING),
    AgendaSoort.SIGNAAL_DEADLINE.value: (ft.Icons.NOTIFICATION_IMPORTANT, theme.DANGER),
    AgendaSoort.ACTIE_DEADLINE.value: (ft.Icons.TASK_ALT, theme.NEUTRAL),
    AgendaSoort.RAPPORTAGE_DEADLINE.value: (ft.Icons.ASSIGNMENT_LATE_OUTLINED, theme.WARNING),
}


def day_start_ms(day: date) -> int:
    return int(datetime(day.year, day.month, day.day, tzinfo=fmt.TZ).timestamp() * 1000)


def day_heading(i18n, day: date, today: date) -> str:
    """``Vandaag`` / ``Morgen`` / ``maandag 30 november``."""
    if day == today:
        return i18n.t("lists.agenda.today")
    if day == today + timedelta(days=1):
        return i18n.t("lists.agenda.tomorrow")
    return fmt.long_day(i18n, day, today)


def group_by_day(items: list[Any]) -> list[tuple[date, list[Any]]]:
    """Items (already in time order) per Amsterdam calendar day."""
    groups: dict[date, list[Any]] = {}
    for item in items:
        groups.setdefault(fmt.local(item.at).date(), []).append(item)
    return sorted(groups.items())


class AgendaView:
    title_key = "lists.agenda.title"
    back = False
    nav = True
    chip = True

    def __init__(self, app: VeldwerkApp, range_: str = "today"):
        self.app = app
        self.range = range_ if range_ in RANGES else "today"
        self.list = ft.Column(spacing=8, key="agenda-list")
        self.count = c.text("", ft.TextThemeStyle.BODY_MEDIUM, color=ft.Colors.ON_SURFACE_VARIANT)

    def build(self) -> ft.Control:
        app, t = self.app, self.app.i18n.t
        switch = ft.SegmentedButton(
            segments=[ft.Segment(value=r, label=t(f"lists.agenda.{r}")) for r in RANGES],
            selected=[self.range], show_selected_icon=False, on_change=app.handler(self.on_range),
        )
        self.refresh()
        return ft.Column([
            ft.Container(ft.Semantics(content=ft.Row([switch], wrap=True), identifier="agenda-range",
                                      label=t("lists.agenda.range"), container=True),
                         padding=ft.Padding.only(left=16, right=16, top=12)),
            ft.ListView([c.node(self.count), self.list], padding=ft.Padding.symmetric(horizontal=16, vertical=8),
                        expand=True, spacing=8),
        ], expand=True, spacing=0)

    def window(self, now: int | None = None) -> tuple[int, int, date]:
        today = fmt.local(now if now is not None else fmt.now_ms()).date()
        days = 1 if self.range == "today" else WEEK_DAYS
        return day_start_ms(today), day_start_ms(today + timedelta(days=days)), today

    def refresh(self) -> None:
        app, i18n = self.app, self.app.i18n
        start, end, today = self.window()
        items = app.services.agenda(start, end)
        names = {i.id: i.display_name for i in caseload_items(app.services)}
        state = (tuple(items), tuple(sorted(names.items())), self.range, today)
        if state == getattr(self, "_shown", None):
            return
        self._shown = state
        if not items:
            self.count.value = ""
            title = i18n.t("lists.agenda.empty_today_title" if self.range == "today"
                           else "lists.agenda.empty_week_title")
            self.list.controls = [ft.Semantics(content=ft.Container(ft.Column([
                ft.Icon(ft.Icons.EVENT_NOTE_OUTLINED, size=40 * app.scale),
                c.text(title, ft.TextThemeStyle.TITLE_MEDIUM, weight=ft.FontWeight.W_600),
                c.text(i18n.t("lists.agenda.empty_body"), ft.TextThemeStyle.BODY_LARGE)], spacing=8),
                padding=ft.Padding.symmetric(vertical=24)), identifier="agenda-empty", container=True)]
            return
        self.count.value = i18n.n("lists.agenda.count", len(items))
        controls: list[ft.Control] = []
        for day, day_items in group_by_day(items):
            controls.append(ft.Container(c.section_title(day_heading(i18n, day, today)),
                                         padding=ft.Padding.only(top=8)))
            controls += [self._tile(item, names.get(item.client_id, "?")) for item in day_items]
        self.list.controls = controls

    def _tile(self, item: Any, client_name: str) -> ft.Control:
        app, i18n = self.app, self.app.i18n
        icon, tone = KIND_LOOK.get(item.kind, (ft.Icons.EVENT, theme.NEUTRAL))
        label = item.label_en if i18n.lang == "en" else item.label_nl
        if item.due:  # an overdue action, shown on today: its own date in words (it was "2026-12-04")
            label = i18n.t("lists.agenda.was_due", label=label,
                           date=fmt.long_day(i18n, date.fromisoformat(item.due), fmt.local(item.at).date()))
        when = i18n.t("lists.agenda.all_day") if item.all_day else fmt.clock(item.at)
        kind_word = i18n.code_label(AgendaSoort, item.kind)
        open_it = app.handler(lambda e=None, cid=item.client_id: app.open_client(cid))
        body = ft.Row([
            ft.Container(ft.Icon(icon, color=tone.fg, size=24 * app.scale), bgcolor=tone.bg,
                         padding=ft.Padding.all(8), border_radius=ft.BorderRadius.all(24)),
            ft.Column([
                c.text(when, ft.TextThemeStyle.LABEL_LARGE, weight=ft.FontWeight.W_600),
                c.text(label, ft.TextThemeStyle.BODY_LARGE),
                c.text(client_name, ft.TextThemeStyle.TITLE_MEDIUM, weight=ft.FontWeight.W_600),
                *([ft.Row([badge(kind_word, icon, tone, app.scale)], wrap=True)]
                  if kind_word.casefold() not in label.casefold() else []),
            ], spacing=4, expand=True),
            ft.Icon(ft.Icons.CHEVRON_RIGHT),
        ], vertical_alignment=ft.CrossAxisAlignment.START, spacing=12)
        card = ft.Card(content=ft.Container(body, padding=ft.Padding.all(12), on_click=open_it, ink=True),
                       margin=ft.Margin.all(0), key=f"agenda-{item.record_id}-{item.at}")
        spoken = i18n.t("lists.agenda.item", time=when, label=label, client=client_name)
        return ft.Semantics(content=card, button=True, container=True, exclude_semantics=True,
                            label=f"{spoken}, {kind_word}", on_tap=open_it)

    def on_range(self, e) -> None:
        selected = e.control.selected or ["today"]
        self.range = selected[0]
        self.refresh()
