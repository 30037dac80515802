"""Team ledger: a valid chain verifies; forged, reordered or tampered chains are refused."""

from __future__ import annotations

import copy
import hashlib
import json
from typing import Any

import pytest
from ledger_fixtures import team_chain

from field_app.crypto.canonical import b64e, canonical_json, pinned
from field_app.crypto.grants import epoch_commitment
from field_app.crypto.identity import DeviceIdentity
from field_app.crypto.ledger import (
    GENESIS_PREV,
    LedgerError,
    add_device,
    entry_hash,
    extend_chain,
    genesis,
    make_entry,
    verify_chain,
)

TEAM = bytes(range(16))
EPOCH_KEY = b"\xe1" * 32
COORD = DeviceIdentity.generate()  # coordinator, genesis device with beheer
WORKER = DeviceIdentity.generate()
OTHER = DeviceIdentity.generate()
T0 = 1_767_225_600_000


def chain() -> list[dict[str, Any]]:
    return team_chain(TEAM, COORD, WORKER, OTHER, EPOCH_KEY, other_role="WERKBEGELEIDER", step=1)


def test_valid_chain_verifies() -> None:
    entries = chain()
    ledger = verify_chain(entries, TEAM)
    assert ledger.team == TEAM
    assert set(ledger.devices) == {COORD.device_id, WORKER.device_id, OTHER.device_id}
    coord = ledger.devices[COORD.device_id]
    assert coord.beheer and coord.role == "PROCESREGISSEUR" and coord.ed25519 == COORD.ed25519_pub
    worker = ledger.devices[WORKER.device_id]
    assert not worker.beheer and worker.role == "VELDWERKER" and worker.x25519 == WORKER.x25519_pub
    assert ledger.epochs == {1: epoch_commitment(TEAM, 1, EPOCH_KEY)} and ledger.current_epoch == 1
    assert ledger.head_index == 2 and ledger.head_hash == entry_hash(entries[2])
    assert ledger.has_beheer(COORD.device_id) and not ledger.has_beheer(WORKER.device_id)


def test_entries_are_json_ready_and_hash_is_sha256_of_canonical_json() -> None:
    g = chain()[0]
    assert json.loads(json.dumps(g)) == g
    assert g["prev"] == b64e(GENESIS_PREV) and g["index"] == 0 and g["type"] == "genesis"
    assert entry_hash(g) == hashlib.sha256(canonical_json(g)).digest()


def test_extend_chain_continues_a_verified_ledger_without_changing_it() -> None:
    entries = chain()
    first = verify_chain(entries[:1], TEAM)
    full = extend_chain(first, entries[1:])
    assert first.head_index == 0 and len(first.devices) == 1
    assert full == verify_chain(entries, TEAM)
    with pytest.raises(LedgerError):
        extend_chain(full, entries[1:])  # already applied: indices do not continue


def test_entry_signed_by_a_device_without_beheer_is_refused() -> None:
    entries = chain()
    newcomer = DeviceIdentity.generate()
    forged = add_device(
        TEAM,
        3,
        entry_hash(entries[2]),
        WORKER,
        newcomer.device_id,
        newcomer.ed25519_pub,
        newcomer.x25519_pub,
        "VELDWERKER",
        T0 + 3,
    )
    with pytest.raises(LedgerError, match="beheer"):
        verify_chain([*entries, forged], TEAM)


def test_entry_signed_by_an_unknown_device_is_refused() -> None:
    entries = chain()
    stranger = DeviceIdentity.generate()
    forged = add_device(
        TEAM,
        3,
        entry_hash(entries[2]),
        stranger,
        stranger.device_id,
        stranger.ed25519_pub,
        stranger.x25519_pub,
        "VELDWERKER",
        T0 + 3,
    )
    with pytest.raises(LedgerError):
        verify_chain([*entries, forged], TEAM)


def test_entry_claiming_a_beheer_signer_but_signed_by_another_key_is_refused() -> None:
    entries = chain()
    forged = copy.deepcopy(entries[2])
    forged["signer"] = b64e(COORD.device_id)
    unsigned = {k: v for k, v in forged.items() if k != "sig"}
    forged["sig"] = b64e(WORKER.sign(pinned("ledger", unsigned)))
    with pytest.raises(LedgerError, match="signature"):
        verify_chain([*entries[:2], forged], TEAM)


def test_wrong_prev_is_refused() -> None:
    entries = chain()
    forged = add_device(
        TEAM,
        2,
        entry_hash(entries[0]),
        COORD,
        OTHER.device_id,
        OTHER.ed25519_pub,
        OTHER.x25519_pub,
        "VELDWERKER",
        T0,
    )
    with pytest.raises(LedgerError, match="prev"):
        verify_chain([*entries[:2], forged], TEAM)


def test_reordered_or_gapped_chain_is_refused() -> None:
    g, a, b = chain()
    for bad in ([g, b, a], [a, g, b], [g, b], [g, a, a]):
        with pytest.raises(LedgerError):
            verify_chain(bad, TEAM)


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (("body", "device", "role"), "BEHEERDER"),
        (("body", "device", "ed25519"), b64e(b"\x01" * 32)),
        (("body", "device", "beheer"), True),
        (("at",), T0 + 99),
        (("type",), "genesis"),
        (("team",), b64e(bytes(16))),
        (("index",), 5),
    ],
)
def test_tampered_entry_is_refused(path: tuple[str, ...], value: Any) -> None:
    entries = chain()
    target = entries[1]
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    with pytest.raises(LedgerError):
        verify_chain(entries, TEAM)


