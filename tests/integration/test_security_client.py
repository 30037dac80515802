"""Client-side security against a real server that a test turns malicious (docs/security.md).

Each device is a real ``Services`` talking HTTP to the real sync server on loopback; a middleware in front
of the server rewrites, withholds, forges or fails answers. What a device must do: refuse (state "error",
a code, a Dutch explanation) and apply nothing of the offending answer.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

sys.path.insert(0, str(Path(__file__).parent))

from secsupport import FAST, WORK_PASS, Team, names  # noqa: E402

from field_app.crypto import ledger as ledger_mod  # noqa: E402
from field_app.crypto.canonical import b64d, b64e  # noqa: E402
from field_app.crypto.envelope import EnvelopeError, open_envelope  # noqa: E402
from field_app.crypto.grants import make_grant  # noqa: E402
from field_app.crypto.identity import DeviceIdentity  # noqa: E402
from field_app.crypto.invite import invite_payload, parse_invite, team_fingerprint_bytes  # noqa: E402
from field_app.crypto.ledger import entry_hash, epoch_commitment  # noqa: E402
from field_app.crypto.wire import unpack  # noqa: E402
from field_app.domain.errors import ValidationError  # noqa: E402
from field_app.services import EnrolError, KeysDestroyed, NotAllowed, SecurityAlert, Services  # noqa: E402
from field_app.sync.client import ServerError  # noqa: E402


def impostor(device_id: bytes) -> DeviceIdentity:
    """A key pair of the server's choosing wearing a real device's id."""
    return DeviceIdentity(device_id, Ed25519PrivateKey.generate(), X25519PrivateKey.generate())


def stored_by(t: Team, svc: Services) -> list[tuple[int, bytes]]:
    me = b64d(svc.device_id)
    return [(c.seq, c.envelope) for c in t.server.changes(t.team) if unpack(c.envelope).device == me]


def assert_stopped(svc: Services, *codes: str) -> None:
    st = svc.sync_status()
    assert st.state == "error", st
    assert st.message in codes, st
    assert "Synchroniseren is gestopt" in st.extra["uitleg"]
    with pytest.raises(SecurityAlert):  # and it stays stopped until a person looks at it
        svc.sync_once()


def third_device_revoked(t: Team) -> Services:
    """A third device that joins and is then revoked: the team moves to epoch 2."""
    x = t.enrol("x", "Kees Derde (fictief)", "derde-toestel-geheim")
    t.sup.revoke_device(x.device_id, "LEFT")
    assert t.sup.device.ledger.current_epoch == 2
    return x


# -- a malicious server: the ledger and key grants ------------------------------------------------------------

@pytest.mark.parametrize("signer", ["impostor_of_the_coordinator", "member_without_beheer"])
def test_forged_add_device_is_refused(t, signer):
    victim, other = (t.work, t.sup) if signer == "impostor_of_the_coordinator" else (t.sup, t.work)
    other.add_client("Na de vervalsing (fictief)")
    other.sync_once()
    before = victim.devices()
    rogue = DeviceIdentity.generate()

    def forge(status, body, query):
        led = victim.device.ledger
        entries = body["entries"]
        index = led.head_index + 1 + len(entries)
        prev = entry_hash(entries[-1]) if entries else led.head_hash
        who = impostor(t.sup.device.identity.device_id) if signer.startswith("impostor") else t.work.device.identity
        entry = ledger_mod.add_device(b64d(t.team), index, prev, who, rogue.device_id, rogue.ed25519_pub,
                                      rogue.x25519_pub, "WERKBEGELEIDER", 1, beheer=True)
        return status, {"entries": entries + [entry], "head": {"index": index, "hash": b64e(entry_hash(entry))}}

    t.server.tamper.rewrite("GET", r"/ledger$", forge)
    with pytest.raises(SecurityAlert):
        victim.sync_once()
    assert_stopped(victim, "fork", "ledger")
    assert victim.devices() == before  # the rogue device is nowhere
    assert "Na de vervalsing (fictief)" not in names(victim)  # nothing applied
    t.server.tamper.clear()
    with pytest.raises(SecurityAlert):  # a server that behaves again does not lift the stop by itself
        victim.sync_once()


def test_a_swapped_device_key_is_refused(t):
    """The server shows a whole other history in which the worker's device id carries a key of the
    server's choosing: the pinned head is not in it (fork)."""
    t.sup.add_client("Voor de wissel (fictief)")
    t.sup.sync_once()
    team = b64d(t.team)
    fake_sup, fake_work = impostor(t.sup.device.identity.device_id), impostor(t.work.device.identity.device_id)
    genesis = ledger_mod.genesis(team, fake_sup, "WERKBEGELEIDER", epoch_commitment(team, 1, os.urandom(32)), 1)
    add = ledger_mod.add_device(team, 1, entry_hash(genesis), fake_sup, fake_work.device_id,
                                fake_work.ed25519_pub, fake_work.x25519_pub, "VELDWERKER", 1)
    served = {"entries": [genesis, add], "head": {"index": 1, "hash": b64e(entry_hash(add))}}
    fingerprints = {d["id"]: d["fingerprint"] for d in t.work.devices()}

    t.server.tamper.rewrite("GET", r"/ledger$", lambda status, body, q: (200, served))
    with pytest.raises(SecurityAlert):
        t.work.sync_once()
    assert_stopped(t.work, "fork")
    assert {d["id"]: d["fingerprint"] for d in t.work.devices()} == fingerprints
    assert names(t.work) == []


