"""The repeating parts of the contact form: a risk-signal row, a compliance row per active condition, a list of chips (participants, protective factors), and the small helpers they share."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import flet as ft

from field_app.domain import ladder, rules
from field_app.domain.vocab import (
    Bron,
    Ernst,
    MeldFrequentie,
    MeldInstantie,
    Middel,
    NalevingStatus,
    OvertredingErnst,
    OvertredingReactie,
    RisicoDomein,
    Trend,
    VoorwaardeType,
    Zekerheid,
)
from field_app.ui import components as c
from field_app.ui import theme

if TYPE_CHECKING:
    from field_app.ui.views.contact_form import ContactFormView


DRAFT_EVERY = 2.0  # seconds between draft saves while typing
# the four answers a worker gives per condition (untouched = NIET_GECONTROLEERD, not sent)
COMPLIANCE_CHOICES = (NalevingStatus.NAGELEEFD, NalevingStatus.SIGNAAL_TWIJFEL, NalevingStatus.OVERTREDING,
                      NalevingStatus.NIET_TE_BEOORDELEN)
_STATUS_ICON = {
    NalevingStatus.NAGELEEFD.value: ft.Icons.CHECK_CIRCLE_OUTLINE,
    NalevingStatus.SIGNAAL_TWIJFEL.value: ft.Icons.HELP_OUTLINE,
    NalevingStatus.OVERTREDING.value: ft.Icons.REPORT_OUTLINED,
    NalevingStatus.NIET_TE_BEOORDELEN.value: ft.Icons.REMOVE_CIRCLE_OUTLINE,
}


def draft_slot(client_id: str) -> str:
    return f"contact:{client_id}"


def condition_label(i18n: Any, condition: dict) -> str:
    """``Verbod op alcohol en/of drugs, met controle`` (the condition type's own label)."""
    return i18n.code_label(VoorwaardeType, condition.get("condition_type"))


def condition_detail(i18n: Any, condition: dict, names: dict[str, str] | None = None) -> str:
    """A short second line: the wording of the decision, or what the condition is about (the substances,
    the zone, whom a contact ban protects, how often and where to report); ``names`` maps the client's
    network persons' ids to their names."""
    wording = (condition.get("wording") or "").strip()
    if wording:
        return wording if len(wording) <= 120 else wording[:117] + "…"
    params = condition.get("parameters") or {}
    parts = [", ".join(i18n.code_label(Middel, str(s)) for s in params.get("substances") or [])]
    if params.get("zone"):
        parts.append(str(params["zone"]))
    if params.get("protected_persons"):
        who = ", ".join((names or {}).get(str(x)) or str(x) for x in params["protected_persons"])
        parts.append(i18n.t("cf.cond.protected", who=who))
    if params.get("frequency"):
        parts.append(i18n.t("cf.cond.frequency", freq=i18n.code_label(MeldFrequentie, params["frequency"])))
    if params.get("report_to"):
        parts.append(i18n.t("cf.cond.report_to", to=i18n.code_label(MeldInstantie, params["report_to"])))
    return " · ".join(p for p in parts if p)


def _choice(form: ContactFormView, label: str, vocab: Any, value: str | None, identifier: str,
            codes: list[str] | None = None) -> c.Choice:
    app = form.app
    members = [m for m in vocab if codes is None or m.value in codes]
    return c.Choice(label, [(m.value, app.i18n.label(m)) for m in members], value, identifier, form.changed,
                    app.scale, app.handler)


def _box(*controls: ft.Control) -> ft.Control:
    return ft.Container(ft.Column(list(controls), spacing=8), padding=ft.Padding.all(10),
                        border=ft.Border.all(1, ft.Colors.OUTLINE_VARIANT), border_radius=ft.BorderRadius.all(8))


class RiskRow:
    """One risk signal being entered: domain, ernst, trend and zekerheid."""

    def __init__(self, form: ContactFormView, index: int, domain: str | None = None, severity: str | None = None,
                 trend: str | None = None, certainty: str | None = None):
        app, t = form.app, form.app.i18n.t
        self.form = form
        self.domain = _choice(form, t("risk.domain"), RisicoDomein, domain, f"risk-domain-{index}")
        self.severity = _choice(form, t("risk.severity"), Ernst, severity, f"risk-severity-{index}")
        self.trend = _choice(form, t("contact_c.risk.trend"), Trend, trend, f"risk-trend-{index}")
        self.certainty = _choice(form, t("contact_c.risk.certainty"), Zekerheid, certainty,
                                 f"risk-certainty-{index}")
        self.error = ft.Container(visible=False)
        remove = c.icon_button(ft.Icons.DELETE_OUTLINE, t("risk.remove"),
                               app.handler(lambda e: form.remove_risk(self)), app.scale)
        self.control = _box(self.domain.control,
                            ft.Row([ft.Container(self.severity.control, expand=True), remove]),
                            self.trend.control, self.certainty.control, self.error)
        self.control.key = ft.ScrollKey(f"risk-row-{index}")  # the form scrolls a new row into view

    def value(self) -> tuple[str, str]:
        return (self.domain.value or "", self.severity.value or "")

    def draft(self) -> list:
        return [self.domain.value or "", self.severity.value or "", self.trend.value or "",
                self.certainty.value or ""]

    def empty(self) -> bool:
        """Added but left untouched: nothing was chosen in it, so it is not a risk signal."""
        return not any(self.draft())

    def fields(self) -> dict:
        out = {"domain": self.domain.value or "", "severity": self.severity.value or ""}
        if self.trend.value:
            out["trend"] = self.trend.value
        if self.certainty.value:
            out["certainty"] = self.certainty.value
        return out


class ComplianceRow:
    """One active condition: a four-way toggle, the source, and for a violation its ernst and reactie."""

    def __init__(self, form: ContactFormView, index: int, condition_id: str, condition: dict, state: dict):
        i18n, t = form.app.i18n, form.app.i18n.t
        self.form = form
        self.index = index
        self.condition_id = condition_id
        self.label = condition_label(i18n, condition)
        self.status: str | None = state.get("status") or None
        self.source = _choice(form, t("contact_c.compliance.source"), Bron, state.get("source") or None,
                              f"compliance-source-{index}")
        self.condition = condition
        self.severity = c.Choice(t("contact_c.compliance.severity"),
                                 [(m.value, i18n.label(m)) for m in OvertredingErnst], state.get("severity") or None,
                                 f"compliance-severity-{index}", self._severity_changed, form.app.scale,
                                 form.app.handler)
        self.response = c.Choice(t("contact_c.compliance.response"),
                                 [(m.value, i18n.label(m)) for m in OvertredingReactie], state.get("response") or None,
                                 f"compliance-response-{index}", self._response_changed, form.app.scale,
                                 form.app.handler)
        # the response ladder proposes (domain.ladder), the worker decides; another choice needs a reason
        self.proposed: str | None = state.get("proposed") or None
        self.proposal = ft.Semantics(content=c.para("", ft.TextThemeStyle.BODY_MEDIUM), container=True,
                                     identifier=f"compliance-proposal-{index}")
        self.reason = c.text_field(label=t("ladder.reason"), value=state.get("reason") or "", multiline=True,
                                   min_lines=1, max_lines=4, text_size=16 * form.app.scale, expand=True,
                                   on_change=form.changed)
        self.reason_box = ft.Semantics(content=ft.Row([self.reason]), identifier=f"compliance-reason-{index}",
                                       container=True, visible=False)
        # what the check rests on (a test's result, an EM alert): the record's ``evidence``; shown once
        # an answer is chosen
        self.evidence = c.text_field(label=t("contact_c.compliance.evidence"), value=state.get("evidence") or "",
                                     hint_text=t("contact_c.compliance.evidence_hint"),
                                     text_size=16 * form.app.scale, expand=True, on_change=form.changed)
        self.evidence_box = ft.Semantics(content=ft.Row([self.evidence]), identifier=f"compliance-evidence-{index}",
                                         container=True, visible=False)
        self.error = ft.Container(visible=False)
        self.buttons = ft.Row(wrap=True, spacing=6, run_spacing=6)
        self.violation = ft.Column([c.para(t("contact_c.compliance.violation_intro"), ft.TextThemeStyle.BODY_MEDIUM,
                                           color=theme.DANGER.fg),
                                    self.severity.control, self.proposal, self.response.control, self.reason_box],
                                   spacing=8)
        detail = condition_detail(i18n, condition, form.network_names)
        self.control = _box(
            c.para(self.label, ft.TextThemeStyle.TITLE_SMALL, weight=ft.FontWeight.W_600),
            *([c.para(detail, ft.TextThemeStyle.BODY_MEDIUM, color=ft.Colors.ON_SURFACE_VARIANT)] if detail else []),
            self.buttons, self.source.control, self.evidence_box, self.violation, self.error,
        )
        # a failed save scrolls to a violation's missing ernst: Flet's client finds a scroll target only by a
        # ScrollKey (a plain string key is a ValueKey, which scroll_to does not find)
        self.control.key = ft.ScrollKey(f"compliance-row-{index}")
        self._render()

    def _render(self) -> None:
        app, i18n, t = self.form.app, self.form.app.i18n, self.form.app.i18n.t
        buttons = []
        for status in COMPLIANCE_CHOICES:
            code = status.value
            chosen = self.status == code
            word = i18n.label(status)
            tone = (theme.DANGER if code == NalevingStatus.OVERTREDING.value
                    else theme.SUCCESS if code == NalevingStatus.NAGELEEFD.value
                    else theme.WARNING if code == NalevingStatus.SIGNAAL_TWIJFEL.value else theme.NEUTRAL)
            style = ft.ButtonStyle(padding=ft.Padding.symmetric(horizontal=12, vertical=16),  # >= 48 px
                                   bgcolor=tone.bg if chosen else None, color=tone.fg if chosen else None)
            icon = ft.Icons.RADIO_BUTTON_CHECKED if chosen else _STATUS_ICON[code]
            tap = app.handler(lambda e, code=code: self.choose(code))
            button = (ft.FilledTonalButton if chosen else ft.OutlinedButton)(
                content=word, icon=icon, style=style, on_click=tap)
            # one node that says the condition, the answer and whether it is the chosen one (aria-checked):
            # the colour and the icon alone told a screen reader nothing (``selected`` became aria-current
            # on a wrapper group, not a state of the button); tapping the chosen answer again clears it
            buttons.append(ft.Semantics(
                content=button, identifier=f"compliance-{self.index}-{code}", checked=chosen, container=True,
                exclude_semantics=True, on_tap=tap,
                label=t("contact_c.compliance.toggle_semantic", condition=self.label, status=word)))
        self.buttons.controls = buttons
        self.evidence_box.visible = self.status is not None
        self.violation.visible = self.status == NalevingStatus.OVERTREDING.value
        if self.violation.visible:
            self._propose()

    def _propose(self) -> None:
        """Ask the ladder for the next step; an empty response takes it, a different one asks for a reason."""
        form = self.form
        try:
            ctx = form.app.services.client_context(form.client_id)
        except KeyError:
            return
        step = ladder.propose(ctx, self.condition_id, at=ctx.now, severity=self.severity.value,
                              victim_risk=rules.victim_related(self.condition))
        self.proposed = step.step
        i18n = form.app.i18n
        decider = ladder.DECIDER_LABELS[step.decided_by][0 if i18n.lang == "nl" else 1]
        self.proposal.content = c.para(i18n.t("ladder.proposal", step=i18n.code_label(OvertredingReactie, step.step),
                                              reason=step.reason(i18n.lang), decider=decider),
                                       ft.TextThemeStyle.BODY_MEDIUM, weight=ft.FontWeight.W_600)
        if not self.response.value:
            self.response.dropdown.value = step.step
            self.response.describe()
        self.reason_box.visible = bool(self.response.value) and self.response.value != self.proposed

    def _severity_changed(self, e=None) -> None:
        if self.response.value == self.proposed:
            self.response.dropdown.value = None  # follow the new proposal unless the worker chose otherwise
        self._propose()
        self.form.changed(e)

    def _response_changed(self, e=None) -> None:
        self.reason_box.visible = bool(self.response.value) and self.response.value != self.proposed
        self.form.changed(e)

    def propose_violation(self) -> bool:
        """A no-show while a reporting duty applies: mark this condition as broken (untouched rows only)."""
        if self.status is not None:
            return False
        self.status = NalevingStatus.OVERTREDING.value
        self._render()
        return True

    def choose(self, code: str) -> None:
        self.status = None if self.status == code else code  # tapping the chosen answer again clears it
        self._render()
        self.set_errors({})
        self.form.changed()

    def touched(self) -> bool:
        return self.status is not None

    def draft(self) -> dict:
        return {"condition_id": self.condition_id, "status": self.status or "", "source": self.source.value or "",
                "severity": self.severity.value or "", "response": self.response.value or "",
                "proposed": self.proposed or "", "reason": self.reason.value or "",
                "evidence": self.evidence.value or ""}

    def fields(self) -> dict:
        out: dict = {"condition_id": self.condition_id, "status": self.status}
        if self.source.value:
            out["source"] = self.source.value
        if (self.evidence.value or "").strip():
            out["evidence"] = self.evidence.value.strip()
        if self.status == NalevingStatus.OVERTREDING.value:
            out["violation"] = {"severity": self.severity.value or "", "response": self.response.value or ""}
            if self.proposed:
                out["violation"]["proposed"] = self.proposed
            if self.reason_box.visible and (self.reason.value or "").strip():
                out["violation"]["reason"] = self.reason.value.strip()
        return out

    def set_errors(self, errors: dict[str, str]) -> None:
        """``errors`` keyed by the path below ``compliance.N.`` (``violation.severity``, ``status``, …)."""
        app = self.form.app
        self.severity.set_error(errors.get("violation.severity"))
        self.response.set_error(errors.get("violation.response"))
        self.source.set_error(errors.get("source"))
        self.evidence.error = errors.get("evidence")
        self.reason.error = errors.get("violation.reason")
        if errors.get("violation.reason"):
            self.reason_box.visible = True
        rest = [m for k, m in errors.items()
                if k not in ("violation.severity", "violation.response", "violation.reason", "source", "evidence")]
        self.error.content = c.error_line(" ".join(rest), app.scale) if rest else None
        self.error.visible = bool(rest)


class ChipList:
    """Entered items shown as removable chips (participants, protective factors)."""

    def __init__(self, form: ContactFormView, remove_tooltip: str, identifier: str):
        self.form = form
        self.items: list[dict] = []
        self.remove_tooltip = remove_tooltip
        self.identifier = identifier
        self.control = ft.Row(wrap=True, spacing=6, run_spacing=6)

    def set(self, items: list[dict], text_of) -> None:
        self.items = list(items)
        self.text_of = text_of
        self._render()

    def _render(self) -> None:
        app = self.form.app
        chips = []
        for i, item in enumerate(self.items):
            label = self.text_of(item)
            chips.append(ft.Semantics(container=True, identifier=f"{self.identifier}-{i}", content=ft.Container(
                ft.Row([c.text(label, ft.TextThemeStyle.BODY_MEDIUM),
                        c.icon_button(ft.Icons.CLOSE, f"{self.remove_tooltip}: {label}",
                                      app.handler(lambda e, i=i: self.remove(i)), app.scale)],
                       spacing=0, tight=True),
                bgcolor=ft.Colors.SECONDARY_CONTAINER, border_radius=ft.BorderRadius.all(20),
                padding=ft.Padding.only(left=12)),
            ))
        self.control.controls = chips

    def add(self, item: dict) -> None:
        self.items.append(item)
        self._render()
        self.form.changed()

    def remove(self, index: int) -> None:
        if 0 <= index < len(self.items):
            self.items.pop(index)
        self._render()
        self.form.changed()
