"""Colour from the theme: every colour a view uses is a Material 3 colour scheme role, defined for light
and dark, and every foreground/background pair the views draw meets WCAG 2.1 contrast in both."""

from __future__ import annotations

import re
from pathlib import Path

import flet as ft
import pytest

from field_app.ui import theme

UI = Path(__file__).resolve().parents[2] / "field_app" / "ui"
# A QR code needs its light quiet zone in any theme (the picture is black on white): the one fixed colour.
FIXED = {("views/device_parts.py", "WHITE")}  # a QR code needs its white quiet zone in dark mode too


def luminance(hex_colour: str) -> float:
    def channel(v: int) -> float:
        c = v / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast(fg: str, bg: str) -> float:
    a, b = sorted((luminance(fg), luminance(bg)), reverse=True)
    return (a + 0.05) / (b + 0.05)


def test_contrast_formula_matches_known_values():
    assert contrast("#000000", "#FFFFFF") == pytest.approx(21.0)
    assert contrast("#777777", "#FFFFFF") == pytest.approx(4.48, abs=0.01)
    assert contrast("#FFFFFF", "#FFFFFF") == pytest.approx(1.0)


def test_light_and_dark_define_the_same_roles():
    assert set(theme.LIGHT) == set(theme.DARK)
    assert set(theme.LIGHT) <= {f for f in ft.ColorScheme.__dataclass_fields__}


@pytest.mark.parametrize("dark", [False, True], ids=["light", "dark"])
def test_every_pair_the_views_use_is_readable(dark):
    pairs = [(t.fg, t.bg, 4.5) for t in theme.TONES.values()] + list(theme.PAIRS)
    low = []
    for fg, bg, need in pairs:
        ratio = contrast(theme.hex_of(fg, dark=dark), theme.hex_of(bg, dark=dark))
        if ratio < need:
            low.append(f"{fg.name} on {bg.name}: {ratio:.2f} < {need}")
    assert not low, low


@pytest.mark.parametrize("dark", [False, True], ids=["light", "dark"])
def test_meldcode_yes_no_and_chips_in_dark_mode_are_not_pale_on_pale(dark):
    """The issue's cases: the Ja/Nee choice (was 1.3:1 in dark mode) and the pastel chips."""
    for fg, bg in ((ft.Colors.ON_PRIMARY, ft.Colors.PRIMARY), (ft.Colors.ON_SECONDARY, ft.Colors.SECONDARY),
                   (theme.WARNING.fg, theme.WARNING.bg), (theme.FICTIONAL.fg, theme.FICTIONAL.bg)):
        assert contrast(theme.hex_of(fg, dark=dark), theme.hex_of(bg, dark=dark)) >= 4.5


def test_views_take_colours_only_from_the_scheme():
    """No hex colour and no fixed palette colour in the views: only scheme roles, and each role used has a
    light and a dark value here (so the contrast test above covers it)."""
    bad = []
    for path in sorted(UI.rglob("*.py")):
        rel = path.relative_to(UI).as_posix()
        if rel == "theme.py":
            continue
        src = path.read_text(encoding="utf-8")
        bad += [f"{rel}: {m}" for m in re.findall(r"['\"]#[0-9A-Fa-f]{3,8}['\"]", src)]
        for name in re.findall(r"ft\.Colors\.([A-Z_0-9]+)", src):
            if (rel, name) not in FIXED and name.lower() not in theme.LIGHT:
                bad.append(f"{rel}: ft.Colors.{name}")
    assert not bad, bad


def test_theme_carries_the_explicit_scheme_in_both_modes():
    light, dark = theme.build_theme(1.0), theme.build_theme(2.0, dark=True)
    assert light.color_scheme.error_container == theme.LIGHT["error_container"]
    assert dark.color_scheme.on_primary == theme.DARK["on_primary"]
    assert dark.text_theme.body_large.color == theme.DARK["on_surface"]


@pytest.mark.parametrize("error", [False, True], ids=["toast", "error-toast"])
@pytest.mark.parametrize("dark", [False, True], ids=["light", "dark"])
def test_a_toast_sets_its_text_colour_with_its_background(dark, error):
    """Found in the browser: the snack bar's text took the text theme's body colour (dark) on the snack
    bar's dark inverse surface, 1.3:1. The toast sets both, and the pair is readable."""
    from field_app.ui import chrome

    shown = []

    class Page:
        def show_dialog(self, dialog):
            shown.append(dialog)

    chrome.toast(Page(), "Opgeslagen.", error=error)
    bar = shown[0]
    fg, bg = bar.content.color, bar.bgcolor
    assert (fg, bg) == (chrome.TOAST_ERROR if error else chrome.TOAST)
    assert contrast(theme.hex_of(fg, dark=dark), theme.hex_of(bg, dark=dark)) >= 4.5