def test_a_withheld_rotation_is_refused_by_a_device_that_pinned_it(t):
    third_device_revoked(t)
    t.work.sync_once()  # pins the revocation and the rotation
    pinned = t.work.device.ledger
    assert pinned.current_epoch == 2
    t.sup.add_client("Na de rotatie (fictief)")
    t.sup.sync_once()
    revoke_index = pinned.head_index - 1
    withheld = {"entries": [], "head": {"index": revoke_index, "hash": b64e(pinned.hashes[revoke_index])}}
    t.server.tamper.rewrite("GET", r"/ledger$", lambda status, body, q: (200, withheld))
    with pytest.raises(SecurityAlert):
        t.work.sync_once()
    assert_stopped(t.work, "rollback")
    assert t.work.device.ledger.head_index == pinned.head_index
    assert "Na de rotatie (fictief)" not in names(t.work)


def test_a_ledger_entry_dated_far_ahead_is_refused_and_changes_nothing(t):
    """A ledger entry the coordinator's key really signed, but dated 30 days ahead of the device's clock
    (a coordinator's clock far off, or a compromised coordinator; the real server refuses to store it, so
    here the server serves it): the device stops with 'ledger_time' and takes nothing of the ledger (the
    worker keeps its role); once its clock has reached that time, the same answer is accepted."""
    pinned = t.work.device.ledger
    sup = t.sup.device.identity
    far = ledger_mod.set_role(b64d(t.team), pinned.head_index + 1, pinned.head_hash, sup,
                              t.work.device.identity.device_id, "PARTNER_LEZER", False,
                              t.clocks["worker"]() + 30 * 24 * 3600_000)

    def served(status, body, q):
        assert status == 200 and body["entries"] == [], body
        return 200, {"entries": [far], "head": {"index": far["index"], "hash": b64e(entry_hash(far))}}

    t.server.tamper.rewrite("GET", r"/ledger$", served)
    with pytest.raises(SecurityAlert):
        t.work.sync_once()
    assert_stopped(t.work, "ledger_time")
    assert "klok" in t.work.sync_status().extra["uitleg"]
    assert t.work.device.ledger.head_index == pinned.head_index and t.work.role == "VELDWERKER"
    t.clocks["worker"].advance(30 * 24 * 3600_000)
    t.work.clear_security_alert()
    t.work.sync_once()
    assert t.work.device.ledger.head_index == far["index"] and t.work.role == "PARTNER_LEZER"


def test_a_withheld_rotation_is_detected_through_an_envelope_ledger_head(t):
    """The worker never saw the rotation: the server keeps the ledger from it but relays the coordinator's
    envelope sealed after it. The envelope names a ledger head the server cannot show: withheld."""
    t.work.sync_once()
    head = t.work.device.ledger
    third_device_revoked(t)
    t.sup.add_client("Verzegeld onder tijdperk 2 (fictief)")
    t.sup.sync_once()
    frozen = {"entries": [], "head": {"index": head.head_index, "hash": b64e(head.head_hash)}}
    t.server.tamper.rewrite("GET", r"/ledger$", lambda status, body, q: (200, frozen))
    with pytest.raises(SecurityAlert):
        t.work.sync_once()
    assert_stopped(t.work, "withheld")
    assert names(t.work) == []


def test_a_grant_for_a_key_of_the_servers_choosing_is_refused(t):
    third_device_revoked(t)
    t.sup.add_client("Onder de nieuwe sleutel (fictief)")
    t.sup.sync_once()
    me = t.work.device.identity
    forged = make_grant(team=b64d(t.team), epoch=2, epoch_key=os.urandom(32), recipient=me.device_id,
                        recipient_x25519=me.x25519_pub, granter=impostor(t.sup.device.identity.device_id))

    def swap(status, body, query):
        return status, {"grants": [g for g in body["grants"] if g["epoch"] != 2] + [forged]}

    t.server.tamper.rewrite("GET", r"/grants$", swap)
    with pytest.raises(SecurityAlert):
        t.work.sync_once()
    assert_stopped(t.work, "grant")
    assert 2 not in t.work.device.epoch_keys
    assert "Onder de nieuwe sleutel (fictief)" not in names(t.work)


# -- replay and rollback of envelopes and cursors --------------------------------------------------------------

def test_a_replayed_envelope_changes_nothing(t):
    t.work.add_client("Eerste (fictief)")
    t.work.sync_once()
    t.sup.sync_once()
    old = stored_by(t, t.work)[0][1]
    t.work.add_client("Tweede (fictief)")
    t.work.sync_once()
    used = []

    def replay(status, body, query):  # once: the old envelope again, at a new place in the sequence
        if used:
            return None
        used.append(1)
        after = int(query["after"][0])
        changes = [{"seq": after + 1, "envelope": b64e(old)}] + [
            {"seq": c["seq"] + 1, "envelope": c["envelope"]} for c in body["changes"]]
        return status, {"changes": changes, "next": changes[-1]["seq"], "more": False}

    t.server.tamper.rewrite("GET", r"/changes$", replay)
    t.sup.sync_once()
    assert used
    assert names(t.sup) == ["Eerste (fictief)", "Tweede (fictief)"]
    assert len(t.sup.timeline(t.sup.caseload()[0].id)) == 0
    st = t.sup.sync_status()
    assert st.state == "online" and t.sup.device.store.get_state("replays") == "1"


