"""Transitions (overgangsmomenten, DOMAIN.md §9.6): the riskiest moments, with a checklist each."""

from __future__ import annotations

from typing import Any

from .fieldkit import Errors, choice, code_map, moment, opt_text, text
from .schema import Field, Schema
from .vocab import ChecklistItem as C
from .vocab import ChecklistStatus, InformatieBron, NetwerkRol, OvergangStatus, OvergangType, Vervoer

# The five basisvoorwaarden as checklist items (§2).
BASIC_ITEMS: tuple[str, ...] = (C.ID_GELDIG, C.ONDERDAK_EERSTE_NACHT, C.INKOMEN_AANGEVRAAGD, C.SCHULDEN_IN_BEELD,
                                C.ZORGVERZEKERING)

# Which items a new transition starts with. Configurable data, not law **(verify)** with the region.
DEFAULT_CHECKLISTS: dict[str, tuple[str, ...]] = {
    OvergangType.ONTSLAG_DETENTIE: (*BASIC_ITEMS, C.MEDICATIE_MEE, C.OPHALER_BEVESTIGD, C.NETWERK_GEINFORMEERD),
    OvergangType.VI_INGANG: (*BASIC_ITEMS, C.MEDICATIE_MEE, C.RECLASSERING_EERSTE_AFSPRAAK,
                             C.SLACHTOFFER_GEINFORMEERD_VIA_OM, C.OPHALER_BEVESTIGD),
    OvergangType.ISD_EXTRAMURAAL_START: (*BASIC_ITEMS, C.BED_BEVESTIGD, C.MEDICATIE_MEE,
                                         C.BEHANDELAAR_INTAKE_GEPLAND, C.RECLASSERING_EERSTE_AFSPRAAK,
                                         C.OPHALER_BEVESTIGD),
    OvergangType.OVERPLAATSING_KLINIEK_VOORWAARDELIJK: (C.BED_BEVESTIGD, C.MEDICATIE_MEE,
                                                        C.BEHANDELAAR_INTAKE_GEPLAND, C.ID_GELDIG,
                                                        C.ZORGVERZEKERING, C.OPHALER_BEVESTIGD,
                                                        C.RECLASSERING_EERSTE_AFSPRAAK),
    OvergangType.VRIJLATING_NA_ZITTING: (*BASIC_ITEMS, C.VOORSCHOT, C.MEDICATIE_MEE, C.NETWERK_GEINFORMEERD),
    OvergangType.SCHORSING_VH: (C.ID_GELDIG, C.ONDERDAK_EERSTE_NACHT, C.INKOMEN_AANGEVRAAGD, C.ZORGVERZEKERING,
                                C.RECLASSERING_EERSTE_AFSPRAAK, C.SLACHTOFFER_GEINFORMEERD_VIA_OM),
    OvergangType.EINDE_TBS_OF_VB: (*BASIC_ITEMS, C.MEDICATIE_MEE, C.BEHANDELAAR_INTAKE_GEPLAND,
                                   C.BURGEMEESTER_BIJ, C.NETWERK_GEINFORMEERD),
    OvergangType.OPNAME_CRISIS: (C.BED_BEVESTIGD, C.MEDICATIE_MEE, C.NETWERK_GEINFORMEERD),
    OvergangType.TIME_OUT: (C.BED_BEVESTIGD, C.MEDICATIE_MEE, C.OPHALER_BEVESTIGD, C.NETWERK_GEINFORMEERD),
    OvergangType.VERHUIZING: (C.ONDERDAK_EERSTE_NACHT, C.NETWERK_GEINFORMEERD),
}

# Statuses after which a transition no longer needs watching.
CLOSED_STATUSES = frozenset({OvergangStatus.AANGEKOMEN.value, OvergangStatus.MISLUKT.value,
                             OvergangStatus.GEANNULEERD.value})
VICTIM_ROLES = frozenset({NetwerkRol.SLACHTOFFER.value, NetwerkRol.MOGELIJK_SLACHTOFFER.value})


def default_checklist(transition_type: str, *, victim_in_network: bool = False) -> dict[str, str]:
    """The items a new transition of this type starts with, all ``OPEN``. With a (possible) victim or a
    child in the household the Veilig Thuis weighing is added."""
    items = list(DEFAULT_CHECKLISTS.get(transition_type, BASIC_ITEMS))
    if victim_in_network and C.VT_AFWEGING_GEDAAN not in items:
        items.append(C.VT_AFWEGING_GEDAAN)
    return {str(item): ChecklistStatus.OPEN.value for item in items}


def victim_in_network(ctx: Any) -> bool:
    """A (possible) victim in the network, or a minor living with the person."""
    return any(VICTIM_ROLES & set(f.get("roles") or []) or (f.get("minor") and f.get("lives_with_client"))
               for _, f in ctx.records("network_person"))


def _transition_check(t: dict, ctx: Any, errors: Errors) -> None:
    if t.get("status") == OvergangStatus.AANGEKOMEN.value and t.get("actual_at") is None and "actual_at" in t:
        errors.add("actual_at", "Vul in wanneer de persoon is aangekomen.")
    if t.get("actual_at") is not None and t["actual_at"] > ctx.now + 10 * 60 * 1000:
        errors.add("actual_at", "Het werkelijke tijdstip ligt in de toekomst.")


TRANSITION = Schema(
    fields={
        "transition_type": Field(choice(OvergangType, "Kies het soort overgang."), required=True,
                                 required_msg="Kies het soort overgang.", doc="type (§9.6)"),
        "from_place": Field(opt_text(200), doc="van_locatie"),
        "to_place": Field(opt_text(200), doc="naar_locatie"),
        "planned_at": Field(moment(), doc="gepland_tijdstip (ms)"),
        "actual_at": Field(moment(), doc="werkelijk_tijdstip (ms); required when AANGEKOMEN"),
        "transport": Field(choice(Vervoer), doc="vervoer"),
        "accompanied_by": Field(opt_text(120), doc="begeleider"),
        "information_source": Field(choice(InformatieBron), doc="informatie_bron"),
        "status": Field(choice(OvergangStatus, "Kies de status."), default=OvergangStatus.GEPLAND.value,
                        doc="status"),
        "checklist": Field(code_map(C, ChecklistStatus), doc="{ChecklistItem: ChecklistStatus}; default "
                           "default_checklist(type); an update merges items (null removes one)"),
        "note": Field(text(2000), default="", doc="toelichting"),
    },
    check=_transition_check,
    partial=frozenset({"checklist"}),
)


def create_transition(fields: dict, ctx: Any) -> dict:
    """Like ``TRANSITION.create``; without a checklist the type's default checklist is used."""
    if (isinstance(fields, dict) and fields.get("checklist") is None
            and fields.get("transition_type") in DEFAULT_CHECKLISTS):
        fields = {**fields, "checklist": default_checklist(fields["transition_type"],
                                                           victim_in_network=victim_in_network(ctx))}
    return TRANSITION.create(fields, ctx)
