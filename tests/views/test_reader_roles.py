"""A role that may only read (a partner reader, the DPO: DOMAIN.md roles, core/policy.py ``may_write``) sees
no action that its device would refuse, on any screen (issue #11 leftovers).

A real team on a real server (tests/integration/secsupport.py): the field worker records the demo cases,
the supervisor reviews and flags, and a partner reader and a DPO device are invited, confirmed and synced,
so every screen has something to act on. Each screen is then crawled like a user would: every enabled
button, tappable card and menu item is pressed on a fresh screen (and every button of a dialog it opens),
and nothing may try to record: no operation reaches the device (a spy on ``write_op``; reading leaves only
the access log's own entries), no screen that records opens, no refusal is shown, no error happens. The
same crawl on the field worker's device finds write actions, so it is not blind.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from pathlib import Path

import flet as ft
import pytest
from ui_helpers import unlock

from field_app import demo
from field_app.app_api import may_record
from field_app.core.policy import SELF_TYPES
from field_app.ui.views.client import ClientView

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "integration"))
from secsupport import WORK_PASS, make_team  # noqa: E402

READER_PASS = {"PARTNER_LEZER": "partner-geheim-1234", "FG_AUDITOR": "auditor-geheim-1234"}
SECTIONS = ("timeline", "conditions", "risks", "network", "transitions", "reports", "case")
CASE_PARTS = ("orgs", "tasks", "path")
NOT_PRESSED = {"Vergrendelen"}  # locks the session: pressed, the crawl would only see the unlock screen


@pytest.fixture(scope="module")
def team(tmp_path_factory):
    t = make_team(tmp_path_factory.mktemp("roles"))
    try:
        demo.seed(t.work)
        t.work.sync_once()
        t.sup.sync_once()
        demo.seed_reviews(t.sup)
        demo.seed_flags(t.sup)
        t.sup.sync_once()
        readers = {}
        for role, secret in READER_PASS.items():
            svc = t.enrol(role.lower(), f"{role.title()} Lezer (fictief)", secret, role=role)
            svc.sync_once()
            svc.sync_once()
            assert svc.role == role and len(svc.caseload()) == 5
            svc.lock()
            readers[role] = svc
        t.work.lock()
        yield t, readers
    finally:
        for svc in t.devices:
            svc.close()
        t.server.stop()


def _screens(app, svc) -> list[tuple[str, Callable[[], None]]]:
    """Every screen of the app a reader reaches: the tabs, and each client's file, section by section."""
    out: list[tuple[str, Callable[[], None]]] = [
        (f"tab {name}", lambda i=i: app.open_tab(i)) for i, name in enumerate(app.tabs)]
    for client in svc.caseload():
        for section in SECTIONS:
            for part in CASE_PARTS if section == "case" else (None,):
                def show(cid=client.id, section=section, part=part) -> None:
                    view = ClientView(app, cid, section)
                    if part:
                        view.case_part = part
                    app.show(view)
                out.append((f"{client.display_name} {section} {part or ''}", show))
    return out


def _actions(client, root=None) -> list:
    """Enabled controls a user can press (buttons, tappable cards, menu icons), in screen order; a
    tappable node around a pressable control is that control once."""
    found = []
    for control in client.walk(root):
        if getattr(control, "disabled", False) or isinstance(control, ft.NavigationBar):
            continue
        if isinstance(control, ft.Semantics) and control.on_tap:
            if not any(getattr(c, "on_click", None) for c in client.walk(control.content)):
                found.append(control)
        elif getattr(control, "on_click", None):
            found.append(control)
    return found


def _name(client, control) -> str:
    for attr in ("content", "tooltip", "label"):
        value = getattr(control, attr, None)
        if isinstance(value, str) and value:
            return value
        if isinstance(value, ft.Text):
            return value.value
    return " | ".join(t for t in client.texts(control) if t)[:80]


async def _press(client, control) -> None:
    await client.event(control, "tap" if isinstance(control, ft.Semantics) and control.on_tap else "click")
    await client.settle()


def _open_dialog(client):
    return next((d for d in client.walk() if isinstance(d, ft.AlertDialog) and d.open), None)


