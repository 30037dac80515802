"""Review on the screens, on a real team (tests/integration/secsupport.py: a real server, the supervisor's
and the field worker's devices). Found in the browser: the *Terugsturen* screen did not say which note it
returns; after a resubmission the worker's words were shown twice (as the addendum and again as the
resubmission's comment)."""

from __future__ import annotations

import sys
from pathlib import Path

import flet as ft
import pytest
from ui_helpers import dump, has_text, press, type_into, unlock, visible_texts

from field_app.ui.views.client import ClientView
from field_app.ui.views.forms.base import FormView
from field_app.ui.views.team import TeamView

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "integration"))
from secsupport import SUP_PASS, WORK_PASS, make_team  # noqa: E402

CLIENT = "Bas Beoordeling (fictief)"
WORKER, SUPERVISOR = "Lotte de Boer (fictief)", "Fatima El Amrani (fictief)"
COMMENT = "Noem de bron van de melding."
ANSWER = "Bron: de baliemedewerker van het kantoor."


@pytest.fixture
def team(tmp_path):
    t = make_team(tmp_path)
    try:
        cid = t.work.intake(CLIENT, fictional=True)
        note = t.work.create_record("contact", cid, {"contact_type": "TELEFONISCH", "outcome": "PLAATSGEVONDEN",
                                                     "report": "Gebeld, alles rustig."})
        t.work.sync_once()
        t.sup.sync_once()
        t.work.lock()
        t.sup.lock()
        yield t, cid, note
    finally:
        t.close()


def count(client, text: str) -> int:
    return sum(1 for s in visible_texts(client) if text in s)


async def test_return_names_the_note_and_a_resubmission_shows_its_words_once(team, make_device):
    t, cid, note = team
    client, app = await make_device(t.sup).open()
    await unlock(client, SUP_PASS)
    app.open_tab(app.tabs.index("team"))
    assert isinstance(app.screen, TeamView), dump(client)
    await press(client, "Terugsturen")
    assert isinstance(app.screen, FormView), dump(client)
    # the screen names the note it returns: what, whose client, when, by whom
    heading = next(c for c in client.walk() if isinstance(c, ft.Semantics)
                   and c.identifier == f"review-return-item-{note}")
    words = " | ".join(client.texts(heading))
    assert "Telefonisch" in words and CLIENT in words and "vandaag" in words, words
    assert f"Geschreven door {WORKER}" in words, words
    await type_into(client, "Wat moet er anders?", COMMENT)
    await press(client, "Terugsturen")
    assert isinstance(app.screen, TeamView) and app.errors == [], dump(client)
    t.sup.sync_once()
    t.work.unlock(WORK_PASS)
    t.work.sync_once()
    t.work.lock()

    wclient, wapp = await make_device(t.work).open()
    await unlock(wclient, WORK_PASS)
    wapp.open_client(cid)
    assert isinstance(wapp.screen, ClientView)
    assert has_text(wclient, COMMENT), dump(wclient)
    await press(wclient, "Aanpassen en opnieuw indienen")
    await type_into(wclient, "Aanvulling of toelichting", ANSWER)
    await press(wclient, "Opnieuw indienen")
    assert isinstance(wapp.screen, ClientView), dump(wclient)
    # the answer once (as the addendum), and the review line says what happened
    assert count(wclient, ANSWER) == 1, dump(wclient)
    assert has_text(wclient, "Opnieuw ingediend met de aanvulling hierboven"), dump(wclient)
    wapp.lock("test")
    t.work.unlock(WORK_PASS)
    t.work.sync_once()
    t.work.lock()

    t.sup.unlock(SUP_PASS)
    t.sup.sync_once()
    app.open_tab(app.tabs.index("team"))
    assert has_text(client, "Opnieuw ingediend met de aanvulling hierboven"), dump(client)
    assert count(client, ANSWER) == 1, dump(client)
    assert count(client, COMMENT) == 1, dump(client)  # the return's comment stays, once
