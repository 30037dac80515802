"""``field-app`` given hostile input (JSON of the wrong shape, text that is not UTF-8, lone surrogates,
wrong passphrases, unknown options) answers with a clear Dutch line and a non-zero exit code or an
``ok: false`` answer, never a traceback, and leaves nothing behind (real processes, and a derandomized
property test of the shell's request lines)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from secsupport import WORK_PASS, make_team

ROOT = Path(__file__).resolve().parents[2]


def _field_app(*args: str, stdin: bytes = b"") -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "field_app.cli", *args], input=stdin, capture_output=True,
                          timeout=120, env=env)


@pytest.fixture(scope="module")
def team(tmp_path_factory):
    t = make_team(tmp_path_factory.mktemp("cli"))
    t.work.add_client("Bestaande cliënt (fictief)")
    t.work.sync_once()
    data = t.work.data_dir
    t.work.close()  # the shell opens the device itself
    t.devices.remove(t.work)
    t.data = data
    yield t
    t.close()


def test_the_shell_answers_every_bad_line_and_keeps_the_data(team):
    lines = [WORK_PASS.encode(), b"[1, 2, 3]", b'"just text"', b"{not json", b"\xff\xfe invalid utf-8",
             b'{"cmd": 5}', b'{"cmd": "no_such_thing"}', b'{"cmd": "add_client"}',
             b'{"cmd": "add_client", "name": ["a", "list"]}', b'{"cmd": "add_client", "name": "\\ud800"}',
             b'{"cmd": "record_contact", "client_id": {}, "contact_type": 1, "outcome": null, "report": 3}',
             b'{"cmd": "timeline", "client_id": "unknown"}', b'{"cmd": "caseload"}', b'{"cmd": "quit"}']
    done = _field_app("shell", "--data", str(team.data), stdin=b"\n".join(lines) + b"\n")
    assert b"Traceback" not in done.stderr, done.stderr.decode(errors="replace")
    answers = [json.loads(line) for line in done.stdout.decode().splitlines()]
    assert answers[0] == {"ok": True, "ready": True}
    assert [a["ok"] for a in answers[1:-1]] == [False] * (len(answers) - 2)
    assert [c["display_name"] for c in answers[-1]["result"]] == ["Bestaande cliënt (fictief)"]


@pytest.mark.parametrize("args,stdin", [
    (["info"], b""),
    (["sync"], b"\xff\xfe\n"),  # a passphrase that is not UTF-8
    (["sync"], b"nog-een-verkeerde-zin\n"),
    (["change-passphrase"], WORK_PASS.encode() + b"\nkort\nkort\n"),
    (["deliver"], b""),
])
def test_commands_on_a_device_answer_without_a_traceback(team, args, stdin):
    done = _field_app(args[0], "--data", str(team.data), *args[1:], stdin=stdin)
    assert b"Traceback" not in done.stderr, done.stderr.decode(errors="replace")
    assert done.returncode in (0, 1, 2)


def test_enrolment_with_a_name_that_cannot_be_stored_uses_no_code(team, tmp_path):
    invitation = team.sup.create_invitation("VELDWERKER")["text"]
    before = len(team.sup.pending_devices())
    done = _field_app("enrol", "--data", str(tmp_path / "new"), "--invite", invitation, "--name",
                      "Naam \udcff", stdin=b"een-goede-wachtwoordzin\n")
    assert done.returncode != 0 and b"Traceback" not in done.stderr
    assert len(team.sup.pending_devices()) == before


@settings(max_examples=40, derandomize=True, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.one_of(
    st.binary(max_size=40),
    st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=20),
                 lambda inner: st.lists(inner, max_size=3) | st.dictionaries(
                     st.sampled_from(["cmd", "name", "client_id", "risks", "report", "x"]), inner, max_size=4),
                 max_leaves=6).map(lambda v: json.dumps(v).encode()),
), min_size=1, max_size=6))
def test_the_shell_answers_any_lines_in_process(team, monkeypatch, capsys, lines):
    """The same shell, in this process, fed any bytes and JSON values: an answer for each, never a crash."""
    import io

    from field_app import cli

    raw = b"\n".join([WORK_PASS.encode(), *(line.replace(b"\n", b" ") for line in lines), b'{"cmd": "quit"}'])
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(raw + b"\n"), encoding="utf-8", errors="replace"))
    assert cli.main(["shell", "--data", str(team.data)]) == 0
    out = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert out[0]["ready"] is True
    sent = [line.replace(b"\n", b" ").decode("utf-8", "replace") for line in lines]
    expected = sum(1 for text in sent if text.strip())
    quit_early = any(isinstance(v, dict) and v.get("cmd") == "quit" for v in map(_json_or_none, sent))
    assert len(out) == 1 + expected or quit_early  # one answer per request line, none skipped
    assert all(isinstance(a, dict) and isinstance(a.get("ok"), bool) for a in out[1:])


def _json_or_none(text: str):
    try:
        return json.loads(text)
    except ValueError:
        return None
