"""Toestel en beveiliging, Wie opende welk dossier, on real devices: a coordinator device enrolled with a real
`sync-server` subprocess on loopback invites a new device (code, team fingerprint, QR), confirms it only
with the right digits, revokes and wipes it; the passphrase change is validated; a supervisor sees a
break-the-glass opening with its reason."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import flet as ft
import pytest
from flet_harness import FakeClient
from ui_helpers import (
    FAST_SCRYPT,
    PASSPHRASE,
    USER,
    buttons,
    dump,
    has_text,
    press,
    select,
    semantics,
    unlock,
)

from field_app.crypto.canonical import b64e
from field_app.services import Services
from field_app.ui.app import UiPrefs, build
from field_app.ui.session_guard import SessionGuard
from field_app.ui.views.access_log import AccessLogView
from field_app.ui.views.devices import SecurityView

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    work = tmp_path_factory.mktemp("server")
    db = work / "server.db"
    out = subprocess.run([sys.executable, "-m", "sync_server.cli", "init", "--db", str(db), "--json"],
                         capture_output=True, text=True, check=True, cwd=ROOT)
    code = json.loads(out.stdout.strip().splitlines()[-1])["code"]
    port = _free_port()
    log = open(work / "server.log", "w")
    proc = subprocess.Popen([sys.executable, "-m", "sync_server.cli", "serve", "--db", str(db), "--host",
                             "127.0.0.1", "--port", str(port)], stdout=log, stderr=subprocess.STDOUT, cwd=ROOT)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            assert proc.poll() is None, (work / "server.log").read_text()
            try:
                urllib.request.urlopen(url + "/healthz", timeout=1).read()
                break
            except OSError:
                time.sleep(0.1)
        yield url, code, db
    finally:
        proc.terminate()
        proc.wait(10)
        log.close()


@pytest.fixture(scope="module")
def coordinator(server, tmp_path_factory):
    """The team's first device (PROCESREGISSEUR with beheer), synced once so its ledger exists."""
    url, code, _db = server
    svc = Services.enrol(tmp_path_factory.mktemp("coord") / "device", server_url=url, code=code,
                         passphrase=PASSPHRASE, user_name=USER, scrypt=FAST_SCRYPT, autosync=False)
    svc.sync_once()
    svc.lock()
    yield svc
    svc.close()


async def open_app(svc):
    apps = []
    client = await FakeClient(lambda page: apps.append(build(page, svc, SessionGuard(svc), UiPrefs()))).start()
    return client, apps[0]


def open_dialog(client: FakeClient) -> ft.AlertDialog:
    found = [d for d in client.find_all(ft.AlertDialog) if d.open]
    assert len(found) == 1, dump(client)
    return found[0]


async def press_in(client: FakeClient, root, text: str) -> None:
    found = [b for b in client.walk(root) if isinstance(b, (ft.FilledButton, ft.TextButton, ft.OutlinedButton))
             and b.content == text]
    assert len(found) == 1, (text, dump(client))
    await client.click(found[0])


async def to_security(client: FakeClient, app) -> SecurityView:
    app.open_tab(app.tabs.index("more"))
    await client.settle()
    await press(client, "Toestel en beveiliging")
    assert isinstance(app.screen, SecurityView), dump(client)
    return app.screen


