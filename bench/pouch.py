"""The PouchDB peer of the end-to-end bench: ``../shared/anchors/pouchdb`` run with node on this machine.

The anchor is copied into a temporary folder once per bench run and ``npm install``-ed there (the shared
folder is never written). It replicates N ~1 KB documents to an express-pouchdb server on loopback and
back into a fresh database, in memory and unencrypted, and prints one JSON line.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ANCHOR_CANDIDATES = [ROOT.parent / "shared" / "anchors" / "pouchdb", Path("/work/shared/anchors/pouchdb")]


class PouchPeer:
    """One installed copy of the anchor; :meth:`run` replicates N documents and returns its JSON line."""

    def __init__(self) -> None:
        self.node = shutil.which("node")
        self.npm = shutil.which("npm")
        self.anchor = next((p for p in ANCHOR_CANDIDATES if (p / "bench.js").exists()), None)
        self.dir: Path | None = None
        self.missing = ""
        if self.node is None or self.npm is None:
            self.missing = "node/npm not found: no PouchDB peer, no ratio"
        elif self.anchor is None:
            self.missing = "the PouchDB anchor (shared/anchors/pouchdb) is not here: no ratio"

    @property
    def available(self) -> bool:
        return not self.missing

    def install(self) -> bool:
        if not self.available or self.dir is not None:
            return self.available
        tmp = Path(tempfile.mkdtemp(prefix="veldwerk-pouch-"))
        self.dir = tmp / "pouchdb"
        shutil.copytree(self.anchor, self.dir, ignore=shutil.ignore_patterns("node_modules"))
        out = subprocess.run([self.npm, "install", "--no-audit", "--no-fund", "--loglevel=error"], cwd=self.dir,
                             capture_output=True, text=True, timeout=600, env={**os.environ, "CI": "1"})
        if out.returncode != 0:
            self.missing = f"npm install failed ({out.returncode}): no ratio"
            return False
        return True

    def run(self, n: int) -> dict | None:
        if not self.install():
            return None
        out = subprocess.run([self.node, "bench.js", str(n)], cwd=self.dir, capture_output=True, text=True,
                             timeout=1800)
        lines = [line for line in out.stdout.splitlines() if line.startswith("{")]
        if out.returncode != 0 or not lines:
            self.missing = f"node bench.js failed ({out.returncode})"
            return None
        return json.loads(lines[-1])

    def cleanup(self) -> None:
        if self.dir is not None:
            shutil.rmtree(self.dir.parent, ignore_errors=True)
            self.dir = None
