"""Concurrent field writes: the projection keeps each field's frontier and shows a conflict, the same in any
order of arrival (store/frontier.py)."""

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from field_app.store import Projection
from field_app.store.frontier import fold, in_conflict, supersedes

NOW = 10_000


def _op(kind, stamp, fields, base=None, author="Lotte", rtype="condition", rid="k1"):
    op = {"type": rtype, "record_id": rid, "client_id": "c1", "kind": kind, "fields": fields,
          "hlc": list(stamp), "author_user": author}
    if base is not None:
        op["base"] = {name: list(b) for name, b in base.items()}
    return op


def _fold_all(ops):
    p = Projection()
    for i, op in enumerate(ops):
        p.apply(op, op_id=bytes([i]) * 16, origin="remote", received_at=NOW)
    return p


def _state(p, rid="k1"):
    rec = p.record(rid)
    conflicts = {name: sorted((e[0], e[1], e[2], repr(e[4]), e[5]) for e in v)
                 for name, v in p.conflicts(rec).items()}
    return dict(rec.fields), {k: s.to_wire() for k, s in rec.stamps.items()}, conflicts


CREATE = _op("create", (1, 0, "a"), {"status": "ACTIEF", "note": ""}, base={})
A_SET = _op("set", (5, 0, "a"), {"status": "NAGELEEFD"}, base={"status": (1, 0, "a")}, author="Lotte")
B_SET = _op("set", (4, 0, "b"), {"status": "OVERTREDEN"}, base={"status": (1, 0, "a")}, author="Fatima")
C_SET = _op("set", (6, 0, "c"), {"status": "OVERTREDEN", "note": "gezien"},
            base={"status": (4, 0, "b"), "note": (1, 0, "a")},
            author="Sanne")  # saw B's change, not A's


def test_every_order_of_four_writes_gives_the_same_winner_and_conflict():
    results = {repr(_state(_fold_all(order))) for order in itertools.permutations([CREATE, A_SET, B_SET, C_SET])}
    assert len(results) == 1
    fields, stamps, conflicts = _state(_fold_all([CREATE, A_SET, B_SET, C_SET]))
    assert fields == {"status": "OVERTREDEN", "note": "gezien"} and stamps["status"] == [6, 0, "c"]
    # B was superseded by C (its author saw it); A and C were written without seeing each other
    assert conflicts == {"status": [(5, 0, "a", "'NAGELEEFD'", "Lotte"), (6, 0, "c", "'OVERTREDEN'", "Sanne")]}


def test_duplicates_and_redelivery_change_nothing():
    once = _state(_fold_all([CREATE, A_SET, B_SET, C_SET]))
    assert _state(_fold_all([C_SET, A_SET, CREATE, B_SET, A_SET, C_SET, CREATE])) == once


def test_a_pick_supersedes_every_value_in_any_order():
    pick = _op("set", (7, 0, "b"), {"status": "NAGELEEFD"}, base={"status": (6, 0, "c")}, author="Fatima")
    results = {repr(_state(_fold_all(order)))
               for order in itertools.permutations([CREATE, A_SET, B_SET, C_SET, pick])}
    assert len(results) == 1
    fields, _stamps, conflicts = _state(_fold_all([CREATE, A_SET, B_SET, C_SET, pick]))
    assert fields["status"] == "NAGELEEFD" and conflicts == {}


def test_the_same_value_written_twice_is_no_conflict():
    b_same = _op("set", (4, 0, "b"), {"status": "NAGELEEFD"}, base={"status": (1, 0, "a")})
    p = _fold_all([CREATE, A_SET, b_same])
    assert p.conflicts(p.record("k1")) == {} and p.conflicted() == []


def test_a_change_on_top_of_what_was_seen_is_no_conflict():
    later = _op("set", (8, 0, "b"), {"status": "OVERTREDEN"}, base={"status": (5, 0, "a")})
    for order in itertools.permutations([CREATE, A_SET, later]):
        p = _fold_all(order)
        assert p.record("k1").fields["status"] == "OVERTREDEN" and p.conflicts(p.record("k1")) == {}


def test_operations_without_base_merge_last_writer_wins_without_conflict():
    old = [_op("create", (1, 0, "a"), {"status": "ACTIEF"}), _op("set", (5, 0, "a"), {"status": "NAGELEEFD"}),
           _op("set", (4, 0, "b"), {"status": "OVERTREDEN"})]
    for order in itertools.permutations(old):
        p = _fold_all(order)
        assert p.record("k1").fields["status"] == "NAGELEEFD" and p.conflicted() == []


def test_two_creates_of_one_record_merge_without_conflict_but_a_lost_change_shows():
    a = _op("create", (1, 0, "a"), {"status": "OPEN", "raised_at": 1}, base={}, rtype="flag", rid="f1")
    b = _op("create", (3, 0, "b"), {"status": "OPEN", "raised_at": 3}, base={}, rtype="flag", rid="f1")
    p = _fold_all([a, b])
    assert p.conflicted() == []  # an automatic flag raised offline on two devices: merged as before
    ack = _op("set", (2, 0, "a"), {"status": "IN_BEHANDELING"}, base={"status": (1, 0, "a")}, rtype="flag",
              rid="f1")
    for order in itertools.permutations([a, b, ack]):
        p = _fold_all(order)
        rec = p.record("f1")
        # b's create wins by stamp, but a's change was made without seeing it: shown, not silently lost
        assert rec.fields["status"] == "OPEN"
        assert [e[4] for e in p.conflicts(rec)["status"]] == ["IN_BEHANDELING", "OPEN"]
        assert [r.id for r in p.conflicted()] == ["f1"]


