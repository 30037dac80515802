"""Bad input gets a clear answer and changes nothing: every public call of the services, given values of
the wrong type, invalid text (lone surrogates), oversize values or unknown ids, raises one of the
project's own errors (a Dutch sentence) — never TypeError, KeyError, AttributeError or UnicodeError — and
the device's data stays as it was. Property-based, derandomized, bounded."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from secsupport import make_team, names

from field_app.app_api import (
    EnrolError,
    LockedError,
    NotAllowed,
    ValidationError,
    WeakPassphrase,
    WrongPassphrase,
)
from field_app.services import Services

OURS = (ValidationError, NotAllowed, LockedError, EnrolError, WeakPassphrase, WrongPassphrase)

ANY = st.recursive(
    st.none() | st.booleans() | st.integers(-2**70, 2**70) | st.floats(allow_nan=True)
    | st.text(max_size=30) | st.sampled_from(["\ud800", "x" * 100_000, "", " ", "contact", "client", "flag"]),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=8,
)
FIELDS = st.dictionaries(st.sampled_from(["contact_type", "outcome", "report", "occurred_at", "risks", "status",
                                           "display_name", "assigned_to", "reason", "text", "x"]), ANY, max_size=6)
SETTINGS = settings(max_examples=40, derandomize=True, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


@pytest.fixture(scope="module")
def team(tmp_path_factory):
    t = make_team(tmp_path_factory.mktemp("bad-input"))
    t.client = t.work.add_client("Bestaande cliënt (fictief)")
    t.work.sync_once()
    yield t
    t.close()


def _refused_or_done(call) -> None:
    try:
        call()
    except OURS:
        pass


def _snapshot(svc: Services) -> tuple:
    return (names(svc), svc.unsynced_count(), len(svc.timeline(svc.caseload()[0].id)))


@SETTINGS
@given(name=ANY, fictional=ANY)
def test_add_client(team, name, fictional):
    before = _snapshot(team.work)
    try:
        team.work.add_client(name, fictional=fictional)
    except OURS:
        assert _snapshot(team.work) == before


@SETTINGS
@given(client=ANY | st.just("CLIENT"), contact_type=ANY, outcome=ANY, report=ANY, occurred_at=ANY, risks=ANY)
def test_record_contact(team, client, contact_type, outcome, report, occurred_at, risks):
    client = team.client if client == "CLIENT" else client
    before = _snapshot(team.work)
    try:
        team.work.record_contact(client, contact_type=contact_type, outcome=outcome, report=report,
                                 occurred_at=occurred_at, risks=risks)
    except OURS:
        assert _snapshot(team.work) == before


@SETTINGS
@given(rtype=ANY | st.sampled_from(["contact", "flag", "condition", "network_person"]),
       client=ANY | st.just("CLIENT"), fields=FIELDS | ANY, record_id=st.none() | ANY)
def test_create_record(team, rtype, client, fields, record_id):
    client = team.client if client == "CLIENT" else client
    before = _snapshot(team.work)
    try:
        team.work.create_record(rtype, client, fields, record_id=record_id)
    except OURS:
        assert _snapshot(team.work) == before


@SETTINGS
@given(record=ANY | st.just("CLIENT"), changes=FIELDS | ANY, text=ANY, reason=ANY)
def test_update_addendum_retract(team, record, changes, text, reason):
    record = team.client if record == "CLIENT" else record
    for call in (lambda: team.work.update_record(record, changes), lambda: team.work.add_addendum(record, text),
                 lambda: team.work.retract_record(record, reason)):
        _refused_or_done(call)


@SETTINGS
@given(slot=ANY, data=ANY, client=ANY, reason=ANY)
def test_drafts_and_opening_a_file(team, slot, data, client, reason):
    _refused_or_done(lambda: team.work.save_draft(slot, data))
    _refused_or_done(lambda: team.work.load_draft(slot))
    _refused_or_done(lambda: team.work.clear_draft(slot))
    before = team.work.unsynced_count()
    try:
        team.work.open_client_file(client, reason)
    except OURS:
        assert team.work.unsynced_count() == before


@settings(max_examples=15, derandomize=True, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(device=ANY, digits=ANY, role=ANY, beheer=ANY, reason=ANY)
def test_team_administration(team, device, digits, role, beheer, reason):
    ledger = team.sup.device.ledger.head_index
    for call in (lambda: team.sup.confirm_device(device, digits, role), lambda: team.sup.set_role(device, role, beheer),
                 lambda: team.sup.revoke_device(device, reason), lambda: team.sup.wipe_device(device),
                 lambda: team.sup.create_invitation(role)):
        _refused_or_done(call)
    if not (isinstance(role, str) and role in ("VELDWERKER", "WERKBEGELEIDER")):
        assert team.sup.device.ledger.head_index == ledger  # nothing signed


@SETTINGS
@given(old=ANY, new=ANY, passphrase=ANY)
def test_passphrases_and_unlock(team, old, new, passphrase):
    _refused_or_done(lambda: team.work.change_passphrase(old, new))
    team.work.unlock("veldwerker-geheim-12")  # still the same passphrase (unless it was the right old one)


def test_an_enrolment_name_that_cannot_be_stored_uses_no_code(team, tmp_path):
    invitation = team.sup.create_invitation("VELDWERKER")
    pending = len(team.sup.pending_devices())
    with pytest.raises(EnrolError):
        Services.enrol(tmp_path / "n", invite=invitation["text"], passphrase="een-goede-zin-12",
                       user_name="Naam \ud800 met een halve letter", autosync=False)
    assert len(team.sup.pending_devices()) == pending
    # the code is still good
    again = Services.enrol(tmp_path / "m", invite=invitation["text"], passphrase="een-goede-zin-12",
                           user_name="Nieuwe collega (fictief)", autosync=False)
    again.close()
