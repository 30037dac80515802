"""Contact vastleggen: defaults, validation per field in Dutch, saving to the timeline, risk signals."""

from __future__ import annotations

import flet as ft
from ui_helpers import (
    PASSPHRASE,
    USER,
    choice_error,
    dump,
    field,
    has_text,
    mark,
    press,
    select,
    semantics,
    sent_since,
    type_into,
    unlock,
)

from field_app.ui import fmt
from field_app.ui.views.client import ClientView
from field_app.ui.views.contact_form import ContactFormView


async def _form_for_new_client(device, name="Eva Evers (fictief)"):
    svc = device.services
    svc.unlock(PASSPHRASE)
    cid = svc.add_client(name, fictional=True)
    svc.lock()
    client, app = await device.open()
    await unlock(client, PASSPHRASE)
    app.open_client(cid)
    await press(client, "Contact vastleggen")
    assert isinstance(app.screen, ContactFormView), dump(client)
    return client, app, cid


async def test_form_has_sensible_defaults_and_labelled_controls(real_device):
    client, app, _ = await _form_for_new_client(real_device)
    outcome = client.find(ft.Dropdown, label="Uitkomst")
    assert outcome.value == "PLAATSGEVONDEN"
    assert client.find(ft.Dropdown, label="Soort contact").value is None  # no earlier contact to copy
    assert field(client, "Datum (dd-mm-jjjj)").value == fmt.date_field(fmt.now_ms())
    assert field(client, "Tijd (uu:mm)").value
    for ident in ("contact-type", "contact-outcome", "save-contact"):
        assert semantics(client, ident), ident
    assert client.page.navigation_bar is None  # the form has the whole height; Opslaan at the bottom
    assert semantics(client, "contact-type")[0].label == "Soort contact"
    assert semantics(client, "contact-outcome")[0].label == "Uitkomst, Heeft plaatsgevonden"


async def test_free_text_fields_keep_the_case_as_typed(real_device):
    """Flet's client applies capitalization to the whole value itself: the report, interpretation,
    agreements and a participant's name must not ask for it ("H. zegt", "o.a.", "Truus de Vries")."""
    client, app, _ = await _form_for_new_client(real_device)
    for label in ("Verslag (feiten)", "Duiding (jouw interpretatie)", "Afspraken en vervolgacties", "Naam"):
        assert field(client, label).capitalization in (None, ft.TextCapitalization.NONE), label


async def test_validation_errors_are_shown_per_field_in_dutch(real_device):
    client, app, cid = await _form_for_new_client(real_device)
    await type_into(client, "Datum (dd-mm-jjjj)", "31-02-2025")
    start = mark(client)
    await press(client, "Opslaan")
    assert isinstance(app.screen, ContactFormView)
    assert choice_error(client, "Soort contact") == "Kies het soort contact."
    assert field(client, "Verslag (feiten)").error.startswith("Schrijf kort op wat er gebeurde")
    assert field(client, "Datum (dd-mm-jjjj)").error == "Vul een geldige datum (dd-mm-jjjj) en tijd (uu:mm) in."
    assert has_text(client, "Nog niet opgeslagen"), dump(client)
    assert semantics(client, "contact-type")[0].label == "Soort contact, Kies het soort contact."
    for message in ("Kies het soort contact.", "Schrijf kort op wat er gebeurde", "Vul een geldige datum"):
        assert sent_since(client, start, message), message
    assert real_device.services.timeline(cid) == []


