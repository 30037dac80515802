"""One signature check per contiguous run: every byte of every envelope of a run is still authenticated."""

import os

import pytest

from field_app.crypto import wire
from field_app.crypto.envelope import seal
from field_app.crypto.identity import DeviceIdentity, new_id, verify_signature
from field_app.crypto.runs import vouch_runs


def _chain(ident, team, n, start=1, prev=bytes(32)):
    key, head, out = os.urandom(32), os.urandom(32), []
    for seq in range(start, start + n):
        op = {"type": "contact", "record_id": f"r{seq}", "client_id": "c", "kind": "create", "hlc": [seq, 0, "d"],
              "author_user": "Test (fictief)", "fields": {"report": f"notitie {seq} (fictief)"}}
        env = seal(op, team=team, epoch=1, epoch_key=key, identity=ident, op_id=new_id(), device_seq=seq,
                   prev_hash=prev, ledger_head=head)
        prev = wire.envelope_hash(env)
        out.append(env)
    return out


def _alone_ok(env: bytes, key: bytes) -> bool:
    try:
        parts = wire.unpack(env)
    except wire.EnvelopeFormatError:
        return False
    return verify_signature(key, parts.signature, parts.signed_bytes())


@pytest.fixture(scope="module")
def run():
    ident, team = DeviceIdentity.generate(), new_id()
    return ident, _chain(ident, team, 4)


def test_a_whole_run_is_vouched_with_one_signature_check(run, monkeypatch):
    ident, envs = run
    calls = []
    import field_app.crypto.runs as runs_mod

    real = runs_mod.verify_signature
    monkeypatch.setattr(runs_mod, "verify_signature", lambda *a: calls.append(1) or real(*a))
    assert vouch_runs(envs, {ident.device_id: ident.ed25519_pub}.get) == {0, 1, 2, 3}
    assert len(calls) == 1


def test_runs_are_per_device_in_page_order_and_need_a_known_key():
    a, b, team = DeviceIdentity.generate(), DeviceIdentity.generate(), new_id()
    ea, eb = _chain(a, team, 3), _chain(b, team, 2)
    page = [ea[0], eb[0], ea[1], eb[1], ea[2]]
    keys = {a.device_id: a.ed25519_pub, b.device_id: b.ed25519_pub}
    assert vouch_runs(page, keys.get) == {0, 1, 2, 3, 4}
    assert vouch_runs(page, {a.device_id: a.ed25519_pub}.get) == {0, 2, 4}
    assert vouch_runs([ea[0], ea[2]], keys.get) == set()  # not contiguous: each is checked alone
    assert vouch_runs(page, {a.device_id: b.ed25519_pub, b.device_id: b.ed25519_pub}.get) == {1, 3}


def test_changing_any_byte_of_any_envelope_of_a_run_is_caught(run):
    """A changed envelope is never vouched for, and does not verify alone: the pull refuses it (and the
    chain check then holds back what follows it)."""
    ident, envs = run
    key_of = {ident.device_id: ident.ed25519_pub}.get
    for which in range(len(envs)):
        original = envs[which]
        for pos in range(0, len(original), 3 if which % 2 else 5):
            bad = bytearray(original)
            bad[pos] ^= 0x20
            page = list(envs)
            page[which] = bytes(bad)
            vouched = vouch_runs(page, key_of)
            assert which not in vouched, (which, pos)
            assert not _alone_ok(page[which], ident.ed25519_pub), (which, pos)
