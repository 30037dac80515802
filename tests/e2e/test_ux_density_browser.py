"""Issue 14 in a real browser at 390x844, at 100 % and 200 % text, light and dark, on a device with the
five demo cases and four more clients: whole client cards on the first screen (4 at 100 %, 1 at 200 %),
the floating "Cliënt toevoegen" never over the last card, every tappable thing on the caseload, the
client screen, the contact form and Signalen at least 48 x 48 dp and named, the filters in one button and
a bottom sheet, the top bar's title beside a sync icon with a name, the client file's first screen showing
its timeline, and no failed request (Tab.check_clean). Screenshots: artifacts/e2e/ux_*.png (the folder is
printed at the start)."""

from __future__ import annotations

import re

import pytest
from e2e_support import (
    ARTIFACTS,
    PASSPHRASE,
    Tab,
    appearance,
    box_of,
    check_targets_and_names,
    overlaps,
    prepared_stack,
    stack_fixture,
)
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e
MORE = ("Cees C.", "Fatima B.", "Gerrit J.", "Ilse T.")
CARDS = ("Cees C.", "Dennis A.", "Erik M.", "Fatima B.", "Gerrit J.", "Henk V.", "Ilse T.", "Rob D.", "Sandra K.")


def _seed(data) -> None:
    from field_app.demo import seed
    from field_app.services import Services

    svc = Services(data, autosync=False)
    try:
        svc.unlock(PASSPHRASE)
        seed(svc)
        for name in MORE:
            svc.intake(name, fictional=True)
    finally:
        svc.close()


stack = stack_fixture("ux", build=lambda work: prepared_stack(work, "ux", lambda s: _seed(s.data)))


@pytest.fixture(scope="module")
def tab(request, phone, stack):
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None:  # where to look at the screenshots
        reporter.write_line(f"\nscreenshots: {ARTIFACTS}/ux_*.png")
    t = Tab(phone, stack.url).open()
    t.unlock()
    expect(row(t, "Dennis A.")).to_be_visible(timeout=30_000)
    yield t
    t.check_clean()  # no page error, no off-host request, no 4xx from the app (fonts included)


def row(tab: Tab, name: str):
    return tab.page.get_by_role("button", name=re.compile(f"^{re.escape(name)},"))


def fab(tab: Tab):
    return tab.page.get_by_role("button", name="Cliënt toevoegen")


def shot(tab: Tab, name: str) -> None:
    """A screenshot with the mouse out of the way (a hovered tab shows its tooltip over the list)."""
    tab.page.mouse.move(2, 2)
    tab.page.wait_for_timeout(300)
    tab.shot(name)


def nav_top(tab: Tab) -> float:
    return tab.page.get_by_role("tab", name="Cliënten").bounding_box()["y"] - 8


def settings(tab: Tab, size: str, mode: str) -> None:
    """Meer → Tekstgrootte and Weergave, then back to Cliënten at the top of the list."""
    appearance(tab, size, mode)
    tab.page.get_by_role("tab", name="Cliënten").click()
    expect(row(tab, "Cees C.")).to_be_attached(timeout=10_000)
    tab.frame()


def whole_cards(tab: Tab) -> list[str]:
    """Client cards wholly on screen: under the top bar, above the bottom bar and clear of the floating
    button."""
    bottom, button = nav_top(tab), box_of(fab(tab))
    names = []
    for name in CARDS:
        box = box_of(row(tab, name))
        if box and box["y"] >= 0 and box["y"] + box["height"] <= bottom and not (button and overlaps(box, button)):
            names.append(name)
    return names


def no_card_on_screen_is_covered(tab: Tab, tag: str) -> None:
    """At the top of the list the floating button may only lie over a card that goes on below the screen
    (the one a worker scrolls to), never over a card that ends on screen."""
    bottom, button = nav_top(tab), box_of(fab(tab))
    assert button, "no floating button"
    covered = []
    for name in CARDS:
        box = box_of(row(tab, name))
        if box and box["y"] + box["height"] <= bottom and overlaps(box, button):
            covered.append(name)
    assert not covered, f"{tag}: the floating button covers {covered}"


def the_last_card_clears_the_floating_button(tab: Tab, tag: str) -> None:
    page = tab.page
    page.mouse.move(195, 400)
    page.mouse.wheel(0, 300)
    page.wait_for_timeout(600)
    button = box_of(fab(tab))
    assert button and button["width"] <= 80, f"{tag}: while scrolling the button is its icon only: {button}"
    for _ in range(15):
        page.mouse.move(195, 400)
        page.mouse.wheel(0, 400)
        page.wait_for_timeout(200)
    tab.steady(row(tab, "Sandra K."))
    last, button = box_of(row(tab, "Sandra K.")), box_of(fab(tab))
    shot(tab, f"ux_caseload_end_{tag}")
    assert last and button, (last, button)
    assert not overlaps(last, button), (last, button)
    assert last["y"] + last["height"] <= nav_top(tab)
    expect(fab(tab)).to_have_count(1)  # shrunk to its icon while scrolled, still named
    for _ in range(15):
        page.mouse.wheel(0, -400)
        page.wait_for_timeout(150)


