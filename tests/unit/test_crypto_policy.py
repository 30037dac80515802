"""Production crypto code uses only primitives present on Flet's mobile builds (cryptography 43)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

CRYPTO = Path(__file__).resolve().parents[2] / "field_app" / "crypto"
ALLOWED = {
    "cryptography.exceptions",
    "cryptography.hazmat.primitives",
    "cryptography.hazmat.primitives.asymmetric.ed25519",
    "cryptography.hazmat.primitives.asymmetric.x25519",
    "cryptography.hazmat.primitives.ciphers.aead",
    "cryptography.hazmat.primitives.kdf.hkdf",
    "cryptography.hazmat.primitives.kdf.scrypt",
}
ALLOWED_FROM_PRIMITIVES = {"hashes", "hmac", "constant_time"}


def _imports(path: Path) -> list[tuple[str, str]]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(alias.name, "") for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            found += [(node.module, alias.name) for alias in node.names]
    return found


@pytest.mark.parametrize("path", sorted(CRYPTO.glob("*.py")), ids=lambda p: p.name)
def test_only_mobile_safe_cryptography_is_imported(path: Path) -> None:
    for module, name in _imports(path):
        if not module.startswith("cryptography"):
            continue
        assert module in ALLOWED, f"{path.name} imports {module}"
        if module == "cryptography.hazmat.primitives":
            assert name in ALLOWED_FROM_PRIMITIVES, f"{path.name} imports {module}.{name}"
        assert "hpke" not in name.lower() and "argon" not in name.lower(), f"{path.name} imports {name}"
