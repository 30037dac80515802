"""*Alles volgens afspraak* (issue #14): a routine contact from the caseload in three taps — the card's
menu, the action, Opslaan — with the form filled in (type and outcome of the last contact, every active
condition complied, now) and editable before saving."""

from __future__ import annotations

import flet as ft
from ui_helpers import PASSPHRASE, dump, field, has_text, press, select, unlock

from field_app.demo import seed
from field_app.domain import rules
from field_app.ui import fmt
from field_app.ui.views.client import ClientView
from field_app.ui.views.contact_form import ContactFormView


async def _caseload(device):
    svc = device.services
    svc.unlock(PASSPHRASE)
    seed(svc)
    svc.lock()
    client, app = await device.open()
    await unlock(client, PASSPHRASE)
    return client, app


def _client_with_conditions(svc) -> tuple[str, str, list[str]]:
    for item in svc.caseload_items():
        conditions = [cid for cid, _ in rules.active_conditions(svc.client_context(item.id))]
        if conditions and svc.timeline(item.id):
            return item.id, item.display_name, conditions
    raise AssertionError("no demo client with active conditions and a contact")


async def test_routine_contact_in_three_taps(real_device):
    client, app = await _caseload(real_device)
    svc = real_device.services
    cid, name, conditions = _client_with_conditions(svc)
    last = svc.timeline(cid)[0]
    before = len(svc.records(cid, "contact"))
    taps = 0

    await client.click(client.find(ft.IconButton, tooltip=f"Acties voor {name}"))
    taps += 1
    await press(client, "Alles volgens afspraak")
    taps += 1
    form = app.screen
    assert isinstance(form, ContactFormView) and form.routine, dump(client)
    assert has_text(client, "Ingevuld volgens afspraak")
    assert form.contact_type.value == last.contact_type
    assert form.outcome.value == "PLAATSGEVONDEN"
    assert [r.status for r in form.compliance_rows] == ["NAGELEEFD"] * len(conditions)
    assert field(client, "Verslag (feiten)").value  # a factual line, editable
    assert form.date.value == fmt.date_field(fmt.now_ms())
    await press(client, "Opslaan")
    taps += 1

    assert taps <= 4
    assert isinstance(app.screen, ClientView) and has_text(client, "Opgeslagen"), dump(client)
    contacts = svc.records(cid, "contact")
    assert len(contacts) == before + 1
    saved = max(contacts, key=lambda r: r.created_at).fields
    assert saved["contact_type"] == last.contact_type and saved["outcome"] == "PLAATSGEVONDEN"
    assert sorted(x["condition_id"] for x in saved["compliance"]) == sorted(conditions)
    assert {x["status"] for x in saved["compliance"]} == {"NAGELEEFD"}
    # opening it is in the access log like opening the file
    assert any(e.get("client_id") == cid for e in svc.device.projection.audit_entries(cid))


async def test_routine_contact_is_editable_before_saving(real_device):
    client, app = await _caseload(real_device)
    svc = real_device.services
    cid, name, conditions = _client_with_conditions(svc)
    await client.click(client.find(ft.IconButton, tooltip=f"Acties voor {name}"))
    await press(client, "Alles volgens afspraak")
    await select(client, "Soort contact", "TELEFONISCH")
    await press(client, "Opslaan")
    saved = max(svc.records(cid, "contact"), key=lambda r: r.created_at).fields
    assert saved["contact_type"] == "TELEFONISCH"
