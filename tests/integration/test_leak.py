"""Nothing a worker records appears in the clear in any file of the device or the server."""

import base64
import time
from pathlib import Path

from procs import SUP_PASS, WORK_PASS, DeviceShell

SECRET_NAME = "Zwanenburg-Quintessa (fictief)"
SECRET_REPORT = "Vertrouwelijk-verslag-7f3a: cliënt noemt wapen in schuur en drinkt weer."


def _needles(text: str) -> dict[str, bytes]:
    out = {}
    for label, raw in (("utf8", text.encode("utf-8")), ("utf16le", text.encode("utf-16-le")),
                       ("utf16be", text.encode("utf-16-be"))):
        out[label] = raw
    # base64 of the text at each of the three alignments, trimmed to whole, offset-independent characters
    raw = text.encode("utf-8")
    for shift in range(3):
        enc = base64.b64encode(raw[shift:])
        out[f"b64-{shift}"] = enc[4: len(enc) - 4]
        out[f"b64url-{shift}"] = base64.urlsafe_b64encode(raw[shift:])[4: len(enc) - 4]
    # a distinctive fragment too, in case a store splits or transforms the whole
    out["fragment"] = b"Vertrouwelijk-verslag-7f3a"
    out["name-fragment"] = b"Zwanenburg"
    return out


def _files(root: Path):
    return [p for p in root.rglob("*") if p.is_file()]


def test_name_and_report_never_in_clear(team):
    tmp = team["tmp"]
    worker = DeviceShell(team["work"], WORK_PASS, tmp / "worker.log")
    supervisor = DeviceShell(team["sup"], SUP_PASS, tmp / "supervisor.log")
    try:
        client_id = worker.call("add_client", name=SECRET_NAME)
        worker.call("record_contact", client_id=client_id, contact_type="HUISBEZOEK_ONAANGEKONDIGD",
                    outcome="PLAATSGEVONDEN", report=SECRET_REPORT, risks=[["WAPENS", "HOOG"]])
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:  # the client and the note may come in different rounds
            if any(c["display_name"] == SECRET_NAME for c in supervisor.call("caseload")) and \
                    supervisor.call("timeline", client_id=client_id):
                break
            time.sleep(0.3)
        else:
            raise AssertionError("supervisor never received the record")
        assert supervisor.call("timeline", client_id=client_id)[0]["report"] == SECRET_REPORT
    finally:
        worker.close()
        supervisor.close()
    files = _files(team["work"]) + _files(team["sup"]) + [
        p for p in tmp.iterdir() if p.is_file() and p.name.startswith("server.db")]
    names = {p.name for p in files}
    assert "server.db" in names and "veldwerk.db" in names
    needles = {**{f"name:{k}": v for k, v in _needles(SECRET_NAME).items()},
               **{f"report:{k}": v for k, v in _needles(SECRET_REPORT).items()}}
    for path in files:
        data = path.read_bytes()
        for label, needle in needles.items():
            assert needle not in data, f"{label} found in {path.name}"
        assert "Zwanenburg" not in str(path)


def _demo_texts() -> list[str]:
    """The user names, client names and note texts of the fictional demo cases."""
    from field_app.domain.demo_cases import DEMO_CASES

    texts = {"Lotte de Boer (fictief)", "Fatima El Amrani (fictief)"}
    for case in DEMO_CASES.values():
        for rec in case:
            for key in ("display_name", "report", "interpretation", "text", "summary"):
                value = rec.fields.get(key)
                if isinstance(value, str) and (len(value) >= 12 or key == "display_name"):
                    texts.add(value)
    assert {"Henk V.", "Dennis A."} <= texts and len(texts) > 20  # the scan looks for real demo content
    return sorted(texts)


def test_the_demo_devices_and_the_server_hold_no_name_or_note_in_clear(team):
    """The demo's two devices and the server, after the worker recorded the five fictional cases and
    both synced: no user name, client name or note text in any file (SQLite files and WAL; UTF-8, UTF-16
    and base64) — also while the devices are open (WAL not yet folded in)."""
    import json as _json
    import subprocess
    import sys

    from procs import sync

    done = subprocess.run([sys.executable, "-m", "field_app.cli", "demo-seed", "--data", str(team["work"])],
                          input=WORK_PASS + "\n", capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert _json.loads(done.stdout.splitlines()[-1])["clients"] == 5
    sync(team["work"], WORK_PASS)
    supervisor = DeviceShell(team["sup"], SUP_PASS, team["tmp"] / "supervisor.log")
    try:
        deadline = time.monotonic() + 60
        while len(supervisor.call("caseload")) < 5 and time.monotonic() < deadline:
            time.sleep(0.3)
        assert len(supervisor.call("caseload")) == 5
        open_files = _files(team["sup"])  # scanned while the supervisor's device is open
        _assert_clean(open_files, _demo_texts())
    finally:
        supervisor.close()
    files = _files(team["work"]) + _files(team["sup"]) + [
        p for p in team["tmp"].iterdir() if p.is_file() and p.name.startswith("server.db")]
    _assert_clean(files, _demo_texts())


def _assert_clean(files: list[Path], texts: list[str]) -> None:
    hits = []
    needles = {f"{text[:30]}:{label}": needle for text in texts for label, needle in _plain(text).items()}
    for path in files:
        data = path.read_bytes()
        hits += [f"{label} in {path.name}" for label, needle in needles.items() if needle and needle in data]
    assert hits == []


def _plain(text: str) -> dict[str, bytes]:
    raw = text.encode("utf-8")
    out = {"utf8": raw, "utf16le": text.encode("utf-16-le"), "utf16be": text.encode("utf-16-be")}
    for shift in range(3):
        enc = base64.b64encode(raw[shift:])
        out[f"b64-{shift}"] = enc[4: len(enc) - 4] if len(enc) > 12 else b""
        url = base64.urlsafe_b64encode(raw[shift:])
        out[f"b64url-{shift}"] = url[4: len(url) - 4] if len(url) > 12 else b""
    return out
