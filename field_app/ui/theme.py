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

# The Material 3 colour scheme, light and dark, spelled out (tonal palettes of the seed, with an amber
# tertiary for "midden" and "due soon"), so a test can compute the contrast of every pair the views use
# (tests/views/test_contrast.py). Views take colours only from these roles (ft.Colors.<ROLE>).
LIGHT: dict[str, str] = {
    "primary": "#1F5F8B", "on_primary": "#FFFFFF", "primary_container": "#CDE5FF",
    "on_primary_container": "#001D32",
    "secondary": "#51606F", "on_secondary": "#FFFFFF", "secondary_container": "#D4E4F6",
    "on_secondary_container": "#0D1D2A",
    "tertiary": "#7A5900", "on_tertiary": "#FFFFFF", "tertiary_container": "#FFDF9E",
    "on_tertiary_container": "#261A00",
    "error": "#BA1A1A", "on_error": "#FFFFFF", "error_container": "#FFDAD6", "on_error_container": "#410002",
    "surface": "#F8F9FF", "on_surface": "#191C20", "on_surface_variant": "#42474E",
    "outline": "#72777F", "outline_variant": "#C2C7CF",
    "surface_container_lowest": "#FFFFFF", "surface_container_low": "#F2F3F9", "surface_container": "#ECEEF4",
    "surface_container_high": "#E6E8EE", "surface_container_highest": "#E1E2E8",
    "surface_dim": "#D8DAE0", "surface_bright": "#F8F9FF",
    "inverse_surface": "#2E3135", "on_inverse_surface": "#EFF0F7", "inverse_primary": "#96CCFF",
    "surface_tint": "#1F5F8B", "shadow": "#000000", "scrim": "#000000",
}
DARK: dict[str, str] = {
    "primary": "#96CCFF", "on_primary": "#003353", "primary_container": "#004A75",
    "on_primary_container": "#CDE5FF",
    "secondary": "#B8C8DA", "on_secondary": "#23323F", "secondary_container": "#394856",
    "on_secondary_container": "#D4E4F6",
    "tertiary": "#F0C048", "on_tertiary": "#402D00", "tertiary_container": "#5C4300",
    "on_tertiary_container": "#FFDF9E",
    "error": "#FFB4AB", "on_error": "#690005", "error_container": "#93000A", "on_error_container": "#FFDAD6",
    "surface": "#101418", "on_surface": "#E1E2E8", "on_surface_variant": "#C2C7CF",
    "outline": "#8C9199", "outline_variant": "#42474E",
    "surface_container_lowest": "#0B0F13", "surface_container_low": "#191C20", "surface_container": "#1D2024",
    "surface_container_high": "#272A2F", "surface_container_highest": "#32353A",
    "surface_dim": "#101418", "surface_bright": "#36393E",
    "inverse_surface": "#E1E2E8", "on_inverse_surface": "#2E3135", "inverse_primary": "#1F5F8B",
    "surface_tint": "#96CCFF", "shadow": "#000000", "scrim": "#000000",
}


@dataclass(frozen=True)
class Tone:
    """Colours of a meaningful badge, as colour scheme roles: background, foreground (text and icon)."""

    bg: ft.Colors
    fg: ft.Colors


DANGER = Tone(bg=ft.Colors.ERROR_CONTAINER, fg=ft.Colors.ON_ERROR_CONTAINER)  # hoog / acuut
WARNING = Tone(bg=ft.Colors.TERTIARY_CONTAINER, fg=ft.Colors.ON_TERTIARY_CONTAINER)  # midden (amber)
NEUTRAL = Tone(bg=ft.Colors.SURFACE_CONTAINER_HIGHEST, fg=ft.Colors.ON_SURFACE)  # laag / informational
SUCCESS = Tone(bg=ft.Colors.PRIMARY_CONTAINER, fg=ft.Colors.ON_PRIMARY_CONTAINER)  # sent / received
FICTIONAL = Tone(bg=ft.Colors.SECONDARY_CONTAINER, fg=ft.Colors.ON_SECONDARY_CONTAINER)  # demo data label
TONES = {"danger": DANGER, "warning": WARNING, "neutral": NEUTRAL, "success": SUCCESS, "fictional": FICTIONAL}
ERROR_TEXT = ft.Colors.ERROR  # an error sentence on the screen's surface

