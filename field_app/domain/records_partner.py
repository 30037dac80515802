"""Organisations on a case and the ticks of a flag's action list (#15; DOMAIN.md §1.3, §4.3).

* **organisation** (mutable): an organisation the worker added as involved (*betrokken*, with its contact
  person) or a proposal of :mod:`organisations` dismissed with a reason (*afgewezen*).
* **flag_step** (note): one tick (or untick) of a step of an automatic flag's "En nu?" list
  (:mod:`flag_steps`); the latest per step counts, all are kept.
"""

from __future__ import annotations

from typing import Any

from .fieldkit import Bad, Errors, a_date, boolean, choice, leaf, moment, opt_text, ref, text
from .flag_steps import STEP_CODES, steps_for
from .schema import Field, Schema
from .vocab import OrganisatieStatus, PartnerOrganisatie

MSG_DISMISS_REASON = "Schrijf op waarom deze organisatie niet nodig is."


def _organisation_check(o: dict, ctx: Any, errors: Errors) -> None:
    if o.get("status") == OrganisatieStatus.AFGEWEZEN.value and "dismiss_reason" in o \
            and not (o.get("dismiss_reason") or "").strip():
        errors.add("dismiss_reason", MSG_DISMISS_REASON)


ORGANISATION = Schema(
    fields={
        "organisation": Field(choice(PartnerOrganisatie, "Kies de organisatie."), required=True, fixed=True,
                              required_msg="Kies de organisatie.", doc="PartnerOrganisatie code"),
        "name": Field(opt_text(200), doc="the organisation's own name (e.g. Veilig Thuis Noordrand)"),
        "contact_person": Field(opt_text(120), doc="contactpersoon (display name)"),
        "contact_details": Field(opt_text(200), doc="how to reach them (phone, team mailbox)"),
        "last_contact": Field(a_date(not_future=True), doc="last spoken with (when not recorded as a contact)"),
        "status": Field(choice(OrganisatieStatus, "Kies de status."), default=OrganisatieStatus.ACTIEF.value,
                        doc="ACTIEF (involved) | AFGEWEZEN (proposal dismissed)"),
        "dismiss_reason": Field(text(1000), default="", doc="why a proposal was dismissed; required when AFGEWEZEN"),
        "note": Field(text(2000), default="", doc="toelichting"),
    },
    check=_organisation_check,
)


def _step(value: Any, ctx: Any) -> str:
    if not isinstance(value, str) or value not in STEP_CODES:
        raise Bad("Deze stap hoort bij geen enkel signaal.")
    return value


def _flag_step_check(s: dict, ctx: Any, errors: Errors) -> None:
    found = ctx.record(s.get("flag_id")) if s.get("flag_id") else None
    if found is None:
        return
    if s.get("step") not in {x.code for x in steps_for(found[1].get("raised_by_rule"))}:
        errors.add("step", "Deze stap hoort niet bij dit signaal.")


FLAG_STEP = Schema(
    fields={
        "flag_id": Field(ref("flag", "Het signaal is niet gevonden."), required=True,
                         required_msg="Het signaal is niet gevonden.", doc="the automatic flag"),
        "step": Field(leaf(_step, "step code of flag_steps.FLAG_STEPS"), required=True,
                      required_msg="Kies de stap.", doc="step code (flag_steps.FLAG_STEPS of the flag's rule)"),
        "done": Field(boolean(), default=True, doc="false unticks the step"),
        "by": Field(opt_text(120), doc="who ticked it (display name)"),
        "at": Field(moment(), default_fn=lambda ctx: ctx.now, doc="when (ms); the latest per step counts"),
        "note": Field(text(1000), default="", doc="toelichting"),
    },
    check=_flag_step_check,
)
