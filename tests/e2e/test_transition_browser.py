"""Marking a transition late, in a real browser at 390x844: a device whose client has a transition planned
three hours ago and not arrived (written through the services before serving; the write itself raises the
automatic OVERGANG_TE_LAAT flag) → open the client → Overgang & nazorg shows the transition red with
"Te laat" and the flag → tap "Vertraagd" → screenshot artifacts/e2e/transition_late.png."""

from __future__ import annotations

import re

import pytest
from e2e_support import PASSPHRASE, Stack, Tab, stack_fixture, stop
from playwright.sync_api import expect

from field_app.domain.hlc import now_ms

pytestmark = pytest.mark.e2e
NAME = "Tom Transit (fictief)"


class SeededStack(Stack):
    """The usual stack, with one client written into the device before its web UI starts."""

    def start(self) -> SeededStack:
        super().start()
        stop(self.web)  # the device's data may have one writer at a time
        self.ids = self._seed()
        self._serve()
        return self

    def _seed(self) -> dict:
        from field_app.services import Services

        svc = Services(self.data, autosync=False)
        svc.unlock(PASSPHRASE)
        try:
            cid = svc.intake(NAME, fictional=True, safety_warning="DUO_BEZOEK", regime="DWANG")
            fw = svc.create_record("framework", cid, {"framework_type": "VI", "start": "2025-03-01"})
            cond = svc.create_record("condition", cid, {
                "framework_id": fw, "condition_type": "MIDDELENVERBOD", "wording": "Betrokkene gebruikt geen alcohol.",
                "parameters": {"substances": ["ALCOHOL"]}, "control_means": ["ALCOHOLMETER"],
                "enforcer": "RECLASSERING"})
            for days, sev, status in ((20, "LAAG", "NAGELEEFD"), (9, "MIDDEN", "SIGNAAL_TWIJFEL"),
                                      (1, "HOOG", "OVERTREDING")):
                svc.create_record("contact", cid, {
                    "contact_type": "HUISBEZOEK_AANGEKONDIGD", "outcome": "PLAATSGEVONDEN",
                    "occurred_at": now_ms() - days * 86_400_000, "report": f"Huisbezoek, {days} dagen geleden.",
                    "risks": [{"domain": "ALCOHOL", "severity": sev}],
                    "protective": [{"category": "EXTERN", "code": "STEUNEND_NETWERK"}],
                    "compliance": [{"condition_id": cond, "status": status, **({"violation": {
                        "severity": "MATIG", "response": "AANSPREKEN"}} if status == "OVERTREDING" else {})}]})
            svc.create_record("supervision", cid, {"organisation": "RN", "level": "NIVEAU_3"})
            tr = svc.create_record("transition", cid, {
                "transition_type": "ONTSLAG_DETENTIE", "from_place": "PI Zwaag (fictief)",
                "to_place": "De Haven (fictief)", "planned_at": now_ms() - 3 * 3_600_000,
                "transport": "FAMILIE", "accompanied_by": "Broer (fictief)"})
            flags = svc.records(cid, "flag")
            assert [f.fields["raised_by_rule"] for f in flags] == ["OVERGANG_TE_LAAT"]
            return {"client": cid, "transition": tr, "condition": cond}
        finally:
            svc.lock()
            svc.close()

    def _serve(self) -> None:
        self.serve_web()  # the same environment and launch key as Stack.start


stack = stack_fixture("transition", lambda work: SeededStack(work, "transition").start())




def _scroll_until(tab: Tab, locator, steps: int = 20, delta: int = 300) -> None:
    """Flutter builds a list lazily: wheel down until the control exists, then bring it into view."""
    for _ in range(steps):
        if locator.count():
            break
        tab.page.mouse.move(195, 420)
        tab.page.mouse.wheel(0, delta)
        tab.page.wait_for_timeout(300)
    tab.reveal(locator)
    tab.steady(locator)