def _drop_second_of_three(t: Team, renumber: bool) -> int:
    for name in ("Een (fictief)", "Twee (fictief)", "Drie (fictief)"):
        t.work.add_client(name)
    t.work.sync_once()
    dropped = stored_by(t, t.work)[1][0]

    def drop(status, body, query):
        kept = [c for c in body["changes"] if c["seq"] != dropped]
        if renumber:  # hide the hole in the team sequence; the device chain still shows it
            after = int(query["after"][0])  # the reader's cursor counts in the renumbered sequence
            kept = [{"seq": c["seq"] - (c["seq"] > dropped), "envelope": c["envelope"]} for c in kept]
            kept = [c for c in kept if c["seq"] > after]
            return status, {"changes": kept, "next": kept[-1]["seq"] if kept else after, "more": False}
        return status, {"changes": kept, "next": body["next"], "more": False}

    t.server.tamper.rewrite("GET", r"/changes$", drop)
    return dropped


def test_a_hole_in_the_team_sequence_stops_sync(t):
    _drop_second_of_three(t, renumber=False)
    cursor = t.sup.device.store.get_state("cursor")
    with pytest.raises(SecurityAlert):
        t.sup.sync_once()
    assert_stopped(t.sup, "gap")
    assert names(t.sup) == []  # the whole page is rolled back
    assert t.sup.device.store.get_state("cursor") == cursor


def test_a_dropped_envelope_in_a_device_chain_holds_back_only_that_device(t):
    """The server skips one envelope of a device's chain (and renumbers to hide it): what came before is
    applied, that device's later envelopes wait (held, with the reason), nothing stops."""
    _drop_second_of_three(t, renumber=True)
    t.sup.sync_once()
    assert names(t.sup) == []  # the first was dropped ("Een"), the two after it wait for it
    st = t.sup.sync_status()
    assert st.state == "online", st
    assert [(h["device"], h["reason"]) for h in st.extra["held"]] == [(t.work.device_id, "gap")]
    assert t.sup.device.store.held_count() == 2 and st.pending_key == 0
    third = t.enrol("x", "Kees Derde (fictief)", "derde-toestel-geheim")  # the others' work keeps flowing
    third.add_client("Van de derde (fictief)")
    third.sync_once()
    t.sup.sync_once()
    assert names(t.sup) == ["Van de derde (fictief)"]
    assert t.sup.sync_status().state == "online"
    assert [h["reason"] for h in t.sup.sync_status().extra["held"]] == ["gap"]


@pytest.mark.parametrize("how", ["reserved_with_other_bytes", "next_goes_back"])
def test_a_cursor_rollback_is_detected(t, how):
    t.work.add_client("Gezien (fictief)")
    t.work.sync_once()
    t.sup.sync_once()
    cursor = int(t.sup.device.store.get_state("cursor"))
    t.work.add_client("Nieuw (fictief)")
    t.work.sync_once()
    newest = stored_by(t, t.work)[-1][1]

    def roll_back(status, body, query):
        if how == "next_goes_back":
            return status, {"changes": [], "next": cursor - 1, "more": False}
        return status, {"changes": [{"seq": cursor, "envelope": b64e(newest)}], "next": cursor, "more": False}

    t.server.tamper.rewrite("GET", r"/changes$", roll_back)
    with pytest.raises(SecurityAlert):
        t.sup.sync_once()
    assert_stopped(t.sup, "rollback")
    assert names(t.sup) == ["Gezien (fictief)"]


def test_a_withheld_tail_holds_back_that_device_and_the_coordinator_can_still_act(t):
    """The server withholds the newest envelope of a worker: the worker's device is held (its push head
    is beyond what was served) while the other devices' work is applied, the coordinator's device can
    still revoke a device, and once the envelope is served the hold is released."""
    t.work.add_client("Zichtbaar (fictief)")
    t.work.sync_once()
    third = t.enrol("x", "Kees Derde (fictief)", "derde-toestel-geheim")
    third.add_client("Van de derde (fictief)")
    third.sync_once()
    t.work.add_client("Achtergehouden (fictief)")
    t.work.sync_once()
    last = stored_by(t, t.work)[-1][0]
    t.server.tamper.rewrite("GET", r"/changes$", lambda status, body, q: (status, {
        "changes": [c for c in body["changes"] if c["seq"] != last], "next": min(body["next"], last - 1),
        "more": False}))
    t.sup.sync_once()
    st = t.sup.sync_status()
    assert st.state == "online", st
    assert [(h["device"], h["reason"]) for h in st.extra["held"]] == [(t.work.device_id, "withheld")]
    assert names(t.sup) == ["Van de derde (fictief)", "Zichtbaar (fictief)"]
    t.sup.revoke_device(third.device_id, "LEFT")  # the coordinator can still respond
    assert t.sup.device.ledger.is_revoked(b64d(third.device_id))
    t.server.tamper.clear()
    t.sup.sync_once()
    assert "Achtergehouden (fictief)" in names(t.sup)  # once served, the chain is whole: released
    assert "held" not in t.sup.sync_status().extra


# -- revocation, removal and wipe -----------------------------------------------------------------------------

