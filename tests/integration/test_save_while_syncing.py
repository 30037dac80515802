"""Saving is local and never waits for a sync round (issue #14, "save at once").

The device's one SQLite connection is shared by the UI and the sync thread under one lock. A pull page of
hundreds of envelopes used to be applied in one transaction, so a worker's save waited until the whole page
was checked, opened and stored (5.5 s for "Opgeslagen" on a busy device). A page is now applied in slices:
a save made while a large page is being applied goes in between two slices, long before the page ends."""

from __future__ import annotations

import threading

from field_app.sync.pull import APPLY_CHUNK

NOTES = APPLY_CHUNK * 3




def test_a_save_gets_in_while_a_large_page_is_still_being_applied(t):
    client_id = t.sup.add_client("Grote pagina (fictief)", fictional=True)
    t.sup.assign(client_id, t.work.user_name)
    with t.sup.deferred_rules():
        for i in range(NOTES):
            t.sup.record_contact(client_id, contact_type="TELEFONISCH", outcome="PLAATSGEVONDEN",
                                 report=f"Routinebelletje {i} (fictief)")
    t.sup.sync_once()

    worker = t.work
    first_slice, saved = threading.Event(), threading.Event()
    real_apply = worker.device.apply_remote

    def apply_remote(applied):
        real_apply(applied)
        if applied and not first_slice.is_set():  # the sync thread, between two store transactions
            first_slice.set()
            assert saved.wait(60), "the save never got in while the page was applied"

    worker.device.apply_remote = apply_remote
    errors: list[BaseException] = []

    def run() -> None:
        try:
            worker.sync_once()
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    sync = threading.Thread(target=run)
    sync.start()
    try:
        assert first_slice.wait(60), "nothing was applied"
        applied_before = len(worker.timeline(client_id))
        note_id = worker.record_contact(client_id, contact_type="HUISBEZOEK_AANGEKONDIGD",
                                        outcome="PLAATSGEVONDEN", report="Eigen notitie (fictief)")
    finally:
        saved.set()
        sync.join(120)
    assert not errors, errors
    assert applied_before < NOTES  # the save went in while most of the page was still to come
    notes = worker.timeline(client_id)
    assert len(notes) == NOTES + 1 and any(n.id == note_id for n in notes)
    worker.sync_once()
    t.sup.sync_once()
    assert any(n.id == note_id for n in t.sup.timeline(client_id))
