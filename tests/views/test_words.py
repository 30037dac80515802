"""Words: a label keeps its own case inside a sentence ("Rapportage aan het OM", never "het om")."""

from __future__ import annotations

import re
from pathlib import Path

from field_app.domain.vocab import OvertredingReactie
from field_app.ui.i18n import I18n

UI = Path(__file__).resolve().parents[2] / "field_app" / "ui"


def test_no_view_changes_the_case_of_a_label():
    bad = []
    for path in sorted(UI.rglob("*.py")):
        src = path.read_text(encoding="utf-8")
        for m in re.finditer(r"(code_label|label|\bt)\([^()]*(\([^()]*\))?[^()]*\)\.(lower|upper|capitalize|title)\(\)",
                             src):
            bad.append(f"{path.relative_to(UI)}: {m.group(0)}")
    assert not bad, bad


def test_the_violation_sentence_keeps_het_OM():
    nl = I18n("nl")
    line = nl.t("contact_c.esc.why_violation", condition="Meldplicht",
                severity=nl.code_label(OvertredingReactie, "RAPPORTAGE_OM"),
                response=nl.code_label(OvertredingReactie, "SPOEDMELDING_OM_POLITIE"))
    assert "Rapportage aan het OM" in line and "Spoedmelding aan OM of politie" in line


def test_no_text_field_rewrites_what_is_typed():
    """Flet's client applies a TextField's capitalization itself, to the whole value on every key (not as
    a keyboard hint): SENTENCES turned "H. zegt" into "H. Zegt" and "o.a." into "o.A.", WORDS turned
    "Truus de Vries" into "Truus De Vries" (found in the browser). Only a code may be upper-cased."""
    bad = []
    for path in sorted(UI.rglob("*.py")):
        for m in re.finditer(r"TextCapitalization\.(SENTENCES|WORDS)", path.read_text(encoding="utf-8")):
            bad.append(f"{path.relative_to(UI)}: {m.group(0)}")
    assert not bad, bad
