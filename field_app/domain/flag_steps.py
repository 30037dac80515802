""""En nu?": the short action list of every automatic flag rule (DOMAIN.md §4.3, the Willem case).

Each :class:`~field_app.domain.vocab.FlagRegel` carries a few steps taken from DOMAIN.md's procedures. A
worker ticks a step; each tick is a ``flag_step`` note ``{flag_id, step, done, by, at}`` (see
:mod:`records_partner`). Ticks are notes, not a field on the flag, so two devices that tick different steps
of the same flag offline both keep their tick after sync (a ``set`` of one dict field is last-writer-wins
as a whole). For one step the latest tick by ``at`` (then record id) counts; ``done: false`` unticks.

A flag is resolved when every *required* step is done (:func:`resolution`), or by hand with a reason.
The steps, their wording and which are required are this app's reading of the procedures **(verify)**
with the 3RO organisations and the ZVH.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .vocab import FlagRegel


@dataclass(frozen=True)
class Step:
    code: str
    nl: str
    en: str
    required: bool = True

    def label(self, lang: str) -> str:
        return self.en if lang == "en" else self.nl


G = FlagRegel
_INFORM_TEAMLEIDER = Step("TEAMLEIDER_INFORMEREN", "Informeer de teamleider (en de werkbegeleider)",
                          "Inform the team leader (and the supervisor)")
_INFORM_PR = Step("PROCESREGISSEUR_INFORMEREN", "Informeer de procesregisseur ZVH", "Inform the ZVH process director")
_RECORD = Step("VASTLEGGEN", "Leg vast wat er is gebeurd en afgesproken (contact of aanvulling)",
               "Record what happened and what was agreed (a contact or an addendum)")


def _acute(first: Step) -> tuple[Step, ...]:
    return (first,
            Step("VEILIGHEID_NU", "Zorg dat niemand nu in gevaar is (jezelf ook): blijf niet alleen",
                 "Make sure nobody is in danger now (yourself too): do not stay alone"),
            _INFORM_TEAMLEIDER, _INFORM_PR, _RECORD,
            Step("VERVOLG_CASUSOVERLEG", "Zet het op de agenda van het casusoverleg",
                 "Put it on the case conference agenda", required=False))


# The one table: automatic rule → its steps, in the order to do them.
FLAG_STEPS: dict[str, tuple[Step, ...]] = {
    G.OVERGANG_TE_LAAT.value: (
        Step("VERWACHTE_TIJD", "Vraag DV&O of de instelling naar de verwachte aankomsttijd",
             "Ask DV&O or the institution for the expected arrival time"),
        Step("ONTVANGER_INFORMEREN", "Informeer de ontvangende instelling", "Inform the receiving institution"),
        Step("WIE_BLIJFT", "Spreek af wie er intussen bij de cliënt blijft",
             "Agree who stays with the client meanwhile"),
        _INFORM_PR,
        Step("AANKOMST_VASTLEGGEN", "Leg de werkelijke aankomsttijd vast (Aangekomen)",
             "Record the actual arrival time (Arrived)"),
    ),
    G.OVERGANG_MISLUKT.value: (
        Step("WAAR_NU", "Stel vast waar de cliënt nu is en of hij een slaapplek heeft",
             "Find out where the client is now and whether he has a bed tonight"),
        _INFORM_PR,
        Step("GEMEENTE_NAZORG", "Informeer de gemeente (nazorgcoördinator): spoedprocedure",
             "Inform the municipality (aftercare coordinator): urgent procedure"),
        Step("OPDRACHTGEVER", "Informeer de opdrachtgever als een voorwaarde niet kan ingaan",
             "Inform the commissioning authority if a condition cannot start"),
        Step("NIEUWE_DATUM", "Plan een nieuwe overgang", "Plan a new transition"),
    ),
    G.ACUUT_RISICO_POLITIE.value: _acute(Step("BEL_112", "Bel 112 of de politie", "Call 112 or the police")),
    G.ACUUT_RISICO_GGZ.value: _acute(Step("BEL_CRISISDIENST", "Bel de GGZ-crisisdienst (of de huisarts)",
                                          "Call the mental-health crisis service (or the GP)")),
    G.ACUUT_RISICO_VEILIG_THUIS.value: _acute(Step("MELD_VT", "Meld bij Veilig Thuis (meldcode: acuut, altijd melden)",
                                                   "Report to Veilig Thuis (reporting code: acute, always report)")),
    G.ACUUT_RISICO_OM.value: _acute(Step("OM_PIKET", "Bel het OM-piket via de reclassering",
                                         "Call the prosecutor on duty through probation")),
    G.OVERTREDING_SLACHTOFFER.value: (
        Step("SLACHTOFFER_VEILIG", "Ga na of het slachtoffer nu veilig is; zo niet: politie (112)",
             "Check whether the victim is safe now; if not: the police (112)"),
        Step("OM_PIKET", "Spoedmelding aan het OM (piket) via de reclassering",
             "Urgent notification to the prosecutor on duty through probation"),
        _INFORM_TEAMLEIDER,
        Step("SPOEDRAPPORTAGE", "Schrijf de spoedrapportage", "Write the urgent report"),
        _INFORM_PR,
    ),
    G.KADER_VERVALLEN.value: (
        Step("SPOED_NAZORG", "Start de spoedprocedure nazorg (ID, onderdak, inkomen, zorg, schulden)",
             "Start the urgent aftercare procedure (ID, housing, income, care, debts)"),
        Step("REGIME_DRANG", "Spreek drang of vrijwillige hulp af met de persoon",
             "Agree pressure or voluntary help with the person"),
        Step("GEMEENTE_NAZORG", "Informeer de gemeente (nazorgcoördinator)",
             "Inform the municipality (aftercare coordinator)"),
        Step("VT_AFWEGING", "Doe de meldcode-afweging als er een (mogelijk) slachtoffer of kind is",
             "Do the reporting-code weighing when there is a (possible) victim or a child", required=False),
        Step("CASUSOVERLEG", "Plan een casusoverleg", "Plan a case conference"),
    ),
    G.VERHUIZING_SLACHTOFFERADRES.value: (
        Step("MELDCODE", "Doe de meldcode-afweging", "Do the reporting-code weighing"),
        Step("SLACHTOFFER_APART", "Spreek het slachtoffer apart (met toestemming)",
             "Talk to the victim on their own (with consent)"),
        Step("MELD_VT", "Meld bij Veilig Thuis als de afweging dat zegt",
             "Report to Veilig Thuis when the weighing says so"),
        Step("ANDERE_WOONPLEK", "Zoek met de gemeente een andere woonplek",
             "Look for another place to live with the municipality", required=False),
        Step("CASUSOVERLEG", "Bespreek het in het casusoverleg (met VT en de gemeente)",
             "Discuss it in the case conference (with VT and the municipality)"),
    ),
}

STEP_CODES: frozenset[str] = frozenset(s.code for steps in FLAG_STEPS.values() for s in steps)


def steps_for(rule: str | None) -> tuple[Step, ...]:
    """The action list of an automatic flag rule; empty for a flag raised by hand."""
    return FLAG_STEPS.get(rule or "", ())


@dataclass(frozen=True)
class Tick:
    step: str
    done: bool
    by: str
    at: int
    record_id: str


def ticks(ctx: Any, flag_id: str) -> dict[str, Tick]:
    """The tick that counts per step of this flag (the latest by ``at``, then record id)."""
    latest: dict[str, Tick] = {}
    for rid, f in ctx.records("flag_step"):
        if f.get("flag_id") != flag_id or type(f.get("at")) is not int:
            continue
        tick = Tick(f.get("step", ""), f.get("done") is not False, f.get("by") or "", f["at"], rid)
        best = latest.get(tick.step)
        if best is None or (tick.at, tick.record_id) > (best.at, best.record_id):
            latest[tick.step] = tick
    return latest


def progress(ctx: Any, flag_id: str, rule: str | None) -> list[tuple[Step, Tick | None]]:
    """Each step of the flag's rule with the tick that marks it done (``None`` when open)."""
    done = ticks(ctx, flag_id)
    return [(s, done[s.code] if s.code in done and done[s.code].done else None) for s in steps_for(rule)]


def required_done(ctx: Any, flag_id: str, rule: str | None) -> bool:
    """True when the rule has steps and every required one is ticked."""
    rows = progress(ctx, flag_id, rule)
    return bool(rows) and all(t is not None for s, t in rows if s.required)


def resolution(ctx: Any, flag_id: str, rule: str | None) -> dict | None:
    """The ``set`` that resolves the flag once its required steps are done, else ``None``."""
    if not required_done(ctx, flag_id, rule):
        return None
    rows = progress(ctx, flag_id, rule)
    done = [s.nl for s, t in rows if t is not None]
    note = "Alle verplichte stappen gedaan: " + "; ".join(done) + "."
    return {"status": "AFGEHANDELD", "resolution_note": note[:4000]}
