"""The demo's review-and-follow-up steps (#9) as `make run` runs them, each on its own device and synced in
between: the worker's cases and reports, the supervisor's reviews, the coordinator's flags, the worker's
acknowledgement; then every device sees all of it, and the demo's dates lie just before today."""

from __future__ import annotations

from datetime import date

from procs import SUP_PASS, WORK_PASS, admit, device_cli, sync

from field_app.domain.dashboard import Rec, review_entries
from field_app.domain.review import review_state
from field_app.services import Services

COORD_PASS = "procesregisseur-geheim-1"


def _open(data, passphrase) -> Services:
    svc = Services(data, autosync=False)
    svc.unlock(passphrase)
    svc.sync_once()
    return svc


def test_reviews_flags_and_an_acknowledgement_each_from_its_own_device(team):
    coord = team["tmp"] / "coordinator"
    admit(team["sup"], SUP_PASS, coord, COORD_PASS, "Anouk Prins (fictief)", role="PROCESREGISSEUR")
    sync(coord, COORD_PASS)
    assert device_cli(team["work"], WORK_PASS, "demo-seed")["clients"] == 5
    assert device_cli(team["sup"], SUP_PASS, "demo-seed", "--step", "reviews") == {"reviews": 3}
    assert device_cli(coord, COORD_PASS, "demo-seed", "--step", "flags") == {"flags": 2}
    assert device_cli(team["work"], WORK_PASS, "demo-seed", "--step", "acknowledge") == {"acknowledged": 1}
    # again: nothing twice
    assert device_cli(team["sup"], SUP_PASS, "demo-seed", "--step", "reviews") == {"reviews": 0}

    sup = _open(team["sup"], SUP_PASS)
    try:
        ids = {c.display_name: c.id for c in sup.caseload()}
        reviews = [r for cid in ids.values() for r in sup.records(cid, "review")]
        assert {r.author for r in reviews} == {"Fatima El Amrani (fictief)"}
        entries = review_entries([Rec(r.id, r.type, r.client_id, r.fields, r.author, r.created_at) for r in reviews])
        states = {}
        for name in ("Erik M.", "Dennis A.", "Sandra K.", "Henk V."):
            for rtype in ("contact", "report"):
                for item in sup.records(ids[name], rtype):
                    states[(name, rtype, item.id)] = review_state(item.author, entries.get(item.id, [])).status
        assert any(k[0] == "Dennis A." and v == "AANPASSEN" for k, v in states.items())
        assert any(k[:2] == ("Erik M.", "contact") and v == "GOEDGEKEURD" for k, v in states.items())
        assert any(k[:2] == ("Henk V.", "report") and v == "GOEDGEKEURD" for k, v in states.items())
        assert any(k[:2] == ("Sandra K.", "report") and v == "TE_BEOORDELEN" for k, v in states.items())
        sandra_report = sup.records(ids["Sandra K."], "report")[0].fields
        assert 0 <= (date.fromisoformat(sandra_report["due_date"]) - date.today()).days <= 7  # due this week
        flags = {f.client_id: f for f in sup.open_flags() if f.author == "Anouk Prins (fictief)"}
        assert flags[ids["Henk V."]].fields["acknowledged_by"] == "Lotte de Boer (fictief)"
        overdue = flags[ids["Sandra K."]].fields
        assert not overdue.get("acknowledged_by") and overdue["deadline"] < sup.device.clock()
        # relative to today: the last contacts are days, not months, ago
        days = {i.display_name: i.days_since_contact for i in sup.caseload_items()}
        assert all(d is not None and d <= 20 for d in days.values()), days
    finally:
        sup.close()
