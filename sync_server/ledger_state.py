"""The team ledger as the server verifies it, with the client's own rules (``field_app.crypto.ledger``).

The server relays the ledger; it does not trust it less than a client does: every appended entry is
verified as the continuation of the stored chain, and the verified state (current epoch, revocations,
entry hashes) decides which envelopes a push may carry. The verified state is cached per team and
refreshed whenever the stored head moves, so several server processes on one database stay correct.
"""

from __future__ import annotations

import json
import threading

from field_app.crypto.canonical import b64d, b64e
from field_app.crypto.ledger import VerifiedLedger, extend_chain, verify_chain

from .store.base import Store


class LedgerCache:
    """``get(store, team)``: the verified ledger of ``team`` at its stored head, or None before a genesis."""

    def __init__(self) -> None:
        self._ledgers: dict[str, VerifiedLedger] = {}
        self._lock = threading.Lock()

    def get(self, store: Store, team: str) -> VerifiedLedger | None:
        head = store.ledger_head(team)
        if head is None:
            return None
        with self._lock:
            cached = self._ledgers.get(team)
        if cached is not None and cached.head_index == head.index and b64e(cached.head_hash) == head.hash:
            return cached
        if cached is not None and cached.head_index < head.index:
            rows = store.ledger_entries(team, cached.head_index)
            ledger = extend_chain(cached, [json.loads(row.entry) for row in rows])
        else:
            rows = store.ledger_entries(team, -1)
            ledger = verify_chain([json.loads(row.entry) for row in rows], b64d(team))
        self.put(team, ledger)
        return ledger

    def put(self, team: str, ledger: VerifiedLedger) -> None:
        with self._lock:
            current = self._ledgers.get(team)
            if current is None or current.head_index <= ledger.head_index:
                self._ledgers[team] = ledger
