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


# -- Persons and their network (§9.2, §9.3) -----------------------------------------------------------

class Geslacht(Vocab):
    M = ("M", "Man", "Male")
    V = ("V", "Vrouw", "Female")
    X = ("X", "X (anders of niet gespecificeerd)", "X (other or unspecified)")
    ONBEKEND = ("ONBEKEND", "Onbekend", "Unknown")


class Verblijfstype(Vocab):
    ZELFSTANDIG = ("ZELFSTANDIG", "Eigen woning", "Own home")
    BIJ_FAMILIE = ("BIJ_FAMILIE", "Bij familie", "With family")
    MAATSCHAPPELIJKE_OPVANG = ("MAATSCHAPPELIJKE_OPVANG", "Maatschappelijke opvang (MO)", "Shelter")
    BEGELEID_WONEN = ("BEGELEID_WONEN", "Begeleid wonen (BW)", "Supported housing")
    KLINIEK = ("KLINIEK", "Kliniek", "Clinic")
    PI = ("PI", "Penitentiaire inrichting (PI)", "Prison")
    DAKLOOS = ("DAKLOOS", "Dak- of thuisloos", "Homeless")
    ONBEKEND = ("ONBEKEND", "Onbekend", "Unknown")


class Veiligheidswaarschuwing(Vocab):
    GEEN = ("GEEN", "Geen", "None")
    DUO_BEZOEK = ("DUO_BEZOEK", "Alleen duobezoek", "Visits in pairs only")
    NIET_ALLEEN_THUIS_BEZOEKEN = ("NIET_ALLEEN_THUIS_BEZOEKEN", "Niet alleen op huisbezoek",
                                  "No home visits alone")
    WAPENBEZIT_BEKEND = ("WAPENBEZIT_BEKEND", "Wapenbezit bekend", "Known to have weapons")


class LvbIndicatie(Vocab):
    """Licht verstandelijke beperking: relevant for how we speak and write (responsivity)."""

    NEE = ("NEE", "Nee", "No")
    VERMOEDEN = ("VERMOEDEN", "Vermoeden", "Suspected")
    VASTGESTELD = ("VASTGESTELD", "Vastgesteld", "Established")


class KaderRegime(Vocab):
    DWANG = ("DWANG", "Dwang (justitieel kader)", "Compulsion (legal framework)")
    DRANG = ("DRANG", "Drang", "Pressure")
    VRIJWILLIG = ("VRIJWILLIG", "Vrijwillig", "Voluntary")
    GEMENGD = ("GEMENGD", "Gemengd", "Mixed")


class ClientStatus(Vocab):
    ACTIEF = ("ACTIEF", "Actief", "Active")
    AFGESLOTEN = ("AFGESLOTEN", "Afgesloten", "Closed")


class Relatie(Vocab):
    PARTNER = ("PARTNER", "Partner", "Partner")
    EX_PARTNER = ("EX_PARTNER", "Ex-partner", "Ex-partner")
    MOEDER = ("MOEDER", "Moeder", "Mother")
    VADER = ("VADER", "Vader", "Father")
    KIND = ("KIND", "Kind", "Child")
    BROER_ZUS = ("BROER_ZUS", "Broer of zus", "Sibling")
    ANDER_FAMILIELID = ("ANDER_FAMILIELID", "Ander familielid", "Other relative")
    HUISGENOOT = ("HUISGENOOT", "Huisgenoot", "Housemate")
    BUUR = ("BUUR", "Buur", "Neighbour")
    WERKGEVER = ("WERKGEVER", "Werkgever", "Employer")
    VRIEND = ("VRIEND", "Vriend of vriendin", "Friend")
    ANDERS = ("ANDERS", "Anders", "Other")


class NetwerkRol(Vocab):
    SLACHTOFFER = ("SLACHTOFFER", "Slachtoffer", "Victim")
    MOGELIJK_SLACHTOFFER = ("MOGELIJK_SLACHTOFFER", "Mogelijk slachtoffer", "Potential victim")
    STEUNFIGUUR = ("STEUNFIGUUR", "Steunfiguur", "Support person")
    RISICOFIGUUR = ("RISICOFIGUUR", "Risicofiguur (criminogeen netwerk)", "Risk contact")
    MANTELZORGER = ("MANTELZORGER", "Mantelzorger", "Carer")


# -- Frameworks, conditions, supervision (§3, §9.8, §9.9) ---------------------------------------------

class KaderType(Vocab):
    VV = ("VV", "Voorwaardelijke veroordeling", "Suspended sentence")
    SVH = ("SVH", "Schorsing voorlopige hechtenis onder voorwaarden",
           "Suspension of pre-trial detention under conditions")
    VI = ("VI", "Voorwaardelijke invrijheidstelling (v.i.)", "Conditional release")
    ISD = ("ISD", "ISD-maatregel (stelselmatige daders)", "Prolific-offender measure (ISD)")
    TBS_VW = ("TBS_VW", "Tbs met voorwaarden", "Hospital order with conditions")
    TBS_VB = ("TBS_VB", "Voorwaardelijke beëindiging verpleging (tbs)", "Conditional end of hospital order")
    GVM = ("GVM", "Gedragsbeïnvloedende en vrijheidsbeperkende maatregel (GVM)", "Long-term supervision measure")
    GEDRAGSAANWIJZING = ("GEDRAGSAANWIJZING", "Gedragsaanwijzing officier van justitie",
                         "Prosecutor's behavioural directive")
    PP = ("PP", "Penitentiair programma", "Penitentiary programme")
    GEEN_KADER = ("GEEN_KADER", "Geen justitieel kader (drang of vrijwillig)", "No legal framework")
    WVGGZ_ZM = ("WVGGZ_ZM", "Zorgmachtiging (Wvggz)", "Compulsory mental-health care order")
    WVGGZ_CM = ("WVGGZ_CM", "Crisismaatregel (Wvggz)", "Mental-health crisis measure")
    HUISVERBOD = ("HUISVERBOD", "Tijdelijk huisverbod", "Temporary house-exclusion order")
    GEBIEDSVERBOD_BURG = ("GEBIEDSVERBOD_BURG", "Gebiedsverbod burgemeester", "Mayor's area ban")


