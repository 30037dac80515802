"""`field-app` commands for coordinator devices (beheer): invite, pending, confirm, devices, set-role, revoke, wipe."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from .cli_common import _jsonable, _unlocked
from .core.alerts import SecurityAlert
from .domain.errors import ValidationError
from .services import NotAllowed, Services
from .sync.client import ServerError, Unreachable


def _admin(args: argparse.Namespace, action) -> int:
    """Unlock, run one coordinator action, print its JSON answer; Dutch errors on stderr."""
    svc = _unlocked(args.data, autosync=False)
    try:
        print(json.dumps(_jsonable(action(svc))))
    except ValidationError as exc:
        print(json.dumps({"error": "validation", "errors": exc.errors}, ensure_ascii=False), file=sys.stderr)
        return 2
    except (NotAllowed, SecurityAlert) as exc:
        print(str(exc), file=sys.stderr)
        return 2
    except (Unreachable, ServerError) as exc:
        print(f"De server gaf geen antwoord of weigerde: {getattr(exc, 'code', type(exc).__name__)}",
              file=sys.stderr)
        return 1
    finally:
        svc.close()
    return 0


def cmd_invite(args: argparse.Namespace) -> int:
    def action(svc: Services) -> dict:
        inv = svc.create_invitation(args.role)
        if args.qr:
            Path(args.qr).write_bytes(inv["qr_png"])
        return {"code": inv["code"], "text": inv["text"], "team_fingerprint": " ".join(inv["team_fingerprint"]),
                "expires_at": inv["expires_at"], "role": inv["role"]}

    return _admin(args, action)


def cmd_pending(args: argparse.Namespace) -> int:
    return _admin(args, lambda svc: [{**d, "fingerprint": " ".join(d["fingerprint"])}
                                     for d in svc.pending_devices()])


def cmd_confirm(args: argparse.Namespace) -> int:
    def action(svc: Services) -> dict:
        svc.confirm_device(args.device, args.fingerprint, args.role)
        return {"confirmed": args.device}

    return _admin(args, action)


def cmd_devices(args: argparse.Namespace) -> int:
    return _admin(args, lambda svc: [{**d, "fingerprint": " ".join(d["fingerprint"])} for d in svc.devices()])


def cmd_set_role(args: argparse.Namespace) -> int:
    def action(svc: Services) -> dict:
        svc.set_role(args.device, args.role, args.beheer)
        return {"device": args.device, "role": args.role, "beheer": args.beheer}

    return _admin(args, action)


def cmd_revoke(args: argparse.Namespace) -> int:
    def action(svc: Services) -> dict:
        svc.revoke_device(args.device, args.reason)
        return {"revoked": args.device, "reason": args.reason}

    return _admin(args, action)


def cmd_wipe(args: argparse.Namespace) -> int:
    def action(svc: Services) -> dict:
        svc.wipe_device(args.device)
        return {"wipe": args.device}

    return _admin(args, action)