def test_a_removed_member_cannot_open_a_record_written_after_its_removal(t):
    t.sup.add_client("Voor het vertrek (fictief)")
    t.sup.sync_once()
    t.work.sync_once()
    assert names(t.work) == ["Voor het vertrek (fictief)"]
    held = dict(t.work.device.epoch_keys)
    t.sup.revoke_device(t.work.device_id, "LEFT")
    t.sup.add_client("Na het vertrek (fictief)")
    t.sup.sync_once()
    after = stored_by(t, t.sup)[-1][1]
    assert unpack(after).epoch == 2 and set(held) == {1}
    sup_key = t.sup.device.identity.ed25519_pub
    with pytest.raises(EnvelopeError):
        open_envelope(after, team=b64d(t.team), sender_ed25519=sup_key, epoch_keys=held)
    with pytest.raises(EnvelopeError):  # no key it ever held opens it, whatever epoch it is taken for
        open_envelope(after, team=b64d(t.team), sender_ed25519=sup_key, epoch_keys={2: held[1]})
    t.work.sync_once()
    assert t.work.sync_status().state == "revoked"
    assert names(t.work) == ["Voor het vertrek (fictief)"]


def test_work_after_a_removal_waits_for_the_new_team_key(t, monkeypatch):
    """A revocation whose rotation did not follow (the coordinator's device failed, or lacked the key):
    the others do not seal under the key the removed device still holds; their work waits, sealed
    locally, and travels under the new key once a coordinator's device has rotated."""
    t.sup.add_client("Gedeeld (fictief)")
    t.sup.sync_once()
    t.work.sync_once()
    third = t.enrol("derde", "Kevin Mulder (fictief)", "derde-toestel-geheim")
    third.sync_once()
    held = dict(third.device.epoch_keys)
    with monkeypatch.context() as m:
        m.setattr(type(t.sup.sync.engine.ledger), "rotate", lambda self: None)  # the rotation does not happen
        t.sup.revoke_device(third.device_id, "LEFT")
    t.work.sync_once()
    assert t.work.device.ledger.rotation_due()
    cid = t.work.add_client("Na het vertrek, voor de rotatie (fictief)")
    before = len(stored_by(t, t.work))
    t.work.sync_once()
    assert len(stored_by(t, t.work)) == before  # nothing sealed under the old key reached the server
    status = t.work.sync_status()
    assert status.state == "awaiting_team_key" and status.pending >= 1
    t.sup.rotate_team_key()  # the coordinator's device renews the key (normally right after revoking)
    t.work.sync_once()
    assert t.work.sync_status().state == "online" and t.work.unsynced_count() == 0
    written = stored_by(t, t.work)[-1][1]
    assert unpack(written).epoch == 2
    with pytest.raises(EnvelopeError):  # the removed device's keys do not open it
        open_envelope(written, team=b64d(t.team), sender_ed25519=t.work.device.identity.ed25519_pub, epoch_keys=held)
    t.sup.sync_once()
    assert "Na het vertrek, voor de rotatie (fictief)" in names(t.sup) and cid


def test_a_revoked_device_can_neither_pull_nor_push(t):
    t.work.sync_once()
    t.work.add_client("Niet afgeleverd (fictief)")  # sealed, still in the outbox
    t.sup.revoke_device(t.work.device_id, "LOST")
    t.sup.add_client("Na intrekking (fictief)")
    t.sup.sync_once()
    t.work.sync_once()
    st = t.work.sync_status()
    assert st.state == "revoked" and st.message == "LOST"
    assert t.work.unsynced_count() == 1
    assert names(t.work) == ["Niet afgeleverd (fictief)"]
    client = t.work.sync.engine.client
    envelope = t.work.device.store.outbox_ready(10)[0][1]
    for attempt in (lambda: client.ensure_login(b64d(t.team), t.work.device.identity),
                    lambda: client.pull(b64d(t.team), 0),
                    lambda: client.push(b64d(t.team), [envelope]),
                    lambda: client.push_signed(b64d(t.team), [envelope])):
        with pytest.raises(ServerError) as refused:
            attempt()
        assert refused.value.code in ("device_revoked", "unauthorized")
    t.sup.sync_once()
    assert names(t.sup) == ["Na intrekking (fictief)"]


def _forged_wipe(t: Team, status, body, query):
    entries = body["entries"][:-1]  # the real wipe out, a forged one in
    last = entries[-1]
    fake = ledger_mod.wipe(b64d(t.team), last["index"] + 1, entry_hash(last), impostor(t.sup.device.identity.device_id),
                           t.work.device.identity.device_id, 1)
    return status, {"entries": entries + [fake], "head": {"index": fake["index"], "hash": b64e(entry_hash(fake))}}


def _unsigned_wipe(t: Team, status, body, query):
    entries = [dict(e) for e in body["entries"]]
    entries[-1]["sig"] = b64e(bytes(64))
    return status, {"entries": entries, "head": body["head"]}


