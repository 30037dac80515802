"""The six questions of a ZVH team (#15) on demo case A (Henk V.), in a real browser at 390x844, each
answered within three taps from his client screen:

1. Welke organisaties moeten contact hebben met elkaar?  → Samenwerking (Organisaties)
2. Welke taken horen bij wie in welke fase?               → Samenwerking → Taken per fase
3. Hoe werken we samen als hij niet meewerkt?             → Samenwerking → Niet meewerken
4. Welke risico's zien jullie?                            → Risico's
5. Busje te laat… en nu?                                  → Overgang & nazorg (the flag's "En nu?")
6. En als hij direct vrijkomt na de zitting en bij zijn moeder intrekt?
                                                          → Samenwerking → Taken per fase → Vrij na de zitting
Screenshots: artifacts/e2e/case_q*.png."""

from __future__ import annotations

import re

import pytest
from e2e_support import PASSPHRASE, Stack, Tab, check_targets_and_names, stack_fixture, stop
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


def _seeded(work):
    from field_app.demo import seed
    from field_app.services import Services

    s = Stack(work, "case").start()
    stop(s.web)  # enrolled: now seed the device through the real services, then serve it
    svc = Services(s.data, autosync=False)
    try:
        svc.unlock(PASSPHRASE)
        seed(svc)
    finally:
        svc.close()
    s.enrol = False
    return s.start()


stack = stack_fixture("case", _seeded)


class Taps:
    """Counts the taps of one question, starting on the client screen."""

    def __init__(self, tab: Tab):
        self.tab, self.n = tab, 0

    def __call__(self, identifier: str) -> None:
        target = self.tab.by_id(identifier)
        expect(target).to_be_attached(timeout=10_000)
        self.tab.seek(target)
        self.tab.steady(target)
        target.click()
        self.n += 1
        self.tab.page.wait_for_timeout(400)


def _top(tab: Tab) -> None:
    for _ in range(8):
        tab.page.mouse.move(195, 420)
        tab.page.mouse.wheel(0, -800)
    tab.page.wait_for_timeout(300)


def _checked(tab: Tab, where: str) -> None:
    """Touch targets and names, once the list has stopped scrolling (a box measured mid-scroll is wrong)."""
    tab.page.wait_for_timeout(600)
    tab.frame()
    check_targets_and_names(tab, where)


def _see(tab: Tab, text: str, shot: str | None = None):
    found = tab.text(re.compile(re.escape(text))).first
    tab.seek(found)
    expect(found).to_be_visible(timeout=10_000)
    if shot:
        tab.shot(shot)
    return found


def test_six_questions_within_three_taps(tab: Tab):
    tab.unlock()
    henk = tab.page.get_by_role("button", name=re.compile(r"^Henk V\."))
    expect(henk).to_be_visible(timeout=30_000)
    henk.click()
    expect(tab.by_id("section-case")).to_be_attached(timeout=15_000)
    tab.shot("case_q0_client")

    # 1. organisations: one tap
    tap = Taps(tab)
    tap("section-case")
    _see(tab, "Betrokken organisaties")
    _see(tab, "Contactpersoon: Lotte de Boer", "case_q1_organisations")
    _see(tab, "FPK De Linde (fictief)")
    _see(tab, "Laatste contact:")
    _checked(tab, "case_organisations")
    assert tap.n <= 3

    # 2. tasks per phase: two taps (this case's phase first)
    _top(tab)
    tap = Taps(tab)
    tap("section-case")
    tap("case-part-tasks")
    _see(tab, "Fase van deze casus")
    _see(tab, "Eerste toezichtgesprek", "case_q2_tasks")
    assert tap.n <= 3

    # 3. when he does not cooperate: two taps
    _top(tab)
    tap = Taps(tab)
    tap("section-case")
    tap("case-part-path")
    _see(tab, "Regime: Dwang")
    _see(tab, "Volgend casusoverleg:", "case_q3_path")
    _see(tab, "Volgende stap: Spoedmelding aan OM of politie")
    _see(tab, "Beslist: het OM", "case_q3_path_conditions")
    assert tap.n <= 3

    # 4. risks: one tap
    _top(tab)
    tap = Taps(tab)
    tap("section-risks")
    _see(tab, "Geweld / dreiging naar anderen", "case_q4_risks")
    assert tap.n <= 3

    # 5. the late bus, and now? one tap: the flag on the transition with its action list, half done
    _top(tab)
    tap = Taps(tab)
    tap("section-transitions")
    _see(tab, "En nu?")
    _see(tab, "3 van 5 stappen gedaan", "case_q5_late_bus")
    step = tab.page.get_by_role("button", name="Informeer de procesregisseur ZVH: nog te doen")
    tab.seek(step)
    expect(step).to_be_visible(timeout=10_000)
    expect(tab.page.get_by_role("button", name="Spreek af wie er intussen bij de cliënt blijft: gedaan")
           ).to_be_attached()
    tab.shot("case_q5_late_bus_steps")
    # No target check here: Flutter web reports some step rows' semantics boxes shorter than drawn (38 or 2 px
    # for a 90 px row, the same with a ListTile) — see the report of #15; the rows are 72+ px on screen.
    assert tap.n <= 3

    # 6. released straight after the hearing, moving in with his mother: three taps
    _top(tab)
    tap = Taps(tab)
    tap("section-case")
    tap("case-part-tasks")
    tap("phase-VRIJLATING_NA_ZITTING")
    _see(tab, "Onderdak eerste nacht", "case_q6_release")
    _see(tab, "Meldcode-afweging als hij bij een (eerder) slachtoffer intrekt")
    _see(tab, "Veiligheidsbeoordeling op het woonadres", "case_q6_release_more")
    _checked(tab, "case_tasks")
    assert tap.n <= 3
