"""One form per record type of the client file. Each function pushes a ``FormView`` whose save writes
through the services (``create_record`` / ``update_record`` / ``add_addendum``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from field_app.domain import vocab as v
from field_app.ui import fmt
from field_app.ui.views.forms.base import Field, FormView, prune

if TYPE_CHECKING:
    from field_app.ui.app import VeldwerkApp

AFTERCARE_AREAS = ("ID", "ONDERDAK", "INKOMEN_WERK", "SCHULDEN", "ZORG_ZORGVERZEKERING", "SOCIAAL_NETWERK")


def _push(app: VeldwerkApp, scope: str, form: FormView) -> None:
    # one sealed draft per form and per thing it is about (client file, record), so it survives a lock or kill
    form.draft_slot = f"form:{form.identifier}:{scope}"
    app.push(form)


def _create(app: VeldwerkApp, rtype: str, client_id: str, fixed: dict | None = None):
    def save(values: dict) -> str:
        return app.services.create_record(rtype, client_id, {**prune(values), **(fixed or {})})
    return save


def framework_form(app: VeldwerkApp, client_id: str) -> None:
    t = app.i18n.t
    fields = [
        Field("framework_type", "cf.f.framework_type", "choice", v.KaderType, required=True),
        Field("status", "cf.f.status", "choice", v.KaderStatus, value="ACTIEF", required=True),
        Field("commissioner", "cf.f.commissioner", "choice", v.Opdrachtgever),
        Field("decision_date", "cf.f.decision_date", "date"),
        Field("start", "cf.f.start", "date"),
        Field("end", "cf.f.end", "date"),
        Field("current_phase", "cf.f.current_phase", "choice", v.KaderFase),
        Field("immediately_enforceable", "cf.f.immediately_enforceable", "bool"),
        Field("note", "cf.f.note", "multiline"),
    ]
    _push(app, client_id, FormView(app, t("cf.form.framework"), fields, _create(app, "framework", client_id),
                        identifier="framework-form"))


def framework_status_form(app: VeldwerkApp, record) -> None:
    t = app.i18n.t
    f = record.fields
    fields = [
        Field("status", "cf.f.status", "choice", v.KaderStatus, value=f.get("status"), required=True),
        Field("current_phase", "cf.f.current_phase", "choice", v.KaderFase, value=f.get("current_phase")),
        Field("end", "cf.f.end", "date", value=f.get("end")),
    ]

    def save(values: dict) -> None:
        app.services.update_record(record.id, values, seen=record.versions)  # a change meanwhile: a conflict

    _push(app, record.id, FormView(app, t("cf.form.framework_status"), fields, save, identifier="framework-status-form",
                        intro=t("cf.form.framework_status_intro")))


def condition_form(app: VeldwerkApp, client_id: str, frameworks: list) -> None:
    t = app.i18n.t
    options = [(r.id, app.i18n.code_label(v.KaderType, r.fields.get("framework_type"))) for r in frameworks]
    fields = [
        Field("framework_id", "cf.f.framework", "choice", options=options, required=True,
              value=options[0][0] if len(options) == 1 else None),
        Field("condition_type", "cf.f.condition_type", "choice", v.VoorwaardeType, required=True),
        Field("wording", "cf.f.wording", "multiline"),
        Field("parameters.zone", "cf.f.zone"),
        Field("parameters.frequency", "cf.f.frequency", "choice", v.MeldFrequentie),
        Field("parameters.report_to", "cf.f.report_to", "choice", v.MeldInstantie),
        Field("parameters.institution", "cf.f.institution"),
        Field("parameters.substances", "cf.f.substances", "multi", v.Middel),
        Field("control_means", "cf.f.control_means", "multi", v.ControleMiddel),
        Field("enforcer", "cf.f.enforcer", "choice", v.Handhaver),
        Field("start", "cf.f.start", "date"),
        Field("end", "cf.f.end", "date"),
        Field("note", "cf.f.note", "multiline"),
    ]
    _push(app, client_id, FormView(app, t("cf.form.condition"), fields, _create(app, "condition", client_id),
                        identifier="condition-form"))


def supervision_form(app: VeldwerkApp, client_id: str) -> None:
    t = app.i18n.t
    fields = [
        Field("organisation", "cf.f.organisation", "choice", v.Organisatie3RO, required=True),
        Field("level", "cf.f.level", "choice", v.Toezichtniveau, required=True),
        Field("intensified", "cf.f.intensified", "bool"),
        Field("status", "cf.f.status", "choice", v.ToezichtStatus, value="LOPEND", required=True),
        Field("supervisor", "cf.f.supervisor"),
        Field("start", "cf.f.start", "date"),
        Field("end", "cf.f.end", "date"),
        Field("note", "cf.f.note", "multiline"),
    ]
    _push(app, client_id, FormView(app, t("cf.form.supervision"), fields, _create(app, "supervision", client_id),
                        identifier="supervision-form"))


def transition_form(app: VeldwerkApp, client_id: str) -> None:
    t = app.i18n.t
    fields = [
        Field("transition_type", "cf.f.transition_type", "choice", v.OvergangType, required=True),
        Field("from_place", "cf.f.from_place"),
        Field("to_place", "cf.f.to_place"),
        Field("planned_at", "cf.f.planned_at", "datetime"),
        Field("transport", "cf.f.transport", "choice", v.Vervoer),
        Field("accompanied_by", "cf.f.accompanied_by"),
        Field("information_source", "cf.f.information_source", "choice", v.InformatieBron),
        Field("note", "cf.f.note", "multiline"),
    ]
    _push(app, client_id, FormView(app, t("cf.form.transition"), fields, _create(app, "transition", client_id),
                        identifier="transition-form"))


def arrival_form(app: VeldwerkApp, record) -> None:
    """*Aangekomen*: when the person actually arrived (date and time pickers, now to start with). Saving
    closes the transition; its automatic *te laat* flag is settled with a note saying when."""
    t = app.i18n.t
    fields = [Field("actual_at", "cf.f.actual_at", "datetime", value=fmt.now_ms(), required=True)]

    def save(values: dict) -> None:
        app.services.update_record(record.id, {"status": "AANGEKOMEN", "actual_at": values.get("actual_at")},
                                   seen=record.versions)

    _push(app, record.id, FormView(app, t("cf.form.arrival"), fields, save, identifier="arrival-form",
                                   intro=t("cf.form.arrival_intro")))


def network_person_form(app: VeldwerkApp, client_id: str) -> None:
    t = app.i18n.t
    fields = [
        Field("name", "cf.f.name"),
        Field("relation", "cf.f.relation", "choice", v.Relatie, required=True),
        Field("roles", "cf.f.roles", "multi", v.NetwerkRol),
        Field("minor", "cf.f.minor", "bool"),
        Field("lives_with_client", "cf.f.lives_with_client", "bool"),
        Field("consent_collateral", "cf.f.consent_collateral", "bool"),
        Field("note", "cf.f.note", "multiline"),
    ]
    _push(app, client_id, FormView(app, t("cf.form.network_person"), fields, _create(app, "network_person", client_id),
                        identifier="network-form"))


def zvh_case_form(app: VeldwerkApp, client_id: str) -> None:
    t = app.i18n.t
    fields = [
        Field("approach", "cf.f.approach", "choice", v.Aanpak, required=True),
        Field("phase", "cf.f.phase", "choice", v.CasusFase, value="AANGEMELD", required=True),
        Field("regime", "cf.f.regime", "choice", v.KaderRegime),
        Field("process_director", "cf.f.process_director"),
        Field("case_director", "cf.f.case_director"),
        Field("referral.date", "cf.f.referral_date", "date"),
        Field("referral.referred_by", "cf.f.referred_by"),
        Field("referral.reason", "cf.f.referral_reason", "multiline"),
        Field("referral.partners", "cf.f.partners", "multi", v.PartnerOrganisatie),
        Field("triage.outcome", "cf.f.triage_outcome", "choice", v.WegingBesluit),
        Field("triage.date", "cf.f.triage_date", "date"),
        Field("note", "cf.f.note", "multiline"),
    ]
    _push(app, client_id, FormView(app, t("cf.form.zvh_case"), fields, _create(app, "zvh_case", client_id),
                        identifier="zvh-form"))


def case_conference_form(app: VeldwerkApp, client_id: str, case_id: str) -> None:
    """A case conference (a note) and up to three actions agreed there (case_action records)."""
    t = app.i18n.t
    fields = [
        Field("date", "cf.f.date", "date"),
        Field("kind", "cf.f.conference_kind", "choice", v.OverlegSoort, required=True),
        Field("chair", "cf.f.chair"),
        Field("duiding", "cf.f.duiding", "multiline"),
        Field("decisions", "cf.f.decisions", "multiline"),
        Field("case_director", "cf.f.case_director"),
        Field("next_evaluation", "cf.f.next_evaluation", "date"),
    ]
    for i in range(3):
        fields += [Field(f"actions.{i}.action", "cf.f.action_n", extra={"n": i + 1}),
                   Field(f"actions.{i}.owner", "cf.f.owner"),
                   Field(f"actions.{i}.due", "cf.f.due", "date"),
                   Field(f"actions.{i}.phase", "cf.f.action_phase")]

    def save(values: dict) -> None:
        actions = values.pop("actions", {})
        wanted = [a for _, a in sorted(actions.items()) if a.get("action") or a.get("owner")]
        svc = app.services
        conf = svc.create_record("case_conference", client_id, {**prune(values), "case_id": case_id})
        for a in wanted:
            svc.create_record("case_action", client_id, {**prune(a), "case_id": case_id, "conference_id": conf})

    _push(app, client_id, FormView(app, t("cf.form.case_conference"), fields, save, identifier="conference-form"))


def case_action_form(app: VeldwerkApp, client_id: str, case_id: str) -> None:
    t = app.i18n.t
    fields = [
        Field("action", "cf.f.action"),
        Field("owner", "cf.f.owner"),
        Field("due", "cf.f.due", "date"),
        Field("phase", "cf.f.action_phase"),
        Field("note", "cf.f.note", "multiline"),
    ]
    _push(app, client_id, FormView(app, t("cf.form.case_action"), fields,
                        _create(app, "case_action", client_id, {"case_id": case_id}), identifier="action-form"))


def team_members(app: VeldwerkApp) -> list[str]:
    """The names of the team's active members from the ledger (me first), for an assignee."""
    me = app.services.user_name
    try:
        names = {d.get("user") for d in app.services.devices() if d.get("status") == "actief" and d.get("user")}
    except Exception:  # not unlocked or no team yet: only me
        names = set()
    return [me, *sorted(names - {me}, key=str.casefold)]


