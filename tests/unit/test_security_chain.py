"""Replay and rollback detection: device chains, signed push heads, pull cursors, envelope context.
Pure crypto: no server, no UI."""

from __future__ import annotations

import os
from typing import Any

import pytest
from ledger_fixtures import team_chain

from field_app.crypto import wire
from field_app.crypto.canonical import b64d, b64e, pinned
from field_app.crypto.chain import (
    ChainError,
    DeviceChainTracker,
    check_cursor,
    check_envelope_context,
    push_head,
    push_head_bytes,
    verify_push_head,
)
from field_app.crypto.envelope import seal
from field_app.crypto.identity import DeviceIdentity, login_bytes, new_id, verify_signature
from field_app.crypto.ledger import entry_hash, revoke_device, rotate_epoch, verify_chain

TEAM = bytes(range(16))
KEY1, KEY2 = b"\xe1" * 32, b"\xe2" * 32
COORD, WORKER, OTHER = (DeviceIdentity.generate() for _ in range(3))
T0 = 1_767_225_600_000


def entries() -> list[dict[str, Any]]:
    return team_chain(TEAM, COORD, WORKER, OTHER, KEY1)


LEDGER = verify_chain(entries(), TEAM)


class Sealer:
    """A device writing its chain of envelopes."""

    def __init__(
        self, identity: DeviceIdentity, ledger_head: bytes = LEDGER.head_hash, epoch: int = 1
    ) -> None:
        self.identity = identity
        self.seq = 0
        self.prev = bytes(32)
        self.ledger_head = ledger_head
        self.epoch = epoch

    def next(self, **override: Any) -> bytes:
        self.seq += 1
        args: dict[str, Any] = dict(
            team=TEAM,
            epoch=self.epoch,
            epoch_key=KEY1 if self.epoch == 1 else KEY2,
            identity=self.identity,
            op_id=new_id(),
            device_seq=self.seq,
            prev_hash=self.prev,
            ledger_head=self.ledger_head,
        )
        args.update(override)
        envelope = seal({"type": "contact", "kind": "create", "fields": {"n": self.seq}}, **args)
        self.prev = wire.envelope_hash(envelope)
        return envelope


def test_a_contiguous_chain_is_accepted_and_state_roundtrips() -> None:
    tracker = DeviceChainTracker()
    w, o = Sealer(WORKER), Sealer(OTHER)
    for envelope, who in [(w.next(), WORKER), (o.next(), OTHER), (w.next(), WORKER)]:
        tracker.observe(envelope, who.ed25519_pub)
    assert tracker.last(WORKER.device_id) == (2, w.prev)
    assert tracker.last(OTHER.device_id) == (1, o.prev)
    assert DeviceChainTracker.from_json(tracker.to_json()) == tracker


def test_a_dropped_envelope_in_a_device_chain_is_detected() -> None:
    tracker = DeviceChainTracker()
    w = Sealer(WORKER)
    first, _dropped, third = w.next(), w.next(), w.next()
    tracker.observe(first, WORKER.ed25519_pub)
    with pytest.raises(ChainError) as err:
        tracker.observe(third, WORKER.ed25519_pub)
    assert err.value.kind == "gap" and err.value.device == WORKER.device_id
    assert tracker.last(WORKER.device_id)[0] == 1  # nothing changed
    tracker.observe(third, WORKER.ed25519_pub, allow_gap=True)
    assert tracker.gaps == [(WORKER.device_id, 2, 2)] and tracker.last(WORKER.device_id)[0] == 3


def test_a_missing_first_envelope_is_a_gap() -> None:
    w = Sealer(WORKER)
    w.next()
    with pytest.raises(ChainError, match="gap"):
        DeviceChainTracker().observe(w.next(), WORKER.ed25519_pub)


def test_a_replayed_envelope_changes_nothing() -> None:
    tracker = DeviceChainTracker()
    w = Sealer(WORKER)
    first, second = w.next(), w.next()
    tracker.observe(first, WORKER.ed25519_pub)
    tracker.observe(second, WORKER.ed25519_pub)
    before = tracker.to_json()
    for again in (second, first):
        with pytest.raises(ChainError) as err:
            tracker.observe(again, WORKER.ed25519_pub)
        assert err.value.kind == "replay"
    assert tracker.to_json() == before
    seen = {(WORKER.device_id, 1): wire.envelope_hash(first)}
    with pytest.raises(ChainError, match="replay"):
        tracker.observe(first, WORKER.ed25519_pub, known=lambda d, s: seen.get((d, s)))


