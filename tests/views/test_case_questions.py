"""Samenwerking (#15) on the real device with the demo cases: organisations involved and proposed (add,
dismiss with a reason), tasks per phase adopted as case actions, the non-cooperation path, and "En nu?" on
the late-transport flag (tick, resolve)."""

from __future__ import annotations

import flet as ft
from ui_helpers import PASSPHRASE, dump, has_text, semantics, unlock

from field_app.demo import seed
from field_app.ui.views.client import ClientView


def _client_id(svc, name: str) -> str:
    return next(c.id for c in svc.caseload() if c.display_name == name)


async def _open(device, name: str):
    svc = device.services
    svc.unlock(PASSPHRASE)
    seed(svc)
    cid = _client_id(svc, name)
    svc.lock()
    client, app = await device.open()
    await unlock(client, PASSPHRASE)
    app.open_client(cid)
    assert isinstance(app.screen, ClientView), dump(client)
    return client, app, cid


async def _tap(client, identifier: str) -> None:
    node = semantics(client, identifier)
    assert node, f"no {identifier}"
    target = next(c for c in client.walk(node[0]) if isinstance(c, (ft.OutlinedButton, ft.FilledTonalButton,
                                                                   ft.FilledButton, ft.Container))
                  and getattr(c, "on_click", None))
    await client.click(target)


async def _confirm(client, text: str) -> None:
    dialog = next(d for d in client.walk() if isinstance(d, ft.AlertDialog) and d.open)
    field = next(c for c in client.walk(dialog) if isinstance(c, ft.TextField))
    await client.type(field, text)
    await client.click(next(c for c in client.walk(dialog) if isinstance(c, ft.FilledButton)))


async def test_case_a_answers_organisations_tasks_and_the_path(real_device):
    client, app, cid = await _open(real_device, "Henk V.")
    await _tap(client, "section-case")
    for text in ("Betrokken organisaties", "FPK De Linde (fictief)", "Rechtbank", "Contactpersoon: Lotte de Boer",
                 "Contactpersoon: Anouk Prins", "Laatste contact:", "Geen voorstellen"):
        assert has_text(client, text), (text, dump(client))
    await _tap(client, "case-part-tasks")
    assert has_text(client, "Fase van deze casus") and has_text(client, "Eerste toezichtgesprek"), dump(client)
    await _tap(client, "phase-VRIJLATING_NA_ZITTING")
    assert has_text(client, "Meldcode-afweging als hij bij een (eerder) slachtoffer intrekt"), dump(client)
    await _tap(client, "phase-ISD_EXTRAMURAAL")
    await _tap(client, "adopt-ISD_EXTRAMURAAL")
    actions = real_device.services.records(cid, "case_action")
    assert {a.fields["phase"] for a in actions} == {"ISD extramuraal"} and len(actions) == 4
    assert has_text(client, "Alle taken van deze fase zijn overgenomen"), dump(client)
    await _tap(client, "case-part-path")
    for text in ("Regime: Dwang (justitieel kader)", "Volgend casusoverleg:", "Beschermt een slachtoffer",
                 "Volgende stap: Spoedmelding aan OM of politie", "Beslist: het OM", "Volgende stap: Aanspreken"):
        assert has_text(client, text), (text, dump(client))


async def test_case_b_proposes_veilig_thuis_and_one_tap_adds_it(real_device):
    client, app, cid = await _open(real_device, "Rob D.")
    await _tap(client, "section-case")
    assert semantics(client, "proposal-VEILIG_THUIS") and has_text(client, "huiselijk geweld"), dump(client)
    await _tap(client, "org-add-VEILIG_THUIS")
    assert not semantics(client, "proposal-VEILIG_THUIS") and semantics(client, "org-VEILIG_THUIS"), dump(client)
    [org] = real_device.services.records(cid, "organisation")
    assert org.fields["organisation"] == "VEILIG_THUIS" and org.fields["status"] == "ACTIEF"
    await _tap(client, "org-contact-VEILIG_THUIS")
    await _confirm(client, "Ilse Janssen")
    assert has_text(client, "Contactpersoon: Ilse Janssen"), dump(client)


async def test_dismissing_a_proposal_asks_a_reason(real_device):
    client, app, cid = await _open(real_device, "Rob D.")
    await _tap(client, "section-case")
    await _tap(client, "org-dismiss-VEILIG_THUIS")
    dialog = next(d for d in client.walk() if isinstance(d, ft.AlertDialog) and d.open)
    await client.click(next(c for c in client.walk(dialog) if isinstance(c, ft.FilledButton)))  # no reason
    assert next(c for c in client.walk(dialog) if isinstance(c, ft.TextField)).error
    field = next(c for c in client.walk(dialog) if isinstance(c, ft.TextField))
    await client.type(field, "Politie heeft al gemeld bij VT.")
    await client.click(next(c for c in client.walk(dialog) if isinstance(c, ft.FilledButton)))
    assert not semantics(client, "proposal-VEILIG_THUIS"), dump(client)
    [org] = real_device.services.records(cid, "organisation")
    assert org.fields["status"] == "AFGEWEZEN" and org.fields["dismiss_reason"] == "Politie heeft al gemeld bij VT."


async def test_the_late_transport_shows_what_now_half_done_and_ticking_the_rest_resolves_it(real_device):
    client, app, cid = await _open(real_device, "Henk V.")
    await _tap(client, "section-transitions")
    assert has_text(client, "En nu?") and has_text(client, "3 van 5 stappen gedaan"), dump(client)
    assert has_text(client, "Gedaan door Lotte de Boer"), dump(client)
    [flag] = [f for f in real_device.services.records(cid, "flag") if f.fields.get("raised_by_rule")]
    await _tap(client, f"step-{flag.id}-PROCESREGISSEUR_INFORMEREN")
    assert has_text(client, "4 van 5 stappen gedaan"), dump(client)
    assert has_text(client, f"Gedaan door {real_device.services.user_name}"), dump(client)
    assert not semantics(client, f"flag-resolve-{flag.id}")  # Anouk's flag: she or a coordinator resolves it
    await _tap(client, f"step-{flag.id}-AANKOMST_VASTLEGGEN")
    assert has_text(client, "5 van 5 stappen gedaan"), dump(client)
    assert real_device.services.record(flag.id).fields["status"] == "IN_BEHANDELING"
    # once it is mine, ticking the last step resolves it with the steps as its note
    real_device.services.update_record(flag.id, {"assignee": real_device.services.user_name})
    app.screen.show_section("transitions")
    assert semantics(client, f"flag-resolve-{flag.id}")
    await _tap(client, f"step-{flag.id}-AANKOMST_VASTLEGGEN")  # untick
    assert has_text(client, "4 van 5 stappen gedaan"), dump(client)
    await _tap(client, f"step-{flag.id}-AANKOMST_VASTLEGGEN")
    flag = real_device.services.record(flag.id)
    assert flag.fields["status"] == "AFGEHANDELD"
    assert flag.fields["resolution_note"].startswith("Alle verplichte stappen gedaan")
    assert not semantics(client, f"flag-resolve-{flag.id}")


async def test_signalen_shows_how_far_the_action_list_is(real_device):
    from field_app.ui.views.flags import FlagsView
    client, app, cid = await _open(real_device, "Henk V.")
    await client.select_nav(app.page.navigation_bar, 2)
    assert isinstance(app.screen, FlagsView), dump(client)
    assert has_text(client, "3 van 5 stappen gedaan"), dump(client)
