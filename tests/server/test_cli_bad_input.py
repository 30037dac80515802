"""``sync-server`` given hostile input answers with one clear line and a non-zero exit code, never a
traceback, and leaves nothing behind (property-based, derandomized, bounded)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sync_server.cli import main

TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=40) | st.sampled_from(
    ["", "-", "--json", "\udcff", "VELDWERKER", "veldwerker", "0", "-5", "91", "1e3", "x" * 500])


def _run(argv: list[str]) -> int:
    try:
        return main(argv)
    except SystemExit as exc:  # argparse: a usage line and exit code 2
        return exc.code


@settings(max_examples=120, derandomize=True, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(command=st.sampled_from(["init", "invite", "nonsense"]), db=TEXT, team=TEXT, role=TEXT, days=TEXT)
def test_any_arguments_give_an_answer_not_a_traceback(tmp_path_factory, command, db, team, role, days):
    folder = tmp_path_factory.mktemp("cli")
    argv = [command, "--db", str(folder / db) if db and "\x00" not in db else db, "--team", team,
            "--role", role, "--valid-days", days]
    if command == "init":
        argv = [a for a in argv if a not in ("--team", team)]
    code = _run(argv)
    assert code in (0, 2), (argv, code)


def test_a_database_that_is_not_one_is_refused_and_left_alone(tmp_path, capsys):
    bad = tmp_path / "notes.db"
    bad.write_bytes(b"not a database at all")
    assert main(["init", "--db", str(bad)]) == 2
    assert "geen bruikbare Veldwerk-database" in capsys.readouterr().err
    assert bad.read_bytes() == b"not a database at all"
    assert main(["invite", "--db", str(tmp_path / "fresh.db"), "--team", "nope", "--role", "VELDWERKER"]) == 2
    assert main(["init", "--db", str(tmp_path)]) == 2  # a folder


@pytest.mark.parametrize("argv", [
    ["init", "--db", "/proc/no/such/folder/x.db"],
    ["invite", "--db", "{tmp}/s.db", "--team", "\udcff", "--role", "VELDWERKER"],
    ["init", "--db", "{tmp}/s.db", "--valid-days", "nine"],
    ["frobnicate"],
])
def test_the_real_command_never_prints_a_traceback(tmp_path, argv):
    argv = [a.replace("{tmp}", str(tmp_path)) for a in argv]
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    done = subprocess.run([sys.executable, "-m", "sync_server", *argv], capture_output=True, timeout=60, env=env,
                          errors="surrogateescape")
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr and done.stderr.strip()
