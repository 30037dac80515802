"""``field-app``: a Veldwerk device from the command line.

    field-app enrol --data DIR --server URL --code CODE --name "Naam"   (passphrase: prompt, or stdin line)
    field-app enrol --data DIR --invite "VW1:..." --name "Naam"          (with a coordinator's invitation)
    field-app serve --data DIR [--port 8550]                              (the app in the browser: open the
                                                                          address it prints, with its key)
    field-app sync  --data DIR [--rounds 1]                               (sync without the UI)
    field-app shell --data DIR                                            (JSON lines on stdin, for scripts)
    field-app demo-seed --data DIR [--step cases|reviews|flags|acknowledge] (the fictional demo, step by step)

Coordinator devices (beheer):

    field-app invite  --data DIR --role VELDWERKER [--qr FILE.png]        (invitation text and team fingerprint)
    field-app pending --data DIR                                          (devices waiting, with fingerprints)
    field-app confirm --data DIR --device ID --fingerprint "12345 ..."    (compare, then admit and grant)
    field-app devices --data DIR                                          (the team as the verified ledger says)
    field-app set-role --data DIR --device ID --role ROLE [--beheer]
    field-app revoke  --data DIR --device ID --reason RETIRED|LOST|LEFT   (then a new team key)
    field-app wipe    --data DIR --device ID                              (a revoked device erases itself)

Any device:

    field-app deliver --data DIR            (no passphrase: deliver the outbox by signature, e.g. an old
                                             data directory whose passphrase is forgotten)
    field-app change-passphrase --data DIR  (old passphrase, then the new one twice)
    field-app info --data DIR               (no passphrase: device mode, Scrypt cost, attempts, unsynced)

The passphrase is never a flag or an environment variable: it is typed, or piped on stdin.
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import sys
import time
from pathlib import Path

from field_app.domain.vocab import ROLE_CODES

from .cli_common import _jsonable, _read_passphrase, _status, _unlocked
from .cli_team import cmd_confirm, cmd_devices, cmd_invite, cmd_pending, cmd_revoke, cmd_set_role, cmd_wipe
from .core.alerts import SecurityAlert
from .core.errors import LockedError
from .crypto.canonical import join_id_values
from .crypto.vault import WeakPassphrase, WrongPassphrase
from .domain.errors import StorageError, ValidationError
from .services import EnrolError, KeysDestroyed, NotAllowed, Services, TooManyAttempts
from .store.db import StoreError
from .sync.client import ServerError, Unreachable


def cmd_enrol(args: argparse.Namespace) -> int:
    if not args.invite and not (args.server and args.code):
        print("Geef --invite, of --server en --code.", file=sys.stderr)
        return 2
    passphrase = _read_passphrase(confirm=True)
    try:
        svc = Services.enrol(args.data, server_url=args.server, code=args.code, passphrase=passphrase,
                             user_name=args.name, invite=args.invite, autosync=False)
    except (EnrolError, WeakPassphrase, ValueError) as exc:
        print(str(exc), file=sys.stderr)
        return 2
    try:
        try:
            svc.sync_once()
        except (Unreachable, ServerError, SecurityAlert):
            pass  # the state says it; the background sync of the app will finish the job
        fp = " ".join(svc.fingerprint())
        print(json.dumps({"device": svc.device_id, "role": svc.role, "fingerprint": fp, **_status(svc)}))
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
        print(json.dumps(_status(svc)))
    except SecurityAlert as exc:
        print(json.dumps(_status(svc)))
        print(str(exc), file=sys.stderr)
        return 1
    except (Unreachable, ServerError) as exc:
        print(f"Synchroniseren lukte niet: {type(exc).__name__}", file=sys.stderr)
        return 1
    finally:
        svc.close()
    return 0


def cmd_deliver(args: argparse.Namespace) -> int:
    """Delivery-only sync: no passphrase, no login; the outbox envelopes carry their own signatures."""
    svc = Services(args.data, autosync=False)
    try:
        if not svc.enrolled:
            print("Dit is geen Veldwerk-toestel.", file=sys.stderr)
            return 2
        outcome = svc.deliver_outbox()
        print(json.dumps(outcome))
        return 0 if not outcome["remaining"] else 1
    finally:
        svc.close()


def cmd_change_passphrase(args: argparse.Namespace) -> int:
    """stdin (or prompts): the current passphrase, then the new one twice."""
    svc = Services(args.data, autosync=False)
    try:
        old = _read_passphrase()
        try:
            svc.unlock(old)
        except (WrongPassphrase, TooManyAttempts, KeysDestroyed) as exc:
            print(str(exc), file=sys.stderr)
            return 2
        new = _read_passphrase(confirm=True)
        if not sys.stdin.isatty() and sys.stdin.readline().rstrip("\r\n") != new:
            print("De wachtwoordzinnen zijn niet gelijk.", file=sys.stderr)
            return 2
        try:
            svc.change_passphrase(old, new)
        except (WeakPassphrase, WrongPassphrase) as exc:
            print(str(exc), file=sys.stderr)
            return 2
    finally:
        svc.close()
    print(json.dumps({"changed": True}))
    return 0


def cmd_info(args: argparse.Namespace) -> int:
    svc = Services(args.data, autosync=False)
    try:
        print(json.dumps(svc.security_info()))
    finally:
        svc.close()
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    from .web import serve

    serve(args.data, host=args.host, port=args.port)
    return 0


def cmd_demo_seed(args: argparse.Namespace) -> int:
    from .demo import STEPS, seed

    svc = _unlocked(args.data, autosync=False)
    try:
        if args.step != "cases":  # a later step works on what the other devices synced
            try:
                svc.sync_once()
            except (Unreachable, ServerError):
                pass
        counts = seed(svc) if args.step == "cases" else STEPS[args.step](svc)
        try:
            svc.sync_once()
        except (Unreachable, ServerError):
            pass
        print(json.dumps(counts))
    finally:
        svc.close()
    return 0


def cmd_shell(args: argparse.Namespace) -> int:
    """One JSON request per line on stdin, one JSON answer per line on stdout. The first line is the
    passphrase. Background sync runs as in the app."""
    svc = _unlocked(args.data, autosync=True)
    print(json.dumps({"ok": True, "ready": True}), flush=True)
    calls = {
        "add_client": lambda r: svc.add_client(r["name"], fictional=r.get("fictional", False)),
        "record_contact": lambda r: svc.record_contact(
            r["client_id"], contact_type=r["contact_type"], outcome=r["outcome"], report=r["report"],
            occurred_at=r.get("occurred_at"), risks=[tuple(x) for x in r.get("risks", [])],
            excused=r.get("excused")),
        "caseload": lambda r: svc.caseload(),
        "timeline": lambda r: svc.timeline(r["client_id"]),
        "status": lambda r: svc.sync_status(),
        "sync_now": lambda r: svc.sync_now(),
        "open_client_file": lambda r: svc.open_client_file(r["client_id"], r.get("reason")),
        "access_log": lambda r: svc.access_log(r.get("client_id")),
        "server_access_log": lambda r: svc.server_access_log(),
        # records of any type (#15: ticks of a flag's action list on two devices)
        "create_record": lambda r: svc.create_record(r["type"], r["client_id"], r["fields"], ask=bool(r.get("ask"))),
        "update_record": lambda r: svc.update_record(r["record_id"], r["changes"], seen=r.get("seen")),
        "records": lambda r: svc.records(r["client_id"], r["type"]),
        "lock": lambda r: svc.lock(),
        "unlock": lambda r: svc.unlock(r["passphrase"]),
        "unlocked": lambda r: svc.unlocked,
        "unsynced_count": lambda r: svc.unsynced_count(),
        "pending_questions": lambda r: svc.pending_questions(),
        "answer_question": lambda r: svc.answer_question(r["question_id"], r["outcome"]),
        "question_history": lambda r: svc.question_history(),
        # conflicts (#11): a field changed on two devices at once, and the pick
        "record": lambda r: svc.record(r["record_id"]),
        "conflicted_records": lambda r: svc.conflicted_records(),
        "resolve_conflict": lambda r: svc.resolve_conflict(r["record_id"], r["field"], r["value"]),
    }
    try:
        for line in sys.stdin:
            if not line.strip():
                continue
            try:
                req = json.loads(line)
                if not isinstance(req, dict) or not isinstance(req.get("cmd"), str):
                    answer = {"ok": False, "error": "bad_request",
                              "message": "Elke regel is een JSON-object met \"cmd\"."}
                    print(json.dumps(answer), flush=True)
                    continue
                if req.get("cmd") == "quit":
                    break
                if req["cmd"] not in calls:
                    answer = {"ok": False, "error": "unknown_cmd", "message": "Onbekende opdracht."}
                    print(json.dumps(answer), flush=True)
                    continue
                result = calls[req["cmd"]](req)
                answer = {"ok": True, "result": _jsonable(result)}
            except ValidationError as exc:
                answer = {"ok": False, "error": "validation", "errors": exc.errors}
            except (NotAllowed, SecurityAlert, StorageError) as exc:
                answer = {"ok": False, "error": type(exc).__name__, "message": str(exc)}
            except (KeyError, ValueError, TypeError, AttributeError, LockedError) as exc:
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

    sp = sub.add_parser("enrol", help="register this device with an invitation or a one-time code")
    data_arg(sp)
    sp.add_argument("--server", help="server URL (taken from the invitation when given)")
    sp.add_argument("--code", help="one-time code (taken from the invitation when given)")
    sp.add_argument("--invite", help="the invitation text (VW1:...) from a coordinator's device")
    sp.add_argument("--name", required=True, help="your name as colleagues see it")
    sp.set_defaults(func=cmd_enrol)

    sp = sub.add_parser("invite", help="(coordinator) an invitation for a new device")
    data_arg(sp)
    sp.add_argument("--role", required=True, type=str.upper)
    sp.add_argument("--qr", help="also write the invitation as a QR code PNG to this file")
    sp.set_defaults(func=cmd_invite)

    sp = sub.add_parser("pending", help="(coordinator) devices waiting for confirmation, as JSON")
    data_arg(sp)
    sp.set_defaults(func=cmd_pending)

    sp = sub.add_parser("confirm", help="(coordinator) compare a device's fingerprint, then admit it")
    data_arg(sp)
    sp.add_argument("--device", required=True)
    sp.add_argument("--fingerprint", required=True, help="the twelve groups the new device shows")
    sp.add_argument("--role", choices=ROLE_CODES, default=None, type=str.upper,
                    help="vouch for the role the server reports, when no open invitation of this device has it")
    sp.set_defaults(func=cmd_confirm)

    sp = sub.add_parser("devices", help="the team's devices as the verified ledger knows them, as JSON")
    data_arg(sp)
    sp.set_defaults(func=cmd_devices)

    sp = sub.add_parser("set-role", help="(coordinator) change a device's role and beheer right")
    data_arg(sp)
    sp.add_argument("--device", required=True)
    sp.add_argument("--role", required=True, type=str.upper)
    sp.add_argument("--beheer", action="store_true")
    sp.set_defaults(func=cmd_set_role)

    sp = sub.add_parser("revoke", help="(coordinator) remove a device from the team and renew the team key")
    data_arg(sp)
    sp.add_argument("--device", required=True)
    sp.add_argument("--reason", required=True, choices=["RETIRED", "LOST", "LEFT"])
    sp.set_defaults(func=cmd_revoke)

    sp = sub.add_parser("wipe", help="(coordinator) order a revoked device to erase itself")
    data_arg(sp)
    sp.add_argument("--device", required=True)
    sp.set_defaults(func=cmd_wipe)

    sp = sub.add_parser("deliver", help="deliver the outbox by signature (no passphrase needed)")
    data_arg(sp)
    sp.set_defaults(func=cmd_deliver)

    sp = sub.add_parser("change-passphrase", help="wrap this device's key under a new passphrase")
    data_arg(sp)
    sp.set_defaults(func=cmd_change_passphrase)

    sp = sub.add_parser("info", help="device mode, Scrypt cost, wrong attempts and unsynced work (JSON)")
    data_arg(sp)
    sp.set_defaults(func=cmd_info)

    sp = sub.add_parser("serve", help="run the app in the browser (127.0.0.1 only; open the address it prints)")
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
    sp.add_argument("--step", choices=("cases", "reviews", "flags", "acknowledge"), default="cases",
                    help="cases (worker), reviews (supervisor), flags (coordinator), acknowledge (worker)")
    sp.set_defaults(func=cmd_demo_seed)
    return p


ID_OPTIONS = ("--device",)  # their values are base64url ids, which may start with "-"


def main(argv: list[str] | None = None) -> int:
    """Run a command. Bad input (text that is not UTF-8, an unusable data folder, a wrong passphrase)
    gives one Dutch line on stderr and a non-zero exit code, never a traceback."""
    args = build_parser().parse_args(join_id_values(sys.argv[1:] if argv is None else list(argv), ID_OPTIONS))
    try:
        return args.func(args)
    except KeyboardInterrupt:
        return 130
    except UnicodeError:
        print("field-app: de invoer is geen geldige tekst (UTF-8).", file=sys.stderr)
        return 2
    except (WrongPassphrase, WeakPassphrase, TooManyAttempts, KeysDestroyed, EnrolError, NotAllowed,
            ValidationError, LockedError, StorageError) as exc:
        print(f"field-app: {exc}", file=sys.stderr)
        return 2
    except (OSError, sqlite3.Error, StoreError) as exc:
        print(f"field-app: de gegevensmap is niet bruikbaar ({type(exc).__name__}).", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
