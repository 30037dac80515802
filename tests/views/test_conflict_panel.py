"""Conflict: twee wijzigingen tegelijk (#11), on the client file of the real Services: both values with who and
when, "Deze houden" per value with a confirmation, and after the pick one value and no conflict. The other
device's change is stored and shown as sync would (an operation in the store, folded into the projection);
the exchange over a real server is tests/integration/test_conflict_two_devices.py."""

from __future__ import annotations

import flet as ft
from ui_helpers import PASSPHRASE, USER, dump, has_text, select, semantics, unlock

from field_app.ui.views.client import ClientView

OTHER = "Fatima El Amrani (fictief)"
MINE, THEIRS = "Niet alleen op huisbezoek", "Wapenbezit bekend"


def _seed_conflict(svc) -> str:
    svc.unlock(PASSPHRASE)
    cid = svc.intake("Cor Conflict (fictief)", fictional=True, safety_warning="DUO_BEZOEK")
    ops = [op for *_x, op in svc.device.store.iter_ops() if op["record_id"] == cid]
    created = ops[0]["hlc"]
    svc.update_record(cid, {"safety_warning": "NIET_ALLEEN_THUIS_BEZOEKEN"})
    mine = [op for *_x, op in svc.device.store.iter_ops() if op["record_id"] == cid][-1]
    theirs = {"type": "client", "record_id": cid, "client_id": cid, "kind": "set",
              "fields": {"safety_warning": "WAPENBEZIT_BEKEND"}, "hlc": [mine["hlc"][0] + 60_000, 0, "ander-toestel"],
              "author_user": OTHER, "base": {"safety_warning": created}}  # made on the intake's value too
    svc.device.store.add_op(b"t" * 16, theirs, origin="remote")
    svc.device.apply_remote([(b"t" * 16, theirs)])
    svc.lock()
    return cid


def _keep_buttons(client):
    nodes = [n for n in client.walk() if isinstance(n, ft.Semantics) and (n.identifier or "").startswith("conflict-keep-")]
    return nodes


async def test_conflict_shows_both_values_and_a_confirmed_pick_keeps_one(real_device):
    svc = real_device.services
    cid = _seed_conflict(svc)
    client, app = await real_device.open()
    await unlock(client, PASSPHRASE)
    assert has_text(client, "Conflict: kies een waarde"), dump(client)  # the caseload card says where to look
    app.open_client(cid)
    assert isinstance(app.screen, ClientView)
    assert semantics(client, "conflicts"), dump(client)
    for text in ("Conflict: twee wijzigingen tegelijk", "Persoon · Veiligheidswaarschuwing", MINE, THEIRS,
                 f"{USER} · vandaag", f"{OTHER} · vandaag"):
        assert has_text(client, text), (text, dump(client))
    assert any(t.startswith(OTHER) and t.endswith("nu getoond") for t in client.texts()), dump(client)

    keeps = _keep_buttons(client)
    names = [next(x for x in client.walk(k) if isinstance(x, ft.Text)).semantics_label for k in keeps]
    assert names == [f"Deze houden: {MINE}, van {USER}", f"Deze houden: {THEIRS}, van {OTHER}"]  # screen reader

    # cancel changes nothing
    await client.click(next(c for c in client.walk(keeps[0]) if isinstance(c, ft.OutlinedButton)))
    dialog = next(d for d in client.walk() if isinstance(d, ft.AlertDialog) and d.open)
    assert "Deze waarde houden?" in client.texts(dialog) and any(MINE in t for t in client.texts(dialog))
    await client.click(next(c for c in client.walk(semantics(client, "conflict-cancel")[0])
                            if isinstance(c, ft.TextButton)))
    assert svc.record(cid).conflicts and svc.record(cid).fields["safety_warning"] == "WAPENBEZIT_BEKEND"

    # keep mine, confirmed
    await client.click(next(c for c in client.walk(_keep_buttons(client)[0]) if isinstance(c, ft.OutlinedButton)))
    await client.click(next(c for c in client.walk(semantics(client, "conflict-confirm")[0])
                            if isinstance(c, ft.FilledButton)))
    rec = svc.record(cid)
    assert rec.conflicts == () and rec.fields["safety_warning"] == "NIET_ALLEEN_THUIS_BEZOEKEN"
    assert not semantics(client, "conflicts") or not app.screen.conflicts.visible, dump(client)
    assert not has_text(client, "Conflict: twee wijzigingen tegelijk")
    assert has_text(client, MINE)  # the header's safety warning shows the kept value
    assert svc.conflicted_records() == []
    assert all(item.conflicts == 0 for item in svc.caseload_items())


