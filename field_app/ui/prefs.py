"""Display preferences and the session guard, one of each per device (shared by its browser sessions)."""

from __future__ import annotations

import weakref
from dataclasses import dataclass
from typing import Any

from field_app.ui.i18n import DEFAULT_LANGUAGE
from field_app.ui.session_guard import SessionGuard


@dataclass
class UiPrefs:
    """Device-wide display preferences (shared by the sessions of one process)."""

    lang: str = DEFAULT_LANGUAGE
    text_scale: float = 1.0
    theme_mode: str = "system"  # "system" (follow the phone), "light" or "dark"

    @classmethod
    def load(cls, services: Any) -> UiPrefs:
        """The device's saved preferences (``Services.display_prefs``), defaults for the rest."""
        return cls(**services.display_prefs())


_shared: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def shared_guard_and_prefs(services: Any) -> tuple[SessionGuard, UiPrefs]:
    """One guard and one set of preferences per Services object (= per device)."""
    if services not in _shared:
        _shared[services] = (SessionGuard(services), UiPrefs.load(services))
    return _shared[services]
