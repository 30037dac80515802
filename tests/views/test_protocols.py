"""The views call only what ``field_app.app_api.ServicesAPI`` lists; the real services and the view tests'
fake both have every member of it, so no view needs a branch for a test double."""

from __future__ import annotations

import inspect

from fake_services import FakeServices

from field_app.app_api import ServicesAPI
from field_app.services import Services

MEMBERS = sorted(name for name in dir(ServicesAPI) if not name.startswith("_"))


def test_the_protocol_lists_what_the_views_call():
    assert {"caseload_items", "client_context", "create_record", "records", "display_prefs", "unlock_info",
            "closed", "fingerprint", "devices", "open_client_file", "save_display_prefs"} <= set(MEMBERS)


def test_the_real_services_have_every_member():
    assert [m for m in MEMBERS if not hasattr(Services, m)] == []


def test_the_fake_has_every_member_with_a_compatible_signature():
    fake = FakeServices()
    assert [m for m in MEMBERS if not (hasattr(FakeServices, m) or m in vars(fake))] == []
    for name in MEMBERS:
        spec = getattr(ServicesAPI, name)
        if isinstance(spec, property) or not callable(spec) or isinstance(getattr(FakeServices, name, None), property):
            continue
        wanted = [p for p in inspect.signature(spec).parameters.values() if p.name != "self"
                  and p.default is inspect.Parameter.empty and p.kind is not p.VAR_KEYWORD]
        have = inspect.signature(getattr(fake, name)).parameters
        missing = [p.name for p in wanted if p.name not in have and not any(
            q.kind in (q.VAR_KEYWORD, q.VAR_POSITIONAL) for q in have.values())]
        assert missing == [], (name, missing)
