"""Typed errors of the core. Views turn them into Dutch sentences; they never carry note text."""

from __future__ import annotations


class ValidationError(ValueError):
    """Input that may not reach the store. ``errors`` maps a field name to a Dutch message."""

    def __init__(self, errors: dict[str, str]):
        self.errors = dict(errors)
        super().__init__("; ".join(f"{k}: {v}" for k, v in self.errors.items()))
