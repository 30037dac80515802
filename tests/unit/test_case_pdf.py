"""The case-conference PDF (domain.case_export + export.case_pdf): what it holds, read back from the PDF's
text, and nothing of another client; its first page rendered to PNG with pdftoppm (artifacts/pdf/)."""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path

import pytest
from pypdf import PdfReader

from field_app.domain.case_export import case_data
from field_app.domain.demo_cases import DEMO_CASES, DEMO_NOW, seed_context
from field_app.export.case_pdf import latin1, render

ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts" / "pdf"
NAMES = {"A": "Henk V.", "B": "Rob D.", "C": "Sandra K.", "D": "Erik M.", "E": "Dennis A."}


def _pdf(letter: str) -> tuple[bytes, dict]:
    ctx, _ = seed_context(DEMO_CASES[letter])
    data = case_data(ctx, now=DEMO_NOW, generated_by="Fatima El Amrani (fictief)")
    return render(data), data


def _text(pdf: bytes) -> tuple[list[str], str]:
    pages = [p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages]
    return pages, "\n".join(pages)


@pytest.mark.parametrize("letter", sorted(DEMO_CASES))
def test_the_pdf_holds_one_client_and_no_other(letter):
    pdf, data = _pdf(letter)
    assert pdf.startswith(b"%PDF-")
    pages, text = _text(pdf)
    assert f"Casusoverleg: {NAMES[letter]}" in text
    for other, name in NAMES.items():
        if other != letter:
            assert name not in text, f"{name} in the PDF of {NAMES[letter]}"
    # every page: FICTIEF (demo data) and the confidentiality line
    assert all("FICTIEF" in p and "Vertrouwelijk" in p for p in pages), pages
    for heading in ("Kader en voorwaarden", "Naleving per week", "Risico's en trend", "Open signalen", "Netwerk",
                    "Afspraken met partners per fase", "Rapportages en beslissingen"):
        assert heading in text, heading
    for item in data["network"]:
        assert latin1(item["title"]) in text


def test_dennis_shows_conditions_compliance_risks_and_flags():
    pdf, data = _pdf("E")
    _, text = _text(pdf)
    assert "Contactverbod" in text and "Meldplicht" in text
    assert "Meldplicht: Overtreding" in text  # the latest check per condition
    assert sum(sum(c) for _, c in data["compliance"]["series"]) >= 3  # the chart has bars
    assert "Houding / motivatie" in text and "trend:" in text
    assert data["flags"] and data["flags"][0]["title"].split(" (")[0] in text


def test_partner_actions_are_grouped_per_phase_and_reports_show_their_state():
    ctx, _ = seed_context(DEMO_CASES["B"])
    cid = ctx.client_id
    ctx.add("report", {"report_type": "ADVIES", "requested_by": "OM", "due_date": "2025-10-20",
                       "status": "TER_GOEDKEURING", "advice": "CONTINUEREN"}, "rep-1")
    ctx.add("review", {"target_id": "rep-1", "decision": "GOEDGEKEURD", "at": DEMO_NOW}, "rev-1")
    ctx.add("om_decision", {"decision": "GEEN_ACTIE", "date": "2025-10-14", "effect": "GEEN"})
    data = case_data(ctx, now=DEMO_NOW, generated_by="x", authors={"rep-1": "Lotte", "rev-1": "Fatima"})
    assert data["actions"] and all(a["lines"] for a in data["actions"])
    assert data["reports"][0]["lines"][0] == "Status: Definitief"  # approved by another person
    own = case_data(ctx, now=DEMO_NOW, generated_by="x", authors={"rep-1": "Lotte", "rev-1": "Lotte"})
    assert own["reports"][0]["lines"][0] == "Status: Ter goedkeuring"  # four eyes: one's own approval does not count
    _, text = _text(render(data))
    assert "Adviesrapportage aan OM" in text and "Geen actie (14-10-2025)" in text
    assert cid not in text  # no record ids


def test_text_outside_latin1_is_replaced_not_an_error():
    assert latin1("“Geen alcohol” — één… 🔒") == '"Geen alcohol" - één... ?'


def test_first_page_renders_to_png():
    if shutil.which("pdftoppm") is None:
        pytest.fail("pdftoppm missing: run `make poppler` (Debian's poppler-utils)")
    pdf, _ = _pdf("E")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    src = ARTIFACTS / "casusoverleg_dennis.pdf"
    src.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "1", "-singlefile", str(src),
                    str(ARTIFACTS / "casusoverleg_dennis_p1")], check=True)
    png = ARTIFACTS / "casusoverleg_dennis_p1.png"
    assert png.stat().st_size > 10_000