def test_a_revoked_device_erases_only_on_a_valid_wipe_entry(t):
    t.work.sync_once()
    t.work.add_client("Blijft tot de echte wisopdracht (fictief)")
    t.sup.revoke_device(t.work.device_id, "LOST")
    t.sup.wipe_device(t.work.device_id)

    def intact(label: str) -> None:
        assert t.work.data_dir.exists() and t.work.enrolled, label
        assert t.work.unlocked and names(t.work) == ["Blijft tot de echte wisopdracht (fictief)"], label

    # an expired token, whatever the device asks (the server says nothing else): log in again, never erase
    for method in ("GET", "POST"):
        t.server.tamper.replace(method, r"^/v1/(teams|auth/login)", lambda q: (401, {"error": "token_expired"}))
    with pytest.raises(ServerError):
        t.work.sync_once()
    intact("expired_token")
    public = r"/ledger/public$"
    no_erase = {
        "server_error": lambda: t.server.tamper.replace("GET", public, lambda q: (500, {"error": "internal_error"})),
        "expired_token": lambda: t.server.tamper.replace("GET", public, lambda q: (401, {"error": "token_expired"})),
        "garbage": lambda: t.server.tamper.replace("GET", public, lambda q: (200, b"\x00 not json")),
        "nonsense": lambda: t.server.tamper.replace("GET", public, lambda q: (200, {"entries": "wipe"})),
        "forged_wipe": lambda: t.server.tamper.rewrite("GET", public, lambda s, b, q: _forged_wipe(t, s, b, q)),
        "unsigned_wipe": lambda: t.server.tamper.rewrite("GET", public, lambda s, b, q: _unsigned_wipe(t, s, b, q)),
        "withheld_wipe": lambda: t.server.tamper.rewrite("GET", public, lambda s, b, q: (
            s, {"entries": b["entries"][:-1], "head": None})),
    }
    for label, arrange in no_erase.items():
        t.server.tamper.clear()
        arrange()
        t.work.sync_once()  # the server refuses the login (device_revoked); the device reads the public ledger
        intact(label)
    assert t.work.sync_status().state == "revoked"  # the withheld wipe still proved the revocation
    t.server.tamper.clear()
    t.work.sync_once()  # the verified wipe entry
    assert t.work.sync_status().state == "erased"
    assert not t.work.enrolled and not t.work.unlocked
    assert not t.work.data_dir.exists() or not any(t.work.data_dir.rglob("*"))


def test_a_phone_whose_clock_was_set_back_still_takes_its_wipe(t):
    """The wipe entry lies days ahead of a lost phone's clock (set back by whoever holds it, or simply
    wrong): its own revocation is read without the clock check, so the wipe is still taken. A ledger
    entry less than a week ahead of an ordinary device's clock is taken too."""
    t.work.sync_once()
    t.work.add_client("Wordt gewist (fictief)")
    t.clocks["worker"].advance(-3 * 24 * 3600_000)  # the phone's clock: three days behind
    t.sup.revoke_device(t.work.device_id, "LOST")
    t.sup.wipe_device(t.work.device_id)
    t.work.sync_once()
    assert t.work.sync_status().state == "erased"
    assert not t.work.enrolled and not t.work.unlocked


def test_an_expired_token_never_erases_and_is_renewed(t):
    t.work.add_client("Nog steeds hier (fictief)")
    t.work.sync_once()
    t.server.clock.shift = 16 * 60_000  # every token the server handed out has expired
    t.work.add_client("Na verloop (fictief)")
    t.work.sync_once()  # 401 token_expired: log in again, nothing erased
    assert t.work.sync_status().state == "online"
    assert names(t.work) == ["Na verloop (fictief)", "Nog steeds hier (fictief)"]
    t.sup.sync_once()
    assert names(t.sup) == names(t.work)


def test_a_retired_device_delivers_its_outbox_by_signature_then_erases_on_its_wipe(t):
    t.work.sync_once()
    cid = t.work.add_client("Ingeleverd toestel (fictief)")
    t.work.record_contact(cid, contact_type="TELEFONISCH", outcome="PLAATSGEVONDEN", report="Laatste notitie.")
    assert t.work.unsynced_count() == 2
    t.sup.revoke_device(t.work.device_id, "RETIRED")
    t.sup.wipe_device(t.work.device_id)
    t.work.sync_once()
    assert t.work.sync_status().state == "erased"
    assert not t.work.data_dir.exists() or not any(t.work.data_dir.rglob("*"))
    t.sup.sync_once()
    assert names(t.sup) == ["Ingeleverd toestel (fictief)"]
    assert [n.report for n in t.sup.timeline(cid)] == ["Laatste notitie."]


# -- enrolment with confirmation ---------------------------------------------------------------------------------

def test_enrolment_needs_a_confirmed_fingerprint_no_trust_on_first_use(t):
    newbie = t.enrol("nieuw", "Nina Nieuw (fictief)", "nieuw-toestel-geheim", confirm=False)
    newbie.sync_once()
    assert newbie.sync_status().state == "awaiting_confirmation"
    cid = newbie.add_client("Wacht op sleutel (fictief)")  # local work waits for the team key
    t.sup.sync_once()
    assert newbie.device_id not in {d["id"] for d in t.sup.devices()}  # no trust on first use
    waiting = t.sup.pending_devices()
    assert [d["id"] for d in waiting] == [newbie.device_id]
    assert waiting[0]["fingerprint"] == newbie.fingerprint() and waiting[0]["role"] == "VELDWERKER"
    wrong = list(newbie.fingerprint())
    wrong[7] = f"{(int(wrong[7]) + 1) % 100000:05d}"
    with pytest.raises(ValidationError) as refused:
        t.sup.confirm_device(newbie.device_id, " ".join(wrong))
    assert "komen niet overeen" in refused.value.errors["fingerprint"]
    assert newbie.device_id not in {d["id"] for d in t.sup.devices()}
    t.sup.confirm_device(newbie.device_id, "-".join(newbie.fingerprint()))
    newbie.sync_once()
    assert newbie.sync_status().state == "online" and newbie.unsynced_count() == 0
    t.sup.sync_once()
    assert cid in {c.id for c in t.sup.caseload()}
    assert newbie.fingerprint_qr_png().startswith(b"\x89PNG")


def test_an_invitation_carries_the_team_fingerprint_and_server(t):
    inv = t.sup.create_invitation("CASUSREGISSEUR")
    parsed = parse_invite(inv["text"])
    assert parsed.code == inv["code"] and parsed.server == t.server.url and b64e(parsed.team) == t.team
    assert len(inv["team_fingerprint"]) == 12 and inv["qr_png"].startswith(b"\x89PNG")
    with pytest.raises(NotAllowed):  # only a coordinator device invites
        t.work.create_invitation("VELDWERKER")