def test_two_envelopes_at_one_position_are_a_fork() -> None:
    tracker = DeviceChainTracker()
    w = Sealer(WORKER)
    first = w.next()
    tracker.observe(first, WORKER.ed25519_pub)
    w.seq, w.prev = 0, bytes(32)
    twin = w.next()  # another envelope 1
    with pytest.raises(ChainError, match="fork"):
        tracker.observe(twin, WORKER.ed25519_pub)
    # an envelope 2 chained to another envelope 1 than the one seen
    with pytest.raises(ChainError, match="fork"):
        tracker.observe(w.next(), WORKER.ed25519_pub)
    # an older position with other bytes than the ones seen
    tracker.observe(
        Sealer(WORKER).next(prev_hash=wire.envelope_hash(first), device_seq=2), WORKER.ed25519_pub
    )
    seen = {(WORKER.device_id, 1): wire.envelope_hash(first)}
    with pytest.raises(ChainError, match="fork"):
        tracker.observe(twin, WORKER.ed25519_pub, known=lambda d, s: seen.get((d, s)))


def test_only_signed_envelopes_move_the_chain() -> None:
    tracker = DeviceChainTracker()
    with pytest.raises(ChainError, match="bad_envelope"):
        tracker.observe(Sealer(WORKER).next(), OTHER.ed25519_pub)
    with pytest.raises(ChainError, match="bad_envelope"):
        tracker.observe(b"VWE1 nonsense", WORKER.ed25519_pub)
    assert tracker.heads == {}


# --- push heads -----------------------------------------------------------------------------------


def test_push_head_roundtrip_and_withheld_detection() -> None:
    w = Sealer(WORKER)
    envelopes = [w.next() for _ in range(3)]
    head = push_head(TEAM, WORKER.device_id, 3, w.prev, WORKER)
    assert set(head) == {"device", "device_seq", "hash", "sig"}
    assert verify_push_head(head, team=TEAM, ed25519=WORKER.ed25519_pub) == (WORKER.device_id, 3, w.prev)
    tracker = DeviceChainTracker()
    for envelope in envelopes[:2]:  # the server withholds the third
        tracker.observe(envelope, WORKER.ed25519_pub)
    with pytest.raises(ChainError, match="withheld"):
        tracker.check_heads([head], team=TEAM, ledger=LEDGER)
    tracker.observe(envelopes[2], WORKER.ed25519_pub)
    tracker.check_heads([head], team=TEAM, ledger=LEDGER)
    tracker.check_head(WORKER.device_id, 1, wire.envelope_hash(envelopes[0]))  # an older head is fine
    with pytest.raises(ChainError, match="fork"):
        tracker.check_head(WORKER.device_id, 3, os.urandom(32))


def test_push_head_signature_is_domain_separated() -> None:
    digest = os.urandom(32)
    head = push_head(TEAM, WORKER.device_id, 7, digest, WORKER)
    signed = push_head_bytes(TEAM, WORKER.device_id, 7, digest)
    assert signed.startswith(b"veldwerk/push-head/v1\0{")
    sig = b64d(head["sig"])
    assert verify_signature(WORKER.ed25519_pub, sig, signed)
    body = {"team": TEAM, "device": WORKER.device_id, "device_seq": 7, "hash": digest}
    for purpose in ("ledger", "envelope", "grant", "login", "push-heads"):
        assert not verify_signature(WORKER.ed25519_pub, sig, pinned(purpose, body))
    # and a signature made for another purpose over the same body is no push head
    forged = {**head, "sig": b64e(WORKER.sign(pinned("ledger", body)))}
    with pytest.raises(ChainError, match="bad_head"):
        verify_push_head(forged, team=TEAM, ed25519=WORKER.ed25519_pub)
    login = login_bytes(
        server_nonce=digest, device_nonce=digest, team=TEAM, device=WORKER.device_id, server="x"
    )
    with pytest.raises(ChainError, match="bad_head"):
        verify_push_head({**head, "sig": b64e(WORKER.sign(login))}, team=TEAM, ed25519=WORKER.ed25519_pub)


@pytest.mark.parametrize(
    "mutate",
    [
        lambda h: h.update(device_seq=8),
        lambda h: h.update(hash=b64e(os.urandom(32))),
        lambda h: h.update(device=b64e(OTHER.device_id)),
        lambda h: h.update(device_seq=0),
        lambda h: h.update(device_seq="7"),
        lambda h: h.pop("sig"),
        lambda h: h.update(extra=1),
        lambda h: h.update(sig="***"),
    ],
)
def test_tampered_or_malformed_push_heads_are_refused(mutate) -> None:
    head = push_head(TEAM, WORKER.device_id, 7, os.urandom(32), WORKER)
    mutate(head)
    with pytest.raises(ChainError, match="bad_head"):
        verify_push_head(head, team=TEAM, ed25519=WORKER.ed25519_pub)


