"""A push refused with ``chain_gap``: the server holds this device's chain only up to an earlier place than
this device sealed its outbox on. Two ways to get there, and what is done about each, so that nothing this
device recorded is lost while it tells the user "nothing is lost":

- **The server lost the newest envelopes this device delivered** (its database restored from an older
  backup). This device kept them as it sealed them (``kept``): the run that continues the server's head is
  delivered again byte for byte, so every device that saw them recognises them (same place, same hash).
- **Own operations with no envelope anywhere**: not in the outbox, not kept, never confirmed by the server
  (rows deleted from the outbox in this device's file, or kept copies of a lost tail that are gone). They
  are still in the device's own operations: they are put back at the front of the outbox, in the order
  they were recorded, and sealed again on top of the server's head with the rest.

The server's head must be a place this device knows with the same hash (its kept copy or what it saw of
its own chain); otherwise the server shows an own chain this device cannot vouch for: a security stop, as
before."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from ..core.policy import SELF_TYPES
from ..crypto.canonical import b64d
from ..crypto.chain import ZERO_HASH, push_head
from ..crypto.wire import EnvelopeFormatError, envelope_hash, unpack
from .client import SyncClient
from .port import DevicePort

__all__ = ["Refill", "refill_gap"]

log = logging.getLogger("veldwerk.sync")

_BATCH = 200  # envelopes delivered again per push (the server's batch limit is higher)


@dataclass
class Refill:
    head: tuple[int, bytes]  # the server's head of this device's chain after what was delivered again
    delivered: int = 0  # kept envelopes delivered again as they were
    requeued: int = 0  # own operations put back in the outbox (sealed again on top of ``head``)


def _server_head(client: SyncClient, device: DevicePort) -> tuple[int, bytes]:
    me = device.identity.device_id
    answer = client.own_chain(device.team, me, 2**53, 1)
    seq = answer.get("device_seq")
    if type(seq) is not int or seq < 0:
        device.raise_alert("fork", "the server's head of this device's chain is malformed")
    head_hash = answer.get("hash")
    try:
        digest = b64d(head_hash) if seq else ZERO_HASH
    except (TypeError, ValueError):
        digest = b""
    return seq, digest


def _kept_after(device: DevicePort, place: int) -> tuple[dict[int, tuple[bytes, bytes]], bytes | None]:
    """Kept envelopes of this device at places after ``place`` ({place: (op_id, envelope)}), newest first
    until one at or before it; and the hash of the kept copy at ``place`` itself, if one was met."""
    me = device.identity.device_id
    after: dict[int, tuple[bytes, bytes]] = {}
    at_place = None
    for op_id, env in device.store.kept_newest_first():
        try:
            parts = unpack(env)
        except EnvelopeFormatError:
            continue  # a damaged kept row: as if it were not kept
        if parts.device != me:
            continue
        where = parts.header["device_seq"]
        if where > place:
            after.setdefault(where, (op_id, env))
        else:
            if where == place:
                at_place = envelope_hash(env)
            break
    return after, at_place


def refill_gap(device: DevicePort, client: SyncClient) -> Refill:
    """Deliver again what the server lacks of this device's chain and put back in the outbox what has no
    envelope anywhere; the server's head to seal the outbox on. Raises what the push raises."""
    store = device.store
    me = device.identity.device_id
    seq, digest = _server_head(client, device)
    kept, at_head = _kept_after(device, seq)
    known = at_head if at_head is not None else (ZERO_HASH if seq == 0 else store.seen_in_chain(me, seq))
    if known is None or known != digest:
        device.raise_alert("fork", "the server's head of this device's chain is not one this device sealed")
    run: list[tuple[bytes, bytes]] = []
    place, last = seq, digest
    while place + 1 in kept:
        op_id, env = kept[place + 1]
        if unpack(env).prev_hash != last:
            break
        run.append((op_id, env))
        place, last = place + 1, envelope_hash(env)
    for start in range(0, len(run), _BATCH):
        batch = run[start:start + _BATCH]
        envelopes = [env for _op_id, env in batch]
        end = seq + start + len(batch)  # the run starts right after the server's head, one place each
        head = push_head(device.team, me, end, envelope_hash(envelopes[-1]), device.identity)
        results = client.push_encoded(device.team, client.push_body(envelopes, head))
        store.kept_confirmed([(b64d(r["op_id"]), r["seq"]) for r in results])
    lost = [op_id for where, (op_id, _env) in sorted(kept.items()) if where > place]
    known = set(lost)
    lost += [op_id for op_id in store.own_copyless_ids() if op_id not in known]
    entries = []
    for op_id in sorted(lost, key=lambda i: store.op_position(i) or 0):  # the order they were recorded in
        try:
            op = store.get_op(op_id)
        except Exception:  # noqa: BLE001 - a damaged row: the mending pass deals with it (sync/mend.py)
            op = None
        if op is not None:
            entries.append((op_id, op, op.get("type") not in SELF_TYPES))  # counted as when it was recorded
    store.outbox_put_first(entries)
    requeued = len(entries)
    if run or requeued:
        log.warning("own chain behind on the server: %d delivered again, %d put back in the outbox",
                    len(run), requeued)
    return Refill((place, last), len(run), requeued)

