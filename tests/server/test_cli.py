"""The ``sync-server`` command: init, invite and serve, run as real processes."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from sync_server import protocol

_SCRIPT = Path(sys.executable).parent / "sync-server"
COMMAND = [str(_SCRIPT)] if _SCRIPT.exists() else [sys.executable, "-m", "sync_server.cli"]


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*COMMAND, *args], capture_output=True, text=True, timeout=60)


def test_init_and_invite_print_one_json_line(tmp_path) -> None:
    db = str(tmp_path / "cli.db")
    init = run("init", "--db", db, "--json")
    assert init.returncode == 0, init.stderr
    lines = init.stdout.splitlines()
    assert len(lines) == 1
    created = json.loads(lines[0])
    assert list(created) == ["team", "code", "role"]
    assert created["role"] == "PROCESREGISSEUR" and len(created["team"]) == 22
    assert protocol.normalise_code(created["code"]) is not None

    invite = run("invite", "--db", db, "--team", created["team"], "--role", "WERKBEGELEIDER", "--json")
    assert invite.returncode == 0, invite.stderr
    invited = json.loads(invite.stdout)
    assert invited["team"] == created["team"] and invited["role"] == "WERKBEGELEIDER"
    assert invited["code"] != created["code"]


def test_module_entry_point_and_friendly_text(tmp_path) -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "sync_server.cli",
            "init",
            "--db",
            str(tmp_path / "m.db"),
            "--role",
            "beheerder",
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "Koppelcode / enrolment code" in result.stdout and "BEHEERDER" in result.stdout


def test_invite_for_an_unknown_team_or_role_fails(tmp_path) -> None:
    db = str(tmp_path / "cli.db")
    assert (
        run("invite", "--db", db, "--team", "AAAAAAAAAAAAAAAAAAAAAA", "--role", "VELDWERKER").returncode == 2
    )
    assert run("init", "--db", db, "--role", "KONING").returncode == 2


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.slow
def test_serve_answers_healthz_on_loopback(tmp_path) -> None:
    port = _free_port()
    process = subprocess.Popen(
        [
            *COMMAND,
            "serve",
            "--db",
            str(tmp_path / "serve.db"),
            "--port",
            str(port),
            "--log-level",
            "warning",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                response = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1)
                break
            except httpx.TransportError:
                assert process.poll() is None, process.stdout.read().decode() if process.stdout else ""
                assert time.monotonic() < deadline, "server did not start"
                time.sleep(0.1)
        assert response.status_code == 200 and response.json() == {"status": "ok"}
        missing = httpx.get(f"http://127.0.0.1:{port}/nope", timeout=5)
        assert missing.status_code == 404 and missing.json()["error"] == "not_found"

        def chunks():  # 4 MiB, chunked, no Content-Length: caught on the real socket too
            for _ in range(64):
                yield b" " * 65536

        too_big = httpx.post(
            f"http://127.0.0.1:{port}/v1/enrol",
            content=chunks(),
            headers={"Content-Type": "application/json"},
            timeout=10,
        )
        assert too_big.status_code == 413 and too_big.json()["error"] == "body_too_large"
    finally:
        process.terminate()
        process.wait(timeout=10)
