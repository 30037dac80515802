"""The five FICTIONAL demo cases of DOMAIN.md §10, recorded through the services like a worker would.

FICTIEF: all names, places and events are invented. Every client is marked ``fictional`` and shown with a
"FICTIEF" label. Nothing here is written to the database directly.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from .services import Services

AMS = ZoneInfo("Europe/Amsterdam")


def _ms(text: str) -> int:
    """'2025-06-02T11:00' in Amsterdam time → UTC milliseconds."""
    if "T" not in text:
        text += "T10:00"
    return int(datetime.fromisoformat(text).replace(tzinfo=AMS).timestamp() * 1000)


# (client name, [(when, type, outcome, report, [(domain, severity), ...]), ...])
DEMO_CASES: list[tuple[str, list[tuple]]] = [
    ("Henk V.", [
        ("2025-05-20", "PI_BEZOEK", "PLAATSGEVONDEN",
         "Voorbereiding overplaatsing; H. gespannen, uit zorgen over 'weer opgesloten zitten'.",
         [("EMOTIONEEL_PSYCHISCH", "MIDDEN"), ("GEWELD_DREIGING_ANDEREN", "MIDDEN")]),
        ("2025-06-02T11:00", "TELEFONISCH", "PLAATSGEVONDEN",
         "PI meldt: vervoer DV&O nog niet gearriveerd; H. wacht in transitieruimte, wordt onrustig.", []),
        ("2025-06-05", "INSTELLING", "PLAATSGEVONDEN",
         "Bezoek FPK De Linde (fictief). Opname loopt; ademtest negatief.", []),
        ("2025-06-19", "DRIEGESPREK", "PLAATSGEVONDEN",
         "Behandelaar: H. dreigend richting medepatiënt na weigering verlof.",
         [("GEWELD_DREIGING_ANDEREN", "HOOG")]),
    ]),
    ("Rob D.", [
        ("2025-09-17", "HUISBEZOEK_AANGEKONDIGD", "PLAATSGEVONDEN",
         "R. verblijft bij moeder; moeder zegt 'het gaat wel', oogt gespannen; lege flessen in keuken.",
         [("HUISELIJK_GEWELD", "HOOG"), ("ALCOHOL", "MIDDEN")]),
        ("2025-09-19", "NETWERKCONTACT", "PLAATSGEVONDEN",
         "Apart gesprek moeder (met toestemming): voelt zich onder druk gezet over geld.", []),
        ("2025-09-23", "NETWERKOVERLEG", "PLAATSGEVONDEN",
         "ZVH casusoverleg: gemeente, VT, politie (wijkagent), verslavingszorg. Afspraken: VT-onderzoek; "
         "R. vrijwillig intake verslavingszorg; alternatieve woonplek via MO.", []),
    ]),
    ("Sandra K.", [
        ("2025-07-08", "KANTOOR", "PLAATSGEVONDEN", "Meldplicht nagekomen; interventie volgens planning.", []),
        ("2025-07-12T02:14", "EM_ACTIE", "PLAATSGEVONDEN",
         "Meldkamer: GPS-zone-alarm woning ex-partner; politie ingeschakeld door meldkamer.",
         [("HUISELIJK_GEWELD", "ACUUT")]),
        ("2025-07-14", "KANTOOR", "PLAATSGEVONDEN", "S. verklaart 'alleen langs gereden om kinderen te zien'.", []),
    ]),
    ("Erik M.", [
        ("2025-10-02", "OUTREACHEND", "PLAATSGEVONDEN",
         "E. aangetroffen bij supermarkt; praat over 'stralen uit de muur' van bovenburen; medicatie 'weggegooid'.",
         [("MEDICATIEONTROUW", "HOOG"), ("GEWELD_DREIGING_ANDEREN", "HOOG")]),
        ("2025-10-03", "HUISBEZOEK_ONAANGEKONDIGD", "TOEGANG_GEWEIGERD",
         "Door de deur: 'het heeft allemaal geen zin meer'.", [("SUICIDALITEIT", "ACUUT")]),
        ("2025-10-10", "INSTELLING", "PLAATSGEVONDEN", "Bezoek in de kliniek; E. rustiger, wil behandeling.", []),
    ]),
    ("Dennis A.", [
        ("2025-08-04", "KANTOOR", "NIET_VERSCHENEN", "Niet verschenen op meldplicht; niet afgemeld.", []),
        ("2025-08-07", "KANTOOR", "NIET_VERSCHENEN", "Opnieuw niet verschenen; schriftelijke waarschuwing.", []),
        ("2025-08-08", "HUISBEZOEK_ONAANGEKONDIGD", "PLAATSGEVONDEN",
         "D. slaapt om 14:00; moeder: 'komt elke nacht pas laat thuis'. EM-data tonen geen overtreding locatiegebod.",
         [("NETWERK_VRIENDEN", "MIDDEN"), ("HOUDING_MOTIVATIE", "MIDDEN")]),
        ("2025-08-11", "KANTOOR", "NIET_VERSCHENEN", "Derde keer niet verschenen; rapportage OM in voorbereiding.", []),
    ]),
]


def seed(svc: Services) -> dict:
    """Record the demo cases unless they are already there. Returns counts."""
    existing = {c.display_name for c in svc.caseload()}
    clients = contacts = 0
    for name, notes in DEMO_CASES:
        if name in existing:
            continue
        client_id = svc.add_client(name, fictional=True)
        clients += 1
        for when, ctype, outcome, report, risks in notes:
            svc.record_contact(client_id, contact_type=ctype, outcome=outcome, report=report,
                               occurred_at=_ms(when), risks=risks)
            contacts += 1
    return {"clients": clients, "contacts": contacts}
