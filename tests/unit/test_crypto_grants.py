"""Key grants: only a coordinator's grant of the committed key, addressed to me, is accepted."""

from __future__ import annotations

import copy
import hashlib
import hmac
from typing import Any

import pytest
from ledger_fixtures import team_chain

from field_app.crypto import hpke
from field_app.crypto.canonical import b64d, b64e, pinned
from field_app.crypto.grants import GrantError, epoch_commitment, grant_info, make_grant, open_grant
from field_app.crypto.identity import DeviceIdentity
from field_app.crypto.ledger import VerifiedLedger, verify_chain

TEAM = bytes(range(16))
EPOCH_KEY = b"\xe1" * 32
COORD = DeviceIdentity.generate()
WORKER = DeviceIdentity.generate()
OTHER = DeviceIdentity.generate()
T0 = 1_767_225_600_000


def ledger() -> VerifiedLedger:
    return verify_chain(team_chain(TEAM, COORD, WORKER, OTHER, EPOCH_KEY), TEAM)


LEDGER = ledger()


def grant_for(me: DeviceIdentity = WORKER, **overrides: Any) -> dict[str, Any]:
    args: dict[str, Any] = dict(
        team=TEAM,
        epoch=1,
        epoch_key=EPOCH_KEY,
        recipient=me.device_id,
        recipient_x25519=me.x25519_pub,
        granter=COORD,
    )
    args.update(overrides)
    return make_grant(**args)


def resigned(grant: dict[str, Any], by: DeviceIdentity = COORD) -> dict[str, Any]:
    unsigned = {k: v for k, v in grant.items() if k != "sig"}
    return {**unsigned, "sig": b64e(by.sign(pinned("grant", unsigned)))}


def test_epoch_commitment_is_hmac_over_pinned_epoch_id() -> None:
    expected = hmac.new(EPOCH_KEY, pinned("epoch-id", {"team": TEAM, "epoch": 1}), hashlib.sha256).digest()
    assert epoch_commitment(TEAM, 1, EPOCH_KEY) == expected
    assert epoch_commitment(TEAM, 2, EPOCH_KEY) != expected
    assert epoch_commitment(bytes(16), 1, EPOCH_KEY) != expected


def test_grant_roundtrip() -> None:
    grant = grant_for()
    assert set(grant) == {"team", "epoch", "recipient", "recipient_x25519", "granter", "wrapped", "sig"}
    assert grant["granter"] == b64e(COORD.device_id) and len(b64d(grant["wrapped"])) == 80
    assert open_grant(grant, me=WORKER, team=TEAM, ledger=LEDGER) == (1, EPOCH_KEY)


def test_wrapped_is_plain_rfc9180_hpke_with_the_pinned_info() -> None:
    grant = grant_for()
    wrapped = b64d(grant["wrapped"])
    info = grant_info(TEAM, 1, WORKER.device_id, WORKER.x25519_pub)
    assert info.startswith(b"veldwerk/grant-info/v1\0")
    assert hpke.open_base(WORKER.exchange_key, wrapped[:32], info, b"", wrapped[32:]) == EPOCH_KEY


def test_grant_not_signed_by_a_beheer_device_is_refused() -> None:
    # WORKER is in the ledger but has no beheer; it wraps the right key.
    grant = grant_for(me=OTHER, granter=WORKER)
    with pytest.raises(GrantError, match="beheer"):
        open_grant(grant, me=OTHER, team=TEAM, ledger=LEDGER)


def test_grant_from_a_device_outside_the_ledger_is_refused() -> None:
    stranger = DeviceIdentity.generate()
    with pytest.raises(GrantError, match="beheer"):
        open_grant(grant_for(granter=stranger), me=WORKER, team=TEAM, ledger=LEDGER)


def test_grant_claiming_the_coordinator_but_signed_by_another_is_refused() -> None:
    forged = resigned(grant_for(granter=WORKER) | {"granter": b64e(COORD.device_id)}, by=WORKER)
    with pytest.raises(GrantError, match="signature"):
        open_grant(forged, me=WORKER, team=TEAM, ledger=LEDGER)


def test_key_not_matching_the_epoch_commitment_is_refused() -> None:
    # A coordinator (or anyone who stole its key) wraps a different key: the ledger's commitment catches it.
    grant = grant_for(epoch_key=b"\x66" * 32)
    with pytest.raises(GrantError, match="commitment"):
        open_grant(grant, me=WORKER, team=TEAM, ledger=LEDGER)


