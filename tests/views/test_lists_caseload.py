"""Cliënten on the real device with the five demo cases: badges, filters (combined), sort, search,
intake ("Nieuwe cliënt"), assignment ("Toewijzen aan…") and handing the caseload over (vakantie)."""

from __future__ import annotations

from datetime import timedelta

import flet as ft
from ui_helpers import (
    PASSPHRASE,
    USER,
    dump,
    field,
    has_text,
    open_client,
    press,
    semantics,
    type_into,
    unlock,
)

from field_app.demo import seed
from field_app.domain.records_person import same_person
from field_app.ui import fmt
from field_app.ui.views.caseload import AssignDialog, CaseloadView
from field_app.ui.views.client import ClientView
from field_app.ui.views.more import MoreView

DEMO = ["Dennis A.", "Erik M.", "Henk V.", "Rob D.", "Sandra K."]


async def _demo(device):
    svc = device.services
    svc.unlock(PASSPHRASE)
    seed(svc)
    svc.lock()
    client, app = await device.open()
    await unlock(client, PASSPHRASE)
    assert isinstance(app.screen, CaseloadView)
    return client, app


def test_the_demo_worker_covers_her_colleagues_cases_never_her_own(real_device):
    svc = real_device.services
    svc.unlock(PASSPHRASE)
    seed(svc)
    items = {i.display_name: i for i in svc.caseload_items()}
    # Henk V. is Lotte de Boer's own case (DOMAIN.md §10): hers, under her own name, without a cover
    assert (items["Henk V."].assigned_to, items["Henk V."].cover_by) == (USER, "")
    for name in ("Dennis A.", "Erik M.", "Rob D.", "Sandra K."):
        assert items[name].cover_by == USER and items[name].assigned_to not in ("", USER), name
    assert all(not same_person(i.cover_by, i.assigned_to) for i in items.values())


def names_in_order(client) -> list[str]:
    texts = [t for t in client.texts() if t]
    return [t for t in texts if t in DEMO or t.startswith(("Cees", "Wim"))]


async def open_filters(client) -> None:
    """The filters live in a bottom sheet behind the one filter button."""
    if not semantics(client, "filter-flagged") or not any(
            isinstance(d, ft.BottomSheet) for d in client.walk() if getattr(d, "open", False)):
        await client.click(semantics(client, "caseload-filters")[0].content)


async def toggle(client, key: str) -> None:
    await open_filters(client)
    node = semantics(client, f"filter-{key}")[0]
    chip = node.content
    client.session.apply_patch(chip._i, {"selected": not chip.selected})
    await client.event(chip, "select", str(not chip.selected).lower())


async def choose(client, identifier: str, key: str) -> None:
    await open_filters(client)
    dd = semantics(client, identifier)[0].content.controls[0]
    assert key in [o.key for o in dd.options], [o.key for o in dd.options]
    client.session.apply_patch(dd._i, {"value": key})
    await client.event(dd, "select", key)


async def test_rows_show_name_badges_and_last_contact_only(real_device):
    client, _ = await _demo(real_device)
    texts = [t for t in client.texts() if t]
    assert names_in_order(client) == DEMO
    assert "5 cliënten" in texts
    assert texts.count("FICTIEF") == 5
    assert any(t.startswith("Contact te laat (") for t in texts), dump(client)
    assert "Alleen duobezoek" in texts  # Henk V.: safety warning, as a word with an icon
    assert "Risico: Acuut" in texts and "Risico: Hoog" in texts and "Risico: Midden" in texts
    assert "2 signalen" in texts and "1 signaal" in texts
    assert any(t.startswith("Laatste contact: ") for t in texts)
    # details live on the client screen, not on the card
    assert not any(t.startswith(("Casemanager:", "Waarneming:")) or " · Uitvoering" in t for t in texts)
    # colour is never the only signal: every badge has an icon and says its word to a screen reader
    badge = next(s for s in client.find_all(ft.Semantics) if s.label == "Alleen duobezoek")
    assert any(isinstance(c, ft.Icon) for c in client.walk(badge))
    row = next(s for s in client.find_all(ft.Semantics) if s.button and (s.label or "").startswith("Henk V."))
    assert "Contact te laat (" in row.label and "2 signalen" in row.label  # the late bus is still being handled
    # every row has its own menu, named after the client
    assert client.find(ft.IconButton, tooltip="Acties voor Henk V.")
    # "Cliënt toevoegen" floats, and the list ends with room for it
    assert isinstance(client.session.page.floating_action_button, ft.FloatingActionButton)


