"""Small pieces shared by the sections of the client file: a card, a status badge, a flag line, buttons."""

from __future__ import annotations

from collections.abc import Callable

import flet as ft

from field_app.domain import links
from field_app.domain.dashboard import OPEN_FLAG_STATES
from field_app.domain.vocab import FlagReden, FlagRegel, FlagStatus, Route, Urgentie
from field_app.ui import components as c
from field_app.ui import fmt, theme


def card(rows: list[ft.Control], key: str | None = None, *, tone: theme.Tone | None = None,
         identifier: str | None = None) -> ft.Control:
    # an aligned Container takes the full width of the list (a card never shrinks to its content)
    box = ft.Card(content=ft.Container(ft.Column(rows, spacing=6), padding=ft.Padding.all(14),
                                       alignment=ft.Alignment.TOP_LEFT,
                                       bgcolor=tone.bg if tone else None,
                                       border=ft.Border.all(2, tone.fg) if tone else None,
                                       border_radius=ft.BorderRadius.all(12) if tone else None),
                  margin=ft.Margin.symmetric(vertical=4), key=key)
    return ft.Semantics(content=box, container=True, identifier=identifier)


def title(value: str) -> ft.Control:
    return c.para(value, ft.TextThemeStyle.TITLE_MEDIUM, weight=ft.FontWeight.W_600)


def line(value: str, *, muted: bool = False) -> ft.Control:
    return c.para(value, ft.TextThemeStyle.BODY_MEDIUM, color=ft.Colors.ON_SURFACE_VARIANT if muted else None)


def button(label: str, icon: ft.IconData | None, on_click: Callable, *, identifier: str | None = None,
           filled: bool = False) -> ft.Control:
    """A ≥ 48 px action button inside a section (outlined unless ``filled``)."""
    cls = ft.FilledButton if filled else ft.OutlinedButton
    b = cls(content=label, icon=icon, on_click=on_click)
    return ft.Semantics(content=b, identifier=identifier, container=True) if identifier else b


def actions(controls: list[ft.Control]) -> ft.Control:
    return ft.Row(controls, wrap=True, spacing=8, run_spacing=8)


def status_tone(code: str | None) -> tuple[ft.IconData, theme.Tone]:
    """Icon and tone for a status word: bad = red, open/unknown = amber, done = green, else neutral."""
    if code in ("OVERTREDING", "MISLUKT", "VERVALLEN", "VERTRAAGD", "NIET_GEREGELD", "BEEINDIGD_HERROEPEN",
                "TENUITVOERGELEGD"):
        return ft.Icons.CANCEL_OUTLINED, theme.DANGER
    if code in ("SIGNAAL_TWIJFEL", "OPEN", "IN_AANVRAAG", "ONBEKEND", "GEPLAND", "ONDERWEG", "GESCHORST",
                "IN_BEHANDELING"):
        return ft.Icons.HOURGLASS_EMPTY, theme.WARNING
    if code in ("NAGELEEFD", "GEREGELD", "GEDAAN", "AANGEKOMEN", "ACTIEF", "LOPEND", "AFGEHANDELD"):
        return ft.Icons.CHECK_CIRCLE_OUTLINE, theme.SUCCESS
    return ft.Icons.REMOVE_CIRCLE_OUTLINE, theme.NEUTRAL


def status_badge(word: str, code: str | None, scale: float, *, identifier: str | None = None,
                 semantic: str | None = None, wide: bool = False) -> ft.Control:
    icon, tone = status_tone(code)
    if wide:
        return wide_badge(word, icon, tone, scale, identifier=identifier, semantic=semantic)
    return c.badge(word, icon, tone, scale, identifier=identifier, semantic=semantic)


def flag_card(app, flag) -> ft.Control:
    """An urgent flag (by hand or by a rule): reason, urgency, route, deadline, status, note."""
    i18n, t = app.i18n, app.i18n.t
    f = flag.fields
    marks = [c.badge(t("cf.flag.word"), ft.Icons.FLAG, theme.DANGER, app.scale),
             status_badge(i18n.code_label(FlagStatus, f.get("status")), f.get("status"), app.scale)]
    if (f.get("status") or FlagStatus.OPEN.value) in OPEN_FLAG_STATES and type(f.get("deadline")) is int \
            and fmt.now_ms() > f["deadline"]:  # past its deadline and still open: says so, as Signalen does
        marks.append(c.badge(t("flagq.overdue"), ft.Icons.RUNNING_WITH_ERRORS, theme.DANGER, app.scale))
    rows: list[ft.Control] = [
        ft.Row(marks, wrap=True, spacing=6, run_spacing=6),
        title(i18n.code_label(FlagReden, f.get("reason"))),
        line(f"{i18n.code_label(Urgentie, f.get('urgency'))} · {i18n.code_label(Route, f.get('route'))}"),
    ]
    if f.get("deadline"):
        rows.append(line(t("cf.flag.deadline", when=fmt.moment(i18n, f["deadline"]))))
    if f.get("raised_by_rule"):
        rows.append(line(t("cf.flag.by_rule", rule=i18n.code_label(FlagRegel, f["raised_by_rule"])), muted=True))
    else:
        rows.append(line(t("cf.flag.by_hand", author=flag.author), muted=True))
    note = f.get("note_" + i18n.lang) or f.get("note")
    if note:
        rows.append(line(note))
    if f.get("resolution_note"):
        rows.append(line(t("cf.flag.resolution", note=f["resolution_note"])))
    # e.g. "woont bij slachtoffer": the weighing, for a role that records
    if links.asks_for_meldcode(f) and hasattr(app, "open_meldcode") and app.may_record:
        rows.append(actions([button(t("cf.flag.meldcode"), ft.Icons.RULE,
                                    app.handler(lambda e=None: app.open_meldcode(flag.client_id, flag.id)),
                                    identifier=f"flag-meldcode-{flag.id}")]))
    from field_app.ui.views import flag_steps  # "En nu?" (#15)
    rows += flag_steps.rows(app, flag)
    return card(rows, key=f"flag-{flag.id}", identifier=f"flag-{flag.id}")


def empty(text: str) -> ft.Control:
    return c.para(text, ft.TextThemeStyle.BODY_LARGE)


def wide_badge(label: str, icon: ft.IconData, tone: theme.Tone, scale: float, *, identifier: str | None = None,
               semantic: str | None = None) -> ft.Control:
    """A badge as wide as its parent whose words wrap (at 200 % text a long warning is never cut off)."""
    box = ft.Container(
        content=ft.Row([ft.Icon(icon, color=tone.fg, size=16 * scale),
                        ft.Text(label, color=tone.fg, theme_style=ft.TextThemeStyle.LABEL_LARGE,
                                weight=ft.FontWeight.W_600, expand=True)],
                       spacing=6, vertical_alignment=ft.CrossAxisAlignment.START),
        bgcolor=tone.bg, padding=ft.Padding.symmetric(horizontal=8, vertical=4),
        border_radius=ft.BorderRadius.all(12),
    )
    return ft.Semantics(content=box, label=semantic or label, identifier=identifier, container=True,
                        exclude_semantics=True)
