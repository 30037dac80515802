"""docs/protocol.md "## Hex examples" must match what the code computes from the same fixed inputs.

The values are parsed out of the document, so the page cannot drift from the code. To regenerate the
section after a deliberate format change, print :func:`render_values` and paste it (then review the diff).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterator
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from field_app.crypto import wire
from field_app.crypto.canonical import b64d, b64e, canonical_json, pinned
from field_app.crypto.chain import push_head, push_head_bytes, verify_push_head
from field_app.crypto.envelope import open_envelope, seal
from field_app.crypto.grants import epoch_commitment, grant_info, make_grant, open_grant
from field_app.crypto.identity import DeviceIdentity, fingerprint, fingerprint_bytes, login_bytes
from field_app.crypto.invite import invite_payload, team_fingerprint, team_fingerprint_bytes
from field_app.crypto.ledger import (
    add_device,
    entry_hash,
    genesis,
    revoke_device,
    rotate_epoch,
    set_role,
    unwrap_history,
    verify_chain,
    wipe,
)

PROTOCOL = Path(__file__).resolve().parents[2] / "docs" / "protocol.md"
SECTION = "## Hex examples"

# --- the fixed inputs (listed in the document) ------------------------------------------------------

TEAM = bytes(range(0x00, 0x10))
EPOCH_KEY = b"\xe1" * 32
AT = 1_767_225_600_000  # 2026-01-01T00:00:00Z
SERVER = "https://veldwerk.example"
CHALLENGE = b"\xc1" * 32
DEVICE_NONCE = b"\xc2" * 32
OP_ID = bytes(range(0x30, 0x40))
OPERATION = {
    "type": "contact",
    "record_id": b64e(bytes(range(0x40, 0x50))),
    "client_id": b64e(bytes(range(0x50, 0x60))),
    "kind": "create",
    "fields": {"notitie": "Voorbeeld."},
    "hlc": "1767225600000:0:EBESExQVFhcYGRobHB0eHw",
    "author_user": b64e(bytes(range(0x60, 0x70))),
}
ENVELOPE_RANDOM = [
    b"\xd1" * 32,
    b"\xd2" * 32,
    b"\xd3" * 12,
    b"\xd4" * 12,
]  # data key, salt, wrap nonce, nonce
GRANT_IKM_E = b"\xee" * 32
EPOCH2_KEY = b"\xe2" * 32
HISTORY_NONCE = b"\xd5" * 12
INVITE_CODE = "7K3M-Q9TX-2HVB-RP4D"


def device(first_id_byte: int, ed_seed_byte: int, x_seed_byte: int) -> DeviceIdentity:
    return DeviceIdentity(
        bytes(range(first_id_byte, first_id_byte + 16)),
        Ed25519PrivateKey.from_private_bytes(bytes([ed_seed_byte]) * 32),
        X25519PrivateKey.from_private_bytes(bytes([x_seed_byte]) * 32),
    )


A = device(0x10, 0xA1, 0xA2)  # coordinator (genesis device)
B = device(0x20, 0xB1, 0xB2)  # field worker


def scripted(chunks: list[bytes]) -> Callable[[int], bytes]:
    it: Iterator[bytes] = iter(chunks)

    def rng(n: int) -> bytes:
        chunk = next(it)
        assert len(chunk) == n
        return chunk

    return rng


def ledger_entries() -> list[dict]:
    """The example ledger: genesis by A, then A adds B, sets B's role, revokes B, rotates, wipes B."""
    g = genesis(TEAM, A, "PROCESREGISSEUR", epoch_commitment(TEAM, 1, EPOCH_KEY), AT)
    chain = [g]

    def nxt() -> tuple[int, bytes]:
        return len(chain), entry_hash(chain[-1])

    chain.append(add_device(TEAM, *nxt(), A, B.device_id, B.ed25519_pub, B.x25519_pub, "VELDWERKER", AT))
    chain.append(set_role(TEAM, *nxt(), A, B.device_id, "WERKBEGELEIDER", False, AT))
    chain.append(revoke_device(TEAM, *nxt(), A, B.device_id, "LEFT", AT))
    chain.append(rotate_epoch(TEAM, *nxt(), A, 2, EPOCH2_KEY, EPOCH_KEY, AT, _rng=lambda n: HISTORY_NONCE[:n]))
    chain.append(wipe(TEAM, *nxt(), A, B.device_id, AT))
    return chain


