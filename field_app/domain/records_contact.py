"""The contact note (DOMAIN.md §5, §9.10, §9.12): what happened, compliance per condition, risk signals.

A contact is a note: created once, then only addenda or a retraction. Observed facts (``report``) and
the professional interpretation (``interpretation``) are kept apart on purpose.
"""

from __future__ import annotations

from typing import Any

from .fieldkit import Errors, boolean, choice, moment, opt_boolean, opt_text, ref, refs, text
from .records_legal import condition_applies
from .schema import Field, Schema, list_of, obj, opt_obj
from .timeutil import local_iso
from .vocab import (
    BeschermCategorie,
    BeschermendeFactor,
    Bron,
    ContactType,
    ContactUitkomst,
    Ernst,
    Leefgebied,
    LocatieSoort,
    NalevingStatus,
    NazorgStatus,
    OvertredingErnst,
    OvertredingReactie,
    RisicoDomein,
    Trend,
    VeiligheidMedewerker,
    Zekerheid,
)

MAX_REPORT = 20_000
MAX_RISKS = 20
MSG_REPORT_NEEDED = "Schrijf kort op wat er gebeurde: bij een contact dat plaatsvond is een verslag nodig."
MSG_EXCUSED_NEEDED = "Kies of het wegblijven geoorloofd of ongeoorloofd was."


def _compliance_item_check(item: dict, path: str, errors: Errors, ctx: Any) -> None:
    violation = item.get("status") == NalevingStatus.OVERTREDING.value
    if violation and not item.get("violation"):
        errors.add(f"{path}.violation", "Vul bij een overtreding de ernst en de reactie in.")
    if not violation and item.get("violation"):
        errors.add(f"{path}.violation", "Een overtreding vul je alleen in bij de status 'Overtreding'.")


def _violation_check(v: dict, path: str, errors: Errors, ctx: Any) -> None:
    if v.get("proposed") and v.get("response") and v["proposed"] != v["response"] and not v.get("reason"):
        errors.add(f"{path}.reason", "Je kiest een andere reactie dan voorgesteld: schrijf kort op waarom.")


VIOLATION = opt_obj({
    "severity": Field(choice(OvertredingErnst, "Kies hoe ernstig de overtreding is."), required=True,
                      required_msg="Kies hoe ernstig de overtreding is."),
    "response": Field(choice(OvertredingReactie, "Kies de reactie op de overtreding."), required=True,
                      required_msg="Kies de reactie op de overtreding."),
    "proposed": Field(choice(OvertredingReactie)),  # what the ladder proposed (field_app.domain.ladder)
    "reason": Field(opt_text(1000)),  # why the worker chose otherwise
}, _violation_check,
    kind="{severity: OvertredingErnst, response: OvertredingReactie, proposed, reason} | null")

COMPLIANCE_ITEM = obj({
    "condition_id": Field(ref("condition", "Kies een voorwaarde van deze persoon."), required=True,
                          required_msg="Kies de voorwaarde."),
    "status": Field(choice(NalevingStatus, "Kies of de voorwaarde is nageleefd."), required=True,
                    required_msg="Kies of de voorwaarde is nageleefd."),
    "source": Field(choice(Bron, "Kies de bron.")),
    "evidence": Field(opt_text(200)),
    "note": Field(text(2000), default=""),
    "violation": Field(VIOLATION),
}, _compliance_item_check, kind="{condition_id, status: NalevingStatus, source: Bron, evidence, note, violation}")

RISK_ITEM = obj({
    "domain": Field(choice(RisicoDomein, "Kies voor elk risicosignaal een domein."), required=True,
                    required_msg="Kies voor elk risicosignaal een domein."),
    "severity": Field(choice(Ernst, "Kies voor elk risicosignaal de ernst."), required=True,
                      required_msg="Kies voor elk risicosignaal de ernst."),
    "trend": Field(choice(Trend)),
    "certainty": Field(choice(Zekerheid)),
    "source": Field(choice(Bron)),
    "persons": Field(refs("network_person", "Kies personen uit het netwerk van deze persoon."), default=[]),
    "note": Field(text(1000), default=""),
}, kind="{domain: RisicoDomein, severity: Ernst, trend, certainty, source, persons: [id], note}")

