"""Ontgrendelen: passphrase, how much waits to be sent, a clear sentence when it is wrong."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

import flet as ft

from field_app.app_api import NotAllowed
from field_app.ui import components as c
from field_app.ui import theme

if TYPE_CHECKING:
    from field_app.ui.app import VeldwerkApp

# why the app is locked -> i18n key of the sentence shown above the field
REASONS = {
    "idle": "unlock.reason.idle",
    "elsewhere": "unlock.reason.elsewhere",
    "manual": "unlock.reason.manual",
    "disconnected": "unlock.reason.disconnected",
    "locked": "unlock.reason.locked",
    "background": "unlock.reason.background",
    "hidden": "unlock.reason.hidden",
}


class UnlockView:
    title_key = "unlock.title"
    back = False
    nav = False
    chip = False

    def __init__(self, app: VeldwerkApp, reason: str | None = None, *, draft_kept: bool = False):
        self.app = app
        self.reason = reason
        self.draft_kept = draft_kept
        t = app.i18n.t
        self.pin = app.services.enrolled and app.phone_mode()  # PIN + the phone's keystore secret
        self.pending = c.text("", ft.TextThemeStyle.BODY_LARGE)
        self.passphrase = c.secret_field(
            app.i18n, label=t("unlock.pin" if self.pin else "unlock.passphrase"), scale=app.scale,
            wrap=lambda f: app.handler(f, needs_unlock=False),
            keyboard_type=ft.KeyboardType.NUMBER if self.pin else ft.KeyboardType.TEXT,
            on_submit=app.handler(self.submit, needs_unlock=False), autocorrect=False,
            enable_suggestions=False, text_size=16 * app.scale, expand=True,
        )
        self.error = ft.Container(visible=False)
        self.busy = ft.Row([ft.ProgressRing(width=20, height=20, stroke_width=3),
                            c.text(t("unlock.busy"), ft.TextThemeStyle.BODY_MEDIUM)], visible=False)
        self.button = ft.FilledButton(content=t("unlock.button"), icon=ft.Icons.LOCK_OPEN,
                                      on_click=app.handler(self.submit, needs_unlock=False), expand=True,
                                      style=ft.ButtonStyle(padding=ft.Padding.symmetric(horizontal=20,
                                                                                        vertical=16)))

    def build(self) -> ft.Control:
        app, t = self.app, self.app.i18n.t
        parts: list[ft.Control] = [
            ft.Row([ft.Icon(ft.Icons.SHIELD_OUTLINED, size=40 * app.scale, color=theme.SEED)]),
            c.para(t("app.name"), ft.TextThemeStyle.HEADLINE_MEDIUM, weight=ft.FontWeight.W_600),
        ]
        info = app.services.unlock_info()
        if not app.services.enrolled and not info.get("erased"):
            parts += [c.para(t("unlock.not_enrolled"), ft.TextThemeStyle.BODY_LARGE)]
            return self._frame(parts)
        if info.get("destroyed") or info.get("erased"):
            app.page.run_task(app.forget_platform_secret)
            # nothing to unlock any more; say what is safe and what to do
            key = "unlock.erased" if info.get("erased") else "unlock.destroyed"
            parts.append(c.error_line(t(key), app.scale, identifier="unlock-error"))
            if info.get("unsynced"):
                parts.append(c.para(app.i18n.n("unlock.destroyed_delivery", info["unsynced"])))
            if info.get("destroyed") and not info.get("erased"):
                parts.append(ft.Row([ft.OutlinedButton(
                    content=t("start_over.enrol_again"), icon=ft.Icons.RESTART_ALT, expand=True,
                    on_click=app.handler(self.start_over, needs_unlock=False))]))
            return self._frame(parts)
        if info.get("wait_until"):
            self.show_error(app.unlock_problem(wrong=False))
        if self.reason in REASONS:
            why = t(REASONS[self.reason])
            if self.draft_kept:
                why = f"{why} {t('unlock.draft_kept')}"
            parts.append(c.info_line(why, app.scale, icon=ft.Icons.LOCK_OUTLINE, tone=theme.NEUTRAL,
                                     identifier="lock-reason"))
        parts += [
            c.para(t("unlock.intro_pin" if self.pin else "unlock.intro"), ft.TextThemeStyle.BODY_LARGE),
            c.node(self.pending),
            c.field(self.passphrase),
            self.error,
            self.busy,
            ft.Row([self.button]),
            c.para(t("unlock.safe_pin" if self.pin else "unlock.safe"), ft.TextThemeStyle.BODY_SMALL,
                   color=ft.Colors.ON_SURFACE_VARIANT),
            ft.TextButton(content=t("start_over.forgot_pin" if self.pin else "start_over.forgot_passphrase"),
                          icon=ft.Icons.HELP_OUTLINE, on_click=app.handler(self.start_over, needs_unlock=False)),
        ]
        self.refresh()
        return self._frame(parts)

    def start_over(self, e=None) -> None:
        StartOverDialog(self.app, pin=self.pin).open()

    def _frame(self, parts: list[ft.Control]) -> ft.Control:
        return ft.ListView([ft.Column(parts, spacing=16)], padding=ft.Padding.all(20), expand=True)

    def refresh(self) -> None:
        n = self.app.services.unsynced_count()
        self.pending.value = (self.app.i18n.n("unlock.pending", n) if n
                              else self.app.i18n.t("unlock.nothing_pending"))

    def show_error(self, message: str | None) -> None:
        self.error.content = c.error_line(message, self.app.scale, identifier="unlock-error") if message else None
        self.error.visible = bool(message)

    async def submit(self, e=None) -> None:
        t = self.app.i18n.t
        secret = self.passphrase.value or ""
        if not secret:
            self.show_error(t("unlock.empty_pin" if self.pin else "unlock.empty"))
            return
        self.show_error(None)
        self.button.disabled = True
        self.busy.visible = True
        self.app.page.update()
        try:
            error = await self.app.unlock(secret)
        finally:
            self.passphrase.value = ""
            self.button.disabled = False
            self.busy.visible = False
        if error:
            self.show_error(error)


class StartOverDialog:
    """Forgotten PIN or passphrase (or keys destroyed): deliver what waits, then erase and enrol again.
    Destructive, so it says exactly what happens and asks first; it never erases work that could still
    arrive later, and gives up work that can never travel only after a second, explicit choice."""

    def __init__(self, app: VeldwerkApp, *, pin: bool):
        self.app = app
        t = app.i18n.t
        n = app.services.unsynced_count()
        self.body = ft.Column([c.para(t("start_over.explain_pin" if pin else "start_over.explain"),
                                      ft.TextThemeStyle.BODY_MEDIUM),
                               c.para(app.i18n.n("start_over.pending", n) if n else t("start_over.nothing_pending"),
                                      ft.TextThemeStyle.BODY_MEDIUM)],
                              tight=True, spacing=12)
        self.message = ft.Column([], tight=True)
        self.busy = ft.Row([ft.ProgressRing(width=20, height=20, stroke_width=3),
                            c.text(t("start_over.busy"), ft.TextThemeStyle.BODY_MEDIUM)], visible=False)
        self.accept = ft.Checkbox(label="", value=False, visible=False,
                                  on_change=app.handler(self._accept_changed, needs_unlock=False))
        self.go = ft.FilledButton(content=t("start_over.go"), icon=ft.Icons.DELETE_FOREVER,
                                  style=ft.ButtonStyle(bgcolor=ft.Colors.ERROR, color=ft.Colors.ON_ERROR),
                                  on_click=app.handler(self.confirm, needs_unlock=False))
        self.dialog = c.dialog(
            t("start_over.title"), modal=True,
            content=ft.Column([self.body, self.message, self.accept, self.busy], tight=True, spacing=12,
                              width=340, scroll=ft.ScrollMode.AUTO),
            actions=[ft.TextButton(content=t("common.cancel"), on_click=app.handler(self.cancel, needs_unlock=False)),
                     self.go],
        )

    def open(self) -> None:
        self.app.page.show_dialog(self.dialog)

    def cancel(self, e=None) -> None:
        self.app.page.pop_dialog()

    def _accept_changed(self, e=None) -> None:
        self.go.disabled = not self.accept.value

    def _say(self, text: str) -> None:
        self.message.controls = [c.error_line(text, self.app.scale, identifier="start-over-message")]

    async def confirm(self, e=None) -> None:
        app, t = self.app, self.app.i18n.t
        self.go.disabled = True
        self.busy.visible = True
        self.message.controls = []
        app.page.update()
        try:
            outcome = await asyncio.to_thread(app.services.start_over, accept_loss=bool(self.accept.value))
        except NotAllowed:
            self._say(t("start_over.unlocked_elsewhere"))
            return
        finally:
            self.busy.visible = False
            self.go.disabled = self.accept.visible and not self.accept.value
        if outcome["erased"]:
            app.page.pop_dialog()
            await app.forget_platform_secret()
            app.show_unlock(None)  # not enrolled any more: the Aanmelden screen
            app.toast(t("start_over.done"))
            return
        remaining = outcome["remaining"]
        if outcome["permanent"]:
            self._say(app.i18n.n("start_over.cannot_travel", remaining))
            self.accept.label = app.i18n.n("start_over.accept_loss", remaining)
            self.accept.visible = True
            self.go.content = t("start_over.go_anyway")
            self.go.disabled = not self.accept.value
        elif outcome.get("error") == "offline":
            self._say(app.i18n.n("start_over.offline", remaining))
        else:  # the server answered, but did not take it now (busy, a key renewal under way, ...)
            self._say(app.i18n.n("start_over.not_now", remaining, code=outcome.get("error") or "?"))
