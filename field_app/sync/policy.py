"""Who may write what inside a team (the app enforces it; the ledger says who has which role).

Every member's device holds the team key, so these rules are enforced by the app on both ends: a device
refuses to write what its role does not allow, and a reader ignores (and counts) operations from a
device whose ledger role did not allow them at the ledger head the sealer named.
"""

from __future__ import annotations

__all__ = ["READ_ONLY_ROLES", "AUDIT_ROLES", "AUDIT_TYPE", "may_write"]

READ_ONLY_ROLES = frozenset({"PARTNER_LEZER", "FG_AUDITOR"})
AUDIT_ROLES = frozenset({"WERKBEGELEIDER", "PROCESREGISSEUR", "FG_AUDITOR"})  # read the app's access log
AUDIT_TYPE = "audit"


def may_write(role: str | None, op_type: str) -> bool:
    """True if a device with ``role`` may write an operation of ``op_type``. Everyone logs their own reads
    (``audit``); read-only roles write nothing else."""
    if role is None:
        return False
    if op_type == AUDIT_TYPE:
        return True
    return role not in READ_ONLY_ROLES
