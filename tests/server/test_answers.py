"""The hot answers written as JSON text (sync_server/routes/answers.py) are what their models would write."""

from __future__ import annotations

import json
import os

from field_app.crypto.canonical import b64e
from sync_server.protocol import (
    HeadsOut,
    LedgerHead,
    LedgerOut,
    PullOut,
    PushHeadOut,
    PushOut,
    RoundOut,
)
from sync_server.routes.answers import page_text, push_text, round_text
from sync_server.store.base import ChangeRow, PushOutcome


def _same(text: str, model: object) -> None:
    assert json.loads(text) == json.loads(model.model_dump_json())  # type: ignore[attr-defined]


def test_push_text_is_push_out() -> None:
    outcomes = [PushOutcome(b64e(os.urandom(16)), 7, False), PushOutcome(b64e(os.urandom(16)), 2**53, True)]
    _same(push_text(outcomes), PushOut.model_validate({"results": [o.__dict__ for o in outcomes]}))
    _same(push_text([]), PushOut(results=[]))


def test_page_text_is_pull_out() -> None:
    rows = [ChangeRow(seq, os.urandom(size)) for seq, size in ((1, 0), (2, 1), (3, 2), (9, 1400))]
    for more in (True, False):
        expected = PullOut.model_validate({"changes": [{"seq": r.seq, "envelope": b64e(r.envelope)} for r in rows],
                                           "next": 9, "more": more})
        _same(page_text(rows, 9, more), expected)
    _same(page_text([], 5, False), PullOut(changes=[], next=5, more=False))


def test_round_text_is_round_out() -> None:
    ledger = LedgerOut(entries=[{"index": 0, "kind": "genesis", "note": 'quote " and \\ (fictief)'}],
                       head=LedgerHead(index=0, hash=b64e(os.urandom(32))))
    heads = HeadsOut(heads=[PushHeadOut(device=b64e(os.urandom(16)), device_seq=3, hash=b64e(os.urandom(32)),
                                        sig=b64e(os.urandom(64)))])
    page = PullOut(changes=[], next=0, more=False)
    for held in (heads, HeadsOut(heads=[])):
        text = round_text(ledger, held, page.model_dump_json())
        _same(text, RoundOut(ledger=ledger, heads=held.heads, page=page))
    _same(round_text(LedgerOut(entries=[], head=None), heads, page.model_dump_json()),
          RoundOut(ledger=LedgerOut(entries=[], head=None), heads=heads.heads, page=page))
