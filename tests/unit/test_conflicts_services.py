"""Conflicts through the real services of one device (real SQLite, real sealing): every change carries the
base it was made on, a concurrent change from another device shows as a conflict on the record (both values,
who, when), and a pick is a change on top of both. The exchange between devices over a real server is in
tests/integration/test_conflict_two_devices.py."""

from __future__ import annotations

import httpx
import pytest

from field_app.crypto.canonical import b64e
from field_app.crypto.vault import ScryptParams
from field_app.domain.errors import ValidationError
from field_app.services import Services

FAST = ScryptParams(n=2**12, r=8, p=1)
OTHER = "Fatima El Amrani (fictief)"


def _offline(request: httpx.Request) -> httpx.Response:
    if request.method == "POST" and request.url.path == "/v1/enrol":
        return httpx.Response(200, json={"team": b64e(b"T" * 16), "role": "WERKBEGELEIDER", "first": True})
    raise httpx.ConnectError("offline", request=request)


@pytest.fixture
def svc(tmp_path):
    s = Services.enrol(tmp_path / "d", server_url="http://127.0.0.1:9", code="ABCD-EFGH", passphrase="juiste zin 123",
                       user_name="Lotte de Boer (fictief)", scrypt=FAST, autosync=False,
                       transport=httpx.MockTransport(_offline))
    yield s
    s.close()


def _ops(svc, record_id):
    return [op for _id, _origin, _seq, op in svc.device.store.iter_ops() if op["record_id"] == record_id]


def _remote_set(svc, record_id, fields, base, ms):
    op = {"type": "client", "record_id": record_id, "client_id": record_id, "kind": "set", "fields": fields,
          "hlc": [ms, 0, "andere-telefoon"], "author_user": OTHER, "base": base}
    op_id = bytes([ms % 251]) * 16
    svc.device.store.add_op(op_id, op, origin="remote")  # as the sync engine stores it
    svc.device.apply_remote([(op_id, op)])


def test_a_change_made_without_seeing_another_shows_both_values_and_a_pick_settles_it(svc):
    cid = svc.add_client("Conflict Jansen (fictief)", fictional=True)
    create = _ops(svc, cid)[0]
    assert create["base"] == {}  # a new record: nothing seen before
    svc.update_record(cid, {"safety_warning": "DUO_BEZOEK"})
    mine = _ops(svc, cid)[-1]
    assert mine["base"] == {"safety_warning": create["hlc"]}  # made on top of the intake's value
    assert svc.record(cid).conflicts == () and svc.conflicted_records() == []

    # another device changed the same field from the same base, later by its clock
    later = mine["hlc"][0] + 1000
    _remote_set(svc, cid, {"safety_warning": "WAPENBEZIT_BEKEND"}, {"safety_warning": create["hlc"]}, later)
    rec = svc.record(cid)
    assert rec.fields["safety_warning"] == "WAPENBEZIT_BEKEND"  # the last writer wins, as before
    (conflict,) = rec.conflicts
    assert conflict.field == "safety_warning" and conflict.kind == "Veiligheidswaarschuwing"
    assert [(v.value, v.author, v.current) for v in conflict.values] == [
        ("DUO_BEZOEK", "Lotte de Boer (fictief)", False), ("WAPENBEZIT_BEKEND", OTHER, True)]
    assert [v.at for v in conflict.values] == [mine["hlc"][0], later]
    assert [r.id for r in svc.conflicted_records()] == [cid]

    with pytest.raises(ValidationError):
        svc.resolve_conflict(cid, "safety_warning", "NIET_ALLEEN_THUIS_BEZOEKEN")  # not one of the values
    svc.resolve_conflict(cid, "safety_warning", "DUO_BEZOEK")  # keep mine
    pick = _ops(svc, cid)[-1]
    assert pick["kind"] == "set" and pick["fields"] == {"safety_warning": "DUO_BEZOEK"}
    assert pick["base"] == {"safety_warning": [later, 0, "andere-telefoon"]}  # on top of both values
    assert svc.record(cid).fields["safety_warning"] == "DUO_BEZOEK"
    assert svc.record(cid).conflicts == () and svc.conflicted_records() == []
    with pytest.raises(ValidationError):
        svc.resolve_conflict(cid, "safety_warning", "DUO_BEZOEK")  # gone now


