"""Each fact of the wire is stated once (``field_app.crypto.facts``); the places that need a fact read it
from there, and the domain's role labels cover exactly the wire's role codes."""

from __future__ import annotations

from field_app.crypto import envelope, facts, ledger
from field_app.domain.vocab import ROLE_CODES
from field_app.sync.client import ServerError


def test_the_domain_labels_exactly_the_wire_roles():
    assert tuple(ROLE_CODES) == facts.ROLES


def test_limits_and_reasons_come_from_the_facts():
    assert ledger.MAX_ENTRY == facts.MAX_LEDGER_ENTRY_BYTES
    assert ledger.REVOKE_REASONS is facts.REVOKE_REASONS
    assert envelope.MAX_ENVELOPE == facts.MAX_ENVELOPE_BYTES


def test_error_codes_are_unique_and_the_client_compares_through_the_enum():
    codes = [e.code for e in facts.ErrorCode]
    assert len(codes) == len(set(codes))
    err = ServerError(409, "stale_epoch")
    assert err.is_(facts.ErrorCode.STALE_EPOCH) and not err.is_(facts.ErrorCode.OP_CONFLICT)
    assert ServerError(409, "something_new").error is None
