"""Charts with Flet's own chart controls (``flet-charts``; the prebuilt web client of ``flet-web`` 1.0.5
carries its Flutter side, so nothing has to be registered for the browser).

A chart is drawn on a canvas that a screen reader cannot read: each one is wrapped in a ``Semantics``
whose label says every value, and the numbers the chart shows are also in words next to it. Colours are
theme roles only (field_app.ui.theme).
"""

from __future__ import annotations

from collections.abc import Sequence

import flet as ft
import flet_charts as fch

CHART_HEIGHT = 180


def _axis_text(value: str, scale: float) -> ft.Text:
    return ft.Text(value, size=11 * scale, color=ft.Colors.ON_SURFACE_VARIANT, no_wrap=True)


def _left_axis(top: int, scale: float) -> fch.ChartAxis:
    step = max(1, (top + 3) // 4)
    return fch.ChartAxis(label_size=28 * scale, labels=[
        fch.ChartAxisLabel(value=v, label=_axis_text(str(v), scale)) for v in range(0, top + 1, step)])


def stacked_bars(labels: Sequence[str], series: Sequence[tuple[Sequence[int], ft.ColorValue]], *, semantic: str,
                 identifier: str, scale: float = 1.0, every: int = 1) -> ft.Control:
    """One bar per label (e.g. a week), each stacked from ``series`` ((counts, colour) in stacking order).
    ``every``: label only every n-th bar (narrow screens)."""
    totals = [sum(s[0][i] for s in series) for i in range(len(labels))]
    top = max([*totals, 1])
    groups = []
    for i, _ in enumerate(labels):
        items, y = [], 0
        for counts, colour in series:
            if counts[i]:
                items.append(fch.BarChartRodStackItem(from_y=y, to_y=y + counts[i], color=colour))
                y += counts[i]
        groups.append(fch.BarChartGroup(x=i, rods=[fch.BarChartRod(
            from_y=0, to_y=y, width=14 * scale, stack_items=items, color=ft.Colors.PRIMARY,
            border_radius=ft.BorderRadius.only(top_left=3, top_right=3), show_tooltip=False)]))
    chart = fch.BarChart(
        groups=groups, max_y=top, interactive=False, height=CHART_HEIGHT * scale,
        left_axis=_left_axis(top, scale),
        bottom_axis=fch.ChartAxis(label_size=22 * scale, labels=[
            fch.ChartAxisLabel(value=i, label=_axis_text(text if i % every == 0 else "", scale))
            for i, text in enumerate(labels)]),
        horizontal_grid_lines=fch.ChartGridLines(color=ft.Colors.OUTLINE_VARIANT, width=1, interval=max(1, (top + 3) // 4)),
    )
    return ft.Semantics(content=chart, label=semantic, identifier=identifier, container=True,
                        exclude_semantics=True)


def lines(labels: Sequence[str], series: Sequence[tuple[Sequence[int | None], ft.ColorValue]], *, semantic: str,
          identifier: str, max_y: int | None = None, y_labels: Sequence[str] | None = None, scale: float = 1.0,
          every: int = 1) -> ft.Control:
    """One line per series over the labels; a ``None`` value leaves a point out. ``y_labels`` names the
    y values 0, 1, 2, ... (e.g. severities)."""
    values = [v for s, _ in series for v in s if v is not None]
    top = max_y if max_y is not None else max([*values, 1])
    data = [fch.LineChartData(
        points=[fch.LineChartDataPoint(x=i, y=v, show_tooltip=False) for i, v in enumerate(s) if v is not None],
        color=colour, stroke_width=3 * scale, point=True, curved=False) for s, colour in series]
    left = (fch.ChartAxis(label_size=56 * scale, labels=[
        fch.ChartAxisLabel(value=i, label=_axis_text(text, scale)) for i, text in enumerate(y_labels)])
        if y_labels else _left_axis(top, scale))
    chart = fch.LineChart(
        data_series=data, min_y=0, max_y=top, min_x=-0.3, max_x=max(len(labels) - 0.7, 0.7), interactive=False,
        height=CHART_HEIGHT * scale, left_axis=left,
        bottom_axis=fch.ChartAxis(label_size=22 * scale, labels=[
            fch.ChartAxisLabel(value=i, label=_axis_text(text if i % every == 0 else "", scale))
            for i, text in enumerate(labels)]),
        horizontal_grid_lines=fch.ChartGridLines(color=ft.Colors.OUTLINE_VARIANT, width=1, interval=1),
    )
    return ft.Semantics(content=chart, label=semantic, identifier=identifier, container=True,
                        exclude_semantics=True)


def legend(entries: Sequence[tuple[str, ft.ColorValue]], scale: float = 1.0) -> ft.Control:
    """Colour swatches with their words (the words carry the meaning; the colour only repeats it)."""
    return ft.Row([ft.Row([ft.Container(width=12 * scale, height=12 * scale, bgcolor=colour,
                                        border_radius=ft.BorderRadius.all(2)),
                           ft.Text(text, theme_style=ft.TextThemeStyle.LABEL_MEDIUM)], spacing=4, tight=True)
                   for text, colour in entries], wrap=True, spacing=12, run_spacing=4)