def _contact_check(c: dict, ctx: Any, errors: Errors) -> None:
    outcome = c.get("outcome")
    if outcome == ContactUitkomst.PLAATSGEVONDEN.value and c.get("report") == "":
        errors.add("report", MSG_REPORT_NEEDED)
    if outcome == ContactUitkomst.NIET_VERSCHENEN.value and c.get("excused") is None:
        errors.add("excused", MSG_EXCUSED_NEEDED)  # the ladder needs it: an unexcused no-show may be a violation
    if c.get("excused") is not None and outcome and outcome != ContactUitkomst.NIET_VERSCHENEN.value:
        errors.add("excused", "Geoorloofd of niet vul je alleen in bij 'niet verschenen'.")
    occurred = c.get("occurred_at")
    if occurred is not None and c.get("next_contact_at") is not None and c["next_contact_at"] <= occurred:
        errors.add("next_contact_at", "Het volgende contact moet na dit contact liggen.")
    if occurred is not None and c.get("compliance"):
        day = local_iso(occurred)
        frameworks = dict(ctx.records("framework"))
        conditions = dict(ctx.records("condition"))
        for i, item in enumerate(c["compliance"]):
            cond = conditions.get(item["condition_id"], {})
            if not condition_applies(cond, frameworks.get(cond.get("framework_id")), day):
                errors.add(f"compliance.{i}.condition_id", "Deze voorwaarde gold niet op de dag van het contact.")


CONTACT = Schema(
    fields={
        "contact_type": Field(choice(ContactType, "Kies het soort contact."), required=True,
                              required_msg="Kies het soort contact.", doc="type (§5.1)"),
        "outcome": Field(choice(ContactUitkomst, "Kies de uitkomst van het contact."), required=True,
                         required_msg="Kies de uitkomst van het contact.", doc="uitkomst"),
        "excused": Field(opt_boolean(), doc="no-show excused (geoorloofd)? required with NIET_VERSCHENEN, only then"),
        "occurred_at": Field(moment(not_future=True), required=True, required_msg="Vul een geldig tijdstip in.",
                             doc="when it happened; not after now + 10 min"),
        "recorded_at": Field(moment(), default_fn=lambda ctx: ctx.now, doc="set by the services"),
        "location_kind": Field(choice(LocatieSoort), doc="locatie_soort (coarse, no GPS)"),
        "participants": Field(list_of(obj({
            "name": Field(text(120, single_line=True), required=True, required_msg="Vul een naam in."),
            "role": Field(opt_text(80)),
        }), 20, kind="list[{name, role}]"), default=[], doc="deelnemers besides the worker"),
        "purpose": Field(text(2000), default="", doc="aanleiding en doel"),
        "report": Field(text(MAX_REPORT), default="", doc="verslag_feitelijk: observed facts"),
        "interpretation": Field(text(MAX_REPORT), default="", doc="professionele_duiding, kept apart 🔒"),
        "life_domains": Field(list_of(obj({
            "domain": Field(choice(Leefgebied, "Kies het leefgebied."), required=True,
                            required_msg="Kies het leefgebied."),
            "status": Field(choice(NazorgStatus, "Kies een status."), required=True,
                            required_msg="Kies een status."),
            "note": Field(text(500), default=""),
        }), len(Leefgebied), unique_by="domain", unique_msg="Dit leefgebied staat er twee keer in.",
            kind="list[{domain: Leefgebied, status: NazorgStatus, note}]"), default=[],
            doc="leefgebieden_update"),
        "worker_safety": Field(choice(VeiligheidMedewerker),
                               default=VeiligheidMedewerker.GEEN_BIJZONDERHEDEN.value, doc="veiligheid_medewerker"),
        "duo_next_time": Field(boolean(), default=False, doc="visit in pairs next time"),
        "compliance": Field(list_of(COMPLIANCE_ITEM, 50, unique_by="condition_id",
                                    unique_msg="Deze voorwaarde staat er twee keer in."), default=[],
                            doc="NalevingsCheck per active condition (at most one each)"),
        "risks": Field(list_of(RISK_ITEM, MAX_RISKS, unique_by="domain",
                               unique_msg="Dit domein staat er twee keer in."), default=[],
                       doc="Risicosignaal list, one per domain"),
        "protective": Field(list_of(obj({
            "category": Field(choice(BeschermCategorie, "Kies de soort factor."), required=True,
                              required_msg="Kies de soort factor."),
            "code": Field(choice(BeschermendeFactor, "Kies de factor."), required=True,
                          required_msg="Kies de factor."),
            "note": Field(text(500), default=""),
        }), 20, unique_by=lambda p: (p["category"], p["code"]), unique_msg="Deze factor staat er twee keer in.",
            kind="list[{category: BeschermCategorie, code: BeschermendeFactor, note}]"), default=[],
            doc="beschermende factoren"),
        "agreements": Field(text(4000), default="", doc="afspraken en vervolgacties"),
        "next_contact_at": Field(moment(), doc="volgende contact (ms), after occurred_at"),
    },
    check=_contact_check,
)
