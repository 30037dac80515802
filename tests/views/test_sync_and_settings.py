"""The sync chip on every screen, its explanation with "Nu synchroniseren", and the Meer settings."""

from __future__ import annotations

import flet as ft
from ui_helpers import PASSPHRASE, buttons, dump, has_text, press, semantics, unlock

from field_app.ui import fmt, theme
from field_app.ui.components import sync_summary
from field_app.ui.i18n import I18n
from field_app.views_model import SyncStatus


def chip_text(client) -> str:
    """The whole sync state, as the top bar's sync icon says it to a screen reader (and in its tooltip)."""
    chip = semantics(client, "sync-chip")
    assert len(chip) == 1, "one sync icon in the top bar"
    name = chip[0].label
    assert name.startswith("Synchronisatie: ") and chip[0].content.tooltip == name, name
    return name.removeprefix("Synchronisatie: ")


def chip_badge(client) -> str | None:
    badge = semantics(client, "sync-chip")[0].content.icon.badge
    return badge.label if badge is not None else None


async def test_chip_on_real_device_counts_what_waits(real_device):
    a, app = await real_device.open()
    await unlock(a, PASSPHRASE)
    assert chip_text(a) == "Offline"
    assert chip_badge(a) is None
    real_device.services.add_client("Hans Hendriks (fictief)", fictional=True)
    await a.settle()
    assert chip_text(a) == "Offline · 1 wachtend", dump(a)
    assert chip_badge(a) == "1"  # the count on the icon; the words in its name and in the explanation


async def test_chip_explains_and_offers_sync_now(fake_device):
    svc = fake_device.services
    a, app = await fake_device.open()
    await unlock(a, PASSPHRASE)
    await a.click(semantics(a, "sync-chip")[0].content)
    dialog = a.find(ft.AlertDialog)
    assert dialog.open
    assert "Er is nu geen verbinding met de server." in " ".join(a.texts(dialog))
    await press(a, "Nu synchroniseren")
    assert svc.sync_requests == 1
    assert not dialog.open


async def test_the_sync_sheet_lists_held_devices_and_what_waits_or_was_refused(fake_device):
    """Issue #11: a held device, what waits behind it and what was refused are listed in words; the
    others' work goes on (the state stays online)."""
    svc = fake_device.services
    svc.state = "online"
    svc.extra = {
        "held": [{"device": "w", "user": "Lotte de Boer (fictief)", "reason": "gap"}],
        "waiting": {"key": 0, "sender": 1, "held": 10, "refused": 20,
                    "refused_by": [{"device": "w", "user": "Lotte de Boer (fictief)", "n": 20}], "items": []},
    }
    a, app = await fake_device.open()
    await unlock(a, PASSPHRASE)
    await a.click(semantics(a, "sync-chip")[0].content)
    text = " ".join(a.texts(a.find(ft.AlertDialog)))
    assert "Berichten van Lotte de Boer (fictief) wachten: de server gaf niet alle berichten" in text, text
    assert "10 berichten wachten tot de reeks van hun toestel weer compleet is" in text
    assert ("20 berichten van Lotte de Boer (fictief) zijn geweigerd: ze zijn beschadigd of niet door dat "
            "toestel ondertekend.") in text
    assert "1 bericht noemt een toestel dat dit toestel niet kent" in text
    assert sync_summary(I18n("nl"), svc.sync_status()).tone == theme.WARNING  # up to date, but look
    svc.extra["held"][0]["reason"] = "damaged"
    damaged = sync_summary(I18n("nl"), svc.sync_status())
    assert any("kwam beschadigd of vervalst van de server" in line for line in damaged.explanation)
    svc.extra["waiting"]["refused_by"].append({"device": "k", "user": "Kees Derde (fictief)", "why": "unreadable",
                                                "n": 1})
    svc.extra["waiting"]["refused_by"].append({"device": "k", "user": "Kees Derde (fictief)", "why": "not_allowed",
                                                "n": 3})  # said once, by the ignored-operations line
    why = sync_summary(I18n("nl"), svc.sync_status()).explanation
    assert ("1 bericht van Kees Derde (fictief) is geweigerd: het is niet te openen met de sleutels van het team. "
            "Het wordt niet geopend.") in why
    assert not any("3 berichten" in line for line in why)
    en = sync_summary(I18n("en"), svc.sync_status())
    assert any(line.startswith("20 messages from Lotte de Boer (fictief) were refused") for line in en.explanation)
    svc.extra = {"waiting": {"key": 0, "sender": 0, "held": 0, "refused": 0, "refused_by": [], "items": []}}
    quiet = sync_summary(I18n("nl"), svc.sync_status())
    assert not any("geweigerd" in line or "reeks" in line for line in quiet.explanation)
    assert quiet.tone == theme.SUCCESS or quiet.tone == theme.NEUTRAL


