"""The one vocabulary of Veldwerk: domain codes (kept in Dutch, as the field and the law use them) with
their Dutch and English labels. Source: shared DOMAIN.md §4.2, §5.1, §6, §9.12.

Codes are stored and synced; labels are only shown. To change a label, change it here.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


@dataclass(frozen=True)
class Label:
    nl: str
    en: str

    def get(self, lang: str) -> str:
        return self.en if lang == "en" else self.nl


class Vocab(StrEnum):
    """An enum whose members carry NL/EN labels: ``Member = ("CODE", "nl label", "en label")``."""

    def __new__(cls, code: str, nl: str, en: str):
        obj = str.__new__(cls, code)
        obj._value_ = code
        obj.label = Label(nl, en)
        return obj

    @classmethod
    def parse(cls, code: str):
        """The member for ``code``; ``ValueError`` if unknown."""
        return cls(code)

    @classmethod
    def codes(cls) -> list[str]:
        return [m.value for m in cls]


class ContactType(Vocab):
    KANTOOR = ("KANTOOR", "Kantoorcontact / meldplichtgesprek", "Office appointment / reporting contact")
    HUISBEZOEK_AANGEKONDIGD = ("HUISBEZOEK_AANGEKONDIGD", "Huisbezoek (aangekondigd)", "Announced home visit")
    HUISBEZOEK_ONAANGEKONDIGD = ("HUISBEZOEK_ONAANGEKONDIGD", "Huisbezoek (onaangekondigd)", "Unannounced home visit")
    TELEFONISCH = ("TELEFONISCH", "Telefonisch contact", "Phone")
    BEELDBELLEN = ("BEELDBELLEN", "Beeldbellen", "Video call")
    OUTREACHEND = ("OUTREACHEND", "Outreachend / vindplaatsgericht", "Outreach / street")
    INSTELLING = ("INSTELLING", "Bezoek op locatie instelling", "Visit at a care facility")
    PI_BEZOEK = ("PI_BEZOEK", "Bezoek in PI / ISD-afdeling", "Prison visit")
    POORTCONTACT = ("POORTCONTACT", "Ophalen bij ontslag (aan de poort)", "Release-day pick-up")
    DRIEGESPREK = ("DRIEGESPREK", "Driegesprek met behandelaar", "Three-way meeting with the clinician")
    NETWERKCONTACT = ("NETWERKCONTACT", "Contact met netwerk", "Collateral contact")
    NETWERKOVERLEG = ("NETWERKOVERLEG", "Netwerk- / ketenoverleg", "Network / case meeting")
    MIDDELENCONTROLE = ("MIDDELENCONTROLE", "Urine- / ademcontrole", "Drug / alcohol test")
    EM_ACTIE = ("EM_ACTIE", "EM: plaatsing, signaal, onderhoud", "Electronic-monitoring event")
    SCHRIFTELIJK = ("SCHRIFTELIJK", "Brief / bericht", "Letter / message")


class ContactUitkomst(Vocab):
    PLAATSGEVONDEN = ("PLAATSGEVONDEN", "Heeft plaatsgevonden", "Took place")
    NIET_VERSCHENEN = ("NIET_VERSCHENEN", "Niet verschenen", "No-show")
    AFGEMELD_CLIENT = ("AFGEMELD_CLIENT", "Afgemeld door cliënt", "Cancelled by the client")
    AFGEZEGD_MEDEWERKER = ("AFGEZEGD_MEDEWERKER", "Afgezegd door medewerker", "Cancelled by the worker")
    NIET_THUIS = ("NIET_THUIS", "Niet thuis", "Not at home")
    TOEGANG_GEWEIGERD = ("TOEGANG_GEWEIGERD", "Toegang geweigerd", "Access refused")
    AFGEBROKEN_ONVEILIG = ("AFGEBROKEN_ONVEILIG", "Afgebroken (onveilig)", "Aborted: unsafe")
    VERPLAATST = ("VERPLAATST", "Verplaatst", "Rescheduled")


class RisicoDomein(Vocab):
    DELICTGEDRAG = ("DELICTGEDRAG", "Delictgedrag (nieuw feit / vermoeden)", "New or suspected offence")
    HUISVESTING = ("HUISVESTING", "Huisvesting", "Housing")
    WERK_DAGBESTEDING = ("WERK_DAGBESTEDING", "Werk / dagbesteding", "Work / daytime activity")
    FINANCIEN_SCHULDEN = ("FINANCIEN_SCHULDEN", "Financiën / schulden", "Finances / debts")
    RELATIES_GEZIN = ("RELATIES_GEZIN", "Relaties / gezin", "Relationships / family")
    NETWERK_VRIENDEN = ("NETWERK_VRIENDEN", "Netwerk / vrienden", "Network / friends")
    DRUGS = ("DRUGS", "Drugs", "Drugs")
    ALCOHOL = ("ALCOHOL", "Alcohol", "Alcohol")
    EMOTIONEEL_PSYCHISCH = ("EMOTIONEEL_PSYCHISCH", "Emotioneel / psychisch", "Emotional / mental health")
    DENKPATRONEN_GEDRAG = ("DENKPATRONEN_GEDRAG", "Denkpatronen / gedrag", "Thinking patterns / behaviour")
    HOUDING_MOTIVATIE = ("HOUDING_MOTIVATIE", "Houding / motivatie", "Attitude / motivation")
    GEWELD_DREIGING_ANDEREN = ("GEWELD_DREIGING_ANDEREN", "Geweld / dreiging naar anderen", "Violence / threats to others")
    HUISELIJK_GEWELD = ("HUISELIJK_GEWELD", "Huiselijk geweld", "Domestic violence")
    KINDERVEILIGHEID = ("KINDERVEILIGHEID", "Kinderveiligheid", "Child safety")
    SUICIDALITEIT = ("SUICIDALITEIT", "Suïcidaliteit", "Suicidality")
    ZELFVERWAARLOZING = ("ZELFVERWAARLOZING", "Zelfverwaarlozing", "Self-neglect")
    SLACHTOFFERCONFRONTATIE = ("SLACHTOFFERCONFRONTATIE", "Slachtofferconfrontatie", "Victim confrontation")
    ONTTREKKING_TOEZICHT = ("ONTTREKKING_TOEZICHT", "Onttrekking aan toezicht (uit beeld)", "Absconding / out of sight")
    MEDICATIEONTROUW = ("MEDICATIEONTROUW", "Medicatieontrouw", "Medication non-adherence")
    WAPENS = ("WAPENS", "Wapens", "Weapons")
    RADICALISERING = ("RADICALISERING", "Radicalisering", "Radicalisation")
    VEILIGHEID_MEDEWERKER = ("VEILIGHEID_MEDEWERKER", "Veiligheid medewerker", "Worker safety")


class Ernst(Vocab):
    """Severity of an observed risk signal; ``rank`` orders them."""

    LAAG = ("LAAG", "Laag", "Low")
    MIDDEN = ("MIDDEN", "Midden", "Medium")
    HOOG = ("HOOG", "Hoog", "High")
    ACUUT = ("ACUUT", "Acuut", "Acute")

    @property
    def rank(self) -> int:
        return list(Ernst).index(self)


class Rol(Vocab):
    VELDWERKER = ("VELDWERKER", "Veldwerker / toezichthouder", "Field worker")
    WERKBEGELEIDER = ("WERKBEGELEIDER", "Werkbegeleider", "Supervisor")
    PROCESREGISSEUR = ("PROCESREGISSEUR", "Procesregisseur ZVH", "ZVH process director / coordinator")
    CASUSREGISSEUR = ("CASUSREGISSEUR", "Casusregisseur", "Case manager")
    PARTNER_LEZER = ("PARTNER_LEZER", "Partner (alleen lezen)", "Partner, read-only")
    FG_AUDITOR = ("FG_AUDITOR", "Functionaris gegevensbescherming", "DPO / auditor")
    BEHEERDER = ("BEHEERDER", "Functioneel beheerder", "Administrator")


ROLE_CODES = Rol.codes()
