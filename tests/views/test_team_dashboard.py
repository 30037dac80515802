"""Teamoverzicht (field_app.ui.views.team_dashboard) on a real supervisor's device with the demo cases:
reached from the Team tab (supervising roles only), its figures, its flet-charts charts and the devices' sync."""

from __future__ import annotations

import flet as ft
import flet_charts as fch
from ui_helpers import PASSPHRASE, dump, has_text, press, semantics, unlock

from field_app.demo import seed
from field_app.ui.views.team_dashboard import TeamDashboardView

TEAM = 3  # Cliënten, Agenda, Signalen, Team, Meer
MORE = 3  # Cliënten, Agenda, Signalen, Meer (no Team tab)


def _controls(control, kind):
    found, stack = [], [control]
    while stack:
        c = stack.pop()
        if isinstance(c, kind):
            found.append(c)
        for name in ("content", "controls"):
            v = getattr(c, name, None)
            stack += v if isinstance(v, list) else [v] if v is not None and hasattr(v, "__dict__") else []
    return found


async def test_a_supervisor_opens_the_team_overview_from_the_team_tab(supervisor_device):
    svc = supervisor_device.services
    svc.unlock(PASSPHRASE)
    seed(svc)
    client, app = await supervisor_device.open()
    await unlock(client, PASSPHRASE)
    await client.select_nav(app.page.navigation_bar, TEAM)
    assert semantics(client, "dash-open"), dump(client)
    # above the review queue (the demo's is long: below it, it took a dozen screens to reach)
    body = app.screen.body.controls
    opener = next(i for i, ctl in enumerate(body) if getattr(ctl, "identifier", None) == "dash-open")
    queue = next(i for i, ctl in enumerate(body) if isinstance(ctl, ft.Semantics) and ctl.header
                 and getattr(ctl.content, "value", None) == "Te beoordelen")
    assert opener < queue, dump(client)
    await press(client, "Teamoverzicht openen")
    assert isinstance(app.screen, TeamDashboardView), dump(client)
    board = app.screen._shown
    assert board.flags and board.overdue_flags >= 1  # the demo has overdue flags
    for ident in ("dash-tile-flags", "dash-tile-review", "dash-tile-contact", "dash-tile-reports"):
        assert semantics(client, ident), ident
    assert has_text(client, "Open signalen") and has_text(client, "Risicosignalen per domein")
    assert len(semantics(client, "dash-flag")) == min(len(board.flags), 8)
    # by deadline, the overdue first, as Signalen orders each of its groups (UX.md: "mine first, by deadline")
    deadlines = [f.deadline for f in board.flags]
    assert deadlines == sorted(deadlines) and board.flags[0].overdue
    shown = [f.id for f in board.flags]
    for mine in (True, False):  # within each group of Signalen: the team overview's order
        group = [i.record.id for i in svc.flag_queue(board.now) if i.mine is mine and i.record.id in shown]
        assert [fid for fid in shown if fid in group] == group
    # the charts are flet-charts controls, each named for a screen reader with every value
    flags_chart = semantics(client, "dash-chart-flags")[0]
    assert isinstance(flags_chart.content, fch.BarChart) and "nieuwe signalen per week" in flags_chart.label
    risks = semantics(client, "dash-chart-risks")
    assert risks and isinstance(risks[0].content, fch.LineChart)
    # this device's own sync; the server's log cannot be read offline: a sentence says so
    assert semantics(client, "dash-device")
    await press(client, "Ophalen bij de server")
    assert semantics(client, "dash-devices-error"), dump(client)
    # a flag card opens the client's file (outside her caseload: the reason is asked first)
    assert has_text(client, "te laat sinds")


async def test_a_field_worker_has_no_team_overview(real_device):
    client, app = await real_device.open()
    await unlock(client, PASSPHRASE)
    await client.select_nav(app.page.navigation_bar, MORE)
    assert not semantics(client, "dash-open")
    app.push(TeamDashboardView(app))
    assert semantics(client, "dash-not-allowed")
