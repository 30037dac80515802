"""A throwaway PostgreSQL cluster for tests and the bench: initdb + pg_ctl, listening on a unix socket in a
temporary folder only (no TCP port), removed after. As root (CI) the cluster runs as ``nobody``."""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
import uuid
from pathlib import Path

SUPERUSER = "veldwerk"


def find_bin(name: str) -> str | None:
    """``name`` (initdb, pg_ctl) on PATH, else from Debian's /usr/lib/postgresql/<newest>/bin."""
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), key=lambda p: int(p.split("/")[4]))
    return candidates[-1] if candidates else None


class Cluster:
    def __init__(self) -> None:
        initdb, pg_ctl = find_bin("initdb"), find_bin("pg_ctl")
        if not initdb or not pg_ctl:
            raise RuntimeError("PostgreSQL's initdb/pg_ctl not found: apt-get install postgresql")
        self.pg_ctl = pg_ctl
        self.root = Path(tempfile.mkdtemp(prefix="veldwerk-pg-"))
        self.data = self.root / "data"
        self.socket = self.root / "socket"
        self.socket.mkdir()
        self._as: list[str] = []
        if os.geteuid() == 0:  # postgres refuses to run as root
            shutil.chown(self.root, "nobody")
            shutil.chown(self.socket, "nobody")
            self._as = ["runuser", "-u", "nobody", "--"]
        self._run([initdb, "-D", str(self.data), "-U", SUPERUSER, "--auth=trust", "-E", "UTF8",
                   "--no-sync", "--locale=C"])
        options = f"-k {self.socket} -c listen_addresses='' -c fsync=off -c max_connections=300"
        self._run([pg_ctl, "-D", str(self.data), "-o", options, "-l", str(self.root / "log"), "-w", "start"])

    def _run(self, cmd: list[str]) -> None:
        subprocess.run([*self._as, *cmd], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                       cwd=self.root)

    def url(self, db: str = "postgres") -> str:
        return f"postgresql://{SUPERUSER}@/{db}?host={self.socket}"

    def new_database(self) -> str:
        """A fresh empty database; its URL."""
        import psycopg

        name = "t" + uuid.uuid4().hex[:12]
        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f"CREATE DATABASE {name}")
        return self.url(name)

    def stop(self) -> None:
        try:
            self._run([self.pg_ctl, "-D", str(self.data), "-m", "immediate", "stop"])
        finally:
            shutil.rmtree(self.root, ignore_errors=True)
