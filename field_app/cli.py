"""``field-app``: a Veldwerk device from the command line.

    field-app enrol --data DIR --server URL --code CODE --name "Naam"   (passphrase: prompt, or stdin line)
    field-app serve --data DIR [--port 8550]                              (the app in the browser)
    field-app sync  --data DIR [--rounds 1]                               (sync without the UI)
    field-app shell --data DIR                                            (JSON lines on stdin, for scripts)
    field-app demo-seed --data DIR                                        (record the fictional demo cases)

The passphrase is never a flag or an environment variable: it is typed, or piped on stdin.
"""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
import time
from pathlib import Path

from .crypto.vault import WeakPassphrase, WrongPassphrase
from .domain.errors import ValidationError
from .services import EnrolError, Services
from .sync.client import ServerError, Unreachable


def _read_passphrase(confirm: bool = False) -> str:
    if not sys.stdin.isatty():
        line = sys.stdin.readline()
        return line.rstrip("\r\n")
    first = getpass.getpass("Wachtwoordzin: ")
    if confirm and getpass.getpass("Herhaal de wachtwoordzin: ") != first:
        raise SystemExit("De wachtwoordzinnen zijn niet gelijk.")
    return first


def _unlocked(data: Path, autosync: bool) -> Services:
    svc = Services(data, autosync=autosync)
    if not svc.enrolled:
        svc.close()
        raise SystemExit("Dit toestel is nog niet ingeschreven (field-app enrol).")
    try:
        svc.unlock(_read_passphrase())
    except WrongPassphrase as exc:
        svc.close()
        raise SystemExit(str(exc)) from None
    return svc


def cmd_enrol(args: argparse.Namespace) -> int:
    passphrase = _read_passphrase(confirm=True)
    try:
        svc = Services.enrol(args.data, server_url=args.server, code=args.code, passphrase=passphrase,
                             user_name=args.name, autosync=False)
    except (EnrolError, WeakPassphrase, ValueError) as exc:
        print(str(exc), file=sys.stderr)
        return 2
    try:
        try:
            svc.sync_once()
        except (Unreachable, ServerError):
            pass  # the background sync of the app will finish the job
        fp = " ".join(svc.fingerprint())
        print(json.dumps({"device": svc.device_id, "role": svc.role, "fingerprint": fp,
                          "state": svc.sync_status().state}))
    finally:
        svc.close()
    return 0


def cmd_sync(args: argparse.Namespace) -> int:
    svc = _unlocked(args.data, autosync=False)
    try:
        for i in range(args.rounds):
            if i:
                time.sleep(args.interval)
            svc.sync_once()
        st = svc.sync_status()
        print(json.dumps({"state": st.state, "pending": st.pending, "pending_key": st.pending_key}))
    except (Unreachable, ServerError) as exc:
        print(f"Synchroniseren lukte niet: {type(exc).__name__}", file=sys.stderr)
        return 1
    finally:
        svc.close()
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    from .web import serve

    serve(args.data, host=args.host, port=args.port)
    return 0


def cmd_demo_seed(args: argparse.Namespace) -> int:
    from .demo import seed

    svc = _unlocked(args.data, autosync=False)
    try:
        counts = seed(svc)
        try:
            svc.sync_once()
        except (Unreachable, ServerError):
            pass
        print(json.dumps(counts))
    finally:
        svc.close()
    return 0


def _jsonable(value):
    import dataclasses

    if dataclasses.is_dataclass(value):
        return {k: _jsonable(v) for k, v in dataclasses.asdict(value).items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    return value


def cmd_shell(args: argparse.Namespace) -> int:
    """One JSON request per line on stdin, one JSON answer per line on stdout. The first line is the
    passphrase. Background sync runs as in the app."""
    svc = _unlocked(args.data, autosync=True)
    print(json.dumps({"ok": True, "ready": True}), flush=True)
    calls = {
        "add_client": lambda r: svc.add_client(r["name"], fictional=r.get("fictional", False)),
        "record_contact": lambda r: svc.record_contact(
            r["client_id"], contact_type=r["contact_type"], outcome=r["outcome"], report=r["report"],
            occurred_at=r.get("occurred_at"), risks=[tuple(x) for x in r.get("risks", [])]),
        "caseload": lambda r: svc.caseload(),
        "timeline": lambda r: svc.timeline(r["client_id"]),
        "status": lambda r: svc.sync_status(),
        "sync_now": lambda r: svc.sync_now(),
    }
    try:
        for line in sys.stdin:
            if not line.strip():
                continue
            try:
                req = json.loads(line)
                if req.get("cmd") == "quit":
                    break
                result = calls[req["cmd"]](req)
                answer = {"ok": True, "result": _jsonable(result)}
            except ValidationError as exc:
                answer = {"ok": False, "error": "validation", "errors": exc.errors}
            except (KeyError, ValueError, TypeError) as exc:
                answer = {"ok": False, "error": type(exc).__name__}
            print(json.dumps(answer), flush=True)
    finally:
        svc.close()
    return 0


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="field-app", description="Veldwerk device")
    sub = p.add_subparsers(dest="command", required=True)

    def data_arg(sp):
        default = os.environ.get("FLET_APP_STORAGE_DATA")
        sp.add_argument("--data", type=Path, required=default is None, default=default,
                        help="data directory of this device (default: $FLET_APP_STORAGE_DATA)")

    sp = sub.add_parser("enrol", help="register this device with a one-time code")
    data_arg(sp)
    sp.add_argument("--server", required=True)
    sp.add_argument("--code", required=True)
    sp.add_argument("--name", required=True, help="your name as colleagues see it")
    sp.set_defaults(func=cmd_enrol)

    sp = sub.add_parser("serve", help="run the app in the browser (binds 127.0.0.1 only)")
    data_arg(sp)
    sp.add_argument("--host", default="127.0.0.1")
    sp.add_argument("--port", type=int, default=8550)
    sp.set_defaults(func=cmd_serve)

    sp = sub.add_parser("sync", help="sync without the UI")
    data_arg(sp)
    sp.add_argument("--rounds", type=int, default=1)
    sp.add_argument("--interval", type=float, default=1.0)
    sp.set_defaults(func=cmd_sync)

    sp = sub.add_parser("shell", help="JSON lines interface for scripts and tests")
    data_arg(sp)
    sp.set_defaults(func=cmd_shell)

    sp = sub.add_parser("demo-seed", help="record the fictional demo cases on this device")
    data_arg(sp)
    sp.set_defaults(func=cmd_demo_seed)
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    raise SystemExit(main())
