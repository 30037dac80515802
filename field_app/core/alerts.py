"""What the sync engine says when it stops for a security reason, and why (Dutch, for the user).

A :class:`SecurityAlert` is raised when what the server serves contradicts what this device verified
before: a rolled-back or forked team ledger, a gap or fork in a device's envelope chain, withheld
envelopes, a key grant that does not match the ledger, or a team that is not the one of the invitation.
The device then stops syncing (nothing of the offending answer is applied) until a person looks at it.
"""

from __future__ import annotations

import json
import logging

log = logging.getLogger("veldwerk.alerts")

__all__ = ["ALERTS", "SecurityAlert", "alert_code", "uitleg", "record_alert", "read_alert"]

_CONTACT = " Synchroniseren is gestopt; er is niets van overgenomen. Neem contact op met je coördinator."

ALERTS: dict[str, str] = {
    "rollback": "De server toont een oudere stand dan dit toestel al kende (teruggedraaide teamgeschiedenis "
                "of berichtenvolgorde).",
    "fork": "De server toont een andere teamgeschiedenis of een ander bericht dan dit toestel eerder zag.",
    "gap": "Er ontbreken berichten van een toestel in wat de server doorgeeft.",
    "withheld": "De server houdt berichten of teamwijzigingen achter die andere toestellen al wel hebben "
                "verstuurd.",
    "ledger_time": "Een teamwijziging draagt een tijdstip meer dan een week na de klok van dit toestel. Staat "
                   "de datum en tijd van dit toestel goed? Zo ja, dan liep de klok van het toestel van de "
                   "coördinator verkeerd.",
    "ledger": "De teamgeschiedenis die de server toont is niet geldig ondertekend.",
    "bad_head": "De server gaf een ongeldige verzendstand van een toestel door.",
    "bad_envelope": "De server stuurde berichten in een onjuiste volgorde.",
    "grant": "De server bood een teamsleutel aan die niet bij de teamgeschiedenis past.",
    "wrong_team": "De server toont een ander team dan het team uit de uitnodiging.",
    "alert_damaged": "De melding van een eerdere beveiligingsstop is op dit toestel beschadigd en niet meer "
                     "te lezen.",
}


def alert_code(kind: str) -> str:
    """Map a ``ChainError.kind`` or a ledger error message to one of :data:`ALERTS`."""
    kind = kind.strip().lower()
    for code in ALERTS:
        if kind.startswith(code):
            return code
    return "ledger"


def uitleg(code: str) -> str:
    return ALERTS.get(code, "De server gaf een antwoord dat niet klopt.") + _CONTACT


class SecurityAlert(RuntimeError):
    """Sync stopped for a security reason; ``code`` is one of :data:`ALERTS`, ``str()`` is Dutch."""

    def __init__(self, code: str, detail: str = "") -> None:
        self.code = code
        self.detail = detail
        super().__init__(uitleg(code))


def record_alert(store, code: str, at: int) -> None:
    """Keep a security stop in the device's database until a person has looked at it (no content)."""
    store.set_state("alert", json.dumps({"code": code, "at": at}))
    log.warning("sync stopped for a security reason: %s", code)


def read_alert(store) -> dict | None:
    """The stop in force: ``{code, at, uitleg}``, or None. A row that is not a stop as :func:`record_alert`
    writes it (damaged, or altered in the file) is still a stop, ``alert_damaged``: it used to raise on
    every read, so neither the sync sheet nor a sync worked and the message said the input was wrong; a
    recorded stop must not be lifted by damaging its row either. Clearing it works as for any stop."""
    raw = store.get_state("alert")
    if not raw:
        return None
    try:
        data = json.loads(raw)
    except ValueError:
        data = None
    if not isinstance(data, dict) or not isinstance(data.get("code"), str):
        log.warning("the stored security stop is not readable: kept as a stop")
        data = {"code": "alert_damaged"}
    if type(data.get("at")) is not int:
        data["at"] = 0
    data["uitleg"] = uitleg(data["code"])
    return data
