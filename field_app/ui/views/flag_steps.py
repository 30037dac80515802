""""En nu?" on an automatic flag (#15): its action list (``domain.flag_steps``), each step tickable with who
and when (a ``flag_step`` note, synced), "n van m gedaan", and "Afhandelen met reden". When the last
required step is ticked the flag is resolved (AFGEHANDELD with the steps as its note)."""

from __future__ import annotations

from typing import Any

import flet as ft

from field_app.app_api import FLAG_ROLES
from field_app.domain import flag_steps
from field_app.domain.vocab import FlagStatus
from field_app.ui import components as c
from field_app.ui import fmt, theme
from field_app.ui.views.forms.base import confirm_dialog

OPEN = (FlagStatus.OPEN.value, FlagStatus.IN_BEHANDELING.value)


def _progress(app, flag) -> list[tuple[flag_steps.Step, flag_steps.Tick | None]]:
    ctx = app.services.client_context(flag.client_id)
    return flag_steps.progress(ctx, flag.id, flag.fields.get("raised_by_rule"))


def summary(app, flag) -> str:
    """``En nu? 3 van 5 stappen gedaan`` (empty for a flag without an action list)."""
    rows = _progress(app, flag)
    if not rows:
        return ""
    return app.i18n.t("case.steps.summary", done=sum(1 for _, tick in rows if tick), total=len(rows))


def _redraw(app) -> None:
    screen = app.screen
    if hasattr(screen, "show_section"):
        screen.show_section(screen.section)
    elif hasattr(screen, "refresh"):
        screen._shown = None
        screen.refresh()


def rows(app, flag) -> list[ft.Control]:
    """The "En nu?" block inside a flag card."""
    steps = _progress(app, flag)
    if not steps:
        return []
    t = app.i18n.t
    out: list[ft.Control] = [
        c.para(t("case.steps.title"), ft.TextThemeStyle.TITLE_SMALL, weight=ft.FontWeight.W_600),
        c.para(summary(app, flag), ft.TextThemeStyle.BODY_MEDIUM, color=ft.Colors.ON_SURFACE_VARIANT)]
    out += [_step(app, flag, step, tick) for step, tick in steps]
    if flag.fields.get("status", "OPEN") in OPEN and may_resolve(app, flag):
        out.append(_resolve_button(app, flag))
    return out


def _toggle(app, flag, step: flag_steps.Step, tick: Any) -> None:
    svc = app.services
    svc.create_record("flag_step", flag.client_id, {"flag_id": flag.id, "step": step.code, "done": tick is None,
                                                    "by": svc.user_name})
    if flag.fields.get("status", "OPEN") in OPEN:
        done = flag_steps.resolution(svc.client_context(flag.client_id), flag.id, flag.fields.get("raised_by_rule"))
        if done and may_resolve(app, flag):
            svc.resolve_flag(flag.id, done["resolution_note"])
            app.toast(app.i18n.t("case.steps.resolved"))
        elif done:
            app.toast(app.i18n.t("case.steps.all_done", who=flag.fields.get("assignee") or "?"))
    _redraw(app)


def may_resolve(app, flag) -> bool:
    """The assignee (or anyone when nobody is assigned) and the coordinating roles resolve a flag; a reading
    role none."""
    return app.may_record and ((flag.fields.get("assignee") or "") in ("", app.services.user_name)
                               or app.services.role in FLAG_ROLES)


def _step(app, flag, step: flag_steps.Step, tick: flag_steps.Tick | None) -> ft.Control:
    i18n, t = app.i18n, app.i18n.t
    label = step.label(i18n.lang) + ("" if step.required else " " + t("case.steps.optional"))
    lines: list[ft.Control] = [c.text(label, ft.TextThemeStyle.BODY_LARGE)]
    if tick:
        lines.append(c.text(t("case.steps.done_by", who=tick.by or "?", when=fmt.moment(i18n, tick.at)),
                            ft.TextThemeStyle.BODY_SMALL, color=theme.SUCCESS.fg))
    tone = theme.SUCCESS if tick else theme.NEUTRAL
    icon = ft.Icons.CHECK_BOX if tick else ft.Icons.CHECK_BOX_OUTLINE_BLANK
    row = ft.Container(
        ft.Row([ft.Icon(icon, color=tone.fg, size=24 * app.scale), ft.Column(lines, spacing=2, expand=True)],
               spacing=10, vertical_alignment=ft.CrossAxisAlignment.START),
        on_click=app.handler(lambda e=None: _toggle(app, flag, step, tick)) if app.may_record else None,
        padding=ft.Padding.symmetric(horizontal=8, vertical=12), border_radius=ft.BorderRadius.all(8),
        bgcolor=tone.bg if tick else None, ink=app.may_record)
    state = t("case.steps.state_done") if tick else t("case.steps.state_open")
    # a reading role sees which steps are done; ticking one is for those who record
    return ft.Semantics(content=row, button=app.may_record, container=True, exclude_semantics=True,
                        identifier=f"step-{flag.id}-{step.code}", label=f"{label}: {state}")


def _resolve_button(app, flag) -> ft.Control:
    t = app.i18n.t

    def resolve(e=None) -> None:
        def confirmed(reason: str) -> None:
            app.services.resolve_flag(flag.id, reason)
            _redraw(app)
        confirm_dialog(app, t("case.steps.resolve_title"), t("case.steps.resolve_body"), t("case.steps.resolve"),
                       confirmed, reason_label=t("case.steps.resolve_reason"), identifier="flag-resolve-confirm")

    b = ft.OutlinedButton(content=t("case.steps.resolve"), icon=ft.Icons.DONE_ALL, on_click=app.handler(resolve))
    return ft.Semantics(content=b, identifier=f"flag-resolve-{flag.id}", container=True)
