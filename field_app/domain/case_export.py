"""What the case-conference PDF (casusoverleg) of one client holds, as plain Dutch text and numbers.

Pure: it reads one client's context (``ctx.records(type)``) and nothing else, so the export can never hold
another client's data. Codes become their Dutch labels here; ``field_app.export.case_pdf`` only lays out.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .dashboard import per_week, week_starts
from .indicators import current_supervision, risk_trend_series
from .review import ReviewEntry, report_status, review_state
from .timeutil import format_moment, local_date, local_iso
from .vocab import (
    ActieStatus,
    Advies,
    BeslissingEffect,
    CasusFase,
    ClientStatus,
    Ernst,
    FlagReden,
    FlagStatus,
    KaderFase,
    KaderRegime,
    KaderStatus,
    KaderType,
    NalevingStatus,
    NetwerkRol,
    OmBeslissing,
    Opdrachtgever,
    RapportageAan,
    RapportageStatus,
    RapportageType,
    Relatie,
    RisicoDomein,
    Toezichtniveau,
    Urgentie,
    Veiligheidswaarschuwing,
    VoorwaardeType,
)

COMPLIANCE_WEEKS = 12
COMPLIANCE_SERIES = (NalevingStatus.NAGELEEFD.value, NalevingStatus.SIGNAAL_TWIJFEL.value,
                     NalevingStatus.OVERTREDING.value)
CONFIDENTIAL = ("Vertrouwelijk: alleen voor de deelnemers aan dit casusoverleg. Niet doorsturen, niet "
                "bewaren na het overleg.")


def label(vocab: Any, code: Any) -> str:
    if not code:
        return ""
    try:
        return vocab(code).label.nl
    except ValueError:
        return str(code)


def _day(value: Any) -> str:
    """``2025-10-15`` as ``15-10-2025``; anything else as is."""
    if isinstance(value, str) and len(value) == 10 and value[4] == "-":
        return f"{value[8:10]}-{value[5:7]}-{value[0:4]}"
    return str(value or "")


def _trend(points: list[tuple[int, int]]) -> str:
    if len(points) < 2:
        return "nieuw"
    a, b = points[-2][1], points[-1][1]
    return "stijgend" if b > a else "dalend" if b < a else "gelijk"


def case_data(ctx: Any, *, now: int, generated_by: str, authors: Mapping[str, str] | None = None) -> dict:
    """Everything the PDF shows of ``ctx.client_id``. ``authors`` (record id → author) lets a report show
    *Definitief* only after a supervisor other than its author approved it."""
    authors = authors or {}
    found = ctx.record(ctx.client_id)
    client = found[1] if found else {}
    frameworks = dict(ctx.records("framework"))
    data: dict[str, Any] = {
        "title": "Casusoverleg",
        "name": client.get("display_name") or "?",
        "fictional": bool(client.get("fictional")),
        "generated": f"Gemaakt op {format_moment(now)} door {generated_by} (op het toestel, uit versleutelde gegevens)",
        "confidential": CONFIDENTIAL,
        "facts": [(k, v) for k, v in (
            ("Geboortedatum", _day(client.get("birth_date"))),
            ("Status", label(ClientStatus, client.get("status") or "ACTIEF")),
            ("Regime", label(KaderRegime, client.get("regime"))),
            ("Veiligheid", label(Veiligheidswaarschuwing, client.get("safety_warning"))
             if client.get("safety_warning") not in (None, "GEEN") else ""),
            ("Casemanager", client.get("assigned_to") or ""),
        ) if v],
    }
    sup = current_supervision(ctx)
    if sup:
        data["facts"].append(("Toezichtniveau", label(Toezichtniveau, sup[1].get("level"))
                              + (" (verscherpt)" if sup[1].get("intensified") else "")))
    data["frameworks"] = [
        {"title": label(KaderType, f.get("framework_type")),
         "lines": [x for x in (
             f"Status: {label(KaderStatus, f.get('status'))}",
             f"Opdrachtgever: {label(Opdrachtgever, f.get('commissioner'))}" if f.get("commissioner") else "",
             f"Looptijd: {_day(f.get('start'))} t/m {_day(f.get('end')) or 'onbepaald'}" if f.get("start") else "",
             f"Fase: {label(KaderFase, f.get('current_phase'))}" if f.get("current_phase") else "") if x]}
        for _, f in sorted(frameworks.items(), key=lambda kv: str(kv[1].get("start") or ""))]
    data["conditions"] = [
        {"title": label(VoorwaardeType, c.get("condition_type")),
         "lines": [x for x in (
             f"“{c.get('wording')}”" if c.get("wording") else "",
             ("Geldt" if c.get("active", True) else "Vervallen")
             + (f" van {_day(c.get('start'))}" if c.get("start") else "")
             + (f" tot {_day(c.get('end'))}" if c.get("end") else ""),
             f"Kader: {label(KaderType, frameworks.get(c.get('framework_id'), {}).get('framework_type'))}") if x]}
        for _, c in ctx.records("condition")]
    data["compliance"] = _compliance(ctx, now)
    data["risks"] = _risks(ctx)
    data["flags"] = [
        {"title": f"{label(FlagReden, f.get('reason'))} ({label(Urgentie, f.get('urgency'))})",
         "lines": [x for x in (
             f"Status: {label(FlagStatus, f.get('status') or 'OPEN')}",
             f"Deadline: {format_moment(f['deadline'])}" + (" (te laat)" if f["deadline"] < now else "")
             if type(f.get("deadline")) is int else "",
             f"Toegewezen aan: {f.get('assignee')}" if f.get("assignee") else "",
             f"Gezien door {f.get('acknowledged_by')}" if f.get("acknowledged_by") else "",
             "Automatisch signaal" if f.get("raised_by_rule") else "", f.get("note") or "") if x]}
        for _, f in sorted(ctx.records("flag"), key=lambda kv: kv[1].get("deadline") or 0)
        if f.get("status", "OPEN") in (FlagStatus.OPEN.value, FlagStatus.IN_BEHANDELING.value)]
    data["network"] = [
        {"title": n.get("name") or "?", "lines": [x for x in (
            label(Relatie, n.get("relation")) + (" · " + ", ".join(label(NetwerkRol, r) for r in n.get("roles") or [])
                                                 if n.get("roles") else ""),
            "Woont samen met betrokkene" if n.get("lives_with_client") else "", n.get("note") or "") if x]}
        for _, n in ctx.records("network_person")]
    data["actions"] = _actions(ctx)
    data["reports"], data["decisions"] = _reports(ctx, authors)
    return data


def _compliance(ctx: Any, now: int) -> dict:
    """Per week the checks that were complied with, doubtful or a violation (the chart), and per condition
    its latest check."""
    starts = week_starts(now, COMPLIANCE_WEEKS)
    by: dict[str, list[int]] = {s: [] for s in COMPLIANCE_SERIES}
    latest: dict[str, tuple[int, str]] = {}
    for _, c in ctx.records("contact"):
        at = c.get("occurred_at")
        for item in c.get("compliance") or []:
            status = item.get("status") if isinstance(item, dict) else None
            if status in by:
                by[status].append(at)
            cid = item.get("condition_id") if isinstance(item, dict) else None
            if cid and type(at) is int and (cid not in latest or latest[cid][0] < at):
                latest[cid] = (at, status or "")
    conditions = dict(ctx.records("condition"))
    return {
        "weeks": [local_date(s).strftime("%d-%m") for s in starts],
        "series": [(label(NalevingStatus, s), list(per_week(by[s], starts))) for s in COMPLIANCE_SERIES],
        "latest": [f"{label(VoorwaardeType, conditions.get(cid, {}).get('condition_type'))}: "
                   f"{label(NalevingStatus, status)} ({local_iso(at)[8:10]}-{local_iso(at)[5:7]})"
                   for cid, (at, status) in sorted(latest.items(), key=lambda kv: -kv[1][0])],
    }


def _risks(ctx: Any) -> list[dict]:
    domains = {r.get("domain") for _, c in ctx.records("contact") for r in c.get("risks") or []
               if isinstance(r, dict) and r.get("domain")}
    out = []
    for d in sorted(domains):
        points = risk_trend_series(ctx, d)
        if points:
            out.append({"title": label(RisicoDomein, d), "latest": label(Ernst, list(Ernst)[points[-1][1]].value),
                        "trend": _trend(points), "points": [p[1] for p in points[-8:]],
                        "dates": [local_iso(p[0])[8:10] + "-" + local_iso(p[0])[5:7] for p in points[-8:]]})
    return sorted(out, key=lambda r: (-r["points"][-1], r["title"]))


def _actions(ctx: Any) -> list[dict]:
    """Partner actions grouped per phase (of the plan; else the case's phase)."""
    cases = dict(ctx.records("zvh_case"))
    groups: dict[str, list[str]] = {}
    for _, a in ctx.records("case_action"):
        phase = a.get("phase") or label(CasusFase, cases.get(a.get("case_id"), {}).get("phase")) or "Zonder fase"
        line = f"{a.get('action')} · {a.get('owner')} · {label(ActieStatus, a.get('status') or 'OPEN')}"
        if a.get("due"):
            line += f" · uiterlijk {_day(a['due'])}"
        groups.setdefault(phase, []).append(line)
    return [{"title": phase, "lines": lines} for phase, lines in groups.items()]


def _reports(ctx: Any, authors: Mapping[str, str]) -> tuple[list[dict], list[dict]]:
    reviews: dict[str, list[ReviewEntry]] = {}
    for rid, r in ctx.records("review"):
        reviews.setdefault(r.get("target_id") or "", []).append(
            ReviewEntry(rid, r.get("decision") or "", r.get("comment") or "", r.get("at") or 0, authors.get(rid, "")))
    reports = []
    for rid, r in ctx.records("report"):
        state = review_state(authors.get(rid, "?"), reviews.get(rid, []))
        reports.append({"title": f"{label(RapportageType, r.get('report_type'))} aan {label(RapportageAan, r.get('requested_by'))}",
                        "lines": [x for x in (
                            f"Status: {label(RapportageStatus, report_status(r, state))}",
                            f"Uiterste datum: {_day(r.get('due_date'))}" if r.get("due_date") else "",
                            f"Advies: {label(Advies, r.get('advice'))}" if r.get("advice") else "") if x]})
    decisions = [{"title": f"{label(OmBeslissing, d.get('decision'))} ({_day(d.get('date'))})",
                  "lines": [x for x in (f"Gevolg: {label(BeslissingEffect, d.get('effect'))}",
                                        d.get("court_outcome") or "", d.get("note") or "") if x]}
                 for _, d in sorted(ctx.records("om_decision"), key=lambda kv: str(kv[1].get("date")))]
    return reports, decisions