async def test_invite_confirm_revoke_and_wipe_on_the_coordinator_device(coordinator, tmp_path):
    client, app = await open_app(coordinator)
    await unlock(client, PASSPHRASE)
    view = await to_security(client, app)
    # plain sentences first: whose device, that everything is encrypted, who else is in the team
    texts = [t for t in client.texts() if t]
    owner = texts.index(f"Dit toestel is van {coordinator.user_name}.")
    assert texts[owner + 1].startswith("Alles wat je hier vastlegt is versleuteld")
    assert texts[owner + 2] == "Er is nog niemand anders in je team."
    assert owner < texts.index("Vingerafdruk van dit toestel")
    # my fingerprint, the mode; the Scrypt cost behind "Technische details" (closed)
    assert semantics(client, "sec-my-fingerprint") and semantics(client, "sec-my-qr")
    assert has_text(client, "Wachtwoordzin van minstens 10 tekens (computer en web)")
    details = semantics(client, "sec-details")[0].content
    assert isinstance(details, ft.ExpansionTile) and not details.expanded
    assert any("Scrypt: N = 1024, r = 8, p = 1" in t for t in client.texts(details))

    # the invitation: code, QR image and team fingerprint
    await press(client, "Nieuw toestel uitnodigen")
    qr = semantics(client, "sec-invite-qr")
    assert qr, dump(client)
    image = next(c for c in client.walk(qr[0]) if isinstance(c, ft.Image))
    assert isinstance(image.src, bytes) and image.src.startswith(b"\x89PNG")
    assert image.semantics_label == "QR-code van de uitnodiging voor het nieuwe toestel"
    team_fp = semantics(client, "sec-team-fingerprint")[0]
    assert team_fp.label.startswith("Vingerafdruk: ") and len(team_fp.label.split()) == 13
    text = next(c for c in client.walk(semantics(client, "sec-invite-text")[0]) if isinstance(c, ft.Text)).value
    code = next(c for c in client.walk(semantics(client, "sec-invite-code")[0]) if isinstance(c, ft.Text)).value
    assert code and code in text
    assert has_text(client, "Vingerafdruk van het team") and has_text(client, "Geldig tot")

    # a new device enrols with the invitation text and waits; its own Meer shows its fingerprint
    new = Services.enrol(tmp_path / "new", invite=text, passphrase="nieuwe collega 123", user_name="Sam (fictief)",
                         scrypt=FAST_SCRYPT, autosync=False)
    try:
        new.sync_once()
        assert new.sync_status().state == "awaiting_confirmation"
        digits = " ".join(new.fingerprint())
        new_client, new_app = await open_app(new)
        new.sync_once()
        new.lock()
        await unlock(new_client, "nieuwe collega 123")
        new_app.open_tab(new_app.tabs.index("more"))
        await new_client.settle()
        assert has_text(new_client, "Wacht op bevestiging"), dump(new_client)
        assert semantics(new_client, "sec-more-fingerprint")[0].label == f"Vingerafdruk: {digits}"
        assert new_app.errors == []

        # the coordinator fetches the waiting device: wrong digits are refused in Dutch
        await press(client, "Wachtende toestellen ophalen")
        field = client.find(ft.TextField, label="Cijfers van het nieuwe toestel")
        wrong = digits[:-1] + ("1" if digits[-1] != "1" else "2")
        await client.type(field, wrong)
        await press(client, "Bevestigen")
        assert field.error == ("De cijfers komen niet overeen met dit toestel. Bevestig het niet en neem contact "
                               "op met je collega.")
        await client.type(field, "123")
        await press(client, "Bevestigen")
        assert field.error == "Typ alle twaalf groepen van vijf cijfers over."
        await client.type(field, digits)
        await press(client, "Bevestigen")
        assert has_text(client, "Er wacht geen toestel op bevestiging."), dump(client)
        new_id = new.device_id
        assert semantics(client, f"sec-device-{new_id}"), dump(client)
        epoch_before = coordinator.device.ledger.current_epoch

        # another role for the new device
        card = semantics(client, f"sec-device-{new_id}")[0]
        await press_in(client, card, "Rol wijzigen")
        dialog = open_dialog(client)
        await select(client, "Rol", "CASUSREGISSEUR")
        await press_in(client, dialog, "Opslaan")
        assert not dialog.open
        assert [d["role"] for d in coordinator.devices() if d["id"] == new_id] == ["CASUSREGISSEUR"]
        assert has_text(client, "Casusregisseur"), dump(client)

        # revoke: the dialog says what happens; a reason is required
        card = semantics(client, f"sec-device-{new_id}")[0]
        await press_in(client, card, "Intrekken")
        dialog = open_dialog(client)
        words = " ".join(t for t in client.texts(dialog) if t)
        assert "nieuwe teamsleutel" in words and "niet meer synchroniseren" in words
        await press_in(client, dialog, "Intrekken")
        assert "Kies waarom je het toestel intrekt." in client.texts(dialog)
        group = next(c for c in client.walk(dialog) if isinstance(c, ft.RadioGroup))
        group.value = "LOST"
        await press_in(client, dialog, "Intrekken")
        assert not dialog.open
        assert has_text(client, "Ingetrokken: kwijt of gestolen"), dump(client)
        assert coordinator.device.ledger.current_epoch > epoch_before  # a new team key

        # wipe the revoked device (confirmed)
        card = semantics(client, f"sec-device-{new_id}")[0]
        await press_in(client, card, "Wissen")
        dialog = open_dialog(client)
        assert any("vernietigt het zijn sleutels" in t for t in client.texts(dialog) if t)
        await press_in(client, dialog, "Wissen")
        assert has_text(client, "Wisopdracht gegeven"), dump(client)
        assert view is app.screen
        assert app.errors == []
    finally:
        new_app._on_close()  # this session stops listening before its device closes
        new.close()