def flag_form(app: VeldwerkApp, client_id: str, source_id: str | None = None) -> None:
    t = app.i18n.t
    fields = [
        Field("reason", "cf.f.flag_reason", "choice", v.FlagReden, required=True),
        Field("urgency", "cf.f.urgency", "choice", v.Urgentie, required=True),
        Field("route", "cf.f.route", "choice", v.Route, required=True),
        Field("assignee", "cf.f.assignee", "choice", options=[(n, n) for n in team_members(app)]),
        Field("note", "cf.f.note", "multiline"),
    ]
    fixed = {"source_id": source_id} if source_id else {}
    _push(app, f"{client_id}:{source_id or ''}", FormView(app, t("cf.form.flag"), fields, _create(app, "flag", client_id, fixed),
                        identifier="flag-form", saved_key="cf.form.flag_saved"))


def aftercare_area_form(app: VeldwerkApp, client_id: str, area: str, current: dict | None) -> None:
    t = app.i18n.t
    cur = current or {}
    fields = [
        Field("status", "cf.f.status", "choice", v.NazorgStatus, value=cur.get("status") or "ONBEKEND",
              required=True),
        Field("owner", "cf.f.owner", value=cur.get("owner")),
        Field("as_of", "cf.f.as_of", "date", value=cur.get("as_of")),
        Field("note", "cf.f.note", "multiline", value=cur.get("note")),
    ]

    def save(values: dict) -> None:
        values = {k: (val if val != "" else ("" if k == "note" else None)) for k, val in values.items()}
        app.services.create_record("aftercare", client_id, {area: values})  # one per client: merged

    title = t("cf.form.aftercare", area=app.i18n.code_label(v.Leefgebied, area))
    _push(app, f"{client_id}:{area}", FormView(app, title, fields, save, identifier="aftercare-form"))


def addendum_form(app: VeldwerkApp, record_id: str, original_summary: str) -> None:
    t = app.i18n.t
    fields = [Field("text", "cf.f.addendum_text", "multiline")]

    def save(values: dict) -> None:
        app.services.add_addendum(record_id, values.get("text") or "")

    _push(app, record_id, FormView(app, t("cf.form.addendum"), fields, save, identifier="addendum-form",
                        intro=t("cf.form.addendum_intro", original=original_summary)))
