"""Agenda (today / this week, grouped per Amsterdam day) and Signalen (mine first, by deadline) on the
real device."""

from __future__ import annotations

import re
from datetime import date, timedelta

import flet as ft
from ui_helpers import PASSPHRASE, dump, has_text, semantics, unlock

from field_app.demo import seed
from field_app.ui import fmt, theme
from field_app.ui.views.agenda import AgendaView, day_start_ms
from field_app.ui.views.client import ClientView
from field_app.ui.views.flags import FlagsView, countdown, flag_groups, flag_look


async def _open(device, tab: int):
    client, app = await device.open()
    await unlock(client, PASSPHRASE)
    await client.select_nav(app.page.navigation_bar, tab)
    return client, app


def _plan(svc, name: str, at: int) -> str:
    """A client of mine with a next contact planned at ``at``."""
    cid = svc.intake(name, fictional=True)
    svc.create_record("contact", cid, {"contact_type": "TELEFONISCH", "outcome": "PLAATSGEVONDEN",
                                       "occurred_at": fmt.now_ms() - 3_600_000, "report": "Gebeld.",
                                       "next_contact_at": at})
    return cid


async def test_agenda_is_empty_and_says_what_will_show(real_device):
    client, app = await _open(real_device, 1)
    assert isinstance(app.screen, AgendaView)
    assert has_text(client, "Vandaag staat er niets in je agenda"), dump(client)
    assert semantics(client, "agenda-empty")
    switch = semantics(client, "agenda-range")[0].content.controls[0]
    client.session.apply_patch(switch._i, {"selected": ["week"]})
    await client.event(switch, "change", '["week"]')
    assert has_text(client, "De komende 7 dagen staat er niets in je agenda")


async def test_agenda_week_groups_items_per_day_with_kind_and_client(real_device):
    svc = real_device.services
    svc.unlock(PASSPHRASE)
    seed(svc)
    today = fmt.local(fmt.now_ms()).date()
    tomorrow_10 = day_start_ms(today + timedelta(days=1)) + 10 * 3_600_000
    later = today + timedelta(days=3)
    later_9 = day_start_ms(later) + 9 * 3_600_000
    _plan(svc, "Cees C.", tomorrow_10)
    _plan(svc, "Wim W.", later_9)
    svc.lock()
    client, app = await _open(real_device, 1)
    today_items = svc.agenda(day_start_ms(today), day_start_ms(today + timedelta(days=1)))
    if today_items:
        assert has_text(client, f"{len(today_items)} afspra"), dump(client)
    assert not has_text(client, "Cees C.")  # tomorrow is not today
    switch = semantics(client, "agenda-range")[0].content.controls[0]
    client.session.apply_patch(switch._i, {"selected": ["week"]})
    await client.event(switch, "change", '["week"]')
    texts = [t for t in client.texts() if t]
    weekdays = ["maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag"]
    months = ["januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september",
              "oktober", "november", "december"]
    later_heading = f"{weekdays[later.weekday()]} {later.day} {months[later.month - 1]}"
    assert "Morgen" in texts and later_heading in texts, dump(client)
    assert texts.index("Morgen") < texts.index("Cees C.") < texts.index(later_heading) < texts.index("Wim W.")
    assert "10:00" in texts and "09:00" in texts and "Gepland contact" in texts
    # headings come in day order and each item sits under its own Amsterdam day
    headings = [t for t in texts if t in ("Vandaag", "Morgen") or any(t.startswith(w + " ") for w in weekdays)]
    assert headings == sorted(set(headings), key=headings.index)
    week = svc.agenda(day_start_ms(today), day_start_ms(today + timedelta(days=7)))
    assert has_text(client, f"{len(week)} afspraken")
    # an item is one button that says time, what and who; tapping it opens the client
    row = next(s for s in client.find_all(ft.Semantics) if s.button and "Cees C." in (s.label or ""))
    assert row.label.startswith("10:00, Gepland contact, Cees C.")
    card = next(c for c in client.walk(row) if isinstance(c, ft.Container) and c.on_click)
    await client.click(card)
    assert isinstance(app.screen, ClientView), dump(client)


async def test_agenda_in_english_uses_english_labels(real_device):
    svc = real_device.services
    svc.unlock(PASSPHRASE)
    today = fmt.local(fmt.now_ms()).date()
    _plan(svc, "Cees C.", day_start_ms(today + timedelta(days=2)) + 14 * 3_600_000)
    svc.lock()
    client, app = await _open(real_device, 1)
    app.set_language("en")
    switch = semantics(client, "agenda-range")[0].content.controls[0]
    client.session.apply_patch(switch._i, {"selected": ["week"]})
    await client.event(switch, "change", '["week"]')
    assert has_text(client, "Planned contact") and has_text(client, "14:00"), dump(client)
    assert not has_text(client, "Gepland contact")