def test_grant_for_an_epoch_the_ledger_does_not_know_is_refused() -> None:
    with pytest.raises(GrantError, match="epoch"):
        open_grant(grant_for(epoch=2), me=WORKER, team=TEAM, ledger=LEDGER)


def test_grant_for_another_recipient_is_refused() -> None:
    grant = grant_for(me=OTHER)
    with pytest.raises(GrantError, match="addressed"):
        open_grant(grant, me=WORKER, team=TEAM, ledger=LEDGER)


def test_grant_readdressed_to_me_does_not_open() -> None:
    # Changing the recipient fields and re-signing (a coordinator's mistake) still cannot open: the
    # ciphertext was made for the other device's key and info.
    original = grant_for(me=OTHER)
    readdressed = resigned(
        original | {"recipient": b64e(WORKER.device_id), "recipient_x25519": b64e(WORKER.x25519_pub)}
    )
    with pytest.raises(GrantError, match="open"):
        open_grant(readdressed, me=WORKER, team=TEAM, ledger=LEDGER)


def test_grant_with_my_id_but_another_x25519_key_is_refused() -> None:
    grant = grant_for(recipient_x25519=OTHER.x25519_pub)
    with pytest.raises(GrantError, match="addressed"):
        open_grant(grant, me=WORKER, team=TEAM, ledger=LEDGER)


def test_grant_for_another_team_is_refused() -> None:
    with pytest.raises(GrantError, match="team"):
        open_grant(grant_for(team=bytes(16)), me=WORKER, team=TEAM, ledger=LEDGER)
    with pytest.raises(GrantError, match="team"):
        open_grant(grant_for(), me=WORKER, team=bytes(16), ledger=LEDGER)


@pytest.mark.parametrize(
    "name", ["team", "epoch", "recipient", "recipient_x25519", "granter", "wrapped", "sig"]
)
def test_tampered_field_is_refused(name: str) -> None:
    grant = grant_for()
    if name == "epoch":
        grant[name] = 2
    else:
        raw = bytearray(b64d(grant[name]))
        raw[-1] ^= 1
        grant[name] = b64e(bytes(raw))
    with pytest.raises(GrantError):
        open_grant(grant, me=WORKER, team=TEAM, ledger=LEDGER)


def test_tampered_wrap_resigned_by_the_coordinator_does_not_open() -> None:
    grant = grant_for()
    raw = bytearray(b64d(grant["wrapped"]))
    raw[40] ^= 1
    with pytest.raises(GrantError, match="open"):
        open_grant(resigned(grant | {"wrapped": b64e(bytes(raw))}), me=WORKER, team=TEAM, ledger=LEDGER)


@pytest.mark.parametrize(
    "mutate",
    [
        lambda g: g.pop("sig"),
        lambda g: g.update(extra="x"),
        lambda g: g.update(epoch="1"),
        lambda g: g.update(epoch=0),
        lambda g: g.update(epoch=True),
        lambda g: g.update(wrapped=g["wrapped"][:-4]),
        lambda g: g.update(team=None),
        lambda g: g.update(sig="***"),
    ],
)
def test_malformed_grants_are_refused(mutate) -> None:
    grant = copy.deepcopy(grant_for())
    mutate(grant)
    with pytest.raises(GrantError):
        open_grant(grant, me=WORKER, team=TEAM, ledger=LEDGER)


def test_not_a_dict_is_refused() -> None:
    with pytest.raises(GrantError):
        open_grant(["not", "a", "grant"], me=WORKER, team=TEAM, ledger=LEDGER)  # type: ignore[arg-type]


def test_make_grant_refuses_bad_inputs() -> None:
    with pytest.raises(GrantError):
        grant_for(epoch_key=b"short")
    with pytest.raises(GrantError):
        grant_for(epoch=0)
    with pytest.raises(GrantError):
        grant_for(recipient_x25519=bytes(32))  # a small-order point: HPKE refuses it


def test_grant_is_deterministic_with_rng_hook() -> None:
    def rng(n: int) -> bytes:
        return b"\xee" * n

    assert grant_for(_rng=rng) == grant_for(_rng=rng)
    assert grant_for() != grant_for()