async def test_filter_button_counts_active_filters(real_device):
    client, _ = await _demo(real_device)
    button = semantics(client, "caseload-filters")[0]
    assert button.content.content == "Filter" and button.label == "Filters en volgorde, 0 filters aan"
    assert not semantics(client, "filter-flagged")  # the chips are in the sheet, not on the screen
    await toggle(client, "flagged")
    await choose(client, "filter-phase", "UITVOERING_MONITORING")
    assert button.content.content == "Filter (2)" and button.label == "Filters en volgorde, 2 filters aan"
    await press(client, "Klaar")
    await press(client, "Filter (2)")
    await press(client, "Filters wissen")
    assert button.content.content == "Filter"


async def test_filters_combine_and_can_be_cleared(real_device):
    client, _ = await _demo(real_device)
    await toggle(client, "flagged")
    assert names_in_order(client) == ["Dennis A.", "Henk V.", "Rob D."], dump(client)
    assert has_text(client, "3 cliënten")
    assert semantics(client, "filter-flagged")[0].content.selected
    await toggle(client, "overdue")  # and contact overdue
    assert names_in_order(client) == ["Dennis A.", "Henk V."]
    await toggle(client, "transition")  # Henk's transport to the clinic is still on its way
    assert names_in_order(client) == ["Henk V."]
    await press(client, "Filters wissen")
    assert names_in_order(client) == DEMO
    assert not semantics(client, "filter-flagged")[0].content.selected
    # Fase: only the phases present are offered
    phases = [o.key for o in semantics(client, "filter-phase")[0].content.controls[0].options]
    assert phases == ["ALLE", "PVA_VASTGESTELD", "UITVOERING_MONITORING"]
    await choose(client, "filter-phase", "PVA_VASTGESTELD")
    assert names_in_order(client) == ["Rob D."]
    assert semantics(client, "filter-phase")[0].label == "Fase, Plan van aanpak vastgesteld"
    await choose(client, "filter-phase", "UITVOERING_MONITORING")
    await toggle(client, "overdue")
    assert names_in_order(client) == ["Dennis A.", "Henk V.", "Sandra K."]


async def test_sort_by_risk_days_and_flags(real_device):
    client, _ = await _demo(real_device)
    await choose(client, "caseload-sort", "risk")
    assert names_in_order(client) == ["Erik M.", "Henk V.", "Rob D.", "Dennis A.", "Sandra K."]  # acuut, hoog (2), midden, none
    await choose(client, "caseload-sort", "days")
    assert names_in_order(client) == ["Henk V.", "Sandra K.", "Dennis A.", "Rob D.", "Erik M."]
    await choose(client, "caseload-sort", "flags")
    assert names_in_order(client) == ["Henk V.", "Rob D.", "Dennis A.", "Erik M.", "Sandra K."]
    await toggle(client, "flagged")  # sorting and filtering together
    assert names_in_order(client) == ["Henk V.", "Rob D.", "Dennis A."]
    await choose(client, "caseload-sort", "name")
    assert names_in_order(client) == ["Dennis A.", "Henk V.", "Rob D."]


async def test_search_works_with_filters(real_device):
    client, _ = await _demo(real_device)
    await type_into(client, "Zoek op naam", "e")
    assert names_in_order(client) == ["Dennis A.", "Erik M.", "Henk V."]
    await toggle(client, "overdue")
    assert names_in_order(client) == ["Dennis A.", "Henk V."]
    await type_into(client, "Zoek op naam", "xyz")
    assert has_text(client, "Geen cliënt past bij deze filters")
    await toggle(client, "overdue")
    assert has_text(client, "Geen cliënt gevonden met 'xyz'")


async def test_intake_new_client_with_birth_date_housing_safety_and_worker(real_device):
    client, app = await _demo(real_device)
    await press(client, "Cliënt toevoegen")
    assert has_text(client, "Nieuwe cliënt")
    assert field(client, "Casemanager").value == USER  # me by default
    await type_into(client, "Naam", "Cees Claassen (fictief)")
    await type_into(client, "Geboortedatum (dd-mm-jjjj)", "31-02-1990")
    await press(client, "Toevoegen")
    assert field(client, "Geboortedatum (dd-mm-jjjj)").error == "Vul een geldige datum in, bijvoorbeeld 14-03-1988."
    await type_into(client, "Geboortedatum (dd-mm-jjjj)", "14-03-1988")
    await choose(client, "intake-housing", "DAKLOOS")
    await choose(client, "intake-safety", "DUO_BEZOEK")
    await type_into(client, "Casemanager", "Kevin Mulder")
    client.find(ft.Checkbox).value = True
    await press(client, "Toevoegen")
    # someone else's client now: opening the file asks for a reason (break the glass), as for any other
    assert has_text(client, "Dossier buiten je caseload"), dump(client)
    svc = real_device.services
    item = next(i for i in svc.caseload_items() if i.display_name == "Cees Claassen (fictief)")
    assert item.safety_warning == "DUO_BEZOEK" and item.assigned_to == "Kevin Mulder" and item.fictional
    fields = svc.record(item.id).fields
    assert fields["birth_date"] == "1988-03-14" and fields["housing_type"] == "DAKLOOS"