async def test_signalen_mine_first_then_by_deadline_with_urgency_and_countdown(real_device):
    svc = real_device.services
    svc.unlock(PASSPHRASE)
    seed(svc)
    cid = svc.intake("Cees C.", fictional=True)
    mine = svc.create_record("flag", cid, {"reason": "ACUUT_GEVAAR", "urgency": "DIRECT", "route": "POLITIE_112",
                                           "assignee": svc.user_name, "note": "Dreigde met een mes."})
    expected = [i.record.id for _, group in flag_groups(svc.flag_queue()) for i in group]
    overdue = len([i for i in svc.flag_queue() if i.overdue])
    svc.lock()
    client, app = await _open(real_device, 2)
    assert isinstance(app.screen, FlagsView)
    assert expected.index(mine) == 0 and overdue  # mine first, before the others' overdue flags
    shown = [c.key.removeprefix("flag-") for c in client.find_all(ft.Card) if str(c.key).startswith("flag-")]
    assert shown == expected, dump(client)
    texts = [t for t in client.texts() if t]
    # mine first; the others after, the overdue ones keep their "Te laat" badge
    assert (texts.index("Aan mij toegewezen") < texts.index("Acuut gevaar") < texts.index("Overige signalen")
            < texts.index("Te laat")), dump(client)
    assert has_text(client, f"{len(expected)} open signalen")
    assert "Direct (binnen 1 uur)" in texts
    assert any(re.fullmatch(r"Nog (\d+ min|1 uur)", t) for t in texts), dump(client)
    assert any(t.endswith("dagen te laat") for t in texts)  # the demo flags are long overdue
    badge = next(s for s in client.find_all(ft.Semantics) if s.label == "Direct (binnen 1 uur)")
    box = badge.content
    assert box.bgcolor == theme.DANGER.bg and any(isinstance(c, ft.Icon) for c in client.walk(badge))
    # tap → the client
    row = next(s for s in client.find_all(ft.Semantics) if s.button and (s.label or "").startswith("Acuut gevaar"))
    card = next(c for c in client.walk(row) if isinstance(c, ft.Container) and c.on_click)
    await client.click(card)
    assert isinstance(app.screen, ClientView) and app.screen.client_id == cid


def test_flag_queue_mine_first_then_the_others_each_by_deadline_overdue_ones_marked(real_device):
    svc = real_device.services
    svc.unlock(PASSPHRASE)
    cid = svc.intake("Cees C.", fictional=True)

    def flag(urgency: str, assignee: str | None) -> str:
        fields = {"reason": "ANDERS", "urgency": urgency, "route": "TEAMLEIDER"}
        return svc.create_record("flag", cid, {**fields, "assignee": assignee} if assignee else fields)

    mine_week = flag("BINNEN_5_WERKDAGEN", svc.user_name)
    other_24u = flag("BINNEN_24U", None)
    other_direct = flag("DIRECT", "Sanne Kok (fictief)")
    mine_direct = flag("DIRECT", svc.user_name)
    later = fmt.now_ms() + 2 * 3_600_000  # both DIRECT flags are overdue by then
    queue = svc.flag_queue(later)
    assert [i.record.id for i in queue] == [mine_direct, mine_week, other_direct, other_24u]
    assert [i.overdue for i in queue] == [True, False, True, False]
    assert [(key, [i.record.id for i in g]) for key, g in flag_groups(queue)] == [
        ("lists.flags.mine", [mine_direct, mine_week]), ("lists.flags.others", [other_direct, other_24u])]


async def test_signalen_empty_state(real_device):
    client, _ = await _open(real_device, 2)
    assert has_text(client, "Geen open signalen"), dump(client)
    assert semantics(client, "flags-empty")


def test_flag_look_and_countdown():
    from field_app.ui.i18n import I18n

    nl, now, hour = I18n("nl"), 1_800_000_000_000, 3_600_000
    assert flag_look("BINNEN_5_WERKDAGEN", now - 1, now)[1] is theme.DANGER  # overdue
    assert flag_look("DIRECT", now + hour, now)[1] is theme.DANGER
    assert flag_look("BINNEN_24U", now + 5 * hour, now)[1] is theme.WARNING  # due soon
    assert flag_look("VOLGEND_OVERLEG", now + 100 * hour, now)[1] is theme.NEUTRAL
    assert countdown(nl, now + 30 * 60_000, now) == "Nog 30 min"
    assert countdown(nl, now + 5 * hour, now) == "Nog 5 uur"
    assert countdown(nl, now + 80 * hour, now) == "Nog 3 dagen"
    assert countdown(nl, now - hour, now) == "1 uur te laat"
    assert countdown(nl, now - 50 * hour, now) == "2 dagen te laat"


