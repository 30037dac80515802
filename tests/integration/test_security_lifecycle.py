"""A device's life: work sealed before a rotation, the offline lease, a new passphrase, a forgotten one, and
moving to a new phone — each against the real server on loopback (docs/security.md)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from secsupport import DAY_MS, FAST, WORK_PASS, LiveServer, names  # noqa: E402

from field_app.crypto.canonical import b64d  # noqa: E402
from field_app.crypto.vault import WrongPassphrase  # noqa: E402
from field_app.crypto.wire import unpack  # noqa: E402
from field_app.services import LockedError, Services  # noqa: E402
from field_app.sync.client import ServerError  # noqa: E402


def epochs_stored_by(t, svc) -> list[int]:
    me = b64d(svc.device_id)
    return [unpack(c.envelope).epoch for c in t.server.changes(t.team) if unpack(c.envelope).device == me]


def test_work_sealed_before_a_rotation_is_sealed_again_after_stale_epoch(t):
    t.work.sync_once()
    before = len(epochs_stored_by(t, t.work))  # what it stored already (its member announcement)
    cid = t.work.add_client("Voor de rotatie geschreven (fictief)")
    t.work.record_contact(cid, contact_type="TELEFONISCH", outcome="PLAATSGEVONDEN", report="Offline vastgelegd.")
    assert [unpack(env).epoch for _, env in t.work.device.store.outbox_ready(10)] == [1, 1]
    x = t.enrol("x", "Kees Derde (fictief)", "derde-toestel-geheim")
    t.sup.revoke_device(x.device_id, "LEFT")  # the team moves to epoch 2 while the worker is offline
    answers = []
    t.server.tamper.rewrite("POST", r"/changes$", lambda status, body, q: answers.append((status, body)) or None)
    t.work.sync_once()
    assert [s for s, _ in answers] == [409, 200] and answers[0][1]["error"] == "stale_epoch"
    assert t.work.unsynced_count() == 0 and epochs_stored_by(t, t.work)[before:] == [2, 2]
    t.sup.sync_once()
    assert [n.report for n in t.sup.timeline(cid)] == ["Offline vastgelegd."]
    assert t.sup.sync_status().state == "online"
    later = t.enrol("later", "Lies Later (fictief)", "later-toestel-geheim")  # the chain reads without gaps
    later.sync_once()
    assert cid in {c.id for c in later.caseload()} and later.sync_status().state == "online"


def test_the_offline_lease_drops_the_team_keys_and_a_sync_brings_them_back(t):
    work, clock = t.work, t.clocks["worker"]
    work.sync_once()
    assert "lease_days_left" not in work.sync_status().extra
    clock.advance(10 * DAY_MS + 3600_000)
    assert work.sync_status().extra["lease_days_left"] == 4  # the warning from day 10
    clock.advance(4 * DAY_MS)
    work.lock()
    work.unlock(WORK_PASS)
    assert work.device.epoch_keys == {} and work.device.store.secret_names("epoch:") == []
    extra = work.sync_status().extra
    assert extra["lease_expired"] and extra["lease_days_left"] == 0
    cid = work.add_client("Tijdens verlopen lease (fictief)")  # still saved: it waits in the outbox
    assert work.unsynced_count() == 1 and work.device.store.outbox_ready(10) == []
    work.sync_once()  # online again: the grants on the server are collected again
    assert set(work.device.epoch_keys) == {1} and work.unsynced_count() == 0
    extra = work.sync_status().extra
    assert not extra["lease_expired"] and "lease_days_left" not in extra
    t.sup.sync_once()
    assert cid in {c.id for c in t.sup.caseload()}


def test_change_passphrase_rewraps_the_local_key(t):
    work = t.work
    work.add_client("Blijft leesbaar (fictief)")
    with pytest.raises(WrongPassphrase):
        work.change_passphrase("niet de oude zin", "een-nieuwe-wachtwoordzin")
    work.change_passphrase(WORK_PASS, "een-nieuwe-wachtwoordzin")
    work.lock()
    with pytest.raises(WrongPassphrase):
        work.unlock(WORK_PASS)
    work.unlock("een-nieuwe-wachtwoordzin")
    assert names(work) == ["Blijft leesbaar (fictief)"]
    assert work.unlock_info()["failed_attempts"] == 0


def test_a_forgotten_passphrase_means_a_new_enrolment_and_the_old_outbox_still_arrives(t):
    old = t.work
    cid = old.add_client("In de oude map (fictief)")
    old.record_contact(cid, contact_type="TELEFONISCH", outcome="PLAATSGEVONDEN", report="Nog in de outbox.")
    old_dir = old.data_dir
    old.close()
    t.devices.remove(old)  # the passphrase is forgotten: this directory is never unlocked again
    fresh = t.enrol("worker-nieuw", "Lotte de Boer (fictief)", "nieuwe-wachtwoordzin-2")
    out = subprocess.run([sys.executable, "-m", "field_app.cli", "deliver", "--data", str(old_dir)],
                         capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=60)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout.strip().splitlines()[-1])["delivered"] == 2
    fresh.sync_once()
    assert [n.report for n in fresh.timeline(cid)] == ["Nog in de outbox."]
    info = subprocess.run([sys.executable, "-m", "field_app.cli", "info", "--data", str(old_dir)],
                          capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=60)
    assert json.loads(info.stdout)["unsynced"] == 0


def test_moving_to_a_new_phone(t):
    cid = t.work.add_client("Meeverhuisd (fictief)")
    t.work.sync_once()
    phone = t.enrol("nieuwe-telefoon", "Lotte de Boer (fictief)", "nieuwe-telefoon-geheim")
    phone.sync_once()
    assert cid in {c.id for c in phone.caseload()}  # the history comes along
    t.work.add_client("Laatste op het oude toestel (fictief)")  # not yet sent when it is handed in
    t.sup.revoke_device(t.work.device_id, "RETIRED")
    t.sup.wipe_device(t.work.device_id)
    t.work.sync_once()
    assert t.work.sync_status().state == "erased"
    phone.sync_once()
    assert names(phone) == ["Laatste op het oude toestel (fictief)", "Meeverhuisd (fictief)"]
    phone.record_contact(cid, contact_type="TELEFONISCH", outcome="PLAATSGEVONDEN", report="Vanaf de nieuwe.")
    phone.sync_once()
    t.sup.sync_once()
    assert [n.report for n in t.sup.timeline(cid)] == ["Vanaf de nieuwe."]


def test_a_lost_push_answer_then_a_rotation_delivers_every_operation_once(t):
    """The server stored a push but its answer was lost; then the team key rotated. The device catches up
    with what the server holds before it seals again, so nothing is stored twice and its chain stays whole."""
    t.work.sync_once()
    before = len(epochs_stored_by(t, t.work))  # what it stored already (its member announcement)
    t.work.add_client("Antwoord onderweg kwijt (fictief)")
    lost = []

    def lose(status, body, query):
        if lost:
            return None
        lost.append(status)
        return 502, {"error": "internal_error"}

    t.server.tamper.rewrite("POST", r"/changes$", lose)
    with pytest.raises(ServerError):
        t.work.sync_once()
    assert lost == [200] and t.work.unsynced_count() == 1 and epochs_stored_by(t, t.work)[before:] == [1]
    t.server.tamper.clear()
    x = t.enrol("x", "Kees Derde (fictief)", "derde-toestel-geheim")
    t.sup.revoke_device(x.device_id, "LEFT")
    t.work.add_client("Daarna geschreven (fictief)")
    t.work.sync_once()
    assert t.work.unsynced_count() == 0 and epochs_stored_by(t, t.work)[before:] == [1, 2]
    t.sup.sync_once()
    assert names(t.sup) == ["Antwoord onderweg kwijt (fictief)", "Daarna geschreven (fictief)"]
    later = t.enrol("later", "Lies Later (fictief)", "later-toestel-geheim")
    later.sync_once()
    assert later.sync_status().state == "online" and len(names(later)) == 2


def test_a_forgotten_pin_on_the_same_phone_delivers_first_then_starts_over(t):
    """No command line on a phone: "PIN vergeten" in the app delivers the outbox by signature, erases the
    data directory only once nothing that could still arrive waits, and the same phone enrols again."""
    from field_app.services import NotAllowed

    old = t.work
    cid = old.add_client("Op de telefoon (fictief)")
    old.record_contact(cid, contact_type="TELEFONISCH", outcome="PLAATSGEVONDEN", report="Nog niet verstuurd.")
    pending = old.unsynced_count()
    assert pending >= 2
    with pytest.raises(NotAllowed):  # unlocked: the secret is known, nothing to start over
        old.start_over()
    old_id, data_dir = old.device_id, old.data_dir
    old.lock()

    t.server.stop()  # offline: nothing is erased while the work could still arrive later
    outcome = old.start_over(accept_loss=True)
    assert outcome["erased"] is False and outcome["error"] == "offline" and outcome["remaining"] == pending
    old.unlock(WORK_PASS)  # the data is all there
    assert old.unsynced_count() == pending
    old.lock()

    t.server.start()
    outcome = old.start_over()
    assert outcome == {"erased": True, "delivered": pending, "remaining": 0, "error": "", "permanent": False}
    assert not old.enrolled and old.unlock_mode() is None
    with pytest.raises(LockedError):  # the old vault is gone: the old passphrase opens nothing any more
        old.unlock(WORK_PASS)
    assert data_dir.is_dir() and old.unsynced_count() == 0
    t.sup.sync_once()
    assert [n.report for n in t.sup.timeline(cid)] == ["Nog niet verstuurd."]

    invitation = t.sup.create_invitation("VELDWERKER")
    old.register(invite=invitation["text"], passphrase="een-nieuwe-wachtwoordzin", user_name="Lotte de Boer (fictief)")
    assert old.enrolled and old.unlocked and old.device_id != old_id
    t.confirm(old)
    old.sync_once()
    assert cid in {c.id for c in old.caseload()}  # the history comes back to the re-enrolled phone


def test_starting_over_gives_up_unsendable_work_only_when_the_person_accepts(tmp_path):
    """Work written before a device ever had a team key is sealed under its local key only: without the
    PIN it can never travel. Starting over says so, and erases it only with accept_loss."""
    server = LiveServer(tmp_path).start()
    try:
        _team, code = server.new_team()
        svc = Services.enrol(tmp_path / "phone", server_url=server.url, code=code, passphrase="eerste-wachtwoordzin",
                             user_name="Sanne Vos (fictief)", scrypt=FAST, autosync=False)
        svc.add_client("Nooit verstuurd (fictief)")  # before the first sync: no ledger, no team key yet
        svc.lock()
        outcome = svc.start_over()
        assert outcome["erased"] is False and outcome["error"] == "not_sealed" and outcome["permanent"]
        assert svc.enrolled
        outcome = svc.start_over(accept_loss=True)
        assert outcome["erased"] is True and outcome["remaining"] == 1
        assert not svc.enrolled
        svc.close()
    finally:
        server.stop()


def test_starting_over_stops_when_the_device_is_unlocked_meanwhile(t, monkeypatch):
    """Another tab unlocks while the outbox is being delivered: the secret is known after all, so nothing
    is erased."""
    from field_app.services import NotAllowed

    old = t.work
    old.add_client("Blijft staan (fictief)")
    old.lock()
    deliver = old.sync.deliver_outbox

    def deliver_then_unlock():
        outcome = deliver()
        old.unlock(WORK_PASS)  # the other tab
        return outcome

    monkeypatch.setattr(old.sync, "deliver_outbox", deliver_then_unlock)
    with pytest.raises(NotAllowed):
        old.start_over()
    assert old.enrolled and old.unlocked
    assert "Blijft staan (fictief)" in names(old)
