"""PDF voor casusoverleg on a real device (services.export_case_pdf and the button in the client's file):
the file in the device's export folder, no name in its file name, one client's data only, and the export
in the access log."""

from __future__ import annotations

import io
import re

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