def compute() -> dict[str, str]:
    """Every example value, as it appears in the document (hex, digits or decimal)."""
    login = login_bytes(
        server_nonce=CHALLENGE, device_nonce=DEVICE_NONCE, team=TEAM, device=A.device_id, server=SERVER
    )
    commit = epoch_commitment(TEAM, 1, EPOCH_KEY)
    g = genesis(TEAM, A, "PROCESREGISSEUR", commit, AT)
    envelope = seal(
        OPERATION,
        team=TEAM,
        epoch=1,
        epoch_key=EPOCH_KEY,
        identity=A,
        op_id=OP_ID,
        device_seq=1,
        prev_hash=bytes(32),
        ledger_head=entry_hash(g),
        _rng=scripted(ENVELOPE_RANDOM),
    )
    parts = wire.unpack(envelope)
    signed = parts.signed_bytes()
    plaintext = open_envelope(envelope, team=TEAM, sender_ed25519=A.ed25519_pub, epoch_keys={1: EPOCH_KEY})
    grant = make_grant(
        team=TEAM,
        epoch=1,
        epoch_key=EPOCH_KEY,
        recipient=B.device_id,
        recipient_x25519=B.x25519_pub,
        granter=A,
        _rng=lambda n: GRANT_IKM_E[:n],
    )
    fp = fingerprint_bytes(TEAM, A.ed25519_pub, A.x25519_pub)
    chain = ledger_entries()
    rotation = chain[4]
    head = push_head(TEAM, A.device_id, 1, hashlib.sha256(envelope).digest(), A)
    team_fp = team_fingerprint_bytes(g)
    return {
        "device_a.ed25519_pub": A.ed25519_pub.hex(),
        "device_a.x25519_pub": A.x25519_pub.hex(),
        "device_b.x25519_pub": B.x25519_pub.hex(),
        "login.signed": login.hex(),
        "login.signature": A.sign(login).hex(),
        "epoch_commit": commit.hex(),
        "genesis.entry": canonical_json(g).decode("utf-8"),
        "genesis.sig": _b64_hex(g["sig"]),
        "genesis.hash": entry_hash(g).hex(),
        "envelope.operation": canonical_json(plaintext).decode("utf-8"),
        "envelope.header": parts.header_bytes.decode("utf-8"),
        "envelope.commit_tag": _b64_hex(parts.header["commit_tag"]),
        "envelope.signed[0:64]": signed[:64].hex(),
        "envelope.signed_sha256": hashlib.sha256(signed).hexdigest(),
        "envelope.signature": parts.signature.hex(),
        "envelope.length": str(len(envelope)),
        "envelope[0:96]": envelope[:96].hex(),
        "envelope.sha256": hashlib.sha256(envelope).hexdigest(),
        "grant.info": grant_info(TEAM, 1, B.device_id, B.x25519_pub).hex(),
        "grant.wrapped": _b64_hex(grant["wrapped"]),
        "grant.sig": _b64_hex(grant["sig"]),
        "fingerprint.bytes": fp.hex(),
        "fingerprint.groups": " ".join(fingerprint(TEAM, A.ed25519_pub, A.x25519_pub)),
        "ledger.add_device": canonical_json(chain[1]).decode("utf-8"),
        "ledger.set_role": canonical_json(chain[2]).decode("utf-8"),
        "ledger.revoke_device": canonical_json(chain[3]).decode("utf-8"),
        "ledger.rotate_epoch": canonical_json(rotation).decode("utf-8"),
        "ledger.wipe": canonical_json(chain[5]).decode("utf-8"),
        "ledger.head": entry_hash(chain[5]).hex(),
        "epoch2_commit": epoch_commitment(TEAM, 2, EPOCH2_KEY).hex(),
        "key_history.aad": pinned("key-history", {"team": TEAM, "epoch": 2}).hex(),
        "key_history": _b64_hex(rotation["body"]["key_history"]),
        "push_head.signed": push_head_bytes(TEAM, A.device_id, 1, hashlib.sha256(envelope).digest()).hex(),
        "push_head.sig": _b64_hex(head["sig"]),
        "team_fp.bytes": team_fp.hex(),
        "team_fp.groups": " ".join(team_fingerprint(g)),
        "invite.text": invite_payload(INVITE_CODE, TEAM, team_fp),
    }


def _b64_hex(text: str) -> str:
    return b64d(text).hex()


# --- the document -------------------------------------------------------------------------------------

_LINE = re.compile(r"^(?P<key>[a-z0-9_.\[\]:]+) =(?: (?P<value>.+))?$")
_CONT = re.compile(r"^\s+(?P<value>[0-9a-f]+)$")


