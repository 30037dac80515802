"""``make run``: a FICTIONAL demo on this computer, every part its own process.

1. a sync server on 127.0.0.1 with a fresh SQLite file under .demo/;
2. the supervisor's device (the team's first, coordinator device), enrolled through the real API;
3. a field worker's and a coordinator's (procesregisseur) device, each enrolled with an invitation from
   the supervisor's device, which compares each fingerprint and confirms it (no trust on first use);
4. the five fictional demo cases and two reports recorded on the worker's device through the services,
   then, each on the device whose user would do it and synced in between: the supervisor approves and
   returns notes and a report, the coordinator flags two follow-ups for the worker, the worker
   acknowledges one (the other is overdue);
5. the three devices' apps in web mode, each with its own random launch key; the addresses (with the key)
   and passphrases are printed. Ctrl-C stops everything.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path.cwd()
DEMO = ROOT / ".demo"
SUPERVISOR = ("Fatima El Amrani (fictief)", "demo-werkbegeleider-2025")
WORKER = ("Lotte de Boer (fictief)", "demo-veldwerker-2025")
COORDINATOR = ("Anouk Prins (fictief)", "demo-procesregisseur-2025")


def _port(preferred: int) -> int:
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", preferred))
            return preferred
        except OSError:
            s.bind(("127.0.0.1", 0))
            return s.getsockname()[1]


def _wait_http(url: str, proc: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"Een proces stopte onverwacht (zie {DEMO}/logs).")
        try:
            urllib.request.urlopen(url, timeout=1).read()
            return
        except urllib.error.HTTPError:
            return  # it answers (a device's app: 303 to set its cookie, then 403 as urllib keeps none)
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"{url} kwam niet op tijd op.")


def _run(args: list[str], stdin: str = "") -> str:
    out = subprocess.run([sys.executable, "-m", *args], input=stdin, capture_output=True, text=True)
    if out.returncode != 0:
        raise SystemExit(f"Mislukt: {' '.join(args[:2])}\n{out.stderr.strip()}")
    return out.stdout.strip()


def _admit(name: str, who: tuple[str, str], role: str) -> None:
    """Invite a device from the supervisor's (coordinator) device, enrol it, compare its fingerprint and
    confirm it; the new device then collects the team key."""
    inv = json.loads(_run(["field_app.cli", "invite", "--data", str(DEMO / "supervisor"), "--role", role],
                          stdin=SUPERVISOR[1] + "\n"))
    new = json.loads(_run(["field_app.cli", "enrol", "--data", str(DEMO / name), "--invite", inv["text"],
                           "--name", who[0]], stdin=who[1] + "\n" + who[1] + "\n"))
    _run(["field_app.cli", "confirm", "--data", str(DEMO / "supervisor"), "--device", new["device"],
          "--fingerprint", new["fingerprint"]], stdin=SUPERVISOR[1] + "\n")
    _run(["field_app.cli", "sync", "--data", str(DEMO / name)], stdin=who[1] + "\n")


def _step(name: str, who: tuple[str, str], step: str) -> dict:
    return json.loads(_run(["field_app.cli", "demo-seed", "--data", str(DEMO / name), "--step", step],
                           stdin=who[1] + "\n").splitlines()[-1])


def _team_and_cases(db: str, server_url: str) -> dict:
    """The team: the supervisor's device (first, coordinator), the worker's and the procesregisseur's
    devices invited, enrolled and confirmed by fingerprint; then the fictional cases on the worker's
    device, the reviews on the supervisor's, the flags on the coordinator's and an acknowledgement on the
    worker's, each synced before the next."""
    sup = json.loads(_run(["sync_server.cli", "init", "--db", db, "--role", "WERKBEGELEIDER", "--json"]))
    _run(["field_app.cli", "enrol", "--data", str(DEMO / "supervisor"), "--server", server_url,
          "--code", sup["code"], "--name", SUPERVISOR[0]], stdin=SUPERVISOR[1] + "\n" + SUPERVISOR[1] + "\n")
    _admit("worker", WORKER, "VELDWERKER")
    _admit("coordinator", COORDINATOR, "PROCESREGISSEUR")
    seeded = _step("worker", WORKER, "cases")
    _step("supervisor", SUPERVISOR, "reviews")
    _step("coordinator", COORDINATOR, "flags")
    _step("worker", WORKER, "acknowledge")
    for name, who in (("supervisor", SUPERVISOR), ("coordinator", COORDINATOR)):
        _run(["field_app.cli", "sync", "--data", str(DEMO / name)], stdin=who[1] + "\n")
    return seeded


