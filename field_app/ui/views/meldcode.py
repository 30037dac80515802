"""Meldcode-afweging: the five questions of the afwegingskader, one at a time, with big Ja / Nee buttons.

The form stops as soon as the answers decide (``meldcode_next_question``), shows the decision in plain
Dutch (``meldcode_decision``) and stores it with "Vastleggen" (``create_record("meldcode", ...)``). The
answers so far are kept as a sealed draft, so a lock does not lose them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import flet as ft

from field_app.domain import links
from field_app.domain.errors import ValidationError
from field_app.domain.meldcode import (
    MELDCODE_QUESTIONS,
    QUESTION_KEYS,
    asked_questions,
    meldcode_decision,
    meldcode_next_question,
)
from field_app.domain.vocab import JaNee, MeldcodeBesluit
from field_app.ui import components as c
from field_app.ui import theme

if TYPE_CHECKING:
    from field_app.ui.app import VeldwerkApp

Q2 = "q2_acuut_of_structureel_onveilig"
_DECISION_TONE = {
    MeldcodeBesluit.MELDEN_VT.value: (theme.DANGER, ft.Icons.REPORT),
    MeldcodeBesluit.HULP_BIEDEN_OF_ORGANISEREN.value: (theme.WARNING, ft.Icons.VOLUNTEER_ACTIVISM_OUTLINED),
    MeldcodeBesluit.GEEN_ZORGEN_AFSLUITEN.value: (theme.NEUTRAL, ft.Icons.CHECK_CIRCLE_OUTLINE),
}


def draft_slot(client_id: str) -> str:
    return f"meldcode:{client_id}"


class MeldcodeView:
    writes = True  # a screen that records: not for a reading role (VeldwerkApp.push)
    back = True
    nav = False
    chip = True
    title_key = "meldcode_c.title"

    def __init__(self, app: VeldwerkApp, client_id: str, flag_id: str | None = None):
        self.app = app
        self.client_id = client_id
        t = app.i18n.t
        draft = app.services.load_draft(draft_slot(client_id)) or {}
        self.answers: dict[str, str] = {k: v for k, v in (draft.get("answers") or {}).items() if k in QUESTION_KEYS}
        # the flag this weighing answers: the one it was opened from, else the open "woont bij slachtoffer"
        self.flag_id = flag_id or draft.get("flag_id") or links.flag_awaiting_weighing(
            app.services.client_context(client_id))
        self.saved_id: str | None = None
        self.dirty = False
        size = 16 * app.scale
        self.why = c.text_field(label=t("meldcode_c.q2_why"), hint_text=t("meldcode_c.q2_why_hint"),
                                value=draft.get("q2_toelichting", ""), multiline=True, min_lines=3, max_lines=8,
                                text_size=size, expand=True, on_change=app.handler(self.typed))
        self.note = c.text_field(label=t("meldcode_c.note"), value=draft.get("note", ""), multiline=True,
                                 min_lines=2, max_lines=8, text_size=size, expand=True,
                                 on_change=app.handler(self.typed))
        self.body = ft.Column(spacing=14, horizontal_alignment=ft.CrossAxisAlignment.STRETCH)
        self.bottom = ft.Column(spacing=8)
        self.error = ft.Container(visible=False)

    def title(self) -> str:
        return self.app.i18n.t("meldcode_c.title")

    def build(self) -> ft.Control:
        self._render()
        return ft.Column([
            ft.Column([ft.Container(self.body, padding=ft.Padding.symmetric(horizontal=16, vertical=12))],
                      scroll=ft.ScrollMode.AUTO, expand=True),
            ft.Container(ft.Column([self.error, self.bottom], spacing=6),
                         padding=ft.Padding.only(left=16, right=16, bottom=12, top=6),
                         border=ft.Border.only(top=ft.BorderSide(1, ft.Colors.OUTLINE_VARIANT))),
        ], expand=True, spacing=0)

    def refresh(self) -> None:
        """Background changes never touch the answers being given."""

    # -- state
    def _asked(self) -> list[str]:
        return [k for k in asked_questions(self.answers) if k in self.answers]

    def _render(self) -> None:
        """Top: the current question (or the decision); below: the answers so far."""
        app, i18n, t = self.app, self.app.i18n, self.app.i18n.t
        try:
            name = app.services.client(self.client_id).display_name
        except KeyError:
            name = ""
        controls: list[ft.Control] = [
            c.para(t("meldcode_c.for", name=name), ft.TextThemeStyle.TITLE_MEDIUM, weight=ft.FontWeight.W_600)]
        texts = {q.key: q.text.get(i18n.lang) for q in MELDCODE_QUESTIONS}
        nxt = meldcode_next_question(self.answers)
        decision = meldcode_decision(self.answers)
        bottom: list[ft.Control] = []
        if self.saved_id is not None:
            controls.append(self._decision_card(decision))
            controls.append(c.info_line(t("meldcode_c.saved", decision=i18n.code_label(MeldcodeBesluit, decision)),
                                        app.scale, identifier="meldcode-saved"))
            bottom.append(c.primary_button(t("meldcode_c.done"), ft.Icons.ARROW_BACK, app.handler(self.done),
                                           identifier="meldcode-done"))
        elif nxt is not None:
            n = QUESTION_KEYS.index(nxt) + 1
            controls += [
                c.para(t("meldcode_c.intro"), ft.TextThemeStyle.BODY_MEDIUM, color=ft.Colors.ON_SURFACE_VARIANT),
                ft.Semantics(container=True, identifier="meldcode-question", content=ft.Column([
                    c.para(t("meldcode_c.question_n", n=n, total=len(QUESTION_KEYS)), ft.TextThemeStyle.LABEL_LARGE,
                           color=ft.Colors.ON_SURFACE_VARIANT),
                    ft.Semantics(content=c.text(texts[nxt], ft.TextThemeStyle.HEADLINE_SMALL,
                                                weight=ft.FontWeight.W_600), header=True, container=True),
                ], spacing=4)),
                c.para(t(f"meldcode_c.help.{nxt}"), ft.TextThemeStyle.BODY_MEDIUM, color=ft.Colors.ON_SURFACE_VARIANT),
            ]
            bottom.append(ft.Row([self._answer_button(nxt, JaNee.JA, ft.Icons.CHECK),
                                  self._answer_button(nxt, JaNee.NEE, ft.Icons.CLOSE)], spacing=12))
            if self._asked():
                bottom.append(ft.TextButton(content=t("meldcode_c.previous"), icon=ft.Icons.UNDO,
                                            on_click=app.handler(self.previous)))
        else:
            controls.append(self._decision_card(decision))
            if self.answers.get(Q2) == JaNee.JA.value:
                controls.append(c.field(self.why))
            controls.append(c.field(self.note))
            bottom += [c.primary_button(t("meldcode_c.save"), ft.Icons.SAVE_OUTLINED, app.handler(self.save),
                                        identifier="meldcode-save"),
                       ft.TextButton(content=t("meldcode_c.previous"), icon=ft.Icons.UNDO,
                                     on_click=app.handler(self.previous))]
        asked = self._asked()
        if asked:
            controls.append(c.para(t("meldcode_c.answers"), ft.TextThemeStyle.TITLE_SMALL, weight=ft.FontWeight.W_600))
        for n, key in enumerate(asked, start=1):  # the answers so far, in order
            answer = i18n.code_label(JaNee, self.answers[key])
            controls.append(ft.Semantics(container=True, identifier=f"meldcode-answered-{n}", content=ft.Container(
                ft.Column([c.para(t("meldcode_c.question_n", n=n, total=len(QUESTION_KEYS)),
                                  ft.TextThemeStyle.LABEL_LARGE, color=ft.Colors.ON_SURFACE_VARIANT),
                           c.para(texts[key], ft.TextThemeStyle.BODY_MEDIUM),
                           c.para(t("meldcode_c.answer", answer=answer), ft.TextThemeStyle.BODY_LARGE,
                                  weight=ft.FontWeight.W_600)], spacing=2,
                          horizontal_alignment=ft.CrossAxisAlignment.STRETCH),
                padding=ft.Padding.all(10), border_radius=ft.BorderRadius.all(8),
                border=ft.Border.all(1, ft.Colors.OUTLINE_VARIANT))))
        self.body.controls = controls
        self.bottom.controls = bottom

    def _answer_button(self, key: str, answer: JaNee, icon: ft.IconData) -> ft.Control:
        app = self.app
        label = app.i18n.label(answer)
        bg, fg = ((ft.Colors.PRIMARY, ft.Colors.ON_PRIMARY) if answer is JaNee.JA
                  else (ft.Colors.SECONDARY, ft.Colors.ON_SECONDARY))
        button = ft.FilledButton(  # the word's colour is set: the scaled text theme's colour is for surfaces
            content=ft.Text(label, theme_style=ft.TextThemeStyle.TITLE_LARGE, weight=ft.FontWeight.W_600, color=fg),
            icon=ft.Icon(icon, color=fg), expand=True, on_click=app.handler(lambda e: self.answer(key, answer.value)),
            style=ft.ButtonStyle(padding=ft.Padding.symmetric(horizontal=16, vertical=22), bgcolor=bg, color=fg))
        return ft.Semantics(content=button, identifier=f"meldcode-{answer.value.lower()}", label=label,
                            button=True, container=True, expand=True)

    def _decision_card(self, decision: str | None) -> ft.Control:
        app, i18n, t = self.app, self.app.i18n, self.app.i18n.t
        tone, icon = _DECISION_TONE.get(decision or "", (theme.NEUTRAL, ft.Icons.INFO_OUTLINE))
        word = i18n.code_label(MeldcodeBesluit, decision)
        return ft.Semantics(container=True, identifier="meldcode-decision", content=ft.Container(
            ft.Column([
                ft.Row([ft.Icon(icon, color=tone.fg, size=28 * app.scale),
                        ft.Container(c.para(t("meldcode_c.decision", decision=word), ft.TextThemeStyle.TITLE_LARGE,
                                            weight=ft.FontWeight.W_600, color=tone.fg), expand=True)], spacing=8),
                c.para(t(f"meldcode_c.explain.{decision}"), ft.TextThemeStyle.BODY_LARGE, color=tone.fg),
            ], spacing=8),
            bgcolor=tone.bg, padding=ft.Padding.all(14), border_radius=ft.BorderRadius.all(10)))

    # -- actions
    def answer(self, key: str, value: str) -> None:
        self.answers[key] = value
        for later in QUESTION_KEYS[QUESTION_KEYS.index(key) + 1:]:  # a changed answer asks the rest again
            self.answers.pop(later, None)
        self.error.visible = False
        self.typed()
        self._render()

    def previous(self, e=None) -> None:
        asked = self._asked()
        if asked:
            self.answers.pop(asked[-1], None)
        self.error.visible = False
        self.typed()
        self._render()

    def typed(self, e=None) -> None:
        control = getattr(e, "control", None)
        if isinstance(control, ft.TextField):
            control.error = None
        self.dirty = True
        self.save_draft()

    def draft_data(self) -> dict:
        return {"client_id": self.client_id, "answers": dict(self.answers), "flag_id": self.flag_id,
                "q2_toelichting": self.why.value or "", "note": self.note.value or ""}

    def save_draft(self) -> None:
        if self.dirty and self.app.services.unlocked and self.saved_id is None:
            self.app.services.save_draft(draft_slot(self.client_id), self.draft_data())

    def fields(self) -> dict:
        out: dict = {k: self.answers[k] for k in self._asked()}
        if self.answers.get(Q2) == JaNee.JA.value:
            out["q2_toelichting"] = self.why.value or ""
        if (self.note.value or "").strip():
            out["note"] = self.note.value
        if self.flag_id:
            out["flag_id"] = self.flag_id
        return out

    def save(self, e=None) -> None:
        app, t = self.app, self.app.i18n.t
        try:
            self.saved_id = app.services.create_record("meldcode", self.client_id, self.fields())
        except ValidationError as exc:
            self.why.error = app.validation_message(exc.errors, "q2_toelichting") if "q2_toelichting" in exc.errors \
                else None
            self.note.error = app.validation_message(exc.errors, "note") if "note" in exc.errors else None
            rest = [app.validation_message(exc.errors, k) for k in exc.errors if k not in ("q2_toelichting", "note")]
            self.error.content = c.error_line(" ".join([t("meldcode_c.not_saved"), *rest]), app.scale,
                                              identifier="meldcode-error")
            self.error.visible = True
            return
        self.dirty = False
        self.why.error = self.note.error = None
        self.error.visible = False  # "Nog niet vastgelegd." of a refused try no longer holds
        app.services.clear_draft(draft_slot(self.client_id))
        self._render()

    def done(self, e=None) -> None:
        self.app.back()