def test_tampered_genesis_commitment_is_refused() -> None:
    entries = chain()
    entries[0]["body"]["epoch_commit"] = b64e(b"\x00" * 32)
    with pytest.raises(LedgerError):
        verify_chain(entries, TEAM)


def test_genesis_must_be_self_signed_by_a_beheer_device() -> None:
    body = {
        "device": {
            "id": WORKER.device_id,
            "ed25519": WORKER.ed25519_pub,
            "x25519": WORKER.x25519_pub,
            "role": "VELDWERKER",
            "beheer": True,
        },
        "epoch": 1,
        "epoch_commit": bytes(32),
    }
    signed_by_other = make_entry(
        team=TEAM, index=0, prev=GENESIS_PREV, type="genesis", body=body, signer=COORD, at=T0
    )
    with pytest.raises(LedgerError, match="genesis"):
        verify_chain([signed_by_other], TEAM)
    no_beheer = make_entry(
        team=TEAM,
        index=0,
        prev=GENESIS_PREV,
        type="genesis",
        body={**body, "device": {**body["device"], "beheer": False}},
        signer=WORKER,
        at=T0,
    )
    with pytest.raises(LedgerError, match="beheer"):
        verify_chain([no_beheer], TEAM)
    assert verify_chain(
        [make_entry(team=TEAM, index=0, prev=GENESIS_PREV, type="genesis", body=body, signer=WORKER, at=T0)],
        TEAM,
    ).has_beheer(WORKER.device_id)


def test_chain_must_start_with_genesis_and_have_only_one() -> None:
    g, a, _ = chain()
    with pytest.raises(LedgerError):
        verify_chain([], TEAM)
    first_not_genesis = add_device(
        TEAM,
        0,
        GENESIS_PREV,
        COORD,
        WORKER.device_id,
        WORKER.ed25519_pub,
        WORKER.x25519_pub,
        "VELDWERKER",
        T0,
    )
    with pytest.raises(LedgerError):
        verify_chain([first_not_genesis], TEAM)
    second_genesis = make_entry(
        team=TEAM, index=1, prev=entry_hash(g), type="genesis", body=g["body"], signer=COORD, at=T0
    )
    with pytest.raises(LedgerError, match="genesis"):
        verify_chain([g, second_genesis], TEAM)


def test_adding_a_known_device_again_is_refused() -> None:
    g, a, b = chain()
    again = add_device(
        TEAM,
        3,
        entry_hash(b),
        COORD,
        WORKER.device_id,
        WORKER.ed25519_pub,
        WORKER.x25519_pub,
        "WERKBEGELEIDER",
        T0 + 3,
    )
    with pytest.raises(LedgerError, match="already"):
        verify_chain([g, a, b, again], TEAM)
    reused_key = add_device(
        TEAM,
        3,
        entry_hash(b),
        COORD,
        b"\x42" * 16,
        WORKER.ed25519_pub,
        WORKER.x25519_pub,
        "VELDWERKER",
        T0 + 3,
    )
    with pytest.raises(LedgerError, match="already"):
        verify_chain([g, a, b, reused_key], TEAM)


def test_unknown_type_is_refused() -> None:
    g, _, _ = chain()
    unknown = copy.deepcopy(g)
    unknown.update(index=1, prev=b64e(entry_hash(g)), type="make_me_admin")
    unknown["sig"] = b64e(COORD.sign(pinned("ledger", {k: v for k, v in unknown.items() if k != "sig"})))
    with pytest.raises(LedgerError, match="unknown type"):
        verify_chain([g, unknown], TEAM)
    with pytest.raises(LedgerError):
        make_entry(team=TEAM, index=1, prev=entry_hash(g), type="make_me_admin", body={}, signer=COORD, at=T0)


def test_team_mismatch_is_refused() -> None:
    with pytest.raises(LedgerError, match="team"):
        verify_chain(chain(), bytes(16))


def test_unknown_role_is_refused() -> None:
    with pytest.raises(LedgerError, match="role"):
        genesis(TEAM, COORD, "KONING", bytes(32), T0)
    g, a, b = chain()
    a["body"]["device"]["role"] = "KONING"
    with pytest.raises(LedgerError):
        verify_chain([g, a, b], TEAM)


@pytest.mark.parametrize(
    "mutate",
    [
        lambda e: e.pop("sig"),
        lambda e: e.update(extra=1),
        lambda e: e.update(at=1.5),
        lambda e: e.update(index=True),
        lambda e: e.update(body=[]),
        lambda e: e.update(sig="not base64!"),
        lambda e: e["body"].update(extra=1),
        lambda e: e["body"]["device"].pop("x25519"),
    ],
)
def test_malformed_entries_are_ledger_errors(mutate) -> None:
    entries = chain()
    mutate(entries[1])
    with pytest.raises(LedgerError):
        verify_chain(entries, TEAM)


def test_oversized_entry_is_refused() -> None:
    g = chain()[0]
    with pytest.raises(LedgerError, match="large"):
        make_entry(
            team=TEAM,
            index=1,
            prev=entry_hash(g),
            type="add_device",
            body={"pad": "x" * 17000},
            signer=COORD,
            at=T0,
        )
