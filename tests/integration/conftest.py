import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from procs import SUP_PASS, WORK_PASS, ServerProc, admit, enrol, free_port, sync  # noqa: E402
from secsupport import make_team  # noqa: E402


@pytest.fixture
def team(tmp_path):
    """A running server with a supervisor (first, coordinator) device and a field worker device that the
    supervisor confirmed after comparing its fingerprint."""
    server = ServerProc(tmp_path / "server.db", free_port(), tmp_path / "server.log")
    server.start()
    try:
        first = server.cli("init", "--role", "WERKBEGELEIDER")
        sup_dir, work_dir = tmp_path / "supervisor", tmp_path / "worker"
        enrol(sup_dir, server.url, first["code"], "Fatima El Amrani (fictief)", SUP_PASS)
        # invitation from the coordinator's device → enrol → compare fingerprints → confirm (no TOFU)
        admit(sup_dir, SUP_PASS, work_dir, WORK_PASS, "Lotte de Boer (fictief)")
        assert sync(work_dir, WORK_PASS)["state"] == "online"
        yield {"server": server, "sup": sup_dir, "work": work_dir, "tmp": tmp_path}
    finally:
        server.kill()


@pytest.fixture
def t(tmp_path):
    """A live in-process server with the supervisor's and a confirmed field worker's device
    (secsupport.make_team); a test file may define its own ``t`` with more in it."""
    team = make_team(tmp_path)
    yield team
    team.close()
