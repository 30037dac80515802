"""Risico's: per risk domain a trend chart (flet-charts: one point per contact, its height the severity,
the severity words on the axis, the date under it), the latest severity as a badge, and the protective
factors seen in contacts."""

from __future__ import annotations

from typing import TYPE_CHECKING

import flet as ft

from field_app.domain.vocab import BeschermCategorie, BeschermendeFactor, Ernst, RisicoDomein
from field_app.ui import charts, fmt, theme
from field_app.ui import components as c
from field_app.ui.views import client_parts as p

if TYPE_CHECKING:
    from field_app.ui.views.client import ClientData, ClientView

_ORDER = list(Ernst)
MAX_POINTS = 8


def render(view: ClientView, data: ClientData) -> list[ft.Control]:
    app, i18n, t = view.app, view.app.i18n, view.app.i18n.t
    out: list[ft.Control] = []  # the selected section button names it (no second "risks" on screen)
    series = app.services.risk_summary(view.client_id)
    if not series:
        out.append(p.empty(t("cf.risk.empty")))
    # the most severe latest signal first
    for domain, points in sorted(series.items(), key=lambda kv: (-kv[1][-1][1] if kv[1] else 0, kv[0])):
        out.append(_domain_card(view, domain, points))
    factors: dict[str, tuple[str, int, str]] = {}
    for note in data.notes:
        if note.type != "contact" or note.retracted:
            continue
        when = note.fields.get("occurred_at") or note.created_at
        for item in note.fields.get("protective") or []:
            code = item.get("code")
            if code and (code not in factors or factors[code][1] < when):
                factors[code] = (item.get("category") or "", when, item.get("note") or "")
    out.append(c.section_title(t("cf.risk.protective")))
    if not factors:
        out.append(p.empty(t("cf.risk.protective_empty")))
    for code, (cat, when, note) in sorted(factors.items(), key=lambda kv: -kv[1][1]):
        rows = [ft.Row([ft.Icon(ft.Icons.SHIELD_OUTLINED, color=theme.SUCCESS.fg, size=20 * app.scale),
                        c.text(i18n.code_label(BeschermendeFactor, code), ft.TextThemeStyle.TITLE_SMALL,
                               weight=ft.FontWeight.W_600, expand=True)], spacing=6),
                p.line(t("cf.risk.protective_meta", category=i18n.code_label(BeschermCategorie, cat),
                         date=fmt.day_text(i18n, when)), muted=True)]
        if note:
            rows.append(p.line(note))
        out.append(p.card(rows, key=f"protective-{code}"))
    return out


def _domain_card(view: ClientView, domain: str, points: list[tuple[int, int]]) -> ft.Control:
    app, i18n, t = view.app, view.app.i18n, view.app.i18n.t
    scale = app.scale
    last_at, last_rank = points[-1]
    last = _ORDER[last_rank].value
    shown = points[-MAX_POINTS:]
    trend = _trend_word(view, points)
    days = [fmt.local(a).strftime("%d-%m") for a, _ in shown]
    label = t("cf.risk.chart_semantic", domain=i18n.code_label(RisicoDomein, domain),
              values=", ".join(f"{d} {i18n.code_label(Ernst, _ORDER[r].value)}" for d, (_, r) in zip(days, shown, strict=True)),
              trend=trend)
    # one point per contact, its height the severity (the words on the left axis), the date under it
    chart = charts.lines(days, [([r for _, r in shown], theme.severity_tone(last).fg)], semantic=label,
                         identifier=f"risk-chart-{domain}", max_y=len(_ORDER) - 1,
                         y_labels=[i18n.code_label(Ernst, e.value) for e in _ORDER], scale=scale)
    rows = [p.title(i18n.code_label(RisicoDomein, domain)),
            ft.Row([c.severity_badge(i18n, last, scale), c.badge(trend, _trend_icon(points), theme.NEUTRAL, scale)],
                   wrap=True, spacing=6, run_spacing=6),
            chart,
            p.line(t("cf.risk.last", date=fmt.day_text(i18n, last_at), n=len(points)), muted=True)]
    return p.card(rows, key=f"risk-{domain}", identifier=f"risk-{domain}")


def _trend_word(view: ClientView, points) -> str:
    t = view.app.i18n.t
    if len(points) < 2:
        return t("cf.risk.trend_new")
    a, b = points[-2][1], points[-1][1]
    return t("cf.risk.trend_up") if b > a else t("cf.risk.trend_down") if b < a else t("cf.risk.trend_same")


def _trend_icon(points) -> ft.IconData:
    if len(points) < 2:
        return ft.Icons.FIBER_NEW_OUTLINED
    a, b = points[-2][1], points[-1][1]
    return ft.Icons.TRENDING_UP if b > a else ft.Icons.TRENDING_DOWN if b < a else ft.Icons.TRENDING_FLAT
