"""Signalen: every open urgent flag (services.flag_queue: mine first, then the others, each by deadline, so
an overdue flag leads its group with a *Te laat* badge), with its urgency in colour + icon + word, a countdown to the deadline, whether a rule
raised it and who acknowledged it. The assignee acknowledges (*Gezien, ik pak het op*) and resolves with a
note; the coordinator sees who did and when. Tapping a flag opens the client."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import flet as ft

from field_app.app_api import FLAG_ROLES, NotAllowed, ValidationError
from field_app.domain import links
from field_app.domain.vocab import FlagReden, FlagStatus, Urgentie
from field_app.ui import components as c
from field_app.ui import fmt, theme
from field_app.ui.views import flag_steps
from field_app.ui.views.caseload import badge, caseload_items
from field_app.ui.views.forms.base import Field, FormView

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
        queue = app.services.flag_queue(now)
        flags = [i.record for i in queue]
        self.items = {i.record.id: i for i in queue}
        names = {i.id: i.display_name for i in caseload_items(app.services)}
        state = (tuple((f.id, repr(sorted(f.fields.items()))) for f in flags), tuple(sorted(names.items())),
                 now // MINUTE, tuple(flag_steps.summary(app, f) for f in flags))  # ticks synced in (#15)
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
        controls: list[ft.Control] = []
        for key, group in flag_groups(queue):
            if controls:
                controls.append(ft.Container(c.section_title(i18n.t(key)), padding=ft.Padding.only(top=8)))
            else:
                controls.append(c.section_title(i18n.t(key)))
            controls += [self._tile(i.record, names, now) for i in group]
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
        note = f.get("note_" + i18n.lang) or f.get("note")
        if note:
            rows.append(c.text(note, ft.TextThemeStyle.BODY_MEDIUM, max_lines=3, overflow=ft.TextOverflow.ELLIPSIS))
            spoken.append(note)
        item = self.items.get(flag.id)
        marks, said = flag_marks(app, item, now)
        if marks:
            rows.insert(2, ft.Row(marks, wrap=True, spacing=6, run_spacing=6))
            spoken += said
        steps = flag_steps.summary(app, flag)  # "En nu?" (#15)
        if steps:
            rows.append(c.text(steps, ft.TextThemeStyle.BODY_MEDIUM, weight=ft.FontWeight.W_600))
            spoken.append(steps)
        open_it = app.handler(lambda e=None, cid=flag.client_id: app.open_client(cid))
        head = ft.Semantics(content=ft.Container(
            ft.Row([ft.Container(width=6, bgcolor=tone.fg, border_radius=ft.BorderRadius.all(3)),
                    ft.Column(rows, spacing=6, expand=True), ft.Icon(ft.Icons.CHEVRON_RIGHT)],
                   vertical_alignment=ft.CrossAxisAlignment.START, spacing=12, intrinsic_height=True),
            on_click=open_it, ink=True), button=True, container=True, exclude_semantics=True,
            label=", ".join(s for s in spoken if s), on_tap=open_it)
        body: list[ft.Control] = [head]
        actions = flag_actions(app, flag, item, self.changed)
        if links.asks_for_meldcode(f) and app.may_record:  # e.g. "woont bij slachtoffer": the weighing straight from the flag
            weigh = app.handler(lambda e=None: app.open_meldcode_for_flag(flag.client_id, flag.id))
            actions.insert(0, ft.Semantics(content=ft.OutlinedButton(content=t("cf.flag.meldcode"), icon=ft.Icons.RULE,
                                                                     on_click=weigh),
                                           identifier=f"flags-meldcode-{flag.id}", container=True))
        if actions:
            body.append(ft.Row(actions, wrap=True, spacing=8, run_spacing=8))
        return ft.Card(content=ft.Container(ft.Column(body, spacing=8), padding=ft.Padding.all(12)),
                       margin=ft.Margin.all(0), key=f"flag-{flag.id}")

    def changed(self) -> None:
        self._shown = None
        self.refresh()


def flag_groups(queue: list) -> list[tuple[str, list]]:
    """Mine first, then the others, each in the queue's order (by deadline: the overdue ones at the top of
    their group, each with its *Te laat* badge from :func:`flag_marks`)."""
    mine = [i for i in queue if i.mine]
    rest = [i for i in queue if not i.mine]
    return [(k, g) for k, g in (("lists.flags.mine", mine), ("lists.flags.others", rest)) if g]


def flag_marks(app: VeldwerkApp, item: Any, now: int) -> tuple[list[ft.Control], list[str]]:
    """Badges for overdue, automatic and acknowledged (with who and when), and their spoken words."""
    if item is None:
        return [], []
    t, marks, said = app.i18n.t, [], []
    if item.overdue:
        marks.append(badge(t("flagq.overdue"), ft.Icons.RUNNING_WITH_ERRORS, theme.DANGER, app.scale))
        said.append(t("flagq.overdue"))
    if item.automatic:
        marks.append(badge(t("flagq.automatic"), ft.Icons.AUTO_MODE, theme.NEUTRAL, app.scale))
        said.append(t("flagq.automatic"))
    seen = (t("flagq.acked", name=item.acknowledged_by, when=fmt.moment(app.i18n, item.acknowledged_at or 0, now))
            if item.acknowledged_by else t("flagq.not_acked"))
    marks.append(badge(seen, ft.Icons.VISIBILITY if item.acknowledged_by else ft.Icons.VISIBILITY_OFF_OUTLINED,
                       theme.SUCCESS if item.acknowledged_by else theme.WARNING, app.scale))
    said.append(seen)
    return marks, said


def flag_actions(app: VeldwerkApp, flag: Any, item: Any, changed) -> list[ft.Control]:
    """*Gezien, ik pak het op* (not yet acknowledged; for the assignee or a coordinating role) and
    *Afhandelen* (with a resolution note)."""
    t, me = app.i18n.t, app.services.user_name
    assignee = flag.fields.get("assignee") or ""
    if not app.may_record or not (assignee in ("", me) or app.services.role in FLAG_ROLES):
        return []

    def ack(e=None) -> None:
        try:
            app.services.acknowledge_flag(flag.id)
        except (NotAllowed, ValidationError) as exc:
            app.toast(str(exc) if isinstance(exc, NotAllowed) else " ".join(exc.errors.values()), error=True)
            return
        app.toast(t("flagq.acked_toast"))
        changed()

    def resolve(e=None) -> None:
        def save(values: dict) -> None:
            app.services.resolve_flag(flag.id, values.get("resolution_note") or "")
        form = FormView(app, t("flagq.resolve_title"),
                        [Field("resolution_note", "flagq.resolution", "multiline", required=True)], save,
                        identifier="flag-resolve", intro=t("flagq.resolve_body"), saved_key="flagq.resolved_toast",
                        save_key="flagq.resolve")
        form.draft_slot = f"form:flag-resolve:{flag.id}"
        app.push(form)

    out: list[ft.Control] = []
    if item is not None and not item.acknowledged_by:
        out.append(ft.Semantics(content=ft.FilledButton(content=t("flagq.ack"), icon=ft.Icons.DONE,
                                                        on_click=app.handler(ack)),
                                identifier=f"flag-ack-{flag.id}", container=True))
    out.append(ft.Semantics(content=ft.OutlinedButton(content=t("flagq.resolve"), icon=ft.Icons.TASK_ALT,
                                                      on_click=app.handler(resolve)),
                            identifier=f"flag-resolve-{flag.id}", container=True))
    return out
