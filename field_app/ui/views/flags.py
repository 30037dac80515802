"""Signalen: every open urgent flag (services.open_flags: mine first, then by deadline), with its urgency
in colour + icon + word and a countdown to the deadline. Tapping a flag opens the client."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import flet as ft

from field_app.domain import links
from field_app.domain.vocab import FlagReden, FlagStatus, Urgentie
from field_app.ui import components as c
from field_app.ui import fmt, theme
from field_app.ui.views.caseload import badge, caseload_items

if TYPE_CHECKING:
    from field_app.ui.app import VeldwerkApp

MINUTE = 60_000
HOUR = 60 * MINUTE
DAY = 24 * HOUR
SOON = DAY  # a deadline within a day is "due soon" (amber)


def flag_look(urgency: str | None, deadline: int | None, now: int) -> tuple[ft.IconData, theme.Tone]:
    """Red for an overdue or immediate flag, amber when the deadline is within a day, calm otherwise."""
    if (deadline is not None and deadline < now) or urgency == Urgentie.DIRECT.value:
        return ft.Icons.REPORT, theme.DANGER
    if deadline is not None and deadline - now <= SOON:
        return ft.Icons.ALARM, theme.WARNING
    return ft.Icons.SCHEDULE, theme.NEUTRAL


def countdown(i18n, deadline: int | None, now: int) -> str:
    """``Nog 3 uur`` / ``2 dagen te laat``."""
    if deadline is None:
        return ""
    delta = deadline - now
    kind = "left" if delta >= 0 else "late"
    delta = abs(delta)
    if delta < HOUR:
        return i18n.t(f"lists.flags.{kind}_minutes", n=max(1, delta // MINUTE))
    if delta < 2 * DAY:
        return i18n.n(f"lists.flags.{kind}_hours", delta // HOUR)
    return i18n.n(f"lists.flags.{kind}_days", delta // DAY)


class FlagsView:
    title_key = "lists.flags.title"
    back = False
    nav = True
    chip = True

    def __init__(self, app: VeldwerkApp):
        self.app = app
        self.list = ft.Column(spacing=8, key="flags-list")
        self.count = c.text("", ft.TextThemeStyle.BODY_MEDIUM, color=ft.Colors.ON_SURFACE_VARIANT)

    def build(self) -> ft.Control:
        self.refresh()
        return ft.ListView([c.node(self.count), self.list], padding=ft.Padding.symmetric(horizontal=16, vertical=12),
                           expand=True, spacing=8)

    def refresh(self, now: int | None = None) -> None:
        app, i18n = self.app, self.app.i18n
        now = fmt.now_ms() if now is None else now
        flags = app.services.open_flags()
        names = {i.id: i.display_name for i in caseload_items(app.services)}
        state = (tuple((f.id, repr(sorted(f.fields.items()))) for f in flags), tuple(sorted(names.items())),
                 now // MINUTE)
        if state == getattr(self, "_shown", None):
            return
        self._shown = state
        if not flags:
            self.count.value = ""
            self.list.controls = [ft.Semantics(content=ft.Container(ft.Column([
                ft.Icon(ft.Icons.CHECK_CIRCLE_OUTLINE, size=40 * app.scale),
                c.text(i18n.t("lists.flags.empty_title"), ft.TextThemeStyle.TITLE_MEDIUM, weight=ft.FontWeight.W_600),
                c.text(i18n.t("lists.flags.empty_body"), ft.TextThemeStyle.BODY_LARGE)], spacing=8),
                padding=ft.Padding.symmetric(vertical=24)), identifier="flags-empty", container=True)]
            return
        self.count.value = i18n.n("lists.flags.count", len(flags))
        me = app.services.user_name
        mine = [f for f in flags if f.fields.get("assignee") == me]
        others = [f for f in flags if f.fields.get("assignee") != me]
        controls: list[ft.Control] = []
        if mine:
            controls.append(c.section_title(i18n.t("lists.flags.mine")))
            controls += [self._tile(f, names, now) for f in mine]
            if others:
                controls.append(ft.Container(c.section_title(i18n.t("lists.flags.others")),
                                             padding=ft.Padding.only(top=8)))
        controls += [self._tile(f, names, now) for f in others]
        self.list.controls = controls

    def _tile(self, flag: Any, names: dict[str, str], now: int) -> ft.Control:
        app, i18n, t = self.app, self.app.i18n, self.app.i18n.t
        f = flag.fields
        deadline = f.get("deadline") if isinstance(f.get("deadline"), int) else None
        icon, tone = flag_look(f.get("urgency"), deadline, now)
        urgency = i18n.code_label(Urgentie, f.get("urgency"))
        left = countdown(i18n, deadline, now)
        reason = i18n.code_label(FlagReden, f.get("reason"))
        client = names.get(flag.client_id, "?")
        assignee = (t("lists.flags.assignee", name=f["assignee"]) if f.get("assignee")
                    else t("lists.flags.unassigned"))
        status = t("lists.flags.status", status=i18n.code_label(FlagStatus, f.get("status") or "OPEN"))
        # the urgency's own word ("Vandaag nog", "Binnen 24 uur") was set when the flag was made; once there
        # is a deadline, the words computed from it and the clock say when (tomorrow is never "Vandaag nog")
        show_urgency = deadline is None or f.get("urgency") == Urgentie.DIRECT.value
        rows: list[ft.Control] = [
            c.text(reason, ft.TextThemeStyle.TITLE_MEDIUM, weight=ft.FontWeight.W_600),
            c.text(client, ft.TextThemeStyle.BODY_LARGE, weight=ft.FontWeight.W_600),
            ft.Row([*([badge(urgency, icon, tone, app.scale)] if show_urgency else []),
                    *([badge(left, ft.Icons.TIMER_OUTLINED if show_urgency else icon, tone, app.scale)]
                      if left else [])],
                   wrap=True, spacing=6, run_spacing=6),
        ]
        spoken = [reason, client, urgency if show_urgency else "", left]
        if deadline is not None:
            when = t("lists.flags.deadline", when=fmt.moment(i18n, deadline, now))
            rows.append(c.text(when, ft.TextThemeStyle.BODY_MEDIUM))
            spoken.append(when)
        rows.append(c.text(f"{status} · {assignee}", ft.TextThemeStyle.BODY_MEDIUM,
                           color=ft.Colors.ON_SURFACE_VARIANT))
        spoken += [status, assignee]
        if f.get("note"):
            rows.append(c.text(f["note"], ft.TextThemeStyle.BODY_MEDIUM, max_lines=3,
                               overflow=ft.TextOverflow.ELLIPSIS))
            spoken.append(f["note"])
        open_it = app.handler(lambda e=None, cid=flag.client_id: app.open_client(cid))
        card = ft.Card(
            content=ft.Container(
                ft.Row([ft.Container(width=6, bgcolor=tone.fg, border_radius=ft.BorderRadius.all(3)),
                        ft.Column(rows, spacing=6, expand=True), ft.Icon(ft.Icons.CHEVRON_RIGHT)],
                       vertical_alignment=ft.CrossAxisAlignment.START, spacing=12,
                       intrinsic_height=True),
                padding=ft.Padding.all(12), on_click=open_it, ink=True),
            margin=ft.Margin.all(0), key=f"flag-{flag.id}",
        )
        tile = ft.Semantics(content=card, button=True, container=True, exclude_semantics=True,
                            label=", ".join(s for s in spoken if s), on_tap=open_it)
        if not links.asks_for_meldcode(f):
            return tile
        # a flag that asks for the meldcode weighing opens it directly (its own button, outside the card)
        weigh = app.handler(lambda e=None: app.open_meldcode_for_flag(flag.client_id, flag.id))
        return ft.Column([tile, ft.Semantics(content=ft.Row([ft.OutlinedButton(
            content=t("cf.flag.meldcode"), icon=ft.Icons.RULE, on_click=weigh)], wrap=True),
            identifier=f"flags-meldcode-{flag.id}", container=True)], spacing=4)
