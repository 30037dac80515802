"""Who may write what inside a team (the app enforces it; the ledger says who has which role).

Every member's device holds the team key, so these rules are enforced by the app on both ends: a device
refuses to write what its role does not allow, and a reader ignores (and counts) operations from a
device whose ledger role did not allow them at the ledger head the sealer named.
"""

from __future__ import annotations

__all__ = ["READ_ONLY_ROLES", "AUDIT_ROLES", "AUDIT_TYPE", "MEMBER_TYPE", "SELF_TYPES", "ASSIGN_ROLES", "ASSIGNMENT_FIELDS", "may_write",
           "may_assign", "REVIEW_ROLES", "FLAG_ROLES", "may_review", "refusal"]

READ_ONLY_ROLES = frozenset({"PARTNER_LEZER", "FG_AUDITOR"})
AUDIT_ROLES = frozenset({"WERKBEGELEIDER", "PROCESREGISSEUR", "FG_AUDITOR"})  # read the app's access log
AUDIT_TYPE = "audit"
MEMBER_TYPE = "member"  # a device says whose it is ({device, name}); like audit, only about its own sender
SELF_TYPES = frozenset({AUDIT_TYPE, MEMBER_TYPE})
# Who decides whose caseload a client is in (assignment, holiday cover). A field worker cannot move a
# client into their own caseload: that would skip the reason asked when opening someone else's file.
ASSIGN_ROLES = frozenset({"WERKBEGELEIDER", "PROCESREGISSEUR", "CASUSREGISSEUR", "BEHEERDER"})
ASSIGNMENT_FIELDS = frozenset({"assigned_to", "cover_by", "cover_until"})
# Who reviews the team's notes and reports (approve, return, discussed) and reads every file of the team
# without breaking the glass (DOMAIN.md §6: the werkbegeleider reviews, approves and co-signs).
REVIEW_ROLES = frozenset({"WERKBEGELEIDER"})
# Roles that direct ZVH cases: named procesregisseur or casusregisseur on an open case, the client is theirs
CASE_DIRECTOR_ROLES = frozenset({"PROCESREGISSEUR", "CASUSREGISSEUR"})
REVIEW_TYPE = "review"
RESUBMIT = "OPNIEUW_INGEDIEND"
# Who follows up every flag of the team (acknowledge or resolve a flag assigned to someone else).
FLAG_ROLES = frozenset({"PROCESREGISSEUR", "WERKBEGELEIDER", "CASUSREGISSEUR"})


def may_review(role: str | None) -> bool:
    return role in REVIEW_ROLES


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
    if op_type == REVIEW_TYPE and kind == "create" and not may_review(role):
        # an author may resubmit after a return; deciding is for the reviewing roles
        return isinstance(fields, dict) and fields.get("decision") == RESUBMIT
    return True


def refusal(op_type: str) -> str:
    """The Dutch sentence for a write :func:`may_write` refuses to a role that may write in general."""
    if op_type == REVIEW_TYPE:
        return "Beoordelen (goedkeuren of terugsturen) doet een werkbegeleider; met jouw rol kan dat niet."
    return "Toewijzen en vervanging regelt je werkbegeleider of regisseur; met jouw rol kan dat niet."
