"""The meldcode afwegingskader (DOMAIN.md §4.3, [S48]) as a guided form that stops as soon as it decides.

(1) Is there a suspicion? No: close. (2) Acute or structural unsafety? Yes: always report to Veilig Thuis.
(3) Can I offer or organise effective help? (4) Do the people involved accept it? (5) Does it lead to
safety in time? A "no" on 3, 4 or 5 means report; "yes" on all means offer or organise help.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .fieldkit import Errors, choice, ref, text
from .schema import Derived, Field, Schema
from .vocab import JaNee, Label, MeldcodeBesluit


@dataclass(frozen=True)
class Question:
    key: str
    text: Label


MELDCODE_QUESTIONS: tuple[Question, ...] = (
    Question("q1_vermoeden", Label(
        "Is er een vermoeden van huiselijk geweld of kindermishandeling?",
        "Is there a suspicion of domestic violence or child abuse?")),
    Question("q2_acuut_of_structureel_onveilig", Label(
        "Is er sprake van acute of structurele onveiligheid?",
        "Is there acute or structural unsafety?")),
    Question("q3_hulp_mogelijk", Label(
        "Kun je zelf, of met anderen, goede hulp bieden of organiseren?",
        "Can you offer or organise effective help, alone or with others?")),
    Question("q4_hulp_aanvaard", Label(
        "Aanvaarden de betrokkenen deze hulp?",
        "Do the people involved accept this help?")),
    Question("q5_leidt_tot_veiligheid", Label(
        "Leidt de hulp op tijd tot voldoende veiligheid?",
        "Does the help lead to enough safety in time?")),
)
QUESTION_KEYS: tuple[str, ...] = tuple(q.key for q in MELDCODE_QUESTIONS)
_JA, _NEE = JaNee.JA.value, JaNee.NEE.value


def _walk(answers: dict) -> tuple[str | None, str | None]:
    """(decision, next question): exactly one is ``None`` unless an answer is not JA/NEE."""
    for key in QUESTION_KEYS:
        answer = answers.get(key)
        if answer not in (_JA, _NEE):
            return None, key
        if key == "q1_vermoeden" and answer == _NEE:
            return MeldcodeBesluit.GEEN_ZORGEN_AFSLUITEN.value, None
        if key == "q2_acuut_of_structureel_onveilig" and answer == _JA:
            return MeldcodeBesluit.MELDEN_VT.value, None
        if key in ("q3_hulp_mogelijk", "q4_hulp_aanvaard", "q5_leidt_tot_veiligheid") and answer == _NEE:
            return MeldcodeBesluit.MELDEN_VT.value, None
    return MeldcodeBesluit.HULP_BIEDEN_OF_ORGANISEREN.value, None


def meldcode_decision(answers: dict) -> str | None:
    """The decision the answers lead to, or ``None`` while a needed question is unanswered. Answers to
    questions after the deciding one do not matter."""
    return _walk(answers)[0]


def meldcode_next_question(answers: dict) -> str | None:
    """The key of the next question to ask, or ``None`` once the answers decide."""
    return _walk(answers)[1]


def asked_questions(answers: dict) -> tuple[str, ...]:
    """The questions the guided form asks for these answers (up to and including the deciding one)."""
    asked = []
    for key in QUESTION_KEYS:
        asked.append(key)
        if meldcode_decision({k: answers.get(k) for k in asked}) is not None:
            break
    return tuple(asked)


def _check(m: dict, ctx: Any, errors: Errors) -> None:
    if any(k not in m for k in QUESTION_KEYS):
        return  # an answer is invalid and already reported
    nxt = meldcode_next_question(m)
    if nxt is not None:
        errors.add(nxt, "Beantwoord deze vraag.")
        return
    asked = asked_questions(m)
    for key in QUESTION_KEYS[len(asked):]:
        if m.get(key) is not None:
            errors.add(key, "Deze vraag komt niet meer aan de orde: het besluit staat al vast.")
    if m.get("q2_acuut_of_structureel_onveilig") == _JA and not m.get("q2_toelichting"):
        errors.add("q2_toelichting", "Leg uit waarom het acuut of structureel onveilig is.")


_ANSWER = choice(JaNee, "Kies ja of nee.")

MELDCODE = Schema(
    fields={
        **{key: Field(_ANSWER, doc=q.text.nl) for key, q in zip(QUESTION_KEYS, MELDCODE_QUESTIONS, strict=True)},
        "q2_toelichting": Field(text(2000), default="", doc="why acute/structural unsafety (required with JA)"),
        "flag_id": Field(ref("flag", "Kies een signaal van deze persoon."), doc="the flag this weighing is for"),
        "note": Field(text(4000), default="", doc="toelichting"),
    },
    check=_check,
    derived={"decision": Derived(lambda m, ctx: _require(meldcode_decision(m)),
                                 "Het besluit volgt uit de antwoorden; pas de antwoorden aan.",
                                 doc="computed by meldcode_decision", kind="MeldcodeBesluit")},
)


def _require(value: str | None) -> str:
    if value is None:
        raise ValueError("undecided")
    return value