async def test_a_flag_due_tomorrow_says_tomorrow_from_the_dates(real_device):
    """Deadline words come from the dates and the clock: a flag due tomorrow says "morgen" and counts down;
    the urgency's own word (e.g. "Vandaag nog", set when the flag was made) no longer speaks for the time."""
    svc = real_device.services
    svc.unlock(PASSPHRASE)
    cid = svc.intake("Cees C.", fictional=True)
    svc.create_record("flag", cid, {"reason": "ANDERS", "urgency": "BINNEN_24U", "route": "GGZ_CRISISDIENST",
                                    "note": "Terugbellen."})
    deadline = svc.open_flags()[0].fields["deadline"]
    svc.lock()
    client, app = await _open(real_device, 2)
    texts = [t for t in client.texts() if t]
    assert "Binnen 24 uur" not in texts and "Vandaag nog" not in texts, dump(client)
    assert f"Deadline: morgen {fmt.clock(deadline)}" in texts, dump(client)
    assert any(re.fullmatch(r"Nog \d+ uur", t) for t in texts), dump(client)


def test_day_words_follow_the_calendar():
    from field_app.ui.i18n import I18n

    nl = I18n("nl")
    now = fmt.to_ms(date(2026, 12, 4), 23, 30)
    assert fmt.day_text(nl, fmt.to_ms(date(2026, 12, 5), 0, 30), now) == "morgen"  # one hour away, tomorrow
    assert fmt.day_text(nl, fmt.to_ms(date(2026, 12, 4), 0, 30), now) == "vandaag"
    assert fmt.day_text(nl, fmt.to_ms(date(2026, 12, 3), 23, 59), now) == "gisteren"
    assert fmt.day_text(nl, fmt.to_ms(date(2026, 12, 6), 9, 0), now) == "06-12-2026"


async def test_an_overdue_action_says_its_date_in_words_not_iso(real_device):
    """Found in the browser: the agenda showed "Over tijd (2026-12-04): ..."; the date is in the app's words,
    as the day headings are (with the year when it is another year's)."""
    svc = real_device.services
    svc.unlock(PASSPHRASE)
    today = fmt.local(fmt.now_ms()).date()
    due = today - timedelta(days=3)
    long_ago = date(today.year - 1, 3, 2)
    cid = svc.intake("Cees C.", fictional=True)
    case = svc.create_record("zvh_case", cid, {"approach": "NAZORG", "process_director": "Sanne (fictief)"})
    for action, day in (("Bed bevestigen", due), ("Uitkering aanvragen", long_ago)):
        svc.create_record("case_action", cid, {"case_id": case, "action": action, "owner": "GEMEENTE",
                                               "due": day.isoformat()})
    svc.lock()
    client, app = await _open(real_device, 1)
    nl_day = ("maandag dinsdag woensdag donderdag vrijdag zaterdag zondag".split()[due.weekday()],
              "januari februari maart april mei juni juli augustus september oktober november december".split()[
                  due.month - 1])
    assert has_text(client, f"Over tijd: Bed bevestigen (was {nl_day[0]} {due.day} {nl_day[1]})"), dump(client)
    assert has_text(client, f"Over tijd: Uitkering aanvragen (was {fmt.long_day(app.i18n, long_ago)}")
    assert has_text(client, f"{long_ago.year})")
    said = [*client.texts(), *(n.label or "" for n in client.find_all(ft.Semantics))]  # and what is read out
    assert not any(due.isoformat() in t or long_ago.isoformat() in t for t in said), dump(client)
    app.set_language("en")
    en_day = due.strftime("%A") + f" {due.day} " + due.strftime("%B")
    assert has_text(client, f"Overdue: Bed bevestigen (due {en_day})"), dump(client)


async def test_an_overdue_flag_says_te_laat_on_the_client_file_too(real_device, monkeypatch):
    """A flag past its deadline and still open carries the same "Te laat" badge in the client's file as in
    Signalen (before, the file showed only "In behandeling" and a date a month ago; found in the browser)."""
    svc = real_device.services
    svc.unlock(PASSPHRASE)
    cid = svc.intake("Cees C.", fictional=True)
    note = svc.create_record("contact", cid, {"contact_type": "TELEFONISCH", "outcome": "PLAATSGEVONDEN",
                                              "occurred_at": fmt.now_ms() - 60_000, "report": "Gebeld."})
    late, calm = (svc.create_record("flag", cid, {"reason": "ANDERS", "urgency": urgency, "route": "TEAMLEIDER",
                                                  "source_id": note})
                  for urgency in ("DIRECT", "BINNEN_5_WERKDAGEN"))
    svc.lock()
    later = fmt.now_ms() + 2 * 3_600_000  # the DIRECT flag (one hour) is overdue by then, the other is not
    monkeypatch.setattr(fmt, "now_ms", lambda: later)
    client, app = await _open(real_device, 0)
    app.open_client(cid)
    assert isinstance(app.screen, ClientView)
    cards = {c.key: c for c in client.find_all(ft.Card)}
    assert "Te laat" in client.texts(cards[f"flag-{late}"]), dump(client)
    assert "Te laat" not in client.texts(cards[f"flag-{calm}"])
