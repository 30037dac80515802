"""The OpenAPI description is exact: schemathesis, run against ``/openapi.json`` of a real server process as
a new user would (and once more with a valid device token), finds no failure on either store; and the
base64url patterns in the schema accept exactly what the server's validators accept."""

from __future__ import annotations

import string
import subprocess
import sys

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import TypeAdapter, ValidationError

from field_app.crypto.canonical import b64e
from sync_server import protocol
from sync_server.settings import now_ms
from sync_server.store import SqliteStore

from .serving import start, stop
from .support import Clock, Server

# Examples per operation and phase: derandomized (the same requests every run), small enough that one
# run takes well under two minutes on the 2-core machine.
MAX_EXAMPLES = 20

# What a JSON Schema cannot state, and only that:
# - an envelope's framing and signature, a ledger entry's signature and chain rules, a grant's fields
#   (schema-valid bytes that are not a signed envelope / entry / grant answer 400 bad_envelope,
#   bad_signature, bad_ledger_entry, bad_grant), and the 2 MiB limit on a whole body (413);
# - 413 (too large) is a refusal like 400 or 422 when schemathesis sends a longer string than the schema
#   allows. 5xx is never expected.
CONFIG = """
[checks.negative_data_rejection]
expected-statuses = ["400", "401", "403", "404", "405", "406", "409", "413", "415", "422", "428", "429"]

[[operations]]
include-path-regex = "^/v1/teams/\\\\{team\\\\}/(changes|changes/signed|ledger|grants)$"
include-method = "POST"
checks.positive_data_acceptance.expected-statuses = ["2xx", "400", "401", "403", "404", "409", "413", "429"]
"""

# With a token: every path names the token's own team and device, so requests get past the team check.
TOKEN_CONFIG = """
[parameters]
"path.team" = "{team}"
"path.device" = "{device}"
"""


def _schemathesis(base: str, config: str, tmp_path, headers: list[str]) -> subprocess.CompletedProcess:
    path = tmp_path / "schemathesis.toml"
    path.write_text(config)
    return subprocess.run(
        [sys.executable, "-m", "schemathesis.cli", "--config-file", str(path), "--no-color", "run",
         f"{base}/openapi.json", "--max-examples", str(MAX_EXAMPLES), "--generation-deterministic",
         "--workers", "1", "--request-timeout", "30", *headers],
        capture_output=True, text=True, timeout=600, cwd=tmp_path)


@pytest.mark.parametrize("with_token", [False, True], ids=["no-token", "token"])
async def test_schemathesis_finds_no_failure(db_path: str, store: SqliteStore, tmp_path, with_token: bool) -> None:
    proc, base = start(db_path)
    try:
        config, headers = CONFIG, []
        if with_token:
            async with httpx.AsyncClient(base_url=base, timeout=30) as client:
                admin = await Server(client, store, Clock(now_ms()), db_path).admin()  # confirmed, beheer
            config += TOKEN_CONFIG.format(team=admin.team, device=admin.id)
            headers = ["--header", f"Authorization: Bearer {admin.token}"]
        result = _schemathesis(base, config, tmp_path, headers)
    finally:
        stop(proc)
    report = result.stdout[-6000:] + result.stderr[-2000:]
    assert result.returncode == 0, report
    assert " passed" in result.stdout and "failure" not in result.stdout.split("SUMMARY")[-1], report


# -- the patterns in the schema against the validators -----------------------------------------------------

_TYPES = {"Id": (protocol.Id, 16, 16), "Key": (protocol.Key, 32, 32), "Signature": (protocol.Signature, 64, 64),
          "Nonce": (protocol.Nonce, 16, 64)}
_ALPHABET = string.ascii_letters + string.digits + "-_="


def _schema(kind: str) -> dict:
    return TypeAdapter(_TYPES[kind][0]).json_schema()


def _accepted(kind: str, text: str) -> bool:
    try:
        TypeAdapter(_TYPES[kind][0]).validate_python(text)
    except ValidationError:
        return False
    return True


def _schema_allows(kind: str, text: str) -> bool:
    import re

    schema = _schema(kind)
    return (schema["minLength"] <= len(text) <= schema["maxLength"]
            and re.fullmatch(schema["pattern"].strip("^$"), text) is not None)


