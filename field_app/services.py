"""The application API of a Veldwerk device: a thin facade over its parts, for the views and the CLI.

A ``Services`` object is one device. It composes:

- :class:`~field_app.core.device.Device` — the device core: the store and, while unlocked, every key,
  the verified ledger and the projection. The only code that writes an operation (``write_op``).
- :class:`~field_app.parts.casework.Casework` — records, rules, caseload, agenda, flags, drafts;
- :class:`~field_app.parts.lifecycle.Lifecycle` — enrolment, unlock, lock, display choices, start-over;
- :class:`~field_app.parts.vault.Vault` — the lockout, PIN/passphrase change, what the unlock screen says;
- :class:`~field_app.parts.team.TeamAdmin` — invitations, confirmation, roles, revocation, wipe;
- :class:`~field_app.parts.access.AccessLog` — audited openings of client files and the access logs;
- :class:`~field_app.parts.review.ReviewWork` — the review queue, approve/return/resubmit, reports' four
  eyes, OM decisions applied to the file, flags acknowledged and resolved;
- :class:`~field_app.parts.sync_control.SyncControl` — the background sync (the only part that talks to
  the server, through :mod:`field_app.sync`), its status, delivery by signature.

Each public call below is one of theirs (see :class:`_Via`); :mod:`field_app.app_api` says which of them
the views use.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

import httpx

from .app_api import (
    EnrolError,
    KeysDestroyed,
    LockedError,
    NotAllowed,
    PlatformSecretMissing,
    SecurityAlert,
    TooManyAttempts,
    ValidationError,
    WeakPassphrase,
    WrongPassphrase,
)
from .core.device import Device
from .crypto.vault import DEFAULT_SCRYPT, ScryptParams
from .domain.hlc import now_ms
from .parts.access import AccessLog
from .parts.casework import Casework
from .parts.conflicts import Conflicts
from .parts.export import CaseExport
from .parts.lifecycle import Lifecycle
from .parts.questions import Questions
from .parts.review import ReviewWork
from .parts.sync_control import SyncControl
from .parts.team import TeamAdmin
from .parts.vault import Vault

log = logging.getLogger("veldwerk.services")

__all__ = ["Services", "EnrolError", "LockedError", "WrongPassphrase", "ValidationError", "TooManyAttempts",
           "KeysDestroyed", "NotAllowed", "SecurityAlert", "PlatformSecretMissing", "WeakPassphrase"]


INPUT_REFUSED = "Deze invoer klopt niet (verkeerd soort gegevens of onbruikbare tekens) en is niet opgeslagen."


class _Via:
    """A facade member that is the same-named member of one part (a method, or a property's value).

    The facade is the boundary to views, scripts and the command line: a call given values of the wrong
    type or text that cannot be stored gets a :class:`ValidationError` (a Dutch sentence), never a
    TypeError or UnicodeError. An unknown id keeps its documented ``KeyError`` (``client``, ``record``)."""

    def __init__(self, part: str, name: str | None = None):
        self.part, self.name = part, name

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = self.name or name

    def __get__(self, obj, objtype=None):
        if obj is None:
            return self
        member = getattr(getattr(obj, self.part), self.name)
        if not callable(member):
            return member
        name = self.name

        def guarded(*args, **kwargs):
            try:
                return member(*args, **kwargs)
            except ValidationError:
                raise
            except (TypeError, AttributeError, UnicodeError, ValueError, IndexError, OverflowError,
                    RecursionError) as exc:
                log.warning("%s refused input (%s)", name, type(exc).__name__)
                raise ValidationError({"input": INPUT_REFUSED}) from None

        guarded.__name__ = guarded.__qualname__ = name
        guarded.__doc__ = member.__doc__
        guarded.__wrapped__ = member
        return guarded


class Services:
    DISPLAY_CHOICES = Lifecycle.DISPLAY_CHOICES

    def __init__(self, data_dir: str | Path, *, scrypt: ScryptParams | None = None,
                 transport: httpx.BaseTransport | None = None, autosync: bool = True,
                 clock: Callable[[], int] | None = None, platform_secret: bytes = b""):
        """``clock`` (UTC ms; tests) drives the unlock waits and the offline lease. ``platform_secret``
        (>= 16 bytes from a phone's Keystore/Keychain) allows a PIN instead of a passphrase."""
        self.data_dir = Path(data_dir)
        self.device = Device(self.data_dir, clock=clock or now_ms)
        self.sync = SyncControl(self.device, transport=transport, autosync=autosync)
        self.vault = Vault(self.device, scrypt=scrypt or DEFAULT_SCRYPT, platform_secret=platform_secret,
                           deliver=self.sync.deliver_outbox, autosync=autosync)
        self.casework = Casework(self.device)
        self.lifecycle = Lifecycle(self.device, self.vault, self.sync, self.casework)
        self.team = TeamAdmin(self.device, self.sync)
        self.access = AccessLog(self.device, self.sync)
        self.reviews = ReviewWork(self.device, self.casework)
        self.export = CaseExport(self.device, self.casework)  # the case-conference PDF (#9)
        self.questions = Questions(self.device)
        self.conflicts = Conflicts(self.device, self.casework)  # concurrent field changes shown (#11)
        self.sync.start_locked_delivery()  # an enrolled device delivers its sealed work until the unlock

    @classmethod
    def enrol(cls, data_dir: str | Path, *, server_url: str | None = None, code: str | None = None,
              passphrase: str, user_name: str, invite: str | None = None, scrypt: ScryptParams | None = None,
              transport: httpx.BaseTransport | None = None, autosync: bool = True,
              clock: Callable[[], int] | None = None, platform_secret: bytes = b"") -> Services:
        """Register a new device in ``data_dir``; returns it unlocked and waiting for confirmation.
        See :meth:`Lifecycle.register`."""
        svc = cls(data_dir, scrypt=scrypt, transport=transport, autosync=autosync, clock=clock,
                  platform_secret=platform_secret)
        try:
            svc.register(server_url=server_url, code=code, passphrase=passphrase, user_name=user_name,
                         invite=invite, platform_secret=platform_secret)
        except BaseException:
            svc.close()
            raise
        return svc

    # -- who am I, and the life cycle ------------------------------------------------------------------
    enrolled = _Via("device")
    unlocked = _Via("device")
    user_name = _Via("device")
    role = _Via("device")
    device_id = _Via("device")
    subscribe = _Via("device")
    closed = _Via("lifecycle")
    register = _Via("lifecycle")
    unlock = _Via("lifecycle")
    lock = _Via("lifecycle")
    close = _Via("lifecycle")
    start_over = _Via("lifecycle")
    display_prefs = _Via("lifecycle")
    save_display_prefs = _Via("lifecycle")
    unlock_info = _Via("vault")
    security_info = _Via("vault")
    unlock_mode = _Via("vault")
    change_passphrase = _Via("vault")

    # -- sync ---------------------------------------------------------------------------------------------
    sync_now = _Via("sync", "nudge")
    sync_once = _Via("sync")
    sync_status = _Via("sync", "status")
    unsynced_count = _Via("sync")
    deliver_outbox = _Via("sync")
    security_alert = _Via("sync")
    clear_security_alert = _Via("sync")

    # -- casework -----------------------------------------------------------------------------------------
    caseload = _Via("casework")
    client = _Via("casework")
    timeline = _Via("casework")
    add_client = _Via("casework")
    record_contact = _Via("casework")
    records = _Via("casework")
    record = _Via("casework")
    notes = _Via("casework")
    client_context = _Via("casework")
    create_record = _Via("casework")
    update_record = _Via("casework")
    add_addendum = _Via("casework")
    retract_record = _Via("casework")
    intake = _Via("casework")
    assign = _Via("casework")
    hand_over = _Via("casework")
    end_cover = _Via("casework")
    deferred_rules = _Via("casework")
    run_rules = _Via("casework")
    caseload_items = _Via("casework")
    agenda = _Via("casework")
    open_flags = _Via("casework")
    risk_summary = _Via("casework")
    severity_rank = _Via("casework")
    save_draft = _Via("casework")
    load_draft = _Via("casework")
    clear_draft = _Via("casework")

    # -- the team and the access log --------------------------------------------------------------------
    fingerprint = _Via("team")
    fingerprint_qr_png = _Via("team")
    create_invitation = _Via("team")
    pending_devices = _Via("team")
    confirm_device = _Via("team")
    devices = _Via("team")
    set_role = _Via("team")
    revoke_device = _Via("team")
    rotate_team_key = _Via("team")
    wipe_device = _Via("team")
    open_client_file = _Via("access")
    access_log = _Via("access")
    server_access_log = _Via("access")

    # -- review and follow-up ---------------------------------------------------------------------------
    review_queue = _Via("reviews")
    review_state = _Via("reviews")
    report_status = _Via("reviews")
    review = _Via("reviews")
    resubmit = _Via("reviews")
    record_decision = _Via("reviews")
    acknowledge_flag = _Via("reviews")
    resolve_flag = _Via("reviews")
    flag_queue = _Via("reviews")

    # -- the case-conference export (#9) ------------------------------------------------------------------
    export_case_pdf = _Via("export")

    # -- questions asked after a save (issue #14: "Escaleren?" survives a crash) --------------------------
    pending_questions = _Via("questions")
    answer_question = _Via("questions")
    question_history = _Via("questions")

    # -- conflicts: a field changed on two devices at once, shown with a pick (#11) -----------------------
    conflicted_records = _Via("conflicts")
    resolve_conflict = _Via("conflicts")
