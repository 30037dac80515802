"""The storage interface. Narrow on purpose: a PostgreSQL implementation (a team row lock where SQLite
uses BEGIN IMMEDIATE) must be a drop-in. The store keeps rules out: it stores, looks up and enforces
only what must be atomic (single-use codes and challenges, ledger head, op ids, seq assignment).

Ids, keys and hashes are passed as their unpadded base64url wire strings; secrets (codes, challenges,
tokens) only as SHA-256 digests; times as UTC milliseconds.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


class StoreError(Exception):
    """Base of everything a store refuses."""


class SchemaTooNew(StoreError):
    """The database was migrated by a newer server than this one: this server refuses to use it."""

    def __init__(self, found: int, known: int) -> None:
        super().__init__(f"schema version {found}, this server knows up to {known}")
        self.found, self.known = found, known


class UnknownTeam(StoreError):
    pass


class CodeRejected(StoreError):
    """The enrolment code is unknown, used or expired."""


class DeviceExists(StoreError):
    pass


class LedgerConflict(StoreError):
    """The entry does not extend the current head."""


class GrantConflict(StoreError):
    def __init__(self, epoch: int, recipient: str) -> None:
        super().__init__(f"epoch {epoch}, recipient {recipient}")
        self.epoch = epoch
        self.recipient = recipient


class OpConflict(StoreError):
    def __init__(self, op_id: str) -> None:
        super().__init__(op_id)
        self.op_id = op_id


class HeadConflict(StoreError):
    """Another push head with the same device_seq (another envelope there) is stored for the device."""


class ChainGap(StoreError):
    """An envelope's device_seq skips ahead of what the server holds of its device's chain."""

    def __init__(self, device: str, expected: int, got: int, in_push: bool = False) -> None:
        super().__init__(f"device {device}: expected device_seq {expected}, got {got}")
        self.device, self.expected, self.got, self.in_push = device, expected, got, in_push


class ChainFork(StoreError):
    """An envelope does not continue its device's chain: its device_seq is taken, or its prev_hash is not
    the hash of the device's previous envelope on the server."""

    def __init__(self, device: str, expected: int, got: int, in_push: bool = False) -> None:
        super().__init__(f"device {device}: expected device_seq {expected} after the stored head, got {got}")
        self.device, self.expected, self.got, self.in_push = device, expected, got, in_push


class DeviceRefused(StoreError):
    """The pushing device's status (re-read inside the push transaction) does not allow storing."""

    def __init__(self, status: str) -> None:
        super().__init__(status)
        self.status = status


class LedgerMoved(StoreError):
    """The team ledger moved on after the caller checked the push against it: check again."""


@dataclass(frozen=True)
class Device:
    team: str
    id: str
    ed25519: str
    x25519: str
    role: str
    beheer: bool
    status: str  # pending | confirmed | revoked
    enrolled_at: int
    revoked_reason: str | None = None  # RETIRED | LOST | LEFT once revoked
    revoked_index: int | None = None  # index of the revoke_device ledger entry


@dataclass(frozen=True)
class NewDevice:
    id: str
    ed25519: str
    x25519: str


@dataclass(frozen=True)
class Enrolment:
    device: Device
    first: bool


@dataclass(frozen=True)
class Token:
    team: str
    device: str
    expires_at: int


@dataclass(frozen=True)
class LedgerRow:
    index: int
    hash: str
    entry: str  # canonical JSON, signature included


@dataclass(frozen=True)
class LedgerEffects:
    """What an appended ledger entry changes in the device table, applied in the same transaction."""

    set_device: tuple[str, str, bool] | None = None  # (device, role, beheer)
    revoke: tuple[str, str, int] | None = None  # (device, reason, entry index)


@dataclass(frozen=True)
class PushHead:
    """The newest signed push head of a device (wire strings)."""

    device: str
    device_seq: int
    hash: str
    sig: str


@dataclass(frozen=True)
class AccessRow:
    id: int
    at: int
    team: str
    device: str
    role: str | None
    action: str
    result: str


@dataclass(frozen=True)
class Grant:
    epoch: int
    recipient: str
    body: str  # canonical JSON, stored opaquely


@dataclass(frozen=True)
class PushItem:
    op_id: str
    device: str
    envelope: bytes
    device_seq: int | None = None  # with prev_hash: checked against the device's chain on the server
    prev_hash: bytes | None = None


@dataclass(frozen=True)
class ChainHead:
    """What the server holds of one device's chain: its newest device_seq and that envelope's hash."""

    device_seq: int
    hash: bytes


@dataclass(frozen=True)
class OwnChange:
    seq: int
    device_seq: int
    envelope: bytes


@dataclass(frozen=True)
class Replacement:
    """A re-delivered envelope for a stored row whose copy no longer verifies (``old_hash``: SHA-256 of
    the stored bytes the route judged; the row must still hold them)."""

    op_id: str
    device_seq: int
    old_hash: bytes
    envelope: bytes


@dataclass(frozen=True)
class PushOutcome:
    op_id: str
    seq: int
    duplicate: bool


@dataclass(frozen=True)
class ChangeRow:
    seq: int
    envelope: bytes


