"""The case-conference PDF (casusoverleg) of one client: ``render(data) -> bytes``.

``data`` is :func:`field_app.domain.case_export.case_data`'s dict (Dutch text and numbers). fpdf2 is pure
Python, so this runs on the phone builds too. Every page carries the confidentiality line, and FICTIEF on
demo data. The built-in PDF fonts know Latin-1 only: other characters are replaced by a near equivalent.
"""

from __future__ import annotations

from typing import Any

from fpdf import FPDF

# Colours (RGB): complied, doubt, violation; lines for the risk trend. Printed, so fixed.
SERIES_COLOURS = ((46, 125, 50), (239, 160, 0), (198, 40, 40))
INK, MUTED, RULE = (20, 20, 20), (90, 90, 90), (200, 200, 200)
FICTIEF = "FICTIEF"
_REPLACE = {"“": '"', "”": '"', "‘": "'", "’": "'", "–": "-", "—": "-", "…": "...", "→": "->", "≥": ">=",
            "≤": "<=", "€": "EUR", "•": "·", "\u00a0": " "}


def latin1(text: Any) -> str:
    s = "".join(_REPLACE.get(ch, ch) for ch in str(text))
    return s.encode("latin-1", "replace").decode("latin-1")


class _Doc(FPDF):
    def __init__(self, data: dict):
        super().__init__(orientation="P", unit="mm", format="A4")
        self.data = data
        self.set_margins(15, 18, 15)
        self.set_auto_page_break(True, margin=20)
        self.set_title(latin1(data.get("title", "Casusoverleg")))
        self.set_creator("Veldwerk")

    def header(self) -> None:
        if self.data.get("fictional"):
            self.set_font("Helvetica", "B", 9)
            self.set_text_color(198, 40, 40)
            self.set_xy(15, 8)
            self.cell(0, 5, f"{FICTIEF}: verzonnen gegevens voor demo en training", align="R")
            self.set_text_color(*INK)
            self.set_xy(15, 18)

    def footer(self) -> None:
        self.set_y(-15)
        self.set_draw_color(*RULE)
        self.line(15, self.get_y() - 1, 195, self.get_y() - 1)
        self.set_font("Helvetica", "", 7.5)
        self.set_text_color(*MUTED)
        prefix = f"{FICTIEF} · " if self.data.get("fictional") else ""
        self.multi_cell(160, 3.5, latin1(prefix + self.data.get("confidential", "Vertrouwelijk")), align="L",
                        new_x="RIGHT", new_y="TOP")
        self.cell(0, 3.5, f"{self.page_no()}/{{nb}}", align="R")
        self.set_text_color(*INK)


def _heading(pdf: _Doc, text: str) -> None:
    if pdf.get_y() > 250:
        pdf.add_page()
    pdf.ln(3)
    pdf.set_font("Helvetica", "B", 13)
    pdf.cell(0, 7, latin1(text), new_x="LMARGIN", new_y="NEXT")
    pdf.set_draw_color(*RULE)
    pdf.line(15, pdf.get_y(), 195, pdf.get_y())
    pdf.ln(1.5)


def _items(pdf: _Doc, items: list[dict], empty: str) -> None:
    if not items:
        _line(pdf, empty, muted=True)
        return
    for item in items:
        pdf.set_font("Helvetica", "B", 10)
        pdf.multi_cell(0, 5, latin1(item.get("title", "")), new_x="LMARGIN", new_y="NEXT")
        for line in item.get("lines", []):
            _line(pdf, line)
        pdf.ln(1)


