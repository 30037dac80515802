"""Review on the screens: a note's or report's review state (*Terug voor aanpassing* with the comment,
*Goedgekeurd door …*), the supervisor's Goedkeuren / Terugsturen, and the author's *Aanpassen en opnieuw
indienen*. Every decision is a sealed record written through the services (parts.review)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import flet as ft

from field_app.app_api import NotAllowed, ValidationError, may_review
from field_app.domain.vocab import (
    ContactType,
    OvertredingReactie,
    RapportageType,
    ReviewBesluit,
    ReviewStatus,
)
from field_app.ui import components as c
from field_app.ui import fmt, theme
from field_app.ui.views import client_parts as p
from field_app.ui.views.forms.base import Field, FormView

if TYPE_CHECKING:
    from field_app.ui.app import VeldwerkApp

_LOOK = {
    ReviewStatus.TE_BEOORDELEN.value: (ft.Icons.HOURGLASS_EMPTY, theme.NEUTRAL),
    ReviewStatus.AANPASSEN.value: (ft.Icons.UNDO, theme.WARNING),
    ReviewStatus.OPNIEUW_INGEDIEND.value: (ft.Icons.REPLAY, theme.NEUTRAL),
    ReviewStatus.GOEDGEKEURD.value: (ft.Icons.VERIFIED_OUTLINED, theme.SUCCESS),
    ReviewStatus.BESPROKEN.value: (ft.Icons.GROUPS_OUTLINED, theme.NEUTRAL),
}


def state_badge(app: VeldwerkApp, state: Any, record_id: str) -> ft.Control:
    icon, tone = _LOOK.get(state.status, _LOOK[ReviewStatus.TE_BEOORDELEN.value])
    word = app.i18n.code_label(ReviewStatus, state.status)
    return p.wide_badge(word, icon, tone, app.scale, identifier=f"review-state-{record_id}")


def item_title(app: VeldwerkApp, record: Any) -> str:
    """What the item is: the contact's type or the report's."""
    f = record.fields
    if record.type == "report":
        return app.i18n.code_label(RapportageType, f.get("report_type"))
    return app.i18n.code_label(ContactType, f.get("contact_type"))


def client_name(app: VeldwerkApp, client_id: str) -> str:
    try:
        return app.services.record(client_id).fields.get("display_name") or "?"
    except KeyError:
        return "?"


def item_heading(app: VeldwerkApp, record: Any, name: str) -> list[ft.Control]:
    """Which note or report this is, as the review queue names it: ``Huisbezoek`` / ``Bas B. · vandaag
    10:42`` / ``Geschreven door Lotte de Boer``."""
    when = record.fields.get("occurred_at") or record.created_at
    return [p.title(item_title(app, record)), p.line(f"{name} · {fmt.moment(app.i18n, when)}"),
            p.line(app.i18n.t("review.written_by", author=record.author), muted=True)]


def _addendum_of(record: Any, entry: Any) -> bool:
    """A contact's resubmission is written as an addendum too (``services.resubmit``): the same words."""
    text = (entry.comment or "").strip()
    return bool(text) and any(a.author == entry.by and (a.text or "").strip() == text
                              for a in getattr(record, "addenda", None) or [])