def test_every_record_sync_state_has_its_own_words():
    """Issue #11: each own record says where it is: only here (to send / waiting for the team key / refused
    by the server), delivered, confirmed by the server, or received."""
    from field_app.ui.components import note_sync_badge

    nl = I18n("nl")
    words = {}
    for state in ("wachtend", "wacht_op_sleutel", "geweigerd", "afgeleverd", "verzonden", "ontvangen"):
        badge = note_sync_badge(nl, state, 1.0)
        words[state] = [c.value for c in _walk(badge) if isinstance(c, ft.Text)]
    assert words["wacht_op_sleutel"] == ["Alleen op dit toestel: wacht op de teamsleutel"]
    assert words["afgeleverd"] == ["Afgeleverd, nog niet bevestigd"]
    assert words["verzonden"] == ["Verzonden"] and words["wachtend"] == ["Wacht op verzending"]
    assert words["geweigerd"] == ["Geweigerd door de server: blijft bewaard op dit toestel (reden bij Synchronisatie)"]
    assert len({tuple(w) for w in words.values()}) == 6


def _walk(control):
    yield control
    for name in ("content", "controls"):
        child = getattr(control, name, None)
        for c in (child if isinstance(child, list) else [child] if child is not None else []):
            yield from _walk(c)


async def test_chip_follows_background_sync(fake_device):
    svc = fake_device.services
    a, app = await fake_device.open()
    await unlock(a, PASSPHRASE)
    cid = svc.add_client("Ina Ismail (fictief)", fictional=True)
    svc.record_contact(cid, contact_type="KANTOOR", outcome="PLAATSGEVONDEN", report="Gesprek.")
    await a.settle()
    assert chip_text(a) == "Offline · 1 wachtend"
    svc.deliver_all()
    await a.settle()
    assert chip_text(a) == f"Bijgewerkt {fmt.clock(svc.last_sync_at)}"
    assert chip_badge(a) is None


async def test_at_phone_width_the_title_keeps_the_top_bar(fake_device):
    """Issue 9/14: at 390 px the words of the sync chip cut the screen title short. On a phone the state is
    an icon (48 x 48) with the count as a badge, at every text size; from 600 px on it is the chip again."""
    svc = fake_device.services
    a, app = await fake_device.open()
    await unlock(a, PASSPHRASE)
    cid = svc.add_client("Hans Hendriks (fictief)", fictional=True)
    svc.record_contact(cid, contact_type="KANTOOR", outcome="PLAATSGEVONDEN", report="Gesprek.")
    await a.settle()
    a.page.width = 390
    for scale in (1.0, 2.0):
        app.set_text_scale(scale)
        await a.settle()
        icon = semantics(a, "sync-chip")[0]
        assert isinstance(icon.content, ft.IconButton) and icon.button
        assert icon.content.size_constraints.min_width >= 48 and icon.content.size_constraints.min_height >= 48
        row = app.top.content
        assert isinstance(row, ft.Row), "one row: title and icon"
        assert row.controls[-1] is icon and row.controls[-2].expand  # the title takes all the rest
        assert chip_text(a) == "Offline · 1 wachtend" and chip_badge(a) == "1"
    a.page.width = 800
    a.page.on_resize(None)
    chip = semantics(a, "sync-chip")[0]
    assert isinstance(chip.content, ft.OutlinedButton)
    assert chip.content.content.value == "Offline · 1 wachtend"
    a.page.width = 390
    a.page.on_resize(None)
    assert isinstance(semantics(a, "sync-chip")[0].content, ft.IconButton)
    await a.click(semantics(a, "sync-chip")[0].content)  # the explanation still says it in words
    dialog = a.find(ft.AlertDialog)
    assert "Offline · 1 wachtend" in a.texts(dialog)


