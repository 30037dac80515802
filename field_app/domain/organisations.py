"""Betrokken organisaties (#15): which organisations a case involves, and which it calls for.

``involved(ctx)`` derives every organisation from what the file already holds — the framework's
opdrachtgever, the supervising 3RO organisation, the ZVH case's directors, each condition's enforcer, a
transition's transport and receiving institution, network persons with a professional role, partner
actions, case-conference attendees and the ``organisation`` records a worker added — each with its contact
person and the last recorded contact with it.

``proposed(ctx)`` names the organisations the case calls for that nobody has involved or dismissed yet,
with the reason, from the one table :data:`CALLS_FOR` (DOMAIN.md §3.2, §4.3; **(verify)** per region).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .records_legal import BINDING_STATUSES, LAPSED_STATUSES
from .timeutil import local_ms, parse_date
from .vocab import (
    Ernst,
    Handhaver,
    KaderType,
    MeldcodeBesluit,
    NetwerkRol,
    Opdrachtgever,
    OrganisatieStatus,
    OvergangStatus,
    OvergangType,
    PartnerOrganisatie,
    Relatie,
    RisicoDomein,
    Vervoer,
    VoorwaardeType,
)

P = PartnerOrganisatie

_COMMISSIONER = {Opdrachtgever.RECHTER.value: P.RECHTBANK, Opdrachtgever.OM.value: P.OM,
                 Opdrachtgever.CVVI.value: P.CVVI, Opdrachtgever.DJI.value: P.DJI,
                 Opdrachtgever.BURGEMEESTER.value: P.GEMEENTE}
_TRANSPORT = {Vervoer.DV_O.value: (P.DJI, "DV&O"), Vervoer.POLITIE.value: (P.POLITIE, None)}
# Transitions whose destination is an institution (not a home address).
_TO_INSTITUTION = {OvergangType.OVERPLAATSING_KLINIEK_VOORWAARDELIJK.value, OvergangType.OPNAME_CRISIS.value,
                   OvergangType.TIME_OUT.value, OvergangType.ISD_EXTRAMURAAL_START.value}
# Relations that are a professional role rather than family or friends.
_PROFESSIONAL = {Relatie.WERKGEVER.value}


@dataclass
class Involved:
    """One organisation on the case. ``key`` is the PartnerOrganisatie code, or ``name:<name>`` for one
    known only by name (a named clinic, an employer)."""

    key: str
    code: str | None
    name: str | None = None
    roles: list[tuple[str, str]] = field(default_factory=list)  # (nl, en), why it is involved
    contact: str | None = None
    last_contact: int | None = None  # UTC ms
    record_id: str | None = None  # its ``organisation`` record, when a worker added it

    def add_role(self, nl: str, en: str) -> None:
        if (nl, en) not in self.roles:
            self.roles.append((nl, en))


def _label(vocab: Any, code: Any, lang: str) -> str:
    try:
        return vocab(code).label.get(lang)
    except ValueError:
        return str(code)


class _Book:
    def __init__(self) -> None:
        self.items: dict[str, Involved] = {}

    def add(self, code: Any, nl: str, en: str, *, name: str | None = None, contact: str | None = None) -> Involved:
        code = str(code) if code else None
        key = code or f"name:{(name or '').strip().lower()}"
        item = self.items.get(key) or self.items.setdefault(key, Involved(key, code, name))
        item.add_role(nl, en)
        item.name = item.name or name
        item.contact = item.contact or contact
        return item


def _live_frameworks(ctx: Any) -> list[dict]:
    return [f for _, f in ctx.records("framework") if f.get("framework_type") != KaderType.GEEN_KADER.value
            and f.get("status", "ACTIEF") in BINDING_STATUSES]


def _supervisor(ctx: Any) -> tuple[str | None, str | None]:
    live = [s for _, s in ctx.records("supervision") if s.get("status", "LOPEND") in ("LOPEND", "IN_VOORBEREIDING")]
    return (live[0].get("organisation"), live[0].get("supervisor")) if live else (None, None)


def involved(ctx: Any) -> list[Involved]:
    """Every organisation on the case, the worker's own records first in their place, sorted by name."""
    book = _Book()
    for f in _live_frameworks(ctx):
        org = _COMMISSIONER.get(f.get("commissioner"))
        if org:
            kt = (_label(KaderType, f.get("framework_type"), "nl"), _label(KaderType, f.get("framework_type"), "en"))
            book.add(org, f"Opdrachtgever: {kt[0]}", f"Commissioning authority: {kt[1]}")
    sup_org, supervisor = _supervisor(ctx)
    if sup_org:
        book.add(sup_org, "Toezicht (reclassering)", "Supervision (probation)", contact=supervisor)
    for _, case in ctx.records("zvh_case"):
        if case.get("phase") == "AFGESLOTEN":
            continue
        book.add(P.ZVH, "Procesregie ZVH", "ZVH process direction", contact=case.get("process_director"))
        if case.get("case_director"):
            book.add(P.ZVH, f"Casusregisseur: {case['case_director']}", f"Case director: {case['case_director']}")
    _enforcers(ctx, book, sup_org)
    _transitions(ctx, book)
    for _, person in ctx.records("network_person"):
        if person.get("relation") in _PROFESSIONAL:
            rel = (_label(Relatie, person["relation"], "nl"), _label(Relatie, person["relation"], "en"))
            book.add(None, rel[0], rel[1], name=person.get("name"), contact=person.get("name"))
    for _, action in ctx.records("case_action"):
        owner = action.get("owner") or ""
        code = owner if owner in P.codes() else None
        text = str(action.get("action") or "")[:60]
        book.add(code, f"Afspraak: {text}", f"Action: {text}", name=None if code else owner)
    for _, conf in ctx.records("case_conference"):
        for a in conf.get("attendees") or []:
            book.add(a.get("organisation"), "Deelnemer casusoverleg", "Case conference attendee")
    _worker_records(ctx, book)
    _last_contacts(ctx, book)
    return sorted(book.items.values(), key=lambda i: (i.record_id is None, i.name or i.code or ""))


