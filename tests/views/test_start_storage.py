"""A data folder that cannot be written at start (issue #11): the phone app shows the Dutch storage sentence
(not a Python error), the CLI and ``field-app serve`` print it, and the data stored there before is kept.

A real read-only folder: as root (CI) chmod stops nothing, so the app runs as the unprivileged user
``nobody`` (util-linux ``setpriv``) on a folder it owns, like test_storage_errors.py does for the CLI.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import shutil
import sys
import tempfile
from pathlib import Path

import pytest
import unprivileged
from flet_harness import FakeClient
from ui_helpers import PASSPHRASE, dump, has_text

from field_app import phone as entry
from field_app.app_api import StorageError
from field_app.services import Services
from field_app.store import db as store_db

NOTE = {"contact_type": "KANTOOR", "outcome": "PLAATSGEVONDEN"}
TITLE = "Veldwerk kan niet starten"
READONLY = "De gegevens op dit toestel kunnen nu niet worden gewijzigd (alleen-lezen)"
HERE = Path(__file__).resolve().parent

# the phone entry point in the Flet harness, in a process of its own (as ``nobody``): its shown texts as JSON
PHONE_START = f"""
import asyncio, json, sys
sys.path.insert(0, {str(HERE)!r})
from flet_harness import FakeClient
from field_app import phone

async def run():
    client = await FakeClient(phone.main, platform="android").start()
    print(json.dumps([t for t in client.texts() if t], ensure_ascii=False))

asyncio.run(run())
"""

AS_ROOT = unprivileged.AS_ROOT


@pytest.fixture
def needs_unprivileged():
    unprivileged.require()


@pytest.fixture
def shared_root():
    """A folder outside pytest's 0700 tmp, so ``nobody`` can get in."""
    root = Path(tempfile.mkdtemp(prefix="veldwerk-start-"))
    root.chmod(0o755)
    yield root
    for path in (root, *root.rglob("*")):
        if path.is_dir():
            path.chmod(0o700)
    shutil.rmtree(root, ignore_errors=True)


def _read_only(folder: Path) -> None:
    if AS_ROOT:
        for path in (folder, *folder.iterdir()):
            os.chown(path, unprivileged.NOBODY, unprivileged.NOBODY)
    for path in folder.iterdir():
        path.chmod(0o444)
    folder.chmod(0o555)


def _phone_texts(storage: Path) -> list[str]:
    env = {"FLET_APP_STORAGE_DATA": str(storage), "VELDWERK_DATA": ""}
    out = unprivileged.run([sys.executable, "-c", PHONE_START], env)
    assert out.returncode == 0, out.stderr
    assert "Traceback" not in out.stderr, out.stderr
    return json.loads(out.stdout.strip().splitlines()[-1])


@pytest.mark.usefixtures("needs_unprivileged")
def test_the_phone_app_on_a_read_only_app_storage_says_so_in_dutch_and_keeps_the_data(real_services,
                                                                                        shared_root):
    svc = real_services
    svc.unlock(PASSPHRASE)
    cid = svc.add_client("Alleen Lezen Telefoon (fictief)", fictional=True)
    note = svc.record_contact(cid, report="Eerdere notitie (fictief).", **NOTE)
    svc.close()
    storage = shared_root / "app-storage"
    shutil.copytree(svc.data_dir, storage)
    db_file = storage / "veldwerk.db"
    before = hashlib.sha256(db_file.read_bytes()).hexdigest()
    _read_only(storage)

    texts = _phone_texts(storage)
    assert TITLE in texts, texts
    assert any(READONLY in t and "Eerder vastgelegde gegevens zijn bewaard" in t for t in texts), texts
    assert hashlib.sha256(db_file.read_bytes()).hexdigest() == before  # nothing was written

    storage.chmod(0o700)
    db_file.chmod(0o600)
    again = Services(storage, autosync=False)
    try:
        again.unlock(PASSPHRASE)
        assert [n.id for n in again.timeline(cid)] == [note]
    finally:
        again.close()


@pytest.mark.usefixtures("needs_unprivileged")
def test_a_new_phone_whose_app_storage_cannot_be_made_says_so_in_dutch(shared_root):
    parent = shared_root / "locked"
    parent.mkdir()
    _read_only(parent)
    texts = _phone_texts(parent / "app-storage")
    assert TITLE in texts and any(READONLY in t for t in texts), texts
    assert not (parent / "app-storage").exists()


@pytest.mark.usefixtures("needs_unprivileged")
def test_the_cli_and_serve_say_a_read_only_data_folder_in_dutch(shared_root):
    parent = shared_root / "locked"
    parent.mkdir()
    _read_only(parent)
    for command in (["info"], ["serve", "--port", "8599"]):
        out = unprivileged.run([sys.executable, "-m", "field_app.cli", *command, "--data", str(parent / "new")], {})
        assert out.returncode == 2, out
        assert READONLY in out.stderr and "Traceback" not in out.stderr, out.stderr


async def test_the_phone_app_on_a_full_app_storage_says_so_in_dutch(tmp_path, monkeypatch):
    """No room to make the database file (ENOSPC from the operating system) at the phone's first start."""
    real_open = os.open

    def full(path, flags, *args):
        if str(path).endswith(store_db.DB_FILE):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))
        return real_open(path, flags, *args)

    monkeypatch.setattr(store_db.os, "open", full)
    monkeypatch.delenv("VELDWERK_DATA", raising=False)
    monkeypatch.setenv("FLET_APP_STORAGE_DATA", str(tmp_path / "app-storage"))
    monkeypatch.setattr(entry, "_device", None)
    client = await FakeClient(entry.main, platform="android").start()
    assert entry._device is None  # the next start tries again
    assert has_text(client, TITLE), dump(client)
    assert has_text(client, StorageError("full").args[0]), dump(client)
    assert not (tmp_path / "app-storage" / store_db.DB_FILE).exists()


def test_an_unrelated_folder_error_is_not_called_a_storage_problem(tmp_path):
    """A data path that is a file is not a full or read-only device: that error stays what it is."""
    (tmp_path / "file").write_text("geen map")
    with pytest.raises(OSError) as caught:
        Services(tmp_path / "file" / "device", autosync=False)
    assert not isinstance(caught.value, StorageError)


@pytest.mark.parametrize("damage", ["half", "header"])
async def test_the_phone_app_on_a_damaged_database_says_so_in_dutch_and_changes_nothing(tmp_path, monkeypatch,
                                                                                         damage):
    """A database file cut to half (a full disk during a copy, a broken card) or with garbage in its header:
    SQLite's "database disk image is malformed" / "file is not a database" reached Flet as a Python error
    at the phone's start. Now the start screen says it in Dutch, and the file is left exactly as it was."""
    storage = tmp_path / "app-storage"
    Services(storage, autosync=False).close()
    path = storage / store_db.DB_FILE
    data = path.read_bytes()
    path.write_bytes(data[:len(data) // 2] if damage == "half" else b"\x13" * 100 + data[100:])
    before = path.read_bytes()
    monkeypatch.delenv("VELDWERK_DATA", raising=False)
    monkeypatch.setenv("FLET_APP_STORAGE_DATA", str(storage))
    monkeypatch.setattr(entry, "_device", None)
    client = await FakeClient(entry.main, platform="android").start()
    assert entry._device is None
    assert has_text(client, TITLE), dump(client)
    assert has_text(client, StorageError("damaged").args[0]), dump(client)
    assert path.read_bytes() == before