def test_late_transition_marked_vertraagd(tab: Tab, stack: SeededStack):
    tr = stack.ids["transition"]
    tab.unlock()
    name = tab.text(NAME).first
    expect(name).to_be_visible(timeout=20_000)
    name.click()
    expect(tab.by_id("safety-warning")).to_be_visible(timeout=10_000)
    tab.shot("transition_client_header")
    tab.section("section-transitions").click()
    late = tab.by_id(f"tr-late-{tr}")
    expect(late).to_be_visible(timeout=10_000)
    expect(tab.text("Overgang mislukt of vertraagd").first).to_be_attached()
    delayed = tab.by_id(f"tr-delayed-{tr}")
    _scroll_until(tab, delayed)
    tab.shot("transition_late_before")
    delayed.click()
    tab.page.wait_for_timeout(500)
    _scroll_until(tab, tab.by_id(f"tr-status-{tr}"), delta=-250)
    expect(tab.by_id(f"tr-status-{tr}")).to_contain_text("Vertraagd", timeout=10_000)
    expect(tab.by_id(f"tr-delayed-{tr}")).to_have_count(0)
    card = tab.by_id(f"tr-late-{tr}")
    tab.reveal(card, top=60)
    tab.page.mouse.wheel(0, -60)
    tab.page.wait_for_timeout(400)
    tab.shot("transition_late")


def test_other_sections_read_well(tab: Tab, stack: SeededStack):
    """Voorwaarden and Risico's of the same client, for the eye (screenshots)."""
    page = tab.page
    for _ in range(10):
        page.mouse.move(195, 420)
        page.mouse.wheel(0, -600)
    page.wait_for_timeout(400)
    tab.section("section-conditions").click()
    page.wait_for_timeout(500)
    badge = tab.by_id(f"compliance-{stack.ids['condition']}")
    _scroll_until(tab, badge)
    expect(badge).to_contain_text(re.compile("Laatste naleving: Overtreding"))
    tab.shot("client_conditions")
    add = tab.by_id("add-condition")
    _scroll_until(tab, add, delta=-300)
    add.click()
    expect(tab.by_id("condition-form-save")).to_be_visible(timeout=10_000)
    tab.shot("client_condition_form")
    page.get_by_label("Terug").first.click()
    expect(tab.by_id("client-sections")).to_be_attached(timeout=10_000)
    for _ in range(10):
        page.mouse.wheel(0, -600)
    page.wait_for_timeout(400)
    tab.section("section-risks").click()
    expect(tab.by_id("risk-ALCOHOL")).to_be_attached(timeout=10_000)
    page.mouse.wheel(0, 380)
    page.wait_for_timeout(400)
    tab.shot("client_risks")


def test_client_file_at_200_percent_text(tab: Tab, stack: SeededStack):
    """The header, the section selector and the late transition stay readable at 200 % text."""
    page = tab.page
    page.get_by_role("tab", name="Meer").click()
    expect(page.get_by_role("button", name="200 %")).to_be_visible(timeout=10_000)
    page.get_by_role("button", name="200 %").click()
    page.wait_for_timeout(800)
    page.get_by_role("tab", name="Cliënten").click()
    name = tab.text(NAME).first
    expect(name).to_be_visible(timeout=20_000)
    name.click()
    expect(tab.by_id("safety-warning")).to_be_visible(timeout=10_000)
    tab.shot("client_header_200")
    tab.section("section-transitions").click()
    page.wait_for_timeout(500)
    late = tab.by_id(f"tr-late-{stack.ids['transition']}")
    _scroll_until(tab, late)
    expect(late).to_be_visible()
    tab.shot("transition_late_200")
    page.get_by_role("tab", name="Meer").click()
    expect(page.get_by_role("button", name="100 %")).to_be_visible(timeout=10_000)
    page.get_by_role("button", name="100 %").click()
    page.wait_for_timeout(500)