def _line(pdf: _Doc, text: str, *, muted: bool = False) -> None:
    pdf.set_font("Helvetica", "", 9.5)
    pdf.set_text_color(*(MUTED if muted else INK))
    pdf.multi_cell(0, 4.6, latin1(text), new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(*INK)


def _bars(pdf: _Doc, weeks: list[str], series: list[tuple[str, list[int]]]) -> None:
    """Stacked bars per week (complied, doubt, violation) with a scale and a legend."""
    height, left, width = 42.0, 25.0, 165.0
    if pdf.get_y() + height + 20 > 277:
        pdf.add_page()
    top = pdf.get_y() + 2
    totals = [sum(s[1][i] for s in series) for i in range(len(weeks))]
    peak = max([*totals, 1])
    pdf.set_font("Helvetica", "", 7)
    pdf.set_draw_color(*RULE)
    for k in range(0, peak + 1, max(1, (peak + 3) // 4)):
        y = top + height - height * k / peak
        pdf.line(left, y, left + width, y)
        pdf.set_xy(15, y - 1.5)
        pdf.cell(8, 3, str(k), align="R")
    slot = width / max(len(weeks), 1)
    for i, week in enumerate(weeks):
        y = top + height
        for (_, counts), colour in zip(series, SERIES_COLOURS, strict=False):
            h = height * counts[i] / peak
            if h:
                pdf.set_fill_color(*colour)
                pdf.rect(left + i * slot + slot * 0.2, y - h, slot * 0.6, h, style="F")
                y -= h
        pdf.set_xy(left + i * slot, top + height + 0.5)
        pdf.cell(slot, 3.5, week, align="C")
    pdf.set_xy(left, top + height + 5)
    for (name, _), colour in zip(series, SERIES_COLOURS, strict=False):
        pdf.set_fill_color(*colour)
        pdf.rect(pdf.get_x(), pdf.get_y() + 0.7, 3, 3, style="F")
        pdf.set_x(pdf.get_x() + 4)
        pdf.cell(pdf.get_string_width(latin1(name)) + 6, 4.5, latin1(name))
    pdf.set_text_color(*INK)
    pdf.set_xy(15, top + height + 11)


def _trend_line(pdf: _Doc, points: list[int], x: float, y: float, w: float, h: float) -> None:
    """A small line of severities 0-3 (laag .. acuut)."""
    pdf.set_draw_color(*RULE)
    pdf.rect(x, y, w, h)
    if not points:
        return
    step = w / max(len(points) - 1, 1)
    xy = [(x + (i * step if len(points) > 1 else w / 2), y + h - 1 - (h - 2) * p / 3) for i, p in enumerate(points)]
    pdf.set_draw_color(*SERIES_COLOURS[2])
    pdf.set_line_width(0.5)
    for a, b in zip(xy, xy[1:], strict=False):
        pdf.line(a[0], a[1], b[0], b[1])
    pdf.set_fill_color(*SERIES_COLOURS[2])
    for px, py in xy:
        pdf.ellipse(px - 0.8, py - 0.8, 1.6, 1.6, style="F")
    pdf.set_line_width(0.2)


def _risks(pdf: _Doc, risks: list[dict]) -> None:
    if not risks:
        _line(pdf, "Geen risicosignalen vastgelegd.", muted=True)
        return
    for r in risks:
        if pdf.get_y() > 262:
            pdf.add_page()
        y = pdf.get_y()
        pdf.set_font("Helvetica", "B", 10)
        pdf.cell(70, 5, latin1(r["title"]))
        pdf.set_font("Helvetica", "", 9.5)
        pdf.cell(55, 5, latin1(f"Laatst: {r['latest']} · trend: {r['trend']}"))
        _trend_line(pdf, r["points"], 142, y, 50, 9)
        pdf.set_xy(15, y + 5)
        _line(pdf, "Signalen: " + ", ".join(r["dates"]), muted=True)
        pdf.set_y(max(pdf.get_y(), y + 11))


def render(data: dict) -> bytes:
    """The PDF's bytes."""
    pdf = _Doc(data)
    pdf.alias_nb_pages()
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 18)
    title = f"{data.get('title', 'Casusoverleg')}: {data.get('name', '')}"
    pdf.multi_cell(0, 9, latin1(title + (f" ({FICTIEF})" if data.get("fictional") else "")),
                   new_x="LMARGIN", new_y="NEXT")
    _line(pdf, data.get("generated", ""), muted=True)
    pdf.ln(1)
    for key, value in data.get("facts", []):
        pdf.set_font("Helvetica", "B", 9.5)
        pdf.cell(35, 5, latin1(key))
        pdf.set_font("Helvetica", "", 9.5)
        pdf.multi_cell(0, 5, latin1(value), new_x="LMARGIN", new_y="NEXT")
    _heading(pdf, "Kader en voorwaarden")
    _items(pdf, data.get("frameworks", []), "Geen strafrechtelijk kader vastgelegd.")
    _items(pdf, data.get("conditions", []), "Geen voorwaarden vastgelegd.")
    _heading(pdf, "Naleving per week")
    comp = data.get("compliance") or {}
    if any(sum(c) for _, c in comp.get("series", [])):
        _bars(pdf, comp["weeks"], comp["series"])
    else:
        _line(pdf, "Geen nalevingscontroles in deze weken.", muted=True)
    for line in comp.get("latest", []):
        _line(pdf, line)
    _heading(pdf, "Risico's en trend")
    _risks(pdf, data.get("risks", []))
    _heading(pdf, "Open signalen")
    _items(pdf, data.get("flags", []), "Geen open signalen.")
    _heading(pdf, "Netwerk")
    _items(pdf, data.get("network", []), "Niemand uit het netwerk vastgelegd.")
    _heading(pdf, "Afspraken met partners per fase")
    _items(pdf, data.get("actions", []), "Geen afspraken vastgelegd.")
    _heading(pdf, "Rapportages en beslissingen")
    _items(pdf, data.get("reports", []), "Geen rapportages.")
    _items(pdf, data.get("decisions", []), "Geen beslissingen van OM of rechter.")
    return bytes(pdf.output())
