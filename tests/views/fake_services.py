"""An in-memory stand-in with the interface of ``field_app.services.Services``, for fast view tests of
states that are awkward to reach with a real device (online, sent, errors). The unlock, caseload and
contact-form behaviour is also tested against the real Services (see ``conftest.py``)."""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Callable, Sequence

from field_app.app_api import LockedError
from field_app.crypto.vault import WrongPassphrase
from field_app.domain.errors import ValidationError
from field_app.domain.validation import check_contact, clean_display_name
from field_app.domain.vocab import Ernst
from field_app.views_model import ClientSummary, NoteView, RiskView, SyncStatus


def _now() -> int:
    return int(time.time() * 1000)


class FakeServices:
    def __init__(self, passphrase: str = "correct horse battery", user_name: str = "Lotte de Boer (fictief)",
                 role: str = "VELDWERKER"):
        self._passphrase = passphrase
        self._user = user_name
        self._role = role
        self._unlocked = False
        self._clients: dict[str, ClientSummary] = {}
        self._notes: dict[str, list[NoteView]] = {}
        self._drafts: dict[str, dict] = {}
        self._listeners: list[Callable[[], None]] = []
        self._ids = itertools.count(1)
        self.state = "offline"
        self.last_sync_at: int | None = None
        self.message = ""
        self.sync_requests = 0
        self.lock_calls = 0
        self._lock = threading.Lock()

    # -- lifecycle
    enrolled = True

    @property
    def unlocked(self) -> bool:
        return self._unlocked

    def unlock(self, passphrase: str, platform_secret: bytes | None = None) -> None:
        if self._unlocked:
            return
        if passphrase != self._passphrase:
            raise WrongPassphrase()
        self._unlocked = True
        self._notify()

    def lock(self) -> None:
        self.lock_calls += 1
        self._unlocked = False
        self._notify()

    def close(self) -> None:
        self.lock()

    def _require(self) -> None:
        if not self._unlocked:
            raise LockedError("Het toestel is vergrendeld.")

    @property
    def user_name(self) -> str:
        self._require()
        return self._user

    @property
    def role(self) -> str:
        self._require()
        return self._role

    def unlock_mode(self) -> str:
        return "passphrase"

    def unlock_info(self) -> dict:
        return {"failed_attempts": 0, "attempts_left": 10, "wait_until": None,
                "unsynced": self.unsynced_count(), "destroyed": False, "erased": False}

    # -- reads
    def unsynced_count(self) -> int:
        return sum(1 for notes in self._notes.values() for n in notes if n.sync_state == "wachtend")

    def caseload(self) -> list[ClientSummary]:
        self._require()
        return sorted(self._clients.values(), key=lambda c: c.display_name.casefold())

    def client(self, client_id: str) -> ClientSummary:
        self._require()
        return self._clients[client_id]

    def timeline(self, client_id: str) -> list[NoteView]:
        self._require()
        return sorted(self._notes.get(client_id, []), key=lambda n: n.occurred_at, reverse=True)

    # -- writes
    def add_client(self, display_name: str, *, fictional: bool = False) -> str:
        self._require()
        name = clean_display_name(display_name)
        cid = f"c{next(self._ids)}"
        self._clients[cid] = ClientSummary(cid, name, _now(), None, 0, None, fictional)
        self._notes[cid] = []
        self._notify()
        return cid

    def record_contact(self, client_id: str, *, contact_type: str, outcome: str, report: str,
                       occurred_at: int | None = None, risks: Sequence[tuple[str, str]] = (),
                       author: str | None = None, sync_state: str = "wachtend") -> str:
        self._require()
        if client_id not in self._clients:
            raise ValidationError({"client_id": "Deze cliënt bestaat niet (meer) op dit toestel."})
        now = _now()
        f = check_contact(contact_type=contact_type, outcome=outcome, report=report,
                          occurred_at=now if occurred_at is None else occurred_at, risks=list(risks), now=now)
        nid = f"n{next(self._ids)}"
        note = NoteView(nid, client_id, f["contact_type"], f["outcome"], f["occurred_at"], now, f["report"],
                        tuple(RiskView(r["domain"], r["severity"]) for r in f["risks"]),
                        author or self._user, sync_state)
        self._notes[client_id].append(note)
        c = self._clients[client_id]
        severities = [r.severity for n in self._notes[client_id] for r in n.risks]
        highest = max(severities, key=lambda s: Ernst(s).rank) if severities else None
        last = max(n.occurred_at for n in self._notes[client_id])
        self._clients[client_id] = ClientSummary(c.id, c.display_name, c.created_at, last,
                                                 len(self._notes[client_id]), highest, c.fictional)
        self._notify()
        return nid

    # -- sync
    def sync_status(self) -> SyncStatus:
        state = self.state if self._unlocked else "locked"
        return SyncStatus(state, self.unsynced_count(), self.last_sync_at, self.message)

    def sync_now(self) -> None:
        self.sync_requests += 1

    def deliver_all(self) -> None:
        """Test helper: the server confirmed everything (as the background sync would)."""
        for cid, notes in self._notes.items():
            self._notes[cid] = [NoteView(**{**n.__dict__, "sync_state": "verzonden"})
                                if n.sync_state == "wachtend" else n for n in notes]
        self.state, self.last_sync_at = "online", _now()
        self._notify()

    # -- drafts
    def save_draft(self, slot: str, data: dict) -> None:
        self._require()
        self._drafts[slot] = dict(data)

    def load_draft(self, slot: str) -> dict | None:
        self._require()
        d = self._drafts.get(slot)
        return dict(d) if d is not None else None

    def clear_draft(self, slot: str) -> None:
        self._require()
        self._drafts.pop(slot, None)

    # -- notifications
    def subscribe(self, callback: Callable[[], None]) -> Callable[[], None]:
        with self._lock:
            self._listeners.append(callback)

        def unsubscribe() -> None:
            with self._lock:
                if callback in self._listeners:
                    self._listeners.remove(callback)

        return unsubscribe

    def _notify(self) -> None:
        with self._lock:
            listeners = list(self._listeners)
        for cb in listeners:
            cb()