class KaderStatus(Vocab):
    ACTIEF = ("ACTIEF", "Actief", "Active")
    GESCHORST = ("GESCHORST", "Geschorst", "Suspended")
    BEEINDIGD_REGULIER = ("BEEINDIGD_REGULIER", "Beëindigd (regulier)", "Ended normally")
    BEEINDIGD_HERROEPEN = ("BEEINDIGD_HERROEPEN", "Beëindigd (herroepen)", "Revoked")
    TENUITVOERGELEGD = ("TENUITVOERGELEGD", "Tenuitvoergelegd", "Sentence enforced")
    VERVALLEN = ("VERVALLEN", "Vervallen", "Lapsed")


class Opdrachtgever(Vocab):
    RECHTER = ("RECHTER", "Rechter", "Court")
    OM = ("OM", "Openbaar Ministerie", "Public prosecution service")
    CVVI = ("CVVI", "CVvi (Centrale Voorziening v.i.)", "OM central office for conditional release")
    DJI = ("DJI", "Dienst Justitiële Inrichtingen", "Prison service (DJI)")
    BURGEMEESTER = ("BURGEMEESTER", "Burgemeester", "Mayor")


class KaderFase(Vocab):
    INTRAMURAAL = ("INTRAMURAAL", "Intramuraal", "Inside the institution")
    EXTRAMURAAL = ("EXTRAMURAAL", "Extramuraal", "Outside the institution")
    PROEFVERLOF = ("PROEFVERLOF", "Proefverlof", "Trial leave")
    RESOCIALISATIE = ("RESOCIALISATIE", "Resocialisatie", "Resocialisation")


class VoorwaardeType(Vocab):
    """§3.2. ``ALG_*`` are general conditions; the rest are special conditions (art. 14c / 15a Sr)."""

    ALG_GEEN_STRAFBAAR_FEIT = ("ALG_GEEN_STRAFBAAR_FEIT", "Geen nieuw strafbaar feit", "No new offence")
    ALG_IDENTITEIT = ("ALG_IDENTITEIT", "Meewerken aan vaststelling identiteit", "Cooperate with identification")
    ALG_MEDEWERKING_TOEZICHT = ("ALG_MEDEWERKING_TOEZICHT", "Meewerken aan reclasseringstoezicht",
                                "Cooperate with probation supervision")
    SCHADEVERGOEDING = ("SCHADEVERGOEDING", "Vergoeding van de schade", "Compensation")
    SCHADEHERSTEL = ("SCHADEHERSTEL", "Herstel van de schade", "Repair of damage")
    WAARBORGSOM = ("WAARBORGSOM", "Storting waarborgsom", "Security deposit")
    STORTING_SCHADEFONDS = ("STORTING_SCHADEFONDS", "Storting in schadefonds of slachtofferfonds",
                            "Payment to a victims' fund")
    CONTACTVERBOD = ("CONTACTVERBOD", "Contactverbod", "No-contact order")
    LOCATIEVERBOD = ("LOCATIEVERBOD", "Locatieverbod (gebieds- of straatverbod)", "Exclusion zone")
    LOCATIEGEBOD = ("LOCATIEGEBOD", "Locatiegebod (op tijden op een plek zijn)", "Presence order / curfew")
    MELDPLICHT = ("MELDPLICHT", "Meldplicht", "Reporting duty")
    MIDDELENVERBOD = ("MIDDELENVERBOD", "Verbod op alcohol en/of drugs, met controle", "Alcohol/drug ban with testing")
    OPNAME_ZORGINSTELLING = ("OPNAME_ZORGINSTELLING", "Opname in een zorginstelling", "Inpatient admission")
    BEHANDELVERPLICHTING = ("BEHANDELVERPLICHTING", "Ambulante behandeling", "Outpatient treatment")
    BEGELEID_WONEN_MO = ("BEGELEID_WONEN_MO", "Begeleid wonen of maatschappelijke opvang",
                         "Supported housing or shelter")
    GEDRAGSINTERVENTIE = ("GEDRAGSINTERVENTIE", "Gedragsinterventie", "Behavioural programme")
    OVERIGE_GEDRAG = ("OVERIGE_GEDRAG", "Andere voorwaarde over gedrag (bijv. dagbesteding)",
                      "Other behavioural condition (e.g. daytime activity)")
    VESTIGINGSVERBOD = ("VESTIGINGSVERBOD", "Vestigingsverbod", "Settlement ban")
    REISVERBOD = ("REISVERBOD", "Reisverbod", "Travel ban")
    VERBOD_VRIJWILLIGERSWERK = ("VERBOD_VRIJWILLIGERSWERK", "Verbod op bepaald vrijwilligerswerk",
                                "Ban on certain volunteer work")
    VERHUISPLICHT = ("VERHUISPLICHT", "Verhuisplicht", "Duty to move")

    @property
    def general(self) -> bool:
        """An algemene voorwaarde (by law or standard wording) rather than a bijzondere."""
        return self.value.startswith("ALG_")


class ControleMiddel(Vocab):
    EM_GPS = ("EM_GPS", "Enkelband met GPS", "GPS ankle tag")
    EM_RF = ("EM_RF", "Enkelband thuisdetectie (RF)", "Home-presence ankle tag (RF)")
    ALCOHOLMETER = ("ALCOHOLMETER", "Alcoholmeter (via de huid)", "Transdermal alcohol monitor")
    URINECONTROLE = ("URINECONTROLE", "Urinecontrole", "Urine test")
    ADEMTEST = ("ADEMTEST", "Ademtest", "Breath test")
    BLOEDONDERZOEK = ("BLOEDONDERZOEK", "Bloedonderzoek", "Blood test")
    POLITIECONTROLE = ("POLITIECONTROLE", "Controle door de politie", "Police check")
    TERUGKOPPELING_BEHANDELAAR = ("TERUGKOPPELING_BEHANDELAAR", "Terugkoppeling van de behandelaar",
                                  "Feedback from the clinician")


class Handhaver(Vocab):
    RECLASSERING = ("RECLASSERING", "Reclassering", "Probation service")
    POLITIE = ("POLITIE", "Politie", "Police")
    BEIDE = ("BEIDE", "Reclassering en politie", "Probation service and police")


class MeldInstantie(Vocab):
    RECLASSERING = ("RECLASSERING", "Reclassering", "Probation service")
    POLITIE = ("POLITIE", "Politie", "Police")


class MeldFrequentie(Vocab):
    """How often a meldplicht applies; ``per_week`` drives the agenda. Proposed codes **(verify)**."""

    DAGELIJKS = ("DAGELIJKS", "Elke dag", "Daily")
    DRIE_PER_WEEK = ("DRIE_PER_WEEK", "3 keer per week", "3 times a week")
    TWEE_PER_WEEK = ("TWEE_PER_WEEK", "2 keer per week", "Twice a week")
    WEKELIJKS = ("WEKELIJKS", "Elke week", "Weekly")
    TWEEWEKELIJKS = ("TWEEWEKELIJKS", "Elke 2 weken", "Every 2 weeks")
    MAANDELIJKS = ("MAANDELIJKS", "Elke maand", "Monthly")