async def test_supervisor_sees_who_opened_a_file_and_the_break_the_glass_reason(coordinator):
    coordinator.unlock(PASSPHRASE)
    cid = coordinator.intake("Bram B. (fictief)", fictional=True, assigned_to="Kevin Mulder")
    coordinator.open_client_file(cid, "Kevin ziek; huisbezoek vandaag overgenomen")
    own = coordinator.intake("Ans A. (fictief)", fictional=True)
    coordinator.open_client_file(own)
    coordinator.lock()
    client, app = await open_app(coordinator)
    await unlock(client, PASSPHRASE)
    app.open_tab(app.tabs.index("more"))
    await client.settle()
    await press(client, "Wie opende welk dossier")
    assert isinstance(app.screen, AccessLogView)
    glass = semantics(client, "sec-log-glass-row")
    assert len(glass) == 1, dump(client)
    words = client.texts(glass[0])
    assert "Bram B. (fictief)" in words and "Buiten eigen caseload geopend" in words
    assert "Reden: Kevin ziek; huisbezoek vandaag overgenomen" in words
    assert any(s.label == "Buiten eigen caseload geopend" for s in client.walk(glass[0])
               if isinstance(s, ft.Semantics))
    assert has_text(client, "Ans A. (fictief)")
    # only the openings with a reason
    switch = client.find(ft.Switch)
    switch.value = True
    await client.event(switch, "change")
    assert not has_text(client, "Ans A. (fictief)") and has_text(client, "Bram B. (fictief)")
    # the server's request log
    app.back()
    await press(client, "Serverlogboek")
    assert semantics(client, "sec-server-row"), dump(client)
    assert app.errors == []