# Every foreground/background pair the views draw, besides the tones (fg on bg) and text on the surfaces:
# (foreground, background, minimum contrast). 4.5 for text, 3 for large text and controls.
PAIRS: tuple[tuple[ft.Colors, ft.Colors, float], ...] = (
    (ft.Colors.ON_PRIMARY, ft.Colors.PRIMARY, 4.5),  # filled buttons, meldcode "Ja"
    (ft.Colors.ON_SECONDARY, ft.Colors.SECONDARY, 4.5),  # meldcode "Nee"
    (ft.Colors.ON_ERROR, ft.Colors.ERROR, 4.5),  # a destructive filled button
    (ft.Colors.ON_SECONDARY_CONTAINER, ft.Colors.SECONDARY_CONTAINER, 4.5),  # tonal buttons, selected chips
    (ft.Colors.PRIMARY, ft.Colors.SURFACE, 4.5),  # text buttons, links
    (ft.Colors.ERROR, ft.Colors.SURFACE, 4.5),  # error sentences
    (ft.Colors.OUTLINE, ft.Colors.SURFACE, 3.0),  # field and chip borders (controls)
    (ft.Colors.ON_INVERSE_SURFACE, ft.Colors.INVERSE_SURFACE, 4.5),  # snack bars
    *((fg, bg, 4.5) for fg in (ft.Colors.ON_SURFACE, ft.Colors.ON_SURFACE_VARIANT)
      for bg in (ft.Colors.SURFACE, ft.Colors.SURFACE_CONTAINER_LOW, ft.Colors.SURFACE_CONTAINER,
                 ft.Colors.SURFACE_CONTAINER_HIGH, ft.Colors.SURFACE_CONTAINER_HIGHEST)),
    *((t.fg, bg, 4.5) for t in TONES.values()  # a tone's word outside its badge, on a screen or a card
      for bg in (ft.Colors.SURFACE, ft.Colors.SURFACE_CONTAINER_LOW)),
)


def hex_of(role: ft.Colors, *, dark: bool) -> str:
    """The colour a role has in the light or dark scheme."""
    return (DARK if dark else LIGHT)[role.name.lower()]


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
    # A scaled text theme replaces the brightness' own text colours: give each its on-surface colour back.
    color = (DARK if dark else LIGHT)["on_surface"]
    styles = {name: ft.TextStyle(size=round(size * scale, 1), color=color) for name, size in _M3_SIZES.items()}
    pad = ft.Padding.symmetric(horizontal=20, vertical=16)  # 16 + ~18 line + 16 >= 48 px at 100 %
    button_style = ft.ButtonStyle(padding=pad, text_style=ft.TextStyle(size=round(15 * scale, 1)))
    return ft.Theme(
        color_scheme_seed=SEED,
        color_scheme=ft.ColorScheme(**(DARK if dark else LIGHT)),
        visual_density=ft.VisualDensity.STANDARD,  # web/desktop default to compact (32 px buttons)
        text_theme=ft.TextTheme(**styles),
        primary_text_theme=ft.TextTheme(**styles),
        button_theme=ft.ButtonTheme(style=button_style),
        filled_button_theme=ft.FilledButtonTheme(style=button_style),
        outlined_button_theme=ft.OutlinedButtonTheme(style=button_style),
        text_button_theme=ft.TextButtonTheme(style=button_style),
        navigation_bar_theme=_nav_theme(scale),
    )


def _nav_theme(scale: float) -> ft.NavigationBarTheme:
    """The bottom tabs' words grow less than the text (at most 1.35 x): five tabs share 390 px, and at
    200 % 'Cliënten' broke over two lines. The icon and the tab's accessible name carry it too."""
    size = round(12 * min(scale, 1.35), 1)
    return ft.NavigationBarTheme(label_text_style={
        ft.ControlState.SELECTED: ft.TextStyle(size=size, weight=ft.FontWeight.W_600, color=ft.Colors.ON_SURFACE),
        ft.ControlState.DEFAULT: ft.TextStyle(size=size, color=ft.Colors.ON_SURFACE_VARIANT)})


THEME_MODES = ("system", "light", "dark")  # Meer → Weergave: follow the phone, always light, always dark
_FLET_MODES = {"system": ft.ThemeMode.SYSTEM, "light": ft.ThemeMode.LIGHT, "dark": ft.ThemeMode.DARK}


def apply_theme(page: ft.Page, scale: float, mode: str = "system") -> None:
    """Light and dark theme at this text size; ``mode`` picks which one shows ("system" follows the phone).

    Every colour, the meaningful badge tones included, is a role of the light or dark colour scheme."""
    page.theme = build_theme(scale)
    page.dark_theme = build_theme(scale, dark=True)
    page.theme_mode = _FLET_MODES.get(mode, ft.ThemeMode.SYSTEM)