class Middel(Vocab):
    ALCOHOL = ("ALCOHOL", "Alcohol", "Alcohol")
    DRUGS = ("DRUGS", "Drugs", "Drugs")


class Weekdag(Vocab):
    MA = ("MA", "maandag", "Monday")
    DI = ("DI", "dinsdag", "Tuesday")
    WO = ("WO", "woensdag", "Wednesday")
    DO = ("DO", "donderdag", "Thursday")
    VR = ("VR", "vrijdag", "Friday")
    ZA = ("ZA", "zaterdag", "Saturday")
    ZO = ("ZO", "zondag", "Sunday")

    @property
    def index(self) -> int:
        """0 = Monday, as ``datetime.date.weekday()``."""
        return list(Weekdag).index(self)


class Organisatie3RO(Vocab):
    RN = ("RN", "Reclassering Nederland", "Reclassering Nederland (probation)")
    SVG = ("SVG", "Verslavingsreclassering GGZ (SVG)", "Addiction probation service (SVG)")
    LJR = ("LJR", "Leger des Heils Jeugdbescherming & Reclassering", "Salvation Army probation (LJ&R)")


class Toezichtniveau(Vocab):
    """3 is the most intensive (verscherpt) **(verify)** [DOMAIN.md §3.3]."""

    NIVEAU_1 = ("NIVEAU_1", "Niveau 1 (laag)", "Level 1 (low)")
    NIVEAU_2 = ("NIVEAU_2", "Niveau 2 (gemiddeld)", "Level 2 (medium)")
    NIVEAU_3 = ("NIVEAU_3", "Niveau 3 (hoog)", "Level 3 (high)")


class ToezichtStatus(Vocab):
    IN_VOORBEREIDING = ("IN_VOORBEREIDING", "In voorbereiding", "In preparation")
    LOPEND = ("LOPEND", "Lopend", "Running")
    AFGEROND_POSITIEF = ("AFGEROND_POSITIEF", "Positief afgerond", "Completed positively")
    VOORTIJDIG_BEEINDIGD = ("VOORTIJDIG_BEEINDIGD", "Voortijdig beëindigd", "Ended early")
    TERUGGEMELD_OM = ("TERUGGEMELD_OM", "Teruggemeld aan het OM", "Returned to the prosecution")


# -- Contacts (§5, §9.10, §9.12) --------------------------------------------------------------------

class LocatieSoort(Vocab):
    WONING = ("WONING", "Woning", "Home")
    KANTOOR = ("KANTOOR", "Kantoor", "Office")
    INSTELLING = ("INSTELLING", "Instelling", "Institution")
    PI = ("PI", "Penitentiaire inrichting", "Prison")
    OPENBARE_RUIMTE = ("OPENBARE_RUIMTE", "Openbare ruimte", "Public place")
    ONLINE = ("ONLINE", "Online", "Online")
    TELEFOON = ("TELEFOON", "Telefoon", "Phone")


class Leefgebied(Vocab):
    """Life domains of a contact; the first six are the nazorg areas (five basisvoorwaarden + network)."""

    ID = ("ID", "Identiteitsbewijs", "Identity document")
    ONDERDAK = ("ONDERDAK", "Onderdak", "Housing")
    INKOMEN_WERK = ("INKOMEN_WERK", "Inkomen en werk", "Income and work")
    SCHULDEN = ("SCHULDEN", "Schulden", "Debts")
    ZORG_ZORGVERZEKERING = ("ZORG_ZORGVERZEKERING", "Zorg en zorgverzekering", "Care and health insurance")
    SOCIAAL_NETWERK = ("SOCIAAL_NETWERK", "Sociaal netwerk", "Social network")
    DAGBESTEDING = ("DAGBESTEDING", "Dagbesteding", "Daytime activity")


class NazorgStatus(Vocab):
    ONBEKEND = ("ONBEKEND", "Onbekend", "Unknown")
    NIET_GEREGELD = ("NIET_GEREGELD", "Niet geregeld", "Not arranged")
    IN_AANVRAAG = ("IN_AANVRAAG", "In aanvraag", "Applied for")
    GEREGELD = ("GEREGELD", "Geregeld", "Arranged")
    NVT = ("NVT", "Niet van toepassing", "Not applicable")


class VeiligheidMedewerker(Vocab):
    GEEN_BIJZONDERHEDEN = ("GEEN_BIJZONDERHEDEN", "Geen bijzonderheden", "Nothing to note")
    VERBALE_AGRESSIE = ("VERBALE_AGRESSIE", "Verbale agressie", "Verbal aggression")
    DREIGING = ("DREIGING", "Dreiging", "Threat")
    FYSIEK_INCIDENT = ("FYSIEK_INCIDENT", "Fysiek incident", "Physical incident")


class NalevingStatus(Vocab):
    NAGELEEFD = ("NAGELEEFD", "Nageleefd", "Complied")
    SIGNAAL_TWIJFEL = ("SIGNAAL_TWIJFEL", "Signaal of twijfel", "Signal or doubt")
    OVERTREDING = ("OVERTREDING", "Overtreding", "Violation")
    NIET_TE_BEOORDELEN = ("NIET_TE_BEOORDELEN", "Niet te beoordelen", "Cannot assess")
    NIET_GECONTROLEERD = ("NIET_GECONTROLEERD", "Niet gecontroleerd", "Not checked")


class Bron(Vocab):
    EIGEN_WAARNEMING = ("EIGEN_WAARNEMING", "Eigen waarneming", "Own observation")
    VERKLARING_BETROKKENE = ("VERKLARING_BETROKKENE", "Verklaring betrokkene", "Client's statement")
    DERDE = ("DERDE", "Derde", "Third party")
    PARTNER = ("PARTNER", "Partnerorganisatie", "Partner organisation")
    EM_DATA = ("EM_DATA", "EM-gegevens", "Electronic-monitoring data")
    TESTUITSLAG = ("TESTUITSLAG", "Testuitslag", "Test result")
    POLITIE = ("POLITIE", "Politie", "Police")


