"""The two dialogs that name a colleague: *Toewijzen aan…* (a client gets another case manager) and
*Overdragen (vakantie)* (a colleague covers every active client of a worker until a date). One base
builds both: a name field with quick picks of the colleagues this device knows, cancel and save."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING

import flet as ft

from field_app.app_api import NotAllowed, ValidationError
from field_app.ui import components as c
from field_app.ui import fmt

if TYPE_CHECKING:
    from field_app.ui.app import VeldwerkApp

__all__ = ["AssignDialog", "HandoverDialog", "known_workers"]


def known_workers(app: VeldwerkApp) -> list[str]:
    """Names of colleagues this device knows (me first): for quick picks in assignment and handover."""
    me = app.services.user_name
    names = {n for i in app.services.caseload_items() for n in (i.assigned_to, i.cover_by) if n}
    return [me, *sorted(names - {me}, key=str.casefold)]


class _WorkerDialog:
    """A modal dialog around ``self.worker`` (the colleague's name) with up to six quick picks."""

    def __init__(self, app: VeldwerkApp, *, title: str, save: str, intro: ft.Control, worker: ft.TextField,
                 exclude: str, before: list[ft.Control] = (), after: list[ft.Control] = ()):
        self.app, self.worker = app, worker
        picks = [ft.OutlinedButton(content=name, on_click=app.handler(lambda e=None, n=name: self.pick(n)))
                 for name in known_workers(app) if name != exclude][:6]
        self.dialog = c.dialog(
            title, modal=True, scrollable=True,
            content=ft.Column([intro, *before, c.field(worker), ft.Row(picks, wrap=True, spacing=8, run_spacing=8),
                               *after], tight=True, spacing=12, width=340),
            actions=[
                ft.TextButton(content=app.i18n.t("common.cancel"), on_click=app.handler(self.cancel)),
                ft.FilledButton(content=save, icon=ft.Icons.CHECK, on_click=app.handler(self.save)),
            ],
        )

    def open(self) -> None:
        self.app.page.show_dialog(self.dialog)

    def cancel(self, e=None) -> None:
        self.app.page.pop_dialog()

    def pick(self, name: str) -> None:
        self.worker.value = name
        self.worker.error = None

    def save(self, e=None) -> None:
        raise NotImplementedError


class AssignDialog(_WorkerDialog):
    """"Toewijzen aan…": a client gets another case manager (services.assign). Also usable from the
    client header: ``AssignDialog(app, client_id, name, current).open()``."""

    def __init__(self, app: VeldwerkApp, client_id: str, client_name: str, current: str = "",
                 on_done: Callable[[], None] | None = None):
        t = app.i18n.t
        self.client_id, self.client_name, self.on_done = client_id, client_name, on_done
        worker = c.text_field(label=t("lists.assign.worker"), value=current, text_size=16 * app.scale,
                              expand=True, on_submit=app.handler(self.save))
        super().__init__(app, title=t("lists.assign.title"), save=t("lists.assign.save"), worker=worker,
                         exclude=current,
                         intro=c.para(t("lists.assign.intro", name=client_name), ft.TextThemeStyle.BODY_LARGE))

    def save(self, e=None) -> None:
        app = self.app
        name = (self.worker.value or "").strip()
        if not name:
            self.worker.error = app.i18n.t("lists.assign.empty")
            return
        try:
            app.services.assign(self.client_id, name)
        except ValidationError as exc:
            key = "assigned_to" if "assigned_to" in exc.errors else next(iter(exc.errors))
            self.worker.error = app.validation_message(exc.errors, key)
            return
        except NotAllowed as exc:
            self.worker.error = str(exc)
            return
        app.page.pop_dialog()
        app.toast(app.i18n.t("lists.assign.done", client=self.client_name, worker=name))
        if self.on_done:
            self.on_done()
        else:
            app.screen.refresh()


class HandoverDialog(_WorkerDialog):
    """"Overdragen (vakantie)": every active client of one worker is covered by a colleague until a date
    (services.hand_over). The cover shows on the caseload row ("Waarneming: <naam> tot <datum>")."""

    def __init__(self, app: VeldwerkApp):
        t = app.i18n.t
        size = 16 * app.scale
        me = app.services.user_name
        self.source = c.text_field(label=t("lists.handover.from"), value=me, text_size=size, expand=True)
        self.until = c.text_field(label=t("lists.handover.until"), text_size=size, expand=True,
                                  keyboard_type=ft.KeyboardType.DATETIME, on_submit=app.handler(self.save))
        worker = c.text_field(label=t("lists.handover.to"), text_size=size, expand=True)
        super().__init__(app, title=t("lists.handover.title"), save=t("lists.handover.save"), worker=worker,
                         exclude=me, intro=c.para(t("lists.handover.intro"), ft.TextThemeStyle.BODY_MEDIUM),
                         before=[c.field(self.source)], after=[c.field(self.until)])

    @property
    def target(self) -> ft.TextField:
        return self.worker

    def _check(self) -> tuple[str, str, date] | None:
        t = self.app.i18n.t
        for f in (self.source, self.worker, self.until):
            f.error = None
        source, target = (self.source.value or "").strip(), (self.worker.value or "").strip()
        ok = True
        if not source:
            self.source.error, ok = t("lists.handover.empty_from"), False
        if not target:
            self.worker.error, ok = t("lists.handover.empty_to"), False
        elif target == source:
            self.worker.error, ok = t("lists.handover.same"), False
        until = None
        try:
            until = fmt.parse_date(self.until.value or "")
        except ValueError:
            self.until.error, ok = t("lists.intake.bad_date"), False
        else:
            if until < fmt.local(fmt.now_ms()).date():
                self.until.error, ok = t("lists.handover.past"), False
        return (source, target, until) if ok else None

    def save(self, e=None) -> None:
        app, t = self.app, self.app.i18n.t
        checked = self._check()
        if checked is None:
            return
        source, target, until = checked
        try:
            moved = app.services.hand_over(source, target, until.isoformat())
        except ValidationError as exc:
            fields = {"cover_by": self.worker, "cover_until": self.until}
            key = next((k for k in exc.errors if k in fields), next(iter(exc.errors)))
            fields.get(key, self.worker).error = app.validation_message(exc.errors, key)
            return
        except NotAllowed as exc:
            self.worker.error = str(exc)
            return
        if not moved:
            self.source.error = t("lists.handover.none", name=source)
            return
        app.page.pop_dialog()
        app.toast(app.i18n.n("lists.handover.done", len(moved), to=target, date=until.strftime("%d-%m-%Y")))
