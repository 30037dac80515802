"""Samenwerking (#15): the case questions of a ZVH team on the client screen, in three parts —
Organisaties (involved and proposed), Taken per fase (templates to adopt) and Niet meewerken (the path)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import flet as ft

if TYPE_CHECKING:
    from field_app.ui.views.client import ClientData, ClientView

PARTS = ("orgs", "tasks", "path")


def render(view: ClientView, data: ClientData) -> list[ft.Control]:
    from field_app.ui.views import client_orgs, client_path, client_tasks
    part = getattr(view, "case_part", "orgs")
    module = {"orgs": client_orgs, "tasks": client_tasks, "path": client_path}[part]
    return [_parts(view, part), *module.render(view, data)]


def show_part(view: ClientView, part: str) -> None:
    view.case_part = part
    view.show_section("case")


def _parts(view: ClientView, current: str) -> ft.Control:
    app, t = view.app, view.app.i18n.t
    buttons = []
    for key in PARTS:
        label = t(f"case.part.{key}")
        on_click = app.handler(lambda e, k=key: show_part(view, k))
        b = (ft.FilledTonalButton(content=ft.Text(label), icon=ft.Icons.CHECK, on_click=on_click) if key == current
             else ft.OutlinedButton(content=ft.Text(label), on_click=on_click))
        buttons.append(ft.Semantics(content=b, identifier=f"case-part-{key}", selected=key == current, container=True))
    return ft.Semantics(content=ft.Row(buttons, wrap=True, spacing=6, run_spacing=6), container=True,
                        label=t("case.parts"))