def render_values(values: dict[str, str], keys: list[str]) -> str:
    """The ``text`` block lines for ``keys``: short values inline, long hex wrapped at 32 bytes a line."""
    lines = []
    for key in keys:
        value = values[key]
        if len(value) <= 64 or not re.fullmatch(r"[0-9a-f]+", value):
            lines.append(f"{key} = {value}")
        else:
            lines.append(f"{key} =")
            lines.extend("    " + value[i : i + 64] for i in range(0, len(value), 64))
    return "\n".join(lines)


def parse_examples(markdown: str) -> dict[str, str]:
    """All ``key = value`` pairs inside fenced blocks of the "## Hex examples" section."""
    start = markdown.index("\n" + SECTION + "\n")
    section = markdown[start + 1 :]
    following = section.find("\n## ", len(SECTION))
    if following != -1:
        section = section[:following]
    values: dict[str, str] = {}
    for block in re.findall(r"```text\n(.*?)```", section, flags=re.S):
        key = None
        for line in block.splitlines():
            if not line.strip():
                continue
            if (match := _LINE.match(line)) is not None:
                key = match["key"]
                assert key not in values, f"duplicate example {key}"
                values[key] = match["value"] or ""
            elif (match := _CONT.match(line)) is not None and key is not None:
                values[key] += match["value"]
            else:
                raise AssertionError(f"unparseable line in hex examples: {line!r}")
    return values


def test_every_hex_example_in_protocol_md_matches_the_code() -> None:
    documented = parse_examples(PROTOCOL.read_text(encoding="utf-8"))
    computed = compute()
    assert sorted(documented) == sorted(computed), "examples missing from or unknown to the test"
    for key, value in computed.items():
        assert documented[key] == value, f"docs/protocol.md example {key} is stale"


def test_the_example_envelope_and_grant_really_open() -> None:
    commit = epoch_commitment(TEAM, 1, EPOCH_KEY)
    g = genesis(TEAM, A, "PROCESREGISSEUR", commit, AT)
    envelope = seal(
        OPERATION,
        team=TEAM,
        epoch=1,
        epoch_key=EPOCH_KEY,
        identity=A,
        op_id=OP_ID,
        device_seq=1,
        prev_hash=bytes(32),
        ledger_head=entry_hash(g),
        _rng=scripted(ENVELOPE_RANDOM),
    )
    op = open_envelope(envelope, team=TEAM, sender_ed25519=A.ed25519_pub, epoch_keys={1: EPOCH_KEY})
    assert op == {**OPERATION, "op_id": b64e(OP_ID)}
    entry = add_device(TEAM, 1, entry_hash(g), A, B.device_id, B.ed25519_pub, B.x25519_pub, "VELDWERKER", AT)
    ledger = verify_chain([g, entry], TEAM)
    grant = make_grant(
        team=TEAM,
        epoch=1,
        epoch_key=EPOCH_KEY,
        recipient=B.device_id,
        recipient_x25519=B.x25519_pub,
        granter=A,
        _rng=lambda n: GRANT_IKM_E[:n],
    )
    assert open_grant(grant, me=B, team=TEAM, ledger=ledger) == (1, EPOCH_KEY)


def test_the_example_ledger_verifies_and_its_history_opens() -> None:
    ledger = verify_chain(ledger_entries(), TEAM)
    assert ledger.current_epoch == 2 and ledger.revoked == {B.device_id: ("LEFT", 3)}
    assert ledger.wipes == {B.device_id} and ledger.devices[B.device_id].role == "WERKBEGELEIDER"
    assert unwrap_history(ledger, 2, EPOCH2_KEY) == {1: EPOCH_KEY, 2: EPOCH2_KEY}
    head = push_head(TEAM, A.device_id, 1, b"\x01" * 32, A)
    assert verify_push_head(head, team=TEAM, ed25519=A.ed25519_pub) == (A.device_id, 1, b"\x01" * 32)


def test_pinned_prefixes_are_visible_in_the_examples() -> None:
    values = compute()
    assert bytes.fromhex(values["push_head.signed"]).startswith(b"veldwerk/push-head/v1\0{")
    assert bytes.fromhex(values["key_history.aad"]).startswith(b"veldwerk/key-history/v1\0{")
    assert bytes.fromhex(values["login.signed"]).startswith(b"veldwerk/login/v1\0{")
    assert bytes.fromhex(values["envelope.signed[0:64]"]).startswith(b"veldwerk/envelope/v1\0{")
    assert bytes.fromhex(values["grant.info"]).startswith(b"veldwerk/grant-info/v1\0{")
    assert bytes.fromhex(values["envelope[0:96]"]).startswith(b"VWE1")
