"""The team dashboard in a real browser at 390x844 (the coordinator's device of a real server, seeded with
the five fictional demo cases): its figures, and its flet-charts charts drawn by the prebuilt web client of
flet-web (no extension to register). Screenshots: artifacts/e2e/dash_*.png."""

from __future__ import annotations

import pytest
from e2e_support import PASSPHRASE, Stack, Tab, stack_fixture, stop
from PIL import Image
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


def _seeded(work):
    s = Stack(work, "dash").start()  # the team's first device: PROCESREGISSEUR
    stop(s.web)
    from field_app.demo import seed
    from field_app.services import Services

    svc = Services(s.data, autosync=False)
    try:
        svc.unlock(PASSPHRASE)
        seed(svc)
    finally:
        svc.close()
    s.enrol = False
    return s.start()


stack = stack_fixture("dash", _seeded)


def _colours(path, box) -> int:
    """How many different colours the screenshot has inside ``box`` (a drawn chart has several: bars,
    grid lines, axis words on the card)."""
    img = Image.open(path).convert("RGB")
    crop = img.crop((int(box["x"]), int(box["y"]), int(box["x"] + box["width"]), int(box["y"] + box["height"])))
    return len(crop.getcolors(maxcolors=1 << 24) or [])


def test_01_the_coordinator_opens_the_team_overview(tab: Tab):
    page = tab.page
    tab.unlock()
    page.get_by_role("tab", name="Meer").click()
    opener = page.get_by_role("button", name="Teamoverzicht openen")
    expect(opener).to_be_visible(timeout=30_000)
    opener.click()
    expect(tab.by_id("dash-tile-flags")).to_be_visible(timeout=30_000)
    expect(page.get_by_role("heading", name="Open signalen")).to_be_visible()
    expect(tab.by_id("dash-flag").first).to_be_attached()
    tab.shot("dash_top")


def test_02_charts_are_drawn_in_the_web_build(tab: Tab):
    chart = tab.seek(tab.by_id("dash-chart-flags"))
    label = chart.get_attribute("aria-label") or chart.inner_text()
    assert "nieuwe signalen per week" in label.lower(), label
    tab.steady(chart)
    path = tab.shot("dash_chart_flags")
    box = chart.bounding_box()
    assert box and box["height"] > 100, box
    assert _colours(path, box) > 6, "the chart area is blank: flet-charts did not draw"
    risks = tab.seek(tab.by_id("dash-chart-risks"))
    tab.steady(risks)
    path = tab.shot("dash_chart_risks")
    assert _colours(path, risks.bounding_box()) > 6


def test_03_the_devices_last_sync_from_the_server(tab: Tab):
    tab.seek(tab.by_id("dash-devices-fetch"))
    tab.page.get_by_role("button", name="Ophalen bij de server").click()
    device = tab.seek(tab.by_id("dash-device").first)
    expect(device).to_contain_text("dit toestel", timeout=20_000)
    expect(device).to_contain_text("laatst gesynchroniseerd")
    tab.shot("dash_devices")