class OvertredingErnst(Vocab):
    GERING = ("GERING", "Gering", "Minor")
    MATIG = ("MATIG", "Matig", "Moderate")
    ERNSTIG = ("ERNSTIG", "Ernstig", "Serious")
    ACUUT_GEVAAR = ("ACUUT_GEVAAR", "Acuut gevaar", "Acute danger")


class OvertredingReactie(Vocab):
    AANSPREKEN = ("AANSPREKEN", "Aanspreken", "Address the client")
    SCHRIFTELIJKE_WAARSCHUWING = ("SCHRIFTELIJKE_WAARSCHUWING", "Schriftelijke waarschuwing", "Written warning")
    BIJSTELLEN_TOEZICHTPLAN = ("BIJSTELLEN_TOEZICHTPLAN", "Toezichtplan bijstellen", "Adjust the supervision plan")
    OVERLEG_OPDRACHTGEVER = ("OVERLEG_OPDRACHTGEVER", "Overleg met opdrachtgever",
                             "Consult the commissioning authority")
    RAPPORTAGE_OM = ("RAPPORTAGE_OM", "Rapportage aan het OM", "Report to the prosecution")
    SPOEDMELDING_OM_POLITIE = ("SPOEDMELDING_OM_POLITIE", "Spoedmelding aan OM of politie",
                               "Urgent notification to prosecution or police")
    TIME_OUT = ("TIME_OUT", "Time-out", "Time-out admission")


class Trend(Vocab):
    NIEUW = ("NIEUW", "Nieuw", "New")
    TOENEMEND = ("TOENEMEND", "Toenemend", "Increasing")
    STABIEL = ("STABIEL", "Stabiel", "Stable")
    AFNEMEND = ("AFNEMEND", "Afnemend", "Decreasing")
    ONBEKEND = ("ONBEKEND", "Onbekend", "Unknown")


class Zekerheid(Vocab):
    VERMOEDEN = ("VERMOEDEN", "Vermoeden", "Suspicion")
    WAARGENOMEN = ("WAARGENOMEN", "Waargenomen", "Observed")
    BEVESTIGD = ("BEVESTIGD", "Bevestigd", "Confirmed")


class BeschermCategorie(Vocab):
    INTERN = ("INTERN", "Intern", "Internal")
    MOTIVATIONEEL = ("MOTIVATIONEEL", "Motivationeel", "Motivational")
    EXTERN = ("EXTERN", "Extern", "External")


class BeschermendeFactor(Vocab):
    STABIELE_HUISVESTING = ("STABIELE_HUISVESTING", "Stabiele huisvesting", "Stable housing")
    DAGBESTEDING = ("DAGBESTEDING", "Dagbesteding", "Daytime activity")
    STEUNEND_NETWERK = ("STEUNEND_NETWERK", "Steunend netwerk", "Supportive network")
    BEHANDELMOTIVATIE = ("BEHANDELMOTIVATIE", "Behandelmotivatie", "Motivation for treatment")
    MEDICATIETROUW = ("MEDICATIETROUW", "Medicatietrouw", "Medication adherence")
    ABSTINENTIE = ("ABSTINENTIE", "Abstinentie", "Abstinence")
    PROBLEEMINZICHT = ("PROBLEEMINZICHT", "Probleeminzicht", "Insight into problems")
    PROFESSIONELE_STEUN = ("PROFESSIONELE_STEUN", "Professionele steun", "Professional support")
    FINANCIELE_STABILITEIT = ("FINANCIELE_STABILITEIT", "Financiële stabiliteit", "Financial stability")
    COPING = ("COPING", "Coping", "Coping")
    ANDERS = ("ANDERS", "Anders", "Other")


# -- Transitions and aftercare (§9.6, §9.7) -----------------------------------------------------------

class OvergangType(Vocab):
    ONTSLAG_DETENTIE = ("ONTSLAG_DETENTIE", "Ontslag uit detentie (einde straf)", "Release at end of sentence")
    VI_INGANG = ("VI_INGANG", "Start voorwaardelijke invrijheidstelling", "Start of conditional release")
    ISD_EXTRAMURAAL_START = ("ISD_EXTRAMURAAL_START", "Start extramurale fase ISD", "Start of ISD extramural phase")
    OVERPLAATSING_KLINIEK_VOORWAARDELIJK = ("OVERPLAATSING_KLINIEK_VOORWAARDELIJK",
                                            "Overplaatsing naar kliniek (voorwaardelijk kader)",
                                            "Transfer to a clinic under a conditional framework")
    VRIJLATING_NA_ZITTING = ("VRIJLATING_NA_ZITTING", "Vrijlating direct na zitting",
                             "Immediate release after a hearing")
    SCHORSING_VH = ("SCHORSING_VH", "Schorsing voorlopige hechtenis", "Suspension of pre-trial detention")
    EINDE_TBS_OF_VB = ("EINDE_TBS_OF_VB", "Einde tbs of voorwaardelijke beëindiging",
                       "End of hospital order or conditional end")
    OPNAME_CRISIS = ("OPNAME_CRISIS", "Crisisopname", "Crisis admission")
    TIME_OUT = ("TIME_OUT", "Time-out-opname", "Time-out admission")
    VERHUIZING = ("VERHUIZING", "Verhuizing", "Move of residence")


class Vervoer(Vocab):
    DV_O = ("DV_O", "DV&O (vervoer DJI)", "DJI transport (DV&O)")
    INSTELLING = ("INSTELLING", "Instelling", "Institution")
    FAMILIE = ("FAMILIE", "Familie", "Family")
    HULPVERLENER = ("HULPVERLENER", "Hulpverlener", "Care worker")
    ZELFSTANDIG = ("ZELFSTANDIG", "Zelfstandig", "On their own")
    POLITIE = ("POLITIE", "Politie", "Police")


class OvergangStatus(Vocab):
    GEPLAND = ("GEPLAND", "Gepland", "Planned")
    ONDERWEG = ("ONDERWEG", "Onderweg", "In transit")
    VERTRAAGD = ("VERTRAAGD", "Vertraagd", "Delayed")
    AANGEKOMEN = ("AANGEKOMEN", "Aangekomen", "Arrived")
    MISLUKT = ("MISLUKT", "Mislukt", "Failed")
    GEANNULEERD = ("GEANNULEERD", "Geannuleerd", "Cancelled")


