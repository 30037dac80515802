"""One signature check per contiguous run of a device's chain in a pulled page.

Each envelope names the SHA-256 of its device's previous envelope (``prev_hash``) inside the header its
signature covers. So when a page holds envelopes e1..ek of one device with consecutive ``device_seq`` and
``prev_hash(e[i+1]) = SHA-256(e[i])``, a valid signature on ek authenticates the exact bytes of every
envelope of the run: ek's signed header commits to e(k-1)'s bytes (signature included), which commit to
e(k-2)'s, and so on. :func:`vouch_runs` finds those runs and checks one signature per run; an envelope it
does not vouch for is checked on its own as before. See docs/security.md for the argument and its limits.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from . import wire
from .identity import verify_signature

__all__ = ["vouch_runs"]


def vouch_runs(envelopes: Sequence[bytes], key_of: Callable[[bytes], bytes | None]) -> set[int]:
    """Indexes of ``envelopes`` whose authenticity a verified later signature of the same run carries.

    ``key_of(device)`` is the device's Ed25519 key from the verified ledger (None: unknown, not vouched).
    Runs are formed in page order per device; a run whose last signature fails vouches for nothing (each
    of its envelopes is then checked alone, so a broken one is found). Malformed envelopes end a run.
    """
    runs: dict[bytes, list[list[tuple[int, wire.EnvelopeParts, bytes]]]] = {}
    for i, env in enumerate(envelopes):
        try:
            parts = wire.unpack(env)
        except wire.EnvelopeFormatError:
            continue
        chains = runs.setdefault(parts.device, [])
        last = chains[-1][-1] if chains and chains[-1] else None
        if last is not None and parts.header["device_seq"] == last[1].header["device_seq"] + 1 \
                and parts.prev_hash == wire.envelope_hash(last[2]):
            chains[-1].append((i, parts, bytes(env)))
        else:
            chains.append([(i, parts, bytes(env))])
    vouched: set[int] = set()
    for device, chains in runs.items():
        key = key_of(device)
        if key is None:
            continue
        for run in chains:
            if len(run) < 2:
                continue  # a run of one: its own check is the same single verification
            _i, tail, _env = run[-1]
            if verify_signature(key, tail.signature, tail.signed_bytes()):
                vouched.update(i for i, _parts, _env in run)
    return vouched