def _enforcers(ctx: Any, book: _Book, sup_org: str | None) -> None:
    for _, cond in ctx.records("condition"):
        if cond.get("active") is False or not cond.get("enforcer"):
            continue
        what = (_label(VoorwaardeType, cond.get("condition_type"), "nl").lower(),
                _label(VoorwaardeType, cond.get("condition_type"), "en").lower())
        enforcer = cond["enforcer"]
        if enforcer in (Handhaver.POLITIE.value, Handhaver.BEIDE.value):
            book.add(P.POLITIE, f"Handhaaft: {what[0]}", f"Enforces: {what[1]}")
        if enforcer in (Handhaver.RECLASSERING.value, Handhaver.BEIDE.value) and sup_org:
            book.add(sup_org, f"Handhaaft: {what[0]}", f"Enforces: {what[1]}")


def _transitions(ctx: Any, book: _Book) -> None:
    for _, t in ctx.records("transition"):
        if t.get("status") in (OvergangStatus.GEANNULEERD.value,):
            continue
        org = _TRANSPORT.get(t.get("transport"))
        if org:
            book.add(org[0], "Vervoer bij de overgang", "Transport at the transition", name=org[1])
        if t.get("transition_type") in _TO_INSTITUTION and t.get("to_place"):
            book.add(None, "Ontvangende instelling", "Receiving institution", name=t["to_place"])


def _worker_records(ctx: Any, book: _Book) -> None:
    for rid, o in ctx.records("organisation"):
        if o.get("status") != OrganisatieStatus.ACTIEF.value:
            continue
        item = book.add(o.get("organisation"), "Toegevoegd als betrokken", "Added as involved", name=o.get("name"))
        item.record_id = rid
        if o.get("contact_person"):
            item.contact = o["contact_person"]
        if o.get("last_contact"):
            item.last_contact = max(item.last_contact or 0, local_ms(parse_date(o["last_contact"])))


# Words that name an organisation in a contact's participants **(verify)**.
ALIASES: dict[str, tuple[str, ...]] = {
    P.DJI.value: ("dji", "dv&o", "pi"), P.POLITIE.value: ("politie", "wijkagent"), P.ZVH.value: ("zvh",),
    P.GEMEENTE.value: ("gemeente",), P.VEILIG_THUIS.value: ("veilig thuis", "vt"), P.OM.value: ("om", "officier"),
    P.RN.value: ("rn",), P.SVG.value: ("svg",), P.LJR.value: ("lj&r", "leger des heils"),
    P.VERSLAVINGSZORG.value: ("verslavingszorg",), P.GGZ.value: ("ggz",), P.HUISARTS.value: ("huisarts",),
    P.EM_MELDKAMER.value: ("meldkamer",), P.GGZ_CRISISDIENST.value: ("crisisdienst",),
}
_SKIP = {"de", "het", "een", "van", "fictief"}


