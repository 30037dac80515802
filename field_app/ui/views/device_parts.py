"""The parts of the security screen: fingerprints and QR codes, who this device is, and the dialogs for a device's role, its revocation with a reason and a wipe order."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import flet as ft

from field_app.app_api import (
    NETWORK_ERRORS,
    REVOKE_REASONS,
    NotAllowed,
    SyncState,
)
from field_app.domain.errors import ValidationError
from field_app.domain.vocab import Rol
from field_app.ui import components as c

if TYPE_CHECKING:
    from field_app.ui.app import VeldwerkApp
    from field_app.ui.views.devices import SecurityView



# -- small building blocks ----------------------------------------------------------------------------------


def fingerprint_block(app: VeldwerkApp, groups: list[str], identifier: str) -> ft.Control:
    """Twelve groups of five digits, four per line (two at large text), read aloud as one sentence."""
    per_line = 4 if app.scale < 1.5 else 2  # whole groups on a line at large text sizes
    lines = [" ".join(groups[i:i + per_line]) for i in range(0, len(groups), per_line)]
    texts = [ft.Text(line, theme_style=ft.TextThemeStyle.TITLE_MEDIUM, weight=ft.FontWeight.W_600,
                     selectable=True) for line in lines]
    return ft.Semantics(content=ft.Column(texts, spacing=2), identifier=identifier, container=True,
                        label=app.i18n.t("sec.fingerprint.semantic", digits=" ".join(groups)),
                        exclude_semantics=True)


def qr_image(png: bytes, label: str, identifier: str, size: int = 220) -> ft.Control:
    image = ft.Image(src=png, width=size, height=size, fit=ft.BoxFit.CONTAIN, semantics_label=label,
                     filter_quality=ft.FilterQuality.NONE)
    box = ft.Container(image, bgcolor=ft.Colors.WHITE, padding=8, border_radius=ft.BorderRadius.all(8))
    return ft.Semantics(content=ft.Row([box], alignment=ft.MainAxisAlignment.CENTER), identifier=identifier,
                        label=label, image=True, container=True, exclude_semantics=True)  # said once


def my_device(app: VeldwerkApp) -> dict[str, Any] | None:
    return next((d for d in app.services.devices() if d.get("me")), None)


def is_coordinator(app: VeldwerkApp) -> bool:
    """A confirmed device with the beheer right (the ledger says so)."""
    me = my_device(app)
    return bool(me and me.get("beheer") and me.get("status") == "actief")


def waiting_for_confirmation(app: VeldwerkApp) -> bool:
    """Enrolled but not yet confirmed: the sync state says so, or the team's devices (known from the
    ledger) do not include this one yet (also while offline)."""
    if app.services.sync_status().state == SyncState.AWAITING_CONFIRMATION:
        return True
    devices = app.services.devices()
    return bool(devices) and not any(d.get("me") for d in devices)


def role_options(app: VeldwerkApp) -> list[tuple[str, str]]:
    return [(m.value, app.i18n.label(m)) for m in Rol]


def _message(app: VeldwerkApp, exc: Exception) -> str:
    """The services' Dutch sentence in Dutch; a general sentence in English."""
    if isinstance(exc, ValidationError):
        return app.validation_message(exc.errors, next(iter(exc.errors)))
    return str(exc) if app.i18n.lang == "nl" else app.i18n.t("sec.not_allowed_en")


# -- dialogs ---------------------------------------------------------------------------------------------------
class _Dialog:
    def __init__(self, view: SecurityView, device: dict):
        self.view, self.app, self.device = view, view.app, device
        self.error = ft.Column(spacing=4)

    def open(self) -> None:
        self.app.page.show_dialog(self.dialog)

    def close(self, e=None) -> None:
        self.app.page.pop_dialog()

    def _make(self, title: str, body: list[ft.Control], ok_label: str, ok_icon, danger: bool) -> None:
        t = self.app.i18n.t
        style = ft.ButtonStyle(bgcolor=ft.Colors.ERROR, color=ft.Colors.ON_ERROR) if danger else None
        self.dialog = c.dialog(
            title, modal=True, scrollable=True,
            content=ft.Column([*body, self.error], tight=True, spacing=12, width=340),
            actions=[ft.TextButton(content=t("common.cancel"), on_click=self.app.handler(self.close)),
                     ft.FilledButton(content=ok_label, icon=ok_icon, style=style,
                                     on_click=self.app.handler(self.ok))],
        )

    def _run(self, fn, done_key: str) -> None:
        app, t = self.app, self.app.i18n.t
        try:
            fn()
        except NETWORK_ERRORS:
            self.error.controls = [c.error_line(t("sec.offline"), app.scale)]
            return
        except (NotAllowed, ValidationError) as exc:
            self.error.controls = [c.error_line(_message(app, exc), app.scale)]
            return
        app.page.pop_dialog()
        app.toast(t(done_key))
        self.view.refresh()

    def ok(self, e=None) -> None:  # pragma: no cover - overridden
        raise NotImplementedError


