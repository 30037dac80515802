"""Als hij niet meewerkt (#15): the non-cooperation path in one place (``domain.noncooperation``) — the
regime and what it allows, per condition the violations so far, the ladder step reached, the next proposed
step and who decides it, and the next planned case conference."""

from __future__ import annotations

from typing import TYPE_CHECKING

import flet as ft

from field_app.domain import noncooperation
from field_app.domain.vocab import KaderRegime, OvertredingReactie, VoorwaardeType
from field_app.ui import components as c
from field_app.ui import fmt, theme
from field_app.ui.views import client_parts as p
from field_app.ui.views.forms.base import iso_to_field

if TYPE_CHECKING:
    from field_app.ui.views.client import ClientData, ClientView


def render(view: ClientView, data: ClientData) -> list[ft.Control]:
    app, i18n, t = view.app, view.app.i18n, view.app.i18n.t
    path = noncooperation.path(data.ctx, data.now)
    regime = i18n.code_label(KaderRegime, path.regime) if path.regime else t("case.path.no_regime")
    head = [p.title(t("case.path.regime", regime=regime)), p.line(path.allows_text(i18n.lang))]
    when = (t("case.path.next_conference", date=iso_to_field(path.next_conference)) if path.next_conference
            else t("case.path.no_conference"))
    head.append(ft.Row([c.badge(when, ft.Icons.GROUPS_OUTLINED,
                                theme.NEUTRAL if path.next_conference else theme.WARNING, app.scale,
                                identifier="next-conference")], wrap=True))
    out: list[ft.Control] = [c.section_title(t("case.path.title")),
                             p.card(head, key="path-regime", identifier="path-regime")]
    if not path.conditions:
        out.append(p.empty(t("case.path.no_conditions")))
    out += [_condition(view, cp) for cp in path.conditions]
    return out


def _condition(view: ClientView, cp: noncooperation.ConditionPath) -> ft.Control:
    app, i18n, t = view.app, view.app.i18n, view.app.i18n.t
    name = i18n.code_label(VoorwaardeType, cp.condition_type)
    count = len(cp.violations)
    rows: list[ft.Control] = [p.title(name)]
    chips = [c.badge(i18n.n("case.path.violations", count), ft.Icons.REPORT_GMAILERRORRED,
                     theme.DANGER if count else theme.SUCCESS, app.scale)]
    if cp.victim:
        chips.append(c.badge(t("case.path.victim"), ft.Icons.SHIELD_OUTLINED, theme.DANGER, app.scale))
    rows.append(ft.Row(chips, wrap=True, spacing=6, run_spacing=6))
    for v in cp.violations[-3:]:
        rows.append(p.line(t("case.path.violation", when=fmt.moment(i18n, v.at),
                             response=i18n.code_label(OvertredingReactie, v.response) or "…"), muted=True))
    if cp.reached:
        rows.append(p.line(t("case.path.reached", step=i18n.code_label(OvertredingReactie, cp.reached))))
    nxt = i18n.code_label(OvertredingReactie, cp.next.step)
    rows.append(c.para(t("case.path.next", step=nxt), ft.TextThemeStyle.BODY_LARGE, weight=ft.FontWeight.W_600))
    rows.append(p.line(cp.next.reason(i18n.lang), muted=True))
    rows.append(p.line(t("case.path.decides", who=noncooperation.decider_label(cp.next, i18n.lang))))
    return p.card(rows, key=f"path-{cp.condition_id}", identifier=f"path-{cp.condition_id}")
