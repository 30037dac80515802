"""How far a long sync round is, for the top bar's progress line and the sync sheet: a fresh device pulling
the team's history, or a week of work pushed after a phone was out of reach. A round that is short or moves
little is not shown (the sync icon says enough), so the line does not flicker every few seconds."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

__all__ = ["RoundProgress", "SHOW_AFTER_S", "SHOW_FROM"]

SHOW_AFTER_S = 1.5  # a round is shown once it has run this long...
SHOW_FROM = 20  # ...and moves at least this many envelopes (received, or to send)


@dataclass
class RoundProgress:
    """Counted by the sync thread, read by the views (plain integers: a read sees one value or the next)."""

    started: float = field(default_factory=time.monotonic)
    received: int = 0  # envelopes of the team applied in this round
    to_send: int = 0  # envelopes in the outbox when the push started (and what was sent before that)
    sent: int = 0  # envelopes the server took in this round

    def pushing(self, waiting: int) -> None:
        """A push starts with ``waiting`` envelopes in the outbox (again after a re-seal: what was sent counts)."""
        self.to_send = self.sent + waiting

    def shown(self, now: float | None = None) -> dict[str, int] | None:
        """``{received, sent, to_send}`` once the round is long enough to show, else None."""
        now = time.monotonic() if now is None else now
        if now - self.started < SHOW_AFTER_S or self.received + self.to_send < SHOW_FROM:
            return None
        return {"received": self.received, "sent": min(self.sent, self.to_send), "to_send": self.to_send}
