"""Toestel en beveiliging: this device's fingerprint (digits + QR), how it protects its data (mode, Scrypt
cost), changing the passphrase, a security stop explained; and on a coordinator (beheer) device: inviting a
new device, confirming waiting devices by comparing fingerprint digits, and the team's devices (role,
revoke, wipe). Entry points for the access logs live in :func:`security_section` (shown on Meer)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import flet as ft

from field_app.app_api import (
    ACCESS_LOG_ROLES,
    AUDIT_ROLES,
    MIN_PASSPHRASE,
    NETWORK_ERRORS,
    REVOKE_REASONS,
    NotAllowed,
    PlatformSecretMissing,
    SyncState,
    WeakPassphrase,
    WrongPassphrase,
    secret_problem,
)
from field_app.domain.errors import ValidationError
from field_app.domain.vocab import Rol
from field_app.ui import components as c
from field_app.ui import fmt, theme
from field_app.ui.keystore import KeystoreError
from field_app.ui.views import device_parts
from field_app.ui.views.device_parts import (  # noqa: F401
    RevokeDialog,
    RoleDialog,
    WipeDialog,
    _Dialog,
    _message,
    fingerprint_block,
    is_coordinator,
    my_device,
    qr_image,
    role_options,
    waiting_for_confirmation,
)

if TYPE_CHECKING:
    from field_app.ui.app import VeldwerkApp



# -- small building blocks ----------------------------------------------------------------------------------
def security_section(app: VeldwerkApp, first: list[ft.Control] | None = None) -> list[ft.Control]:
    """The "Toestel en beveiliging" section on Meer: ``first`` (who is signed in, the lock), a waiting
    device's fingerprint to read out, and the buttons to the security screens (the access logs only for
    roles that may read them)."""
    t = app.i18n.t
    out: list[ft.Control] = [c.section_title(t("sec.more.title")), *(first or [])]
    if waiting_for_confirmation(app):
        out += [c.info_line(t("sec.waiting.title"), app.scale, icon=ft.Icons.HOURGLASS_TOP, tone=theme.WARNING,
                            identifier="sec-waiting"),
                c.para(t("sec.waiting.explain"), ft.TextThemeStyle.BODY_MEDIUM),
                fingerprint_block(app, app.services.fingerprint(), "sec-more-fingerprint")]

    def go(view_cls):
        return app.handler(lambda e=None: app.push(view_cls(app)))

    def button(label: str, icon, view_cls, identifier: str) -> ft.Control:
        return ft.Semantics(content=ft.Row([ft.OutlinedButton(content=label, icon=icon, on_click=go(view_cls),
                                                              expand=True)]), identifier=identifier)

    out.append(button(t("sec.more.open"), ft.Icons.SECURITY, SecurityView, "sec-open"))
    role = app.services.role
    if role in AUDIT_ROLES:
        from field_app.ui.views.access_log import AccessLogView
        out.append(button(t("sec.log.title"), ft.Icons.MANAGE_SEARCH, AccessLogView, "sec-access-log"))
    if role in ACCESS_LOG_ROLES:
        from field_app.ui.views.access_log import ServerLogView
        out.append(button(t("sec.server.title"), ft.Icons.DNS_OUTLINED, ServerLogView, "sec-server-log"))
    out.append(ft.Divider())
    return out


# -- the screen ------------------------------------------------------------------------------------------------
class SecurityView:
    title_key = "sec.title"
    back = True
    nav = False
    chip = True

    def __init__(self, app: VeldwerkApp):
        self.app = app
        self.alert_box = ft.Column(spacing=8)
        self.invite_box = ft.Column(spacing=8)
        self.pending_box = ft.Column(spacing=8, horizontal_alignment=ft.CrossAxisAlignment.STRETCH)
        self.devices_box = ft.Column(spacing=8, horizontal_alignment=ft.CrossAxisAlignment.STRETCH)
        self.pass_message = ft.Column(spacing=4)
        self.me_status = ft.Column(spacing=8)
        self._me_waiting: bool | None = None
        self.digits: dict[str, ft.TextField] = {}
        self.pending_roles: dict[str, str | None] = {}
        self.role_boxes: dict[str, ft.Column] = {}
        self.role_choice: c.Choice | None = None
        self._shown_devices: Any = None

    def title(self) -> str:
        return self.app.i18n.t("sec.title_short")

    # build ------------------------------------------------------------------------------------------------
    def build(self) -> ft.Control:
        app, t = self.app, self.app.i18n.t
        size = 16 * app.scale
        self.pk = "sec.pin" if app.services.unlock_mode() == "pin" else "sec.pass"  # PIN (phone) or passphrase
        pk = self.pk
        keyboard = ft.KeyboardType.NUMBER if pk == "sec.pin" else ft.KeyboardType.TEXT
        secret = dict(scale=app.scale, wrap=app.handler, text_size=size, expand=True, keyboard_type=keyboard)
        self.old = c.secret_field(app.i18n, label=t(f"{pk}.old"), **secret)
        self.new = c.secret_field(app.i18n, label=t(f"{pk}.new"), **secret)
        self.again = c.secret_field(app.i18n, label=t(f"{pk}.again"), on_submit=app.handler(self.change_passphrase),
                                    **secret)
        sections: list[ft.Control] = [self.alert_box, *device_parts.plain_section(app), ft.Divider()]
        sections += self._me_section()
        sections += [ft.Divider(), c.section_title(t(f"{pk}.title")),
                     c.para(t(f"{pk}.explain"), ft.TextThemeStyle.BODY_MEDIUM),
                     c.field(self.old), c.field(self.new), c.field(self.again), self.pass_message,
                     ft.Semantics(content=ft.Row([ft.FilledButton(
                         content=t(f"{pk}.save"), icon=ft.Icons.PASSWORD,
                         on_click=app.handler(self.change_passphrase), expand=True)]), identifier="sec-pass-save")]
        if is_coordinator(app):
            sections += self._coordinator_sections()
        self.refresh()
        return ft.ListView([ft.Column(sections, spacing=12)],
                           padding=ft.Padding.symmetric(horizontal=16, vertical=12), expand=True)

    def _me_section(self) -> list[ft.Control]:
        app, t = self.app, self.app.i18n.t
        svc = app.services
        out: list[ft.Control] = [c.section_title(t("sec.me.title")), self.me_status]
        self._me_waiting = None  # built anew (e.g. another language): render the status again
        self._render_me_status()
        groups = svc.fingerprint()
        out.append(fingerprint_block(app, groups, "sec-my-fingerprint"))
        try:
            png = svc.fingerprint_qr_png()
        except Exception:  # no QR library: the digits are enough
            png = b""
        if png:
            out.append(qr_image(png, t("sec.me.qr"), "sec-my-qr", 180))
        info = svc.security_info()
        pin = info.get("platform_secret")
        out += [ft.Divider(), c.section_title(t("sec.mode.title")),
                c.info_line(t("sec.mode.pin" if pin else "sec.mode.passphrase",
                              n=info.get("min_secret_length", MIN_PASSPHRASE)),
                            app.scale, icon=ft.Icons.PHONELINK_LOCK if pin else ft.Icons.KEY,
                            tone=theme.NEUTRAL, identifier="sec-mode")]
        out.append(device_parts.technical_details(app, info))
        return out

    def _coordinator_sections(self) -> list[ft.Control]:
        app, t = self.app, self.app.i18n.t
        self.role_choice = c.Choice(t("sec.invite.role"), role_options(app), "VELDWERKER", "sec-invite-role",
                                    lambda e=None: None, app.scale, wrap=app.handler)
        return [
            ft.Divider(), c.section_title(t("sec.invite.title")),
            c.para(t("sec.invite.intro"), ft.TextThemeStyle.BODY_MEDIUM),
            self.role_choice.control,
            ft.Semantics(content=ft.Row([ft.FilledButton(content=t("sec.invite.button"), icon=ft.Icons.PERSON_ADD,
                                                         on_click=app.handler(self.invite), expand=True)]),
                         identifier="sec-invite"),
            self.invite_box,
            ft.Divider(), c.section_title(t("sec.pending.title")),
            c.para(t("sec.pending.intro"), ft.TextThemeStyle.BODY_MEDIUM),
            ft.Semantics(content=ft.Row([ft.OutlinedButton(content=t("sec.pending.load"), icon=ft.Icons.REFRESH,
                                                           on_click=app.handler(self.load_pending),
                                                           expand=True)]), identifier="sec-pending-load"),
            self.pending_box,
            ft.Divider(), c.section_title(t("sec.devices.title")),
            self.devices_box,
        ]

    # refresh ------------------------------------------------------------------------------------------------
    def _render_me_status(self) -> None:
        """"Wacht op bevestiging" until a coordinator confirmed this device; it changes by itself when the
        background sync sees the confirmation."""
        app, t = self.app, self.app.i18n.t
        waiting = waiting_for_confirmation(app)
        if waiting == self._me_waiting:
            return
        self._me_waiting = waiting
        if waiting:
            self.me_status.controls = [
                c.info_line(t("sec.waiting.title"), app.scale, icon=ft.Icons.HOURGLASS_TOP, tone=theme.WARNING),
                c.para(t("sec.waiting.explain"), ft.TextThemeStyle.BODY_MEDIUM)]
        else:
            self.me_status.controls = [c.para(t("sec.me.explain"), ft.TextThemeStyle.BODY_MEDIUM)]

    def refresh(self) -> None:
        self._render_alert()
        self._render_me_status()
        if is_coordinator(self.app):
            devices = self.app.services.devices()
            key = (repr(devices), self.app.i18n.lang, self.app.scale)
            if key != self._shown_devices:
                self._shown_devices = key
                self.devices_box.controls = [self._device_card(d) for d in devices]

    def _render_alert(self) -> None:
        app, t = self.app, self.app.i18n.t
        alert = app.services.security_alert()
        status = app.services.sync_status()
        if alert is None and status.state == SyncState.ERROR and (status.extra or {}).get("uitleg"):
            alert = {"code": status.message, "uitleg": status.extra["uitleg"], "at": None}
        if alert is None:
            self.alert_box.controls = []
            return
        why = alert["uitleg"] if app.i18n.lang == "nl" else t("sec.alert.why_en")
        rows: list[ft.Control] = [
            c.badge(t("sec.alert.badge"), ft.Icons.GPP_BAD, theme.DANGER, app.scale, identifier="sec-alert"),
            c.para(why, ft.TextThemeStyle.BODY_LARGE),
            c.info_line(t("sec.alert.safe"), app.scale, icon=ft.Icons.SHIELD_OUTLINED, tone=theme.SUCCESS),
            c.para(t("sec.alert.todo"), ft.TextThemeStyle.BODY_MEDIUM),
        ]
        if alert.get("code"):
            rows.append(c.para(t("sec.alert.code", code=alert["code"]), ft.TextThemeStyle.BODY_SMALL,
                               color=ft.Colors.ON_SURFACE_VARIANT))
        if is_coordinator(app):
            rows += [c.para(t("sec.alert.ack_explain"), ft.TextThemeStyle.BODY_MEDIUM),
                     ft.Semantics(content=ft.Row([ft.FilledButton(
                         content=t("sec.alert.ack"), icon=ft.Icons.DONE, on_click=app.handler(self.acknowledge),
                         expand=True)]), identifier="sec-alert-ack")]
        self.alert_box.controls = [ft.Container(ft.Column(rows, spacing=8), padding=12,
                                                border=ft.Border.all(2, theme.DANGER.fg),
                                                border_radius=ft.BorderRadius.all(8)), ft.Divider()]

    def _device_card(self, d: dict) -> ft.Control:
        app, t = self.app, self.app.i18n.t
        revoked = d["status"] == "ingetrokken"
        name = app.i18n.code_label(Rol, d["role"])
        badges = []
        if d.get("me"):
            badges.append(c.badge(t("sec.devices.me"), ft.Icons.SMARTPHONE, theme.NEUTRAL, app.scale))
        if revoked:
            badges.append(c.badge(t("sec.devices.revoked", reason=t(f"sec.reason.{d['reason']}")
                                    if d.get("reason") in REVOKE_REASONS else d.get("reason") or ""),
                                  ft.Icons.BLOCK, theme.DANGER, app.scale))
        else:
            badges.append(c.badge(t("sec.devices.active"), ft.Icons.CHECK_CIRCLE_OUTLINE, theme.SUCCESS, app.scale))
        if d.get("beheer"):
            badges.append(c.badge(t("sec.devices.beheer"), ft.Icons.ADMIN_PANEL_SETTINGS, theme.NEUTRAL, app.scale))
        if d.get("wiped"):
            badges.append(c.badge(t("sec.devices.wiped"), ft.Icons.DELETE_FOREVER, theme.DANGER, app.scale))
        actions: list[ft.Control] = []
        if not revoked:
            actions.append(ft.OutlinedButton(content=t("sec.devices.set_role"), icon=ft.Icons.BADGE_OUTLINED,
                                             on_click=app.handler(lambda e=None, dev=d: RoleDialog(self, dev).open())))
            if not d.get("me"):
                actions.append(ft.OutlinedButton(
                    content=t("sec.devices.revoke"), icon=ft.Icons.BLOCK,
                    on_click=app.handler(lambda e=None, dev=d: RevokeDialog(self, dev).open())))
        elif not d.get("wiped"):
            actions.append(ft.OutlinedButton(content=t("sec.devices.wipe"), icon=ft.Icons.DELETE_FOREVER,
                                             on_click=app.handler(lambda e=None, dev=d: WipeDialog(self, dev).open())))
        groups = d.get("fingerprint") or []
        user = d.get("user")  # the name the device announced (signed by it); unknown until it has synced
        body = ft.Column([
            c.text(user or t("sec.devices.user_unknown"), ft.TextThemeStyle.TITLE_MEDIUM, weight=ft.FontWeight.W_600),
            c.text(name, ft.TextThemeStyle.BODY_MEDIUM),
            ft.Row(badges, wrap=True, spacing=6, run_spacing=6),
            c.para(t("sec.devices.fp_start", digits=" ".join(groups[:2])), ft.TextThemeStyle.BODY_SMALL,
                   color=ft.Colors.ON_SURFACE_VARIANT),
            ft.Row(actions, wrap=True, spacing=8, run_spacing=8),
        ], spacing=6)
        return ft.Semantics(content=ft.Card(ft.Container(body, padding=12)), identifier=f"sec-device-{d['id']}",
                            container=True)

    # actions ------------------------------------------------------------------------------------------------
    def acknowledge(self, e=None) -> None:
        self.app.services.clear_security_alert()
        self.app.toast(self.app.i18n.t("sec.alert.acked"))
        self.refresh()

    async def change_passphrase(self, e=None) -> None:
        app, t, pk = self.app, self.app.i18n.t, self.pk
        for f in (self.old, self.new, self.again):
            f.error = None
        self.pass_message.controls = []
        old, new, again = self.old.value or "", self.new.value or "", self.again.value or ""
        minimum = app.services.security_info().get("min_secret_length", MIN_PASSPHRASE)
        ok = True
        if not old:
            self.old.error, ok = t(f"{pk}.err_old_empty"), False
        problem = secret_problem(new, pin=pk == "sec.pin")
        if problem == "pin_digits":
            self.new.error, ok = t("sec.pin.err_digits"), False
        elif problem:
            self.new.error, ok = t(f"{pk}.err_short", n=minimum), False
        elif new == old:
            self.new.error, ok = t(f"{pk}.err_same"), False
        if ok and again != new:
            self.again.error, ok = t(f"{pk}.err_mismatch"), False
        if not ok:
            return
        try:
            await app.change_secret(old, new)
        except WrongPassphrase:
            self.old.error = t(f"{pk}.err_wrong")
            return
        except WeakPassphrase:
            self.new.error = t(f"{pk}.err_short", n=minimum)
            return
        except (PlatformSecretMissing, KeystoreError) as exc:
            self.pass_message.controls = [c.error_line(str(exc), app.scale, identifier="sec-pass-error")]
            return
        for f in (self.old, self.new, self.again):
            f.value = ""
        self.pass_message.controls = [c.info_line(t(f"{pk}.done"), app.scale, identifier="sec-pass-done")]
        app.toast(t(f"{pk}.done"))

    def invite(self, e=None) -> None:
        app, t = self.app, self.app.i18n.t
        role = self.role_choice.value if self.role_choice else None
        if not role:
            self.role_choice.set_error(t("sec.invite.no_role"))
            return
        try:
            inv = app.services.create_invitation(role)
        except NETWORK_ERRORS:
            self.invite_box.controls = [c.error_line(t("sec.offline"), app.scale, identifier="sec-invite-error")]
            return
        except (NotAllowed, ValidationError) as exc:
            self.invite_box.controls = [c.error_line(_message(app, exc), app.scale, identifier="sec-invite-error")]
            return
        rows: list[ft.Control] = [
            c.info_line(t("sec.invite.made", role=app.i18n.code_label(Rol, inv["role"])), app.scale,
                        icon=ft.Icons.MAIL_OUTLINE, tone=theme.NEUTRAL),
            c.para(t("sec.invite.explain"), ft.TextThemeStyle.BODY_MEDIUM),
            c.text(t("sec.invite.code_label"), ft.TextThemeStyle.LABEL_LARGE),
            ft.Semantics(content=c.text(inv["code"], ft.TextThemeStyle.HEADLINE_SMALL, weight=ft.FontWeight.W_700,
                                        selectable=True), identifier="sec-invite-code", container=True),
        ]
        if inv.get("expires_at"):
            rows.append(c.para(t("sec.invite.expires", when=fmt.moment(app.i18n, inv["expires_at"])),
                               ft.TextThemeStyle.BODY_MEDIUM))
        if inv.get("qr_png"):
            rows.append(qr_image(inv["qr_png"], t("sec.invite.qr"), "sec-invite-qr"))
        rows += [c.text(t("sec.invite.team_fp"), ft.TextThemeStyle.LABEL_LARGE),
                 fingerprint_block(app, inv["team_fingerprint"], "sec-team-fingerprint"),
                 c.para(t("sec.invite.team_fp_explain"), ft.TextThemeStyle.BODY_MEDIUM),
                 c.text(t("sec.invite.text_label"), ft.TextThemeStyle.LABEL_LARGE),
                 ft.Semantics(content=ft.Text(inv["text"], selectable=True,
                                              theme_style=ft.TextThemeStyle.BODY_SMALL),
                              identifier="sec-invite-text", container=True),
                 c.para(t("sec.invite.next"), ft.TextThemeStyle.BODY_MEDIUM)]
        self.invite_box.controls = [ft.Container(ft.Column(rows, spacing=8), padding=12,
                                                 border=ft.Border.all(1, ft.Colors.OUTLINE),
                                                 border_radius=ft.BorderRadius.all(8))]

    def load_pending(self, e=None) -> None:
        app, t = self.app, self.app.i18n.t
        try:
            pending = app.services.pending_devices()
        except NETWORK_ERRORS:
            self.pending_box.controls = [c.error_line(t("sec.offline"), app.scale, identifier="sec-pending-error")]
            return
        self.digits = {}
        if not pending:
            self.pending_box.controls = [c.para(t("sec.pending.none"), ft.TextThemeStyle.BODY_MEDIUM)]
            return
        self.pending_box.controls = [self._pending_card(p) for p in pending]

    def _pending_card(self, p: dict) -> ft.Control:
        app, t = self.app, self.app.i18n.t
        field = c.text_field(label=t("sec.pending.digits"), text_size=16 * app.scale, expand=True,
                             keyboard_type=ft.KeyboardType.NUMBER, multiline=True, min_lines=1, max_lines=3,
                             hint_text=t("sec.pending.digits_hint"))
        self.digits[p["id"]] = field
        self.pending_roles[p["id"]] = p.get("role")
        self.role_boxes[p["id"]] = role_box = ft.Column([], tight=True)
        body = ft.Column([
            c.info_line(t("sec.pending.device", role=app.i18n.code_label(Rol, p.get("role"))), app.scale,
                        icon=ft.Icons.HOURGLASS_TOP, tone=theme.WARNING),
            c.para(t("sec.pending.compare"), ft.TextThemeStyle.BODY_MEDIUM),
            c.field(field),
            ft.Semantics(content=ft.Row([ft.FilledButton(
                content=t("sec.pending.confirm"), icon=ft.Icons.VERIFIED_USER,
                on_click=app.handler(lambda e=None, dev=p["id"]: self.confirm(dev)), expand=True)]),
                identifier=f"sec-confirm-{p['id']}"),
            role_box,
        ], spacing=8)
        return ft.Card(ft.Container(body, padding=12))

    def confirm(self, device_id: str, role: str | None = None) -> None:
        app, t = self.app, self.app.i18n.t
        field = self.digits[device_id]
        field.error = None
        role_box = self.role_boxes.get(device_id)
        if role_box is not None:
            role_box.controls = []
        try:
            app.services.confirm_device(device_id, field.value or "", role)
        except ValidationError as exc:
            key = "fingerprint" if "fingerprint" in exc.errors else next(iter(exc.errors))
            if key == "invite_role" and role_box is not None and role is None:
                # the role is not one this device invited: say so, and let the coordinator vouch for it
                reported = self.pending_roles.get(device_id)
                role_box.controls = [
                    c.error_line(app.validation_message(exc.errors, "invite_role"), app.scale,
                                 identifier=f"sec-role-{device_id}"),
                    ft.Row([ft.OutlinedButton(
                        content=t("sec.pending.role_ok", role=app.i18n.code_label(Rol, reported)),
                        icon=ft.Icons.CHECK, expand=True,
                        on_click=app.handler(lambda e=None: self.confirm(device_id, reported)))]),
                ]
                return
            field.error = app.validation_message(exc.errors, key)
            return
        except NETWORK_ERRORS:
            field.error = t("sec.offline")
            return
        except NotAllowed as exc:
            field.error = _message(app, exc)
            return
        app.toast(t("sec.pending.confirmed"))
        self.load_pending()
        self.refresh()