def _banner(seeded: dict, server_url: str, sup_url: str, work_url: str, coord_url: str) -> None:
    print(f"""
Veldwerk demo draait — alle gegevens zijn FICTIEF ({seeded['clients']} cliënten, {seeded['records']} dossierregels).

  Sync-server:            {server_url}   (API: {server_url}/openapi.json)
  Werkbegeleider-toestel: {sup_url}
                          wachtwoordzin: {SUPERVISOR[1]}   ({SUPERVISOR[0]})
  Veldwerker-toestel:     {work_url}
                          wachtwoordzin: {WORKER[1]}   ({WORKER[0]})
  Procesregisseur-toestel: {coord_url}
                          wachtwoordzin: {COORDINATOR[1]}   ({COORDINATOR[0]})

Open de adressen precies zo (de sleutel achter ?k= laat alleen jouw browser binnen; daarna
volstaat http://127.0.0.1:POORT/), ontgrendel, leg op het veldwerker-toestel een contact vast en
zie het kort daarna op het werkbegeleider-toestel verschijnen. Logboeken: {DEMO}/logs. Stoppen: Ctrl-C.
""", flush=True)


def main() -> None:
    shutil.rmtree(DEMO, ignore_errors=True)
    (DEMO / "logs").mkdir(parents=True, mode=0o700)  # the apps' logs hold their addresses with the key
    DEMO.chmod(0o700)
    procs: list[subprocess.Popen] = []

    def start(name: str, args: list[str], env: dict[str, str] | None = None) -> subprocess.Popen:
        log = open(os.open(DEMO / "logs" / f"{name}.log", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w")
        proc = subprocess.Popen([sys.executable, "-m", *args], stdout=log, stderr=subprocess.STDOUT,
                                env={**os.environ, **(env or {})})
        procs.append(proc)
        return proc

    def stop(*_a) -> None:
        for p in procs:
            p.terminate()
        for p in procs:
            try:
                p.wait(10)
            except subprocess.TimeoutExpired:
                p.kill()
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, stop)
    try:
        server_port = _port(8765)
        server_url = f"http://127.0.0.1:{server_port}"
        db = str(DEMO / "server.db")
        print("Veldwerk demo (FICTIEVE gegevens) wordt opgezet...", flush=True)
        server = start("server", ["sync_server.cli", "serve", "--db", db, "--host", "127.0.0.1",
                                  "--port", str(server_port)])
        _wait_http(server_url + "/healthz", server)

        seeded = _team_and_cases(db, server_url)

        # each app gets its own launch key (through the environment, never the command line, which other
        # users on the computer can read); only this terminal shows the addresses that carry it
        sup_port, work_port, coord_port = _port(8551), _port(8552), _port(8553)
        sup_key, work_key, coord_key = (secrets.token_urlsafe(32) for _ in range(3))
        sup_url, work_url = f"http://127.0.0.1:{sup_port}/?k={sup_key}", f"http://127.0.0.1:{work_port}/?k={work_key}"
        coord_url = f"http://127.0.0.1:{coord_port}/?k={coord_key}"
        sup_app = start("supervisor-app", ["field_app.cli", "serve", "--data", str(DEMO / "supervisor"),
                                           "--port", str(sup_port)], env={"VELDWERK_WEB_TOKEN": sup_key})
        work_app = start("worker-app", ["field_app.cli", "serve", "--data", str(DEMO / "worker"),
                                        "--port", str(work_port)], env={"VELDWERK_WEB_TOKEN": work_key})
        coord_app = start("coordinator-app", ["field_app.cli", "serve", "--data", str(DEMO / "coordinator"),
                                              "--port", str(coord_port)], env={"VELDWERK_WEB_TOKEN": coord_key})
        _wait_http(sup_url, sup_app)
        _wait_http(work_url, work_app)
        _wait_http(coord_url, coord_app)
        _banner(seeded, server_url, sup_url, work_url, coord_url)
        while all(p.poll() is None for p in procs):
            time.sleep(1)
        print("Een onderdeel van de demo stopte; zie de logboeken.", file=sys.stderr)
        stop()
    except KeyboardInterrupt:
        stop()
    except SystemExit:
        for p in procs:
            p.terminate()
        raise


if __name__ == "__main__":
    main()
