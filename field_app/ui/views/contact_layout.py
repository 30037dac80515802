"""The contact form's layout (ContactFormView): whose contact, the fields from the contact's type down to
the risk signals and from the protective factors down to the next contact; and after a failed save, the way
to the first invalid field. Split from contact_form.py; the view keeps the controls and the state."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

import flet as ft

from field_app.ui import components as c
from field_app.ui import theme

if TYPE_CHECKING:
    from field_app.ui.views.contact_form import ContactFormView


def top(view: ContactFormView) -> list[ft.Control]:
    """Whose contact this is, and a restored draft with the way to discard it."""
    app, t = view.app, view.app.i18n.t
    try:
        name = app.services.client(view.client_id).display_name
    except KeyError:
        name = ""
    out: list[ft.Control] = [c.para(t("contact.for", name=name), ft.TextThemeStyle.TITLE_MEDIUM,
                                    weight=ft.FontWeight.W_600)]
    if view.routine:
        out.append(c.info_line(t("routine.filled"), app.scale, icon=ft.Icons.EVENT_AVAILABLE, tone=theme.NEUTRAL,
                               identifier="routine-filled"))
    if view.restored:
        key = "contact.restored_after_unlock" if view.restored_after_unlock else "contact.restored"
        out.append(ft.Column([
            c.info_line(t(key), app.scale, icon=ft.Icons.RESTORE, tone=theme.NEUTRAL,
                        identifier="draft-restored"),
            # the draft keeps the time it was started at: say so, and offer "now"
            c.para(t("contact.restored_time", when=f"{view.date.value} {view.time.value}".strip()),
                   ft.TextThemeStyle.BODY_MEDIUM),
            ft.Row([ft.Semantics(content=ft.OutlinedButton(content=t("contact.restored_now"), icon=ft.Icons.SCHEDULE,
                                                           on_click=app.handler(view.set_now)),
                                 identifier="draft-now"),
                    ft.TextButton(content=t("contact.discard"), icon=ft.Icons.DELETE_SWEEP_OUTLINED,
                                  on_click=app.handler(view.discard))], wrap=True, spacing=8),
        ], spacing=4))
    return out

def pair(view: ContactFormView, a: ft.Control, b: ft.Control) -> ft.Control:
    return c.field(a, b) if view.app.scale == 1 else ft.Column([c.field(a), c.field(b)], spacing=12)

def compliance(view: ContactFormView) -> list[ft.Control]:
    t, muted = view.app.i18n.t, ft.Colors.ON_SURFACE_VARIANT
    compliance: list[ft.Control] = [c.section_title(t("contact_c.compliance.title"))]
    if view.compliance_rows:
        compliance += [c.para(t("contact_c.compliance.intro"), ft.TextThemeStyle.BODY_MEDIUM, color=muted),
                       *[r.control for r in view.compliance_rows]]
    else:
        compliance.append(c.para(t("contact_c.compliance.none"), ft.TextThemeStyle.BODY_MEDIUM, color=muted))
    return compliance

def first_fields(view: ContactFormView) -> list[ft.Control]:
    """From the contact's type down to the risk signals."""
    app, t, muted = view.app, view.app.i18n.t, ft.Colors.ON_SURFACE_VARIANT
    return [
        *top(view),
        view.contact_type.control,
        view.outcome.control,
        view.excused.control,
        c.para(t("contact.when"), ft.TextThemeStyle.TITLE_SMALL),
        pair(view, view.date, view.time),
        c.section_title(t("contact_c.participants.title")),
        c.para(t("contact_c.participants.intro"), ft.TextThemeStyle.BODY_MEDIUM, color=muted),
        view.participants.control,
        c.field(view.participant_name),
        c.field(view.participant_role),
        view.participant_error,
        ft.Row([ft.OutlinedButton(content=t("contact_c.participant.add"), icon=ft.Icons.PERSON_ADD_ALT,
                                  on_click=app.handler(view.add_participant))], wrap=True),
        *compliance(view),
        c.section_title(t("risk.title")),
        c.para(t("risk.intro"), ft.TextThemeStyle.BODY_MEDIUM, color=muted),
        view.risk_column,
        view.risk_error,
        ft.Row([ft.OutlinedButton(content=t("risk.add"), icon=ft.Icons.ADD,
                                  on_click=app.handler(view.add_risk))], wrap=True),
    ]

def later_fields(view: ContactFormView) -> list[ft.Control]:
    """From the protective factors down to the next contact."""
    app, t, muted = view.app, view.app.i18n.t, ft.Colors.ON_SURFACE_VARIANT
    return [
        c.section_title(t("contact_c.protective.title")),
        view.protective.control,
        view.protective_category.control,
        view.protective_code.control,
        view.protective_error,
        ft.Row([ft.OutlinedButton(content=t("contact_c.protective.add"), icon=ft.Icons.ADD,
                                  on_click=app.handler(view.add_protective))], wrap=True),
        c.section_title(t("contact_c.report.title")),
        c.field(view.report),
        c.para(t("contact_c.interpretation_intro"), ft.TextThemeStyle.BODY_MEDIUM, color=muted),
        c.field(view.interpretation),
        c.section_title(t("contact_c.life.title")),
        ft.Row([view.life_toggle], wrap=True),
        view.life_column,
        c.section_title(t("contact_c.safety.title")),
        view.worker_safety.control,
        ft.Semantics(content=view.duo, container=True, identifier="duo-next-time"),
        c.section_title(t("contact_c.followup.title")),
        c.field(view.agreements),
        c.para(t("contact_c.next_contact"), ft.TextThemeStyle.TITLE_SMALL),
        pair(view, view.next_date, view.next_time),
    ]


async def go_to_first_error(view: ContactFormView) -> None:
    """After a failed save: scroll to the first invalid field and put the focus in it (its message is
    beside it; the summary line says the rest). Without a field-level message: the top of the form."""
    target = view.first_invalid()
    if target is None or isinstance(target, ft.Dropdown):
        # a dropdown is not focused (that opens its menu over the form) nor given a key (a new key
        # rebuilds it in the browser): the choices at the top are shown from the top, one in a compliance
        # row (a violation's ernst) or a risk signal far down the form by its row's own key
        view.app.page.update()
        key = _row_key(view, target) if target is not None else None
        await view._scroll(0, duration=0 if key else 250)
        if key:
            await view._scroll(key=key)
        return
    if not target.key:
        target.key = f"invalid-{id(target)}"
    view.app.page.update()  # the key and the messages must be in the browser before scrolling
    # always from the top (a jump): scrolled to from above, the field lands at the lower edge, with its
    # message behind the Opslaan bar; once that scroll (and the one the focus makes) is over, a little
    # further, so the field and the message beside it are both in sight
    await view._scroll(0, duration=0)
    await view._scroll(key=target.key)
    try:
        await asyncio.wait_for(target.focus(), timeout=5)
    except (TimeoutError, RuntimeError, TypeError):
        pass
    await asyncio.sleep(0.5)
    await view._scroll(delta=160 * view.app.scale)


def _row_key(view: ContactFormView, dropdown: ft.Dropdown) -> str | None:
    """The key of the compliance row or risk-signal row that holds ``dropdown`` (None: a choice at the top)."""
    for row in view.compliance_rows:
        if any(dropdown is ch.dropdown for ch in (row.source, row.severity, row.response)):
            return row.control.key.value
    for row in view.risk_rows:
        if any(dropdown is ch.dropdown for ch in (row.domain, row.severity, row.trend, row.certainty)):
            return row.control.key.value
    return None
