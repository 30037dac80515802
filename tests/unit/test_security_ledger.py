"""The full team ledger (revoke, set_role, rotate_epoch, wipe), pinned heads, key history and the grant
rules that depend on them. Pure crypto: no server, no UI."""

from __future__ import annotations

import copy
import os
from dataclasses import dataclass, field
from typing import Any

import pytest

from field_app.crypto.canonical import b64e, pinned
from field_app.crypto.envelope import EnvelopeError, MissingEpochKey, open_envelope, seal
from field_app.crypto.grants import GrantError, epoch_commitment, make_grant, open_grant
from field_app.crypto.identity import DeviceIdentity, new_id
from field_app.crypto.ledger import (
    KEY_HISTORY_LEN,
    LedgerError,
    LedgerTimeError,
    VerifiedLedger,
    add_device,
    entry_hash,
    genesis,
    ledger_knows,
    make_entry,
    open_key_history,
    revoke_device,
    rotate_epoch,
    seal_key_history,
    set_role,
    unwrap_history,
    verify_chain,
    verify_extension,
    wipe,
    wipe_decision,
)

TEAM = bytes(range(16))
T0 = 1_767_225_600_000


@dataclass
class Team:
    """A ledger under construction, with the real keys a coordinator would hold."""

    coord: DeviceIdentity = field(default_factory=DeviceIdentity.generate)
    keys: dict[int, bytes] = field(default_factory=lambda: {1: os.urandom(32)})
    entries: list[dict[str, Any]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.entries.append(genesis(TEAM, self.coord, "PROCESREGISSEUR", self.commit(1), T0))

    def commit(self, epoch: int) -> bytes:
        return epoch_commitment(TEAM, epoch, self.keys[epoch])

    @property
    def ledger(self) -> VerifiedLedger:
        return verify_chain(self.entries, TEAM)

    def _pos(self) -> tuple[int, bytes]:
        return len(self.entries), entry_hash(self.entries[-1])

    def add(self, device: DeviceIdentity, role: str = "VELDWERKER", beheer: bool = False, by=None) -> dict:
        index, prev = self._pos()
        entry = add_device(
            TEAM,
            index,
            prev,
            by or self.coord,
            device.device_id,
            device.ed25519_pub,
            device.x25519_pub,
            role,
            T0 + index,
            beheer=beheer,
        )
        self.entries.append(entry)
        return entry

    def revoke(self, device: DeviceIdentity, reason: str = "LOST", by=None) -> dict:
        index, prev = self._pos()
        entry = revoke_device(TEAM, index, prev, by or self.coord, device.device_id, reason, T0 + index)
        self.entries.append(entry)
        return entry

    def role(self, device: DeviceIdentity, role: str, beheer: bool, by=None) -> dict:
        index, prev = self._pos()
        entry = set_role(TEAM, index, prev, by or self.coord, device.device_id, role, beheer, T0 + index)
        self.entries.append(entry)
        return entry

    def rotate(self, by=None) -> dict:
        index, prev = self._pos()
        epoch = max(self.keys) + 1
        self.keys[epoch] = os.urandom(32)
        entry = rotate_epoch(
            TEAM, index, prev, by or self.coord, epoch, self.keys[epoch], self.keys[epoch - 1], T0 + index
        )
        self.entries.append(entry)
        return entry

    def wipe(self, device: DeviceIdentity, by=None) -> dict:
        index, prev = self._pos()
        entry = wipe(TEAM, index, prev, by or self.coord, device.device_id, T0 + index)
        self.entries.append(entry)
        return entry


def refused(entries: list[dict[str, Any]], match: str) -> None:
    with pytest.raises(LedgerError, match=match):
        verify_chain(entries, TEAM)


# --- the entry types --------------------------------------------------------------------------------


def test_full_lifecycle_verifies_and_tracks_state() -> None:
    team = Team()
    worker, boss, lost = (DeviceIdentity.generate() for _ in range(3))
    team.add(worker)
    team.add(boss, "WERKBEGELEIDER", beheer=True)
    team.add(lost)
    team.role(worker, "CASUSREGISSEUR", False)
    team.revoke(lost, "LOST")
    team.rotate()
    team.wipe(lost)
    ledger = team.ledger
    assert ledger.head_index == 7 and ledger.head_hash == entry_hash(team.entries[-1])
    assert ledger.hashes == [entry_hash(e) for e in team.entries]
    assert ledger.current_epoch == 2 and ledger.epochs == {1: team.commit(1), 2: team.commit(2)}
    assert ledger.epoch_entry_index == {1: 0, 2: 6}
    assert len(ledger.key_history[2]) == KEY_HISTORY_LEN
    assert ledger.revoked == {lost.device_id: ("LOST", 5)} and ledger.wipes == {lost.device_id}
    assert set(ledger.active_devices()) == {team.coord.device_id, worker.device_id, boss.device_id}
    assert lost.device_id in ledger.devices  # kept: its old envelopes still verify
    assert ledger.devices[worker.device_id].role == "CASUSREGISSEUR"
    assert ledger.has_beheer(boss.device_id) and not ledger.has_beheer(worker.device_id)
    assert ledger.role_at(worker.device_id, 1) == "VELDWERKER"
    assert ledger.role_at(worker.device_id, 4) == "CASUSREGISSEUR"
    assert ledger.role_at(worker.device_id, 0) is None  # not yet added
    assert ledger.was_member_at(lost.device_id, 4) and not ledger.was_member_at(lost.device_id, 5)
    assert ledger.role_at(lost.device_id, 6) is None
    assert ledger.epoch_at(5) == 1 and ledger.epoch_at(6) == 2
    assert ledger.beheer_at(boss.device_id, 2) and not ledger.beheer_at(worker.device_id, 4)


def test_add_device_may_grant_beheer_and_that_device_may_then_sign() -> None:
    team = Team()
    deputy, worker = DeviceIdentity.generate(), DeviceIdentity.generate()
    team.add(deputy, "BEHEERDER", beheer=True)
    team.add(worker, by=deputy)
    assert team.ledger.devices[worker.device_id].role == "VELDWERKER"


def test_forged_add_device_by_a_non_beheer_device_is_refused() -> None:
    team = Team()
    worker, intruder = DeviceIdentity.generate(), DeviceIdentity.generate()
    team.add(worker)
    team.add(intruder, by=worker)
    refused(team.entries, "beheer")


def test_an_add_device_forged_by_the_server_is_refused() -> None:
    # The server adds a device of its own, naming the coordinator as signer but signing with its own key.
    team = Team()
    server_key, planted = DeviceIdentity.generate(), DeviceIdentity.generate()
    forged = make_entry(
        team=TEAM,
        index=1,
        prev=entry_hash(team.entries[0]),
        type="add_device",
        body={
            "device": {
                "id": planted.device_id,
                "ed25519": planted.ed25519_pub,
                "x25519": planted.x25519_pub,
                "role": "BEHEERDER",
                "beheer": True,
            }
        },
        signer=server_key,
        at=T0,
    )
    forged["signer"] = b64e(team.coord.device_id)
    forged["sig"] = b64e(server_key.sign(pinned("ledger", {k: v for k, v in forged.items() if k != "sig"})))
    refused([*team.entries, forged], "signature")
    pinned_ledger = team.ledger
    with pytest.raises(LedgerError):
        verify_extension(pinned_ledger, [*team.entries, forged])


def test_beheer_is_judged_at_the_point_of_signing() -> None:
    team = Team()
    deputy, late = DeviceIdentity.generate(), DeviceIdentity.generate()
    team.add(deputy, "BEHEERDER", beheer=True)
    team.role(deputy, "BEHEERDER", False)  # beheer taken away
    team.add(late, by=deputy)
    refused(team.entries, "beheer")
    # ... and given back: from then on the deputy may sign again
    team.entries.pop()
    team.role(deputy, "BEHEERDER", True)
    team.add(late, by=deputy)
    assert late.device_id in team.ledger.devices


def test_a_revoked_device_signs_nothing_after_its_revocation() -> None:
    team = Team()
    deputy, newcomer = DeviceIdentity.generate(), DeviceIdentity.generate()
    team.add(deputy, "BEHEERDER", beheer=True)
    team.revoke(deputy, "LEFT")
    for make in (
        lambda: team.add(newcomer, by=deputy),
        lambda: team.rotate(by=deputy),
        lambda: team.role(team.coord, "BEHEERDER", True, by=deputy),
    ):
        make()
        refused(team.entries, "revoked")
        team.entries.pop()
        team.keys.pop(2, None)


def test_a_revoked_device_cannot_be_added_again() -> None:
    team = Team()
    worker = DeviceIdentity.generate()
    team.add(worker)
    team.revoke(worker, "RETIRED")
    team.add(worker)
    refused(team.entries, "already")
    team.entries.pop()
    # not under a new id with the old keys either
    index, prev = len(team.entries), entry_hash(team.entries[-1])
    team.entries.append(
        add_device(
            TEAM, index, prev, team.coord, new_id(), worker.ed25519_pub, worker.x25519_pub, "VELDWERKER", T0
        )
    )
    refused(team.entries, "key already in use")


def test_an_exchange_key_may_not_be_reused_by_another_device() -> None:
    team = Team()
    worker = DeviceIdentity.generate()
    team.add(worker)
    index, prev = len(team.entries), entry_hash(team.entries[-1])
    other = DeviceIdentity.generate()
    team.entries.append(
        add_device(
            TEAM,
            index,
            prev,
            team.coord,
            other.device_id,
            other.ed25519_pub,
            worker.x25519_pub,
            "VELDWERKER",
            T0,
        )
    )
    refused(team.entries, "key already in use")


@pytest.mark.parametrize("kind", ["revoke", "role", "wipe"])
def test_the_target_must_be_a_known_device(kind: str) -> None:
    team = Team()
    stranger = DeviceIdentity.generate()
    {
        "revoke": lambda: team.revoke(stranger),
        "role": lambda: team.role(stranger, "VELDWERKER", False),
        "wipe": lambda: team.wipe(stranger),
    }[kind]()
    refused(team.entries, "not in the team")


def test_revoking_twice_and_changing_a_revoked_role_are_refused() -> None:
    team = Team()
    worker = DeviceIdentity.generate()
    team.add(worker)
    team.revoke(worker, "LOST")
    team.revoke(worker, "LEFT")
    refused(team.entries, "already revoked")
    team.entries.pop()
    team.role(worker, "VELDWERKER", True)
    refused(team.entries, "revoked")


def test_wipe_only_for_a_revoked_device_and_only_once() -> None:
    team = Team()
    worker = DeviceIdentity.generate()
    team.add(worker)
    team.wipe(worker)
    refused(team.entries, "only a revoked device")
    team.entries.pop()
    team.revoke(worker, "LOST")
    team.wipe(worker)
    assert team.ledger.wipes == {worker.device_id}
    team.wipe(worker)
    refused(team.entries, "already wiped")


def test_revoke_reason_must_be_known() -> None:
    team = Team()
    worker = DeviceIdentity.generate()
    team.add(worker)
    with pytest.raises(LedgerError, match="reason"):
        team.revoke(worker, "FIRED")
    index, prev = len(team.entries), entry_hash(team.entries[-1])
    team.entries.append(
        make_entry(
            team=TEAM,
            index=index,
            prev=prev,
            type="revoke_device",
            body={"device": worker.device_id, "reason": "FIRED"},
            signer=team.coord,
            at=T0,
        )
    )
    refused(team.entries, "reason")


def test_the_team_always_keeps_an_active_beheer_device() -> None:
    team = Team()
    worker = DeviceIdentity.generate()
    team.add(worker)
    team.revoke(team.coord, "RETIRED")
    refused(team.entries, "no active device with beheer")
    team.entries.pop()
    team.role(team.coord, "PROCESREGISSEUR", False)
    refused(team.entries, "no active device with beheer")
    team.entries.pop()
    # hand over first, then the old coordinator may go
    team.role(worker, "PROCESREGISSEUR", True)
    team.revoke(team.coord, "RETIRED", by=worker)
    assert team.ledger.has_beheer(worker.device_id) and not team.ledger.has_beheer(team.coord.device_id)


def test_rotation_must_create_exactly_the_next_epoch() -> None:
    team = Team()
    index, prev = 1, entry_hash(team.entries[0])
    key3 = os.urandom(32)
    team.entries.append(rotate_epoch(TEAM, index, prev, team.coord, 3, key3, team.keys[1], T0))
    refused(team.entries, "epoch 2")
    with pytest.raises(LedgerError):
        rotate_epoch(TEAM, index, prev, team.coord, 1, key3, team.keys[1], T0)


def test_malformed_new_bodies_are_refused() -> None:
    team = Team()
    worker = DeviceIdentity.generate()
    team.add(worker)
    index, prev = len(team.entries), entry_hash(team.entries[-1])
    for kind, body in [
        ("revoke_device", {"device": b64e(worker.device_id)}),
        ("set_role", {"device": b64e(worker.device_id), "role": "KONING", "beheer": False}),
        ("set_role", {"device": b64e(worker.device_id), "role": "VELDWERKER", "beheer": 1}),
        ("rotate_epoch", {"epoch": 2, "epoch_commit": b64e(bytes(32)), "key_history": b64e(bytes(59))}),
        ("rotate_epoch", {"epoch": 2, "epoch_commit": b64e(bytes(32))}),
        ("wipe", {"device": "short"}),
    ]:
        entry = make_entry(team=TEAM, index=index, prev=prev, type=kind, body=body, signer=team.coord, at=T0)
        with pytest.raises(LedgerError):
            verify_chain([*team.entries, entry], TEAM)


def test_genesis_is_unchanged_by_the_new_types() -> None:
    team = Team()
    entry = team.entries[0]
    assert entry["type"] == "genesis" and set(entry["body"]) == {"device", "epoch", "epoch_commit"}
    assert team.ledger.revoked == {} and team.ledger.current_epoch == 1


# --- pinned heads: rollback, fork, swapped keys, withheld rotations ----------------------------------


def test_verify_extension_accepts_a_continuation_or_the_whole_chain() -> None:
    team = Team()
    team.add(DeviceIdentity.generate())
    pinned_ledger = team.ledger
    team.rotate()
    team.add(DeviceIdentity.generate())
    whole = verify_extension(pinned_ledger, team.entries)
    tail = verify_extension(pinned_ledger, team.entries[2:])
    assert whole == tail == team.ledger
    assert verify_extension(pinned_ledger, []) == pinned_ledger
    assert verify_extension(pinned_ledger, team.entries, head=(3, entry_hash(team.entries[3]))) == whole
    with pytest.raises(LedgerError, match="announced head"):
        verify_extension(pinned_ledger, team.entries, head=(2, entry_hash(team.entries[2])))


def test_a_swapped_device_key_is_refused_as_a_fork() -> None:
    # The server (even with the coordinator's stolen key) serves a ledger in which the worker's
    # add_device carries another key than the one this device pinned.
    team = Team()
    worker = DeviceIdentity.generate()
    team.add(worker)
    pinned_ledger = team.ledger
    swapped = copy.deepcopy(team.entries)
    impostor = DeviceIdentity.generate()
    swapped[1] = add_device(
        TEAM,
        1,
        entry_hash(swapped[0]),
        team.coord,
        worker.device_id,
        impostor.ed25519_pub,
        impostor.x25519_pub,
        "VELDWERKER",
        T0 + 1,
    )
    assert (
        verify_chain(swapped, TEAM).devices[worker.device_id].ed25519 == impostor.ed25519_pub
    )  # valid alone
    with pytest.raises(LedgerError, match="fork"):
        verify_extension(pinned_ledger, swapped)
    # a mere key swap in the pinned entry without re-signing does not even verify
    tampered = copy.deepcopy(team.entries)
    tampered[1]["body"]["device"]["ed25519"] = b64e(impostor.ed25519_pub)
    with pytest.raises(LedgerError):
        verify_extension(pinned_ledger, tampered)


def test_a_withheld_rotation_is_detected_by_a_client_that_pinned_it() -> None:
    team = Team()
    worker = DeviceIdentity.generate()
    team.add(worker)
    team.revoke(worker, "LOST")
    team.rotate()
    pinned_ledger = team.ledger
    withheld = team.entries[:-1]  # the server hides the rotation
    with pytest.raises(LedgerError, match="rollback"):
        verify_extension(pinned_ledger, withheld)
    with pytest.raises(LedgerError, match="rollback"):
        verify_extension(pinned_ledger, team.entries[1:3])  # an old tail
    with pytest.raises(LedgerError, match="rollback"):
        verify_extension(pinned_ledger, [], head=(2, entry_hash(team.entries[2])))


def test_a_withheld_rotation_is_detected_through_an_envelope_ledger_head() -> None:
    team = Team()
    worker = DeviceIdentity.generate()
    team.add(worker)
    behind = team.ledger  # this reader never got the rotation
    team.rotate()
    sealer_view = team.ledger
    assert ledger_knows(sealer_view, sealer_view.head_hash)
    assert not ledger_knows(behind, sealer_view.head_hash)
    assert ledger_knows(behind, entry_hash(team.entries[0]))
    assert not ledger_knows(behind, os.urandom(32))


def test_a_rewritten_history_at_the_pinned_index_is_a_fork() -> None:
    team = Team()
    a, b = DeviceIdentity.generate(), DeviceIdentity.generate()
    team.add(a)
    pinned_ledger = team.ledger
    other = Team(coord=team.coord, keys=dict(team.keys))  # the same genesis (signatures are deterministic)
    assert other.entries == team.entries[:1]
    other.add(b)
    with pytest.raises(LedgerError, match="fork"):
        verify_extension(pinned_ledger, other.entries)
    with pytest.raises(LedgerError, match="fork"):
        verify_extension(pinned_ledger, other.entries[1:])


# --- key history ----------------------------------------------------------------------------------


def test_key_history_roundtrip_and_binding() -> None:
    k1, k2 = os.urandom(32), os.urandom(32)
    blob = seal_key_history(TEAM, 2, k2, k1)
    assert len(blob) == KEY_HISTORY_LEN
    assert open_key_history(TEAM, 2, k2, blob) == k1
    for args in [(bytes(16), 2, k2, blob), (TEAM, 3, k2, blob), (TEAM, 2, k1, blob)]:
        with pytest.raises(LedgerError):
            open_key_history(*args)
    flipped = bytearray(blob)
    flipped[20] ^= 1
    with pytest.raises(LedgerError):
        open_key_history(TEAM, 2, k2, bytes(flipped))


def test_key_history_unwraps_every_earlier_epoch() -> None:
    team = Team()
    for _ in range(3):
        team.rotate()
    keys = unwrap_history(team.ledger, 4, team.keys[4])
    assert keys == team.keys


def test_unwrap_history_refuses_a_key_of_the_servers_choosing() -> None:
    team = Team()
    team.rotate()
    with pytest.raises(LedgerError, match="commitment"):
        unwrap_history(team.ledger, 2, os.urandom(32))
    with pytest.raises(LedgerError, match="not in the verified ledger"):
        unwrap_history(team.ledger, 3, team.keys[2])


def test_unwrap_history_refuses_a_history_that_unlocks_a_wrong_key() -> None:
    # A beheer device that seals a wrong previous key into the history cannot make it accepted.
    team = Team()
    index, prev = 1, entry_hash(team.entries[0])
    team.keys[2] = os.urandom(32)
    body = {
        "epoch": 2,
        "epoch_commit": team.commit(2),
        "key_history": seal_key_history(TEAM, 2, team.keys[2], os.urandom(32)),
    }
    team.entries.append(
        make_entry(
            team=TEAM, index=index, prev=prev, type="rotate_epoch", body=body, signer=team.coord, at=T0
        )
    )
    with pytest.raises(LedgerError, match="epoch 1"):
        unwrap_history(team.ledger, 2, team.keys[2])


# --- grants and revocation -------------------------------------------------------------------------


def grant(
    team: Team, epoch: int, to: DeviceIdentity, by: DeviceIdentity | None = None, key: bytes | None = None
):
    return make_grant(
        team=TEAM,
        epoch=epoch,
        epoch_key=key or team.keys[epoch],
        recipient=to.device_id,
        recipient_x25519=to.x25519_pub,
        granter=by or team.coord,
    )


def test_a_grant_for_a_key_of_the_servers_choosing_is_refused() -> None:
    team = Team()
    worker = DeviceIdentity.generate()
    team.add(worker)
    with pytest.raises(GrantError, match="commitment"):
        open_grant(grant(team, 1, worker, key=os.urandom(32)), me=worker, team=TEAM, ledger=team.ledger)


def test_a_grant_for_a_revoked_recipient_is_refused() -> None:
    team = Team()
    worker = DeviceIdentity.generate()
    team.add(worker)
    g = grant(team, 1, worker)
    assert open_grant(g, me=worker, team=TEAM, ledger=team.ledger) == (1, team.keys[1])
    team.revoke(worker, "LOST")
    with pytest.raises(GrantError, match="revoked"):
        open_grant(g, me=worker, team=TEAM, ledger=team.ledger)


def test_a_grant_for_a_device_not_in_the_ledger_is_refused() -> None:
    team = Team()
    outsider = DeviceIdentity.generate()
    with pytest.raises(GrantError, match="not a device of the verified ledger"):
        open_grant(grant(team, 1, outsider), me=outsider, team=TEAM, ledger=team.ledger)


def test_a_grant_from_a_device_revoked_before_the_epoch_began_is_refused() -> None:
    team = Team()
    deputy, worker = DeviceIdentity.generate(), DeviceIdentity.generate()
    team.add(deputy, "BEHEERDER", beheer=True)
    team.add(worker)
    early = grant(team, 1, worker, by=deputy)
    team.revoke(deputy, "LOST")
    team.rotate()
    # the deputy's grant of epoch 1 (made while it was a coordinator) still opens ...
    assert open_grant(early, me=worker, team=TEAM, ledger=team.ledger) == (1, team.keys[1])
    # ... but a grant of the epoch created after its revocation does not, even with the right key
    late = grant(team, 2, worker, by=deputy)
    with pytest.raises(GrantError, match="revoked before epoch 2"):
        open_grant(late, me=worker, team=TEAM, ledger=team.ledger)
    assert open_grant(grant(team, 2, worker), me=worker, team=TEAM, ledger=team.ledger) == (2, team.keys[2])


def test_a_grant_from_a_former_coordinator_after_losing_beheer_depends_on_the_epoch() -> None:
    team = Team()
    deputy, worker = DeviceIdentity.generate(), DeviceIdentity.generate()
    team.add(deputy, "BEHEERDER", beheer=True)
    team.add(worker)
    team.role(deputy, "BEHEERDER", False)
    team.rotate()
    assert open_grant(grant(team, 1, worker, by=deputy), me=worker, team=TEAM, ledger=team.ledger)[0] == 1
    with pytest.raises(GrantError, match="beheer"):
        open_grant(grant(team, 2, worker, by=deputy), me=worker, team=TEAM, ledger=team.ledger)


def op(n: int) -> dict[str, Any]:
    return {"type": "contact", "record_id": b64e(bytes(16)), "kind": "create", "fields": {"n": n}}


def test_a_removed_member_cannot_open_a_record_written_after_its_removal() -> None:
    team = Team()
    worker, leaver = DeviceIdentity.generate(), DeviceIdentity.generate()
    team.add(worker)
    team.add(leaver)
    leaver_keys = {1: open_grant(grant(team, 1, leaver), me=leaver, team=TEAM, ledger=team.ledger)[1]}
    team.revoke(leaver, "LEFT")
    team.rotate()  # the epoch created at the removal
    ledger = team.ledger
    # the remaining devices get the new key; the leaver cannot be granted it
    worker_key = open_grant(grant(team, 2, worker), me=worker, team=TEAM, ledger=ledger)[1]
    with pytest.raises(GrantError):
        open_grant(grant(team, 2, leaver), me=leaver, team=TEAM, ledger=ledger)
    envelope = seal(
        op(1),
        team=TEAM,
        epoch=2,
        epoch_key=worker_key,
        identity=worker,
        op_id=new_id(),
        device_seq=1,
        prev_hash=bytes(32),
        ledger_head=ledger.head_hash,
    )
    sender = ledger.devices[worker.device_id].ed25519
    assert open_envelope(envelope, team=TEAM, sender_ed25519=sender, epoch_keys={2: worker_key})[
        "fields"
    ] == {"n": 1}
    with pytest.raises(MissingEpochKey):
        open_envelope(envelope, team=TEAM, sender_ed25519=sender, epoch_keys=leaver_keys)
    with pytest.raises(EnvelopeError):  # the old key under the new epoch number does not open either
        open_envelope(envelope, team=TEAM, sender_ed25519=sender, epoch_keys={2: leaver_keys[1]})
    assert ledger.rotation_due() is False


def test_rotation_due_after_a_revocation_until_the_next_rotation() -> None:
    team = Team()
    worker = DeviceIdentity.generate()
    team.add(worker)
    assert not team.ledger.rotation_due()
    team.revoke(worker, "RETIRED")
    assert team.ledger.rotation_due()
    team.rotate()
    assert not team.ledger.rotation_due()


def test_a_newly_confirmed_device_reads_the_history_through_key_history() -> None:
    team = Team()
    old = DeviceIdentity.generate()
    team.add(old)
    old_key = open_grant(grant(team, 1, old), me=old, team=TEAM, ledger=team.ledger)[1]
    early = seal(
        op(1),
        team=TEAM,
        epoch=1,
        epoch_key=old_key,
        identity=old,
        op_id=new_id(),
        device_seq=1,
        prev_hash=bytes(32),
        ledger_head=team.ledger.head_hash,
    )
    team.revoke(old, "RETIRED")
    team.rotate()
    team.rotate()
    newcomer = DeviceIdentity.generate()
    team.add(newcomer)
    ledger = team.ledger
    # the newcomer gets only the current key, and unwraps the rest itself
    epoch, key = open_grant(grant(team, 3, newcomer), me=newcomer, team=TEAM, ledger=ledger)
    keys = unwrap_history(ledger, epoch, key)
    assert set(keys) == {1, 2, 3}
    sender = ledger.devices[old.device_id].ed25519
    assert open_envelope(early, team=TEAM, sender_ed25519=sender, epoch_keys=keys)["fields"] == {"n": 1}


# --- wipe decisions --------------------------------------------------------------------------------


def test_wipe_decision_only_on_a_verified_wipe_entry() -> None:
    team = Team()
    worker = DeviceIdentity.generate()
    team.add(worker)
    pinned_ledger = team.ledger
    team.revoke(worker, "RETIRED")
    decision = wipe_decision(pinned_ledger, team.entries, worker.device_id)
    assert (decision.wipe, decision.revoked) == (False, "RETIRED")
    team.wipe(worker)
    decision = wipe_decision(pinned_ledger, team.entries, worker.device_id)
    assert decision.wipe and decision.revoked == "RETIRED" and decision.deliver_outbox_first


def test_wipe_decision_lost_device_wipes_without_delivering() -> None:
    team = Team()
    worker = DeviceIdentity.generate()
    team.add(worker)
    pinned_ledger = team.ledger
    team.revoke(worker, "LOST")
    team.wipe(worker)
    decision = wipe_decision(pinned_ledger, team.entries, worker.device_id)
    assert decision.wipe and not decision.deliver_outbox_first


@pytest.mark.parametrize(
    "answer",
    [
        None,
        "500 Internal Server Error",
        {"error": "token_expired"},
        [{"not": "an entry"}],
        [],
    ],
)
def test_a_server_error_or_garbage_never_wipes(answer: Any) -> None:
    team = Team()
    worker = DeviceIdentity.generate()
    team.add(worker)
    decision = wipe_decision(team.ledger, answer, worker.device_id)
    assert not decision.wipe


def test_a_forged_wipe_entry_never_wipes() -> None:
    team = Team()
    worker = DeviceIdentity.generate()
    team.add(worker)
    pinned_ledger = team.ledger
    server_key = DeviceIdentity.generate()
    # the server signs revoke and wipe itself, claiming the coordinator as signer
    forged = copy.deepcopy(team.entries)
    for kind, body in [
        ("revoke_device", {"device": b64e(worker.device_id), "reason": "LOST"}),
        ("wipe", {"device": b64e(worker.device_id)}),
    ]:
        entry = make_entry(
            team=TEAM,
            index=len(forged),
            prev=entry_hash(forged[-1]),
            type=kind,
            body=body,
            signer=server_key,
            at=T0,
        )
        entry["signer"] = b64e(team.coord.device_id)
        unsigned = {k: v for k, v in entry.items() if k != "sig"}
        entry["sig"] = b64e(server_key.sign(pinned("ledger", unsigned)))
        forged.append(entry)
    assert not wipe_decision(pinned_ledger, forged, worker.device_id).wipe
    # and a chain that drops the pinned history is refused too
    team.revoke(worker, "LOST")
    team.wipe(worker)
    later = team.ledger
    assert not wipe_decision(later, team.entries[:2], worker.device_id).wipe


# --- the entry's time -------------------------------------------------------------------------------

DAY = 24 * 3600_000


def test_an_entry_time_more_than_a_day_ahead_of_the_readers_clock_is_refused() -> None:
    """A correctly signed entry whose ``at`` lies more than a day ahead of the checking clock is refused
    (LedgerTimeError, not a fork: the chain itself may be whole), whether served whole or as the tail
    after the pinned head; a day of skew is accepted. Without a clock only the range is checked."""
    team = Team()
    worker = DeviceIdentity.generate()
    team.add(worker)
    pinned_ledger = team.ledger
    index, prev = team._pos()
    now = T0 + 1000
    far = set_role(TEAM, index, prev, team.coord, worker.device_id, "PARTNER_LEZER", False, now + DAY + 1)
    for served in (team.entries + [far], [far]):
        with pytest.raises(LedgerTimeError, match="lies more than 24 h ahead"):
            verify_extension(pinned_ledger, served, now=now)
    assert verify_extension(pinned_ledger, [far], now=now + 1).head_index == index  # a day ahead: allowed
    assert verify_extension(pinned_ledger, [far]).head_index == index  # no clock given: range only
    # the genesis too, and whatever a wipe decision reads
    early = Team()
    early.entries[0] = genesis(TEAM, early.coord, "PROCESREGISSEUR", early.commit(1), now + 2 * DAY)
    with pytest.raises(LedgerTimeError):
        verify_chain(early.entries, TEAM, now=now)
    team.entries.append(far)
    team.revoke(worker, "LOST")
    wipe_entry = wipe(TEAM, *team._pos(), team.coord, worker.device_id, now + 3 * DAY)
    assert wipe_decision(pinned_ledger, team.entries + [wipe_entry], worker.device_id, now=now) \
        == wipe_decision(pinned_ledger, "garbage", worker.device_id)  # nothing: no wipe, not revoked
    assert wipe_decision(pinned_ledger, team.entries + [wipe_entry], worker.device_id, now=now + 3 * DAY).wipe


@pytest.mark.parametrize("at", [-1, 2**53 + 1, 10**30, True, "1767225600000", None])
def test_an_entry_time_out_of_range_or_not_an_integer_is_refused(at: Any) -> None:
    team = Team()
    index, prev = team._pos()
    worker = DeviceIdentity.generate()
    entry = add_device(TEAM, index, prev, team.coord, worker.device_id, worker.ed25519_pub, worker.x25519_pub,
                       "VELDWERKER", T0)
    unsigned = {k: v for k, v in entry.items() if k != "sig"} | {"at": at}
    entry = {**unsigned, "sig": b64e(team.coord.sign(pinned("ledger", unsigned)))}
    with pytest.raises(LedgerError, match="bad time"):
        verify_chain(team.entries + [entry], TEAM)
