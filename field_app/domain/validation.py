"""Validation of what a worker records. Nothing invalid reaches the store; messages are plain Dutch (B1)."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence

from .context import DictContext
from .errors import ValidationError
from .fieldkit import EARLIEST_MS, FUTURE_SLACK_MS  # noqa: F401  (kept importable from here)
from .hlc import now_ms
from .records_contact import CONTACT, MAX_REPORT, MAX_RISKS  # noqa: F401

MAX_NAME = 120


def clean_display_name(name: object) -> str:
    if not isinstance(name, str) or not name.strip():
        raise ValidationError({"display_name": "Vul een naam in."})
    if any(unicodedata.category(ch) in ("Cs", "Cc") for ch in name if ch not in " \t"):
        raise ValidationError({"display_name": "De naam bevat tekens die niet kunnen worden opgeslagen."})
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
    excused: object = None,
    now: int | None = None,
) -> dict:
    """Return the clean fields of a contact, or raise ValidationError with every problem at once.

    The walking-skeleton form of a contact; it delegates to ``records.validate_create("contact")`` and
    keeps its own output (five fields, risks as ``{domain, severity}``, and ``excused`` of a no-show) and
    top-level error keys.
    """
    now = now_ms() if now is None else now
    errors: dict[str, str] = {}
    if not isinstance(report, str):
        errors["report"] = "Het verslag moet tekst zijn."
        report = ""
    items: object = risks
    if isinstance(risks, Sequence) and not isinstance(risks, str):
        if len(risks) > MAX_RISKS:
            errors["risks"] = f"Hoogstens {MAX_RISKS} risicosignalen per contact."
        try:
            items = [{"domain": domain, "severity": severity} for domain, severity in risks]
        except (TypeError, ValueError):
            errors.setdefault("risks", "Een risicosignaal heeft een domein en een ernst.")
            items = []
    fields = {"contact_type": contact_type, "outcome": outcome, "report": report, "occurred_at": occurred_at,
              "risks": items}
    if excused is not None:
        fields["excused"] = excused
    clean: dict = {}
    try:
        clean = CONTACT.create(fields, DictContext(client_id="", now=now))
    except ValidationError as exc:
        for path, message in exc.errors.items():
            errors.setdefault(path.split(".")[0], message)
    if errors:
        raise ValidationError(errors)
    out = {
        "contact_type": clean["contact_type"],
        "outcome": clean["outcome"],
        "report": clean["report"],
        "occurred_at": clean["occurred_at"],
        "risks": [{"domain": r["domain"], "severity": r["severity"]} for r in clean["risks"]],
    }
    if clean.get("excused") is not None:
        out["excused"] = clean["excused"]
    return out
