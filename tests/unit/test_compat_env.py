"""Proves the second environment is what Flet's phone builds ship: cryptography 43.0.1, no flet/fastapi/pydantic."""

import importlib.util
import os

import pytest

pytestmark = pytest.mark.skipif(not os.environ.get("VELDWERK_COMPAT"),
                                reason="only meaningful in the compat venv (make test-compat)")


def test_compat_env_has_old_cryptography_and_no_ui_or_server_stack():
    import cryptography

    assert cryptography.__version__ == "43.0.1"
    for name in ("flet", "fastapi", "pydantic", "starlette", "uvicorn"):
        assert importlib.util.find_spec(name) is None, f"{name} must not be installed here"


def test_non_ui_client_imports_without_flet():
    import field_app.services  # noqa: F401  (the whole non-UI client: crypto, store, sync, services)
    import field_app.sync.engine  # noqa: F401
