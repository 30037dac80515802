"""The decrypted, in-memory view of every operation a device knows. Lives only while unlocked.

Operations are immutable; the projection folds them. Notes (contacts) are ``create`` only. Mutable fields
(a client's name) merge per field, last writer wins by hybrid logical clock.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from ..domain.hlc import Stamp, may_win
from ..domain.vocab import Ernst
from ..views_model import ClientSummary, NoteView, RiskView


@dataclass
class _Client:
    id: str
    created_at: int
    fields: dict = field(default_factory=dict)
    stamps: dict = field(default_factory=dict)


@dataclass
class _Note:
    id: str
    client_id: str
    op_id: bytes
    origin: str
    fields: dict
    author: str


class Projection:
    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._clients: dict[str, _Client] = {}
        self._notes: dict[str, _Note] = {}
        self._unsent: set[bytes] = set()

    # -- folding -----------------------------------------------------------------------------------
    def apply(self, op: dict, *, op_id: bytes, origin: str, received_at: int) -> None:
        """Fold one operation in. Unknown types are ignored (a newer app version may write them)."""
        with self._lock:
            kind = op.get("kind")
            if op.get("type") == "client":
                self._apply_client(op, kind, received_at)
            elif op.get("type") == "contact" and kind == "create":
                rid = op["record_id"]
                if rid not in self._notes:
                    self._notes[rid] = _Note(rid, op["client_id"], op_id, origin, dict(op["fields"]),
                                             op.get("author_user", ""))

    def _apply_client(self, op: dict, kind: str, received_at: int) -> None:
        rid = op["record_id"]
        stamp = Stamp.from_wire(op["hlc"])
        client = self._clients.get(rid)
        if client is None:
            client = self._clients[rid] = _Client(rid, op["fields"].get("created_at", stamp.ms))
        if kind not in ("create", "set") or not may_win(stamp, received_at):
            return
        for name, value in op["fields"].items():
            if name not in client.stamps or stamp > client.stamps[name]:
                client.fields[name] = value
                client.stamps[name] = stamp

    def set_unsent(self, op_ids: set[bytes]) -> None:
        with self._lock:
            self._unsent = set(op_ids)

    # -- queries -------------------------------------------------------------------------------------
    def has_client(self, client_id: str) -> bool:
        return client_id in self._clients

    def _summary(self, client: _Client) -> ClientSummary:
        notes = [n for n in self._notes.values() if n.client_id == client.id]
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
            items = [self._summary(c) for c in self._clients.values()]
        return sorted(items, key=lambda c: (c.display_name.casefold(), c.id))

    def client(self, client_id: str) -> ClientSummary:
        with self._lock:
            return self._summary(self._clients[client_id])

    def timeline(self, client_id: str) -> list[NoteView]:
        with self._lock:
            if client_id not in self._clients:
                raise KeyError(client_id)
            out = []
            for n in self._notes.values():
                if n.client_id != client_id:
                    continue
                if n.origin == "remote":
                    state = "ontvangen"
                else:
                    state = "wachtend" if n.op_id in self._unsent else "verzonden"
                f = n.fields
                out.append(NoteView(
                    id=n.id, client_id=n.client_id, contact_type=f["contact_type"], outcome=f["outcome"],
                    occurred_at=f["occurred_at"], recorded_at=f["recorded_at"], report=f["report"],
                    risks=tuple(RiskView(r["domain"], r["severity"]) for r in f.get("risks", [])),
                    author=n.author, sync_state=state,
                ))
        return sorted(out, key=lambda v: (v.occurred_at, v.recorded_at, v.id), reverse=True)
