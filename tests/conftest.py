"""Shared test settings. Kept free of flet/fastapi imports: tests/unit also runs in the compat venv."""

import os
from pathlib import Path

import pytest

try:  # the same examples on every run, so CI and a newcomer's machine agree; explore locally with
    # HYPOTHESIS_PROFILE=explore
    from hypothesis import settings

    settings.register_profile("repeatable", derandomize=True, print_blob=True)
    settings.register_profile("explore", derandomize=False)
    settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "repeatable"))
except ImportError:  # pragma: no cover
    pass

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "artifacts"


@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture
def fresh_pull_worker(monkeypatch):
    """The pull's worker process (field_app/sync/opener.py) started afresh for the test and stopped after it."""
    from field_app.sync import opener

    monkeypatch.delenv("VELDWERK_PULL_WORKER", raising=False)
    opener.shutdown()
    yield opener
    opener.shutdown()


def pytest_report_header(config):
    return f"veldwerk compat run: {bool(os.environ.get('VELDWERK_COMPAT'))}"