class InformatieBron(Vocab):
    INJUS_MELDING = ("INJUS_MELDING", "Melding via Injus", "Injus notice")
    D_R_PLAN = ("D_R_PLAN", "D&R-plan", "Detention and reintegration plan")
    BIJ_MELDING = ("BIJ_MELDING", "BIJ-melding", "Mayor's information notice (BIJ)")
    PARTNER_TELEFONISCH = ("PARTNER_TELEFONISCH", "Partner (telefonisch)", "Partner (by phone)")
    RECHTBANK_UITSPRAAK = ("RECHTBANK_UITSPRAAK", "Uitspraak rechtbank", "Court ruling")


class ChecklistItem(Vocab):
    ID_GELDIG = ("ID_GELDIG", "Geldig identiteitsbewijs", "Valid ID")
    ONDERDAK_EERSTE_NACHT = ("ONDERDAK_EERSTE_NACHT", "Onderdak voor de eerste nacht", "A bed for the first night")
    INKOMEN_AANGEVRAAGD = ("INKOMEN_AANGEVRAAGD", "Inkomen aangevraagd", "Income applied for")
    VOORSCHOT = ("VOORSCHOT", "Voorschot", "Cash advance")
    ZORGVERZEKERING = ("ZORGVERZEKERING", "Zorgverzekering", "Health insurance")
    MEDICATIE_MEE = ("MEDICATIE_MEE", "Medicatie meegegeven", "Medication handed over")
    BEHANDELAAR_INTAKE_GEPLAND = ("BEHANDELAAR_INTAKE_GEPLAND", "Intake behandelaar gepland",
                                  "Clinician intake booked")
    RECLASSERING_EERSTE_AFSPRAAK = ("RECLASSERING_EERSTE_AFSPRAAK", "Eerste afspraak reclassering",
                                    "First probation appointment")
    SCHULDEN_IN_BEELD = ("SCHULDEN_IN_BEELD", "Schulden in beeld", "Debts mapped")
    NETWERK_GEINFORMEERD = ("NETWERK_GEINFORMEERD", "Netwerk geïnformeerd", "Network informed")
    SLACHTOFFER_GEINFORMEERD_VIA_OM = ("SLACHTOFFER_GEINFORMEERD_VIA_OM", "Slachtoffer geïnformeerd via het OM",
                                       "Victim informed through the prosecution")
    BURGEMEESTER_BIJ = ("BURGEMEESTER_BIJ", "Burgemeester geïnformeerd (BIJ)", "Mayor informed (BIJ)")
    VT_AFWEGING_GEDAAN = ("VT_AFWEGING_GEDAAN", "Afweging Veilig Thuis gedaan", "Veilig Thuis weighing done")
    BED_BEVESTIGD = ("BED_BEVESTIGD", "Bed bevestigd", "Bed confirmed")
    OPHALER_BEVESTIGD = ("OPHALER_BEVESTIGD", "Ophaler bevestigd", "Pick-up person confirmed")


class ChecklistStatus(Vocab):
    OPEN = ("OPEN", "Open", "Open")
    GEREGELD = ("GEREGELD", "Geregeld", "Done")
    NVT = ("NVT", "Niet van toepassing", "Not applicable")
    MISLUKT = ("MISLUKT", "Mislukt", "Failed")


# -- The ZVH case (§1.3, §9.4, §9.5) -------------------------------------------------------------------

class Aanpak(Vocab):
    TOP_X = ("TOP_X", "Top X-aanpak (persoonsgerichte aanpak)", "Top X (person-centred approach)")
    TOP_X_ONBEGREPEN = ("TOP_X_ONBEGREPEN", "Top X onbegrepen gedrag met gevaarsrisico",
                        "Top X for misunderstood behaviour with a danger risk")
    LEVENSLOOP = ("LEVENSLOOP", "Levensloopaanpak", "Life-course approach")
    MDA_PLUSPLUS = ("MDA_PLUSPLUS", "MDA++ (huiselijk geweld en kindermishandeling)",
                    "MDA++ (domestic violence and child abuse)")
    NAZORG = ("NAZORG", "Nazorg (ex-)gedetineerden", "Aftercare for (ex-)detainees")
    RADICALISERING = ("RADICALISERING", "Radicalisering en polarisatie", "Radicalisation and polarisation")
    COMPLEX_ALGEMEEN = ("COMPLEX_ALGEMEEN", "Complexe casus (ICO)", "General complex case")


class CasusFase(Vocab):
    AANGEMELD = ("AANGEMELD", "Aangemeld", "Referred")
    SCREENING = ("SCREENING", "Screening en informatie verrijken", "Screening")
    GEWOGEN_NIET_OPGEPAKT = ("GEWOGEN_NIET_OPGEPAKT", "Gewogen: alleen advies", "Weighed: advice only")
    GEWOGEN_OPGEPAKT = ("GEWOGEN_OPGEPAKT", "Gewogen: opgepakt", "Weighed: accepted")
    OVERLEG_GEPLAND = ("OVERLEG_GEPLAND", "Casusoverleg gepland", "Case conference scheduled")
    PVA_VASTGESTELD = ("PVA_VASTGESTELD", "Plan van aanpak vastgesteld", "Plan adopted")
    UITVOERING_MONITORING = ("UITVOERING_MONITORING", "Uitvoering en monitoring", "Execution and monitoring")
    AFGESCHAALD = ("AFGESCHAALD", "Afgeschaald", "De-escalated to regular care")
    AFGESLOTEN = ("AFGESLOTEN", "Afgesloten", "Closed")
    HEROPEND = ("HEROPEND", "Heropend", "Re-opened")


class Geinformeerd(Vocab):
    """Whether the person was told about the referral or the case conference."""

    JA = ("JA", "Ja", "Yes")
    NEE_VEILIGHEID = ("NEE_VEILIGHEID", "Nee, om veiligheidsredenen", "No, for safety reasons")
    NEE_STRAFRECHTELIJK_ONDERZOEK = ("NEE_STRAFRECHTELIJK_ONDERZOEK", "Nee, er loopt een strafrechtelijk onderzoek",
                                     "No, a criminal investigation is running")
    NOG_NIET = ("NOG_NIET", "Nog niet", "Not yet")

    @property
    def refused(self) -> bool:
        return self.value.startswith("NEE_")


