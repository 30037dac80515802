"""The access log: every opening of a client file is a sealed ``audit`` operation that syncs to the
team; a file outside one's caseload opens only with a reason (break the glass). Supervising and auditing
roles read the app's log and the server's request log (with the user each device announced)."""

from __future__ import annotations

from typing import Any

from ..core.device import Device
from ..core.errors import NotAllowed
from ..core.policy import AUDIT_ROLES, AUDIT_TYPE, CASE_DIRECTOR_ROLES, may_review
from ..crypto.canonical import b64e
from ..crypto.facts import ACCESS_LOG_ROLES
from ..crypto.identity import new_id
from ..domain.errors import ValidationError
from ..domain.records_person import same_person
from .sync_control import SyncControl

__all__ = ["AccessLog", "MIN_REASON"]

MIN_REASON = 5


class AccessLog:
    def __init__(self, device: Device, sync: SyncControl):
        self.device, self.sync = device, sync

    def open_client_file(self, client_id: str, reason: str | None = None) -> str:
        """Log that this user opens a client's file (call it when the file is shown). A client outside
        one's own caseload (assigned_to / cover_by, or named procesregisseur or casusregisseur of the
        client's ZVH case that is not closed) opens only with a reason (break the glass), which is logged
        too. The entry is a sealed ``audit`` operation that syncs to the team. Returns its id."""
        self.device.require_unlocked()
        rec = self.device.projection.record(client_id)
        if rec is None or rec.type != "client":
            raise ValidationError({"client_id": "Deze cliënt bestaat niet (meer) op dit toestel."})
        me = self.device.profile["user_name"]
        own = me in (rec.fields.get("assigned_to"), rec.fields.get("cover_by")) or self._directs(client_id, me)
        reviewer = not own and may_review(self.device.role)  # reading the team's work is the supervisor's role
        reason = (reason or "").strip()
        if not own and not reviewer and len(reason) < MIN_REASON:
            raise ValidationError({"reason": "Deze cliënt staat niet in jouw caseload. Geef een reden op om het "
                                             "dossier toch te openen; die wordt vastgelegd."})
        fields: dict[str, Any] = {"action": "open_client", "client_id": client_id, "at": self.device.clock(),
                                  "device": self.device.device_id}
        if reason:
            fields["reason"] = reason[:500]
        if reviewer:
            fields["action"] = "review"  # logged as a supervisor's reading, not as breaking the glass
        elif not own:
            fields["break_glass"] = True
        audit_id = b64e(new_id())
        self.device.write_op(AUDIT_TYPE, audit_id, client_id, "create", fields)
        return audit_id

    def _directs(self, client_id: str, me: str) -> bool:
        """``me``, in a case-directing role, is named procesregisseur or casusregisseur of one of the client's
        ZVH cases that is not closed: the case is hers (DOMAIN.md: the procesregisseur owns the ZVH-casus),
        no reason asked. Another role named there (any member may fill in the names) still gives one."""
        return self.device.role in CASE_DIRECTOR_ROLES and any(same_person(me, case.fields.get(role))
                   for case in self.device.projection.records(client_id, "zvh_case")
                   if case.fields.get("phase") != "AFGESLOTEN" for role in ("process_director", "case_director"))

    def access_log(self, client_id: str | None = None) -> list[dict[str, Any]]:
        """Who opened which client file, newest first: ``[{who, device, client_id, action, reason, at,
        break_glass}]``. For supervising and auditing roles only."""
        self.device.require_unlocked()
        if self.device.role not in AUDIT_ROLES:
            raise NotAllowed("Alleen een werkbegeleider, procesregisseur of functionaris gegevensbescherming "
                             "kan het toegangslogboek inzien.")
        return self.device.projection.audit_entries(client_id)

    def server_access_log(self) -> list[dict[str, Any]]:
        """The server's request log of the team (which device did which kind of request, when, with what
        result): ``[{id, at, device, user, role, action, result}]``. ``user`` is the name the device's user
        works under, from the device's own signed ``member`` announcement (the server never sees names)."""
        self.device.require_unlocked()
        if self.device.role not in ACCESS_LOG_ROLES:
            raise NotAllowed("Met jouw rol kun je het toegangslogboek van de server niet inzien.")

        def fetch() -> list[dict]:
            rows, after = [], 0
            while True:
                page = self.sync.engine.client.access_log(self.device.team, after)
                rows += page.get("entries", [])
                if not page.get("more") or page.get("next", after) <= after:
                    return rows
                after = page["next"]

        rows = self.sync.engine.logged_in(fetch)
        names = self.device.projection.member_names()  # the server knows devices; the team knows their users
        return [{**r, "user": names.get(r.get("device"))} if isinstance(r, dict) else r for r in rows]