class Watch:
    """What pressing something tried: operations written (other than the access log's), refusals shown."""

    def __init__(self, svc, app, monkeypatch):
        self.app, self.writes, self.toasts = app, [], []
        write_op = svc.device.write_op

        def spy(type_, *args, **kwargs):
            if type_ not in SELF_TYPES:
                self.writes.append(type_)
            return write_op(type_, *args, **kwargs)

        monkeypatch.setattr(svc.device, "write_op", spy)
        monkeypatch.setattr(app, "toast", lambda message, error=False: self.toasts.append((message, error)))

    def problems(self) -> list[str]:
        out = [f"wrote {t}" for t in self.writes]
        out += [f"refused: {m}" for m, error in self.toasts if error]
        if getattr(self.app.screen, "writes", False):
            out.append(f"opened {type(self.app.screen).__name__}")
        out += [f"error {e}" for e in self.app.errors]
        self.writes.clear()
        self.toasts.clear()
        self.app.errors.clear()
        return out


async def _crawl(client, app, svc, watch: Watch, passphrase: str, only: str | None = None) -> list[str]:
    """Press every action of every screen once (and each button of a dialog it opens); what tried to write."""
    found: list[str] = []
    pressed: set[str] = set()

    async def fresh(show) -> None:
        for _ in range(3):  # a dialog on a dialog (a confirmation) at most
            if _open_dialog(client) is None:
                break
            app.page.pop_dialog()
        if not svc.unlocked or not app.is_unlocked():
            await unlock(client, passphrase)
        show()
        await client.settle()
        watch.problems()  # opening a screen (a file: the access log) is not the user's press

    for where, show in _screens(app, svc):
        if only and only not in where:
            continue
        await fresh(show)
        names = [re.sub(r"\d", "#", _name(client, a)) for a in _actions(client)]
        for i, name in enumerate(names):
            if name in pressed:
                continue
            await fresh(show)
            actions = _actions(client)
            if i >= len(actions) or _name(client, actions[i]) in NOT_PRESSED:
                continue
            name = re.sub(r"\d", "#", _name(client, actions[i]))
            if name in pressed:  # the same action elsewhere (a section button, "Status wijzigen"): same code
                continue
            pressed.add(name)
            await _press(client, actions[i])
            found += [f"{where}: {name}: {p}" for p in watch.problems()]
            dialog = _open_dialog(client)
            if dialog is None:
                continue
            for j in range(len(_actions(client, dialog))):
                await fresh(show)
                await _press(client, _actions(client)[i])
                inner = _actions(client, _open_dialog(client)) if _open_dialog(client) else []
                if j < len(inner):
                    label = _name(client, inner[j])
                    await _press(client, inner[j])
                    found += [f"{where}: {name} > {label}: {p}" for p in watch.problems()]
    return found


@pytest.mark.parametrize("role", sorted(READER_PASS))
async def test_a_reading_role_sees_no_action_its_device_refuses(team, role, make_device, monkeypatch):
    t, readers = team
    svc = readers[role]
    assert not may_record(role)
    client, app = await make_device(svc).open()
    await unlock(client, READER_PASS[role])
    watch = Watch(svc, app, monkeypatch)
    found = await _crawl(client, app, svc, watch, READER_PASS[role])
    assert found == [], "\n".join(found)


async def test_the_crawl_finds_the_write_actions_of_a_field_worker(team, make_device, monkeypatch):
    """The same crawl on the worker's device: adding, recording and following up are found (not blind)."""
    t, _ = team
    svc = t.work
    client, app = await make_device(svc).open()
    await unlock(client, WORK_PASS)
    watch = Watch(svc, app, monkeypatch)
    found = await _crawl(client, app, svc, watch, WORK_PASS, only="Henk V. timeline")
    assert any("Contact vastleggen: opened ContactFormView" in f for f in found), found
    assert any("Signaal maken: opened FormView" in f for f in found), found
    found = await _crawl(client, app, svc, watch, WORK_PASS, only="tab caseload")
    assert any("opened" in f or "wrote" in f for f in found), found