class Grondslag(Vocab):
    WGS_ZVH = ("WGS_ZVH", "WGS (samenwerkingsverband ZVH)", "WGS (ZVH joint processing)")
    AVG_6_1_E = ("AVG_6_1_E", "AVG art. 6 lid 1 sub e (publieke taak)", "GDPR 6(1)(e) public task")
    AVG_6_1_C = ("AVG_6_1_C", "AVG art. 6 lid 1 sub c (wettelijke plicht)", "GDPR 6(1)(c) legal obligation")
    WJSG_TENUITVOERLEGGING = ("WJSG_TENUITVOERLEGGING", "Wjsg (tenuitvoerleggingsgegevens)",
                              "Judicial data act (execution data)")
    PBW_18A_18B = ("PBW_18A_18B", "Pbw art. 18a/18b", "Prison act art. 18a/18b")
    WPG = ("WPG", "Wet politiegegevens", "Police data act")
    WVGGZ = ("WVGGZ", "Wet verplichte ggz", "Compulsory mental-health care act")
    MELDRECHT_MELDCODE = ("MELDRECHT_MELDCODE", "Meldrecht (meldcode)", "Right to report (reporting code)")
    TOESTEMMING = ("TOESTEMMING", "Toestemming", "Consent")


class Afsluitreden(Vocab):
    DOELEN_BEHAALD = ("DOELEN_BEHAALD", "Doelen behaald", "Goals met")
    OVERGEDRAGEN_REGULIER = ("OVERGEDRAGEN_REGULIER", "Overgedragen aan reguliere zorg", "Handed to regular care")
    VERHUISD_BUITEN_REGIO = ("VERHUISD_BUITEN_REGIO", "Verhuisd buiten de regio", "Moved out of the region")
    LANGDURIGE_DETENTIE = ("LANGDURIGE_DETENTIE", "Langdurige detentie", "Long detention")
    GEEN_MEERWAARDE = ("GEEN_MEERWAARDE", "Geen meerwaarde", "No added value")
    OVERLEDEN = ("OVERLEDEN", "Overleden", "Deceased")
    ANDERS = ("ANDERS", "Anders", "Other")


class WegingBesluit(Vocab):
    NIET_ZVH_ADVIES = ("NIET_ZVH_ADVIES", "Niet voor het ZVH: advies aan melder", "Not for the ZVH: advice only")
    PROCESREGIE = ("PROCESREGIE", "Procesregie door het ZVH", "Process direction by the ZVH")
    DOORGELEID_INCLUSIETAFEL = ("DOORGELEID_INCLUSIETAFEL", "Doorgeleid naar inclusietafel (Levensloop)",
                                "Referred to the Levensloop inclusion table")
    DOORGELEID_MDA = ("DOORGELEID_MDA", "Doorgeleid naar MDA++", "Referred to MDA++")
    DOORGELEID_WEEGPLOEG_CTER = ("DOORGELEID_WEEGPLOEG_CTER", "Doorgeleid naar weegploeg radicalisering",
                                 "Referred to the radicalisation panel")
    MEER_INFORMATIE = ("MEER_INFORMATIE", "Meer informatie nodig", "More information needed")


class PartnerOrganisatie(Vocab):
    """Organisations that take part in a case. Proposed list **(verify)** per region."""

    ZVH = ("ZVH", "Zorg- en Veiligheidshuis", "Care and Safety House")
    GEMEENTE = ("GEMEENTE", "Gemeente", "Municipality")
    POLITIE = ("POLITIE", "Politie", "Police")
    OM = ("OM", "Openbaar Ministerie", "Public prosecution service")
    RN = ("RN", "Reclassering Nederland", "Reclassering Nederland (probation)")
    SVG = ("SVG", "Verslavingsreclassering GGZ (SVG)", "Addiction probation service (SVG)")
    LJR = ("LJR", "Leger des Heils J&R", "Salvation Army probation (LJ&R)")
    VEILIG_THUIS = ("VEILIG_THUIS", "Veilig Thuis", "Veilig Thuis (domestic-violence centre)")
    GGZ = ("GGZ", "GGZ", "Mental-health care")
    VERSLAVINGSZORG = ("VERSLAVINGSZORG", "Verslavingszorg", "Addiction care")
    DJI = ("DJI", "DJI", "Prison service")
    RVDK = ("RVDK", "Raad voor de Kinderbescherming", "Child protection board")
    GI = ("GI", "Gecertificeerde instelling (jeugdbescherming)", "Certified youth-protection agency")
    WIJKTEAM = ("WIJKTEAM", "Wijkteam", "Neighbourhood team")
    WONINGCORPORATIE = ("WONINGCORPORATIE", "Woningcorporatie", "Housing association")
    MAATSCHAPPELIJKE_OPVANG = ("MAATSCHAPPELIJKE_OPVANG", "Maatschappelijke opvang", "Shelter")
    HUISARTS = ("HUISARTS", "Huisarts", "GP")
    # added for the involved-organisations overview (#15) **(verify)** per region
    RECHTBANK = ("RECHTBANK", "Rechtbank", "Court")
    CVVI = ("CVVI", "CVvi (OM)", "OM central office for conditional release")
    EM_MELDKAMER = ("EM_MELDKAMER", "Meldkamer EM (reclassering)", "Electronic-monitoring room (probation)")
    GGZ_CRISISDIENST = ("GGZ_CRISISDIENST", "GGZ-crisisdienst", "Mental-health crisis service")
    ZORGINSTELLING = ("ZORGINSTELLING", "Zorginstelling of kliniek", "Care institution or clinic")
    ANDERS = ("ANDERS", "Anders", "Other")


class OrganisatieStatus(Vocab):
    """An organisation recorded on a case: involved, or proposed and dismissed with a reason (#15)."""

    ACTIEF = ("ACTIEF", "Betrokken", "Involved")
    AFGEWEZEN = ("AFGEWEZEN", "Voorstel afgewezen", "Proposal dismissed")


class OverlegSoort(Vocab):
    ICO = ("ICO", "Individueel casusoverleg (ICO)", "Individual case conference")
    TOP_X_OVERLEG = ("TOP_X_OVERLEG", "Top X-overleg", "Top X meeting")
    MDA_TRIAGE = ("MDA_TRIAGE", "MDA++-triage", "MDA++ triage")
    INCLUSIETAFEL = ("INCLUSIETAFEL", "Inclusietafel", "Inclusion table")
    LEVENSLOOPTAFEL = ("LEVENSLOOPTAFEL", "Levenslooptafel", "Life-course table")
    WEGING = ("WEGING", "Weging / triage", "Weighing / triage")
    THEMATISCH = ("THEMATISCH", "Thematisch overleg", "Thematic meeting")


class ActieStatus(Vocab):
    OPEN = ("OPEN", "Open", "Open")
    GEDAAN = ("GEDAAN", "Gedaan", "Done")
    VERVALLEN = ("VERVALLEN", "Vervallen", "Dropped")