def test_an_invitation_whose_team_is_not_the_served_genesis_is_refused(t):
    """The server enrols the newcomer into a team other than the one the coordinator's invitation names."""
    other = t.server.new_team()
    first = Services.enrol(t.tmp / "other-first", server_url=t.server.url, code=other[1],
                           passphrase="ander-team-geheim", user_name="Ander Team (fictief)",
                           scrypt=t.sup.vault.scrypt, autosync=False)
    first.sync_once()
    t.devices.append(first)
    genuine = parse_invite(first.create_invitation("VELDWERKER")["text"])
    claimed = team_fingerprint_bytes(t.sup.device.store.ledger_entries()[0])  # what the victim believes it joins
    text = invite_payload(genuine.code, genuine.team, claimed, t.server.url)
    with pytest.raises(EnrolError) as refused:
        Services.enrol(t.tmp / "misled", invite=text, passphrase="misleid-geheim", user_name="Mis Leid (fictief)",
                       scrypt=t.sup.vault.scrypt, autosync=False)
    assert "niet bij het team" in str(refused.value)
    assert not (t.tmp / "misled").exists() or not any((t.tmp / "misled").rglob("*"))


def test_a_newly_confirmed_device_reads_the_history(t):
    cid = t.work.add_client("Oude geschiedenis (fictief)")
    t.work.record_contact(cid, contact_type="HUISBEZOEK_AANGEKONDIGD", outcome="PLAATSGEVONDEN",
                          report="Onder tijdperk 1 vastgelegd.")
    t.work.sync_once()
    third_device_revoked(t)
    t.sup.add_client("Onder tijdperk 2 (fictief)")
    t.sup.sync_once()
    newcomer = t.enrol("nieuw", "Nina Nieuw (fictief)", "nieuw-toestel-geheim")  # granted epoch 2 only
    newcomer.sync_once()
    assert set(newcomer.device.epoch_keys) == {1, 2}  # epoch 1 through the key history
    assert names(newcomer) == ["Onder tijdperk 2 (fictief)", "Oude geschiedenis (fictief)"]
    assert [n.report for n in newcomer.timeline(cid)] == ["Onder tijdperk 1 vastgelegd."]
    assert newcomer.sync_status().pending_key == 0


# -- roles -------------------------------------------------------------------------------------------------------

def test_a_read_only_role_cannot_write_and_its_writes_are_ignored_and_counted(t, monkeypatch):
    partner = t.enrol("partner", "Paul Partner (fictief)", "partner-geheim-123", role="PARTNER_LEZER")
    with pytest.raises(ValidationError):
        partner.add_client("Mag niet (fictief)")
    import field_app.core.device as device_mod

    monkeypatch.setattr(device_mod, "may_write", lambda *a: True)  # a tampered app writes anyway
    partner.add_client("Toch geschreven (fictief)")
    partner.sync_once()  # the server cannot see content, so it relays it
    monkeypatch.undo()
    t.sup.sync_once()
    assert "Toch geschreven (fictief)" not in names(t.sup)
    assert t.sup.sync_status().extra["ignored_ops"] == 1


def test_roles_come_from_the_ledger_and_set_role_is_for_coordinators(t):
    with pytest.raises(NotAllowed):
        t.work.set_role(t.sup.device_id, "PARTNER_LEZER", False)
    t.work.add_client("Als veldwerker (fictief)")
    t.work.sync_once()
    t.sup.set_role(t.work.device_id, "PARTNER_LEZER", False)
    t.work.sync_once()
    assert t.work.role == "PARTNER_LEZER"
    with pytest.raises(ValidationError):
        t.work.add_client("Als lezer (fictief)")
    t.sup.sync_once()
    assert names(t.sup) == ["Als veldwerker (fictief)"]  # written while the role allowed it
    with pytest.raises(NotAllowed):  # the last beheer device cannot give its right away
        t.sup.set_role(t.sup.device_id, "WERKBEGELEIDER", False)


# -- wrong passphrases -----------------------------------------------------------------------------------------

def test_ten_wrong_passphrases_destroy_the_keys_and_the_outbox_is_still_delivered(t):
    work, clock = t.work, t.clocks["worker"]
    cid = work.add_client("Vlak voor verlies (fictief)")
    work.record_contact(cid, contact_type="TELEFONISCH", outcome="PLAATSGEVONDEN", report="Nog niet verstuurd.")
    work.lock()
    assert work.unlock_info()["unsynced"] == 2
    for _ in range(9):
        with pytest.raises(Exception) as wrong:
            work.unlock("helemaal niet goed")
        clock.advance(61 * 60_000)  # past every wait
        assert not isinstance(wrong.value, KeysDestroyed)
    with pytest.raises(KeysDestroyed):
        work.unlock("helemaal niet goed")
    assert work.device.store.get_meta("vault") is None and work.device.store.secret_names("") == []
    with pytest.raises(KeysDestroyed):
        work.unlock(WORK_PASS)  # the right passphrase opens nothing any more
    assert work.sync_status().state == "keys_destroyed"
    assert work.unlock_info() | {"wait_until": None} == {
        "failed_attempts": 10, "attempts_left": 0, "wait_until": None, "unsynced": 2, "destroyed": True,
        "erased": False}
    outcome = work.deliver_outbox()  # no passphrase, no login: by signature
    assert outcome == {"delivered": 2, "remaining": 0, "error": "", "permanent": False}
    t.sup.sync_once()
    assert names(t.sup) == ["Vlak voor verlies (fictief)"]
    assert [n.report for n in t.sup.timeline(cid)] == ["Nog niet verstuurd."]