async def test_save_adds_the_note_to_the_timeline_with_author_and_waiting_state(real_device):
    client, app, cid = await _form_for_new_client(real_device)
    await select(client, "Soort contact", "HUISBEZOEK_AANGEKONDIGD")
    await type_into(client, "Tijd (uu:mm)", "00:00")  # earlier today, whatever the hour the test runs
    await type_into(client, "Verslag (feiten)", "Thuis aangetroffen; afspraken over werk besproken.")
    await press(client, "Risicosignaal toevoegen")
    await select(client, "Domein", "HUISVESTING")
    await select(client, "Ernst", "HOOG")
    await press(client, "Opslaan")

    assert isinstance(app.screen, ClientView), dump(client)
    notes = real_device.services.timeline(cid)
    assert len(notes) == 1 and notes[0].author == USER
    assert fmt.clock(notes[0].occurred_at) == "00:00"
    texts = [t for t in client.texts() if t]
    assert "Huisbezoek (aangekondigd)" in texts
    assert "Heeft plaatsgevonden" in texts
    assert "Thuis aangetroffen; afspraken over werk besproken." in texts
    assert any(t.endswith(f"00:00 · {USER}") for t in texts), texts
    assert "Alleen op dit toestel: wacht op de teamsleutel" in texts  # enrolled offline: no team key yet (#11)
    assert "Huisvesting · Hoog" in texts
    assert "Opgeslagen · wordt verstuurd zodra er verbinding is" in texts
    assert semantics(client, "saved-line")


async def test_risk_rows_can_be_removed_and_bad_risks_are_explained(real_device):
    client, app, cid = await _form_for_new_client(real_device)
    await select(client, "Soort contact", "TELEFONISCH")
    await type_into(client, "Verslag (feiten)", "Gebeld.")
    await press(client, "Risicosignaal toevoegen")
    await select(client, "Ernst", "HOOG")
    await press(client, "Opslaan")  # a risk row with a severity but without a domain
    assert has_text(client, "Kies voor elk risicosignaal een domein."), dump(client)
    assert real_device.services.timeline(cid) == []
    await client.click(client.find(ft.IconButton, tooltip="Risicosignaal verwijderen"))
    await press(client, "Risicosignaal toevoegen")  # added by mistake and left untouched: not a signal
    await press(client, "Opslaan")
    assert isinstance(app.screen, ClientView), dump(client)
    notes = real_device.services.timeline(cid)
    assert len(notes) == 1


async def test_next_form_defaults_to_the_last_contact_type(real_device):
    client, app, cid = await _form_for_new_client(real_device)
    await select(client, "Soort contact", "TELEFONISCH")
    await type_into(client, "Verslag (feiten)", "Gebeld.")
    await press(client, "Opslaan")
    await press(client, "Contact vastleggen")
    assert client.find(ft.Dropdown, label="Soort contact").value == "TELEFONISCH"


async def test_saved_line_says_sent_once_the_server_has_it(fake_device):
    svc = fake_device.services
    client, app = await fake_device.open()
    await unlock(client, PASSPHRASE)
    cid = svc.add_client("Femke Faber (fictief)", fictional=True)
    app.open_client(cid)
    await press(client, "Contact vastleggen")
    await select(client, "Soort contact", "KANTOOR")
    await type_into(client, "Verslag (feiten)", "Meldplicht nagekomen.")
    await press(client, "Opslaan")
    assert has_text(client, "Opgeslagen · wordt verstuurd zodra er verbinding is")
    svc.deliver_all()  # the background sync confirms; the callback arrives via the event loop
    await client.settle()
    assert has_text(client, "Opgeslagen · verzonden"), dump(client)
    assert has_text(client, "Verzonden")
    assert not has_text(client, "Wacht op verzending")


async def test_leaving_a_half_typed_form_keeps_it_as_a_draft(real_device):
    client, app, cid = await _form_for_new_client(real_device)
    await type_into(client, "Verslag (feiten)", "Half getypt verslag")
    await client.click(client.find(ft.IconButton, tooltip="Terug"))
    assert isinstance(app.screen, ClientView)
    assert has_text(client, "Je concept is bewaard."), dump(client)
    await press(client, "Contact vastleggen")
    assert field(client, "Verslag (feiten)").value == "Half getypt verslag"
    assert has_text(client, "Je concept is teruggezet.")
    await press(client, "Concept weggooien")  # asks first: the text is gone for good
    dialog = client.find(ft.AlertDialog)
    assert dialog.open and "Wat je in dit concept hebt getypt, is dan weg." in " ".join(client.texts(dialog))
    await press(client, "Annuleren")
    assert not dialog.open and field(client, "Verslag (feiten)").value == "Half getypt verslag"
    assert real_device.services.load_draft(f"contact:{cid}") is not None
    await press(client, "Concept weggooien")
    dialog = next(d for d in client.find_all(ft.AlertDialog) if d.open)
    await client.click(next(b for b in client.walk(dialog) if isinstance(b, ft.FilledButton)))
    assert field(client, "Verslag (feiten)").value == ""
    assert real_device.services.load_draft(f"contact:{cid}") is None