async def test_the_sync_chip_is_named_synchronisatie_state_at_every_width(fake_device):
    """A screen reader hears what the state is of: "Synchronisatie: Offline · 1 wachtend", on a phone (the
    icon) and on a wide screen (the chip with words, at 100 % and at 200 % text), in English too."""
    svc = fake_device.services
    a, app = await fake_device.open()
    await unlock(a, PASSPHRASE)
    cid = svc.add_client("Hans Hendriks (fictief)", fictional=True)
    svc.record_contact(cid, contact_type="KANTOOR", outcome="PLAATSGEVONDEN", report="Gesprek.")
    await a.settle()
    for width, scale, kind in ((390, 1.0, ft.IconButton), (800, 1.0, ft.OutlinedButton),
                               (800, 2.0, ft.OutlinedButton)):
        a.page.width = width
        app.set_text_scale(scale)
        a.page.on_resize(None)
        await a.settle()
        [chip] = semantics(a, "sync-chip")
        assert isinstance(chip.content, kind), (width, scale)
        assert chip.label == "Synchronisatie: Offline · 1 wachtend", (width, scale, chip.label)
        assert chip.button and chip.exclude_semantics and chip.on_tap is not None, (width, scale)
    app.set_language("en")
    await a.settle()
    assert semantics(a, "sync-chip")[0].label == "Synchronisation: Offline · 1 waiting"


def test_sync_words_for_each_state():
    nl = I18n("nl")
    assert sync_summary(nl, SyncStatus("offline", 3, None)).short == "Offline · 3 wachtend"
    assert sync_summary(nl, SyncStatus("awaiting_confirmation", 0, None)).short == "Wacht op bevestiging"
    rotation = sync_summary(nl, SyncStatus("awaiting_team_key", 1, None))
    assert rotation.short == "Wacht op nieuwe teamsleutel"
    assert any("uit het team gehaald" in line for line in rotation.explanation)
    assert sync_summary(nl, SyncStatus("busy", 0, None)).short == "Bezig met synchroniseren"
    err = sync_summary(nl, SyncStatus("error", 2, None, message="stale_epoch"))
    assert err.short == "Synchroniseren mislukt"
    assert "Er is niets verloren" in err.explanation[0]
    assert "Code voor je beheerder: stale_epoch." in err.explanation
    assert "2 contacten of wijzigingen wachten op verzending." in err.explanation
    assert sync_summary(nl, SyncStatus("revoked", 0, None)).short == "Apparaat ingetrokken"
    assert sync_summary(nl, SyncStatus("keys_destroyed", 2, None)).short == "Sleutels vernietigd"
    stop = sync_summary(nl, SyncStatus("error", 0, None, message="rollback", extra={"uitleg": "De server gaf oud."}))
    assert stop.explanation[0] == "De server gaf oud."
    lease = sync_summary(nl, SyncStatus("online", 0, 1_700_000_000_000, extra={"lease_expired": True}))
    assert lease.short == "Sleutels verlopen — synchroniseer"
    soon = sync_summary(nl, SyncStatus("online", 0, 1_700_000_000_000, extra={"lease_days_left": 3}))
    assert any("Synchroniseer binnen 3 dagen" in line for line in soon.explanation)
    key = sync_summary(nl, SyncStatus("online", 0, 1_700_000_000_000, pending_key=1))
    assert key.short == "Bijgewerkt " + fmt.clock(1_700_000_000_000)
    assert any("wacht op een sleutel" in line for line in key.explanation)
    ignored = sync_summary(nl, SyncStatus("online", 0, 1_700_000_000_000, extra={"ignored_ops": 2}))
    assert "2 wijzigingen van toestellen waarvan de rol dat niet toestaat, zijn genegeerd." in ignored.explanation
    quiet = sync_summary(nl, SyncStatus("online", 0, 1_700_000_000_000, extra={"ignored_ops": 0}))
    assert not any("genegeerd" in line for line in quiet.explanation)
    assert sync_summary(I18n("en"), SyncStatus("offline", 3, None)).short == "Offline · 3 waiting"
    held = sync_summary(nl, SyncStatus("online", 0, 1_700_000_000_000, extra={"held": [
        {"device": "x", "user": "Lotte de Boer (fictief)", "reason": "withheld"}, {"device": "y", "user": None,
                                                                             "reason": "gap"}]}))
    assert ("Berichten van Lotte de Boer (fictief) wachten: de server houdt de nieuwste berichten achter. Het werk "
            "van de anderen komt gewoon binnen.") in held.explanation
    assert any(line.startswith("Berichten van een toestel van het team wachten: de server gaf niet alle")
               for line in held.explanation)


