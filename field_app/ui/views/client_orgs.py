"""Betrokken organisaties (#15): every organisation on the case with its role, contact person and last
contact (``domain.organisations``), and the organisations the case calls for, each with "Toevoegen" (one tap:
an ``organisation`` record) or "Niet nodig" (dismissed with a reason)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import flet as ft

from field_app.domain import organisations
from field_app.domain.vocab import PartnerOrganisatie
from field_app.ui import components as c
from field_app.ui import fmt, theme
from field_app.ui.views import client_parts as p
from field_app.ui.views.forms.base import confirm_dialog

if TYPE_CHECKING:
    from field_app.ui.views.client import ClientData, ClientView


def org_name(i18n, code: str | None, name: str | None) -> str:
    label = i18n.code_label(PartnerOrganisatie, code) if code else ""
    if name and label and name.lower() != label.lower():
        return f"{name} ({label})"
    return name or label


def render(view: ClientView, data: ClientData) -> list[ft.Control]:
    t = view.app.i18n.t
    found = organisations.involved(data.ctx)
    out: list[ft.Control] = [c.section_title(t("case.orgs.title"))]
    out += [_involved(view, item) for item in found] or [p.empty(t("case.orgs.none"))]
    proposals = organisations.proposed(data.ctx, found)
    out.append(c.section_title(t("case.orgs.proposed")))
    out += [_proposal(view, prop) for prop in proposals] or [p.empty(t("case.orgs.proposed_none"))]
    return out


def _involved(view: ClientView, item: organisations.Involved) -> ft.Control:
    app, i18n, t = view.app, view.app.i18n, view.app.i18n.t
    lang = i18n.lang
    name = org_name(i18n, item.code, item.name)
    roles = "; ".join(en if lang == "en" else nl for nl, en in item.roles)
    contact = t("case.orgs.contact", who=item.contact) if item.contact else t("case.orgs.no_contact")
    last = (t("case.orgs.last", when=fmt.moment(i18n, item.last_contact)) if item.last_contact
            else t("case.orgs.never"))
    rows = [p.title(name), p.line(roles), p.line(contact), p.line(last, muted=item.last_contact is None)]
    key = item.code or item.key
    if item.code:
        def set_contact(e=None) -> None:
            def confirmed(who: str) -> None:
                if item.record_id:
                    app.services.update_record(item.record_id, {"contact_person": who or None})
                else:
                    app.services.create_record("organisation", view.client_id,
                                               {"organisation": item.code, "contact_person": who or None})
                view.show_section("case")
            confirm_dialog(app, t("case.orgs.contact_title", name=name), roles, t("case.save"), confirmed,
                           reason_label=t("case.orgs.contact_label"), identifier="org-contact-confirm")
        if app.may_record:
            rows.append(p.actions([p.button(t("case.orgs.set_contact"), ft.Icons.PERSON_OUTLINE,
                                            app.handler(set_contact), identifier=f"org-contact-{key}")]))
    return p.card(rows, key=f"org-{key}", identifier=f"org-{key}")


def _proposal(view: ClientView, prop: organisations.Proposal) -> ft.Control:
    app, i18n, t = view.app, view.app.i18n, view.app.i18n.t
    name = i18n.code_label(PartnerOrganisatie, prop.organisation)

    def add(e=None) -> None:
        app.services.create_record("organisation", view.client_id, {"organisation": prop.organisation})
        app.toast(t("case.orgs.added", name=name))
        view.show_section("case")

    def dismiss(e=None) -> None:
        def confirmed(reason: str) -> None:
            app.services.create_record("organisation", view.client_id, {
                "organisation": prop.organisation, "status": "AFGEWEZEN", "dismiss_reason": reason})
            view.show_section("case")
        confirm_dialog(app, t("case.orgs.dismiss_title", name=name), prop.reason(i18n.lang), t("case.orgs.dismiss"),
                       confirmed, reason_label=t("case.orgs.dismiss_reason"), identifier="org-dismiss-confirm")

    rows = [ft.Row([c.badge(t("case.orgs.proposal"), ft.Icons.LIGHTBULB_OUTLINE, theme.WARNING, app.scale)],
                   wrap=True),
            p.title(name), p.line(prop.reason(i18n.lang))]
    if app.may_record:
        rows.append(p.actions([p.button(t("case.orgs.add"), ft.Icons.ADD, app.handler(add),
                                        identifier=f"org-add-{prop.organisation}", filled=True),
                               p.button(t("case.orgs.dismiss"), ft.Icons.CLOSE, app.handler(dismiss),
                                        identifier=f"org-dismiss-{prop.organisation}")]))
    return p.card(rows, key=f"proposal-{prop.organisation}", identifier=f"proposal-{prop.organisation}")