async def test_adding_a_risk_scrolls_it_into_view_and_errors_clear_when_fixed(real_device):
    client, app, cid = await _form_for_new_client(real_device)
    await press(client, "Risicosignaal toevoegen")
    assert "scroll_to" in client.conn.invoked  # the new row is brought above the Opslaan bar
    assert app.screen.risk_rows[0].control.key == ft.ScrollKey("risk-row-1")  # what scroll_to can find
    await press(client, "Opslaan")
    assert choice_error(client, "Soort contact") == "Kies het soort contact."
    assert has_text(client, "Nog niet opgeslagen")
    await select(client, "Soort contact", "TELEFONISCH")
    assert choice_error(client, "Soort contact") is None
    assert semantics(client, "contact-type")[0].label == "Soort contact, Telefonisch contact"
    await type_into(client, "Verslag (feiten)", "Gebeld.")
    assert field(client, "Verslag (feiten)").error is None
    await select(client, "Domein", "ALCOHOL")
    await select(client, "Ernst", "MIDDEN")
    start = mark(client)
    await press(client, "Opslaan")
    assert sent_since(client, start, "Opgeslagen")
    assert [r.severity for r in real_device.services.timeline(cid)[0].risks] == ["MIDDEN"]


def _invoked_on(client, name: str) -> list[int]:
    """Control ids the app called a client-side method ``name`` on (scroll_to, focus)."""
    from flet.messaging.protocol import MessageAction

    return [m.body.control_id for m in client.conn.messages
            if m.action == MessageAction.INVOKE_METHOD and m.body.name == name]


async def test_a_failed_save_scrolls_to_and_focuses_the_first_invalid_field(real_device):
    client, app, cid = await _form_for_new_client(real_device)
    await select(client, "Soort contact", "TELEFONISCH")
    await select(client, "Uitkomst", "PLAATSGEVONDEN")
    await type_into(client, "Verslag (feiten)", "")  # the first field with a message is the report
    start = len(client.conn.messages)
    await press(client, "Opslaan")
    report = field(client, "Verslag (feiten)")
    assert report.error, dump(client)  # the message is beside the field
    assert report.key  # the form scrolled to it by its key, and put the focus in it
    client.conn.messages[:start] = []
    # the app's key listener takes the focus back after a screen change or a choice (Escape, app._on_key)
    assert [i for i in _invoked_on(client, "focus") if i != app.keys._i] == [report._i]
    assert _invoked_on(client, "scroll_to"), "no scroll to the field"
    assert real_device.services.records(cid, "contact") == []


async def test_date_and_time_pickers_fill_the_fields(real_device):
    from datetime import datetime

    client, app, cid = await _form_for_new_client(real_device)
    await client.click(client.find(ft.IconButton, tooltip="Kies in de kalender: Datum (dd-mm-jjjj)"))
    picker = next(d for d in client.walk() if isinstance(d, ft.DatePicker) and d.open)
    client.session.apply_patch(picker._i, {"value": datetime(2026, 11, 30)})
    await client.event(picker, "change")
    assert field(client, "Datum (dd-mm-jjjj)").value == "30-11-2026", dump(client)
    await client.click(client.find(ft.IconButton, tooltip="Kies op de klok: Tijd (uu:mm)"))
    clock = next(d for d in client.walk() if isinstance(d, ft.TimePicker) and d.open)
    client.session.apply_patch(clock._i, {"value": "09:05"})
    await client.event(clock, "change")
    assert field(client, "Tijd (uu:mm)").value == "09:05"
    # the picked moment counts as a change, like anything typed (kept as a draft when leaving)
    app.screen.save_draft()
    assert real_device.services.load_draft(f"contact:{cid}")["time"] == "09:05"