# -- Meldcode, urgent flags, agenda (§4.3, §9.13) -----------------------------------------------------

class JaNee(Vocab):
    JA = ("JA", "Ja", "Yes")
    NEE = ("NEE", "Nee", "No")


class MeldcodeBesluit(Vocab):
    MELDEN_VT = ("MELDEN_VT", "Melden bij Veilig Thuis", "Report to Veilig Thuis")
    HULP_BIEDEN_OF_ORGANISEREN = ("HULP_BIEDEN_OF_ORGANISEREN", "Hulp bieden of organiseren",
                                  "Offer or organise help")
    GEEN_ZORGEN_AFSLUITEN = ("GEEN_ZORGEN_AFSLUITEN", "Geen vermoeden: afsluiten", "No suspicion: close")


class FlagReden(Vocab):
    ACUUT_GEVAAR = ("ACUUT_GEVAAR", "Acuut gevaar", "Acute danger")
    PSYCHIATRISCHE_CRISIS = ("PSYCHIATRISCHE_CRISIS", "Psychiatrische crisis", "Psychiatric crisis")
    SUICIDERISICO = ("SUICIDERISICO", "Suïciderisico", "Suicide risk")
    HUISELIJK_GEWELD_ACUUT = ("HUISELIJK_GEWELD_ACUUT", "Huiselijk geweld (acuut)", "Domestic violence (acute)")
    HUISELIJK_GEWELD_STRUCTUREEL = ("HUISELIJK_GEWELD_STRUCTUREEL", "Huiselijk geweld (structureel)",
                                    "Domestic violence (structural)")
    KIND_ONVEILIG = ("KIND_ONVEILIG", "Kind onveilig", "Child unsafe")
    OVERTREDING_SLACHTOFFERRISICO = ("OVERTREDING_SLACHTOFFERRISICO", "Overtreding met risico voor slachtoffer",
                                     "Violation with victim risk")
    ONTTREKKING = ("ONTTREKKING", "Onttrekking (uit beeld)", "Absconding / out of sight")
    OVERGANG_MISLUKT_OF_VERTRAAGD = ("OVERGANG_MISLUKT_OF_VERTRAAGD", "Overgang mislukt of vertraagd",
                                     "Transition failed or delayed")
    KADER_VERVALLEN = ("KADER_VERVALLEN", "Justitieel kader vervallen", "Legal framework lapsed")
    VERHUIZING_NAAR_RISICOADRES = ("VERHUIZING_NAAR_RISICOADRES", "Verhuizing naar risicoadres",
                                   "Moving to a risk address")
    DREIGING_MEDEWERKER = ("DREIGING_MEDEWERKER", "Dreiging tegen medewerker", "Threat to a worker")
    ANDERS = ("ANDERS", "Anders", "Other")


class Urgentie(Vocab):
    DIRECT = ("DIRECT", "Direct (binnen 1 uur)", "Immediately (within 1 hour)")
    ZELFDE_DAG = ("ZELFDE_DAG", "Vandaag nog", "Same day")
    BINNEN_24U = ("BINNEN_24U", "Binnen 24 uur", "Within 24 hours")
    BINNEN_5_WERKDAGEN = ("BINNEN_5_WERKDAGEN", "Binnen 5 werkdagen", "Within 5 working days")
    VOLGEND_OVERLEG = ("VOLGEND_OVERLEG", "Bij het volgende overleg", "At the next case meeting")


class Route(Vocab):
    POLITIE_112 = ("POLITIE_112", "112 / politie", "112 / police")
    GGZ_CRISISDIENST = ("GGZ_CRISISDIENST", "GGZ-crisisdienst", "Mental-health crisis service")
    VEILIG_THUIS_MELDING = ("VEILIG_THUIS_MELDING", "Melding bij Veilig Thuis", "Report to Veilig Thuis")
    OM_PIKET_VIA_RECLASSERING = ("OM_PIKET_VIA_RECLASSERING", "OM-piket via de reclassering",
                                 "Prosecutor on duty, through probation")
    BURGEMEESTER = ("BURGEMEESTER", "Burgemeester (huisverbod of crisismaatregel)",
                    "Mayor (house exclusion or crisis measure)")
    PROCESREGISSEUR_ZVH = ("PROCESREGISSEUR_ZVH", "Procesregisseur ZVH", "ZVH process director")
    TEAMLEIDER = ("TEAMLEIDER", "Teamleider", "Team leader")
    GI_RVDK = ("GI_RVDK", "GI of Raad voor de Kinderbescherming", "Youth protection or child protection board")


class FlagStatus(Vocab):
    OPEN = ("OPEN", "Open", "Open")
    IN_BEHANDELING = ("IN_BEHANDELING", "In behandeling", "In progress")
    AFGEHANDELD = ("AFGEHANDELD", "Afgehandeld", "Resolved")
    VERVALLEN = ("VERVALLEN", "Vervallen", "Lapsed")


class FlagRegel(Vocab):
    """The automatic rules that raise a flag (``flag.raised_by_rule``)."""

    ACUUT_RISICO_POLITIE = ("ACUUT_RISICO_POLITIE", "Acuut risico: politie", "Acute risk: police")
    ACUUT_RISICO_GGZ = ("ACUUT_RISICO_GGZ", "Acuut risico: crisisdienst", "Acute risk: crisis service")
    ACUUT_RISICO_VEILIG_THUIS = ("ACUUT_RISICO_VEILIG_THUIS", "Acuut risico: Veilig Thuis",
                                 "Acute risk: Veilig Thuis")
    ACUUT_RISICO_OM = ("ACUUT_RISICO_OM", "Acuut risico: OM via reclassering", "Acute risk: prosecution")
    OVERTREDING_SLACHTOFFER = ("OVERTREDING_SLACHTOFFER", "Overtreding met risico voor slachtoffer",
                               "Violation with victim risk")
    OVERGANG_TE_LAAT = ("OVERGANG_TE_LAAT", "Overgang te laat", "Transition late")
    OVERGANG_MISLUKT = ("OVERGANG_MISLUKT", "Overgang mislukt", "Transition failed")
    KADER_VERVALLEN = ("KADER_VERVALLEN", "Geen justitieel kader meer", "No legal framework left")
    VERHUIZING_SLACHTOFFERADRES = ("VERHUIZING_SLACHTOFFERADRES", "Woont bij slachtoffer",
                                   "Lives with a victim")


