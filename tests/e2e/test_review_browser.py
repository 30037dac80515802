"""Review and follow-up in real browsers at 390x844, three devices of one team on one real server, each its
own `field-app serve` process syncing in the background: the coordinator (first device), the supervisor
and the field worker. The worker's work is written through her services before serving: a contact with a
violation, a report waiting for approval, a transition three hours late (its rule raises the automatic
'te laat' flag) and, from the coordinator, a flag assigned to her.

1. The supervisor returns the contact with a comment and approves the report on the Team tab.
2. The worker sees 'Terug voor aanpassing' on her caseload row and the timeline, answers with an addendum
   and resubmits; her report reads 'Definitief'; she acknowledges the coordinator's flag.
3. The supervisor sees the resubmitted contact again and approves it.
4. The coordinator sees who acknowledged the flag, and the automatic late-transition flag in her queue.
Screenshots: artifacts/e2e/review_*.png."""

from __future__ import annotations

import re

import pytest
from e2e_support import PASSPHRASE, Stack, Tab, stop
from playwright.sync_api import expect

from field_app.domain.hlc import now_ms

pytestmark = pytest.mark.e2e
CLIENT = "Bas Beoordeling (fictief)"
WORKER, SUPERVISOR, COORDINATOR = "Lotte de Boer (fictief)", "Fatima El Amrani (fictief)", "Kees Visser (fictief)"
COMMENT = "Noem de bron van de no-show."
ADDENDUM = "Bron: de baliemedewerker van het kantoor."


def _team(work) -> dict:
    """The server, then three devices enrolled and confirmed by fingerprint, the worker's work, a sync."""
    from field_app.services import Services

    server = Stack(work, "review", cli_enrol=False).start()
    stop(server.web)
    coord = Services.enrol(work / "coordinator", server_url=server.server_url, code=server.code,
                           passphrase=PASSPHRASE, user_name=COORDINATOR, autosync=False)
    coord.sync_once()
    devices = {"coordinator": coord}
    for name, user, role in (("supervisor", SUPERVISOR, "WERKBEGELEIDER"), ("worker", WORKER, "VELDWERKER")):
        invitation = coord.create_invitation(role)
        svc = Services.enrol(work / name, invite=invitation["text"], passphrase=PASSPHRASE, user_name=user,
                             autosync=False)
        coord.confirm_device(svc.device_id, " ".join(svc.fingerprint()))
        svc.sync_once()
        devices[name] = svc
    work_svc = devices["worker"]
    cid = work_svc.intake(CLIENT, fictional=True)
    fw = work_svc.create_record("framework", cid, {"framework_type": "VV", "start": "2025-01-01"})
    cond = work_svc.create_record("condition", cid, {"framework_id": fw, "condition_type": "MELDPLICHT",
                                                     "parameters": {"frequency": "WEKELIJKS"}})
    ids = {"client": cid}
    ids["contact"] = work_svc.create_record("contact", cid, {
        "contact_type": "KANTOOR", "outcome": "NIET_VERSCHENEN", "excused": False,
        "compliance": [{"condition_id": cond, "status": "OVERTREDING",
                        "violation": {"severity": "GERING", "response": "AANSPREKEN", "proposed": "AANSPREKEN"}}]})
    ids["report"] = work_svc.create_record("report", cid, {
        "report_type": "OVERTREDING", "requested_by": "OM", "advice": "WAARSCHUWING_OM",
        "text": "Advies: waarschuwing door het OM.", "status": "TER_GOEDKEURING"})
    work_svc.create_record("transition", cid, {
        "transition_type": "OVERPLAATSING_KLINIEK_VOORWAARDELIJK", "from_place": "PI Vught (fictief)",
        "to_place": "Kliniek De Brug (fictief)", "planned_at": now_ms() - 3 * 3_600_000, "transport": "DV_O"})
    for _ in range(2):
        for svc in devices.values():
            svc.sync_once()
    ids["flag"] = coord.create_record("flag", cid, {
        "reason": "ONTTREKKING", "urgency": "ZELFDE_DAG", "route": "PROCESREGISSEUR_ZVH", "assignee": WORKER,
        "note": "Niet verschenen en telefoon uit."})
    for _ in range(2):
        for svc in devices.values():
            svc.sync_once()
    assert {i.record.id for i in devices["supervisor"].review_queue()} == {ids["contact"], ids["report"]}
    for svc in devices.values():
        svc.close()
    webs = {}
    for name in ("coordinator", "supervisor", "worker"):
        web = Stack(work, f"review_{name}", enrol=False)
        web.data = work / name
        webs[name] = web.start()
    return {"server": server, "webs": webs, "ids": ids}


@pytest.fixture(scope="module")
def team(tmp_path_factory):
    t = _team(tmp_path_factory.mktemp("review"))
    try:
        yield t
    finally:
        for web in t["webs"].values():
            web.close()
        t["server"].close()


@pytest.fixture(scope="module")
def tabs(phone, team):
    opened = {name: Tab(phone, web.url).open() for name, web in team["webs"].items()}
    for tab in opened.values():
        front(tab).unlock()
    yield opened
    for tab in opened.values():
        tab.check_clean()


