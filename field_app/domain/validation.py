"""Validation of what a worker records. Nothing invalid reaches the store; messages are plain Dutch (B1)."""

from __future__ import annotations

from collections.abc import Sequence

from .errors import ValidationError
from .hlc import now_ms
from .vocab import ContactType, ContactUitkomst, Ernst, RisicoDomein

MAX_NAME = 120
MAX_REPORT = 20_000
MAX_RISKS = 20
FUTURE_SLACK_MS = 10 * 60 * 1000  # a clock a few minutes off is not an error
EARLIEST_MS = 946_684_800_000  # 2000-01-01


def clean_display_name(name: object) -> str:
    if not isinstance(name, str) or not name.strip():
        raise ValidationError({"display_name": "Vul een naam in."})
    name = " ".join(name.split())
    if len(name) > MAX_NAME:
        raise ValidationError({"display_name": f"Een naam is hoogstens {MAX_NAME} tekens."})
    return name


def check_contact(
    *,
    contact_type: object,
    outcome: object,
    report: object,
    occurred_at: object,
    risks: Sequence[tuple[str, str]],
    now: int | None = None,
) -> dict:
    """Return the clean fields of a contact, or raise ValidationError with every problem at once."""
    now = now_ms() if now is None else now
    errors: dict[str, str] = {}
    if contact_type not in ContactType.codes():
        errors["contact_type"] = "Kies het soort contact."
    if outcome not in ContactUitkomst.codes():
        errors["outcome"] = "Kies de uitkomst van het contact."
    if not isinstance(report, str):
        errors["report"] = "Het verslag moet tekst zijn."
        report = ""
    report = report.strip()
    if len(report) > MAX_REPORT:
        errors["report"] = f"Het verslag is te lang (hoogstens {MAX_REPORT} tekens)."
    elif not report and outcome == ContactUitkomst.PLAATSGEVONDEN.value:
        errors["report"] = "Schrijf kort op wat er gebeurde: bij een contact dat plaatsvond is een verslag nodig."
    if type(occurred_at) is not int:
        errors["occurred_at"] = "Vul een geldig tijdstip in."
    elif occurred_at > now + FUTURE_SLACK_MS:
        errors["occurred_at"] = "Het tijdstip ligt in de toekomst."
    elif occurred_at < EARLIEST_MS:
        errors["occurred_at"] = "Het tijdstip ligt te ver in het verleden."
    clean_risks: list[dict] = []
    seen: set[str] = set()
    if len(risks) > MAX_RISKS:
        errors["risks"] = f"Hoogstens {MAX_RISKS} risicosignalen per contact."
    for item in risks:
        try:
            domain, severity = item
        except (TypeError, ValueError):
            errors["risks"] = "Een risicosignaal heeft een domein en een ernst."
            break
        if domain not in RisicoDomein.codes():
            errors["risks"] = "Kies voor elk risicosignaal een domein."
            break
        if severity not in Ernst.codes():
            errors["risks"] = "Kies voor elk risicosignaal de ernst."
            break
        if domain in seen:
            errors["risks"] = f"Het domein '{RisicoDomein(domain).label.nl}' staat er twee keer in."
            break
        seen.add(domain)
        clean_risks.append({"domain": domain, "severity": severity})
    if errors:
        raise ValidationError(errors)
    return {
        "contact_type": contact_type,
        "outcome": outcome,
        "report": report,
        "occurred_at": occurred_at,
        "risks": clean_risks,
    }
