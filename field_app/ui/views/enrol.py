"""Aanmelden: a device that is not enrolled yet joins its team from the app itself.

The worker pastes the coordinator's invitation (or, for a team's first device, types the server address
and code), fills in their name and chooses how the device is unlocked: on a phone a PIN plus a secret in
the phone's secure storage, elsewhere a passphrase (``field_app.ui.keystore``). Afterwards the screen
"Toestel en beveiliging" shows this device's fingerprint and "Wacht op bevestiging" until a coordinator
has compared the digits and confirmed it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import flet as ft

from field_app.app_api import MIN_PASSPHRASE, MIN_PIN, EnrolError, VaultError, WeakPassphrase, secret_problem
from field_app.ui import components as c
from field_app.ui import theme
from field_app.ui.keystore import KeystoreError, is_phone

if TYPE_CHECKING:
    from field_app.ui.app import VeldwerkApp


class EnrolView:
    title_key = "enrol.title"
    back = False
    nav = False
    chip = False

    def __init__(self, app: VeldwerkApp):
        self.app = app
        self.phone = is_phone(app.page)
        self._submitting = False
        t, size = app.i18n.t, 16 * app.scale
        submit = app.handler(self.submit, needs_unlock=False)

        def box(label: str, identifier: str, **kw) -> ft.TextField:
            return c.text_field(label=label, text_size=size, expand=True, autocorrect=False,
                                enable_suggestions=False, key=identifier, **kw)

        def secret_box(key: str, identifier: str, **kw) -> ft.TextField:
            return c.secret_field(app.i18n, label=t(key), what=t(f"{key}_what"), scale=app.scale,
                                  wrap=lambda f: app.handler(f, needs_unlock=False), text_size=size, expand=True,
                                  autocorrect=False, enable_suggestions=False, key=identifier, **kw)

        self.invite = box(t("enrol.invite"), "enrol-invite", multiline=True, min_lines=2, max_lines=4,
                          helper=t("enrol.invite_help"))
        self.server = box(t("enrol.server"), "enrol-server", keyboard_type=ft.KeyboardType.URL)
        self.code = box(t("enrol.code"), "enrol-code", capitalization=ft.TextCapitalization.CHARACTERS)
        self.manual = ft.Column([c.field(self.server), c.field(self.code)], spacing=12, visible=False)
        self.name = box(t("enrol.name"), "enrol-name")
        secret_kw = dict(on_submit=submit)
        if self.phone:
            secret_kw["keyboard_type"] = ft.KeyboardType.NUMBER
        self.secret = secret_box("enrol.pin" if self.phone else "enrol.passphrase", "enrol-secret", **secret_kw)
        self.again = secret_box("enrol.pin_again" if self.phone else "enrol.passphrase_again", "enrol-again",
                                **secret_kw)
        self.error = ft.Container(visible=False)
        self.busy = ft.Row([ft.ProgressRing(width=20, height=20, stroke_width=3),
                            c.text(t("enrol.busy"), ft.TextThemeStyle.BODY_MEDIUM)], visible=False)
        self.button = ft.FilledButton(content=t("enrol.button"), icon=ft.Icons.HOW_TO_REG, on_click=submit,
                                      expand=True, key="enrol-button",
                                      style=ft.ButtonStyle(padding=ft.Padding.symmetric(horizontal=20,
                                                                                        vertical=16)))

    def build(self) -> ft.Control:
        app, t = self.app, self.app.i18n.t
        mode = (t("enrol.mode_pin", n=MIN_PIN) if self.phone else t("enrol.mode_passphrase", n=MIN_PASSPHRASE))
        parts: list[ft.Control] = [
            ft.Row([ft.Icon(ft.Icons.SHIELD_OUTLINED, size=40 * app.scale, color=theme.SEED)]),
            c.para(t("enrol.title"), ft.TextThemeStyle.HEADLINE_SMALL, weight=ft.FontWeight.W_600),
            c.para(t("enrol.intro"), ft.TextThemeStyle.BODY_LARGE),
            c.field(self.invite),
            ft.TextButton(content=t("enrol.without_invite"), icon=ft.Icons.EXPAND_MORE,
                          on_click=app.handler(self.toggle_manual, needs_unlock=False), key="enrol-manual"),
            self.manual,
            c.field(self.name),
            c.info_line(mode, app.scale, icon=ft.Icons.PHONELINK_LOCK if self.phone else ft.Icons.KEY,
                        tone=theme.NEUTRAL, identifier="enrol-mode"),
            c.field(self.secret),
            c.field(self.again),
            self.error,
            self.busy,
            ft.Row([self.button]),
            c.para(t("enrol.forget"), ft.TextThemeStyle.BODY_SMALL, color=ft.Colors.ON_SURFACE_VARIANT),
        ]
        return ft.ListView([ft.Column(parts, spacing=16)], padding=ft.Padding.all(20), expand=True)

    def refresh(self) -> None:
        """Nothing here depends on the device's data; typed input stays as it is."""

    def toggle_manual(self, e=None) -> None:
        self.manual.visible = not self.manual.visible

    def show_error(self, message: str | None) -> None:
        self.error.content = c.error_line(message, self.app.scale, identifier="enrol-error") if message else None
        self.error.visible = bool(message)

    def _check(self) -> dict | None:
        """Field checks before anything is sent; None (and errors on the fields) when something is off."""
        t = self.app.i18n.t
        for f in (self.invite, self.server, self.code, self.name, self.secret, self.again):
            f.error = None
        invite = (self.invite.value or "").strip()
        server, code = (self.server.value or "").strip(), (self.code.value or "").strip()
        name, secret, again = (self.name.value or "").strip(), self.secret.value or "", self.again.value or ""
        ok = True
        if not invite and not (server and code):
            self.invite.error, ok = t("enrol.err_invite"), False
            if server or code:
                self.manual.visible = True
        if not name:
            self.name.error, ok = t("enrol.err_name"), False
        problem = secret_problem(secret, pin=self.phone)
        if problem:
            n = MIN_PIN if problem == "pin_short" else MIN_PASSPHRASE
            self.secret.error, ok = t(f"enrol.err_{problem}", n=n), False
        if ok and again != secret:
            self.again.error, ok = t("enrol.err_mismatch"), False
        if not ok:
            return None
        fields = {"passphrase": secret, "user_name": name}
        if invite:
            fields["invite"] = invite
            if server:
                fields["server_url"] = server
        else:
            fields.update(server_url=server, code=code)
        return fields

    async def submit(self, e=None) -> None:
        app = self.app
        if self._submitting:  # Enter in a field while the first registration still runs: nothing twice
            return
        self.show_error(None)
        fields = self._check()
        if fields is None:
            return
        self._submitting = True
        self.button.disabled = True
        self.busy.visible = True
        app.page.update()
        try:
            await app.enrol(**fields)
        except (EnrolError, KeystoreError, WeakPassphrase) as exc:
            self.show_error(str(exc) if app.i18n.lang == "nl" else f"{app.i18n.t('enrol.title')}: {exc}")
            return
        except VaultError:  # a keystore secret of the wrong size: the storage is not usable
            self.show_error(str(KeystoreError()))
            return
        finally:
            self._submitting = False
            self.button.disabled = False
            self.busy.visible = False
        for f in (self.secret, self.again):
            f.value = ""
        app.enrolled()
