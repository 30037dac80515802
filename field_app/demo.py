"""Seed the five FICTIONAL demo cases of DOMAIN.md §10 (``domain.demo_cases``) through the services, as a
worker would record them. Nothing is written to the database directly.

FICTIEF: all names, places and events are invented; every person is marked ``fictional`` and shown with a
"FICTIEF" label. Each case is moved in time so that its last event lies a few days before the day the
demo starts (``DAYS_AGO``), so "Laatste contact" and overdue flags read as in a live caseload, and the
agenda has something to show this week. The cases keep their fictional case managers; the seeding worker
covers her colleagues' cases (waarneming for four weeks) and takes her own (Henk V., Lotte de Boer's) under
her own name, so they form her caseload; anyone else opens them with a reason
(break the glass), as the access rules require.
"""

from __future__ import annotations

from datetime import date, timedelta

from .domain.demo_cases import DEMO_CASES, DEMO_NOW, record_id_for, resolve_refs, shifted
from .domain.fieldkit import EARLIEST_MS
from .domain.hlc import now_ms
from .domain.records_person import same_person
from .domain.timeutil import local_date
from .services import Services

# How many days before the demo starts each case's last contact lies (the cases' order by days since the
# last contact stays as in DOMAIN.md §10): Henk's and Dennis's contacts are then overdue, and the flags
# raised with Dennis's no-shows are days overdue.
DAYS_AGO = {"A": 16, "B": 4, "C": 15, "D": 2, "E": 11}
PLANNED = frozenset({"next_contact_at"})  # a plan, not an event


def _moments(value, key=None):
    if type(value) is int and value >= EARLIEST_MS:
        yield key, value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from _moments(v, k)
    elif isinstance(value, list):
        for v in value:
            yield from _moments(v, key)


def shift_days(case: list, days_ago: int, now: int) -> int:
    """Days to move a case so that its last contact lies ``days_ago`` days before ``now``; nothing that
    had happened at ``DEMO_NOW`` moves past today."""
    moments = [(key, at) for r in case for key, at in _moments(r.fields) if at <= DEMO_NOW and key not in PLANNED]
    contact = max((at for key, at in moments if key == "occurred_at"), default=DEMO_NOW)
    last = max((at for _, at in moments), default=DEMO_NOW)
    today = local_date(now)
    return max(0, min((today - local_date(contact)).days - days_ago, (today - local_date(last)).days))


def seed(svc: Services, *, now: int | None = None) -> dict:
    """Record the demo cases unless they are already there. Returns counts."""
    now = now_ms() if now is None else now
    existing = {c.display_name for c in svc.caseload()}
    clients = records = 0
    with svc.deferred_rules():
        for letter, case in DEMO_CASES.items():
            days = shift_days(case, DAYS_AGO.get(letter, 1), now)  # calendar days: the same at any hour
            c, r = _seed_case(svc, shifted(case, days), existing)
            clients, records = clients + c, records + r
    if clients:  # a fresh demo: the worker's reports too (#9)
        records += _seed_reports(svc, now)
    return {"clients": clients, "records": records}


def _seed_case(svc: Services, case: list, existing: set[str]) -> tuple[int, int]:
    client = case[0]
    if client.fields.get("display_name") in existing:
        return 0, 0
    ids: dict[str, str] = {}
    client_fields = dict(resolve_refs(client.fields, ids))
    if same_person(client_fields.get("assigned_to"), svc.user_name):
        client_fields["assigned_to"] = svc.user_name  # her own case (Henk V.): no one covers it
    else:  # the demo worker covers her colleagues' cases (never her own: a cover is someone else)
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


# -- review and follow-up (#9): each written on the device whose user would write it ----------------------
# ``make run`` runs these steps in order, syncing in between: the worker's reports come with the cases; the
# supervisor approves and returns; the coordinator flags; the worker acknowledges one flag.
def _client_ids(svc: Services) -> dict[str, str]:
    return {c.display_name: c.id for c in svc.caseload()}


def _seed_reports(svc: Services, now: int) -> int:
    """Two reports by the worker: Sandra's progress report due this week (waiting for approval) and Henk's
    advice report (the supervisor approves it: definitief)."""
    ids, today = _client_ids(svc), local_date(now)
    reports = [
        ("Sandra K.", {"report_type": "VOORTGANG", "requested_by": "OM", "advice": "CONTINUEREN",
                       "due_date": (today + timedelta(days=min(3, 6 - today.weekday()) or 1)).isoformat(),
                       "status": "TER_GOEDKEURING", "text": "Voortgang toezicht; voorwaarden nageleefd (fictief)."}),
        ("Henk V.", {"report_type": "ADVIES", "requested_by": "RECHTER", "advice": "VOORWAARDEN_WIJZIGEN",
                     "due_date": (today + timedelta(days=12)).isoformat(), "status": "TER_GOEDKEURING",
                     "text": "Advies: klinische plaatsing voortzetten (fictief)."}),
    ]
    made = 0
    for name, fields in reports:
        if name in ids:
            svc.create_record("report", ids[name], fields)
            made += 1
    return made


