"""Seed the five FICTIONAL demo cases of DOMAIN.md §10 (``domain.demo_cases``) through the services, as a
worker would record them. Nothing is written to the database directly.

FICTIEF: all names, places and events are invented; every person is marked ``fictional`` and shown with a
"FICTIEF" label. The cases are moved in time so that their last events lie just before today and the
agenda has something to show this week. The cases keep their fictional case managers; the seeding worker
covers them (waarneming for four weeks), so they form her caseload; anyone else opens them with a reason
(break the glass), as the access rules require.
"""

from __future__ import annotations

from datetime import date, timedelta

from .domain.demo_cases import DEMO_CASES, DEMO_NOW, record_id_for, resolve_refs, shifted
from .domain.hlc import now_ms
from .domain.timeutil import local_date
from .services import Services


def seed(svc: Services, *, now: int | None = None) -> dict:
    """Record the demo cases unless they are already there. Returns counts."""
    now = now_ms() if now is None else now
    days = max(0, (local_date(now) - local_date(DEMO_NOW)).days)  # calendar days: the same at any hour
    existing = {c.display_name for c in svc.caseload()}
    clients = records = 0
    with svc.deferred_rules():
        for case in DEMO_CASES.values():
            c, r = _seed_case(svc, shifted(case, days), existing)
            clients, records = clients + c, records + r
    return {"clients": clients, "records": records}


def _seed_case(svc: Services, case: list, existing: set[str]) -> tuple[int, int]:
    client = case[0]
    if client.fields.get("display_name") in existing:
        return 0, 0
    ids: dict[str, str] = {}
    client_fields = dict(resolve_refs(client.fields, ids))
    if client_fields.get("assigned_to") != svc.user_name:  # the demo worker covers her colleagues' cases
        client_fields["cover_by"] = svc.user_name
        client_fields["cover_until"] = (date.today() + timedelta(days=28)).isoformat()
    client_id = svc.intake(client_fields.pop("display_name"), **client_fields)
    ids[client.ref] = client_id
    for rec in case[1:]:
        fields = resolve_refs(rec.fields, ids)
        rid = record_id_for(rec, fields, client_id)
        if rec.type == "client":
            svc.update_record(client_id, fields)
        else:
            svc.create_record(rec.type, client_id, fields, record_id=rid)
        if rec.ref:
            ids[rec.ref] = rid
    return 1, len(case) - 1
