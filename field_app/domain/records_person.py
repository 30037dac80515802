"""The person (client), their network, and the aftercare overview (DOMAIN.md §9.2, §9.3, §9.7)."""

from __future__ import annotations

from typing import Any

from .fieldkit import Errors, a_date, boolean, choice, choices, code_map, moment, opt_text, text
from .schema import Field, Schema, obj
from .vocab import (
    ChecklistItem,
    ChecklistStatus,
    ClientStatus,
    Geslacht,
    KaderRegime,
    Leefgebied,
    LvbIndicatie,
    NazorgStatus,
    NetwerkRol,
    Relatie,
    Veiligheidswaarschuwing,
    Verblijfstype,
)

MAX_NAME = 120
MAX_NOTE = 2000


# Demo and training workers carry this marker after their name ("Lotte de Boer (fictief)").
FICTIONAL_MARK = "(fictief)"


def same_person(a: Any, b: Any) -> bool:
    """Two worker names for the same person: equal apart from case, spacing and the "(fictief)" marker."""
    def norm(name: Any) -> str:
        words = " ".join(str(name or "").split()).casefold()
        return words.removesuffix(FICTIONAL_MARK).strip()
    return bool(norm(a)) and norm(a) == norm(b)


def _client_check(c: dict, ctx: Any, errors: Errors) -> None:
    if c.get("cover_until") and not c.get("cover_by"):
        errors.add("cover_by", "Vul in wie waarneemt.")
    if c.get("cover_by") and not c.get("cover_until"):
        errors.add("cover_until", "Vul in tot wanneer de waarneming loopt.")


def _assignment_check(c: dict, ctx: Any, errors: Errors) -> None:
    # a cover (waarneming) is someone else taking over the case manager's clients for a while
    if c.get("cover_by") and same_person(c.get("cover_by"), c.get("assigned_to")):
        errors.add("cover_by", f"De waarnemer is dezelfde persoon als de casusverantwoordelijke ({c['assigned_to']}); "
                               "niemand kan voor zichzelf waarnemen. Kies een collega als waarnemer.")


CLIENT = Schema(
    fields={
        "display_name": Field(text(MAX_NAME, single_line=True), required=True, required_msg="Vul een naam in.",
                              doc="name shown in the app (pseudonym allowed in demo/training)"),
        "birth_date": Field(a_date(not_future=True), doc="geboortedatum"),
        "gender": Field(choice(Geslacht), default=Geslacht.ONBEKEND.value, doc="geslacht"),
        "housing_type": Field(choice(Verblijfstype, "Kies waar de persoon verblijft."),
                              default=Verblijfstype.ONBEKEND.value, doc="verblijfstype"),
        "address_note": Field(text(500), default="", doc="verblijfsadres or where to find the person"),
        "safety_warning": Field(choice(Veiligheidswaarschuwing, "Kies een veiligheidswaarschuwing."),
                                default=Veiligheidswaarschuwing.GEEN.value, doc="veiligheidswaarschuwing"),
        "safety_note": Field(text(MAX_NOTE), default="", doc="why the safety warning applies"),
        "lvb": Field(choice(LvbIndicatie), doc="lvb_indicatie 🔒 (null = not assessed)"),
        "interpreter_language": Field(opt_text(60), doc="language when an interpreter is needed"),
        "regime": Field(choice(KaderRegime), doc="kader_regime (dwang/drang/vrijwillig/gemengd)"),
        "status": Field(choice(ClientStatus), default=ClientStatus.ACTIEF.value, doc="in the caseload or closed"),
        "assigned_to": Field(opt_text(MAX_NAME), doc="display name of the responsible worker"),
        "cover_by": Field(opt_text(MAX_NAME), doc="holiday cover: display name of the covering worker"),
        "cover_until": Field(a_date(), doc="last day of the holiday cover"),
        "fictional": Field(boolean(), default=False, doc="demo/training person"),
        "created_at": Field(moment(), fixed=True, default_fn=lambda ctx: ctx.now, doc="set once"),
    },
    check=_client_check,
    # only when the assignment or the cover is written: a client stored with a self-cover before this check
    # existed can still be edited in its other fields
    guard=(frozenset({"assigned_to", "cover_by"}), _assignment_check),
)

NETWORK_PERSON = Schema(
    fields={
        "name": Field(text(MAX_NAME, single_line=True), required=True, required_msg="Vul een naam in.",
                      doc="name or description"),
        "relation": Field(choice(Relatie, "Kies de relatie tot de persoon."), required=True,
                          required_msg="Kies de relatie tot de persoon.", doc="relatie"),
        "roles": Field(choices(NetwerkRol), default=[], doc="rollen"),
        "minor": Field(boolean(), default=False, doc="minderjarig: triggers child-safety prompts"),
        "lives_with_client": Field(boolean(), default=False, doc="woont samen met betrokkene"),
        "consent_collateral": Field(boolean(), default=False, doc="consent for collateral contact"),
        "note": Field(text(MAX_NOTE), default="", doc="toelichting"),
    },
)

# The five basisvoorwaarden plus the social network; each is its own field so two devices that update
# different areas offline both keep their change (fields merge last-writer-wins one by one).
AFTERCARE_AREAS: tuple[str, ...] = tuple(c for c in Leefgebied.codes() if c != Leefgebied.DAGBESTEDING)

_AREA = obj({
    "status": Field(choice(NazorgStatus, "Kies een status."), default=NazorgStatus.ONBEKEND.value),
    "note": Field(text(1000), default=""),
    "owner": Field(opt_text(MAX_NAME)),
    "as_of": Field(a_date()),
}, kind="{status: NazorgStatus, note, owner, as_of: date}")


def empty_area() -> dict:
    return {"status": NazorgStatus.ONBEKEND.value, "note": "", "owner": None, "as_of": None}


AFTERCARE = Schema(
    fields={
        **{area: Field(_AREA, default=empty_area(), doc=f"nazorg area {Leefgebied(area).label.en}")
           for area in AFTERCARE_AREAS},
        "spoed": Field(boolean(), default=False, doc="spoedprocedure nazorg opened"),
        "spoed_checklist": Field(code_map(ChecklistItem, ChecklistStatus), default={},
                                 doc="{ChecklistItem: ChecklistStatus} of the spoedprocedure"),
        "note": Field(text(MAX_NOTE), default="", doc="toelichting"),
    },
    partial=frozenset({*AFTERCARE_AREAS, "spoed_checklist"}),
)
