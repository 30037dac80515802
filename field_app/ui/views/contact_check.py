"""What the contact form sends and how it shows what was refused: the fields for
``create_record("contact")`` with the errors the form finds itself, each message beside its field, and the
first field with a message."""

from __future__ import annotations

from typing import TYPE_CHECKING

import flet as ft

from field_app.domain import questions
from field_app.domain.vocab import ContactUitkomst, VeiligheidMedewerker
from field_app.ui import components as c
from field_app.ui import fmt

if TYPE_CHECKING:
    from field_app.ui.views.contact_form import ContactFormView

__all__ = ["moment", "collect", "field_errors", "show_errors", "needs_escalation", "first_invalid"]


def moment(date_text: str, time_text: str) -> int | None:
    try:
        day = fmt.parse_date(date_text or "")
        hour, minute = fmt.parse_clock(time_text or "")
    except ValueError:
        return None
    return fmt.to_ms(day, hour, minute)


def collect(form: ContactFormView) -> tuple[dict, dict[str, str]]:
    """The fields for ``create_record("contact")`` and the errors the form itself finds."""
    t = form.app.i18n.t
    errors: dict[str, str] = {}
    fields: dict = {
        "contact_type": form.contact_type.value or "", "outcome": form.outcome.value or "",
        "report": form.report.value or "", "interpretation": form.interpretation.value or "",
        "participants": list(form.participants.items),
        "compliance": [r.fields() for r in form.compliance_rows if r.touched()],
        "risks": [r.fields() for r in form.risk_rows if not r.empty()],
        "protective": list(form.protective.items),
        "life_domains": [{"domain": k, "status": ch.value} for k, ch in form.life_choices.items() if ch.value],
        "worker_safety": form.worker_safety.value or VeiligheidMedewerker.GEEN_BIJZONDERHEDEN.value,
        "duo_next_time": bool(form.duo.value), "agreements": form.agreements.value or "",
    }
    if form.outcome.value == ContactUitkomst.NIET_VERSCHENEN.value and form.excused.value:
        fields["excused"] = form.excused.value == "JA"
    occurred_at = moment(form.date.value or "", form.time.value or "")
    if occurred_at is None:
        errors["occurred_at"] = t("contact.error.when")
    else:
        fields["occurred_at"] = occurred_at
    if (form.next_date.value or "").strip() or (form.next_time.value or "").strip():
        nxt = moment(form.next_date.value or "", form.next_time.value or "09:00")
        if nxt is None:
            errors["next_contact_at"] = t("contact_c.error.next")
        else:
            fields["next_contact_at"] = nxt
    return fields, errors


def field_errors(form: ContactFormView) -> bool:
    choices = [form.contact_type, form.outcome, form.excused,
               *(ch for r in form.risk_rows for ch in (r.domain, r.severity)),
               *(ch for r in form.compliance_rows for ch in (r.severity, r.response, r.source))]
    return (any(ch.error for ch in choices) or form.risk_error.visible
            or any(r.error.visible for r in (*form.risk_rows, *form.compliance_rows))
            or any(f.error for f in (form.date, form.time, form.report, form.next_date, form.next_time)))


def show_errors(form: ContactFormView, errors: dict[str, str]) -> None:
    app, t = form.app, form.app.i18n.t
    used: set[str] = set()

    def msg(key: str) -> str | None:
        if key in errors:
            used.add(key)
            return app.validation_message(errors, key)
        return None

    def below(prefix: str) -> dict[str, str]:
        found = {k[len(prefix):]: k for k in errors if k.startswith(prefix)}
        used.update(found.values())
        return {sub: app.validation_message(errors, k) for sub, k in found.items()}

    form.contact_type.set_error(msg("contact_type"))
    form.outcome.set_error(msg("outcome"))
    form.excused.set_error(msg("excused"))
    form.report.error = msg("report")  # TextField: `error` (a Choice: set_error, a line under it)
    form.interpretation.error = msg("interpretation")
    form.agreements.error = msg("agreements")
    form.date.error = msg("occurred_at")
    form.time.error = " " if "occurred_at" in errors else None
    form.next_date.error = msg("next_contact_at")
    form.next_time.error = " " if "next_contact_at" in errors else None
    form.worker_safety.set_error(msg("worker_safety"))
    for i, row in enumerate([r for r in form.compliance_rows if r.touched()]):
        row.set_errors(below(f"compliance.{i}."))
    for row in form.compliance_rows:
        if not row.touched():
            row.set_errors({})
    for row in form.risk_rows:
        if row.empty():
            row.error.content, row.error.visible = None, False
    for i, row in enumerate([r for r in form.risk_rows if not r.empty()]):
        found = below(f"risks.{i}.")
        messages = list(dict.fromkeys(found.values()))
        row.error.content = c.error_line(" ".join(messages), app.scale) if messages else None
        row.error.visible = bool(messages)
    risk = msg("risks")
    form.risk_error.content = c.error_line(risk, app.scale, identifier="risk-error") if risk else None
    form.risk_error.visible = bool(risk)
    for prefix, box in (("participants", form.participant_error), ("protective", form.protective_error)):
        found = below(prefix)
        messages = list(dict.fromkeys(found.values()))
        box.content = c.error_line(" ".join(messages), app.scale) if messages else None
        box.visible = bool(messages)
    life = below("life_domains")
    other = [app.validation_message(errors, k) for k in errors if k not in used] + list(life.values())
    summary = " ".join([t("contact.error.summary"), *other])
    form.form_error.content = c.error_line(summary, app.scale, identifier="form-error") if errors else None
    form.form_error.visible = bool(errors)


def show_storage_error(form: ContactFormView, kind: str) -> None:
    """The note could not be stored (a full disk, a read-only database file, a disk error): say so above
    the Opslaan bar; the form keeps everything typed, so the worker can save again once there is room."""
    text = form.app.i18n.t(f"storage.note.{kind}")
    form.form_error.content = c.error_line(text, form.app.scale, identifier="form-error")
    form.form_error.visible = True


def needs_escalation(fields: dict) -> bool:
    """A saved violation or an acute risk offers "Escaleren?" right away (``domain.questions``)."""
    return questions.needs_escalation(fields)


def first_invalid(view: ContactFormView) -> ft.Control | None:
    """The first field with a message, in the form's order (its message is beside it)."""
    def bad(ctl) -> bool:
        return bool(ctl.error) if isinstance(ctl, c.Choice) else bool(getattr(ctl, "error", None))

    order: list = [view.contact_type, view.outcome, view.excused, view.date, view.time]
    for r in view.compliance_rows:
        order += [r.source, r.severity, r.response]
    for r in view.risk_rows:
        order += [r.domain, r.severity]
    order += [view.report, view.interpretation, view.worker_safety, view.agreements, view.next_date,
              view.next_time]
    found = next((ctl for ctl in order if bad(ctl)), None)
    return found.dropdown if isinstance(found, c.Choice) else found