async def test_intake_for_myself_opens_the_new_file(real_device):
    client, app = await _demo(real_device)
    await press(client, "Cliënt toevoegen")
    await type_into(client, "Naam", "Wim Wouters (fictief)")
    await press(client, "Toevoegen")
    assert isinstance(app.screen, ClientView), dump(client)
    item = next(i for i in real_device.services.caseload_items() if i.display_name == "Wim Wouters (fictief)")
    assert item.assigned_to == USER and item.safety_warning == "GEEN"


async def test_intake_needs_a_name(real_device):
    client, app = await _demo(real_device)
    await press(client, "Cliënt toevoegen")
    await press(client, "Toevoegen")
    assert field(client, "Naam").error == "Vul een naam in."
    assert isinstance(app.screen, CaseloadView)


async def test_a_field_worker_is_not_offered_assignment_or_cover(real_device):
    """Moving a client into one's own caseload would skip the reason asked for someone else's file."""
    client, app = await _demo(real_device)
    await client.click(client.find(ft.IconButton, tooltip="Acties voor Sandra K."))
    assert not [b for b in client.walk() if getattr(b, "content", None) == "Toewijzen aan…"]
    assert has_text(client, "Toewijzen aan een collega doet je werkbegeleider of regisseur."), dump(client)
    await press(client, "Annuleren")
    await client.select_nav(app.page.navigation_bar, app.tabs.index("more"))
    assert not semantics(client, "handover")
    assert has_text(client, "Vervanging tijdens vakantie of ziekte regelt je werkbegeleider of regisseur.")


async def test_assign_from_the_row_menu(supervisor_device):
    real_device = supervisor_device
    client, app = await _demo(real_device)
    await client.click(client.find(ft.IconButton, tooltip="Acties voor Sandra K."))
    await press(client, "Toewijzen aan…")
    assert has_text(client, "Wie wordt casemanager van Sandra K.?"), dump(client)
    assert field(client, "Naam medewerker").value == "Jeroen Smit"
    await type_into(client, "Naam medewerker", "")
    await press(client, "Toewijzen")
    assert field(client, "Naam medewerker").error == "Vul de naam van een medewerker in."
    await press(client, "Kevin Mulder")  # a quick pick from the colleagues this device knows
    await press(client, "Toewijzen")
    sandra = next(i for i in real_device.services.caseload_items() if i.display_name == "Sandra K.")
    assert sandra.assigned_to == "Kevin Mulder"
    assert has_text(client, "Sandra K. is toegewezen aan Kevin Mulder.")
    assert isinstance(app.screen, CaseloadView)
    assert AssignDialog  # also offered to the client header


async def test_handover_for_holiday_shows_cover_on_the_rows(supervisor_device):
    real_device = supervisor_device
    client, app = await _demo(real_device)
    svc = real_device.services
    for name in ("Cees C.", "Wim W."):
        svc.intake(name, fictional=True)  # assigned to me
    await client.select_nav(app.page.navigation_bar, app.tabs.index("more"))
    assert isinstance(app.screen, MoreView)
    await press(client, "Overdragen (vakantie)")
    assert field(client, "Van (casemanager)").value == USER
    await press(client, "Overdragen")
    assert field(client, "Naar (waarnemer)").error == "Vul in wie waarneemt."
    assert field(client, "Tot en met (dd-mm-jjjj)").error == "Vul een geldige datum in, bijvoorbeeld 14-03-1988."
    today = fmt.local(fmt.now_ms()).date()
    await press(client, "Sanne Kok")
    await type_into(client, "Tot en met (dd-mm-jjjj)", (today - timedelta(days=1)).strftime("%d-%m-%Y"))
    await press(client, "Overdragen")
    assert field(client, "Tot en met (dd-mm-jjjj)").error == "Kies vandaag of een datum in de toekomst."
    until = (today + timedelta(days=14)).strftime("%d-%m-%Y")
    await type_into(client, "Tot en met (dd-mm-jjjj)", until)
    await press(client, "Overdragen")
    # mine: the two new ones and the demo's Henk V. (my own case; the others are covered by me)
    assert has_text(client, f"3 cliënten overgedragen aan Sanne Kok tot en met {until}."), dump(client)
    covered = {i.display_name for i in svc.caseload_items() if i.cover_by == "Sanne Kok"}
    assert covered == {"Cees C.", "Wim W.", "Henk V."}
    await client.select_nav(app.page.navigation_bar, 0)
    await open_client(client, "Cees C.")  # the cover is a detail of the client screen
    assert has_text(client, f"Waarneming: Sanne Kok tot {until}"), dump(client)


