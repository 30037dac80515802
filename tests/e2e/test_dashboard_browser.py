"""The team dashboard in a real browser at 390x844 (the coordinator's device of a real server, seeded with
the five fictional demo cases): its figures, and its flet-charts charts drawn by the prebuilt web client of
flet-web (no extension to register); then the case-conference PDF downloaded from a client's file.
Screenshots: artifacts/e2e/dash_*.png, case_pdf_*.png (the PDF's first page rendered with pdftoppm)."""

from __future__ import annotations

import re
import subprocess

import pytest
from e2e_support import ARTIFACTS, PASSPHRASE, Stack, Tab, check_targets_and_names, stack_fixture, stop
from PIL import Image
from playwright.sync_api import expect
from pypdf import PdfReader

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
    page.get_by_role("tab", name=re.compile("^Team")).click()
    opener = tab.seek(page.get_by_role("button", name="Teamoverzicht openen"))
    expect(opener).to_be_visible(timeout=30_000)
    opener.click()
    expect(tab.by_id("dash-tile-flags")).to_be_visible(timeout=30_000)
    expect(page.get_by_role("heading", name="Open signalen")).to_be_visible()
    expect(tab.by_id("dash-flag").first).to_be_attached()
    # by deadline, the earliest first: the list opens with an overdue flag (the demo has some)
    expect(tab.by_id("dash-flag").first).to_contain_text("te laat sinds")
    tab.shot("dash_top")
    check_targets_and_names(tab, "dashboard")  # 48 dp targets, every control named


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


def test_04_the_case_conference_pdf_downloads_in_the_browser(tab: Tab):
    """PDF voor casusoverleg in the web build: the browser downloads the file made on the device (no name in
    the file name); its text holds this client and no other; its first page is rendered with pdftoppm."""
    page = tab.page
    page.get_by_label("Terug").first.click()  # from the dashboard back to the Team tab
    page.get_by_role("tab", name="Cliënten").click()
    dennis = page.get_by_role("button", name=re.compile(r"^Dennis A\."))
    expect(dennis.first).to_be_visible(timeout=30_000)
    dennis.first.click()
    button = tab.seek(page.get_by_role("button", name="PDF voor casusoverleg"))
    tab.steady(button)
    with page.expect_download(timeout=60_000) as info:
        button.click()
    download = info.value
    name = download.suggested_filename
    assert re.fullmatch(r"casusoverleg-\d{4}-\d{2}-\d{2}-[0-9a-f]{6}\.pdf", name), name
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    pdf = ARTIFACTS / "case_pdf_browser.pdf"
    download.save_as(str(pdf))
    text = "\n".join(p.extract_text() for p in PdfReader(str(pdf)).pages)
    assert "Casusoverleg: Dennis A." in text and "FICTIEF" in text and "Vertrouwelijk" in text
    for other in ("Henk V.", "Rob D.", "Sandra K.", "Erik M."):
        assert other not in text
    expect(tab.text(re.compile("^PDF gemaakt op dit toestel"))).to_be_attached(timeout=10_000)
    tab.shot("case_pdf_button")
    subprocess.run(["pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "1", "-singlefile", str(pdf),
                    str(ARTIFACTS / "case_pdf_browser_p1")], check=True)
    assert (ARTIFACTS / "case_pdf_browser_p1.png").stat().st_size > 10_000


def test_05_the_clients_risk_trend_is_a_flet_charts_chart(tab: Tab):
    """Dennis's file, Risico's: one line chart per risk domain, drawn, its values in its accessible name."""
    page = tab.page
    section = tab.seek(tab.by_id("section-risks"))
    section.click()
    chart = tab.seek(page.locator('[flt-semantics-identifier^="risk-chart-"]').first)
    tab.steady(chart)
    label = chart.get_attribute("aria-label") or chart.inner_text()
    assert "Midden" in label or "Hoog" in label or "Laag" in label or "Acuut" in label, label
    path = tab.shot("client_risk_chart")
    assert _colours(path, chart.bounding_box()) > 6, "the risk chart is blank"
