"""A snapshot part's repeating strings and one-operation stamp maps written once (store/snapshot_share.py):
every record reads back equal — whatever mix of types a slot or a field holds across the part — the shared
strings are one object, and writing never changes the projection's own objects (a note's fields are packed
without a copy)."""

from __future__ import annotations

import copy
import dataclasses
import os

from test_snapshot import Dev, history

from field_app.domain.hlc import Stamp
from field_app.store import LocalStore
from field_app.store import snapshot_codec as codec
from field_app.store.projection import Addendum, Record
from field_app.store.snapshot_share import share

SLOTS = [f.name for f in dataclasses.fields(Record)]


def _records() -> list[Record]:
    s1, s2 = Stamp(1_800_000_000_000, 0, "dev-a"), Stamp(1_800_000_000_500, 3, "dev-b")
    out = []
    for i in range(6):
        fields = {"contact_type": "TELEFONISCH", "outcome": "PLAATSGEVONDEN" if i % 2 else "NIET_AANGETROFFEN",
                  "report": f"Uniek verslag {i} (fictief)", "risks": [{"domain": "HUISVESTING", "severity": "HOOG"}],
                  "mixed": "A" if i < 3 else i, "sometimes": None if i == 4 else "ja", "empty": ""}
        if i == 5:
            del fields["contact_type"]
        out.append(Record(f"n{i}", "contact", "c1", fields, dict.fromkeys(fields, s1), created_at=i,
                          author="Lotte (fictief)", op_id=bytes([i]) * 16, origin="local", known=True,
                          last_author="Lotte (fictief)",
                          addenda=[Addendum("a1", "Aanvulling (fictief)", "Sem (fictief)", 5, b"a" * 16, "remote")]
                          if i == 2 else []))
    out.append(Record("c1", "client", "c1", {"display_name": "Cliënt (fictief)", "status": "ACTIEF"},
                      {"display_name": s1, "status": s2}, author="Sem (fictief)", known=True,
                      frontier={"status": [[[1, 0, "dev-a"], None, "ACTIEF", "Sem (fictief)", "set"]]}))
    out.append(Record("n9", "contact", "c2", retracted={"reason": "weg", "author": "Sem (fictief)", "at": 4}))
    return out


def _round_trip(records: list[Record]) -> list[Record]:
    enc = codec.Encoder()
    rows = [enc.row(r, SLOTS, ("fields",) if r.type == "contact" and r.known else ()) for r in records]
    part = {"table": enc.table, "keysets": enc.keysets, "rows": rows}
    part["shared"] = share(part["rows"])
    back = codec.loads(codec.dumps(part))
    dec = codec.Decoder(back["table"], back["keysets"], back["shared"])
    return [dec.row(Record, row) for row in back["rows"]], part["shared"]


def test_every_record_reads_back_equal_and_repeats_are_one_object():
    records = _records()
    before = copy.deepcopy(records)
    again, shared = _round_trip(records)
    assert again == before and records == before  # nothing of the originals was changed
    assert "TELEFONISCH" in shared["strings"] and shared["stamps"] == [] and shared["slots"]  # a client's
    # stamps differ per field: no slot where every row has one stamp for all
    assert all(a.author is again[0].author and a.fields["contact_type"] is again[0].fields["contact_type"]
               for a in again[:5])
    assert again[3].fields["mixed"] == 3 and again[0].fields["mixed"] == "A"
    assert again[4].fields["sometimes"] is None


def test_a_part_of_notes_only_writes_its_stamps_as_numbers():
    records = _records()[:6]
    again, shared = _round_trip(records)
    assert again == _records()[:6] and shared["stamps"] == [SLOTS.index("stamps")]
    assert len({id(s) for r in again for s in r.stamps.values()}) == 1  # one stamp object, as the fold has
    assert again[0].stamps is not again[1].stamps


def test_writing_a_snapshot_changes_nothing_the_projection_holds(tmp_path):
    store = LocalStore(tmp_path)
    key = os.urandom(32)
    store.set_local_key(key)
    d = Dev(store, key)
    try:
        history(d)
        before = {rid: copy.deepcopy(dataclasses.astuple(r)) for rid, r in d.proj._records.items()}
        assert d.keeper.write_now(d.proj, d.key)
        assert {rid: dataclasses.astuple(r) for rid, r in d.proj._records.items()} == before
    finally:
        d.keeper.stop()
        store.close()


def test_a_fold_shares_short_strings_too():
    """Each operation is parsed on its own (one copy of every string per note): the fold keeps one copy of the
    short ones — client id, author, type, codes, the stamp's device — as the snapshot's reader does."""
    import json

    from field_app.core.projection import AuditProjection

    p = AuditProjection()
    for i in range(2):
        op = json.loads(json.dumps({
            "type": "contact", "record_id": f"n{i}", "client_id": "c1", "kind": "create",
            "author_user": "Lotte (fictief)",
            "hlc": [1_800_000_000_000 + i, 0, "dev-a"],
            "fields": {"contact_type": "TELEFONISCH", "report": "Verslag (fictief) " + "x" * 80, "risks": []}}))
        p.apply(op, op_id=bytes([i]) * 16, origin="local", received_at=1_800_000_000_000)
    a, b = p.record("n0"), p.record("n1")
    assert a.client_id is b.client_id and a.author is b.author and a.type is b.type and a.origin is b.origin
    assert a.fields["contact_type"] is b.fields["contact_type"]
    assert a.stamps["report"].device is b.stamps["report"].device
    assert a.fields["report"] is not b.fields["report"] and a.fields["risks"] is not b.fields["risks"]
    assert a.last_author == "Lotte (fictief)"
    assert list(a.stamps) == list(a.fields) == ["contact_type", "report", "risks"]


def test_a_full_fold_reads_the_same_operations_as_the_store_gives(tmp_path):
    """``ops_to_fold`` (orjson when the ``fast`` extra is installed) against ``iter_ops_after`` (json): the same
    rows, values and types; what orjson refuses (an integer beyond 64 bits, NaN) is parsed the standard way."""
    import json

    from field_app.store.snapshot_rows import op_loads

    store = LocalStore(tmp_path)
    key = os.urandom(32)
    store.set_local_key(key)
    d = Dev(store, key)
    try:
        history(d)
        d.op("contact", "nb", "create", {"report": "Grote getallen, \\u00e9\\n en \u2603 (fictief)",
                                         "big": 2**70, "neg": -(2**63), "t": True, "none": None, "nested": [{}]},
             ms=1_800_000_000_001)
        slow = [(pos, op_id, origin, op) for pos, op_id, origin, _seq, op in store.iter_ops_after(2)]
        fast = list(store.ops_to_fold(2))
        assert fast == slow and len(fast) == d.n - 2
        assert fast[-1][3]["fields"]["big"] == 2**70 and type(fast[-1][3]["fields"]["t"]) is bool
        assert repr(fast) == repr(slow)  # types too (bool is not 1)
        for text in (b'{"a": NaN}', b'{"a": "\\ud800"}', b'{"a": 1E400}', b'\xef\xbb\xbf{"a": 1}',
                     b'{"a": -9223372036854775809, "b": 18446744073709551616, "c": 18446744073709551615}',
                     b'{"a": 12345678901234567890123}', b'{"a": "tel 1234567890123456789", "b": 2}',
                     '{"a": 1}'.encode("utf-16")):
            assert repr(op_loads(text)) == repr(json.loads(text)), text
    finally:
        d.keeper.stop()
        store.close()
