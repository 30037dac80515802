"""The case-conference PDF of one client (casusoverleg): made on this device from its decrypted records,
never on the server. Only that client's records go in (``domain.case_export`` reads one client context).
The file is written to the device's own export folder under a name without the client's name; every export
is a sealed ``audit`` operation in the access log, like an opening of the file."""

from __future__ import annotations

import logging
import os
import secrets
from pathlib import Path
from typing import Any

from ..core.device import Device
from ..core.errors import NotAllowed
from ..core.policy import AUDIT_TYPE, READ_ONLY_ROLES
from ..crypto.canonical import b64e
from ..crypto.identity import new_id
from ..domain.case_export import case_data
from ..domain.errors import ValidationError
from ..domain.timeutil import local_iso
from .casework import Casework

__all__ = ["CaseExport", "EXPORT_DIR", "EXPORT_ACTION", "EXPORT_KEEP_MS", "clear_exports"]

log = logging.getLogger("veldwerk.export")

EXPORT_DIR = "exports"
# An exported PDF is in the clear (it is made to be shared at the case conference): it stays on the phone
# for a day, then goes at the next lock or unlock; the tenth wrong PIN (keys destroyed) and a wipe take
# every one at once. A lost phone holds at most the last day's exports, none after its keys are gone.
EXPORT_KEEP_MS = 24 * 3600_000


def clear_exports(data_dir: Path, now_ms: int | None = None, keep_ms: int = EXPORT_KEEP_MS) -> int:
    """Delete exported PDFs: older than ``keep_ms`` at ``now_ms``, or all when ``now_ms`` is None. How many
    were deleted; a file that cannot be deleted is left (logged by count only)."""
    folder = Path(data_dir) / EXPORT_DIR
    if not folder.is_dir():
        return 0
    gone = failed = 0
    for path in folder.iterdir():
        try:
            if not path.is_file():
                continue
            if now_ms is not None and path.stat().st_mtime * 1000 > now_ms - keep_ms:
                continue
            path.unlink()
            gone += 1
        except OSError:
            failed += 1
    if failed:
        log.warning("%d exported files could not be deleted", failed)
    return gone
EXPORT_ACTION = "export_case_pdf"


class CaseExport:
    def __init__(self, device: Device, casework: Casework):
        self.device, self.casework = device, casework

    def export_case_pdf(self, client_id: str, *, save: bool = True) -> dict[str, Any]:
        """Make the PDF of one client for a case conference. ``save``: write it to ``<data>/exports/`` (the
        web build offers the bytes as a download instead). Returns ``{file_name, path, data}``; the export
        is logged (audit ``export_case_pdf``)."""
        self.device.require_unlocked()
        if self.device.role in READ_ONLY_ROLES:
            raise NotAllowed("Met jouw rol kun je geen dossier exporteren.")
        rec = self.device.projection.record(client_id)
        if rec is None or rec.type != "client":
            raise ValidationError({"client_id": "Deze cliënt bestaat niet (meer) op dit toestel."})
        now = self.device.clock()
        ctx = self.casework.client_context(client_id, now)
        authors = {r.id: r.author for rtype in ("report", "review")
                   for r in self.device.projection.records(client_id, rtype)}
        from ..export.case_pdf import render  # fpdf2 (with Pillow and fontTools) only when a PDF is made:
        # importing it with the services cost every device process about 30 MB resident (measured)

        pdf = render(case_data(ctx, now=now, generated_by=self.device.profile["user_name"], authors=authors))
        # no name in the file name (privacy): the date and a random part
        file_name = f"casusoverleg-{local_iso(now)}-{secrets.token_hex(3)}.pdf"
        path = None
        if save:
            folder = self.device.data_dir / EXPORT_DIR
            folder.mkdir(mode=0o700, exist_ok=True)
            path = folder / file_name
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as f:
                f.write(pdf)
        self.device.write_op(AUDIT_TYPE, b64e(new_id()), client_id, "create", {
            "action": EXPORT_ACTION, "client_id": client_id, "at": now, "device": self.device.device_id})
        return {"file_name": file_name, "path": str(path) if path else None, "data": pdf}