def test_a_change_on_top_of_the_other_value_or_the_same_value_is_no_conflict(svc):
    cid = svc.add_client("Geen Conflict (fictief)", fictional=True)
    svc.update_record(cid, {"regime": "DRANG"})
    mine = _ops(svc, cid)[-1]
    # the other device saw my change (its base is my stamp): no conflict
    _remote_set(svc, cid, {"regime": "DWANG"}, {"regime": mine["hlc"]}, mine["hlc"][0] + 10)
    assert svc.record(cid).fields["regime"] == "DWANG" and svc.record(cid).conflicts == ()
    # both devices wrote the same value from the same base: no conflict either
    seen = _ops(svc, cid)[-1]
    svc.update_record(cid, {"safety_warning": "DUO_BEZOEK"})
    base = {"safety_warning": _ops(svc, cid)[0]["hlc"]}
    _remote_set(svc, cid, {"safety_warning": "DUO_BEZOEK"}, base, seen["hlc"][0] + 20)
    assert svc.record(cid).conflicts == ()


def test_a_change_orders_after_the_value_it_was_made_on_even_with_a_clock_behind(svc):
    cid = svc.add_client("Klok Achter (fictief)", fictional=True)
    create = _ops(svc, cid)[0]
    ahead = create["hlc"][0] + 3_600_000  # the other device's clock runs an hour ahead
    _remote_set(svc, cid, {"regime": "DWANG"}, {"regime": create["hlc"]}, ahead)
    svc.lock()  # lock and unlock: the clock starts again from the wall time
    svc.unlock("juiste zin 123")
    svc.update_record(cid, {"regime": "DRANG"})  # made on top of the other device's value
    mine = _ops(svc, cid)[-1]
    assert mine["hlc"][:2] > [ahead, 0] and svc.record(cid).fields["regime"] == "DRANG"
    assert svc.record(cid).conflicts == ()


def test_keeping_a_value_of_a_partial_dict_field_keeps_exactly_that_dict(svc):
    cid = svc.add_client("Nazorg Conflict (fictief)", fictional=True)
    aid = svc.create_record("aftercare", cid, {"spoed_checklist": {"ID_GELDIG": "OPEN"}})
    created = _ops(svc, aid)[0]["hlc"]
    svc.update_record(aid, {"spoed_checklist": {"ONDERDAK_EERSTE_NACHT": "GEREGELD"}})  # merged: both items
    mine = _ops(svc, aid)[-1]
    assert mine["fields"]["spoed_checklist"] == {"ID_GELDIG": "OPEN", "ONDERDAK_EERSTE_NACHT": "GEREGELD"}
    theirs = {"ID_GELDIG": "GEREGELD"}  # the other device ticked another item from the same list
    op = {"type": "aftercare", "record_id": aid, "client_id": cid, "kind": "set",
          "fields": {"spoed_checklist": theirs}, "hlc": [mine["hlc"][0] + 5, 0, "andere-telefoon"],
          "author_user": OTHER, "base": {"spoed_checklist": created}}
    svc.device.store.add_op(b"p" * 16, op, origin="remote")
    svc.device.apply_remote([(b"p" * 16, op)])
    (conflict,) = svc.record(aid).conflicts
    assert [v.value for v in conflict.values] == [mine["fields"]["spoed_checklist"], theirs]
    svc.resolve_conflict(aid, "spoed_checklist", theirs)  # keep theirs: my item goes, not merged back in
    rec = svc.record(aid)
    assert rec.fields["spoed_checklist"] == theirs and rec.conflicts == ()


def test_a_form_opened_before_a_change_arrived_saves_on_what_it_showed(svc):
    cid = svc.add_client("Formulier Open (fictief)", fictional=True)
    shown = svc.record(cid)  # the form opens with this version
    created = _ops(svc, cid)[0]["hlc"]
    assert shown.versions["regime"] == created
    # meanwhile sync brings another device's change of the same field
    _remote_set(svc, cid, {"regime": "DWANG"}, {"regime": created}, created[0] + 10)
    svc.update_record(cid, {"regime": "DRANG"}, seen=shown.versions)  # the form's save
    mine = _ops(svc, cid)[-1]
    assert mine["base"] == {"regime": created}  # what the user saw, not what arrived unseen
    (conflict,) = svc.record(cid).conflicts
    assert sorted(v.value for v in conflict.values) == ["DRANG", "DWANG"]
    assert svc.record(cid).fields["regime"] == "DRANG"  # the newest change still wins meanwhile

    # a view cannot claim more than the device holds, and nonsense is ignored
    now = svc.record(cid)
    svc.update_record(cid, {"safety_warning": "DUO_BEZOEK"},
                      seen={"safety_warning": [2**62, 0, "z"], "regime": "onzin"})
    assert _ops(svc, cid)[-1]["base"] == {"safety_warning": now.versions["safety_warning"]}
