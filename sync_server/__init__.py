"""Veldwerk sync server: relays sealed envelopes, the team ledger and key grants (docs/protocol.md)."""

from __future__ import annotations

from .app import create_app
from .settings import Settings

__all__ = ["create_app", "Settings"]
