""""Escaleren?" survives a crash (issue #14): the question is stored with the note, asked again after the
app comes back and is unlocked, until it is answered or declined, and what became of it is kept."""

from __future__ import annotations

from test_contact_full import escalation, fill_basics, open_form, says, tap, toggle
from ui_helpers import PASSPHRASE, dump, press, select, unlock


async def _violation_saved(device):
    client, app, cid, _ = await open_form(device)
    await fill_basics(client)
    await toggle(client, 0, "OVERTREDING")
    await select(client, "Ernst van de overtreding", "MATIG")
    await select(client, "Reactie op de overtreding", "AANSPREKEN")  # the ladder's proposal
    await press(client, "Opslaan")
    assert escalation(client) is not None, dump(client)
    [note] = device.services.records(cid, "contact")
    return client, app, cid, note


async def test_an_unanswered_question_is_asked_again_after_the_app_comes_back(real_device):
    svc = real_device.services
    client, app, cid, note = await _violation_saved(real_device)
    [q] = svc.pending_questions()
    assert (q["kind"], q["client_id"], q["record_id"], q["status"]) == ("escalate", cid, note.id, "open")

    svc.lock()  # the app stops here: nobody answered (the browser test kills the real process)
    client, app = await real_device.open()
    await unlock(client, PASSPHRASE)
    assert escalation(client) is not None, dump(client)  # asked again, saying which contact it is about
    assert says(client, "De app stopte voordat je deze vraag beantwoordde. Het gaat om je contact met "
                        "Henk Veldman (fictief)"), dump(client)
    await tap(client, "Nu niet")
    assert escalation(client) is None
    assert svc.pending_questions() == []
    [done] = svc.question_history()
    assert done["record_id"] == note.id and done["status"] == "declined" and done["answered_at"]

    svc.lock()
    client, app = await real_device.open()
    await unlock(client, PASSPHRASE)
    assert escalation(client) is None  # declined: not asked again


async def test_confirming_the_flag_answers_the_question(real_device):
    svc = real_device.services
    client, app, cid, note = await _violation_saved(real_device)
    await tap(client, "Signaal maken")
    assert escalation(client) is None, dump(client)
    assert svc.pending_questions() == []
    assert [q["status"] for q in svc.question_history()] == ["answered"]
    assert [f.fields["source_id"] for f in svc.records(cid, "flag")] == [note.id]


async def test_a_retracted_note_is_not_asked_about(real_device):
    svc = real_device.services
    client, app, cid, note = await _violation_saved(real_device)
    svc.retract_record(note.id, "Verkeerde cliënt gekozen.")
    svc.lock()
    client, app = await real_device.open()
    await unlock(client, PASSPHRASE)
    assert escalation(client) is None
    assert [q["status"] for q in svc.question_history()] == ["declined"]


async def test_several_open_questions_are_asked_one_after_the_other(real_device):
    svc = real_device.services
    client, app, cid, note = await _violation_saved(real_device)
    svc.lock()
    svc.unlock(PASSPHRASE)  # a second contact with an acute risk, saved by another session that died
    second = svc.create_record("contact", cid, {"contact_type": "TELEFONISCH", "outcome": "PLAATSGEVONDEN",
                                                "report": "Dreigt zichzelf iets aan te doen (fictief).",
                                                "risks": [{"domain": "SUICIDALITEIT", "severity": "ACUUT"}]},
                                 ask=True)
    assert [q["record_id"] for q in svc.pending_questions()] == [note.id, second]
    svc.lock()
    client, app = await real_device.open()
    await unlock(client, PASSPHRASE)
    assert says(client, "Je legde een overtreding vast"), dump(client)
    await tap(client, "Nu niet")
    assert says(client, "Je legde een acuut risico vast"), dump(client)  # the next one
    await tap(client, "Nu niet")
    assert escalation(client) is None
    assert [q["status"] for q in svc.question_history()] == ["declined", "declined"]


async def test_records_written_without_the_form_ask_nothing(real_device):
    """Seeding, imports and the command line write notes with violations too: no question for those."""
    svc = real_device.services
    client, app, cid, note = await _violation_saved(real_device)
    await tap(client, "Nu niet")
    svc.create_record("contact", cid, {"contact_type": "TELEFONISCH", "outcome": "PLAATSGEVONDEN",
                                       "report": "Ingelezen (fictief).",
                                       "risks": [{"domain": "SUICIDALITEIT", "severity": "ACUUT"}]})
    assert svc.pending_questions() == []