async def test_handover_of_someone_without_clients_says_nothing_moved(supervisor_device):
    client, app = await _demo(supervisor_device)
    await client.select_nav(app.page.navigation_bar, app.tabs.index("more"))
    await press(client, "Overdragen (vakantie)")
    await type_into(client, "Van (casemanager)", "Niemand Bekend")
    await type_into(client, "Naar (waarnemer)", "Sanne Kok")
    await type_into(client, "Tot en met (dd-mm-jjjj)", "31-12-2099")
    await press(client, "Overdragen")
    assert "geen actieve cliënten" in field(client, "Van (casemanager)").error


async def test_dark_mode_and_text_size_keep_the_caseload(real_device):
    client, app = await _demo(real_device)
    await client.select_nav(app.page.navigation_bar, app.tabs.index("more"))
    mode = semantics(client, "theme-mode")[0].content.controls[0]
    client.session.apply_patch(mode._i, {"selected": ["dark"]})
    await client.event(mode, "change", '["dark"]')
    assert app.page.theme_mode == ft.ThemeMode.DARK and real_device.prefs.theme_mode == "dark"
    size = semantics(client, "text-size")[0].content
    client.session.apply_patch(size._i, {"selected": ["200"]})
    await client.event(size, "change", '["200"]')
    assert app.page.theme_mode == ft.ThemeMode.DARK  # the text size keeps the mode
    assert app.page.dark_theme.text_theme.body_large.size == 32
    await client.select_nav(app.page.navigation_bar, 0)
    assert names_in_order(client) == DEMO
    assert app.scale == 2.0


async def test_an_empty_filtered_list_offers_its_way_out_on_the_screen(real_device):
    """Found in the browser: "no client matches these filters" pointed to "Filters wissen", which was only
    inside the filter sheet. The empty state has the button itself; a search with no match offers to
    clear the search, and the search field has a clear button while it holds text."""
    client, _ = await _demo(real_device)
    await toggle(client, "transition")
    await choose(client, "filter-phase", "PVA_VASTGESTELD")
    await press(client, "Klaar")
    assert semantics(client, "caseload-empty") and names_in_order(client) == [], dump(client)

    async def way_out(word: str) -> None:
        button = next(b for b in client.walk(semantics(client, "caseload-empty-action")[0])
                      if isinstance(b, ft.OutlinedButton))
        assert button.content == word
        await client.click(button)

    await way_out("Filters wissen")
    assert names_in_order(client) == DEMO
    search = field(client, "Zoek op naam")
    assert search.suffix is None
    await type_into(client, "Zoek op naam", "xyz")
    assert search.suffix is not None and semantics(client, "caseload-empty")
    await way_out("Zoekterm wissen")
    assert names_in_order(client) == DEMO and not search.value and search.suffix is None
    await type_into(client, "Zoek op naam", "Henk")
    assert names_in_order(client) == ["Henk V."]
    await client.click(next(c for c in client.walk(search.suffix) if isinstance(c, ft.IconButton)))
    assert names_in_order(client) == DEMO


async def test_filters_sort_and_search_survive_switching_the_language(real_device):
    """Found in the browser: switching the language (Meer) rebuilt the caseload with every filter off. The
    filters live in the session's app state, so the rebuilt list (and its sheet) keeps them."""
    client, app = await _demo(real_device)
    await type_into(client, "Zoek op naam", "e")
    await toggle(client, "flagged")
    await choose(client, "filter-phase", "UITVOERING_MONITORING")
    await choose(client, "caseload-sort", "risk")
    await press(client, "Klaar")
    before = names_in_order(client)
    assert before == ["Henk V.", "Dennis A."], dump(client)
    app.open_tab(app.tabs.index("more"))
    app.set_language("en")
    app.open_tab(0)
    assert isinstance(app.screen, CaseloadView)
    assert names_in_order(client) == before, dump(client)
    assert field(client, "Search by name").value == "e"
    assert semantics(client, "caseload-filters")[0].content.content == "Filter (2)"
    await open_filters(client)
    assert semantics(client, "filter-flagged")[0].content.selected
    assert semantics(client, "filter-phase")[0].content.controls[0].value == "UITVOERING_MONITORING"
    assert semantics(client, "caseload-sort")[0].content.controls[0].value == "risk"
    app.set_language("nl")  # rebuilt in place, on the list itself
    assert names_in_order(client) == before, dump(client)
    assert semantics(client, "caseload-filters")[0].content.content == "Filter (2)"
    app.lock("test")  # after a lock the list starts whole again
    await unlock(client, PASSPHRASE)
    assert names_in_order(client) == DEMO, dump(client)
