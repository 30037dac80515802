"""The client file's bar under the top bar: one row of section and action buttons that scrolls sideways,
and the header collapsed to its badges once the header card has scrolled out of sight (issue 14: header
and seven chips filled the first screen)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import flet as ft

from field_app.ui.views import client_parts as p
from field_app.ui.views.forms import records as forms

if TYPE_CHECKING:
    from field_app.ui.views.client import ClientView

SECTIONS = ("timeline", "conditions", "risks", "network", "transitions", "reports", "case")


class ClientBar:
    """The pinned part of the client file. The row of buttons is built once per screen and changed in
    place, so it keeps its sideways scroll position when another section is chosen."""

    def __init__(self, view: ClientView):
        self.view = view
        self.buttons: dict[str, ft.Semantics] = {}
        self.row = ft.Row(spacing=8, scroll=ft.ScrollMode.HIDDEN)
        self.collapsed = ft.Container(visible=False, padding=ft.Padding.only(left=16, right=16, top=4))
        self.badges: list[ft.Control] = []  # the header's badges, shown in ``collapsed`` once it scrolled away
        self.header_height = 0.0  # an estimate (logical px) of the header card, for when to collapse

    def build(self) -> ft.Control:
        t = self.view.app.i18n.t
        self.row.controls = [*(self._section(key) for key in SECTIONS), *self._actions()]
        row = ft.Semantics(content=self.row, container=True, label=t("cf.sections"), identifier="client-sections")
        return ft.Column([self.collapsed, ft.Container(row, padding=ft.Padding.only(left=16, right=16, top=4,
                                                                                   bottom=4))], spacing=0)

    # -- the buttons --------------------------------------------------------------------------------------------
    def _section(self, key: str) -> ft.Control:
        node = ft.Semantics(identifier=f"section-{key}", container=True, key=f"section-{key}")
        self.buttons[key] = node
        self._paint(key)
        return node

    def _paint(self, key: str) -> None:
        """A chosen section is a tonal button with a check, the others outlined (never colour alone)."""
        view, node = self.view, self.buttons[key]
        label = view.app.i18n.t(f"cf.section.{key}")
        on_click = view.app.handler(lambda e, k=key: view.show_section(k))
        chosen = key == view.section
        node.selected = chosen
        node.content = (ft.FilledTonalButton(content=ft.Text(label), icon=ft.Icons.CHECK, on_click=on_click)
                        if chosen else ft.OutlinedButton(content=ft.Text(label), on_click=on_click))

    def select(self, key: str) -> None:
        for k in self.buttons:
            self._paint(k)

    def _actions(self) -> list[ft.Control]:
        """Signaal maken and Meldcode-afweging: what a worker starts from the file besides a contact."""
        view = self.view
        app, t, cid = view.app, view.app.i18n.t, view.client_id
        if not app.may_record:  # a reading role starts nothing
            return []
        out = [p.button(t("cf.timeline.flag_client"), ft.Icons.FLAG_OUTLINED,
                        app.handler(lambda e: forms.flag_form(app, cid)), identifier="flag-client")]
        if hasattr(app, "open_meldcode"):
            out.append(p.button(t("cf.timeline.meldcode"), ft.Icons.RULE,
                                app.handler(lambda e: app.open_meldcode(cid)), identifier="open-meldcode"))
        return [ft.Container(width=1, height=32, bgcolor=ft.Colors.OUTLINE_VARIANT), *out]

    # -- the header, collapsed ----------------------------------------------------------------------------------
    def set_header(self, badges: list[ft.Control], lines: int, *, safety: ft.Control | None = None) -> None:
        """What the collapsed header shows (the safety warning and the header card's badges) and how tall
        the card is about (``lines`` of text). At 100 % it is one row that scrolls sideways; at large text
        the safety warning takes a line of its own, where its words may wrap."""
        scale = self.view.app.scale
        self.header_height = 32 + lines * 30 * scale
        shown = [safety] if safety is not None else []
        if scale > 1:
            rows: list[ft.Control] = [*shown, ft.Row(badges, spacing=6, scroll=ft.ScrollMode.HIDDEN)] if badges \
                else shown
        else:
            rows = [ft.Row([*shown, *badges], spacing=6, scroll=ft.ScrollMode.HIDDEN)] if shown or badges else []
        self.badges = [*shown, *badges]
        self.collapsed.content = ft.Column(rows, spacing=4, tight=True) if rows else None
        if not rows:
            self.collapsed.visible = False

    def on_scroll(self, e: ft.OnScrollEvent) -> None:
        """Show the header's badges above the row once the header card has gone up out of sight."""
        gone = (e.pixels or 0) > self.header_height and bool(self.badges)
        if gone != self.collapsed.visible:
            self.collapsed.visible = gone
            self.collapsed.update()