async def test_change_passphrase_validation(real_device):
    client, app = await real_device.open()
    await unlock(client, PASSPHRASE)
    await to_security(client, app)
    assert not buttons(client, "Nieuw toestel uitnodigen")  # not a coordinator device
    old, new, again = (client.find(ft.TextField, label=label) for label in
                       ("Huidige wachtwoordzin", "Nieuwe wachtwoordzin", "Nieuwe wachtwoordzin nog een keer"))
    await press(client, "Wachtwoordzin wijzigen")
    assert old.error == "Typ je huidige wachtwoordzin."
    assert new.error == "Kies een nieuwe wachtwoordzin van minstens 10 tekens."
    await client.type(old, PASSPHRASE)
    await client.type(new, "kort")
    await press(client, "Wachtwoordzin wijzigen")
    assert new.error == "Kies een nieuwe wachtwoordzin van minstens 10 tekens." and old.error is None
    await client.type(new, "een nieuwe lange zin")
    await client.type(again, "een nieuwe lange zim")
    await press(client, "Wachtwoordzin wijzigen")
    assert again.error == "De twee nieuwe wachtwoordzinnen zijn niet gelijk. Typ ze opnieuw."
    await client.type(old, "niet mijn wachtwoordzin")
    await client.type(again, "een nieuwe lange zin")
    await press(client, "Wachtwoordzin wijzigen")
    assert old.error == "Je huidige wachtwoordzin klopt niet. Er is niets gewijzigd."
    await client.type(old, PASSPHRASE)
    await press(client, "Wachtwoordzin wijzigen")
    assert semantics(client, "sec-pass-done"), dump(client)
    assert old.error is None and new.value == ""
    # English: every word of the screen comes from the catalogue
    app.set_language("en")
    await client.settle()
    assert has_text(client, "Change passphrase") and has_text(client, "Fingerprint of this device")
    assert not [t for t in client.texts() if t and t.startswith("sec.")]
    app.set_language("nl")
    svc = real_device.services
    svc.lock()
    svc.unlock("een nieuwe lange zin")
    assert svc.unlocked
    app.errors.clear()


async def test_security_stop_is_explained_and_a_coordinator_can_acknowledge_it(coordinator):
    coordinator.unlock(PASSPHRASE)
    coordinator.device.store.set_state("alert", json.dumps({"code": "rollback", "at": 0}))
    coordinator.lock()
    client, app = await open_app(coordinator)
    await unlock(client, PASSPHRASE)
    await to_security(client, app)
    assert semantics(client, "sec-alert")
    assert has_text(client, "De server toont een oudere stand")
    assert has_text(client, "Veilig: je gegevens op dit toestel blijven versleuteld bewaard.")
    await press(client, "Bekeken, opnieuw proberen")
    assert coordinator.security_alert() is None
    assert not semantics(client, "sec-alert")
    assert app.errors == []


async def test_a_role_no_invitation_was_made_for_needs_the_coordinators_word(coordinator, server, tmp_path):
    """A code made on the server (sync-server invite) for a role this coordinator never invited: the
    confirmation says so and signs nothing until the coordinator vouches for the role."""
    _url, _code, db = server
    coordinator.unlock(PASSPHRASE)
    team = b64e(coordinator.device.team)
    coordinator.lock()
    made = subprocess.run([sys.executable, "-m", "sync_server.cli", "invite", "--db", str(db), "--team", team,
                           "--role", "CASUSREGISSEUR", "--json"], capture_output=True, text=True, check=True,
                          cwd=ROOT)
    code = json.loads(made.stdout.strip().splitlines()[-1])["code"]
    new = Services.enrol(tmp_path / "casus", server_url=_url, code=code, passphrase="casus regisseur 1",
                         user_name="Casus (fictief)", scrypt=FAST_SCRYPT, autosync=False)
    try:
        digits = " ".join(new.fingerprint())
        client, app = await open_app(coordinator)
        await unlock(client, PASSPHRASE)
        await to_security(client, app)
        await press(client, "Wachtende toestellen ophalen")
        field = client.find(ft.TextField, label="Cijfers van het nieuwe toestel")
        await client.type(field, digits)
        await press(client, "Bevestigen")
        assert semantics(client, f"sec-role-{new.device_id}"), dump(client)
        assert has_text(client, "geen open uitnodiging voor die rol"), dump(client)
        assert new.device_id not in {d["id"] for d in coordinator.devices()}
        await press(client, "De rol Casusregisseur is afgesproken: bevestigen")
        assert has_text(client, "Er wacht geen toestel op bevestiging."), dump(client)
        assert next(d for d in coordinator.devices() if d["id"] == new.device_id)["role"] == "CASUSREGISSEUR"
        assert app.errors == []
    finally:
        new.close()
        coordinator.lock()
