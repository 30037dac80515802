"""Shared test settings. Kept free of flet/fastapi imports: tests/unit also runs in the compat venv."""

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "artifacts"


@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


def pytest_report_header(config):
    return f"veldwerk compat run: {bool(os.environ.get('VELDWERK_COMPAT'))}"
