"""docs/security.md names the tests that prove each defence; every named test must exist."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "security.md"
TO_BE_WRITTEN: set[str] = set()  # files named before they exist (none now)


def test_every_test_named_in_security_md_exists() -> None:
    text = DOC.read_text(encoding="utf-8")
    current: str | None = None
    missing = []
    named = 0
    for match in re.finditer(r"`(tests/[\w/]+\.py)(?:::(\w+))?`|`::(\w+)`", text):
        path, name, bare = match.groups()
        if path:
            current = path
            if path in TO_BE_WRITTEN:
                continue
            if not (ROOT / path).is_file():
                missing.append(path)
                continue
        name = name or bare
        if name is None:
            continue
        named += 1
        if current is None or current in TO_BE_WRITTEN:
            missing.append(f"?::{name}")
        elif not re.search(rf"^(async )?def {name}\(", (ROOT / current).read_text(encoding="utf-8"), re.M):
            missing.append(f"{current}::{name}")
    assert named > 40
    assert missing == []


def test_security_md_states_the_scrypt_cost_and_the_device_modes() -> None:
    text = DOC.read_text(encoding="utf-8")
    for needle in ("N = 2^17, r = 8, p = 1", "128 MiB", "ms", "passphrase of ≥ 10 characters", "PIN"):
        assert needle in text