def _names_of(item: Involved) -> set[str]:
    words = set(ALIASES.get(item.code or "", ()))
    if item.contact:
        words.add(item.contact.lower())
    for token in re.findall(r"[\w&]+", (item.name or "").lower()):
        if len(token) >= 3 and token not in _SKIP:
            words.add(token)
    return words


def _mentions(text: str, word: str) -> bool:
    return re.search(rf"(?<![\w&]){re.escape(word)}(?![\w&])", text) is not None


def _last_contacts(ctx: Any, book: _Book) -> None:
    """A conference attended, or a contact whose participants name the organisation or its contact person."""
    for _, conf in ctx.records("case_conference"):
        at = local_ms(parse_date(conf["date"])) if conf.get("date") else None
        for a in conf.get("attendees") or []:
            item = book.items.get(a.get("organisation") or "")
            if item and at:
                item.last_contact = max(item.last_contact or 0, at)
    for _, contact in ctx.records("contact"):
        at = contact.get("occurred_at")
        words = " ".join(f"{p.get('name', '')} {p.get('role') or ''}" for p in contact.get("participants") or [])
        words = words.lower()
        if type(at) is not int or not words.strip():
            continue
        for item in book.items.values():
            if any(_mentions(words, n) for n in _names_of(item)):
                item.last_contact = max(item.last_contact or 0, at)


# -- what the case calls for -----------------------------------------------------------------------

def _risks(ctx: Any, domains: set[str], min_rank: int = 0) -> bool:
    return any(isinstance(r, dict) and r.get("domain") in domains and Ernst(r.get("severity")).rank >= min_rank
               for _, c in ctx.records("contact") for r in c.get("risks") or [] if r.get("severity") in Ernst.codes())


def _victim_at_home(ctx: Any) -> bool:
    return any(NetwerkRol.SLACHTOFFER.value in (p.get("roles") or []) and p.get("lives_with_client")
               for _, p in ctx.records("network_person"))


def _dv_signal(ctx: Any) -> bool:
    return (_risks(ctx, {RisicoDomein.HUISELIJK_GEWELD.value, RisicoDomein.KINDERVEILIGHEID.value})
            or _victim_at_home(ctx)
            or any(m.get("decision") == MeldcodeBesluit.MELDEN_VT.value for _, m in ctx.records("meldcode")))


def _active_conditions(ctx: Any) -> list[dict]:
    return [c for _, c in ctx.records("condition") if c.get("active") is not False]


def _em(ctx: Any) -> bool:
    return any({"EM_GPS", "EM_RF"} & set(c.get("control_means") or []) for c in _active_conditions(ctx))


def _victim_ban(ctx: Any) -> bool:
    from .rules import victim_related
    return any(victim_related(c) for c in _active_conditions(ctx))


def _acute_psych(ctx: Any) -> bool:
    return _risks(ctx, {RisicoDomein.SUICIDALITEIT.value, RisicoDomein.EMOTIONEEL_PSYCHISCH.value,
                        RisicoDomein.MEDICATIEONTROUW.value}, Ernst.ACUUT.rank)


def _child_at_risk(ctx: Any) -> bool:
    minors = any(p.get("minor") for _, p in ctx.records("network_person"))
    return minors and _dv_signal(ctx)


def _no_framework(ctx: Any) -> bool:
    real = [f for _, f in ctx.records("framework") if f.get("framework_type") != KaderType.GEEN_KADER.value]
    return bool(real) and not _live_frameworks(ctx) and any(f.get("status") in LAPSED_STATUSES for f in real)


def _release(ctx: Any) -> bool:
    kinds = {OvergangType.ONTSLAG_DETENTIE.value, OvergangType.VRIJLATING_NA_ZITTING.value,
             OvergangType.VI_INGANG.value}
    return any(t.get("transition_type") in kinds for _, t in ctx.records("transition"))


def _addiction(ctx: Any) -> bool:
    return _risks(ctx, {RisicoDomein.ALCOHOL.value, RisicoDomein.DRUGS.value}, Ernst.HOOG.rank)


def _homeless(ctx: Any) -> bool:
    found = ctx.record(ctx.client_id)
    return bool(found) and found[1].get("housing_type") in ("DAKLOOS", "MAATSCHAPPELIJKE_OPVANG")


