"""The store as one pull slice sees it: the same answers in far fewer SQLite statements.

Applying a pulled envelope asked the store five things one statement at a time (is its device held back,
is it this device's own unsent envelope, is the operation already stored, then two inserts): 50,000
statements for 10,000 envelopes, the largest single cost of a pull. A :class:`SliceStore` reads what the
whole slice needs in two statements (its op ids in the outbox and among the stored operations), keeps the
``held`` state read once, and buffers the two inserts (``seen`` rows and the sealed operations) for one
``executemany`` each at the end of the slice, inside the slice's transaction.

Every answer is the one the store would give at that moment: the cached sets follow the slice's own
changes, :meth:`seen_in_chain` looks at the buffered rows too, and any other store call first writes the
buffers (so nothing the slice does reads around them). Used only inside one transaction, holding the
store's lock, so nothing else changes the store meanwhile.
"""

from __future__ import annotations

from typing import Any

from ..crypto.wire import EnvelopeFormatError, unpack
from ..store import LocalStore

__all__ = ["SliceStore"]

CACHED_STATES = ("held",)


class SliceStore:
    def __init__(self, store: LocalStore, envelopes: list[bytes]):
        self._store = store
        ids = []
        for env in envelopes:
            try:
                ids.append(unpack(env).op_id)
            except EnvelopeFormatError:
                continue
        self._outbox = store.outbox_envelopes(ids)
        self._ops = store.ops_present(ids)
        self._states = {key: store.get_state(key) for key in CACHED_STATES}
        self._seen: dict[tuple[bytes, int], bytes] = {}
        self._seen_rows: list[tuple[int, bytes, int, bytes]] = []
        self._op_rows: list[tuple[bytes, bytes, str, int | None]] = []

    def flush(self) -> None:
        """Write the buffered rows (inside the slice's transaction)."""
        if self._seen_rows:
            self._store.seen_add_many(self._seen_rows)
            self._seen_rows = []
        if self._op_rows:
            self._store.add_ops(self._op_rows)
            self._op_rows = []
        self._seen.clear()

    def __getattr__(self, name: str) -> Any:
        """Any other store call: the buffers first, then the store itself."""
        if name.startswith("_"):  # not the store's private parts (and no recursion before __init__ ran)
            raise AttributeError(name)
        self.flush()
        return getattr(self._store, name)

    # -- state -------------------------------------------------------------------------------------------
    def get_state(self, key: str, default: str | None = None) -> str | None:
        if key not in self._states:
            self.flush()
            return self._store.get_state(key, default)
        value = self._states[key]
        return default if value is None else value

    def set_state(self, key: str, value: str) -> None:
        self.flush()
        self._store.set_state(key, value)
        if key in self._states:
            self._states[key] = value

    # -- outbox and operations -------------------------------------------------------------------------
    def outbox_envelope(self, op_id: bytes) -> bytes | None:
        return self._outbox.get(op_id)

    def outbox_remove(self, op_id: bytes) -> None:
        self.flush()
        self._store.outbox_remove(op_id)
        self._outbox.pop(op_id, None)

    def has_op(self, op_id: bytes) -> bool:
        return op_id in self._ops

    def add_op(self, op_id: bytes, op: dict, *, origin: str, seq: int | None = None,
               plain: bytes | None = None) -> bool:
        if plain is None:  # not an opened envelope's plaintext: the store encodes and seals it at once
            self.flush()
            added = self._store.add_op(op_id, op, origin=origin, seq=seq)
        else:
            added = op_id not in self._ops
            if added:
                self._op_rows.append((op_id, plain, origin, seq))
        self._ops.add(op_id)
        return added

    # -- what was seen of the team's envelopes ---------------------------------------------------------
    def seen_add(self, seq: int, device: bytes, device_seq: int, digest: bytes) -> None:
        self._seen.setdefault((device, device_seq), digest)
        self._seen_rows.append((seq, device, device_seq, digest))

    def seen_in_chain(self, device: bytes, device_seq: int) -> bytes | None:
        stored = self._store.seen_in_chain(device, device_seq)  # a stored row wins (INSERT OR IGNORE)
        return stored if stored is not None else self._seen.get((device, device_seq))
