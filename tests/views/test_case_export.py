"""PDF voor casusoverleg on a real device (services.export_case_pdf and the button in the client's file):
the file in the device's export folder, no name in its file name, one client's data only, and the export
in the access log."""

from __future__ import annotations

import io
import re
from pathlib import Path

from pypdf import PdfReader
from ui_helpers import PASSPHRASE, dump, has_text, open_client, press, unlock

from field_app.demo import seed


def _names(svc) -> dict[str, str]:
    return {c.display_name: c.id for c in svc.caseload()}


def test_export_writes_the_pdf_to_the_export_folder_and_logs_it(supervisor_services):
    svc = supervisor_services
    svc.unlock(PASSPHRASE)
    seed(svc)
    names = _names(svc)
    made = svc.export_case_pdf(names["Sandra K."])
    assert re.fullmatch(r"casusoverleg-\d{4}-\d{2}-\d{2}-[0-9a-f]{6}\.pdf", made["file_name"])
    path = svc.data_dir / "exports" / made["file_name"]
    assert made["path"] == str(path) and path.read_bytes() == made["data"]
    assert oct(path.stat().st_mode & 0o777) == "0o600" and oct(path.parent.stat().st_mode & 0o777) == "0o700"
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(made["data"])).pages)
    assert "Casusoverleg: Sandra K." in text and "FICTIEF" in text and "Vertrouwelijk" in text
    assert not [n for n in names if n != "Sandra K." and n in text]
    log = svc.access_log(names["Sandra K."])
    assert log[0]["action"] == "export_case_pdf" and log[0]["who"] == svc.user_name
    # the web build downloads the bytes instead: nothing is written, the export is still logged
    web = svc.export_case_pdf(names["Sandra K."], save=False)
    assert web["path"] is None and not (svc.data_dir / "exports" / web["file_name"]).exists()
    assert len([e for e in svc.access_log(names["Sandra K."]) if e["action"] == "export_case_pdf"]) == 2


def test_an_exported_pdf_stays_a_day_and_never_outlives_the_keys(supervisor_services):
    """An exported PDF is in the clear, made to be shared: it stays a day, then goes at the next lock or
    unlock; the tenth wrong PIN (the keys destroyed) takes every one at once, so a lost phone holds at
    most the last day's exports and none after its keys are gone."""
    import os

    from field_app.parts.export import EXPORT_KEEP_MS

    svc = supervisor_services
    svc.unlock(PASSPHRASE)
    seed(svc)
    names = _names(svc)
    old = Path(svc.export_case_pdf(names["Sandra K."])["path"])
    fresh = Path(svc.export_case_pdf(names["Henk V."])["path"])
    svc.lock()
    svc.unlock(PASSPHRASE)
    assert old.exists() and fresh.exists()  # within the day: kept
    day_ago = (svc.device.clock() - EXPORT_KEEP_MS) / 1000 - 60
    os.utime(old, (day_ago, day_ago))
    svc.lock()
    assert not old.exists() and fresh.exists()
    svc.vault.destroy_keys()  # what the tenth wrong attempt does
    assert not fresh.exists() and not list((svc.data_dir / "exports").iterdir())


async def test_the_button_in_the_clients_file_offers_the_pdf_as_a_download(supervisor_device):
    svc = supervisor_device.services
    svc.unlock(PASSPHRASE)
    seed(svc)
    client, app = await supervisor_device.open()
    await unlock(client, PASSPHRASE)
    assert app.page.web  # served as the web build: the browser downloads the PDF, nothing is written here
    await open_client(client, "Erik M.")
    await press(client, "PDF voor casusoverleg")
    assert has_text(client, "PDF gemaakt op dit toestel: casusoverleg-"), dump(client)
    assert not (svc.data_dir / "exports").exists()
    erik = _names(svc)["Erik M."]
    assert [e["action"] for e in svc.access_log(erik)].count("export_case_pdf") == 1