def test_push_head_for_another_team_or_key_is_refused() -> None:
    head = push_head(TEAM, WORKER.device_id, 7, os.urandom(32), WORKER)
    with pytest.raises(ChainError):
        verify_push_head(head, team=bytes(16), ed25519=WORKER.ed25519_pub)
    with pytest.raises(ChainError):
        verify_push_head(head, team=TEAM, ed25519=OTHER.ed25519_pub)
    with pytest.raises(ChainError):
        verify_push_head(head, team=TEAM, ed25519=WORKER.ed25519_pub, device=OTHER.device_id)
    without_device = {k: v for k, v in head.items() if k != "device"}
    assert (
        verify_push_head(without_device, team=TEAM, ed25519=WORKER.ed25519_pub, device=WORKER.device_id)[1]
        == 7
    )
    with pytest.raises(ChainError):
        push_head(TEAM, OTHER.device_id, 1, bytes(32), WORKER)  # not one's own head


def test_heads_of_unknown_devices_are_refused() -> None:
    stranger = DeviceIdentity.generate()
    head = push_head(TEAM, stranger.device_id, 1, bytes(32), stranger)
    with pytest.raises(ChainError, match="bad_head"):
        DeviceChainTracker().check_heads([head], team=TEAM, ledger=LEDGER)


# --- cursors --------------------------------------------------------------------------------------


def page(seqs: list[int], store: dict[int, bytes]) -> list[dict[str, Any]]:
    return [{"seq": s, "envelope": b64e(store[s])} for s in seqs]


STORE = {s: os.urandom(40) for s in range(1, 10)}


def test_cursor_advances_over_a_contiguous_page() -> None:
    assert check_cursor(0, page([1, 2, 3], STORE), 3) == 3
    assert check_cursor(3, [], 3) == 3
    assert check_cursor(3, page([4], STORE)) == 4


def test_cursor_rollback_is_detected() -> None:
    with pytest.raises(ChainError, match="rollback"):
        check_cursor(5, page([3, 4, 5, 6], STORE), 6)  # the server serves from an older cursor
    with pytest.raises(ChainError, match="rollback"):
        check_cursor(5, [], 2)  # next went back
    with pytest.raises(ChainError, match="rollback"):
        check_cursor(5, page([6], STORE), 5)


def test_re_served_seqs_with_the_applied_bytes_are_fine_other_bytes_are_not() -> None:
    applied = STORE.get
    assert check_cursor(5, page([4, 5, 6], STORE), 6, applied=applied) == 6
    swapped = [{"seq": 5, "envelope": b64e(os.urandom(40))}, *page([6], STORE)]
    with pytest.raises(ChainError, match="rollback"):
        check_cursor(5, swapped, 6, applied=applied)


def test_a_hole_in_the_team_sequence_is_a_gap() -> None:
    with pytest.raises(ChainError, match="gap"):
        check_cursor(0, page([1, 3], STORE), 3)
    with pytest.raises(ChainError, match="gap"):
        check_cursor(2, page([4], STORE), 4)
    with pytest.raises(ChainError, match="gap"):
        check_cursor(2, page([3], STORE), 5)


def test_out_of_order_or_malformed_pages_are_refused() -> None:
    with pytest.raises(ChainError):
        check_cursor(0, page([2, 1], STORE))
    with pytest.raises(ChainError):
        check_cursor(0, [{"seq": "1", "envelope": b64e(b"x")}])
    with pytest.raises(ChainError):
        check_cursor(0, [{"seq": 1, "envelope": "not base64!"}])


# --- envelope context -----------------------------------------------------------------------------


def test_envelope_context_names_a_known_head_a_member_and_the_right_epoch() -> None:
    assert check_envelope_context(LEDGER, Sealer(WORKER).next()) == LEDGER.head_index
    with pytest.raises(ChainError, match="context"):  # a head this device never saw (a withheld entry)
        check_envelope_context(LEDGER, Sealer(WORKER, ledger_head=os.urandom(32)).next())
    with pytest.raises(ChainError, match="context"):  # epoch 2 does not exist at that head
        check_envelope_context(LEDGER, Sealer(WORKER, epoch=2).next())
    g = entries()[0]
    with pytest.raises(ChainError, match="member"):  # the worker was added after the genesis
        check_envelope_context(LEDGER, Sealer(WORKER, ledger_head=entry_hash(g)).next())


def test_envelope_context_after_revocation_and_rotation() -> None:
    chain = entries()
    chain.append(revoke_device(TEAM, 3, entry_hash(chain[-1]), COORD, OTHER.device_id, "LEFT", T0))
    chain.append(rotate_epoch(TEAM, 4, entry_hash(chain[-1]), COORD, 2, KEY2, KEY1, T0))
    ledger = verify_chain(chain, TEAM)
    assert check_envelope_context(ledger, Sealer(WORKER, ledger.head_hash, epoch=2).next()) == 4
    with pytest.raises(ChainError, match="member"):
        check_envelope_context(ledger, Sealer(OTHER, ledger.head_hash, epoch=2).next())
    with pytest.raises(ChainError, match="epoch"):
        check_envelope_context(ledger, Sealer(WORKER, ledger.head_hash, epoch=1).next())
