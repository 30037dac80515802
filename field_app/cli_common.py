"""What the `field-app` commands share: reading the passphrase, unlocking a device, JSON answers."""

from __future__ import annotations

import getpass
import sys
from pathlib import Path

from .crypto.vault import WrongPassphrase
from .services import KeysDestroyed, Services, TooManyAttempts


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
    except (WrongPassphrase, TooManyAttempts, KeysDestroyed) as exc:
        svc.close()
        raise SystemExit(str(exc)) from None
    return svc


def _status(svc: Services) -> dict:
    st = svc.sync_status()
    out = {"state": st.state, "pending": st.pending, "pending_key": st.pending_key}
    if st.message:
        out["message"] = st.message
    if "uitleg" in st.extra:
        out["uitleg"] = st.extra["uitleg"]
    return out


def _jsonable(value):
    import dataclasses

    if dataclasses.is_dataclass(value):
        return {k: _jsonable(v) for k, v in dataclasses.asdict(value).items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    return value