class Store(Protocol):
    """What the server needs from its database."""

    def migrate(self) -> int:
        """Bring the schema up to date; returns the schema version."""
        ...

    # teams, codes, devices
    def create_team(self, team: str, now: int) -> None: ...

    def team_exists(self, team: str) -> bool: ...

    def add_code(self, code_hash: bytes, team: str, role: str, beheer: bool, expires_at: int) -> None:
        """Raises UnknownTeam."""
        ...

    def enrol(self, code_hash: bytes, device: NewDevice, now: int) -> Enrolment:
        """Use the code once and register the device (status pending, beheer as the code says).

        Raises CodeRejected (unknown, used or expired code) or DeviceExists; either way nothing is stored.
        """
        ...

    def get_device(self, team: str, device: str) -> Device | None: ...

    def list_devices(self, team: str) -> list[Device]: ...

    def set_device_status(self, team: str, device: str, status: str) -> None: ...

    # login
    def add_challenge(
        self, challenge_hash: bytes, team: str, device: str, expires_at: int, now: int
    ) -> None: ...

    def consume_challenge(self, challenge_hash: bytes, team: str, device: str) -> int | None:
        """Mark an unused challenge bound to (team, device) used; its expires_at, or None if there was none."""
        ...

    def add_token(self, token_hash: bytes, team: str, device: str, expires_at: int, now: int) -> None: ...

    def find_token(self, token_hash: bytes) -> Token | None: ...

    def token_device(self, token_hash: bytes) -> tuple[Token, Device | None] | None:
        """``find_token`` and ``get_device`` of the device it names, in one read (every request does it)."""
        ...

    # ledger
    def ledger_entries(self, team: str, after: int) -> list[LedgerRow]: ...

    def ledger_head(self, team: str) -> LedgerRow | None: ...

    def append_ledger(
        self,
        team: str,
        row: LedgerRow,
        prev: str,
        confirm_device: str | None,
        now: int,
        effects: LedgerEffects | None = None,
    ) -> None:
        """Append if ``row.index`` is head + 1 and ``prev`` the head's hash (atomically), else LedgerConflict.

        ``confirm_device`` is set to status confirmed and ``effects`` applied in the same transaction.
        """
        ...

    # grants
    def put_grants(self, team: str, grants: list[Grant], now: int) -> None:
        """Store all or nothing; the same body again is fine, a different one raises GrantConflict."""
        ...

    def grants_for(self, team: str, recipient: str) -> list[Grant]: ...

    # changes
    def push(
        self, team: str, items: list[PushItem], now: int, head: PushHead | None = None, *,
        statuses: tuple[str, ...] | None = None, ledger_index: int | None = None,
    ) -> list[PushOutcome]:
        """Assign seq = last_seq + 1 to each new op in one transaction; a known op_id with the same bytes
        answers its original seq, with different bytes raises OpConflict and nothing is stored.

        An item with ``device_seq`` must continue its device's chain as stored: device_seq one more than
        the newest stored (1 for the first) and prev_hash that envelope's hash — else ChainGap or
        ChainFork, nothing stored. In the same transaction: the device's status must be one of
        ``statuses`` (DeviceRefused) and the team ledger still at ``ledger_index`` (LedgerMoved), so a
        revocation or rotation answered before cannot be overtaken by a push checked before it.

        ``head`` replaces the device's stored push head when its device_seq is higher; the same
        device_seq with another hash raises HeadConflict (nothing stored); a lower one is ignored."""
        ...

    def chain_head(self, team: str, device: str) -> ChainHead | None:
        """The newest envelope of ``device`` the server holds (None before its first)."""
        ...

    def own_changes(self, team: str, device: str, after_device_seq: int, limit: int) -> list[OwnChange]:
        """Up to ``limit`` envelopes of ``device`` with device_seq > after, in chain order."""
        ...

    def heads(self, team: str) -> list[PushHead]:
        """The newest push head of every device of the team that sent one."""
        ...

    def pull(self, team: str, after: int, limit: int) -> list[ChangeRow]:
        """Up to ``limit`` changes with seq > after, in seq order."""
        ...

    # audit
    def log_access(
        self, at: int, team: str, device: str, action: str, result: str, role: str | None = None
    ) -> None:
        """Append one row to the access log (append-only: the database refuses UPDATE and DELETE). Queued and
        written within ``access_log_delay_s`` by the store's flusher, many rows in one transaction."""
        ...

    def failure_counts(self, keys: list[str], minute: int) -> dict[str, int]:
        """The failed-attempt counts of ``keys`` in ``minute``."""
        ...

    def add_failures(self, keys: list[str], minute: int) -> dict[str, int]:
        """Add one to each key's count in ``minute`` (older minutes are dropped); the new counts."""
        ...

    def access_log(self, team: str, after: int, limit: int) -> list[AccessRow]:
        """Up to ``limit`` access-log rows of the team with id > after, in id order (queued rows written
        first)."""
        ...

    def access_log_healthy(self) -> bool:
        """False while the queued access-log rows cannot be written: the server then serves no access."""
        ...

    def flush_access_log(self) -> None:
        """Write the access-log rows ``log_access`` queued (it batches them; see store/access_buffer.py)."""
        ...

    # re-delivery of an envelope whose stored copy no longer verifies (issue #11)
    def chain_rows(self, team: str, device: str, device_seqs: list[int]) -> dict[int, tuple[str, OwnChange]]:
        """device_seq -> (op_id, stored row) of ``device`` at those places of its chain."""
        ...

    def replace_changes(self, team: str, device: str, items: list[Replacement], now: int) -> list[PushOutcome]:
        """Set each item's damaged stored row aside (it keeps its seq and bytes, gives up its op_id and
        chain place) and store the item under a new seq, all in one transaction; OpConflict (nothing
        stored) if a row no longer holds the bytes whose hash the item names."""
        ...
