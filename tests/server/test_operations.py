"""A server operators can run: ``python -m sync_server serve`` stops cleanly on SIGTERM and SIGINT, and
its database files are readable by their owner only (real processes)."""

from __future__ import annotations

import os
import signal
import socket
import stat
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _serve(db: Path) -> tuple[subprocess.Popen, str]:
    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-m", "sync_server", "serve", "--db", str(db), "--port", str(port),
                             "--log-level", "warning"], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(url + "/healthz", timeout=1).status_code == 200:
                return proc, url
        except httpx.HTTPError:
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError("server did not start")


@pytest.mark.slow
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_serve_stops_cleanly_on_a_signal_even_with_a_client_connected(tmp_path, sig):
    proc, url = _serve(tmp_path / "server.db")
    client = httpx.Client()  # a keep-alive connection stays open, as a device's would
    assert client.get(url + "/healthz").status_code == 200
    started = time.monotonic()
    proc.send_signal(sig)
    try:
        code = proc.wait(timeout=15)
    finally:
        client.close()
        if proc.poll() is None:
            proc.kill()
    assert code == 0, proc.stderr.read().decode(errors="replace")
    assert time.monotonic() - started < 10
    assert b"Traceback" not in proc.stderr.read()


@pytest.mark.slow
def test_database_files_are_owner_only_in_a_private_folder(tmp_path):
    db = tmp_path / "new-folder" / "server.db"
    proc, url = _serve(db)
    try:
        assert httpx.get(url + "/healthz").status_code == 200
        files = [p for p in db.parent.iterdir()]
        assert db in files
        for path in files:  # the database and its -wal / -shm files
            assert stat.S_IMODE(path.stat().st_mode) == 0o600, path.name
        assert stat.S_IMODE(db.parent.stat().st_mode) == 0o700
    finally:
        proc.terminate()
        proc.wait(timeout=15)


def test_a_device_folder_and_database_are_owner_only(tmp_path):
    from field_app.store import LocalStore

    store = LocalStore(tmp_path / "device")
    store.set_meta("x", "1")
    for path in (tmp_path / "device").iterdir():
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path.name
    assert stat.S_IMODE((tmp_path / "device").stat().st_mode) == 0o700
    store.close()
    assert os.access(tmp_path / "device", os.R_OK)