def _newest(svc: Services, client_id: str, rtype: str):
    recs = svc.records(client_id, rtype)
    return max(recs, key=lambda r: (r.fields.get("occurred_at") or r.created_at, r.id)) if recs else None


def seed_reviews(svc: Services, now: int | None = None) -> dict:
    """On the supervisor's device: approve Erik's latest note and Henk's report, return Dennis's latest
    note with a comment; everything else stays waiting (Sandra's report among it)."""
    ids, made = _client_ids(svc), 0
    plan = [("Erik M.", "contact", "GOEDGEKEURD", ""),
            ("Henk V.", "report", "GOEDGEKEURD", ""),
            ("Dennis A.", "contact", "AANPASSEN",
             "Schrijf concreet op welke afspraak over de meldplicht je met D. hebt gemaakt (fictief).")]
    for name, rtype, decision, comment in plan:
        target = _newest(svc, ids[name], rtype) if name in ids else None
        if target is None or any(r.fields.get("target_id") == target.id for r in svc.records(ids[name], "review")):
            continue
        svc.review(target.id, decision, comment)
        made += 1
    return {"reviews": made}


# The coordinator's two follow-ups (FICTIEF): (client, flag fields, raised this many ms before now). Reason,
# route and urgency as DOMAIN.md §4.3/§9.13 have them: a reported fight at home is (suspected) acute domestic
# violence, melden bij Veilig Thuis within 24 hours (structural unsafety would be within 5 working days).
COORDINATOR_FLAGS: tuple[tuple[str, dict, int], ...] = (
    ("Sandra K.", {"reason": "HUISELIJK_GEWELD_ACUUT", "urgency": "BINNEN_24U", "route": "VEILIG_THUIS_MELDING",
                   "note": "Buurvrouw meldt ruzie bij het ex-partneradres (fictief)."}, 2 * 86_400_000),
    ("Henk V.", {"reason": "ANDERS", "urgency": "BINNEN_5_WERKDAGEN", "route": "TEAMLEIDER",
                 "note": "Kliniek vraagt om overleg over verlof (fictief)."}, 3_600_000),
)


def seed_flags(svc: Services, now: int | None = None) -> dict:
    """On the coordinator's device: two flags for the field worker — Sandra's (raised two days ago, within
    24 hours: overdue, not yet acknowledged) and Henk's (raised this morning; the worker acknowledges it)."""
    now = now_ms() if now is None else now
    ids = _client_ids(svc)
    worker = next((d.get("user") for d in svc.devices() if d.get("role") == "VELDWERKER" and d.get("user")), None)
    if worker is None:
        return {"flags": 0}
    plan = [(name, {**fields, "raised_at": now - ago}) for name, fields, ago in COORDINATOR_FLAGS]
    made = 0
    for name, fields in plan:
        if name in ids and not any(f.fields.get("note") == fields["note"] for f in svc.records(ids[name], "flag")):
            svc.create_record("flag", ids[name], {**fields, "assignee": worker})
            made += 1
    return {"flags": made}


def seed_acknowledgements(svc: Services, now: int | None = None) -> dict:
    """On the worker's device: "Gezien, ik pak het op" on Henk's flag from the coordinator."""
    now = now_ms() if now is None else now
    ids = _client_ids(svc)
    made = 0
    for flag in svc.records(ids.get("Henk V.", ""), "flag") if "Henk V." in ids else []:
        f = flag.fields
        if f.get("assignee") == svc.user_name and not f.get("acknowledged_by") and f.get("urgency") == "BINNEN_5_WERKDAGEN":
            ack = getattr(svc, "acknowledge_flag", None)  # the lead's service call, where it exists
            if callable(ack):
                ack(flag.id)
            else:
                svc.update_record(flag.id, {"acknowledged_by": svc.user_name, "acknowledged_at": now,
                                            "status": "IN_BEHANDELING"})
            made += 1
    return {"acknowledged": made}


STEPS = {"reviews": seed_reviews, "flags": seed_flags, "acknowledge": seed_acknowledgements}