async def test_a_restored_draft_shows_its_time_and_offers_now(real_device):
    client, app, cid = await _form_for_new_client(real_device)
    await type_into(client, "Tijd (uu:mm)", "07:15")
    await type_into(client, "Verslag (feiten)", "Half getypt verslag")
    await client.click(client.find(ft.IconButton, tooltip="Terug"))
    await press(client, "Contact vastleggen")
    assert field(client, "Tijd (uu:mm)").value == "07:15"
    assert any(t.startswith("Tijd uit het concept: ") and "07:15" in t for t in client.texts()), dump(client)
    await press(client, "Nu")
    now = fmt.now_ms()
    assert field(client, "Tijd (uu:mm)").value in (fmt.time_field(now), fmt.time_field(now - 60_000))
    assert field(client, "Datum (dd-mm-jjjj)").value == fmt.date_field(now)


_FOCUSABLE = (ft.TextField, ft.Dropdown, ft.Checkbox, ft.Button, ft.FilledButton, ft.OutlinedButton, ft.TextButton,
              ft.FilledTonalButton, ft.IconButton)


async def test_tab_reaches_opslaan_last_and_the_pinned_bar_is_no_tab_stop(real_device):
    """Flutter orders Tab by screen position: a focusable Opslaan pinned under the scrolling form came right
    after the last field in view, in the middle of the form. The bar is drawn without a focus node (a
    tappable Container, a button for screen readers); the form ends with "Contact opslaan"."""
    client, app, cid = await _form_for_new_client(real_device)
    bar = semantics(client, "save-contact")[0]
    assert bar.button and bar.label == "Opslaan" and bar.on_tap and bar.exclude_semantics
    assert not [x for x in client.walk(bar) if isinstance(x, _FOCUSABLE)]
    face = bar.content.controls[0]
    assert isinstance(face, ft.Container) and face.on_click and not face.ink  # a GestureDetector, not an InkWell
    focusable = [x for x in client.walk(app.screen.scroller) if isinstance(x, _FOCUSABLE)]
    last = focusable[-1]
    assert isinstance(last, ft.FilledButton) and last.content == "Contact opslaan", [type(x) for x in focusable[-3:]]
    assert [x for x in focusable if isinstance(x, ft.TextField)][-1].label == "Tijd volgende contact"
    await select(client, "Soort contact", "TELEFONISCH")
    await type_into(client, "Verslag (feiten)", "Gebeld; gaat goed.")
    await client.click(last)  # Enter on the button Tab reached
    assert isinstance(app.screen, ClientView), dump(client)
    assert len(real_device.services.records(cid, "contact")) == 1


async def test_every_record_form_ends_with_its_action_and_its_pinned_bar_is_no_tab_stop(real_device):
    """The same Tab order for every form made by forms.base (here the network person's): the fields in
    order, then the form's own Opslaan; the pinned Opslaan bar takes taps and screen readers, not Tab."""
    from field_app.ui.views.forms.base import FormView
    from field_app.ui.views.forms.records import network_person_form

    client, app, cid = await _form_for_new_client(real_device)
    network_person_form(app, cid)
    assert isinstance(app.screen, FormView), dump(client)
    bar = semantics(client, f"{app.screen.identifier}-save")[0]
    assert bar.button and bar.on_tap and not [x for x in client.walk(bar) if isinstance(x, _FOCUSABLE)]
    focusable = [x for x in client.walk() if isinstance(x, _FOCUSABLE)]
    assert isinstance(focusable[-1], ft.FilledButton), [type(x).__name__ for x in focusable[-3:]]
    assert [x for x in focusable[:-1] if isinstance(x, ft.TextField)], "the form's fields come before its action"
    await type_into(client, "Naam", "Moeder M. (fictief)")
    await press(client, "Opslaan")  # the pinned bar, as a thumb taps: the form is checked
    assert has_text(client, "Kies de relatie tot de persoon."), dump(client)
