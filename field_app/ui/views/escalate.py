"""Escaleren? — opened right after saving a contact with a violation or an acute risk.

It says in plain words why, shows the route the rules proposed (the automatic flag they raised from this
contact) or, for a violation no rule covers (e.g. an alcohol ban), proposes a flag by hand whose reason,
urgency and route come from the escalation triggers and the response ladder (``domain.escalation``: DOMAIN.md
§4.3 and §3.4, given the earlier violations on this client); the worker can change urgency and route. "Signaal bevestigen" / "Signaal maken" stores it (assignee,
note); "Nu niet" closes. For domestic violence or child safety it also offers the meldcode weighing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import flet as ft

from field_app.domain import escalation, ladder
from field_app.domain.errors import ValidationError
from field_app.domain.questions import ESCALATE
from field_app.domain.rules import victim_related
from field_app.domain.vocab import (
    Ernst,
    FlagReden,
    FlagRegel,
    NalevingStatus,
    OvertredingErnst,
    OvertredingReactie,
    RisicoDomein,
    Route,
    Urgentie,
    VoorwaardeType,
)
from field_app.ui import components as c
from field_app.ui import fmt, theme

if TYPE_CHECKING:
    from field_app.ui.app import VeldwerkApp

MELDCODE_DOMAINS = frozenset({RisicoDomein.HUISELIJK_GEWELD.value, RisicoDomein.KINDERVEILIGHEID.value})


def ask_pending(app: VeldwerkApp, record_id: str | None = None) -> EscalateDialog | None:
    """Ask the first open "Escaleren?" (about ``record_id`` when given): right after the save, and again
    after a restart and unlock until it is answered or declined. A question whose note is gone (retracted)
    is recorded as declined. Returns the dialog shown, if any."""
    svc = app.services
    if not app.may_record:  # a role that now only reads makes no flag: the question waits (kept, unanswered)
        return None
    for q in svc.pending_questions():
        if q.get("kind") != ESCALATE or (record_id is not None and q.get("record_id") != record_id):
            continue
        try:
            note = svc.record(q["record_id"])
        except KeyError:
            note = None
        if note is None or note.retracted:
            svc.answer_question(q["id"], "declined")
            continue
        dialog = EscalateDialog(app, note.client_id, note.id, note.fields, question_id=q["id"],
                                asked_before=record_id is None)
        dialog.open()
        return dialog
    return None


class EscalateDialog:
    def __init__(self, app: VeldwerkApp, client_id: str, note_id: str, fields: dict, *,
                 question_id: str | None = None, asked_before: bool = False):
        self.app = app
        self.client_id = client_id
        self.note_id = note_id
        self.question_id = question_id  # the stored question (domain.questions): answered or declined here
        self.asked_before = asked_before  # asked again after the app stopped: say which contact it is about
        self.occurred_at = fields.get("occurred_at")
        i18n, t = app.i18n, app.i18n.t
        svc = app.services
        self.flags = [f for f in svc.records(client_id, "flag") if f.fields.get("source_id") == note_id]
        covered_victim = any(f.fields.get("raised_by_rule") == FlagRegel.OVERTREDING_SLACHTOFFER.value
                             for f in self.flags)
        try:
            ctx = svc.client_context(client_id)
        except KeyError:
            ctx = None
        at = self.occurred_at if type(self.occurred_at) is int else None
        self.violations: list[dict] = []  # {label, severity, response, victim, advice}
        for item in fields.get("compliance", []):
            if item.get("status") != NalevingStatus.OVERTREDING.value:
                continue
            try:
                cond = svc.record(item["condition_id"]).fields
            except KeyError:
                cond = {}
            v = item.get("violation") or {}
            advice = (escalation.for_violation(ctx, item["condition_id"], cond, at=at, severity=v.get("severity"),
                                               response=v.get("response"), exclude=note_id)
                      if ctx is not None and at is not None else None)
            self.violations.append({"label": i18n.code_label(VoorwaardeType, cond.get("condition_type")),
                                    "victim": victim_related(cond), "severity": v.get("severity"),
                                    "response": v.get("response"), "advice": advice})
        self.uncovered = [v for v in self.violations if not (v["victim"] and covered_victim)]
        # the flag by hand: reason, urgency and route from DOMAIN.md §4.3 and the ladder (domain.escalation)
        self.proposal = escalation.combine([v["advice"] for v in self.uncovered if v["advice"] is not None])
        self.acute = [r["domain"] for r in fields.get("risks", []) if r.get("severity") == Ernst.ACUUT.value]
        self.meldcode = any(r.get("domain") in MELDCODE_DOMAINS for r in fields.get("risks", []))
        self.done: list[str] = []  # ids of the flags confirmed or made (for tests and the toast)

        size = 16 * app.scale
        self.assignee = c.text_field(label=t("contact_c.esc.assignee"), value=svc.user_name, text_size=size,
                                     expand=True)
        self.note = c.text_field(label=t("contact_c.esc.note"), hint_text=t("contact_c.esc.note_hint"),
                                 multiline=True, min_lines=2, max_lines=6, text_size=size, expand=True)
        self.urgency = c.Choice(t("contact_c.esc.urgency"), [(m.value, i18n.label(m)) for m in Urgentie],
                                self.proposal.urgency, "escalate-urgency", lambda e=None: None, app.scale, app.handler)
        self.route = c.Choice(t("contact_c.esc.route"), [(m.value, i18n.label(m)) for m in Route],
                              self.proposal.route, "escalate-route", lambda e=None: None, app.scale, app.handler)
        self.error = ft.Container(visible=False)
        self.dialog = self._build()

    # -- words
    def _why(self) -> list[ft.Control]:
        i18n, t = self.app.i18n, self.app.i18n.t
        lines = []
        for v in self.violations:
            lines.append(t("contact_c.esc.why_violation", condition=v["label"],
                           severity=i18n.code_label(OvertredingErnst, v["severity"]),
                           response=i18n.code_label(OvertredingReactie, v["response"])))
        for d in self.acute:
            lines.append(t("contact_c.esc.why_acute", domain=i18n.code_label(RisicoDomein, d)))
        return [c.para(line, ft.TextThemeStyle.BODY_LARGE) for line in lines]

    def _ladder_lines(self) -> list[ft.Control]:
        """Per violation without a flag: the ladder's step given the earlier violations, and why."""
        i18n = self.app.i18n
        lines = []
        for v in self.uncovered:
            advice = v["advice"]
            if advice is None:
                continue
            decider = ladder.DECIDER_LABELS[advice.step.decided_by][0 if i18n.lang == "nl" else 1]
            lines.append(c.para(i18n.t("contact_c.esc.ladder", condition=v["label"],
                                       step=i18n.code_label(OvertredingReactie, advice.step.step),
                                       why=advice.step.reason(i18n.lang), decider=decider),
                                ft.TextThemeStyle.BODY_MEDIUM))
        return [ft.Semantics(container=True, identifier="escalate-ladder", content=ft.Column(lines, spacing=6))
                ] if lines else []

    def _asked_before(self) -> list[ft.Control]:
        if not self.asked_before:
            return []
        app = self.app
        try:
            name = app.services.client(self.client_id).display_name
        except KeyError:
            name = ""
        when = fmt.moment(app.i18n, self.occurred_at) if isinstance(self.occurred_at, int) else ""
        return [c.info_line(app.i18n.t("contact_c.esc.asked_before", name=name, when=when), app.scale,
                            icon=ft.Icons.RESTORE, tone=theme.NEUTRAL, identifier="escalate-asked-before")]

    def _flag_card(self, flag: Any) -> ft.Control:
        i18n, t, scale = self.app.i18n, self.app.i18n.t, self.app.scale
        f = flag.fields
        route = i18n.code_label(Route, f.get("route"))
        urgent = f.get("urgency") in (Urgentie.DIRECT.value, Urgentie.ZELFDE_DAG.value)
        rows: list[ft.Control] = [
            ft.Row([c.badge(t("contact_c.esc.route_badge", route=route), ft.Icons.ALT_ROUTE,
                            theme.DANGER if urgent else theme.WARNING, scale)], wrap=True),
            c.para(t("contact_c.esc.reason", reason=i18n.code_label(FlagReden, f.get("reason"))),
                   ft.TextThemeStyle.BODY_MEDIUM),
            c.para(t("contact_c.esc.urgency_line", urgency=i18n.code_label(Urgentie, f.get("urgency")),
                     deadline=fmt.moment(i18n, f["deadline"]) if f.get("deadline") else "—"),
                   ft.TextThemeStyle.BODY_MEDIUM),
        ]
        if f.get("note") and i18n.lang == "nl":
            rows.append(c.para(f["note"], ft.TextThemeStyle.BODY_MEDIUM, color=ft.Colors.ON_SURFACE_VARIANT))
        return ft.Semantics(container=True, identifier="escalate-route-proposal", content=ft.Container(
            ft.Column(rows, spacing=6), padding=ft.Padding.all(10), border_radius=ft.BorderRadius.all(8),
            border=ft.Border.all(1, ft.Colors.OUTLINE_VARIANT)))

    def primary_label(self) -> str:
        t = self.app.i18n.t
        if self.flags and self.uncovered:
            return t("contact_c.esc.both")
        return t("contact_c.esc.confirm") if self.flags else t("contact_c.esc.make")

    def _build(self) -> ft.AlertDialog:
        app, t = self.app, self.app.i18n.t
        body: list[ft.Control] = [*self._asked_before(), *self._why(),
                                  c.para(t("contact_c.esc.intro"), ft.TextThemeStyle.BODY_MEDIUM)]
        if self.flags:
            body.append(c.para(t("contact_c.esc.auto"), ft.TextThemeStyle.TITLE_SMALL, weight=ft.FontWeight.W_600))
            body += [self._flag_card(f) for f in self.flags]
        if self.uncovered:
            body += [c.para(t("contact_c.esc.manual"), ft.TextThemeStyle.TITLE_SMALL, weight=ft.FontWeight.W_600),
                     *self._ladder_lines(),
                     c.para(t("contact_c.esc.manual_reason",
                              reason=app.i18n.code_label(FlagReden, self.proposal.reason)),
                            ft.TextThemeStyle.BODY_MEDIUM),
                     self.urgency.control, self.route.control]
        body += [c.field(self.assignee), c.field(self.note), self.error]
        actions: list[ft.Control] = [
            ft.Semantics(identifier="escalate-confirm", content=ft.FilledButton(
                content=self.primary_label(), icon=ft.Icons.FLAG_OUTLINED, on_click=app.handler(self.confirm))),
        ]
        if self.meldcode:
            actions.append(ft.Semantics(identifier="escalate-meldcode", content=ft.OutlinedButton(
                content=t("contact_c.esc.meldcode"), icon=ft.Icons.CHECKLIST, on_click=app.handler(self.meldcode_now))))
        actions.append(ft.Semantics(identifier="escalate-later", content=ft.TextButton(
            content=t("contact_c.esc.later"), on_click=app.handler(self.later))))
        return c.dialog(
            t("contact_c.esc.title"), modal=True,
            title_control=ft.Semantics(content=c.text(t("contact_c.esc.title"), ft.TextThemeStyle.TITLE_LARGE,
                                                      weight=ft.FontWeight.W_600), header=True, container=True),
            content=ft.Column(body, tight=True, spacing=12, width=340, scroll=ft.ScrollMode.AUTO),
            actions=[ft.Column(actions, spacing=8, horizontal_alignment=ft.CrossAxisAlignment.STRETCH, tight=True)],
            inset_padding=ft.Padding.symmetric(horizontal=12, vertical=24),
        )

    # -- actions
    def open(self) -> None:
        self.app.page.show_dialog(self.dialog)

    def _answered(self, outcome: str) -> None:
        if self.question_id is not None:
            self.app.services.answer_question(self.question_id, outcome)
            self.question_id = None

    def later(self, e=None) -> None:
        self._answered("declined")
        self.app.page.pop_dialog()
        self._next()

    def _next(self) -> None:
        """After an unlock several questions may be open: ask the next one."""
        if self.asked_before:
            ask_pending(self.app)

    def confirm(self, e=None) -> None:
        app, t = self.app, self.app.i18n.t
        svc = app.services
        assignee = (self.assignee.value or "").strip()
        note = (self.note.value or "").strip()
        done: list[str] = []
        try:
            for flag in self.flags:
                changes: dict = {}
                if assignee and assignee != flag.fields.get("assignee"):
                    changes["assignee"] = assignee
                if note:
                    old = flag.fields.get("note") or ""
                    changes["note"] = f"{old}\n{note}" if old else note
                if changes:
                    svc.update_record(flag.id, changes)
                done.append(flag.id)
            if self.uncovered:
                text = " ".join(t("contact_c.esc.why_violation", condition=v["label"],
                                  severity=app.i18n.code_label(OvertredingErnst, v["severity"]),
                                  response=app.i18n.code_label(OvertredingReactie, v["response"]))
                                for v in self.uncovered)
                fields = {"reason": self.proposal.reason, "urgency": self.urgency.value or "",
                          "route": self.route.value or "", "source_id": self.note_id,
                          "note": f"{text}\n{note}" if note else text}
                if assignee:
                    fields["assignee"] = assignee
                done.append(svc.create_record("flag", self.client_id, fields))
                self.uncovered = []
        except ValidationError as exc:
            self.show_errors(exc.errors)
            return
        self.done = done
        self._answered("answered")
        app.page.pop_dialog()
        app.toast(app.i18n.n("contact_c.esc.done", len(done)))
        self._next()

    def show_errors(self, errors: dict[str, str]) -> None:
        app, t = self.app, self.app.i18n.t

        def msg(key: str) -> str | None:
            return app.validation_message(errors, key) if key in errors else None

        self.assignee.error = msg("assignee")
        self.note.error = msg("note")
        self.urgency.set_error(msg("urgency"))
        self.route.set_error(msg("route"))
        rest = [app.validation_message(errors, k) for k in errors if k not in ("assignee", "note", "urgency", "route")]
        self.error.content = c.error_line(" ".join([t("contact_c.esc.not_saved"), *rest]), app.scale)
        self.error.visible = True

    def meldcode_now(self, e=None) -> None:
        vt = [f.id for f in self.flags if f.fields.get("route") == Route.VEILIG_THUIS_MELDING.value]
        self._answered("answered")
        self.app.page.pop_dialog()
        self.app.open_meldcode(self.client_id, (vt or [f.id for f in self.flags] or [None])[0])
