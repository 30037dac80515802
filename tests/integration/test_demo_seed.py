"""The demo cases load through the services on the worker's device and reach the supervisor's device."""

import json
import subprocess
import sys
import time

from procs import SUP_PASS, WORK_PASS, DeviceShell


def test_demo_seed_loads_all_five_cases_and_syncs(team):
    out = subprocess.run([sys.executable, "-m", "field_app.cli", "demo-seed", "--data", str(team["work"])],
                         input=WORK_PASS + "\n", capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    counts = json.loads(out.stdout.strip().splitlines()[-1])
    assert counts["clients"] == 5 and counts["records"] > 40

    again = subprocess.run([sys.executable, "-m", "field_app.cli", "demo-seed", "--data", str(team["work"])],
                           input=WORK_PASS + "\n", capture_output=True, text=True)
    assert json.loads(again.stdout.strip().splitlines()[-1]) == {"clients": 0, "records": 0}

    sup = DeviceShell(team["sup"], SUP_PASS, team["tmp"] / "sup.log")
    try:
        deadline = time.monotonic() + 30
        names = []
        while time.monotonic() < deadline:
            names = sorted(c["display_name"] for c in sup.call("caseload"))
            if len(names) == 5:
                break
            time.sleep(0.5)
        assert names == ["Dennis A.", "Erik M.", "Henk V.", "Rob D.", "Sandra K."]
        assert all(c["fictional"] for c in sup.call("caseload"))
    finally:
        sup.close()
