"""Real processes for integration tests: the sync server and device shells, each its own OS process."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

SUP_PASS = "werkbegeleider-geheim-1"
WORK_PASS = "veldwerker-geheim-12"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ServerProc:
    """`sync-server serve` on a loopback port; can be stopped (kill -9) and started again on the same db."""

    def __init__(self, db: Path, port: int, log: Path):
        self.db, self.port, self.log = db, port, log
        self.url = f"http://127.0.0.1:{port}"
        self.proc: subprocess.Popen | None = None

    def cli(self, *args: str) -> dict:
        out = subprocess.run([sys.executable, "-m", "sync_server.cli", *args, "--db", str(self.db), "--json"],
                             capture_output=True, text=True, check=True)
        return json.loads(out.stdout.strip().splitlines()[-1])

    def start(self, wait: bool = True) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "sync_server.cli", "serve", "--db", str(self.db), "--host", "127.0.0.1",
             "--port", str(self.port)], stdout=open(self.log, "a"), stderr=subprocess.STDOUT)
        if wait:
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                try:
                    urllib.request.urlopen(self.url + "/healthz", timeout=1).read()
                    return
                except OSError:
                    time.sleep(0.1)
            raise RuntimeError("server did not come up")

    def kill(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)


def enrol(data: Path, server_url: str | None, code: str | None, name: str, passphrase: str, *,
          invite: str | None = None) -> dict:
    """`field-app enrol` with a one-time code and server, or with a coordinator's invitation text."""
    where = ["--invite", invite] if invite else ["--server", server_url, "--code", code]
    out = subprocess.run(
        [sys.executable, "-m", "field_app.cli", "enrol", "--data", str(data), *where, "--name", name],
        input=f"{passphrase}\n{passphrase}\n", capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.strip().splitlines()[-1])


def device_cli(data: Path, passphrase: str | None, *args: str, check: bool = True) -> dict | list:
    """Another `field-app` command on a device (passphrase on stdin when given); its JSON answer."""
    out = subprocess.run([sys.executable, "-m", "field_app.cli", args[0], "--data", str(data), *args[1:]],
                         input=(passphrase + "\n") if passphrase is not None else "", capture_output=True,
                         text=True)
    if check:
        assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.strip().splitlines()[-1]) if out.stdout.strip() else {"stderr": out.stderr}


def admit(sup_dir: Path, sup_pass: str, work_dir: Path, work_pass: str, name: str, role: str = "VELDWERKER") -> dict:
    """The full enrolment: the coordinator's invitation, enrolment with it, fingerprint comparison and
    confirmation on the coordinator's device, and the new device's first sync."""
    invitation = device_cli(sup_dir, sup_pass, "invite", "--role", role)
    pending = enrol(work_dir, None, None, name, work_pass, invite=invitation["text"])
    assert pending["state"] == "awaiting_confirmation", pending
    waiting = device_cli(sup_dir, sup_pass, "pending")
    assert [d["fingerprint"] for d in waiting if d["id"] == pending["device"]] == [pending["fingerprint"]]
    device_cli(sup_dir, sup_pass, "confirm", "--device", pending["device"], "--fingerprint", pending["fingerprint"])
    return pending


def sync(data: Path, passphrase: str, rounds: int = 1) -> dict:
    out = subprocess.run([sys.executable, "-m", "field_app.cli", "sync", "--data", str(data),
                          "--rounds", str(rounds)], input=passphrase + "\n", capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.strip().splitlines()[-1])


class DeviceShell:
    """A device as its own process (`field-app shell`): JSON lines in, JSON lines out, sync in the background."""

    def __init__(self, data: Path, passphrase: str, log: Path):
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "field_app.cli", "shell", "--data", str(data)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=open(log, "a"), text=True, bufsize=1,
            env={**os.environ, "PYTHONUNBUFFERED": "1"})
        self.proc.stdin.write(passphrase + "\n")
        self.proc.stdin.flush()
        ready = json.loads(self.proc.stdout.readline())
        assert ready.get("ready"), ready

    def call(self, cmd: str, **kw):
        self.proc.stdin.write(json.dumps({"cmd": cmd, **kw}) + "\n")
        self.proc.stdin.flush()
        answer = json.loads(self.proc.stdout.readline())
        if not answer["ok"]:
            raise AssertionError(answer)
        return answer["result"]

    def close(self) -> None:
        if self.proc.poll() is None:
            try:
                self.proc.stdin.write(json.dumps({"cmd": "quit"}) + "\n")
                self.proc.stdin.flush()
                self.proc.wait(20)
            except (BrokenPipeError, subprocess.TimeoutExpired):
                self.proc.kill()


def wait_until(pred, timeout: float = 60):
    """Poll ``pred`` (a device process's status, say) until it gives a true value or ``timeout`` seconds
    pass; that value, or its last (false) one."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = pred()
        if value:
            return value
        time.sleep(0.25)
    return pred()
