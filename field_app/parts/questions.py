"""Questions asked after a save that must survive a crash (``domain.questions``): kept sealed in the
device's own store (a draft slot: never synced), asked again after a restart until answered or declined.
The answered ones stay listed (the newest :data:`KEEP`) so the device can show what became of them."""

from __future__ import annotations

from typing import Any

from ..core.device import Device
from ..crypto.canonical import b64e
from ..crypto.identity import new_id
from ..domain.errors import ValidationError
from ..domain.questions import OUTCOMES

__all__ = ["Questions", "ask", "SLOT", "KEEP"]

SLOT = "questions"
KEEP = 100  # answered questions kept for the record (the open ones always)


def _items(device: Device) -> list[dict]:
    data = device.store.draft_get(SLOT) or {}
    return [q for q in data.get("items", []) if isinstance(q, dict)]


def _put(device: Device, items: list[dict]) -> None:
    open_ = [q for q in items if q.get("status") == "open"]
    closed = [q for q in items if q.get("status") != "open"][-KEEP:]
    device.store.draft_put(SLOT, {"items": [*closed, *open_]})


def ask(device: Device, kind: str, client_id: str, record_id: str) -> str:
    """Store an open question about a record (call inside the record's transaction). Returns its id."""
    qid = b64e(new_id())
    _put(device, [*_items(device), {"id": qid, "kind": kind, "client_id": client_id, "record_id": record_id,
                                   "asked_at": device.clock(), "status": "open"}])
    return qid


class Questions:
    def __init__(self, device: Device):
        self.device = device

    def pending_questions(self) -> list[dict[str, Any]]:
        """Questions asked after a save and not answered yet, oldest first:
        ``[{id, kind, client_id, record_id, asked_at, status}]`` (``kind`` "escalate")."""
        self.device.require_unlocked()
        return [dict(q) for q in _items(self.device) if q.get("status") == "open"]

    def answer_question(self, question_id: str, outcome: str) -> None:
        """Record what became of a question: ``answered`` (a flag confirmed or made, the meldcode opened) or
        ``declined`` ("Nu niet"). It is not asked again."""
        self.device.require_unlocked()
        if outcome not in OUTCOMES:
            raise ValidationError({"outcome": "Onbekend antwoord."})
        items = _items(self.device)
        for q in items:
            if q.get("id") == question_id and q.get("status") == "open":
                q["status"], q["answered_at"] = outcome, self.device.clock()
        _put(self.device, items)

    def question_history(self) -> list[dict[str, Any]]:
        """Every kept question, open and answered, oldest first."""
        self.device.require_unlocked()
        return [dict(q) for q in _items(self.device)]
