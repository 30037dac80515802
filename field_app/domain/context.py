"""What validation and rules may know about one client: the client's merged records and the time."""

from __future__ import annotations

import base64
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable


@runtime_checkable
class ClientContext(Protocol):
    """A read-only view of one client's records, as the projection merged them.

    ``records(type)`` gives ``(record_id, fields)`` of live records of that type (retracted notes left
    out); ``record(id)`` gives ``(type, fields)`` of any live record of this client, or ``None``. The
    client's own record has ``record_id == client_id``.
    """

    client_id: str
    now: int

    def records(self, type: str) -> list[tuple[str, dict]]: ...

    def record(self, record_id: str) -> tuple[str, dict] | None: ...


def new_id() -> str:
    """A random record id (128 bits, unpadded base64url), as the services make them."""
    return base64.urlsafe_b64encode(os.urandom(16)).rstrip(b"=").decode()


@dataclass
class DictContext:
    """A ``ClientContext`` over plain dicts, for tests, demos and the seeder."""

    client_id: str
    now: int
    data: dict[str, tuple[str, dict]] = field(default_factory=dict)
    retracted: set[str] = field(default_factory=set)

    def records(self, type: str) -> list[tuple[str, dict]]:
        return [(rid, f) for rid, (t, f) in self.data.items() if t == type and rid not in self.retracted]

    def record(self, record_id: str) -> tuple[str, dict] | None:
        if record_id in self.retracted:
            return None
        return self.data.get(record_id)

    def add(self, type: str, fields: dict, record_id: str | None = None) -> str:
        """Store a record as is (no validation) and return its id; ``client`` records get ``client_id``."""
        rid = record_id or (self.client_id if type == "client" else new_id())
        self.data[rid] = (type, dict(fields))
        return rid

    def set(self, record_id: str, changes: dict) -> None:
        """Merge changes into a stored record, as a ``set`` operation would."""
        type_, fields = self.data[record_id]
        self.data[record_id] = (type_, {**fields, **changes})

    def add_all(self, records: Iterable[tuple[str, dict]]) -> list[str]:
        return [self.add(t, f) for t, f in records]
