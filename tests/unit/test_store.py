"""The device database: sealed rows only, numbered migrations, outbox in the same transaction."""

import os

import pytest

from field_app.crypto.vault import VaultError
from field_app.store import LocalStore, Projection
from field_app.store.migrations import MIGRATIONS

TEXT = "Geheime-notitie-42: cliënt drinkt weer"


@pytest.fixture
def store(tmp_path):
    s = LocalStore(tmp_path)
    s.set_local_key(os.urandom(32))
    yield s
    s.close()


def _op(report=TEXT):
    return {"type": "contact", "record_id": "r1", "client_id": "c1", "kind": "create",
            "fields": {"report": report, "occurred_at": 1, "recorded_at": 2, "contact_type": "KANTOOR",
                       "outcome": "PLAATSGEVONDEN", "risks": []},
            "hlc": [1, 0, "d"], "author_user": "Lotte"}


def test_migrations_run_once_and_are_numbered(tmp_path):
    s = LocalStore(tmp_path)
    assert s.schema_version == MIGRATIONS[-1][0]
    s.close()
    s = LocalStore(tmp_path)  # reopening applies nothing twice
    assert s.db.execute("SELECT COUNT(*) FROM schema_version").fetchone()[0] == len(MIGRATIONS)
    s.close()


def test_ops_are_sealed_and_read_back(store, tmp_path):
    store.add_op(b"o" * 16, _op(), origin="local")
    assert [op for *_, op in store.iter_ops()][0]["fields"]["report"] == TEXT
    store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    for path in tmp_path.iterdir():
        assert TEXT.encode() not in path.read_bytes()
        assert "drinkt".encode("utf-16-le") not in path.read_bytes()


def test_add_op_is_idempotent(store):
    assert store.add_op(b"o" * 16, _op(), origin="local")
    assert not store.add_op(b"o" * 16, _op("anders"), origin="local")
    assert len(list(store.iter_ops())) == 1


def test_failed_transaction_leaves_neither_op_nor_outbox(store):
    with pytest.raises(RuntimeError), store.transaction():
        store.add_op(b"x" * 16, _op(), origin="local")
        store.outbox_add(b"x" * 16, waiting_op=_op())
        raise RuntimeError("crash between the two writes")
    assert list(store.iter_ops()) == [] and store.outbox_count() == 0


def test_outbox_keeps_order_and_stops_at_waiting(store):
    store.outbox_add(b"a" * 16, envelope=b"env-a")
    store.outbox_add(b"b" * 16, waiting_op=_op())
    store.outbox_add(b"c" * 16, envelope=b"env-c")
    assert store.outbox_ready(10) == [(b"a" * 16, b"env-a")]
    store.outbox_set_envelope(b"b" * 16, b"env-b")
    assert [e for _, e in store.outbox_ready(10)] == [b"env-a", b"env-b", b"env-c"]


def test_wrong_local_key_opens_nothing(tmp_path):
    s = LocalStore(tmp_path)
    s.set_local_key(os.urandom(32))
    s.put_secret("profile", {"user_name": "Lotte"})
    s.set_local_key(os.urandom(32))
    with pytest.raises(VaultError):
        s.get_secret("profile")
    s.close()


def test_drafts_are_sealed_and_slot_names_hidden(store, tmp_path):
    store.draft_put("contact:client-xyz", {"report": TEXT})
    assert store.draft_get("contact:client-xyz") == {"report": TEXT}
    slots = [r[0] for r in store.db.execute("SELECT slot FROM drafts").fetchall()]
    assert slots and "client-xyz" not in slots[0]
    store.draft_delete("contact:client-xyz")
    assert store.draft_get("contact:client-xyz") is None


def test_a_draft_copied_into_another_slot_does_not_open_there(store):
    """Found by an attack on the stores: two clients' drafts swapped in the file gave each client's form
    the other's half-typed report (saving would have filed it on the wrong client). Drafts are bound to
    their slot now; a damaged one is gone rather than an error; one sealed before the binding opens once
    and is sealed again, bound."""
    store.draft_put("contact:a", {"client_id": "a", "report": "Voor A (fictief)"})
    store.draft_put("contact:b", {"client_id": "b", "report": "Voor B (fictief)"})
    blobs = dict(store.db.execute("SELECT slot, blob FROM drafts").fetchall())
    slot_a, slot_b = store._slot("contact:a"), store._slot("contact:b")
    blob_a, blob_b = blobs[slot_a], blobs[slot_b]
    store.db.execute("UPDATE drafts SET blob = ? WHERE slot = ?", [blob_b, slot_a])
    store.db.execute("UPDATE drafts SET blob = ? WHERE slot = ?", [blob_a, slot_b])
    assert store.draft_get("contact:a") is None and store.draft_get("contact:b") is None
    damaged = bytearray(blob_a)
    damaged[20] ^= 1
    store.db.execute("UPDATE drafts SET blob = ? WHERE slot = ?", [bytes(damaged), slot_a])
    assert store.draft_get("contact:a") is None
    legacy = store.seal("draft", {"client_id": "a", "report": "Van voor de binding (fictief)"})
    store.db.execute("UPDATE drafts SET blob = ? WHERE slot = ?", [legacy, slot_a])
    assert store.draft_get("contact:a") == {"client_id": "a", "report": "Van voor de binding (fictief)"}
    rebound = store.db.execute("SELECT blob FROM drafts WHERE slot = ?", [slot_a]).fetchone()[0]
    assert rebound != legacy
    store.db.execute("UPDATE drafts SET blob = ? WHERE slot = ?", [rebound, slot_b])
    assert store.draft_get("contact:b") is None


def test_no_clear_column_can_hold_text(store):
    """Every TEXT column is a fixed label, a code, an HMAC or a number — never free text from the user."""
    allowed_text = {("meta", "key"), ("meta", "value"), ("keyring", "name"), ("ops", "origin"),
                    ("pending", "reason"), ("rejected", "reason"), ("ledger", "entry"), ("state", "key"), ("state", "value"),
                    ("drafts", "slot")}
    for table in store.db.table_names():
        for col in store.db[table].columns:
            if col.type.upper() == "TEXT":
                assert (table, col.name) in allowed_text, (table, col.name)


def test_projection_folds_and_orders_timeline():
    p = Projection()
    p.apply({"type": "client", "record_id": "c1", "client_id": "c1", "kind": "create",
             "fields": {"display_name": "A", "created_at": 5}, "hlc": [5, 0, "d"]},
            op_id=b"1", origin="local", received_at=10)
    for i, when in enumerate([100, 300, 200]):
        op = _op(f"note {i}")
        op["record_id"] = f"r{i}"
        op["fields"]["occurred_at"] = when
        p.apply(op, op_id=bytes([i]), origin="remote", received_at=10)
    assert [n.report for n in p.timeline("c1")] == ["note 1", "note 2", "note 0"]
    p.apply({"type": "client", "record_id": "c1", "client_id": "c1", "kind": "set",
             "fields": {"display_name": "B"}, "hlc": [4, 0, "d"]}, op_id=b"9", origin="remote", received_at=10)
    assert p.client("c1").display_name == "A"  # older write loses
    p.apply({"type": "client", "record_id": "c1", "client_id": "c1", "kind": "set",
             "fields": {"display_name": "C"}, "hlc": [6, 0, "d"]}, op_id=b"8", origin="remote", received_at=10)
    assert p.client("c1").display_name == "C"
