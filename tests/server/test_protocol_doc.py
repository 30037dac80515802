"""docs/protocol.md's error table and sync_server.protocol stay one fact."""

from __future__ import annotations

import re
from pathlib import Path

from sync_server import protocol

DOC = Path(__file__).resolve().parents[2] / "docs" / "protocol.md"


def _errors_section() -> str:
    text = DOC.read_text(encoding="utf-8")
    start = text.index("\n## Errors\n")
    end = text.find("\n## ", start + 1)
    return text[start : end if end != -1 else len(text)]


def test_error_table_in_the_docs_matches_the_protocol_module() -> None:
    rows = re.findall(r"^\| `([a-z_]+)` \| (\d{3}) \| (.+?) \|$", _errors_section(), flags=re.MULTILINE)
    assert rows == [(e.code, str(e.status), e.meaning) for e in protocol.ErrorCode]


def test_error_codes_are_unique_and_statuses_are_errors() -> None:
    codes = [e.code for e in protocol.ErrorCode]
    assert len(codes) == len(set(codes))
    assert all(400 <= e.status < 600 for e in protocol.ErrorCode)


def test_enrolment_codes_carry_at_least_80_bits() -> None:
    import math

    bits = protocol.CODE_GROUPS * protocol.CODE_GROUP_LEN * math.log2(len(protocol.CODE_ALPHABET))
    assert bits >= 80
    code = protocol.new_enrolment_code()
    assert re.fullmatch(r"[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){3}", code)
    assert protocol.normalise_code(code.lower().replace("0", "o")) == code.replace("-", "")


def test_roles_are_the_apps_role_codes() -> None:
    from field_app.domain.vocab import ROLE_CODES

    assert set(protocol.ROLES) == set(ROLE_CODES)
