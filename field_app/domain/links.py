"""Records that answer a flag (issue #14): what the person or the worker did settles an open flag, with a
note saying what happened, on every device the same way (the writes are deterministic, like the rules').

* A late transition (``OVERGANG_TE_LAAT``) is settled when the actual arrival is recorded: *Afgehandeld*,
  "Aangekomen op 3 okt 2025 18:20."
* A flag a meldcode weighing is about (``flag_id``) gets the decision: *Geen vermoeden* or *Hulp bieden of
  organiseren* settle it; *Melden bij Veilig Thuis* puts it *In behandeling* (the report itself is still to
  be made) **(verify)** with the decision as its note.

A flag that asks for the weighing (route Veilig Thuis, e.g. *woont bij slachtoffer*) offers the meldcode
form (:func:`asks_for_meldcode`); a weighing opened without a flag is about the open automatic
*woont bij slachtoffer* flag (:func:`flag_awaiting_weighing`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .meldcode import meldcode_decision
from .timeutil import format_moment
from .vocab import FlagRegel, FlagStatus, MeldcodeBesluit, Route

__all__ = ["Settlement", "settlements", "asks_for_meldcode", "flag_awaiting_weighing", "arrival_note",
           "weighing_note"]

OPEN = (FlagStatus.OPEN.value, FlagStatus.IN_BEHANDELING.value)


@dataclass(frozen=True)
class Settlement:
    """A ``set`` on a flag: ``fields`` are the changes (status, resolution_note); ``step`` the step of the
    flag's own list that the settling record answers (ticked with it), if any."""

    flag_id: str
    fields: dict
    step: str | None = None


def arrival_note(actual_at: int) -> str:
    return f"Aangekomen op {format_moment(actual_at, 'nl')}."


def weighing_note(decision: str) -> str:
    label = MeldcodeBesluit(decision).label.nl
    if decision == MeldcodeBesluit.MELDEN_VT.value:
        return f"Meldcode-afweging gedaan, besluit: {label}. De melding is nog te doen."
    return f"Meldcode-afweging gedaan, besluit: {label}."


def _open(flag: dict) -> bool:
    return flag.get("status", FlagStatus.OPEN.value) in OPEN


ARRIVAL_STEP = "AANKOMST_VASTLEGGEN"  # the late-transition flag's last step (domain/flag_steps.py)


def settlements(ctx: Any) -> list[Settlement]:
    """The flag changes the client's records call for now (none once they are written)."""
    transitions = dict(ctx.records("transition"))
    decided: dict[str, str] = {}
    for _mid, m in ctx.records("meldcode"):
        decision = m.get("decision") or meldcode_decision(m)
        if m.get("flag_id") and decision:
            decided[m["flag_id"]] = decision
    out = []
    for fid, flag in ctx.records("flag"):
        if not _open(flag):
            continue
        change: dict | None = None
        step = None
        source = transitions.get(flag.get("source_id"))
        if flag.get("raised_by_rule") == FlagRegel.OVERGANG_TE_LAAT.value and source is not None \
                and type(source.get("actual_at")) is int:
            change = {"status": FlagStatus.AFGEHANDELD.value, "resolution_note": arrival_note(source["actual_at"])}
            step = ARRIVAL_STEP  # "Leg de werkelijke aankomsttijd vast": that is what Aangekomen did
        elif fid in decided:
            decision = decided[fid]
            status = (FlagStatus.IN_BEHANDELING.value if decision == MeldcodeBesluit.MELDEN_VT.value
                      else FlagStatus.AFGEHANDELD.value)
            change = {"status": status, "resolution_note": weighing_note(decision)}
        if change and flag.get("resolution_note") != change["resolution_note"]:  # written once
            out.append(Settlement(fid, change, step))
    return out


def asks_for_meldcode(flag: dict) -> bool:
    """An open flag whose route is a Veilig Thuis report: its card offers the meldcode weighing."""
    return _open(flag) and flag.get("route") == Route.VEILIG_THUIS_MELDING.value


def flag_awaiting_weighing(ctx: Any) -> str | None:
    """The open automatic *woont bij slachtoffer* flag of this client that no weighing answered yet."""
    weighed = {m.get("flag_id") for _, m in ctx.records("meldcode")}
    for fid, flag in ctx.records("flag"):
        if (_open(flag) and flag.get("raised_by_rule") == FlagRegel.VERHUIZING_SLACHTOFFERADRES.value
                and fid not in weighed):
            return fid
    return None
