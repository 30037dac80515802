"""Domain: vocabulary, validation and the hybrid logical clock."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from field_app.domain.errors import ValidationError
from field_app.domain.hlc import MAX_SKEW_MS, HybridClock, Stamp, may_win
from field_app.domain.validation import check_contact, clean_display_name
from field_app.domain.vocab import ContactType, ContactUitkomst, Ernst, RisicoDomein

NOW = 1_760_000_000_000


def good(**kw):
    base = dict(contact_type="HUISBEZOEK_AANGEKONDIGD", outcome="PLAATSGEVONDEN", report="Verslag.",
                occurred_at=NOW - 60_000, risks=[], now=NOW)
    base.update(kw)
    return base


def test_vocab_codes_and_labels_follow_domain_md():
    assert len(ContactType) == 15 and ContactType.KANTOOR.label.nl.startswith("Kantoorcontact")
    assert len(ContactUitkomst) == 8
    assert "SUICIDALITEIT" in RisicoDomein.codes() and RisicoDomein.SUICIDALITEIT.label.en == "Suicidality"
    assert [e.value for e in sorted(Ernst, key=lambda e: e.rank)] == ["LAAG", "MIDDEN", "HOOG", "ACUUT"]
    for enum in (ContactType, ContactUitkomst, RisicoDomein, Ernst):
        for m in enum:
            assert m.label.nl and m.label.en


def test_valid_contact_is_cleaned():
    fields = check_contact(**good(report="  Verslag.  ", risks=[("ALCOHOL", "MIDDEN")]))
    assert fields["report"] == "Verslag." and fields["risks"] == [{"domain": "ALCOHOL", "severity": "MIDDEN"}]


@pytest.mark.parametrize("change, field", [
    ({"contact_type": "BESTAAT_NIET"}, "contact_type"),
    ({"outcome": None}, "outcome"),
    ({"report": ""}, "report"),
    ({"report": "x" * 20_001}, "report"),
    ({"occurred_at": NOW + 3_600_000}, "occurred_at"),
    ({"occurred_at": "gisteren"}, "occurred_at"),
    ({"occurred_at": 1.5}, "occurred_at"),
    ({"risks": [("ALCOHOL", "MIDDEN"), ("ALCOHOL", "HOOG")]}, "risks"),
    ({"risks": [("ALCOHOL", "ERG")]}, "risks"),
    ({"risks": [("GEEN_DOMEIN", "LAAG")]}, "risks"),
])
def test_invalid_contact_gives_dutch_message(change, field):
    with pytest.raises(ValidationError) as exc:
        check_contact(**good(**change))
    assert field in exc.value.errors
    assert exc.value.errors[field][0].isupper()  # a sentence, not a code


def test_no_show_needs_no_report():
    assert check_contact(**good(outcome="NIET_VERSCHENEN", report="", excused=False))["report"] == ""


def test_no_show_needs_whether_it_was_excused():
    with pytest.raises(ValidationError) as exc:
        check_contact(**good(outcome="NIET_VERSCHENEN", report=""))
    assert exc.value.errors == {"excused": "Kies of het wegblijven geoorloofd of ongeoorloofd was."}
    assert check_contact(**good(outcome="NIET_VERSCHENEN", report="", excused=True))["excused"] is True


@given(st.text(max_size=300))
def test_display_name_is_either_clean_or_refused(name):
    try:
        clean = clean_display_name(name)
    except ValidationError as exc:
        assert "display_name" in exc.errors
    else:
        assert clean == clean.strip() and 0 < len(clean) <= 120 and "  " not in clean


@given(st.sampled_from(ContactType.codes()), st.sampled_from(ContactUitkomst.codes()),
       st.lists(st.tuples(st.sampled_from(RisicoDomein.codes()), st.sampled_from(Ernst.codes())),
                max_size=5, unique_by=lambda t: t[0]),
       st.integers(min_value=946_684_800_000, max_value=NOW))
def test_any_well_formed_contact_validates(ctype, outcome, risks, when):
    fields = check_contact(contact_type=ctype, outcome=outcome, report="iets", occurred_at=when,
                           risks=risks, excused=False if outcome == "NIET_VERSCHENEN" else None, now=NOW)
    assert len(fields["risks"]) == len(risks)


def test_hlc_is_monotonic_even_when_the_wall_clock_goes_back():
    times = iter([1000, 1000, 900, 2000])
    clock = HybridClock("dev", clock=lambda: next(times))
    stamps = [clock.now() for _ in range(4)]
    assert stamps == sorted(stamps) and len(set(stamps)) == 4


def test_hlc_observes_remote_but_not_far_future():
    clock = HybridClock("a", clock=lambda: 1000)
    clock.observe(Stamp(5000, 3, "b"))
    assert clock.now() > Stamp(5000, 3, "b")
    clock.observe(Stamp(1000 + MAX_SKEW_MS + 10, 0, "b"))
    assert clock.now().ms < MAX_SKEW_MS
    assert not may_win(Stamp(1000 + MAX_SKEW_MS + 1, 0, "b"), 1000)
    assert may_win(Stamp(1000 + MAX_SKEW_MS, 0, "b"), 1000)


@given(st.lists(st.tuples(st.integers(0, 10**13), st.integers(0, 100), st.sampled_from("abc")), min_size=1))
def test_hlc_wire_roundtrip(values):
    for ms, counter, dev in values:
        s = Stamp(ms, counter, dev)
        assert Stamp.from_wire(s.to_wire()) == s