def front(tab: Tab) -> Tab:
    """The three devices are tabs of one browser: the one being used comes to the front (Flutter web takes
    typed text only in the page that has the focus, as on a real phone)."""
    tab.page.bring_to_front()
    tab.frame()
    return tab


def team_tab(tab: Tab) -> None:
    team = tab.page.get_by_role("tab", name=re.compile(r"^(\d+ )?Team"))
    expect(team).to_be_visible(timeout=90_000)  # after the unlock (three devices unlock at once)
    team.click()
    expect(tab.page.get_by_role("heading", name="Te beoordelen")).to_be_visible(timeout=30_000)


def fill_and_confirm(tab: Tab, label: str, text: str, confirm_id: str, done: str) -> None:
    """Type into the small form's field and save it; the app says so and goes back."""
    tab.type(label, text)
    tab.by_id(confirm_id).click()
    expect(tab.text(done)).to_be_visible(timeout=15_000)


def test_01_supervisor_returns_the_contact_and_approves_the_report(tabs, team):
    tab, ids = front(tabs["supervisor"]), team["ids"]
    team_tab(tab)
    ret = tab.by_id(f"review-return-{ids['contact']}")
    expect(ret).to_be_attached(timeout=60_000)
    expect(tab.text("Overtreding of hoog risico: eerst bekijken").first).to_be_visible()
    tab.shot("review_queue")
    tab.reveal(ret)
    ret.click()
    fill_and_confirm(tab, "Wat moet er anders?", COMMENT, "review-return-save", "Teruggestuurd voor aanpassing.")
    approve = tab.seek(tab.by_id(f"review-approve-{ids['report']}"))
    approve.click()
    expect(tab.by_id(f"review-item-{ids['report']}")).to_have_count(0, timeout=15_000)
    expect(tab.by_id(f"review-item-{ids['contact']}")).to_have_count(0)
    expect(tab.by_id("review-empty")).to_be_attached()


def test_02_worker_sees_the_return_resubmits_and_the_report_is_final(tabs, team):
    tab, ids = front(tabs["worker"]), team["ids"]
    row = tab.page.get_by_role("button", name=re.compile(f"^{re.escape(CLIENT)}"))
    expect(row).to_have_accessible_name(re.compile("Terug voor aanpassing"), timeout=90_000)
    tab.shot("review_worker_caseload")
    row.click()
    expect(tab.by_id("section-timeline")).to_be_attached(timeout=30_000)
    tab.seek(tab.by_id(f"review-state-{ids['contact']}"))
    tab.seek(tab.text(COMMENT))
    resubmit = tab.seek(tab.by_id(f"review-resubmit-{ids['contact']}"))
    tab.shot("review_worker_returned")
    resubmit.click()
    fill_and_confirm(tab, "Aanvulling of toelichting", ADDENDUM, "review-resubmit-save", "Opnieuw ingediend.")
    tab.seek(tab.text(ADDENDUM).first)
    tab.section("section-reports").click()  # the client file's sideways row
    expect(tab.by_id(f"report-status-{ids['report']}")).to_contain_text("Status: Definitief", timeout=30_000)
    tab.shot("review_worker_report_final")


def test_03_worker_acknowledges_the_coordinators_flag(tabs, team):
    tab, ids = front(tabs["worker"]), team["ids"]
    tab.page.get_by_role("tab", name="Signalen").click()
    ack = tab.seek(tab.by_id(f"flag-ack-{ids['flag']}"))
    ack.click()
    expect(tab.text("Je pakt dit signaal op; de procesregisseur ziet het.")).to_be_visible(timeout=15_000)
    expect(tab.by_id(f"flag-ack-{ids['flag']}")).to_have_count(0)


def test_04_supervisor_sees_the_resubmission_and_approves(tabs, team):
    tab, ids = front(tabs["supervisor"]), team["ids"]
    tab.page.get_by_role("tab", name=re.compile("^Cliënten")).click()
    team_tab(tab)
    state = tab.by_id(f"review-state-{ids['contact']}")
    expect(state).to_contain_text("Opnieuw ingediend", timeout=90_000)
    expect(tab.text(re.compile(re.escape(ADDENDUM))).first).to_be_attached()
    tab.seek(tab.by_id(f"review-approve-{ids['contact']}")).click()
    expect(tab.by_id("review-empty")).to_be_attached(timeout=15_000)


def test_05_coordinator_sees_the_acknowledgement_and_the_automatic_late_flag(tabs):
    tab = front(tabs["coordinator"])
    tab.page.get_by_role("tab", name="Signalen").click()
    flag = tab.page.get_by_role("button", name=re.compile("^Onttrekking"))
    expect(flag).to_have_accessible_name(re.compile(f"Gezien door {re.escape(WORKER)}"), timeout=90_000)
    late = tab.page.get_by_role("button", name=re.compile("^Overgang mislukt of vertraagd"))
    expect(late).to_have_accessible_name(re.compile("Automatisch"))
    tab.shot("review_coordinator_flags")
