"""The decrypted, in-memory view of every operation a device knows. Lives only while unlocked.

Operations are immutable; the projection folds them into records. A *note* record (a contact, a
meldcode form, a case conference) is one ``create`` and never changes: corrections arrive as
``addendum`` operations pointing at it, and a note on the wrong client is ``retract``-ed with a reason
(its stub stays). Every other record merges per field, last writer wins by hybrid logical clock; a
remote clock more than 24 h ahead of its receipt may not win. The fold does not depend on the order
operations arrive in (tests/unit/test_convergence.py): ``last_author`` is the newest write's author, and
of two retractions of one note the earliest wins.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field

from ..domain.hlc import Stamp, may_win
from ..domain.indicators import met_the_person
from ..domain.records import NOTE_TYPES
from ..domain.vocab import Ernst
from ..views_model import ClientSummary, NoteView, RiskView
from . import frontier as fr

_SHORT = 64  # short strings an operation carries (ids, names, codes) are shared: one copy, not one per record


def _shared(x):
    """One copy of a short string (a client id, an author, a code such as "TELEFONISCH") for every record that
    holds it: 50,000 notes held eight copies each (24 MB). The snapshot's reader shares the same ones."""
    return sys.intern(x) if type(x) is str and len(x) <= _SHORT else x


def _stamp(hlc) -> Stamp:
    """``Stamp.from_wire`` with the device id shared."""
    if type(hlc) is list and len(hlc) == 3 and type(hlc[0]) is int and type(hlc[1]) is int and type(hlc[2]) is str:
        return Stamp(hlc[0], hlc[1], sys.intern(hlc[2]))
    return Stamp.from_wire(hlc)  # refuses a bad one


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
    # field -> concurrent writes (``store.frontier``), only for fields written more than once; None for most
    frontier: dict | None = None


