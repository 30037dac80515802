"""Teamoverzicht (team dashboard) for supervising roles: open flags by deadline (the order of *Signalen*
without "mine first", see ``dashboard.flag_lines``), counted by urgency and overdue, clients whose contact
is overdue for their supervision level, recent violations, the review queue, reports due, the last sync of
each team device, and charts of flags, violations and risk signals per week.

Everything is computed on this device from its decrypted records (field_app.domain.dashboard); only the
devices' sync times come from the server's request log, fetched on request ("Ophalen bij de server")."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import flet as ft

from field_app.app_api import NETWORK_ERRORS, NotAllowed, may_review, may_see_team
from field_app.domain import dashboard as dash
from field_app.domain.vocab import (
    FlagReden,
    OvertredingErnst,
    OvertredingReactie,
    RapportageStatus,
    RapportageType,
    RisicoDomein,
    Rol,
    Toezichtniveau,
    Urgentie,
)
from field_app.ui import charts, fmt, theme
from field_app.ui import components as c
from field_app.ui.views import client_parts as p

if TYPE_CHECKING:
    from field_app.ui.app import VeldwerkApp

URGENCY_COLOURS = {"DIRECT": ft.Colors.ERROR, "ZELFDE_DAG": ft.Colors.TERTIARY, "BINNEN_24U": ft.Colors.PRIMARY,
                   "BINNEN_5_WERKDAGEN": ft.Colors.SECONDARY, "VOLGEND_OVERLEG": ft.Colors.OUTLINE}
LINE_COLOURS = (ft.Colors.PRIMARY, ft.Colors.ERROR, ft.Colors.TERTIARY, ft.Colors.SECONDARY)
MAX_RISK_LINES = 4
MAX_LIST = 8


def gather(services: Any, now: int) -> tuple[dash.Dashboard, dict[str, str]]:
    """The dashboard from every client's records on this device, and the clients' names by id."""
    items = services.caseload_items(now)
    recs: dict[str, list] = {"flag": [], "contact": [], "report": [], "review": []}
    for item in items:
        for rtype, out in recs.items():
            out += services.records(item.id, rtype)
    # a reviewer's own queue; for a coordinator: what waits for any supervisor in the team
    reviewer = may_review(services.role)
    waiting = len(services.review_queue(now)) if reviewer else None
    board = dash.build(items=items, flags=recs["flag"], contacts=recs["contact"], reports=recs["report"],
                       reviews=recs["review"], me=services.user_name if reviewer else "", now=now,
                       review_waiting_count=waiting)
    return board, {i.id: i.display_name for i in items}


class TeamDashboardView:
    title_key = "dash.title"
    back = True
    nav = False
    chip = True

    def __init__(self, app: VeldwerkApp, now: int | None = None):
        self.app = app
        self.now = now
        self.devices_box = ft.Column(spacing=6)
        self._server_log: list[dict] | None = None
        self._shown: Any = None

    def title(self) -> str:
        return self.app.i18n.t("dash.title")

    def build(self) -> ft.Control:
        app, t = self.app, self.app.i18n.t
        if not may_see_team(app.services.role):
            body: list[ft.Control] = [c.error_line(t("dash.not_allowed"), app.scale, identifier="dash-not-allowed")]
        else:
            now = self.now or fmt.now_ms()
            board, names = gather(app.services, now)
            self._shown = board
            body = [*self._summary(board), *self._flags(board, names), *self._contacts(board),
                    *self._violations(board, names), *self._reports(board, names), *self._risks(board),
                    *self._devices()]
        return ft.ListView([ft.Column(body, spacing=10)], padding=ft.Padding.symmetric(horizontal=16, vertical=12),
                           expand=True)

    def refresh(self) -> None:  # rebuilt when opened; a sync tick does not redraw the charts
        return

    # -- pieces -----------------------------------------------------------------------------------------------
    def _week_labels(self, board: dash.Dashboard) -> list[str]:
        return [fmt.local(w).strftime("%d-%m") for w in board.weeks]

    def _open(self, client_id: str):
        return self.app.handler(lambda e: self.app.open_client(client_id))

    def _summary(self, board: dash.Dashboard) -> list[ft.Control]:
        app, i18n = self.app, self.app.i18n
        open_flags = len(board.flags)
        late_reports = sum(1 for r in board.reports if r.overdue)
        tiles = [
            ("dash-tile-flags", ft.Icons.NOTIFICATION_IMPORTANT_OUTLINED,
             i18n.n("dash.tile.flags", open_flags, late=board.overdue_flags),
             theme.DANGER if board.overdue_flags else theme.NEUTRAL),
            ("dash-tile-review", ft.Icons.RATE_REVIEW_OUTLINED, i18n.n("dash.tile.review", board.review_waiting),
             theme.WARNING if board.review_waiting else theme.NEUTRAL),
            ("dash-tile-contact", ft.Icons.EVENT_BUSY_OUTLINED,
             i18n.n("dash.tile.contact", len(board.overdue_clients)),
             theme.WARNING if board.overdue_clients else theme.NEUTRAL),
            ("dash-tile-reports", ft.Icons.ASSIGNMENT_OUTLINED,
             i18n.n("dash.tile.reports", len(board.reports), late=late_reports),
             theme.DANGER if late_reports else theme.NEUTRAL),
        ]
        return [ft.Row([c.badge(text, icon, tone, app.scale, identifier=ident) for ident, icon, text, tone in tiles],
                       wrap=True, spacing=8, run_spacing=8)]

    def _flags(self, board: dash.Dashboard, names: dict[str, str]) -> list[ft.Control]:
        app, i18n, t = self.app, self.app.i18n, self.app.i18n.t
        out: list[ft.Control] = [c.section_title(t("dash.flags.title"))]
        counts = [t("dash.flags.count", urgency=i18n.code_label(Urgentie, u), open=n, late=late)
                  for u, (n, late) in board.flag_counts.items() if n]
        out.append(p.line("; ".join(counts) if counts else t("dash.flags.none"), muted=not counts))
        for f in board.flags[:MAX_LIST]:
            due = ""
            if f.deadline is not None:
                when = fmt.moment(i18n, f.deadline, board.now)
                due = t("dash.flags.late", when=when) if f.overdue else t("dash.flags.due", when=when)
            who = t("dash.flags.ack", who=f.acknowledged_by) if f.acknowledged_by else (
                t("dash.flags.not_ack", who=f.assignee) if f.assignee else t("dash.flags.unassigned"))
            rows = [p.title(f"{names.get(f.client_id, '?')}: {i18n.code_label(FlagReden, f.reason)}"),
                    p.line(f"{i18n.code_label(Urgentie, f.urgency)} · {due}"), p.line(who, muted=True)]
            if f.automatic:
                rows.append(p.line(t("dash.flags.automatic"), muted=True))
            out.append(self._tap(p.card(rows, tone=theme.DANGER if f.overdue else None, identifier="dash-flag"),
                                 f.client_id))
        labels = self._week_labels(board)
        series = [(board.flags_per_week.get(u, ()), URGENCY_COLOURS[u]) for u in dash.URGENCY_ORDER
                  if any(board.flags_per_week.get(u, ()))]
        if series:
            words = "; ".join(f"{i18n.code_label(Urgentie, u)}: " + ", ".join(
                f"{w} {n}" for w, n in zip(labels, board.flags_per_week[u], strict=True))
                for u in dash.URGENCY_ORDER if any(board.flags_per_week.get(u, ())))
            out += [p.line(t("dash.flags.chart"), muted=True),
                    charts.stacked_bars(labels, series, semantic=t("dash.flags.chart_semantic", values=words),
                                        identifier="dash-chart-flags", scale=app.scale, every=2),
                    charts.legend([(i18n.code_label(Urgentie, u), URGENCY_COLOURS[u]) for u in dash.URGENCY_ORDER
                                   if any(board.flags_per_week.get(u, ()))], app.scale)]
        return out

    def _tap(self, control: ft.Control, client_id: str) -> ft.Control:
        return ft.GestureDetector(content=control, on_tap=self._open(client_id),
                                  mouse_cursor=ft.MouseCursor.CLICK)

    def _contacts(self, board: dash.Dashboard) -> list[ft.Control]:
        i18n, t = self.app.i18n, self.app.i18n.t
        out: list[ft.Control] = [c.section_title(t("dash.contact.title"))]
        if not board.overdue_clients:
            return [*out, p.line(t("dash.contact.none"), muted=True)]
        for o in board.overdue_clients[:MAX_LIST]:
            level = i18n.code_label(Toezichtniveau, o.supervision_level) or t("dash.contact.no_level")
            out.append(self._tap(p.card([p.title(o.name), p.line(i18n.n("dash.contact.late", o.overdue_days,
                                                                         level=level, who=o.assigned_to or "—"))],
                                        identifier="dash-overdue-client"), o.client_id))
        return out

    def _violations(self, board: dash.Dashboard, names: dict[str, str]) -> list[ft.Control]:
        app, i18n, t = self.app, self.app.i18n, self.app.i18n.t
        out: list[ft.Control] = [c.section_title(t("dash.violations.title"))]
        if not board.violations:
            out.append(p.line(t("dash.violations.none", days=dash.RECENT_VIOLATION_DAYS), muted=True))
        for v in board.violations[:MAX_LIST]:
            out.append(self._tap(p.card([
                p.title(names.get(v.client_id, "?")),
                p.line(t("dash.violations.line", when=fmt.day_text(i18n, v.at, board.now),
                         severity=i18n.code_label(OvertredingErnst, v.severity) or "—",
                         response=i18n.code_label(OvertredingReactie, v.response) or "—"))],
                identifier="dash-violation"), v.client_id))
        labels = self._week_labels(board)
        if any(board.violations_per_week):
            words = ", ".join(f"{w} {n}" for w, n in zip(labels, board.violations_per_week, strict=True))
            out += [p.line(t("dash.violations.chart"), muted=True),
                    charts.stacked_bars(labels, [(board.violations_per_week, ft.Colors.ERROR)],
                                        semantic=t("dash.violations.chart_semantic", values=words),
                                        identifier="dash-chart-violations", scale=app.scale, every=2)]
        return out

    def _reports(self, board: dash.Dashboard, names: dict[str, str]) -> list[ft.Control]:
        i18n, t = self.app.i18n, self.app.i18n.t
        out: list[ft.Control] = [c.section_title(t("dash.reports.title"))]
        if not board.reports:
            return [*out, p.line(t("dash.reports.none", days=dash.REPORT_HORIZON_DAYS), muted=True)]
        for r in board.reports[:MAX_LIST]:
            when = (i18n.n("dash.reports.late", -r.days_left) if r.overdue else
                    t("dash.reports.due", date=fmt.day_text(i18n, r.due, board.now)))
            out.append(self._tap(p.card([
                p.title(f"{names.get(r.client_id, '?')}: {i18n.code_label(RapportageType, r.report_type)}"),
                p.line(when), p.line(i18n.code_label(RapportageStatus, r.status), muted=True)],
                tone=theme.DANGER if r.overdue else None, identifier="dash-report"), r.client_id))
        return out

    def _risks(self, board: dash.Dashboard) -> list[ft.Control]:
        app, i18n, t = self.app, self.app.i18n, self.app.i18n.t
        out: list[ft.Control] = [c.section_title(t("dash.risks.title"))]
        top = sorted(board.risks_per_week.items(), key=lambda kv: (-sum(kv[1]), kv[0]))[:MAX_RISK_LINES]
        if not top:
            return [*out, p.line(t("dash.risks.none"), muted=True)]
        labels = self._week_labels(board)
        series = [(counts, LINE_COLOURS[i]) for i, (_, counts) in enumerate(top)]
        words = "; ".join(f"{i18n.code_label(RisicoDomein, d)}: " + ", ".join(
            f"{w} {n}" for w, n in zip(labels, counts, strict=True)) for d, counts in top)
        return [*out, p.line(t("dash.risks.chart"), muted=True),
                charts.lines(labels, series, semantic=t("dash.risks.chart_semantic", values=words),
                             identifier="dash-chart-risks", scale=app.scale, every=2),
                charts.legend([(i18n.code_label(RisicoDomein, d), LINE_COLOURS[i]) for i, (d, _) in enumerate(top)],
                              app.scale)]

    def _devices(self) -> list[ft.Control]:
        app, t = self.app, self.app.i18n.t
        self._fill_devices()
        fetch = ft.Semantics(content=ft.Row([ft.OutlinedButton(content=t("dash.devices.fetch"), icon=ft.Icons.REFRESH,
                                                               on_click=app.handler(self.fetch_devices), expand=True)]),
                             identifier="dash-devices-fetch")
        return [c.section_title(t("dash.devices.title")), p.line(t("dash.devices.intro"), muted=True), fetch,
                self.devices_box]

    def fetch_devices(self, e=None) -> None:
        app, t = self.app, self.app.i18n.t
        try:
            self._server_log = app.services.server_access_log()
            problem = None
        except NotAllowed:
            problem = t("dash.devices.not_allowed")
        except NETWORK_ERRORS:
            problem = t("dash.devices.offline")
        self._fill_devices(problem)

    def _fill_devices(self, problem: str | None = None) -> None:
        app, i18n, t = self.app, self.app.i18n, self.app.i18n.t
        own = app.services.sync_status().last_sync_at
        rows: list[ft.Control] = [c.error_line(problem, app.scale, identifier="dash-devices-error")] if problem else []
        devices = app.services.devices() or [{"id": "", "user": app.services.user_name, "role": app.services.role,
                                               "status": "actief", "me": True}]  # before the ledger arrives
        for d in dash.device_syncs(devices, self._server_log, own):
            when = (t("dash.devices.last", when=fmt.moment(i18n, d.last_sync_at)) if d.last_sync_at
                    else t("dash.devices.unknown"))
            name = d.user or t("dash.devices.unnamed")
            if d.me:
                name = t("dash.devices.me", name=name)
            rows.append(p.card([p.title(name), p.line(f"{i18n.code_label(Rol, d.role)} · {when}")],
                               identifier="dash-device"))
        self.devices_box.controls = rows


def team_entry(app: VeldwerkApp) -> list[ft.Control]:
    """The way in from the Team tab (above the review queue): a section with one button, for supervising
    roles only."""
    if not may_see_team(app.services.role):
        return []
    t = app.i18n.t
    button = ft.FilledButton(content=t("dash.open"), icon=ft.Icons.INSIGHTS_OUTLINED, expand=True,
                             on_click=app.handler(lambda e: app.push(TeamDashboardView(app))))
    return [c.section_title(t("dash.title")), c.para(t("dash.open_intro"), ft.TextThemeStyle.BODY_MEDIUM),
            ft.Semantics(content=ft.Row([button]), identifier="dash-open"), ft.Divider()]