class RoleDialog(_Dialog):
    def __init__(self, view: SecurityView, device: dict):
        super().__init__(view, device)
        app, t = self.app, self.app.i18n.t
        self.choice = c.Choice(t("sec.role.role"), role_options(app), device["role"], "sec-role-choice",
                               lambda e=None: None, app.scale, wrap=app.handler)
        self.beheer = ft.Checkbox(label=t("sec.role.beheer"), value=bool(device.get("beheer")))
        self._make(t("sec.role.title"), [c.para(t("sec.role.explain"), ft.TextThemeStyle.BODY_MEDIUM),
                                         self.choice.control,
                                         ft.Semantics(content=self.beheer, identifier="sec-role-beheer")],
                   t("sec.role.save"), ft.Icons.CHECK, False)

    def ok(self, e=None) -> None:
        self._run(lambda: self.app.services.set_role(self.device["id"], self.choice.value, bool(self.beheer.value)),
                  "sec.role.done")


class RevokeDialog(_Dialog):
    def __init__(self, view: SecurityView, device: dict):
        super().__init__(view, device)
        app, t = self.app, self.app.i18n.t
        self.reason = ft.RadioGroup(value=None, content=ft.Column(
            [ft.Radio(value=r, label=t(f"sec.reason.{r}")) for r in REVOKE_REASONS], spacing=0))
        self._make(t("sec.revoke.title", role=app.i18n.code_label(Rol, device["role"])),
                   [c.para(t("sec.revoke.what"), ft.TextThemeStyle.BODY_MEDIUM),
                    c.text(t("sec.revoke.reason"), ft.TextThemeStyle.LABEL_LARGE),
                    ft.Semantics(content=self.reason, identifier="sec-revoke-reason", label=t("sec.revoke.reason"),
                                 container=True)],
                   t("sec.revoke.ok"), ft.Icons.BLOCK, True)

    def ok(self, e=None) -> None:
        if not self.reason.value:
            self.error.controls = [c.error_line(self.app.i18n.t("sec.revoke.no_reason"), self.app.scale)]
            return
        self._run(lambda: self.app.services.revoke_device(self.device["id"], self.reason.value), "sec.revoke.done")


class WipeDialog(_Dialog):
    def __init__(self, view: SecurityView, device: dict):
        super().__init__(view, device)
        t = self.app.i18n.t
        self._make(t("sec.wipe.title"), [c.para(t("sec.wipe.what"), ft.TextThemeStyle.BODY_MEDIUM)],
                   t("sec.wipe.ok"), ft.Icons.DELETE_FOREVER, True)

    def ok(self, e=None) -> None:
        self._run(lambda: self.app.services.wipe_device(self.device["id"]), "sec.wipe.done")


def plain_section(app: Any) -> list[ft.Control]:
    """First, in plain words: whose device this is, that everything is encrypted, who else is in the team.
    The technical details (fingerprints, Scrypt) follow below."""
    t, svc = app.i18n.t, app.services
    me = svc.user_name
    try:
        devices = svc.devices()
    except Exception:  # not unlocked or no team yet: the rest still says what it can
        devices = []
    others = sorted({d.get("user") for d in devices
                     if d.get("user") and d.get("user") != me and d.get("status") == "actief"}, key=str.casefold)
    team = t("sec.plain.team", names=", ".join(others)) if others else t("sec.plain.team_alone")
    return [c.section_title(t("sec.plain.title")),
            c.para(t("sec.plain.owner", name=me), ft.TextThemeStyle.BODY_LARGE),
            c.para(t("sec.plain.encrypted"), ft.TextThemeStyle.BODY_LARGE),
            ft.Semantics(content=c.text(team, ft.TextThemeStyle.BODY_LARGE), container=True,
                         identifier="sec-plain-team")]


def technical_details(app: Any, info: dict) -> ft.Control:
    """Scrypt and lockout numbers, folded away behind 'Technische details'."""
    t = app.i18n.t
    details: list[ft.Control] = []
    scrypt = info.get("scrypt")
    if scrypt:
        details.append(c.para(t("sec.mode.scrypt", n=scrypt["n"], r=scrypt["r"], p=scrypt["p"],
                                mib=scrypt["memory_mib"]), ft.TextThemeStyle.BODY_MEDIUM))
    details.append(c.para(t("sec.mode.lockout", first=info.get("waits_from_attempt", 5),
                            max=info.get("max_attempts", 10), days=info.get("lease_days", 14)),
                          ft.TextThemeStyle.BODY_MEDIUM))
    return ft.Semantics(identifier="sec-details", content=ft.ExpansionTile(
        title=c.text(t("sec.details"), ft.TextThemeStyle.TITLE_SMALL, weight=ft.FontWeight.W_600),
        controls=[ft.Column(details, spacing=8)], expanded=False,
        controls_padding=ft.Padding.symmetric(horizontal=8, vertical=4)))