class Projection:
    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._records: dict[str, Record] = {}
        # indexes (a record's type and client never change): client -> type -> id -> record; type -> ...
        self._by_client: dict[str, dict[str, dict[str, Record]]] = {}
        self._by_type: dict[str, dict[str, Record]] = {}
        self._orphans: dict[str, list[tuple[dict, bytes, str]]] = {}  # addenda/retracts before their record
        self._unsent: set[bytes] = set()
        self._unsealed: set[bytes] = set()  # in the outbox, waiting for a team key (#11)
        self._unconfirmed: set[bytes] = set()  # left the outbox without a server seq yet (#11)

    # -- folding -----------------------------------------------------------------------------------
    def apply(self, op: dict, *, op_id: bytes, origin: str, received_at: int) -> None:
        """Fold one operation in. Unknown kinds are ignored (a newer app version may write them)."""
        with self._lock:
            try:
                stamp = _stamp(op["hlc"])
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
        intern = sys.intern
        if rec is None:
            rec = self._records[rid] = Record(rid, _shared(rtype), _shared(op.get("client_id", rid)))
            self._by_client.setdefault(rec.client_id, {}).setdefault(rtype, {})[rid] = rec
            self._by_type.setdefault(rtype, {})[rid] = rec
        if rec.type != rtype:
            return  # an id reused for another type: ignore the stranger
        author = op.get("author_user", "")
        if type(author) is str and len(author) <= _SHORT:
            author = intern(author)
        first_create = kind == "create" and not rec.known
        if first_create:
            rec.known = True
            rec.created_at = op.get("fields", {}).get("created_at", stamp.ms)
            rec.author, rec.op_id, rec.origin = author, op_id, _shared(origin)
        if rec.known and rid in self._orphans:
            # addenda and retractions that came before their record, taken by any write once the record is
            # known (whatever comes after: a far-future clock, a note's second create); attaching is idempotent,
            # so a snapshot whose orphans are older than its records folds to the same state (core/snapshots.py)
            for orphan, o_id, o_origin in self._orphans.pop(rid):
                self._attach(rec, orphan, orphan["kind"], _stamp(orphan["hlc"]), o_id, o_origin)
        if kind == "create" and not first_create and rtype in NOTE_TYPES:
            return  # a note is created once; a second create (same deterministic id) changes nothing
        if rtype in NOTE_TYPES and kind == "set":
            return  # notes never change
        if not may_win(stamp, received_at):
            return
        fields = op.get("fields", {})
        if first_create and rtype in NOTE_TYPES and not rec.stamps and type(fields) is dict:
            # a note's create (the only write a note takes): every field is its, in one go; the general loop
            # below, with its short strings shared, made a full fold 0.2 s slower at 50,000 notes
            rec.fields = {intern(n): intern(v) if type(v) is str and len(v) <= _SHORT else v
                          for n, v in fields.items()}
            rec.stamps = dict.fromkeys(rec.fields, stamp)
            if fields:
                rec.last_author = author
            return
        won = 0
        track = rtype not in NOTE_TYPES  # a note never changes, so it never has concurrent writes
        base = fr.parse_base(op) if track else None
        for name, value in fields.items():
            name = intern(name)  # one copy of each field name, not one per record
            if type(value) is str and len(value) <= _SHORT:
                value = intern(value)
            # the first create's values stay implicit (fields/stamps) when nothing was seen before them; an
            # operation without base is kept explicitly (its base reads differently), so the folded frontier
            # is the same whatever the order of arrival
            if track and not (first_create and name not in rec.stamps and base is not None and name not in base):
                self._fold(rec, name, fr.entry((stamp.ms, stamp.counter, stamp.device),
                                               fr.base_of(base, name, stamp), value, author, kind))
            if name not in rec.stamps or stamp > rec.stamps[name]:
                rec.fields[name] = value
                rec.stamps[name] = stamp
                won += 1
        # the author of the newest write, whatever the order ops arrive in (a write that set every field
        # there is, as a record's first create does, is the newest without comparing)
        if won and (won == len(rec.stamps) or stamp >= max(rec.stamps.values())):
            rec.last_author = author

    def _fold(self, rec: Record, name: str, new: list) -> None:
        """Fold one write of a field into its frontier. A field written only by its record's first create
        keeps no frontier: that create (base: none seen) is implied by ``fields``/``stamps``."""
        current = rec.frontier.get(name) if rec.frontier else None
        if current is None:
            current = []
            if name in rec.stamps:
                s = rec.stamps[name]
                current.append(fr.entry((s.ms, s.counter, s.device), None, rec.fields[name], rec.author, "create"))
        folded = fr.fold(current, new)
        if folded is None:
            return  # a duplicate, or a write its frontier had seen already: nothing changes
        if rec.frontier is None:
            rec.frontier = {}
        rec.frontier[name] = folded

    def conflicts(self, rec: Record) -> dict[str, list[list]]:
        """Field -> its writes in conflict (oldest first), for one record; {} for nearly every record."""
        with self._lock:
            if not rec.frontier:
                return {}
            return {name: [list(e) for e in v] for name, v in rec.frontier.items() if fr.in_conflict(v)}

    def conflicted(self) -> list[Record]:
        """Every known, live record with a field in conflict: a scan of the mutable records (notes, most of a
        device, never conflict); no index of its own, so a projection restored from a snapshot of its records
        answers the same."""
        with self._lock:
            return [r for rtype, bucket in self._by_type.items() if rtype not in NOTE_TYPES
                    for r in bucket.values() if r.frontier and r.known and r.retracted is None
                    and any(fr.in_conflict(v) for v in r.frontier.values())]

    def base_for(self, record_id: str, rtype: str, names: Iterable[str]) -> dict | None:
        """The ``base`` a new create or set of these fields carries: per field, the stamp of the value this
        device holds now (a field it holds none of is left out). None for notes and other non-records."""
        if rtype in NOTE_TYPES:
            return None
        with self._lock:
            rec = self._records.get(record_id)
            if rec is None or rec.type != rtype:
                return {}
            return {n: rec.stamps[n].to_wire() for n in names if n in rec.stamps}

    def _attach(self, rec: Record, op: dict, kind: str, stamp: Stamp, op_id: bytes, origin: str) -> None:
        author = _shared(op.get("author_user", ""))
        if kind == "addendum":
            if any(a.id == op["record_id"] for a in rec.addenda):
                return
            rec.addenda.append(Addendum(op["record_id"], op["fields"].get("text", ""), author, stamp.ms,
                                        op_id, _shared(origin)))
            rec.addenda.sort(key=lambda a: (a.at, a.id))
        else:  # two devices may retract the same note: the earliest retraction wins on every device
            mine = {"reason": op["fields"].get("reason", ""), "author": author, "at": stamp.ms}
            old = rec.retracted
            if old is None or (mine["at"], mine["author"], mine["reason"]) < (old["at"], old["author"], old["reason"]):
                rec.retracted = mine

    def set_unsent(self, op_ids: set[bytes]) -> None:
        with self._lock:
            self._unsent = set(op_ids)

    def add_unsent(self, op_id: bytes, *, unsealed: bool = False) -> None:
        with self._lock:
            self._unsent.add(op_id)
            if unsealed:
                self._unsealed.add(op_id)

    def set_delivery(self, unsealed: set[bytes], unconfirmed: set[bytes]) -> None:
        """Which unsent operations wait for a team key, and which sent ones the server has not confirmed."""
        with self._lock:
            self._unsealed, self._unconfirmed = set(unsealed), set(unconfirmed)

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

    def unconfirmed(self, op_id: bytes) -> bool:
        return op_id in self._unconfirmed

    def sync_state(self, op_id: bytes, origin: str) -> str:
        """"ontvangen" (from another device) | "wachtend" (on this device only, sealed, to be sent) |
        "wacht_op_sleutel" (on this device only, waiting for a team key) | "afgeleverd" (delivered, the
        server has not confirmed it with a seq yet) | "verzonden" (on the server, confirmed: it has a seq)."""
        if origin == "remote":
            return "ontvangen"
        if op_id in self._unsent:
            return "wacht_op_sleutel" if op_id in self._unsealed else "wachtend"
        return "afgeleverd" if op_id in self._unconfirmed else "verzonden"

    def clients(self) -> Iterable[Record]:
        return self.records(rtype="client")

    # -- the skeleton's queries (kept stable for the views) -------------------------------------------
    def has_client(self, client_id: str) -> bool:
        return self.record(client_id) is not None and self._records[client_id].type == "client"

    def _summary(self, client: Record) -> ClientSummary:
        notes = self.records(client.id, "contact")
        # the last time the worker met or spoke to the person, as the caseload card and the contact rules
        # count it (a no-show or a network meeting is not a contact with the client: the file's header
        # said "vandaag" beside "Contact 7 dagen te laat", found in the browser)
        last = max((n.fields["occurred_at"] for n in notes if met_the_person(n.fields)), default=None)
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

    # -- the sealed snapshot (store/snapshot.py): what is not rebuilt from the records --------------------
    def snapshot_state(self) -> dict:
        """The state besides the records (called under the lock); subclasses add theirs."""
        return {"orphans": self._orphans}

    def restore_state(self, records: list[Record], state: dict) -> None:
        """Take over records and state read from a snapshot (a fresh projection only); indexes rebuilt."""
        with self._lock:
            for rec in records:
                self._records[rec.id] = rec
                self._by_client.setdefault(rec.client_id, {}).setdefault(rec.type, {})[rec.id] = rec
                self._by_type.setdefault(rec.type, {})[rec.id] = rec
            self._orphans = state["orphans"]

    @property
    def lock(self) -> threading.RLock:
        """Held while folding; hold it to read a consistent state (the snapshot)."""
        return self._lock

    @staticmethod
    def unchanging(rec: Record) -> tuple[str, ...]:
        """Slots of a record that no later operation changes, holding only what its create carried: a known
        note's fields (the fold ignores sets and second creates of notes). The snapshot packs them after the
        lock is released without copying them."""
        return ("fields",) if rec.known and rec.type in NOTE_TYPES else ()

    def all_records(self) -> list[Record]:
        """Every record object, also those not yet created or retracted (for the snapshot; under the lock)."""
        return list(self._records.values())
