"""Entry point of the phone (and desktop) build: the Python process runs on the device itself.

``flet build apk`` / ``flet build ipa`` package this module's :func:`main`; run it locally with
``python -m field_app.phone`` (a desktop window, or a browser tab when there is no display). The data
directory is Flet's per-app storage (``FLET_APP_STORAGE_DATA``), or ``VELDWERK_DATA``. On Android and iOS
the app enrols and unlocks in phone mode: PIN + a secret in the platform's secure storage
(:mod:`field_app.ui.keystore`). Unlike web mode there is one screen per process, so the session guard's
idle timer is all the locking needs besides the app's own lifecycle events.
"""

from __future__ import annotations

import os
from pathlib import Path

import flet as ft

from field_app.app_api import StorageError
from field_app.services import Services
from field_app.ui.app import build
from field_app.ui.session_guard import DEFAULT_IDLE_TIMEOUT, SessionGuard
from field_app.ui.start_error import show_start_error

_device: tuple[Services, SessionGuard] | None = None


def data_dir() -> Path:
    """Where this device keeps its (sealed) database: Flet's app storage on a phone."""
    chosen = os.environ.get("VELDWERK_DATA") or os.environ.get("FLET_APP_STORAGE_DATA")
    if not chosen:
        raise SystemExit("Geen gegevensmap: zet VELDWERK_DATA (Flet zet FLET_APP_STORAGE_DATA zelf op een telefoon).")
    return Path(chosen)


def device() -> tuple[Services, SessionGuard]:
    """The one Services object (= the device) of this process and its session guard."""
    global _device
    if _device is None:
        services = Services(data_dir())
        guard = SessionGuard(services, idle_timeout=float(os.getenv("VELDWERK_IDLE_TIMEOUT") or DEFAULT_IDLE_TIMEOUT))
        guard.start()
        _device = (services, guard)
    return _device


def main(page: ft.Page) -> None:
    try:
        services, guard = device()
    except StorageError as exc:  # a read-only or full app storage: the Dutch sentence, not a Python error
        show_start_error(page, exc)
        return
    build(page, services, guard)


def run() -> None:
    """Start the app in a window (phone, desktop). Without a screen Flet would fall back to a web server
    without this project's Host/Origin checks, so that is refused: the browser way is ``field-app serve``."""
    from flet.utils.platform_utils import is_embedded

    headless = not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
    if not is_embedded() and os.name == "posix" and os.uname().sysname == "Linux" and headless:
        raise SystemExit("Geen scherm gevonden. Gebruik in de browser: field-app serve --data <map>.")
    ft.run(main, view=ft.AppView.FLET_APP, assets_dir=str(Path(__file__).resolve().parents[1] / "assets"))


if __name__ == "__main__":
    run()