@pytest.mark.parametrize(("size", "mode", "tag", "need"), [
    ("100 %", "Licht", "100_light", 4),
    ("200 %", "Donker", "200_dark", 1),
    ("100 %", "Donker", "100_dark", 4),
    ("200 %", "Licht", "200_light", 1),
])
def test_main_screens(tab: Tab, size, mode, tag, need):
    page = tab.page
    settings(tab, size, mode)
    # caseload: whole cards, targets, names
    shown = whole_cards(tab)
    shot(tab, f"ux_caseload_{tag}")
    assert len(shown) >= need, f"{tag}: whole cards {shown}"
    no_card_on_screen_is_covered(tab, tag)
    the_title_wins_the_top_bar(tab, "Cliënten")
    check_targets_and_names(tab, f"caseload_{tag}")
    the_last_card_clears_the_floating_button(tab, tag)
    # the filters: one button opening a sheet; the count shows on the button
    page.get_by_role("button", name=re.compile(r"^Filter( \(\d+\))?$")).click()
    signaal = page.get_by_role("checkbox", name="Signaal")
    expect(signaal).to_be_visible(timeout=10_000)
    shot(tab, f"ux_filters_{tag}")
    check_targets_and_names(tab, f"filters_{tag}")
    page.keyboard.press("Escape")
    expect(signaal).to_have_count(0, timeout=10_000)
    # Signalen
    page.get_by_role("tab", name=re.compile("^Signalen")).click()
    page.wait_for_timeout(800)
    shot(tab, f"ux_flags_{tag}")
    check_targets_and_names(tab, f"flags_{tag}")
    # the client screen and the contact form
    page.get_by_role("tab", name="Cliënten").click()
    row(tab, "Dennis A.").click()
    expect(page.get_by_role("heading", name="Dennis A.").first).to_be_visible(timeout=10_000)
    tab.frame()
    shot(tab, f"ux_client_{tag}")
    the_client_file_shows_its_timeline_at_once(tab, tag)
    check_targets_and_names(tab, f"client_{tag}")
    if tag == "100_light":
        timeline_actions_are_behind_a_menu(tab)
    page.get_by_role("button", name="Contact vastleggen").first.click()
    expect(page.get_by_role("button", name="Opslaan").first).to_be_attached(timeout=10_000)
    page.wait_for_timeout(500)
    shot(tab, f"ux_contact_{tag}")
    check_targets_and_names(tab, f"contact_{tag}")
    page.get_by_role("button", name="Terug").first.click()
    page.wait_for_timeout(500)
    if page.get_by_role("button", name="Terug").count():
        page.get_by_role("button", name="Terug").first.click()
    page.get_by_role("tab", name="Cliënten").click()
    expect(row(tab, "Cees C.")).to_be_attached(timeout=10_000)


def timeline_actions_are_behind_a_menu(tab: Tab) -> None:
    """A note shows no action buttons; its ⋮ offers them, and Intrekken asks to confirm with a reason."""
    page = tab.page
    expect(page.get_by_role("button", name="Intrekken", exact=True)).to_have_count(0)
    menu = page.get_by_role("button", name=re.compile("^Acties voor ")).first
    tab.reveal(menu, top=80)
    menu.click()
    expect(page.get_by_role("button", name="Aanvulling toevoegen")).to_be_visible(timeout=10_000)
    tab.shot("ux_note_menu")
    page.get_by_role("button", name="Intrekken", exact=True).click()
    expect(page.get_by_role("textbox", name=re.compile("^Reden van intrekken"))).to_be_visible(timeout=10_000)
    tab.shot("ux_note_retract_confirm")
    page.get_by_role("button", name="Annuleren").click()
    expect(page.get_by_role("textbox", name=re.compile("^Reden van intrekken"))).to_have_count(0, timeout=10_000)


def the_title_wins_the_top_bar(tab: Tab, title: str) -> None:
    """Issue 9: the sync chip's words cut the title short at 390 px. The title now has the bar; the sync
    state is a 48 x 48 icon beside it whose accessible name says the whole state."""
    heading = tab.page.get_by_role("heading", name=title).first
    icon = tab.by_id("sync-chip")
    expect(icon).to_have_accessible_name(re.compile(r"^Synchronisatie: \S"))
    h, i = heading.bounding_box(), icon.bounding_box()
    assert h and i and not overlaps(h, i), (h, i)
    assert i["width"] >= 47.5 and i["height"] >= 47.5, i
    assert abs((i["y"] + i["height"] / 2) - (h["y"] + h["height"] / 2)) < 24, "one row: title and icon"


def the_client_file_shows_its_timeline_at_once(tab: Tab, tag: str) -> None:
    """Issue 14: header and seven chips filled the client file's first screen. Now the row of sections
    sits under the top bar and the first note of the timeline starts on the first screen."""
    page = tab.page
    expect(tab.by_id("section-timeline")).to_be_visible()
    note = page.locator('[flt-semantics-identifier^="note-"]').first
    expect(note).to_be_attached(timeout=10_000)
    box, record = note.bounding_box(), tab.by_id("record-contact").bounding_box()
    assert box and record and box["y"] + 48 <= record["y"], f"{tag}: the first note starts at {box}, under {record}"
    row = tab.by_id("client-sections").bounding_box()
    assert row and row["height"] <= 100 * (2 if tag.startswith("200") else 1), f"{tag}: sections in one row: {row}"
