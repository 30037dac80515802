"""Who may write what inside a team (the app enforces it; the ledger says who has which role).

Every member's device holds the team key, so these rules are enforced by the app on both ends: a device
refuses to write what its role does not allow, and a reader ignores (and counts) operations from a
device whose ledger role did not allow them at the ledger head the sealer named.
"""

from __future__ import annotations

__all__ = ["READ_ONLY_ROLES", "AUDIT_ROLES", "AUDIT_TYPE", "MEMBER_TYPE", "SELF_TYPES", "ASSIGN_ROLES", "ASSIGNMENT_FIELDS", "may_write",
           "may_assign"]

READ_ONLY_ROLES = frozenset({"PARTNER_LEZER", "FG_AUDITOR"})
AUDIT_ROLES = frozenset({"WERKBEGELEIDER", "PROCESREGISSEUR", "FG_AUDITOR"})  # read the app's access log
AUDIT_TYPE = "audit"
MEMBER_TYPE = "member"  # a device says whose it is ({device, name}); like audit, only about its own sender
SELF_TYPES = frozenset({AUDIT_TYPE, MEMBER_TYPE})
# Who decides whose caseload a client is in (assignment, holiday cover). A field worker cannot move a
# client into their own caseload: that would skip the reason asked when opening someone else's file.
ASSIGN_ROLES = frozenset({"WERKBEGELEIDER", "PROCESREGISSEUR", "CASUSREGISSEUR", "BEHEERDER"})
ASSIGNMENT_FIELDS = frozenset({"assigned_to", "cover_by", "cover_until"})


def may_assign(role: str | None) -> bool:
    return role in ASSIGN_ROLES


def may_write(role: str | None, op_type: str, kind: str | None = None, fields: object = None) -> bool:
    """True if a device with ``role`` may write an operation of ``op_type`` (``kind`` and ``fields`` as in
    the operation). Everyone logs their own reads (``audit``); read-only roles write nothing else; changing
    a client's assignment or cover after its intake is for :data:`ASSIGN_ROLES`."""
    if role is None:
        return False
    if op_type in SELF_TYPES:
        return True
    if role in READ_ONLY_ROLES:
        return False
    if (op_type == "client" and kind != "create" and isinstance(fields, dict)
            and ASSIGNMENT_FIELDS & fields.keys() and not may_assign(role)):
        return False
    return True
