"""Run a command as the unprivileged user ``nobody`` for the tests of a read-only data folder.

As root (CI) chmod stops nothing, so those tests run the app as ``nobody`` (util-linux ``setpriv``) on a
folder it owns. That needs ``nobody`` to be able to run this project's Python: a clone inside a private
folder (``mktemp -d`` makes 0700) cannot be read by it, and then the tests are skipped with that reason
instead of failing on an import error that says nothing about storage.
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import sys

import pytest

NOBODY = 65534
AS_ROOT = os.geteuid() == 0
PREFIX = ["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups"] if AS_ROOT else []


@functools.cache
def why_not() -> str | None:
    """None when a read-only folder can be tried here, else the reason to skip."""
    if not AS_ROOT:
        return None
    if not shutil.which("setpriv"):
        return "running as root without setpriv: a read-only folder cannot stop root's writes"
    probe = subprocess.run([*PREFIX, sys.executable, "-c", "import field_app.cli, flet"],
                           capture_output=True, text=True, timeout=60, cwd="/", env={**os.environ, "HOME": "/tmp"})
    if probe.returncode != 0:
        return (f"the user nobody cannot run this project's Python ({sys.executable}): the clone lies in a folder "
                "only root can read, so a read-only data folder cannot be tried here")
    return None


def require() -> None:
    """Skip the calling test when a read-only folder cannot be tried here (see ``why_not``)."""
    reason = why_not()
    if reason:
        pytest.skip(reason)


def run(cmd: list[str], env: dict[str, str] | None = None, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run([*PREFIX, *cmd], capture_output=True, text=True, timeout=timeout, cwd="/",
                          env={**os.environ, "HOME": "/tmp", **(env or {})})
