"""An in-memory stand-in for ``field_app.services.Services``, for fast view tests of states that are
awkward to reach with a real device (online, sent, errors). It implements every member of
``field_app.app_api.ServicesAPI`` (``test_protocols.py`` checks it): a field worker's phone with clients
and contact notes; coordinator actions answer as for a device without the beheer right. The unlock,
caseload and contact-form behaviour is also tested against the real Services (see ``conftest.py``)."""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Callable, Sequence
from contextlib import contextmanager

from field_app.app_api import (
    ENROL_MESSAGES,
    EnrolError,
    LockedError,
    NotAllowed,
    WeakPassphrase,
    WrongPassphrase,
    secret_problem,
)
from field_app.domain.context import DictContext
from field_app.domain.errors import ValidationError
from field_app.domain.validation import check_contact, clean_display_name
from field_app.domain.vocab import Ernst
from field_app.services import Services
from field_app.views_model import CaseloadItem, ClientSummary, NoteView, RecordView, RiskView, SyncStatus

NOT_BEHEER = "Alleen een bevestigd toestel met beheerrechten kan dit."


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
        self.extra: dict = {}  # the status's extra (held devices, what waits or was refused: #11)
        self.sync_requests = 0
        self.lock_calls = 0
        self.closed = False
        self._prefs: dict = {}
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
        self.closed = True

    def register(self, **_kw) -> None:
        raise EnrolError(ENROL_MESSAGES["conflict"])

    def start_over(self, *, accept_loss: bool = False) -> dict:
        if self._unlocked:
            raise NotAllowed("Het toestel is ontgrendeld; opnieuw beginnen is niet nodig.")
        return {"erased": False, "delivered": 0, "remaining": self.unsynced_count(), "error": "offline",
                "permanent": False}

    def security_info(self) -> dict:
        return {"mode": "wachtwoordzin", "platform_secret": False, "secret_kind": "passphrase", "scrypt": None,
                "min_secret_length": 10, "max_attempts": 10, "waits_from_attempt": 5, "wait_minutes": [1, 5, 15, 60],
                "lease_days": 14, "lease_warning_day": 10, **self.unlock_info()}

    def change_passphrase(self, old: str, new: str, platform_secret: bytes | None = None) -> None:
        self._require()
        if secret_problem(new, pin=False):
            raise WeakPassphrase()
        if old != self._passphrase:
            raise WrongPassphrase()
        self._passphrase = new

    def display_prefs(self) -> dict:
        return dict(self._prefs)

    def save_display_prefs(self, **prefs) -> None:
        for key, value in prefs.items():
            if key not in Services.DISPLAY_CHOICES or value not in Services.DISPLAY_CHOICES[key]:
                raise ValueError(f"display preference {key}={value!r} not allowed")
        self._prefs.update(prefs)

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
                       author: str | None = None, sync_state: str = "wachtend", excused: bool | None = None) -> str:
        self._require()
        if client_id not in self._clients:
            raise ValidationError({"client_id": "Deze cliënt bestaat niet (meer) op dit toestel."})
        now = _now()
        f = check_contact(contact_type=contact_type, outcome=outcome, report=report,
                          occurred_at=now if occurred_at is None else occurred_at, risks=list(risks),
                          excused=excused, now=now)
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
        return SyncStatus(state, self.unsynced_count(), self.last_sync_at, self.message, extra=dict(self.extra))

    def sync_now(self) -> None:
        self.sync_requests += 1

    def deliver_outbox(self) -> dict:
        waiting = self.unsynced_count()
        self.deliver_all()
        return {"delivered": waiting, "remaining": 0, "error": "", "permanent": False}

    def security_alert(self) -> dict | None:
        return None

    def clear_security_alert(self) -> None:
        self._require()

    def deliver_all(self) -> None:
        """Test helper: the server confirmed everything (as the background sync would)."""
        for cid, notes in self._notes.items():
            self._notes[cid] = [NoteView(**{**n.__dict__, "sync_state": "verzonden"})
                                if n.sync_state == "wachtend" else n for n in notes]
        self.state, self.last_sync_at = "online", _now()
        self._notify()

    # -- the rest of casework: a client file holds its client record and contact notes
    def caseload_items(self, now: int | None = None) -> list[CaseloadItem]:
        return [CaseloadItem(
            id=c.id, display_name=c.display_name, fictional=c.fictional, assigned_to=self._user, cover_by="",
            regime="", status="ACTIEF", safety_warning="GEEN", risk_level=c.highest_risk, open_flags=0,
            urgent_flags=0, days_since_contact=None if c.last_contact_at is None
            else max(0, (_now() - c.last_contact_at) // 86_400_000), overdue_days=None, in_transition=False,
            framework=None, phase=None, supervision_level=None) for c in self.caseload()]

    def _client_view(self, c: ClientSummary) -> RecordView:
        fields = {"display_name": c.display_name, "fictional": c.fictional, "assigned_to": self._user,
                  "status": "ACTIEF"}
        return RecordView(c.id, "client", c.id, fields, self._user, c.created_at, "wachtend")

    def _note_view(self, n: NoteView) -> RecordView:
        fields = {"contact_type": n.contact_type, "outcome": n.outcome, "occurred_at": n.occurred_at,
                  "recorded_at": n.recorded_at, "report": n.report,
                  "risks": [{"domain": r.domain, "severity": r.severity} for r in n.risks]}
        return RecordView(n.id, "contact", n.client_id, fields, n.author, n.recorded_at, n.sync_state)

    def client_context(self, client_id: str, now: int | None = None) -> DictContext:
        self._require()
        if client_id not in self._clients:
            raise KeyError(client_id)
        data = {client_id: ("client", self._client_view(self._clients[client_id]).fields)}
        data.update({n.id: ("contact", self._note_view(n).fields) for n in self._notes[client_id]})
        return DictContext(client_id, _now() if now is None else now, data)

    def records(self, client_id: str, type: str, *, include_retracted: bool = False) -> list[RecordView]:
        self._require()
        if type == "client" and client_id in self._clients:
            return [self._client_view(self._clients[client_id])]
        return self.notes(client_id) if type == "contact" else []

    def record(self, record_id: str) -> RecordView:
        self._require()
        if record_id in self._clients:
            return self._client_view(self._clients[record_id])
        for notes in self._notes.values():
            for n in notes:
                if n.id == record_id:
                    return self._note_view(n)
        raise KeyError(record_id)

    def notes(self, client_id: str) -> list[RecordView]:
        return [self._note_view(n) for n in self.timeline(client_id)] if client_id in self._clients else []

    def intake(self, display_name: str, **fields) -> str:
        return self.add_client(display_name, fictional=bool(fields.get("fictional")))

    def create_record(self, type: str, client_id: str, fields: dict, *, record_id: str | None = None,
                      ask: bool = False) -> str:
        if type != "contact":
            raise ValidationError({"type": "Deze testversie legt alleen contacten vast."})
        return self.record_contact(client_id, contact_type=fields.get("contact_type"), outcome=fields.get("outcome"),
                                   report=fields.get("report"), occurred_at=fields.get("occurred_at"),
                                   risks=[(r["domain"], r["severity"]) for r in fields.get("risks") or []])

    def update_record(self, record_id: str, changes: dict, *, seen: dict | None = None) -> None:
        self.record(record_id)
        raise ValidationError({"record_id": "Deze testversie kan gegevens niet aanpassen."})

    def add_addendum(self, record_id: str, text: str) -> str:
        self.record(record_id)
        raise ValidationError({"record_id": "Deze testversie kan geen aanvulling vastleggen."})

    def retract_record(self, record_id: str, reason: str) -> None:
        self.record(record_id)
        raise ValidationError({"record_id": "Deze testversie kan niets intrekken."})

    def assign(self, client_id: str, user_name: str) -> None:
        raise NotAllowed("Toewijzen en vervanging regelt je werkbegeleider of regisseur; met jouw rol kan dat niet.")

    def hand_over(self, from_user: str, to_user: str, until: str) -> list[str]:
        raise NotAllowed("Toewijzen en vervanging regelt je werkbegeleider of regisseur; met jouw rol kan dat niet.")

    def agenda(self, start: int, end: int) -> list:
        self._require()
        return []

    def open_flags(self) -> list[RecordView]:
        self._require()
        return []

    def risk_summary(self, client_id: str) -> dict[str, list[tuple[int, int]]]:
        series: dict[str, list[tuple[int, int]]] = {}
        for n in sorted(self.timeline(client_id), key=lambda n: n.occurred_at):
            for r in n.risks:
                series.setdefault(r.domain, []).append((n.occurred_at, Ernst(r.severity).rank))
        return series

    @contextmanager
    def deferred_rules(self):
        yield

    # -- the team and the access log: a field worker's device without the beheer right
    def fingerprint(self) -> list[str]:
        self._require()
        return [f"{i:05d}" for i in range(12)]

    def create_invitation(self, role: str) -> dict:
        raise NotAllowed(NOT_BEHEER)

    def pending_devices(self) -> list[dict]:
        raise NotAllowed(NOT_BEHEER)

    def confirm_device(self, device_id: str, fingerprint_digits: str, role: str | None = None) -> None:
        raise NotAllowed(NOT_BEHEER)

    def devices(self) -> list[dict]:
        self._require()
        return [{"id": "fake-device", "user": self._user, "role": self._role, "beheer": False, "status": "actief",
                 "reason": None, "wiped": False, "fingerprint": self.fingerprint(), "me": True}]

    def set_role(self, device_id: str, role: str, beheer: bool) -> None:
        raise NotAllowed(NOT_BEHEER)

    def revoke_device(self, device_id: str, reason: str) -> None:
        raise NotAllowed(NOT_BEHEER)

    def wipe_device(self, device_id: str) -> None:
        raise NotAllowed(NOT_BEHEER)

    def open_client_file(self, client_id: str, reason: str | None = None) -> str:
        self._require()
        if client_id not in self._clients:
            raise ValidationError({"client_id": "Deze cliënt bestaat niet (meer) op dit toestel."})
        return f"audit-{next(self._ids)}"

    def access_log(self, client_id: str | None = None) -> list[dict]:
        raise NotAllowed("Alleen een werkbegeleider, procesregisseur of functionaris gegevensbescherming kan het "
                         "toegangslogboek inzien.")

    def server_access_log(self) -> list[dict]:
        raise NotAllowed("Met jouw rol kun je het toegangslogboek van de server niet inzien.")

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

    # -- review and follow-up: this fake has no reviews, reports or flags of its own
    def review_queue(self, now: int | None = None) -> list:
        self._require()
        return []

    def review_state(self, record_id: str):
        from field_app.domain.review import review_state
        self.record(record_id)
        return review_state("", [])

    def report_status(self, record_id: str) -> str:
        raise ValidationError({"record_id": "Deze testversie heeft geen rapportages."})

    def review(self, record_id: str, decision: str, comment: str = "") -> str:
        raise NotAllowed("Beoordelen (goedkeuren of terugsturen) doet een werkbegeleider; met jouw rol kan dat niet.")

    def resubmit(self, record_id: str, text: str) -> str:
        raise ValidationError({"record_id": "Dit is niet teruggestuurd voor aanpassing."})

    def record_decision(self, client_id: str, fields: dict) -> str:
        raise ValidationError({"type": "Deze testversie legt alleen contacten vast."})

    def acknowledge_flag(self, flag_id: str) -> None:
        raise ValidationError({"record_id": "Dit signaal bestaat niet (meer) op dit toestel."})

    def resolve_flag(self, flag_id: str, note: str) -> None:
        raise ValidationError({"record_id": "Dit signaal bestaat niet (meer) op dit toestel."})

    def flag_queue(self, now: int | None = None) -> list:
        self._require()
        return []

    # -- the case-conference export (#9)
    def export_case_pdf(self, client_id: str, *, save: bool = True) -> dict:
        """A stand-in PDF (the real one is tested with the real services)."""
        self._require()
        if client_id not in self._clients:
            raise ValidationError({"client_id": "Deze cliënt bestaat niet (meer) op dit toestel."})
        return {"file_name": f"casusoverleg-{next(self._ids)}.pdf", "path": None, "data": b"%PDF-1.4 fake"}

    # -- questions asked after a save (issue #14): this stand-in records contacts without compliance, so
    # it never asks; an answer to an unknown question changes nothing (as on the real device)
    def pending_questions(self) -> list[dict]:
        self._require()
        return []

    def answer_question(self, question_id: str, outcome: str) -> None:
        self._require()
        if outcome not in ("answered", "declined"):
            raise ValidationError({"outcome": "Onbekend antwoord."})

    def question_history(self) -> list[dict]:
        self._require()
        return []

    # -- conflicts (#11): this stand-in has one device, so nothing is ever changed at once elsewhere
    def conflicted_records(self) -> list[RecordView]:
        self._require()
        return []

    def resolve_conflict(self, record_id: str, field: str, value) -> None:
        self.record(record_id)
        raise ValidationError({field: "Dit conflict is er niet meer: de gegevens zijn intussen gewijzigd. Kijk opnieuw."})
