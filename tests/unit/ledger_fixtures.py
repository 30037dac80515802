"""The small team ledger the crypto tests share: a genesis by a coordinator, then a worker and one more
device added by it (one definition instead of one per test file)."""

from __future__ import annotations

from typing import Any

from field_app.crypto.grants import epoch_commitment
from field_app.crypto.identity import DeviceIdentity
from field_app.crypto.ledger import add_device, entry_hash, genesis

T0 = 1_767_225_600_000


def team_chain(team: bytes, coord: DeviceIdentity, worker: DeviceIdentity, other: DeviceIdentity,
               epoch_key: bytes, *, other_role: str = "VELDWERKER", step: int = 0,
               t0: int = T0) -> list[dict[str, Any]]:
    """``[genesis by coord, add worker, add other]``; entry ``i`` is made at ``t0 + i * step``."""
    g = genesis(team, coord, "PROCESREGISSEUR", epoch_commitment(team, 1, epoch_key), t0)
    a = add_device(team, 1, entry_hash(g), coord, worker.device_id, worker.ed25519_pub, worker.x25519_pub,
                   "VELDWERKER", t0 + step)
    b = add_device(team, 2, entry_hash(a), coord, other.device_id, other.ed25519_pub, other.x25519_pub,
                   other_role, t0 + 2 * step)
    return [g, a, b]
