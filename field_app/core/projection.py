"""The projection a device's views read, plus what is not a record: the access log (``audit``
operations) and whose each device is (``member`` operations)."""

from __future__ import annotations

from ..store.projection import Projection
from .policy import AUDIT_TYPE, MEMBER_TYPE

__all__ = ["AuditProjection"]


class AuditProjection(Projection):
    """The projection plus the app's access log: ``audit`` operations are folded into a list, never into
    the records the views read."""

    def __init__(self) -> None:
        super().__init__()
        self._audit: dict[bytes, dict] = {}
        self._members: dict[str, tuple[int, str]] = {}  # device id -> (at, name), the newest announcement

    def apply(self, op: dict, *, op_id: bytes, origin: str, received_at: int) -> None:
        kind = op.get("type") if isinstance(op, dict) else None
        if kind != MEMBER_TYPE and kind != AUDIT_TYPE:  # nearly every operation: straight to the records
            Projection.apply(self, op, op_id=op_id, origin=origin, received_at=received_at)
            return
        if kind == MEMBER_TYPE:
            fields = op.get("fields") if isinstance(op.get("fields"), dict) else {}
            device, name, at = fields.get("device"), fields.get("name"), fields.get("at")
            if isinstance(device, str) and isinstance(name, str) and isinstance(at, int):
                with self._lock:
                    if device not in self._members or self._members[device][0] <= at:
                        self._members[device] = (at, name[:200])
            return
        if kind == AUDIT_TYPE:
            fields = op.get("fields") if isinstance(op.get("fields"), dict) else {}
            with self._lock:
                self._audit[op_id] = {
                    "who": op.get("author_user", ""), "device": fields.get("device", ""),
                    "client_id": fields.get("client_id", op.get("client_id", "")),
                    "action": fields.get("action", ""), "reason": fields.get("reason"),
                    "at": fields.get("at", 0), "break_glass": bool(fields.get("break_glass")),
                }
            return

    # -- the sealed snapshot (store/snapshot.py) -------------------------------------------------------------
    def snapshot_state(self) -> dict:
        return {**super().snapshot_state(), "audit": self._audit, "members": self._members}

    def restore_state(self, records, state: dict) -> None:
        super().restore_state(records, state)
        with self._lock:
            self._audit, self._members = state["audit"], state["members"]

    def member_names(self) -> dict[str, str]:
        """Device id -> the name its user works under, as each device announced it (signed by it)."""
        with self._lock:
            return {device: name for device, (_at, name) in self._members.items()}

    def audit_entries(self, client_id: str | None = None) -> list[dict]:
        with self._lock:
            rows = [dict(e) for e in self._audit.values() if client_id is None or e["client_id"] == client_id]
        return sorted(rows, key=lambda e: (e["at"], e["device"]), reverse=True)
