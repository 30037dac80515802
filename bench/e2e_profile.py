"""cProfile of the end-to-end paths: recording a note on a device that holds N records, unlocking it, its
sync pushing them, and a fresh device pulling them.
``python -m bench.e2e_profile [N] [record|unlock|push|pull|noop]``; prints the top functions.

Not part of ``make bench``: a tool for finding what to optimise (see docs/performance.md)."""

from __future__ import annotations

import cProfile
import os
import pstats
import shutil
import sys
import tempfile
from pathlib import Path

from bench.e2e import CLIENTS, FILLER, CountingTransport, Server, _team


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    what = sys.argv[2:] or ["record", "pull", "noop"]
    tmp = Path(tempfile.mkdtemp(prefix="veldwerk-prof-"))
    server = Server(tmp)
    coord, worker, fresh = _team(tmp, server, CountingTransport())
    try:
        clients = [worker.add_client(f"Benchcliënt {i} (fictief)", fictional=True) for i in range(CLIENTS)]

        def note(i: int) -> None:
            worker.record_contact(clients[i % CLIENTS], contact_type="TELEFONISCH", outcome="PLAATSGEVONDEN",
                                  report=f"{FILLER}{i}")

        for i in range(n):
            note(i)
        if "record" in what:
            prof = cProfile.Profile()
            prof.enable()
            for i in range(200):
                note(n + i)
            prof.disable()
            print(f"== recording 200 notes with {n} on the device")
            pstats.Stats(prof).sort_stats("cumulative").print_stats(35)
        if "unlock" in what:
            from bench.e2e import PASS

            worker.lock()
            prof = cProfile.Profile()
            key = worker.vault.open_counted(PASS, worker.vault.platform_secret)
            prof.enable()
            worker.device.open(key)
            prof.disable()
            worker.lifecycle._started()
            print(f"== unlock (without the KDF) of {n} records")
            pstats.Stats(prof).sort_stats("tottime").print_stats(25)
        for name, action in (("push", worker.sync_once), ("pull", fresh.sync_once), ("noop", fresh.sync_once)):
            if name not in what:
                if name == "push":
                    action()  # the others pull what it pushes
                continue
            prof = cProfile.Profile()
            prof.enable()
            action()
            prof.disable()
            print(f"== {name}")
            pstats.Stats(prof).sort_stats(os.environ.get("PROF_SORT", "tottime")).print_stats(int(os.environ.get("PROF_TOP", "35")))
    finally:
        for svc in (coord, worker, fresh):
            svc.close()
        server.stop()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
