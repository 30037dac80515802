"""The decrypted, in-memory view of every operation a device knows. Lives only while unlocked.

Operations are immutable; the projection folds them into records. A *note* record (a contact, a
meldcode form, a case conference) is one ``create`` and never changes: corrections arrive as
``addendum`` operations pointing at it, and a note on the wrong client is ``retract``-ed with a reason
(its stub stays). Every other record merges per field, last writer wins by hybrid logical clock; a
remote clock more than 24 h ahead of its receipt may not win.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field

from ..domain.hlc import Stamp, may_win
from ..domain.records import NOTE_TYPES
from ..domain.vocab import Ernst
from ..views_model import ClientSummary, NoteView, RiskView


@dataclass(slots=True)
class Addendum:
    id: str
    text: str
    author: str
    at: int
    op_id: bytes
    origin: str


@dataclass(slots=True)  # no per-record __dict__: a device may hold 50,000 of them
class Record:
    id: str
    type: str
    client_id: str
    fields: dict = field(default_factory=dict)
    stamps: dict = field(default_factory=dict)
    created_at: int = 0
    author: str = ""
    op_id: bytes = b""
    origin: str = "remote"
    known: bool = False  # the create has been seen (a set may arrive first)
    addenda: list[Addendum] = field(default_factory=list)
    retracted: dict | None = None  # {reason, author, at}
    last_author: str = ""


class Projection:
    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._records: dict[str, Record] = {}
        # indexes (a record's type and client never change): client -> type -> id -> record; type -> ...
        self._by_client: dict[str, dict[str, dict[str, Record]]] = {}
        self._by_type: dict[str, dict[str, Record]] = {}
        self._orphans: dict[str, list[tuple[dict, bytes, str]]] = {}  # addenda/retracts before their record
        self._unsent: set[bytes] = set()

    # -- folding -----------------------------------------------------------------------------------
    def apply(self, op: dict, *, op_id: bytes, origin: str, received_at: int) -> None:
        """Fold one operation in. Unknown kinds are ignored (a newer app version may write them)."""
        with self._lock:
            try:
                stamp = Stamp.from_wire(op["hlc"])
                kind, rid, rtype = op["kind"], op["record_id"], op["type"]
            except (KeyError, TypeError, ValueError):
                return
            if kind in ("create", "set"):
                self._apply_write(op, kind, rid, rtype, stamp, op_id, origin, received_at)
            elif kind in ("addendum", "retract"):
                target = op.get("fields", {}).get("original") if kind == "addendum" else rid
                rec = self._records.get(target)
                if rec is None or not rec.known:
                    self._orphans.setdefault(target, []).append((op, op_id, origin))
                else:
                    self._attach(rec, op, kind, stamp, op_id, origin)

    def _apply_write(self, op, kind, rid, rtype, stamp, op_id, origin, received_at) -> None:
        rec = self._records.get(rid)
        if rec is None:
            rec = self._records[rid] = Record(rid, rtype, op.get("client_id", rid))
            self._by_client.setdefault(rec.client_id, {}).setdefault(rtype, {})[rid] = rec
            self._by_type.setdefault(rtype, {})[rid] = rec
        if rec.type != rtype:
            return  # an id reused for another type: ignore the stranger
        author = op.get("author_user", "")
        if kind == "create" and not rec.known:
            rec.known = True
            rec.created_at = op.get("fields", {}).get("created_at", stamp.ms)
            rec.author, rec.op_id, rec.origin = author, op_id, origin
        elif kind == "create" and rtype in NOTE_TYPES:
            return  # a note is created once; a second create (same deterministic id) changes nothing
        if rtype in NOTE_TYPES and kind == "set":
            return  # notes never change
        if not may_win(stamp, received_at):
            return
        for name, value in op.get("fields", {}).items():
            name = sys.intern(name)  # one copy of each field name, not one per record
            if name not in rec.stamps or stamp > rec.stamps[name]:
                rec.fields[name] = value
                rec.stamps[name] = stamp
                rec.last_author = author
        for orphan, o_id, o_origin in self._orphans.pop(rid, []):
            self._attach(rec, orphan, orphan["kind"], Stamp.from_wire(orphan["hlc"]), o_id, o_origin)

    def _attach(self, rec: Record, op: dict, kind: str, stamp: Stamp, op_id: bytes, origin: str) -> None:
        author = op.get("author_user", "")
        if kind == "addendum":
            if any(a.id == op["record_id"] for a in rec.addenda):
                return
            rec.addenda.append(Addendum(op["record_id"], op["fields"].get("text", ""), author, stamp.ms,
                                        op_id, origin))
            rec.addenda.sort(key=lambda a: (a.at, a.id))
        elif rec.retracted is None:
            rec.retracted = {"reason": op["fields"].get("reason", ""), "author": author, "at": stamp.ms}

    def set_unsent(self, op_ids: set[bytes]) -> None:
        with self._lock:
            self._unsent = set(op_ids)

    def add_unsent(self, op_id: bytes) -> None:
        with self._lock:
            self._unsent.add(op_id)

    def discard_unsent(self, op_ids: Iterable[bytes]) -> None:
        with self._lock:
            self._unsent.difference_update(op_ids)

    # -- generic queries ---------------------------------------------------------------------------
    def record(self, record_id: str) -> Record | None:
        with self._lock:
            rec = self._records.get(record_id)
            return rec if rec is not None and rec.known else None

    def records(self, client_id: str | None = None, rtype: str | None = None,
                include_retracted: bool = False) -> list[Record]:
        with self._lock:
            if client_id is not None:
                types = self._by_client.get(client_id, {})
                pool = [r for bucket in ([types.get(rtype, {})] if rtype is not None else types.values())
                        for r in bucket.values()]
            else:
                pool = self._by_type.get(rtype, {}).values() if rtype is not None else self._records.values()
            return [r for r in pool if r.known and (include_retracted or r.retracted is None)]

    def sync_state(self, op_id: bytes, origin: str) -> str:
        if origin == "remote":
            return "ontvangen"
        return "wachtend" if op_id in self._unsent else "verzonden"

    def clients(self) -> Iterable[Record]:
        return self.records(rtype="client")

    # -- the skeleton's queries (kept stable for the views) -------------------------------------------
    def has_client(self, client_id: str) -> bool:
        return self.record(client_id) is not None and self._records[client_id].type == "client"

    def _summary(self, client: Record) -> ClientSummary:
        notes = self.records(client.id, "contact")
        last = max((n.fields["occurred_at"] for n in notes), default=None)
        severities = [r["severity"] for n in notes for r in n.fields.get("risks", [])]
        highest = max(severities, key=lambda s: Ernst(s).rank, default=None)
        return ClientSummary(
            id=client.id,
            display_name=client.fields.get("display_name", "?"),
            created_at=client.created_at,
            last_contact_at=last,
            contact_count=len(notes),
            highest_risk=highest,
            fictional=bool(client.fields.get("fictional", False)),
        )

    def caseload(self) -> list[ClientSummary]:
        with self._lock:
            items = [self._summary(c) for c in self.clients()]
        return sorted(items, key=lambda c: (c.display_name.casefold(), c.id))

    def client(self, client_id: str) -> ClientSummary:
        with self._lock:
            if not self.has_client(client_id):
                raise KeyError(client_id)
            return self._summary(self._records[client_id])

    def timeline(self, client_id: str) -> list[NoteView]:
        with self._lock:
            if not self.has_client(client_id):
                raise KeyError(client_id)
            out = []
            for n in self.records(client_id, "contact"):
                f = n.fields
                out.append(NoteView(
                    id=n.id, client_id=n.client_id, contact_type=f["contact_type"], outcome=f["outcome"],
                    occurred_at=f["occurred_at"], recorded_at=f["recorded_at"], report=f.get("report", ""),
                    risks=tuple(RiskView(r["domain"], r["severity"]) for r in f.get("risks", [])),
                    author=n.author, sync_state=self.sync_state(n.op_id, n.origin),
                ))
        return sorted(out, key=lambda v: (v.occurred_at, v.recorded_at, v.id), reverse=True)
