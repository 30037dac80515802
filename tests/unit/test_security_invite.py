"""Invitations: the team fingerprint, the invitation text and its QR code. Pure crypto (segno optional)."""

from __future__ import annotations

import hashlib

import pytest

from field_app.crypto.canonical import b64e
from field_app.crypto.grants import epoch_commitment
from field_app.crypto.identity import DeviceIdentity, fingerprint
from field_app.crypto.invite import (
    InviteError,
    invite_payload,
    matches_team,
    parse_invite,
    team_fingerprint,
    team_fingerprint_bytes,
)
from field_app.crypto.ledger import entry_hash, genesis
from field_app.crypto.qr import qr_available, qr_png

TEAM = bytes(range(16))
COORD = DeviceIdentity.generate()
GENESIS = genesis(TEAM, COORD, "PROCESREGISSEUR", epoch_commitment(TEAM, 1, b"\xe1" * 32), 1_767_225_600_000)
CODE = "7K3M-Q9TX-2HVB-RP4D"


def test_team_fingerprint_is_sha512_of_the_genesis_hash_in_twelve_groups() -> None:
    raw = team_fingerprint_bytes(GENESIS)
    assert raw == hashlib.sha512(b"veldwerk/team-fp/v1" + entry_hash(GENESIS)).digest()[:60]
    groups = team_fingerprint(GENESIS)
    assert len(groups) == 12 and all(len(g) == 5 and g.isdigit() for g in groups)
    assert groups == [f"{int.from_bytes(raw[i : i + 5], 'big') % 100000:05d}" for i in range(0, 60, 5)]
    # not the same digits as the coordinator's device fingerprint
    assert groups != fingerprint(TEAM, COORD.ed25519_pub, COORD.x25519_pub)


def test_another_genesis_has_another_fingerprint() -> None:
    other = genesis(TEAM, DeviceIdentity.generate(), "PROCESREGISSEUR", bytes(32), 1_767_225_600_000)
    assert team_fingerprint_bytes(other) != team_fingerprint_bytes(GENESIS)
    assert matches_team(GENESIS, team_fingerprint_bytes(GENESIS))
    assert not matches_team(other, team_fingerprint_bytes(GENESIS))
    assert not matches_team({"type": "add_device"}, team_fingerprint_bytes(GENESIS))
    with pytest.raises(InviteError):
        team_fingerprint_bytes({"type": "add_device"})


def test_invite_text_roundtrip() -> None:
    fp = team_fingerprint_bytes(GENESIS)
    text = invite_payload(CODE, TEAM, fp)
    assert text == f"VW1:{CODE}:{b64e(TEAM)}:{b64e(fp)}"
    invite = parse_invite(f"  {text}\n")
    assert (invite.code, invite.team, invite.team_fp, invite.server) == (CODE, TEAM, fp, None)
    with_server = parse_invite(invite_payload(CODE, TEAM, fp, server="https://veldwerk.example:8443"))
    assert with_server.server == "https://veldwerk.example:8443"


@pytest.mark.parametrize(
    "text",
    [
        "",
        "VW2:A:B:C",
        "VW1:CODE",
        f"VW1:bad code!:{b64e(TEAM)}:{b64e(bytes(60))}",
        f"VW1:{CODE}:{b64e(bytes(15))}:{b64e(bytes(60))}",
        f"VW1:{CODE}:{b64e(TEAM)}:{b64e(bytes(59))}",
        f"VW1:{CODE}:{b64e(TEAM)}:{b64e(bytes(60))}:not base64!",
        f"VW1:{CODE}:{b64e(TEAM)}:{b64e(bytes(60))}:x:y",
        "VW1:" + "A" * 600,
    ],
)
def test_malformed_invites_are_refused(text: str) -> None:
    with pytest.raises(InviteError):
        parse_invite(text)


def test_invite_payload_refuses_bad_inputs() -> None:
    with pytest.raises(InviteError):
        invite_payload("a:b", TEAM, bytes(60))
    with pytest.raises(InviteError):
        invite_payload(CODE, TEAM, bytes(32))


@pytest.mark.skipif(not qr_available(), reason="segno is not installed (the phone-compat env leaves it out)")
def test_qr_png_is_a_png_that_holds_the_invitation() -> None:
    png = qr_png(invite_payload(CODE, TEAM, team_fingerprint_bytes(GENESIS)))
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 200
    assert qr_png("x", scale=2) != qr_png("x", scale=4)


def test_qr_module_imports_without_segno() -> None:
    # the module itself must not need segno at import time (crypto works without it)
    import ast
    from pathlib import Path

    import field_app.crypto.qr as qr

    tree = ast.parse(Path(qr.__file__).read_text(encoding="utf-8"))
    top_level = [n for n in tree.body if isinstance(n, (ast.Import, ast.ImportFrom))]
    assert all("segno" not in ast.dump(n) for n in top_level)