async def test_language_switch_to_english_and_back(fake_device):
    a, app = await fake_device.open()
    await unlock(a, PASSPHRASE)
    await a.select_nav(a.page.navigation_bar, len(a.page.navigation_bar.destinations) - 1)  # Meer is last
    lang = semantics(a, "language")[0].content
    a.session.apply_patch(lang._i, {"selected": ["en"]})
    await a.event(lang, "change", None)
    assert has_text(a, "Text size") and buttons(a, "Lock"), dump(a)
    assert [d.label for d in a.page.navigation_bar.destinations] == ["Clients", "Agenda", "Flags", "More"]
    lang = semantics(a, "language")[0].content
    a.session.apply_patch(lang._i, {"selected": ["nl"]})
    await a.event(lang, "change", None)
    assert has_text(a, "Tekstgrootte")


async def test_text_size_scales_the_theme_and_keeps_actions_visible(fake_device):
    a, app = await fake_device.open()
    await unlock(a, PASSPHRASE)
    await a.select_nav(a.page.navigation_bar, len(a.page.navigation_bar.destinations) - 1)  # Meer is last
    size = semantics(a, "text-size")[0].content
    a.session.apply_patch(size._i, {"selected": ["200"]})
    await a.event(size, "change", None)
    assert a.page.theme.text_theme.body_large.size == 32
    tabs = a.page.theme.navigation_bar_theme.label_text_style  # five tab words share 390 px: grow less
    assert tabs[ft.ControlState.DEFAULT].size == tabs[ft.ControlState.SELECTED].size == 16.2
    assert app.scale == 2.0
    assert fake_device.prefs.text_scale == 2.0  # the next tab uses it too
    assert buttons(a, "Vergrendelen")
    assert semantics(a, "sync-chip")  # the sync icon stays beside the title, it does not disappear


async def test_display_choices_survive_a_restart_of_the_device(real_device, make_device):
    """Language, text size and light/dark are kept on the device (not sensitive, so the unlock screen of
    the next start already uses them); a restart is a new guard and new preferences on the same data."""
    import pytest

    from field_app.services import Services

    a, app = await real_device.open()
    await unlock(a, PASSPHRASE)
    app.set_language("en")
    app.set_text_scale(1.5)
    app.set_theme_mode("dark")
    svc = real_device.services
    data_dir, transport = svc.data_dir, svc.sync.transport
    svc.lock()
    again = Services(data_dir, transport=transport, autosync=False)  # the next start, on the same files
    try:
        assert again.display_prefs() == {"lang": "en", "text_scale": 1.5, "theme_mode": "dark"}
        b, app_b = await make_device(again).open()
        assert app_b.i18n.lang == "en" and app_b.scale == 1.5 and b.page.theme_mode == ft.ThemeMode.DARK
        assert has_text(b, "Unlock"), dump(b)
        with pytest.raises(ValueError):
            again.save_display_prefs(lang="fr")
        with pytest.raises(ValueError):
            again.save_display_prefs(text_scale=9.0)
        again.device.store.set_meta("display", '{"lang": "xx", "text_scale": "big", "theme_mode": "dark"}')
        assert again.display_prefs() == {"theme_mode": "dark"}  # a damaged value falls back to the default
        again.device.store.set_meta("display", "not json")
        assert again.display_prefs() == {}
    finally:
        again.close()


