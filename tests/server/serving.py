"""Real ``sync-server serve`` processes on free loopback ports, for tests that need a socket."""

from __future__ import annotations

import socket
import subprocess
import sys
import time

import httpx

from .support import PUBLIC_URL

COMMAND = [sys.executable, "-m", "sync_server.cli"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(db: str, *extra: str) -> tuple[subprocess.Popen, str]:
    """``sync-server serve --db DB`` on a free port (public URL ``PUBLIC_URL``, so the test helpers' login
    signatures verify); (process, base URL) once /healthz answers."""
    port = free_port()
    proc = subprocess.Popen([*COMMAND, "serve", "--db", db, "--port", str(port), "--public-url", PUBLIC_URL,
                             "--log-level", "warning", *extra], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    for _ in range(300):
        if proc.poll() is not None:
            break
        try:
            if httpx.get(base + "/healthz", timeout=1).status_code == 200:
                return proc, base
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    proc.kill()
    raise RuntimeError(proc.stderr.read().decode() if proc.stderr else "server did not start")


def stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