async def test_no_conflict_no_panel(real_device):
    svc = real_device.services
    svc.unlock(PASSPHRASE)
    cid = svc.intake("Geen Gedoe (fictief)", fictional=True)
    svc.update_record(cid, {"safety_warning": "DUO_BEZOEK"})
    svc.lock()
    client, app = await real_device.open()
    await unlock(client, PASSPHRASE)
    app.open_client(cid)
    assert not app.screen.conflicts.visible and not has_text(client, "Conflict:")


async def test_a_form_saved_after_a_change_arrived_shows_the_conflict(real_device):
    """The framework's status form is opened, another device's status change arrives while it is open, and
    the form is saved: both changes are shown, nothing is overwritten unseen."""
    svc = real_device.services
    svc.unlock(PASSPHRASE)
    cid = svc.intake("Kader Open (fictief)", fictional=True)
    fw = svc.create_record("framework", cid, {"framework_type": "ISD", "start": "2025-01-01"})
    created = next(op for *_x, op in svc.device.store.iter_ops() if op["record_id"] == fw)["hlc"]
    svc.lock()
    client, app = await real_device.open()
    await unlock(client, PASSPHRASE)
    app.open_client(cid)
    await client.click(next(c for c in client.walk(semantics(client, "section-conditions")[0])
                            if isinstance(c, (ft.OutlinedButton, ft.FilledTonalButton))))
    await client.click(next(c for c in client.walk(semantics(client, f"fw-change-{fw}")[0])
                            if isinstance(c, ft.OutlinedButton)))
    theirs = {"type": "framework", "record_id": fw, "client_id": cid, "kind": "set",
              "fields": {"status": "GESCHORST"}, "hlc": [created[0] + 1, 0, "ander-toestel"],
              "author_user": OTHER, "base": {"status": created}}
    svc.device.store.add_op(b"f" * 16, theirs, origin="remote")
    svc.device.apply_remote([(b"f" * 16, theirs)])  # arrives while the form is open
    await select(client, "Status", "VERVALLEN")
    await client.click(next(c for c in client.walk() if isinstance(c, ft.FilledButton) and c.content == "Opslaan"))
    assert isinstance(app.screen, ClientView), dump(client)
    (conflict,) = svc.record(fw).conflicts
    assert sorted((v.value, v.author) for v in conflict.values) == [("GESCHORST", OTHER), ("VERVALLEN", USER)]
    assert has_text(client, "Justitieel kader · Status"), dump(client)


async def test_a_pick_this_role_may_not_make_is_refused_in_the_dialog(real_device):
    """Cover is arranged by a werkbegeleider: a field worker sees the conflict on "Waarneming door" but keeping a
    value is refused with the role's sentence, in the dialog, and nothing is written."""
    svc = real_device.services
    svc.unlock(PASSPHRASE)
    cid = svc.intake("Toewijzing Conflict (fictief)", fictional=True)
    ops = [op for *_x, op in svc.device.store.iter_ops() if op["record_id"] == cid]
    created = ops[0]["hlc"]
    for n, (who, name) in enumerate((("sup-1", "Werkbegeleider Een (fictief)"), ("sup-2", OTHER))):
        op = {"type": "client", "record_id": cid, "client_id": cid, "kind": "set",
              "fields": {"cover_by": name, "cover_until": "2026-12-31"}, "hlc": [created[0] + 10 + n, 0, who],
              "author_user": name, "base": {"cover_by": created, "cover_until": created}}
        svc.device.store.add_op(bytes([n + 1]) * 16, op, origin="remote")
    svc.lock()
    client, app = await real_device.open()
    await unlock(client, PASSPHRASE)
    app.open_client(cid)
    assert has_text(client, "Persoon · Waarneming door"), dump(client)
    written = len(list(svc.device.store.iter_ops()))
    await client.click(next(c for c in client.walk(_keep_buttons(client)[0]) if isinstance(c, ft.OutlinedButton)))
    await client.click(next(c for c in client.walk(semantics(client, "conflict-confirm")[0])
                            if isinstance(c, ft.FilledButton)))
    error = semantics(client, "conflict-error")
    assert error and any("werkbegeleider" in t for t in client.texts(error[0])), dump(client)
    assert len(list(svc.device.store.iter_ops())) == written and svc.record(cid).conflicts