async def test_a_long_round_shows_how_far_it_is_under_the_title(fake_device):
    """A fresh device pulling the team's history, or a week's work pushed: a line under the top bar (running
    while the end is not known, filling while a push counts up) named with the counts, and the sheet says
    them in words; when the round ends the line goes away."""
    svc = fake_device.services
    a, app = await fake_device.open()
    await unlock(a, PASSPHRASE)
    a.page.width = 390
    assert semantics(a, "sync-progress") == []
    svc.state, svc.extra = "busy", {"progress": {"received": 12000, "sent": 0, "to_send": 0}}
    svc._notify()
    await a.settle()
    line = semantics(a, "sync-progress")
    assert len(line) == 1 and line[0].content.value is None  # a pull: its end is not known
    assert line[0].label == "Bezig met synchroniseren: 12.000 berichten van het team ontvangen."
    assert chip_text(a) == "Bezig met synchroniseren"
    svc.extra = {"progress": {"received": 12000, "sent": 500, "to_send": 2000}}
    svc._notify()
    await a.settle()
    line = semantics(a, "sync-progress")
    assert line[0].content.value == 0.25
    assert line[0].label.endswith("500 van 2.000 berichten verstuurd.")
    await a.click(semantics(a, "sync-chip")[0].content)
    sheet = " ".join(a.texts(a.find(ft.AlertDialog)))
    assert "12.000 berichten van het team ontvangen." in sheet and "500 van 2.000 berichten verstuurd." in sheet
    app.page.pop_dialog()
    svc.state, svc.extra = "online", {}
    svc.last_sync_at = fmt.now_ms()
    svc._notify()
    await a.settle()
    assert semantics(a, "sync-progress") == []
    app.set_language("en")
    svc.state, svc.extra = "busy", {"progress": {"received": 1, "sent": 0, "to_send": 0}}
    svc._notify()
    await a.settle()
    assert semantics(a, "sync-progress")[0].label == "Syncing: 1 team message received."


def test_the_sync_sheet_says_a_server_that_is_temporarily_unavailable_in_words():
    """A gateway or a restarting server answers 502/503/504 without the server's error JSON: the sheet said
    only "Code voor je beheerder: unknown" (found by trying it); now a sentence first, and the code."""
    lines = sync_summary(I18n("nl"), SyncStatus("error", 0, None, message="server_unavailable")).explanation
    assert lines[0] == "De server is tijdelijk niet beschikbaar."
    assert "Code voor je beheerder: server_unavailable." in lines
    assert sync_summary(I18n("en"), SyncStatus("error", 0, None, message="server_unavailable")).explanation[0] == \
        "The server is temporarily unavailable."


async def test_meer_has_one_device_and_security_section(real_device):
    """Who is signed in and Vergrendelen stand under the one heading "Toestel en beveiliging" with the button
    to the security screens (before, "Apparaat en beveiliging" and "Toestel en beveiliging" were two
    sections one above the other; found in the browser)."""
    a, app = await real_device.open()
    await unlock(a, PASSPHRASE)
    await a.select_nav(a.page.navigation_bar, len(a.page.navigation_bar.destinations) - 1)  # Meer is last
    texts = [t for t in a.texts() if t]
    assert texts.count("Toestel en beveiliging") == 1, dump(a)  # the heading (the button is not a Text)
    assert "Apparaat en beveiliging" not in texts
    heading = texts.index("Toestel en beveiliging")
    assert texts[heading + 1].startswith("Aangemeld als "), texts[heading:heading + 4]
    assert buttons(a, "Vergrendelen")
