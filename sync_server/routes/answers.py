"""The hot answers (push results, a pull page, a round) written as JSON text directly, without a pydantic
model per item: for a push of 500 or a page of 500 the models and FastAPI's validation of the returned
model against ``response_model`` cost more than the route's own work (issue #11). The routes still declare
their ``response_model`` (the OpenAPI document and its tests are unchanged); a test compares each text
with the model's JSON (tests/server/test_answers.py).

Safe without escaping: every string written here is base64url (``[A-Za-z0-9_-]``) and every number an int.
"""

from __future__ import annotations

from collections.abc import Sequence

from fastapi import Response

from field_app.crypto.canonical import b64e

from ..protocol import HeadsOut, LedgerOut
from ..store.base import ChangeRow, PushOutcome

__all__ = ["JsonText", "page_text", "push_text", "round_text"]


class JsonText(Response):
    """A JSON answer whose body is already written."""

    media_type = "application/json"


def push_text(outcomes: Sequence[PushOutcome]) -> str:
    """``PushOut`` as JSON."""
    items = ",".join(
        f'{{"op_id":"{o.op_id}","seq":{o.seq:d},"duplicate":{"true" if o.duplicate else "false"}}}'
        for o in outcomes
    )
    return f'{{"results":[{items}]}}'


def page_text(rows: Sequence[ChangeRow], next_seq: int, more: bool) -> str:
    """``PullOut`` as JSON: each envelope base64url-encoded once, straight into the text."""
    items = ",".join(f'{{"seq":{r.seq:d},"envelope":"{b64e(r.envelope)}"}}' for r in rows)
    return f'{{"changes":[{items}],"next":{next_seq:d},"more":{"true" if more else "false"}}}'


def round_text(ledger: LedgerOut, heads: HeadsOut, page: str) -> str:
    """``RoundOut`` as JSON (the ledger and the heads are small: their models write them)."""
    written = ",".join(head.model_dump_json() for head in heads.heads)
    return f'{{"ledger":{ledger.model_dump_json()},"heads":[{written}],"page":{page}}}'
