"""The author's side of "one bad envelope never stops a team" (issue #11).

The server's copy of an envelope can be damaged after it was accepted (a flipped bit on disk, an edited
database). Readers refuse it (the signature no longer verifies) and hold back that device's later
envelopes (:mod:`.holds`). Only the author can mend it: it keeps what it delivered (``kept``,
:mod:`field_app.store.kept`) and compares the server's copies of its own chain with what it sealed —
by hash (``GET .../chain/hashes``: about 100 bytes a place, not the envelopes) — and delivers again
every kept envelope whose stored copy differs (``POST /changes/redeliver``; the server replaces a copy
only when it no longer verifies and the new one is the one the chain names). Readers then find the good
copy under a new seq and apply the held-back envelopes in chain order.

When: in the first round after each unlock, every :data:`OWN_CHECK_MS` after that, and in the round
after this device refused any envelope as damaged (its own or another's: damage rarely comes alone).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from ..crypto.canonical import b64d
from ..crypto.wire import EnvelopeFormatError, envelope_hash, unpack
from .client import ServerError
from .delivery import chunks
from .port import DevicePort

__all__ = ["OwnChainCheck", "OWN_CHECK_MS", "Checked"]

log = logging.getLogger("veldwerk.sync")

OWN_CHECK_MS = 6 * 3600_000
REDELIVER_BATCH = 200


@dataclass
class Checked:
    places: int = 0
    damaged: int = 0  # stored copies that differ from what this device sealed
    redelivered: int = 0
    refused: int = 0  # the server kept its copy (it verifies: an earlier sealing of the same work)
    lost: int = 0  # damaged, and no kept copy to deliver again (older than the kept window)


class OwnChainCheck:
    def __init__(self, device: DevicePort, client):
        self.device, self.client = device, client
        self.checked_at: int | None = None  # None: not yet since this unlock
        self.suspect = False
        self.unsupported = False  # an older server without GET .../chain/hashes
        self._places: dict[int, bytes] | None = None

    def due(self) -> bool:
        if self.unsupported:
            return False
        return self.suspect or self.checked_at is None or self.device.clock() - self.checked_at >= OWN_CHECK_MS

    def run(self) -> Checked:
        """Compare, deliver again what differs, prune the kept copies. Raises Unreachable/ServerError
        from the reads (the round fails and is retried); a refused re-delivery is counted, not raised."""
        dev = self.device
        store, me = dev.store, dev.identity.device_id
        out, differing, after = Checked(), [], 0
        self._places: dict[int, bytes] | None = None
        while True:
            page = self.client.own_hashes(dev.team, me, after)
            rows = page.get("hashes") or []
            for row in rows:
                seq, device_seq, digest = int(row["seq"]), int(row["device_seq"]), b64d(row["hash"])
                after = device_seq
                out.places += 1
                if store.seen_in_chain(me, device_seq) == digest:
                    continue  # what this device pulled back at that place: unchanged
                kept = store.kept_at_seq(seq)
                if kept is None:
                    kept = self._by_place(device_seq)
                if kept is None:
                    out.lost += store.seen_in_chain(me, device_seq) is not None
                    continue
                if envelope_hash(kept) != digest:
                    differing.append((device_seq, kept))
            if not page.get("more") or not rows:
                break
        out.damaged = len(differing)
        differing.sort(reverse=True)  # the later places first: each batch's next place is whole already
        for part in chunks(differing, REDELIVER_BATCH, lambda item: item[1]):  # each within the body limit
            batch = sorted(part)
            out.redelivered += self._redeliver([env for _, env in batch], out)
        store.kept_prune()
        self.checked_at, self.suspect = dev.clock(), False
        if out.damaged or out.lost:
            log.warning("own chain on the server: %d damaged, %d delivered again, %d kept by the server, %d lost",
                        out.damaged, out.redelivered, out.refused, out.lost)
            store.set_state("own_redelivered", str(store.state_number("own_redelivered") + out.redelivered))
        return out

    def _by_place(self, device_seq: int) -> bytes | None:
        """A kept envelope whose server seq this device does not know (delivered by signature), by its place."""
        if self._places is None:
            self._places = {}
            for env in self.device.store.kept_unconfirmed():
                try:
                    self._places[int(unpack(env).header["device_seq"])] = env
                except (EnvelopeFormatError, KeyError, TypeError, ValueError):
                    continue
        return self._places.get(device_seq)

    def _redeliver(self, envelopes: list[bytes], out: Checked) -> int:
        """All or nothing per request: a refused batch is tried one envelope at a time."""
        try:
            results = self.client.redeliver(self.device.team, envelopes)
        except ServerError as exc:
            if exc.status != 409:
                raise
            if len(envelopes) == 1:
                out.refused += 1
                return 0
            return sum(self._redeliver([env], out) for env in envelopes)
        return sum(1 for r in results if not r.get("duplicate"))
