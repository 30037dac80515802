"""Typed errors of the core. Views turn them into Dutch sentences; they never carry note text."""

from __future__ import annotations


class ValidationError(ValueError):
    """Input that may not reach the store. ``errors`` maps a field name to a Dutch message."""

    def __init__(self, errors: dict[str, str]):
        self.errors = dict(errors)
        super().__init__("; ".join(f"{k}: {v}" for k, v in self.errors.items()))


class StorageError(RuntimeError):
    """The device's own database refused a write: ``kind`` is "full" (no room left on the device),
    "readonly" (the database file may not be written), "io" (the disk failed) or "damaged" (the file is
    corrupt: SQLite cannot read it; nothing is changed). Nothing of the write was
    stored; everything stored before is intact. ``str()`` is a Dutch sentence for the user (the views use
    the ``storage.<kind>`` translation, which also says that what was typed is kept)."""

    MESSAGES = {
        "full": "Het toestel is vol: er is niets opgeslagen. Eerder vastgelegde gegevens zijn bewaard. "
                "Maak ruimte vrij en probeer het opnieuw.",
        "readonly": "De gegevens op dit toestel kunnen nu niet worden gewijzigd (alleen-lezen): er is niets "
                    "opgeslagen. Eerder vastgelegde gegevens zijn bewaard. Start de app opnieuw; helpt dat niet, "
                    "neem contact op met je beheerder.",
        "io": "Het toestel kon de gegevens niet wegschrijven (schijffout): er is niets opgeslagen. Eerder "
              "vastgelegde gegevens zijn bewaard. Probeer het opnieuw; helpt dat niet, neem contact op met je "
              "beheerder.",
        "damaged": "De database op dit toestel is beschadigd en kan niet worden gelezen: er is niets gewijzigd. "
                   "Wat al verzonden is, staat versleuteld bij het team. Neem contact op met je beheerder.",
    }

    def __init__(self, kind: str):
        self.kind = kind if kind in self.MESSAGES else "io"
        super().__init__(self.MESSAGES[self.kind])