def review_block(app: VeldwerkApp, record: Any, refresh=None) -> list[ft.Control]:
    """The review rows under a contact or report: state, the current decision with who/when/comment,
    earlier decisions, and the actions this user may take."""
    t, i18n = app.i18n.t, app.i18n
    try:
        state = app.services.review_state(record.id)
    except (ValidationError, KeyError):
        return []
    me = app.services.user_name
    rows: list[ft.Control] = []
    if state.current is not None or (may_review(app.services.role) and record.author != me):
        rows.append(state_badge(app, state, record.id))
    for entry in state.history:
        decision = i18n.code_label(ReviewBesluit, entry.decision)
        shown_above = entry.decision == ReviewBesluit.OPNIEUW_INGEDIEND.value and _addendum_of(record, entry)
        if shown_above:  # its words are the addendum above the review rows: say so, do not repeat them
            decision = t("review.resubmitted_with_addendum")
        who = t("review.entry", decision=decision, author=entry.by, when=fmt.moment(i18n, entry.at))
        rows.append(p.line(who, muted=entry is not state.current))
        if entry.comment and not shown_above:
            rows.append(c.para(entry.comment, ft.TextThemeStyle.BODY_MEDIUM))
    buttons: list[ft.Control] = []
    if may_review(app.services.role) and record.author != me and not state.approved:
        buttons += [p.button(t("review.approve"), ft.Icons.CHECK, app.handler(
                        lambda e: decide(app, record.id, ReviewBesluit.GOEDGEKEURD.value, refresh)),
                        identifier=f"review-approve-{record.id}", filled=True),
                    p.button(t("review.return"), ft.Icons.UNDO, app.handler(
                        lambda e: return_dialog(app, record, refresh)), identifier=f"review-return-{record.id}")]
    if record.author == me and state.returned and app.may_record:
        buttons.append(p.button(t("review.resubmit"), ft.Icons.REPLAY, app.handler(
            lambda e: resubmit_dialog(app, record, refresh)), identifier=f"review-resubmit-{record.id}", filled=True))
    if buttons:
        rows.append(p.actions(buttons))
    return rows


def decide(app: VeldwerkApp, record_id: str, decision: str, refresh=None, comment: str = "") -> None:
    try:
        app.services.review(record_id, decision, comment)
    except NotAllowed as exc:
        app.toast(str(exc), error=True)
        return
    app.toast(app.i18n.t("review.saved." + decision))
    if refresh:
        refresh()


def return_dialog(app: VeldwerkApp, record: Any, refresh=None) -> None:
    """*Terugsturen*: a small screen with the comment (a pushed form rather than a dialog: what is typed is
    kept as a sealed draft through a lock, and a field on a screen is what Flutter web types into reliably).
    It names the note it returns at the top, as the queue does (found in the browser: it named none)."""
    t = app.i18n.t

    def save(values: dict) -> None:
        app.services.review(record.id, ReviewBesluit.AANPASSEN.value, values.get("comment") or "")

    form = FormView(app, t("review.return_title"), [Field("comment", "review.comment", "multiline", required=True)],
                    save, identifier="review-return", intro=t("review.return_body"),
                    saved_key="review.saved.AANPASSEN", save_key="review.return",
                    lead=p.card(item_heading(app, record, client_name(app, record.client_id)),
                                identifier=f"review-return-item-{record.id}"))
    form.draft_slot = f"form:review-return:{record.id}"
    app.push(form)


def resubmit_dialog(app: VeldwerkApp, record: Any, refresh=None) -> None:
    """*Aanpassen en opnieuw indienen*: the addendum (contact) or what was changed (report), then back in the
    supervisor's queue."""
    t = app.i18n.t
    body = t("review.resubmit_body_contact" if record.type == "contact" else "review.resubmit_body_report")

    def save(values: dict) -> None:
        app.services.resubmit(record.id, values.get("text") or "")

    form = FormView(app, t("review.resubmit"), [Field("text", "review.resubmit_text", "multiline", required=True)],
                    save, identifier="review-resubmit", intro=body, saved_key="review.saved.OPNIEUW_INGEDIEND",
                    save_key="review.resubmit_ok")
    form.draft_slot = f"form:review-resubmit:{record.id}"
    app.push(form)


def ladder_line(app: VeldwerkApp, violation: dict) -> str:
    """``Voorgesteld: Aanspreken · gekozen: Schriftelijke waarschuwing (reden)`` for the timeline."""
    i18n, t = app.i18n, app.i18n.t
    chosen = i18n.code_label(OvertredingReactie, violation.get("response"))
    proposed = violation.get("proposed")
    if not proposed:
        return t("ladder.chosen", chosen=chosen)
    if proposed == violation.get("response"):
        return t("ladder.as_proposed", chosen=chosen)
    return t("ladder.other", proposed=i18n.code_label(OvertredingReactie, proposed), chosen=chosen,
             reason=violation.get("reason") or "")
