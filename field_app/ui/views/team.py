"""Team: the supervisor's review queue (the team's notes and reports waiting for a decision, grouped by
worker, violations and high risks first, oldest first) and, for every user, what came back to them for
revision. Supervising roles get this tab; the way to the team dashboard comes above the queue."""

from __future__ import annotations

from itertools import groupby
from typing import TYPE_CHECKING, Any

import flet as ft

from field_app.app_api import may_review
from field_app.ui import components as c
from field_app.ui import fmt, theme
from field_app.ui.views import client_parts as p
from field_app.ui.views import review as rv
from field_app.ui.views.team_dashboard import team_entry

if TYPE_CHECKING:
    from field_app.ui.app import VeldwerkApp

# other sections of the Team tab: ``fn(view) -> list[ft.Control]`` (the dashboard: views/team_dashboard.py)
TEAM_EXTRAS: list = [lambda view: team_entry(view.app)]


class TeamView:
    title_key = "team.title"
    back = False
    nav = True
    chip = True

    def __init__(self, app: VeldwerkApp):
        self.app = app
        self.body = ft.Column(spacing=8, key="team-list")
        self._shown: Any = None

    def build(self) -> ft.Control:
        self._shown = None
        self.refresh()
        return ft.ListView([self.body], padding=ft.Padding.symmetric(horizontal=16, vertical=12), expand=True)

    def refresh(self) -> None:
        app, t = self.app, self.app.i18n.t
        queue = app.services.review_queue()
        state = (tuple((i.record.id, i.state.status, len(i.state.history)) for i in queue), fmt.now_ms() // 60_000)
        if state == self._shown:
            return
        self._shown = state
        reviewer = may_review(app.services.role)
        # the team overview first: below a long queue (the demo's has 16) it took a dozen screens to reach
        controls: list[ft.Control] = [ctl for extra in TEAM_EXTRAS for ctl in extra(self)]
        controls.append(c.section_title(t("team.queue" if reviewer else "team.returned")))
        if not queue:
            controls.append(ft.Semantics(content=p.empty(t("team.queue_empty" if reviewer else "team.returned_empty")),
                                         identifier="review-empty", container=True))
        else:
            controls.append(c.text(app.i18n.n("team.queue_count", len(queue)), ft.TextThemeStyle.BODY_MEDIUM,
                                   color=ft.Colors.ON_SURFACE_VARIANT))
        for author, items in groupby(queue, key=lambda i: i.record.author):
            if reviewer:
                controls.append(c.text(author, ft.TextThemeStyle.TITLE_SMALL, weight=ft.FontWeight.W_600))
            controls += [self._item(i) for i in items]
        self.body.controls = controls

    def _item(self, item: Any) -> ft.Control:
        app, t = self.app, self.app.i18n.t
        rec = item.record
        f = rec.fields
        when = f.get("occurred_at") or rec.created_at
        rows: list[ft.Control] = [
            p.title(rv.item_title(app, rec)),
            p.line(f"{item.client_name} · {fmt.moment(app.i18n, when)}"),
        ]
        if item.attention and rec.type == "report":
            rows.append(p.wide_badge(t("team.four_eyes"), ft.Icons.VISIBILITY, theme.WARNING, app.scale))
        elif item.attention:
            rows.append(p.wide_badge(t("team.attention"), ft.Icons.PRIORITY_HIGH, theme.DANGER, app.scale))
        text = f.get("report") or f.get("text") or ""
        if text:
            rows.append(c.text(text, ft.TextThemeStyle.BODY_MEDIUM, max_lines=4, overflow=ft.TextOverflow.ELLIPSIS))
        for a in rec.addenda:
            rows.append(p.line(t("cf.note.addendum_meta", author=a.author, when=fmt.moment(app.i18n, a.at))
                               + f": {a.text}"))
        rows += rv.review_block(app, rec, self.changed)
        rows.append(p.actions([p.button(t("team.open_client"), ft.Icons.FOLDER_OPEN, app.handler(
            lambda e, cid=rec.client_id: app.open_client(cid)), identifier=f"review-open-{rec.id}")]))
        return p.card(rows, key=f"review-{rec.id}", identifier=f"review-item-{rec.id}")

    def changed(self) -> None:
        self._shown = None
        self.refresh()
        self.app.page.update()
