"""Look of the app: Material 3 theme scaled by the in-app text size, and the colours that carry meaning.

Colour carries meaning only (red = hoog/acuut, amber = midden, neutral otherwise) and is never the only
signal: every coloured badge also has an icon and a word (see ``components``).
"""

from __future__ import annotations

from dataclasses import dataclass

import flet as ft

TEXT_SCALES = (1.0, 1.5, 2.0)
SEED = "#1F5F8B"  # calm blue, not a signal colour

# Material 3 default type scale (px); multiplied by the chosen text size.
_M3_SIZES = {
    "display_large": 57, "display_medium": 45, "display_small": 36,
    "headline_large": 32, "headline_medium": 28, "headline_small": 24,
    "title_large": 22, "title_medium": 16, "title_small": 14,
    "body_large": 16, "body_medium": 14, "body_small": 12,
    "label_large": 14, "label_medium": 12, "label_small": 11,
}

TOUCH = 48  # minimum touch target, px
DARK_TEXT = "#E3E2E9"  # Material 3 on-surface in dark mode (about 13:1 on the dark surface)


@dataclass(frozen=True)
class Tone:
    """Colours of a meaningful badge: background, foreground (text and icon)."""

    bg: str
    fg: str


DANGER = Tone(bg="#FDE2E1", fg="#8C1D18")  # hoog / acuut
WARNING = Tone(bg="#FFEFC7", fg="#6B4A00")  # midden
NEUTRAL = Tone(bg="#E6EAEE", fg="#2E3A44")  # laag / informational
SUCCESS = Tone(bg="#DDF1E2", fg="#1D5B2E")  # sent / received
FICTIONAL = Tone(bg="#EDE4F7", fg="#4A2C73")  # demo data label


def severity_tone(code: str | None) -> Tone:
    if code in ("HOOG", "ACUUT"):
        return DANGER
    if code == "MIDDEN":
        return WARNING
    return NEUTRAL


def severity_icon(code: str | None) -> ft.IconData:
    if code == "ACUUT":
        return ft.Icons.REPORT
    if code == "HOOG":
        return ft.Icons.WARNING_AMBER
    if code == "MIDDEN":
        return ft.Icons.ERROR_OUTLINE
    return ft.Icons.INFO_OUTLINE


def clamp_scale(scale: float) -> float:
    return min(TEXT_SCALES, key=lambda s: abs(s - scale))


def build_theme(scale: float = 1.0, *, dark: bool = False) -> ft.Theme:
    """The app theme at a text size of ``scale`` (1.0, 1.5 or 2.0)."""
    scale = clamp_scale(scale)
    # A scaled text theme replaces the brightness' own text colours: give dark mode its light text back.
    color = DARK_TEXT if dark else None
    styles = {name: ft.TextStyle(size=round(size * scale, 1), color=color) for name, size in _M3_SIZES.items()}
    pad = ft.Padding.symmetric(horizontal=20, vertical=16)  # 16 + ~18 line + 16 >= 48 px at 100 %
    button_style = ft.ButtonStyle(padding=pad, text_style=ft.TextStyle(size=round(15 * scale, 1)))
    return ft.Theme(
        color_scheme_seed=SEED,
        visual_density=ft.VisualDensity.STANDARD,  # web/desktop default to compact (32 px buttons)
        text_theme=ft.TextTheme(**styles),
        primary_text_theme=ft.TextTheme(**styles),
        button_theme=ft.ButtonTheme(style=button_style),
        filled_button_theme=ft.FilledButtonTheme(style=button_style),
        outlined_button_theme=ft.OutlinedButtonTheme(style=button_style),
        text_button_theme=ft.TextButtonTheme(style=button_style),
    )


THEME_MODES = ("system", "light", "dark")  # Meer → Weergave: follow the phone, always light, always dark
_FLET_MODES = {"system": ft.ThemeMode.SYSTEM, "light": ft.ThemeMode.LIGHT, "dark": ft.ThemeMode.DARK}


def apply_theme(page: ft.Page, scale: float, mode: str = "system") -> None:
    """Light and dark theme at this text size; ``mode`` picks which one shows ("system" follows the phone).

    The meaningful badge tones keep their own light background in dark mode too, so their dark text stays
    readable on any surface; everything else takes its colours from the theme's colour scheme."""
    page.theme = build_theme(scale)
    page.dark_theme = build_theme(scale, dark=True)
    page.theme_mode = _FLET_MODES.get(mode, ft.ThemeMode.SYSTEM)