# -- access log ------------------------------------------------------------------------------------------------

def test_access_log_entries_for_each_read_and_write_and_each_client_file_opening(t):
    own = t.work.add_client("Eigen cliënt (fictief)")
    t.work.open_client_file(own)  # in the worker's own caseload: no reason needed
    t.work.sync_once()
    t.sup.sync_once()
    # not in the supervisor's caseload, but reading the team's work is her role: no glass to break, and the
    # opening is logged as a review
    t.sup.open_client_file(own)
    t.sup.sync_once()
    t.work.sync_once()

    log = t.sup.access_log(own)  # newest first; each device here has its own hand-held clock, so sort by who
    assert sorted((e["who"], e["device"], e["action"], e["reason"], e["break_glass"]) for e in log) == [
        ("Fatima El Amrani (fictief)", t.sup.device_id, "review", None, False),
        ("Lotte de Boer (fictief)", t.work.device_id, "open_client", None, False),
    ]
    assert all(e["client_id"] == own and e["at"] > 0 for e in log)
    assert names(t.sup) == ["Eigen cliënt (fictief)"]  # audit entries are not records
    with pytest.raises(NotAllowed):
        t.work.access_log()

    server_log = t.sup.server_access_log()
    did = {(e["device"], e["action"], e["result"]) for e in server_log}
    for device in (t.work.device_id, t.sup.device_id):
        assert (device, "changes.push", "ok") in did
        assert (device, "changes.pull", "ok") in did
        assert (device, "auth.login", "ok") in did
    with pytest.raises(NotAllowed):
        t.work.server_access_log()


def test_a_field_worker_cannot_move_a_colleagues_client_into_their_own_caseload(t, monkeypatch):
    """Reassigning a client to oneself would skip break-the-glass: only supervising roles assign or
    arrange cover; a tampered app's reassignment is ignored (and counted) by the other devices, and the
    file still needs a reason."""
    colleague = t.sup.intake("Van een collega (fictief)", fictional=True, assigned_to="Kevin Mulder (fictief)")
    t.sup.sync_once()
    t.work.sync_once()
    for attempt in (lambda: t.work.assign(colleague, t.work.user_name),
                    lambda: t.work.hand_over("Kevin Mulder (fictief)", t.work.user_name, "2099-12-31")):
        with pytest.raises(NotAllowed):
            attempt()
    import field_app.core.device as device_mod

    monkeypatch.setattr(device_mod, "may_write", lambda *a: True)  # a tampered app writes anyway
    t.work.assign(colleague, t.work.user_name)
    t.work.sync_once()
    monkeypatch.undo()
    t.sup.sync_once()
    assert next(i for i in t.sup.caseload_items() if i.id == colleague).assigned_to == "Kevin Mulder (fictief)"
    assert t.sup.sync_status().extra["ignored_ops"] == 1
    # the same change dressed up as a second "create" of the known client is judged as what it does
    monkeypatch.setattr(device_mod, "may_write", lambda *a: True)
    t.work.device.write_op("client", colleague, colleague, "create", {"assigned_to": t.work.user_name})
    t.work.sync_once()
    monkeypatch.undo()
    t.sup.sync_once()
    assert next(i for i in t.sup.caseload_items() if i.id == colleague).assigned_to == "Kevin Mulder (fictief)"
    assert t.sup.sync_status().extra["ignored_ops"] == 2
    t.sup.assign(colleague, "Lotte de Boer (fictief)")  # a supervisor may
    t.sup.sync_once()
    t.work.sync_once()
    t.work.open_client_file(colleague)  # now it is her own caseload: no reason needed


def test_the_server_cannot_choose_a_newcomers_role(t):
    """The role the server reports for a waiting device must be one this coordinator invited for, or be
    named by the coordinator after checking it with the colleague; nothing is signed otherwise."""
    from field_app.domain.hlc import now_ms
    from sync_server.cli import invite_device

    t.sup.create_invitation("VELDWERKER")  # what the coordinator asked for
    code = invite_device(t.server.store, t.team, "BEHEERDER", 3_600_000, now_ms())  # what the server hands out
    rogue = Services.enrol(t.tmp / "rogue", server_url=t.server.url, code=code, passphrase="rogue-geheim-123",
                           user_name="Iemand (fictief)", scrypt=FAST, autosync=False)
    t.devices.append(rogue)
    digits = " ".join(rogue.fingerprint())
    head = t.sup.device.ledger.head_index
    with pytest.raises(ValidationError) as refused:
        t.sup.confirm_device(rogue.device_id, digits)
    assert "invite_role" in refused.value.errors and "Functioneel beheerder" in refused.value.errors["invite_role"]
    with pytest.raises(ValidationError):  # vouching for another role than the server reports signs nothing
        t.sup.confirm_device(rogue.device_id, digits, role="VELDWERKER")
    t.sup.sync_once()
    assert t.sup.device.ledger.head_index == head
    t.sup.confirm_device(rogue.device_id, digits, role="BEHEERDER")  # the coordinator checked and vouches
    assert next(d for d in t.sup.devices() if d["id"] == rogue.device_id)["role"] == "BEHEERDER"
    invited = t.enrol("uitgenodigd", "Sanne Vos (fictief)", "uitgenodigd-geheim-1")  # its invitation: no question
    assert next(d for d in t.sup.devices() if d["id"] == invited.device_id)["role"] == "VELDWERKER"


