"""The meldcode afwegingskader: five questions, a guided form that stops early, and the recorded decision."""

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from field_app.domain.errors import ValidationError
from field_app.domain.meldcode import (
    MELDCODE_QUESTIONS,
    QUESTION_KEYS,
    asked_questions,
    meldcode_decision,
    meldcode_next_question,
)
from field_app.domain.records import DictContext, validate_create

NOW = 1_760_000_000_000
ALL_ANSWERS = [dict(zip(QUESTION_KEYS, combo, strict=True)) for combo in itertools.product(("JA", "NEE"), repeat=5)]


def expected(a: dict) -> str:
    """The five steps of the afwegingskader, written out as the protocol reads."""
    if a["q1_vermoeden"] == "NEE":
        return "GEEN_ZORGEN_AFSLUITEN"
    if a["q2_acuut_of_structureel_onveilig"] == "JA":
        return "MELDEN_VT"  # acute or structural unsafety: always report
    if a["q3_hulp_mogelijk"] == "NEE" or a["q4_hulp_aanvaard"] == "NEE" or a["q5_leidt_tot_veiligheid"] == "NEE":
        return "MELDEN_VT"
    return "HULP_BIEDEN_OF_ORGANISEREN"


def test_there_are_five_ordered_questions_in_dutch_and_english():
    assert QUESTION_KEYS == ("q1_vermoeden", "q2_acuut_of_structureel_onveilig", "q3_hulp_mogelijk",
                             "q4_hulp_aanvaard", "q5_leidt_tot_veiligheid")
    for q in MELDCODE_QUESTIONS:
        assert q.text.nl.endswith("?") and q.text.en.endswith("?")


@pytest.mark.parametrize("answers", ALL_ANSWERS, ids=["".join(a[0] for a in c.values()) for c in ALL_ANSWERS])
def test_all_32_answer_combinations_give_the_protocol_decision(answers):
    assert meldcode_decision(answers) == expected(answers)
    assert meldcode_next_question(answers) is None


def test_only_help_that_works_in_time_avoids_a_report():
    decisions = [meldcode_decision(a) for a in ALL_ANSWERS]
    assert decisions.count("GEEN_ZORGEN_AFSLUITEN") == 16
    assert decisions.count("HULP_BIEDEN_OF_ORGANISEREN") == 1
    assert decisions.count("MELDEN_VT") == 15


def test_guided_form_asks_one_question_at_a_time_and_stops_as_soon_as_it_decides():
    answers: dict = {}
    assert meldcode_next_question(answers) == "q1_vermoeden" and meldcode_decision(answers) is None
    answers["q1_vermoeden"] = "JA"
    assert meldcode_next_question(answers) == "q2_acuut_of_structureel_onveilig"
    answers["q2_acuut_of_structureel_onveilig"] = "JA"
    assert meldcode_next_question(answers) is None and meldcode_decision(answers) == "MELDEN_VT"
    assert asked_questions(answers) == QUESTION_KEYS[:2]
    assert meldcode_next_question({"q1_vermoeden": "NEE"}) is None
    assert asked_questions({"q1_vermoeden": "JA", "q2_acuut_of_structureel_onveilig": "NEE",
                            "q3_hulp_mogelijk": "JA", "q4_hulp_aanvaard": "NEE"}) == QUESTION_KEYS[:4]


@given(st.dictionaries(st.sampled_from(QUESTION_KEYS), st.sampled_from(["JA", "NEE", None, "MISSCHIEN"])))
def test_a_partly_filled_form_either_decides_or_names_the_next_question(answers):
    decision, nxt = meldcode_decision(answers), meldcode_next_question(answers)
    assert (decision is None) != (nxt is None)
    if nxt is not None:
        assert answers.get(nxt) not in ("JA", "NEE")
        assert all(answers.get(k) in ("JA", "NEE") for k in QUESTION_KEYS[:QUESTION_KEYS.index(nxt)])


@pytest.mark.parametrize("answers", ALL_ANSWERS, ids=["".join(a[0] for a in c.values()) for c in ALL_ANSWERS])
def test_the_record_stores_the_asked_answers_and_the_derived_decision(answers):
    asked = {k: answers[k] for k in asked_questions(answers)}
    fields = {**asked, "q2_toelichting": "Eerdere incidenten." if asked.get(
        "q2_acuut_of_structureel_onveilig") == "JA" else ""}
    clean = validate_create("meldcode", fields, DictContext("c", NOW))
    assert clean["decision"] == expected(answers)
    assert all(clean[k] is None for k in QUESTION_KEYS if k not in asked)


def test_the_record_refuses_an_unfinished_form_and_answers_after_the_decision():
    ctx = DictContext("c", NOW)
    with pytest.raises(ValidationError) as exc:
        validate_create("meldcode", {"q1_vermoeden": "JA", "q2_acuut_of_structureel_onveilig": "NEE"}, ctx)
    assert exc.value.errors == {"q3_hulp_mogelijk": "Beantwoord deze vraag."}
    with pytest.raises(ValidationError) as exc:
        validate_create("meldcode", {"q1_vermoeden": "NEE", "q4_hulp_aanvaard": "JA"}, ctx)
    assert set(exc.value.errors) == {"q4_hulp_aanvaard"}
    with pytest.raises(ValidationError) as exc:
        validate_create("meldcode", {"q1_vermoeden": "JA", "q2_acuut_of_structureel_onveilig": "JA"}, ctx)
    assert exc.value.errors == {"q2_toelichting": "Leg uit waarom het acuut of structureel onveilig is."}