@pytest.mark.parametrize("kind", sorted(_TYPES))
@settings(max_examples=300, derandomize=True)
@given(data=st.data())
def test_every_encoding_of_the_right_length_matches_the_pattern(kind: str, data: st.DataObject) -> None:
    _, low, high = _TYPES[kind]
    raw = data.draw(st.binary(min_size=low, max_size=high))
    assert _schema_allows(kind, b64e(raw)) and _accepted(kind, b64e(raw))


@pytest.mark.parametrize("kind", sorted(_TYPES))
@settings(max_examples=500, derandomize=True)
@given(data=st.data())
def test_the_pattern_allows_exactly_what_the_validator_accepts(kind: str, data: st.DataObject) -> None:
    """Near misses too: one character changed, added or dropped, padding, a non-zero trailing bit."""
    _, low, high = _TYPES[kind]
    text = b64e(data.draw(st.binary(min_size=max(0, low - 1), max_size=high + 1)))
    edit = data.draw(st.sampled_from(["keep", "change", "add", "drop"]))
    i = data.draw(st.integers(0, len(text)))
    char = data.draw(st.sampled_from(_ALPHABET))
    text = {"keep": text, "change": text[:i] + char + text[i + 1:], "add": text[:i] + char + text[i:],
            "drop": text[:i] + text[i + 1:]}[edit]
    assert _schema_allows(kind, text) == _accepted(kind, text), text


def test_the_schema_states_patterns_integers_limits_and_every_method() -> None:
    """What schemathesis relies on, named: patterns on ids, keys and signatures, integer paging parameters,
    the push limits, and a 405 whose Allow names every method of the path."""
    from sync_server.app import create_app
    from sync_server.settings import Settings

    app = create_app(Settings(public_url="http://testserver"), None)  # type: ignore[arg-type]
    spec = app.openapi()
    login = spec["components"]["schemas"]["LoginIn"]["properties"]
    assert login["device"]["pattern"] == protocol.b64_pattern(16)
    assert login["signature"]["minLength"] == login["signature"]["maxLength"] == 86
    pull = {p["name"]: p["schema"] for p in spec["paths"]["/v1/teams/{team}/changes"]["get"]["parameters"]}
    assert pull["limit"] == {"type": "integer", "minimum": 1, "maximum": 500, "title": "Limit"}
    signed = spec["components"]["schemas"]["SignedPushIn"]["properties"]["envelopes"]
    assert signed["minItems"] == 1 and signed["maxItems"] == protocol.MAX_ENVELOPES_PER_PUSH


def test_every_paged_read_declares_the_same_limit() -> None:
    """One ``?limit=`` for every paged read (changes, round, a device's own chain and its hashes): the same
    range, default and wording in the schema."""
    from sync_server.app import create_app
    from sync_server.settings import Settings

    spec = create_app(Settings(public_url="http://testserver"), None).openapi()  # type: ignore[arg-type]
    paths = ["/v1/teams/{team}/changes", "/v1/teams/{team}/round", "/v1/teams/{team}/devices/{device}/chain",
             "/v1/teams/{team}/devices/{device}/chain/hashes"]
    limits = []
    for path in paths:
        params = {p["name"]: p for p in spec["paths"][path]["get"]["parameters"]}
        limits.append((params["limit"]["schema"], params["limit"]["description"]))
    assert limits[0][0] == {"type": "integer", "minimum": 1, "maximum": 500, "title": "Limit"}
    assert limits[0][1] == "1-500, default 100."
    assert all(limit == limits[0] for limit in limits), limits


async def test_a_405_names_every_method_of_the_path(server: Server) -> None:
    for path, methods in (("/v1/teams/x/changes", "GET, POST"), ("/v1/teams/x/grants", "GET, POST"),
                          ("/v1/enrol", "POST")):
        response = await server.client.request("OPTIONS", path)
        assert response.status_code == 405 and response.headers["allow"] == methods
        assert response.json()["error"] == "method_not_allowed"


async def test_a_request_without_any_token_is_401_even_after_a_flood(server: Server) -> None:
    """Wrong tokens are counted and rate-limited (429); a request with no token at all guesses nothing and
    is always 401, without database work."""
    admin = await server.admin()
    url = f"/v1/teams/{admin.team}/heads"
    for _ in range(130):
        await server.client.get(url, headers={"Authorization": "Bearer " + b64e(b"x" * 32)})
    flooded = await server.client.get(url, headers={"Authorization": "Bearer " + b64e(b"x" * 32)})
    assert flooded.status_code == 429
    bare = await server.client.get(url)
    assert bare.status_code == 401 and bare.json()["error"] == "unauthorized"