def test_each_device_says_whose_it_is_and_the_logs_show_the_user(t, monkeypatch):
    """The server knows devices, not people. Each device announces, sealed and signed, the name its user
    works under; the team's device list and the server's access log (read in the app) show it. A device
    cannot speak for another device."""
    t.sup.sync_once()
    users = {d["id"]: d["user"] for d in t.sup.devices()}
    assert users == {t.sup.device_id: "Fatima El Amrani (fictief)", t.work.device_id: "Lotte de Boer (fictief)"}
    rows = t.sup.server_access_log()
    assert {r["user"] for r in rows if r["device"] == t.work.device_id} == {"Lotte de Boer (fictief)"}
    # a tampered app announces itself as the supervisor's device: ignored and counted by the others
    fields = {"device": t.sup.device_id, "name": "Iemand anders (fictief)", "at": 9_999_999_999_999}
    t.work.device.write_op("member", b64e(os.urandom(16)), "", "create", fields)
    t.work.sync_once()
    ignored = t.sup.sync_status().extra["ignored_ops"]
    t.sup.sync_once()
    assert t.sup.sync_status().extra["ignored_ops"] == ignored + 1
    assert {d["id"]: d["user"] for d in t.sup.devices()}[t.sup.device_id] == "Fatima El Amrani (fictief)"


def test_break_the_glass_without_a_reason_is_refused(t):
    # a coordinator (not a reviewer of the team's work) needs a reason outside her own caseload
    coord = t.enrol("coordinator", "Kees Visser (fictief)", "coordinator-geheim-12", role="PROCESREGISSEUR")
    own = t.work.add_client("Niet van jou (fictief)")
    t.work.sync_once()
    coord.sync_once()
    for reason in (None, "", "   ", "ja"):
        with pytest.raises(ValidationError):
            coord.open_client_file(own, reason=reason)
    assert coord.device.projection.audit_entries() == []
    t.sup.sync_once()
    t.sup.hand_over("Lotte de Boer (fictief)", "Kees Visser (fictief)", "2099-12-31")  # holiday cover
    t.sup.sync_once()
    coord.sync_once()
    coord.open_client_file(own)
    assert [e["break_glass"] for e in coord.access_log(own)] == [False]


def test_the_procesregisseur_of_a_zvh_case_opens_its_client_without_a_reason(t):
    """DOMAIN.md: the procesregisseur owns the ZVH case. Named on an open case (as in the demo, her name
    without the fictional marker), she opens the client's file without breaking the glass; once the case
    is closed, the file is outside her work again and needs a reason. A field worker who names herself
    casusregisseur does not get around the reason that way."""
    coord = t.enrol("coordinator", "Anouk Prins (fictief)", "coordinator-geheim-12", role="PROCESREGISSEUR")
    client = t.work.add_client("Zvh-cliënt (fictief)")
    case_id = t.work.create_record("zvh_case", client, {"approach": "TOP_X", "phase": "UITVOERING_MONITORING",
                                                        "process_director": "Anouk Prins"})
    other = t.work.add_client("Andere cliënt (fictief)")
    t.work.create_record("zvh_case", other, {"approach": "TOP_X", "process_director": "Iemand anders (fictief)"})
    peer = t.sup.add_client("Van een collega (fictief)")
    t.sup.create_record("zvh_case", peer, {"approach": "TOP_X", "case_director": "Lotte de Boer (fictief)"})
    t.sup.sync_once()
    t.work.sync_once()
    with pytest.raises(ValidationError):  # a field worker named there still gives a reason
        t.work.open_client_file(peer)
    coord.sync_once()
    coord.open_client_file(client)
    with pytest.raises(ValidationError):
        coord.open_client_file(other)
    t.work.update_record(case_id, {"phase": "AFGESLOTEN", "close_reason": "DOELEN_BEHAALD"})
    t.work.sync_once()
    coord.sync_once()
    with pytest.raises(ValidationError):
        coord.open_client_file(client)
    assert [e["break_glass"] for e in coord.access_log(client)] == [False]


def test_a_server_restored_from_an_older_backup_is_a_rollback_not_silent_loss(t):
    """Found by an attack helper: the server's database put back from a backup taken before the readers'
    cursor. The server answered an empty page with the reader's own cursor as ``next``, so the reader said
    "online" and skipped for good the new work that reused those seq numbers. Now the server answers a
    cursor past its last seq with one before it, which a reader refuses as a rollback: the supervisor
    stops with the security message, and nothing it held is changed."""
    import sqlite3

    t.work.add_client("Voor de kopie (fictief)")
    t.work.sync_once()
    t.sup.sync_once()
    backup = sqlite3.connect(":memory:")
    live = sqlite3.connect(t.server.db)
    live.backup(backup)
    t.work.add_client("Na de kopie (fictief)")
    t.work.sync_once()
    t.sup.sync_once()
    assert names(t.sup) == ["Na de kopie (fictief)", "Voor de kopie (fictief)"]
    backup.backup(live)  # the server's file as it was at the backup
    live.close()
    backup.close()
    with pytest.raises(SecurityAlert):
        t.sup.sync_once()
    assert_stopped(t.sup, "rollback")
    assert names(t.sup) == ["Na de kopie (fictief)", "Voor de kopie (fictief)"]  # what it had, unchanged