@dataclass(frozen=True)
class CallsFor:
    code: str  # rule code (stable, for tests and dismissals)
    organisation: PartnerOrganisatie
    when: Callable[[Any], bool]
    nl: str
    en: str


# The one table **(verify)**: a situation in the file → the organisation it calls for, and why.
CALLS_FOR: tuple[CallsFor, ...] = (
    CallsFor("HG_SIGNAAL", P.VEILIG_THUIS, _dv_signal,
             "Signaal van huiselijk geweld of een slachtoffer in huis: meldcode, Veilig Thuis (§4.3).",
             "Domestic-violence signal or a victim at home: reporting code, Veilig Thuis (§4.3)."),
    CallsFor("KIND_BETROKKEN", P.RVDK, _child_at_risk,
             "Kinderen in beeld bij een signaal van huiselijk geweld: GI of Raad voor de Kinderbescherming.",
             "Children involved with a domestic-violence signal: youth protection or child protection board."),
    CallsFor("EM_MELDKAMER", P.EM_MELDKAMER, _em,
             "Enkelband (EM) bij een voorwaarde: de meldkamer van de reclassering bewaakt de signalen.",
             "Ankle tag (EM) on a condition: the probation monitoring room watches the alerts."),
    CallsFor("EM_DJI", P.DJI, _em,
             "Enkelband (EM): DJI (DV&O) plaatst en onderhoudt de band.",
             "Ankle tag (EM): DJI (DV&O) fits and maintains the tag."),
    CallsFor("SLACHTOFFER_VERBOD", P.POLITIE, _victim_ban,
             "Contact- of locatieverbod dat een slachtoffer beschermt: de politie handhaaft en wordt bij een "
             "overtreding direct ingeschakeld.",
             "Contact or zone ban protecting a victim: the police enforce it and are called at once on a breach."),
    CallsFor("ACUUT_PSYCHISCH", P.GGZ_CRISISDIENST, _acute_psych,
             "Acuut psychisch risico of suïcidaliteit vastgelegd: GGZ-crisisdienst.",
             "Acute mental-health risk or suicidality recorded: mental-health crisis service."),
    CallsFor("GEEN_KADER", P.GEMEENTE, _no_framework,
             "Geen justitieel kader meer: spoedprocedure nazorg bij de gemeente.",
             "No legal framework left: urgent aftercare procedure with the municipality."),
    CallsFor("VRIJLATING", P.GEMEENTE, _release,
             "Vrijlating of ontslag: nazorg (ID, onderdak, inkomen, zorg) bij de gemeente.",
             "Release: aftercare (ID, housing, income, care) with the municipality."),
    CallsFor("VERSLAVING", P.VERSLAVINGSZORG, _addiction,
             "Hoog risico alcohol of drugs vastgelegd: verslavingszorg.",
             "High alcohol or drug risk recorded: addiction care."),
    CallsFor("GEEN_ONDERDAK", P.MAATSCHAPPELIJKE_OPVANG, _homeless,
             "Dak- of thuisloos of in de opvang: maatschappelijke opvang.",
             "Homeless or in a shelter: the shelter organisation."),
)


@dataclass(frozen=True)
class Proposal:
    organisation: str  # PartnerOrganisatie code
    rules: tuple[str, ...]  # CALLS_FOR codes
    reasons: tuple[tuple[str, str], ...]  # (nl, en)

    def reason(self, lang: str) -> str:
        return " ".join(en if lang == "en" else nl for nl, en in self.reasons)


def proposed(ctx: Any, involved_now: list[Involved] | None = None) -> list[Proposal]:
    """Organisations the case calls for that are not involved, and not dismissed by a worker."""
    have = {i.code for i in (involved(ctx) if involved_now is None else involved_now) if i.code}
    dismissed = {o.get("organisation") for _, o in ctx.records("organisation")
                 if o.get("status") == OrganisatieStatus.AFGEWEZEN.value}
    found: dict[str, list[CallsFor]] = {}
    for row in CALLS_FOR:
        org = row.organisation.value
        if org in have or org in dismissed or not row.when(ctx):
            continue
        found.setdefault(org, []).append(row)
    return [Proposal(org, tuple(r.code for r in rows), tuple((r.nl, r.en) for r in rows))
            for org, rows in found.items()]