def test_records_written_once_keep_no_frontier_and_notes_never_do():
    p = _fold_all([CREATE, _op("create", (2, 0, "a"), {"report": "x"}, base={}, rtype="contact", rid="n1")])
    assert p.record("k1").frontier is None and p.record("n1").frontier is None
    assert p.base_for("k1", "condition", ["status", "other"]) == {"status": [1, 0, "a"]}
    assert p.base_for("nieuw", "condition", ["status"]) == {}
    assert p.base_for("n1", "contact", ["report"]) is None


def test_supersedes_is_transitive_so_pruning_is_order_free():
    def e(stamp, base):
        return [*stamp, base, "v", "x", "set"]
    w1, w2, w3 = e((1, 0, "a"), None), e((3, 0, "b"), [1, 0, "a"]), e((4, 0, "c"), [3, 0, "b"])
    assert supersedes(w2, w1) and supersedes(w3, w2) and supersedes(w3, w1)
    assert fold([w3], w1) is None  # w1 arrives last: already superseded through w2
    assert not in_conflict(fold([w1], e((2, 0, "d"), None)) and [w1])


def test_a_base_not_before_its_own_stamp_is_read_as_last_writer_wins():
    # no honest device writes this; read as plain last-writer-wins it cannot break the order-free pruning
    odd = _op("set", (5, 0, "x"), {"status": "OVERTREDEN"}, base={"status": (9, 0, "z")})
    later = _op("set", (7, 0, "b"), {"status": "NAGELEEFD"}, base={"status": (1, 0, "a")})
    results = {repr(_state(_fold_all(order))) for order in itertools.permutations([CREATE, odd, later])}
    assert len(results) == 1
    fields, _stamps, conflicts = _state(_fold_all([CREATE, odd, later]))
    assert fields["status"] == "NAGELEEFD" and conflicts == {}  # like an operation without base


def test_the_kept_frontier_is_the_same_plain_data_in_any_order_with_or_without_base():
    old_create = _op("create", (1, 0, "a"), {"status": "ACTIEF", "note": ""})
    old_set = _op("set", (3, 0, "b"), {"status": "NAGELEEFD"})
    new_set = _op("set", (4, 0, "c"), {"status": "OVERTREDEN"}, base={"status": (1, 0, "a")})
    for ops in ([CREATE, A_SET, B_SET, C_SET], [old_create, old_set, new_set]):
        frontiers = {repr(_fold_all(order).record("k1").frontier) for order in itertools.permutations(ops)}
        assert len(frontiers) == 1, frontiers


def test_notes_never_keep_a_frontier_even_without_base():
    note = _op("create", (2, 0, "a"), {"report": "x", "occurred_at": 1}, rtype="contact", rid="n1")
    again = _op("create", (5, 0, "b"), {"report": "y", "occurred_at": 1}, rtype="contact", rid="n1")
    p = _fold_all([note, again])
    assert p.record("n1").frontier is None and p.record("n1").fields["report"] == "x"


# -- property: random histories of one field on several devices, delivered in any order with duplicates


@st.composite
def _history(draw):
    """Up to 7 writes of one field by 3 devices; each write's base is a stamp its device had seen (its own
    earlier writes, or any write from before it), so base < stamp as on real devices."""
    ops = [CREATE]
    seen_by = {"a": [(1, 0, "a")], "b": [], "c": []}
    for i in range(draw(st.integers(1, 6))):
        dev = draw(st.sampled_from("abc"))
        stamp = (10 + i, 0, dev)
        pool = seen_by[dev] + [(o["hlc"][0], o["hlc"][1], o["hlc"][2]) for o in ops if draw(st.booleans())]
        base = max(pool) if pool else None
        value = draw(st.sampled_from(["ACTIEF", "NAGELEEFD", "OVERTREDEN"]))
        ops.append(_op("set", stamp, {"status": value}, base={"status": base} if base else {}, author=dev))
        seen_by[dev].append(stamp)
    order = draw(st.permutations(ops + draw(st.lists(st.sampled_from(ops), max_size=3))))
    return ops, order


@settings(derandomize=True, max_examples=150, deadline=None)
@given(_history())
def test_any_history_folds_to_the_same_frontier_in_any_order(history):
    ops, order = history
    once, shuffled = _fold_all(ops), _fold_all(order)
    assert repr(shuffled.record("k1").frontier) == repr(once.record("k1").frontier)
    assert _state(shuffled) == _state(once)
    winner = max(ops, key=lambda o: tuple(o["hlc"]))
    assert once.record("k1").fields["status"] == winner["fields"]["status"]  # last writer wins, as before