class AgendaSoort(Vocab):
    CONTACT_GEPLAND = ("CONTACT_GEPLAND", "Gepland contact", "Planned contact")
    MELDPLICHT = ("MELDPLICHT", "Meldplicht", "Reporting duty")
    OVERGANG = ("OVERGANG", "Overgangsmoment", "Transition")
    SIGNAAL_DEADLINE = ("SIGNAAL_DEADLINE", "Deadline signaal", "Flag deadline")
    ACTIE_DEADLINE = ("ACTIE_DEADLINE", "Deadline afspraak", "Action due")
    RAPPORTAGE_DEADLINE = ("RAPPORTAGE_DEADLINE", "Uiterste datum rapportage", "Report due")


# -- Review, reports and decisions (§3.4, §9.11, §9.13) ----------------------------------------------

class ReviewBesluit(Vocab):
    """A supervisor's decision on a note or report, and the author's resubmission after a return."""

    GOEDGEKEURD = ("GOEDGEKEURD", "Goedgekeurd", "Approved")
    AANPASSEN = ("AANPASSEN", "Terug voor aanpassing", "Returned for revision")
    BESPROKEN_IN_CASUSOVERLEG = ("BESPROKEN_IN_CASUSOVERLEG", "Besproken in casusoverleg",
                                 "Discussed in a case conference")
    OPNIEUW_INGEDIEND = ("OPNIEUW_INGEDIEND", "Opnieuw ingediend", "Resubmitted")


class ReviewStatus(Vocab):
    """Where a reviewable item stands (derived from its reviews; the latest by clock counts)."""

    TE_BEOORDELEN = ("TE_BEOORDELEN", "Te beoordelen", "To review")
    AANPASSEN = ("AANPASSEN", "Terug voor aanpassing", "Returned for revision")
    OPNIEUW_INGEDIEND = ("OPNIEUW_INGEDIEND", "Opnieuw ingediend", "Resubmitted")
    GOEDGEKEURD = ("GOEDGEKEURD", "Goedgekeurd", "Approved")
    BESPROKEN = ("BESPROKEN", "Besproken in casusoverleg", "Discussed in a case conference")


class RapportageType(Vocab):
    VOORTGANG = ("VOORTGANG", "Voortgangsrapportage", "Progress report")
    EVALUATIE = ("EVALUATIE", "Evaluatierapportage", "Evaluation report")
    OVERTREDING = ("OVERTREDING", "Rapportage bij niet-naleving", "Violation report")
    SPOED = ("SPOED", "Spoedrapportage", "Urgent report")
    EIND = ("EIND", "Eindrapportage", "Final report")
    VOORTIJDIGE_BEEINDIGING = ("VOORTIJDIGE_BEEINDIGING", "Voortijdige beëindiging", "Early termination")
    ADVIES = ("ADVIES", "Adviesrapportage", "Advice report")


class Advies(Vocab):
    CONTINUEREN = ("CONTINUEREN", "Toezicht voortzetten", "Continue")
    VOORWAARDEN_WIJZIGEN = ("VOORWAARDEN_WIJZIGEN", "Voorwaarden wijzigen", "Change the conditions")
    WAARSCHUWING_OM = ("WAARSCHUWING_OM", "Waarschuwing door het OM", "Warning by the prosecution")
    TUL = ("TUL", "Tenuitvoerlegging (TUL)", "Enforce the suspended sentence")
    HERROEPING_VI = ("HERROEPING_VI", "Herroeping v.i.", "Revoke the conditional release")
    OPHEFFEN_SCHORSING = ("OPHEFFEN_SCHORSING", "Opheffing van de schorsing", "Lift the suspension")
    OMZETTING_TBS = ("OMZETTING_TBS", "Omzetting tbs", "Convert the hospital order")
    BEEINDIGEN_TOEZICHT = ("BEEINDIGEN_TOEZICHT", "Toezicht beëindigen", "End supervision")


class RapportageAan(Vocab):
    OM = ("OM", "OM", "Prosecution (OM)")
    CVVI = ("CVVI", "CVvi", "CVvi")
    RECHTER = ("RECHTER", "Rechter", "Court")
    DJI = ("DJI", "DJI", "Prison service (DJI)")


class RapportageStatus(Vocab):
    """Set by the author; *definitief* follows only from a supervisor's approval (four eyes)."""

    CONCEPT = ("CONCEPT", "Concept", "Draft")
    TER_GOEDKEURING = ("TER_GOEDKEURING", "Ter goedkeuring", "Awaiting approval")
    DEFINITIEF = ("DEFINITIEF", "Definitief", "Final")
    VERZONDEN = ("VERZONDEN", "Verzonden", "Sent")


class OmBeslissing(Vocab):
    GEEN_ACTIE = ("GEEN_ACTIE", "Geen actie", "No action")
    WAARSCHUWING = ("WAARSCHUWING", "Waarschuwing", "Warning")
    VORDERING_WIJZIGING = ("VORDERING_WIJZIGING", "Vordering wijziging voorwaarden", "Claim to change conditions")
    VORDERING_TUL = ("VORDERING_TUL", "Vordering tenuitvoerlegging", "Enforcement claim")
    AANHOUDING_15H = ("AANHOUDING_15H", "Aanhouding (art. 15h Sr)", "Arrest (art. 15h Sr)")
    VORDERING_SCHORSING_VI = ("VORDERING_SCHORSING_VI", "Vordering schorsing v.i.",
                              "Claim to suspend the conditional release")
    VORDERING_HERROEPING_VI = ("VORDERING_HERROEPING_VI", "Vordering herroeping v.i.",
                               "Claim to revoke the conditional release")
    VORDERING_OPHEFFING_SCHORSING_VH = ("VORDERING_OPHEFFING_SCHORSING_VH", "Vordering opheffing schorsing VH",
                                        "Claim to lift the suspension of pre-trial detention")


class BeslissingEffect(Vocab):
    """What a decision does to the client's file; the app applies it to the framework or conditions."""

    GEEN = ("GEEN", "Geen gevolg voor kader of voorwaarden", "No effect on framework or conditions")
    VOORWAARDEN_GEWIJZIGD = ("VOORWAARDEN_GEWIJZIGD", "Voorwaarden gewijzigd", "Conditions changed")
    VOORWAARDEN_BEEINDIGD = ("VOORWAARDEN_BEEINDIGD", "Voorwaarden beëindigd", "Conditions ended")
    KADER_GESCHORST = ("KADER_GESCHORST", "Kader geschorst", "Framework suspended")
    KADER_BEEINDIGD = ("KADER_BEEINDIGD", "Kader beëindigd", "Framework ended")
