"""A full device or a read-only database (issue #11): the save says so in Dutch, nothing half is stored,
every earlier note is intact, and the contact form keeps what was typed so the worker can save again.

A full disk is SQLite's own SQLITE_FULL, reached for real by capping the database (``PRAGMA
max_page_count``: no tmpfs without root). A read-only database is SQLITE_READONLY through ``PRAGMA
query_only`` on the device's connection: these tests run as root in CI, where ``chmod 0444`` does not stop
a write, and a file made read-only under a running app keeps its open read-write handle anyway.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import sys
import tempfile
from pathlib import Path

import flet as ft
import pytest
import unprivileged
from ui_helpers import PASSPHRASE, dump, field, has_text, press, select, type_into, unlock

from field_app.app_api import StorageError
from field_app.services import Services
from field_app.store.db import storage_error
from field_app.ui.views.client import ClientView
from field_app.ui.views.contact_form import ContactFormView

NOTE = {"contact_type": "KANTOOR", "outcome": "PLAATSGEVONDEN"}


def fill_up(svc: Services, cid: str) -> list[str]:
    """Cap the database where it is, then save notes until the device is full; the ids that were saved."""
    db = svc.device.store.db
    pages = db.execute("PRAGMA page_count").fetchone()[0]
    db.execute(f"PRAGMA max_page_count = {pages}")
    saved = []
    for pad in (600, 60, 0):  # big notes until one does not fit, then smaller ones: no room left at all
        for i in range(200):
            try:
                saved.append(svc.record_contact(cid, report=f"Vulnotitie {i} (fictief)." + "x" * pad, **NOTE))
            except StorageError as exc:
                assert exc.kind == "full"
                break
        else:
            raise AssertionError("the capped database never filled up")
    return saved


def make_room(svc: Services) -> None:
    svc.device.store.db.execute("PRAGMA max_page_count = 1073741823")


def integrity(svc: Services) -> str:
    return svc.device.store.db.execute("PRAGMA integrity_check").fetchone()[0]


def test_a_full_device_refuses_the_note_in_dutch_and_keeps_every_earlier_note(real_services, tmp_path):
    svc = real_services
    svc.unlock(PASSPHRASE)
    cid = svc.add_client("Vol Toestel (fictief)", fictional=True)
    earlier = [svc.record_contact(cid, report=f"Eerdere notitie {i} (fictief).", **NOTE) for i in range(3)]
    filled = fill_up(svc, cid)
    with pytest.raises(StorageError) as caught:
        svc.record_contact(cid, report="Deze past niet meer (fictief).", **NOTE)
    assert caught.value.kind == "full"
    assert str(caught.value).startswith("Het toestel is vol: er is niets opgeslagen.")
    ids = [n.id for n in svc.timeline(cid)]
    assert sorted(ids) == sorted(earlier + filled) and len(ids) == len(set(ids))
    assert integrity(svc) == "ok"
    assert svc.unsynced_count() == len(earlier) + len(filled) + 1  # the client, the notes; not the refused one

    make_room(svc)
    later = svc.record_contact(cid, report="Na het opruimen (fictief).", **NOTE)
    svc.lock()  # the projection is folded again from the store: what it holds, exactly once
    svc.unlock(PASSPHRASE)
    ids = [n.id for n in svc.timeline(cid)]
    assert sorted(ids) == sorted(earlier + filled + [later])
    assert integrity(svc) == "ok"


def test_a_read_only_database_refuses_the_write_in_dutch_and_keeps_the_data(real_services):
    svc = real_services
    svc.unlock(PASSPHRASE)
    cid = svc.add_client("Alleen Lezen (fictief)", fictional=True)
    earlier = svc.record_contact(cid, report="Eerdere notitie (fictief).", **NOTE)
    svc.device.store.db.execute("PRAGMA query_only = ON")
    with pytest.raises(StorageError) as caught:
        svc.record_contact(cid, report="Mag niet (fictief).", **NOTE)
    assert caught.value.kind == "readonly" and "alleen-lezen" in str(caught.value)
    with pytest.raises(StorageError):
        svc.save_draft("contact:" + cid, {"report": "concept"})
    assert [n.id for n in svc.timeline(cid)] == [earlier]
    svc.device.store.db.execute("PRAGMA query_only = OFF")
    assert integrity(svc) == "ok"
    svc.lock()
    svc.unlock(PASSPHRASE)
    assert [n.id for n in svc.timeline(cid)] == [earlier]


def test_a_read_only_database_file_is_said_in_dutch_and_its_data_kept(real_services):
    """A real read-only file (0444 in a 0555 folder). As root (CI) chmod stops nothing, so the command runs
    as the unprivileged user ``nobody`` (util-linux ``setpriv``) on a folder it owns."""
    unprivileged.require()
    as_root = unprivileged.AS_ROOT
    root = Path(tempfile.mkdtemp(prefix="veldwerk-ro-"))  # not under pytest's 0700 tmp: nobody must get in
    try:
        root.chmod(0o755)
        svc = real_services
        svc.unlock(PASSPHRASE)
        cid = svc.add_client("Alleen Lezen Bestand (fictief)", fictional=True)
        note = svc.record_contact(cid, report="Eerdere notitie (fictief).", **NOTE)
        svc.close()  # the last connection folds the WAL in: the one file is the whole device
        data = root / "device"
        shutil.copytree(svc.data_dir, data)
        db_file = data / "veldwerk.db"
        before = hashlib.sha256(db_file.read_bytes()).hexdigest()
        if as_root:
            for path in (data, *data.iterdir()):
                os.chown(path, unprivileged.NOBODY, unprivileged.NOBODY)
        db_file.chmod(0o444)
        data.chmod(0o555)
        out = unprivileged.run([sys.executable, "-m", "field_app.cli", "info", "--data", str(data)], timeout=60)
        assert out.returncode == 2, out
        assert "alleen-lezen" in out.stderr and "Eerder vastgelegde gegevens zijn bewaard" in out.stderr, out.stderr
        assert "Traceback" not in out.stderr
        assert hashlib.sha256(db_file.read_bytes()).hexdigest() == before  # nothing was written
        data.chmod(0o700)
        db_file.chmod(0o600)
        svc = Services(data, autosync=False)
        try:
            svc.unlock(PASSPHRASE)
            assert [n.id for n in svc.timeline(cid)] == [note]
            assert integrity(svc) == "ok"
        finally:
            svc.close()
    finally:
        shutil.rmtree(root, ignore_errors=True)


@pytest.mark.parametrize(("message", "code", "kind"), [
    ("database or disk is full", 13, "full"), ("attempt to write a readonly database", 8, "readonly"),
    ("disk I/O error", 10 | (3 << 8), "io"), ("disk I/O error", None, "io"), ("database is locked", 5, None)])
def test_sqlite_errors_map_to_the_storage_kinds(message, code, kind):
    exc = sqlite3.OperationalError(message)
    if code is not None:
        exc.sqlite_errorcode = code
    mapped = storage_error(exc)
    assert (mapped.kind if mapped else None) == kind


async def _form(device, cid):
    client, app = await device.open()
    await unlock(client, PASSPHRASE)
    app.open_client(cid)
    await press(client, "Contact vastleggen")
    assert isinstance(app.screen, ContactFormView), dump(client)
    return client, app


async def test_the_contact_form_says_the_device_is_full_and_keeps_the_typed_note(real_device):
    svc = real_device.services
    svc.unlock(PASSPHRASE)
    cid = svc.add_client("Eva Vol (fictief)", fictional=True)
    earlier = svc.record_contact(cid, report="Eerdere notitie (fictief).", **NOTE)
    svc.lock()
    client, app = await _form(real_device, cid)
    filled = fill_up(svc, cid)

    text = "Thuis aangetroffen; afspraken over werk besproken (fictief)."
    await select(client, "Soort contact", "HUISBEZOEK_AANGEKONDIGD")
    await type_into(client, "Tijd (uu:mm)", "00:00")
    await type_into(client, "Verslag (feiten)", text)
    await press(client, "Opslaan")

    assert isinstance(app.screen, ContactFormView), dump(client)  # still on the form
    assert has_text(client, "Het toestel is vol: de notitie is niet opgeslagen."), dump(client)
    assert field(client, "Verslag (feiten)").value == text  # what was typed is kept
    assert client.find(ft.Dropdown, label="Soort contact").value == "HUISBEZOEK_AANGEKONDIGD"
    assert sorted(n.id for n in svc.timeline(cid)) == sorted([earlier, *filled])  # earlier notes intact

    make_room(svc)  # space freed: the same Opslaan now stores the note, once
    await press(client, "Opslaan")
    assert isinstance(app.screen, ClientView), dump(client)
    reports = [n.report for n in svc.timeline(cid)]
    assert reports.count(text) == 1 and len(reports) == len(filled) + 2
    assert integrity(svc) == "ok"


async def test_the_contact_form_says_a_read_only_database_in_dutch(real_device):
    svc = real_device.services
    svc.unlock(PASSPHRASE)
    cid = svc.add_client("Eva Alleen-Lezen (fictief)", fictional=True)
    svc.lock()
    client, app = await _form(real_device, cid)
    svc.device.store.db.execute("PRAGMA query_only = ON")
    await select(client, "Soort contact", "KANTOOR")
    await type_into(client, "Tijd (uu:mm)", "00:00")
    await type_into(client, "Verslag (feiten)", "Gesprek op kantoor (fictief).")
    await press(client, "Opslaan")
    assert isinstance(app.screen, ContactFormView), dump(client)
    assert has_text(client, "De notitie is niet opgeslagen: de gegevens op dit toestel kunnen nu niet worden "
                            "gewijzigd (alleen-lezen)."), dump(client)
    assert field(client, "Verslag (feiten)").value == "Gesprek op kantoor (fictief)."
    assert svc.timeline(cid) == []
    svc.device.store.db.execute("PRAGMA query_only = OFF")


async def test_any_other_screen_reports_a_full_device_in_dutch_not_as_a_crash(real_device):
    """The app's handler wrapper: a StorageError from any button is the Dutch storage message."""
    svc = real_device.services
    client, app = await real_device.open()
    await unlock(client, PASSPHRASE)
    sent = []
    app.toast = lambda message, error=False: sent.append((message, error))

    def full():
        raise StorageError("full")

    app.handler(full)()
    assert sent == [("Het toestel is vol: er is niets opgeslagen. Eerder vastgelegde gegevens zijn bewaard. "
                     "Maak ruimte vrij en probeer het opnieuw.", True)]
    assert app.errors == [] and svc.unlocked
