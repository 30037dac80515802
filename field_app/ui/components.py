"""Small shared pieces: badges, the sync chip, a note card, risk chips.

Colour is never the only signal: every coloured piece has an icon and a word, and a semantic label.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import flet as ft

from field_app.app_api import SyncState
from field_app.domain.vocab import ContactType, ContactUitkomst, Ernst, RisicoDomein
from field_app.ui import fmt, theme
from field_app.ui.i18n import I18n
from field_app.views_model import NoteView, RiskView, SyncStatus


def text(value: str, style: ft.TextThemeStyle = ft.TextThemeStyle.BODY_LARGE, **kw) -> ft.Text:
    """A text in a theme style, so the in-app text size applies."""
    return ft.Text(value, theme_style=style, **kw)


def node(control: ft.Control) -> ft.Control:
    """Its own accessibility node: read as one piece, findable by its text, never folded into a neighbour."""
    return ft.Semantics(content=control, container=True)


def para(value: str, style: ft.TextThemeStyle = ft.TextThemeStyle.BODY_LARGE, **kw) -> ft.Control:
    """A paragraph with its own accessibility node."""
    return node(text(value, style, **kw))


def badge(label: str, icon: ft.IconData, tone: theme.Tone, scale: float, *, semantic: str | None = None,
          identifier: str | None = None, wrap: bool = False) -> ft.Control:
    """A rounded label with an icon and a word, coloured by meaning. ``wrap``: the words may take a second
    line rather than be cut off (only where the width is bounded: not in a row that scrolls sideways)."""
    box = ft.Container(
        content=ft.Row(
            [ft.Icon(icon, color=tone.fg, size=16 * scale),
             ft.Text(label, color=tone.fg, theme_style=ft.TextThemeStyle.LABEL_LARGE,
                     weight=ft.FontWeight.W_600, expand=1 if wrap else None, expand_loose=wrap)],
            spacing=4, tight=True,
        ),
        bgcolor=tone.bg,
        padding=ft.Padding.symmetric(horizontal=8, vertical=4),
        border_radius=ft.BorderRadius.all(12),
    )
    # one node that says it once (not the label and then the drawn word again)
    return ft.Semantics(content=box, label=semantic or label, identifier=identifier, container=True,
                        exclude_semantics=True)


def severity_badge(i18n: I18n, code: str | None, scale: float) -> ft.Control:
    """Highest risk of a client: icon + ``Risico: Hoog``."""
    word = i18n.code_label(Ernst, code)
    label = i18n.t("risk.badge", severity=word)
    return badge(label, theme.severity_icon(code), theme.severity_tone(code), scale)


def fictional_badge(i18n: I18n, scale: float) -> ft.Control:
    return badge(i18n.t("client.fictional"), ft.Icons.SCIENCE_OUTLINED, theme.FICTIONAL, scale,
                 semantic=i18n.t("client.fictional_semantic"))


def risk_chip(i18n: I18n, risk: RiskView, scale: float, *, wrap: bool = False) -> ft.Control:
    """One risk signal of a note: domain label · ernst, coloured and with an icon (``wrap``: see :func:`badge`)."""
    label = f"{i18n.code_label(RisicoDomein, risk.domain)} · {i18n.code_label(Ernst, risk.severity)}"
    return badge(label, theme.severity_icon(risk.severity), theme.severity_tone(risk.severity), scale,
                 semantic=i18n.t("risk.chip_semantic", label=label), wrap=wrap)


_SYNC_STATE = {
    "wachtend": ("note.sync.waiting", ft.Icons.SCHEDULE_SEND, theme.NEUTRAL),
    "wacht_op_sleutel": ("note.sync.key", ft.Icons.KEY, theme.WARNING),
    "geweigerd": ("note.sync.refused", ft.Icons.REPORT_OUTLINED, theme.WARNING),
    "afgeleverd": ("note.sync.delivered", ft.Icons.CLOUD_UPLOAD_OUTLINED, theme.NEUTRAL),
    "verzonden": ("note.sync.sent", ft.Icons.CLOUD_DONE_OUTLINED, theme.SUCCESS),
    "ontvangen": ("note.sync.received", ft.Icons.CLOUD_DOWNLOAD_OUTLINED, theme.SUCCESS),
}


def note_sync_badge(i18n: I18n, state: str, scale: float) -> ft.Control:
    key, icon, tone = _SYNC_STATE.get(state, ("note.sync.waiting", ft.Icons.SCHEDULE_SEND, theme.NEUTRAL))
    # in a note's column (bounded width): a long state ("Geweigerd door de server: ...") takes a second line
    # on a phone instead of being cut off
    return badge(i18n.t(key), icon, tone, scale, wrap=True)


def note_card(i18n: I18n, note: NoteView, scale: float, now: int | None = None) -> ft.Control:
    """One contact in the timeline: what, outcome, when, who, sync state, report, risks."""
    when = fmt.moment(i18n, note.occurred_at, now)
    # each line its own node, in reading order, inside the card's node
    rows: list[ft.Control] = [
        para(i18n.code_label(ContactType, note.contact_type), ft.TextThemeStyle.TITLE_MEDIUM,
             weight=ft.FontWeight.W_600),
        para(i18n.code_label(ContactUitkomst, note.outcome), ft.TextThemeStyle.BODY_MEDIUM),
        para(i18n.t("note.meta", when=when, author=note.author), ft.TextThemeStyle.BODY_MEDIUM,
             color=ft.Colors.ON_SURFACE_VARIANT),
        note_sync_badge(i18n, note.sync_state, scale),
    ]
    if note.report:
        rows.append(para(note.report, ft.TextThemeStyle.BODY_LARGE))
    if note.risks:
        rows.append(ft.Row([risk_chip(i18n, r, scale) for r in note.risks], wrap=True, spacing=6,
                           run_spacing=6))
    return node(ft.Card(
        content=ft.Container(ft.Column(rows, spacing=6), padding=ft.Padding.all(14)),
        margin=ft.Margin.symmetric(vertical=4),
        key=f"note-{note.id}",
    ))


@dataclass(frozen=True)
class SyncSummary:
    """What the sync chip says and what its explanation says."""

    short: str
    icon: ft.IconData
    tone: theme.Tone
    explanation: list[str]


# states whose words need nothing but the state: (chip text, icon, tone, explanation)
_SIMPLE_STATES = {
    SyncState.BUSY: ("sync.chip.busy", ft.Icons.SYNC, "NEUTRAL", "sync.explain.busy"),
    SyncState.AWAITING_TEAM_KEY: ("sync.chip.rotation", ft.Icons.KEY, "WARNING", "sync.explain.rotation"),
    SyncState.AWAITING_CONFIRMATION: ("sync.chip.awaiting", ft.Icons.HOURGLASS_TOP, "WARNING", "sync.explain.awaiting"),
    SyncState.KEYS_DESTROYED: ("sync.chip.destroyed", ft.Icons.KEY_OFF, "DANGER", "sync.explain.destroyed"),
    SyncState.ERASED: ("sync.chip.erased", ft.Icons.DELETE_FOREVER, "DANGER", "sync.explain.erased"),
    SyncState.REVOKED: ("sync.chip.revoked", ft.Icons.PHONELINK_LOCK, "DANGER", "sync.explain.revoked"),
    SyncState.LOCKED: ("sync.chip.locked", ft.Icons.LOCK_OUTLINE, "NEUTRAL", "sync.explain.locked"),
}


def _state_summary(i18n: I18n, status: SyncStatus) -> SyncSummary:
    n, state = status.pending, status.state
    if state in _SIMPLE_STATES:
        chip, icon, tone, explain = _SIMPLE_STATES[state]
        return SyncSummary(i18n.t(chip), icon, getattr(theme, tone), [i18n.t(explain)])
    if state == SyncState.OFFLINE:
        short = i18n.t("sync.chip.offline_pending", n=n) if n else i18n.t("sync.chip.offline")
        return SyncSummary(short, ft.Icons.CLOUD_OFF, theme.NEUTRAL, [i18n.t("sync.explain.offline")])
    if state == SyncState.ERROR:
        explain = [i18n.t("sync.explain.error")]
        uitleg = (status.extra or {}).get("uitleg")
        if uitleg and i18n.lang == "nl":  # the services' Dutch sentence about a security stop
            explain.insert(0, uitleg)
        if status.message == "server_unavailable":  # a gateway or a restarting server: nothing to do
            explain.insert(0, i18n.t("sync.explain.server_unavailable"))
        if status.message and " " not in status.message:  # a machine code: for whoever helps, not the lead
            explain.append(i18n.t("sync.error_code", code=status.message))
        elif status.message and i18n.lang == "nl":
            explain.insert(0, status.message)
        return SyncSummary(i18n.t("sync.chip.error"), ft.Icons.SYNC_PROBLEM, theme.WARNING, explain)
    if n:  # online
        return SyncSummary(i18n.t("sync.chip.online_pending", n=n), ft.Icons.CLOUD_UPLOAD_OUTLINED, theme.NEUTRAL,
                           [i18n.t("sync.explain.online_pending")])
    if status.last_sync_at:
        return SyncSummary(i18n.t("sync.chip.updated", time=fmt.clock(status.last_sync_at)),
                           ft.Icons.CLOUD_DONE_OUTLINED, theme.SUCCESS, [i18n.t("sync.explain.online")])
    return SyncSummary(i18n.t("sync.chip.online"), ft.Icons.CLOUD_OUTLINED, theme.NEUTRAL,
                       [i18n.t("sync.explain.online")])


def sync_summary(i18n: I18n, status: SyncStatus) -> SyncSummary:
    """Words for a sync status; the same words on every screen."""
    n = status.pending
    summary = _state_summary(i18n, status)
    extra = [i18n.n("sync.pending_long", n) if n else i18n.t("sync.nothing_pending"),
             i18n.t("sync.last_sync", when=fmt.moment(i18n, status.last_sync_at))
             if status.last_sync_at else i18n.t("sync.never_synced")]
    if status.pending_key:
        extra.append(i18n.n("sync.pending_key", status.pending_key))
    info = status.extra or {}
    extra = progress_lines(i18n, info.get("progress")) + extra
    if info.get("lease_expired"):  # 14 days without sync: the team keys are set aside until the next sync
        summary = SyncSummary(i18n.t("sync.chip.lease_expired"), ft.Icons.KEY_OFF, theme.WARNING,
                              [i18n.t("sync.explain.lease_expired"), *summary.explanation])
    elif info.get("lease_days_left") is not None:
        extra.append(i18n.n("sync.lease_days_left", int(info["lease_days_left"])))
    if info.get("ignored_ops"):  # another device wrote what its role does not allow: said, not applied
        extra.append(i18n.n("sync.ignored_ops", int(info["ignored_ops"])))
    if info.get("damaged_ops"):  # stored operations that do not open: left out, said (not a lock-out)
        extra.append(i18n.n("sync.damaged_ops", int(info["damaged_ops"])))
    if info.get("mended_ops"):  # rows lost or damaged on this device, fetched again from the team's copy
        extra.append(i18n.n("sync.mended_ops", int(info["mended_ops"])))
    if info.get("unsent_lost"):  # unsent work whose row was gone and whose envelope was not this device's
        extra.append(i18n.n("sync.unsent_lost", int(info["unsent_lost"])))
    if info.get("recovered_at"):  # restored from a backup: told once, in a plain sentence
        extra.append(i18n.t("sync.recovered"))
    for h in info.get("held") or []:  # a device whose chain the server served broken: only it waits
        extra.append(i18n.t("sync.held", who=h.get("user") or i18n.t("sync.held.someone"),
                            why=i18n.t(f"sync.held.{h.get('reason')}")))
    waiting = info.get("waiting") or {}
    extra += waiting_lines(i18n, waiting)
    if status.state == SyncState.ONLINE and (info.get("held") or waiting.get("refused") or info.get("damaged_ops")):
        # a device held back or envelopes refused: the rest is up to date, but a person should look (#11)
        summary = SyncSummary(summary.short, ft.Icons.GPP_MAYBE_OUTLINED, theme.WARNING, summary.explanation)
    return SyncSummary(summary.short, summary.icon, summary.tone, summary.explanation + extra)


def progress_lines(i18n: I18n, progress: dict | None) -> list[str]:
    """How far a long sync round is (``SyncStatus.extra["progress"]``): received, and sent of how many."""
    if not progress:
        return []
    lines = []
    if progress.get("received"):
        lines.append(i18n.n("sync.progress.received", int(progress["received"]),
                            number=fmt.count(i18n, int(progress["received"]))))
    if progress.get("to_send"):
        lines.append(i18n.t("sync.progress.sent", sent=fmt.count(i18n, int(progress.get("sent") or 0)),
                            total=fmt.count(i18n, int(progress["to_send"]))))
    return lines


def sync_progress(i18n: I18n, status: SyncStatus | None) -> ft.Control | None:
    """The line under the top bar while a long round runs: how far the push is, or (a pull, whose end is not
    known beforehand) a running line; its accessible name says the counts."""
    progress = (status.extra or {}).get("progress") if status is not None else None
    if status is None or status.state != SyncState.BUSY or not progress:
        return None
    to_send, sent = int(progress.get("to_send") or 0), int(progress.get("sent") or 0)
    value = sent / to_send if to_send and sent < to_send else None
    name = " ".join([i18n.t("sync.chip.busy") + ":", *progress_lines(i18n, progress)])
    return ft.Semantics(content=ft.ProgressBar(value=value, height=4), label=name, container=True,
                        exclude_semantics=True, identifier="sync-progress")


def waiting_lines(i18n: I18n, waiting: dict) -> list[str]:
    """The sync sheet's list of what waits or was refused (issue #11), one sentence per kind and device."""
    lines = []
    if waiting.get("held"):
        lines.append(i18n.n("sync.waiting.held", int(waiting["held"])))
    for r in waiting.get("refused_by") or []:
        why = r.get("why") or "damaged"
        if why == "not_allowed":
            continue  # said by the ignored_ops line
        who = r.get("user") or i18n.t("sync.held.someone")
        if why == "damaged":
            lines.append(i18n.n("sync.waiting.refused", int(r["n"]), who=who))
        else:
            lines.append(i18n.n("sync.waiting.refused_why", int(r["n"]), who=who,
                                why=i18n.t(f"sync.waiting.why.{why}")))
    if waiting.get("sender"):
        lines.append(i18n.n("sync.waiting.sender", int(waiting["sender"])))
    return lines


def sync_chip(i18n: I18n, status: SyncStatus, scale: float, on_click: Callable) -> ft.Control:
    """The chip in the top bar; tapping it explains the state and offers "Nu synchroniseren". Its accessible
    name is "Synchronisatie: <state>", as the phone's sync icon says it (the button's own words were only the
    state, with no word of what it is the state of)."""
    s = sync_summary(i18n, status)
    button = ft.OutlinedButton(
        content=ft.Text(s.short, color=s.tone.fg, theme_style=ft.TextThemeStyle.LABEL_LARGE,
                        no_wrap=True, overflow=ft.TextOverflow.ELLIPSIS),
        icon=ft.Icon(s.icon, color=s.tone.fg, size=18 * scale),
        on_click=on_click,
        tooltip=i18n.t("sync.chip.tooltip"),
        style=ft.ButtonStyle(
            bgcolor=s.tone.bg,
            side=ft.BorderSide(1, s.tone.fg),
            padding=ft.Padding.symmetric(horizontal=12, vertical=14),  # a 48 px touch target
        ),
    )
    return ft.Semantics(content=button, label=i18n.t("sync.icon.name", state=s.short), button=True, container=True,
                        exclude_semantics=True, on_tap=on_click, identifier="sync-chip")


def sync_icon(i18n: I18n, status: SyncStatus, scale: float, on_click: Callable) -> ft.Control:
    """The sync state at phone width: the state's icon in its tone, with the number of waiting items as a
    badge, so the screen title keeps the top bar. Its accessible name (and tooltip) says the whole state;
    tapping it opens the same explanation as the chip."""
    s = sync_summary(i18n, status)
    name = i18n.t("sync.icon.name", state=s.short)
    badge = None
    if status.pending:
        badge = ft.Badge(label="99+" if status.pending > 99 else str(status.pending), bgcolor=ft.Colors.PRIMARY,
                         text_color=ft.Colors.ON_PRIMARY, large_size=18 * scale,
                         text_style=ft.TextStyle(size=12 * scale, weight=ft.FontWeight.W_600))
    button = ft.IconButton(
        icon=ft.Icon(s.icon, color=s.tone.fg, size=24 * scale, badge=badge), tooltip=name, on_click=on_click,
        style=ft.ButtonStyle(bgcolor=s.tone.bg, side=ft.BorderSide(1, s.tone.fg)),
        size_constraints=ft.BoxConstraints(min_width=theme.TOUCH, min_height=theme.TOUCH))
    return ft.Semantics(content=button, label=name, button=True, container=True, exclude_semantics=True,
                        on_tap=on_click, identifier="sync-chip")


def section_title(value: str) -> ft.Control:
    return ft.Semantics(content=text(value, ft.TextThemeStyle.TITLE_LARGE, weight=ft.FontWeight.W_600),
                        header=True, container=True)


def error_line(message: str, scale: float, *, identifier: str | None = None) -> ft.Control:
    """A short error sentence with an icon (never colour alone)."""
    return ft.Semantics(
        content=ft.Row(
            [ft.Icon(ft.Icons.ERROR_OUTLINE, color=theme.DANGER.fg, size=20 * scale),
             ft.Text(message, color=theme.DANGER.fg, theme_style=ft.TextThemeStyle.BODY_MEDIUM, expand=True)],
            spacing=6, vertical_alignment=ft.CrossAxisAlignment.START,
        ),
        identifier=identifier, live_region=True, container=True,
    )


def info_line(message: str, scale: float, *, icon: ft.IconData = ft.Icons.CHECK_CIRCLE_OUTLINE,
              tone: theme.Tone = theme.SUCCESS, identifier: str | None = None) -> ft.Control:
    """A quiet status line, e.g. "Opgeslagen · wordt verstuurd zodra er verbinding is"."""
    return ft.Semantics(
        content=ft.Container(
            ft.Row([ft.Icon(icon, color=tone.fg, size=20 * scale),
                    ft.Text(message, color=tone.fg, theme_style=ft.TextThemeStyle.BODY_MEDIUM, expand=True)],
                   spacing=6),
            bgcolor=tone.bg, padding=ft.Padding.symmetric(horizontal=12, vertical=10),
            border_radius=ft.BorderRadius.all(8),
        ),
        identifier=identifier, live_region=True, container=True,
    )


def field(*fields: ft.Control, spacing: float = 8) -> ft.Control:
    """Text fields on a full-width row, in their own semantics container: without it Flutter web may fold
    the texts around a field into the field's accessible name (and taps land beside it)."""
    return ft.Semantics(content=ft.Row(list(fields), spacing=spacing), container=True)


def dialog(title: str, *, title_control: ft.Control | None = None, **kw) -> ft.AlertDialog:
    """An AlertDialog named by its title for screen readers: without ``semantics_label`` Flutter names
    every dialog "Melding" (its generic alertDialogLabel) on Android and the web, and the title is not
    announced. ``title_control`` draws the title otherwise (the words must be ``title``)."""
    return ft.AlertDialog(title=title_control or text(title, ft.TextThemeStyle.TITLE_LARGE), semantics_label=title,
                          **kw)


ERROR_MAX_LINES = 8


def text_field(**kw) -> ft.TextField:
    """A TextField whose message under it wraps onto more lines: without ``error_max_lines`` Flutter draws
    the error text on one line and cuts it off with an ellipsis (at 100 % zoom already on a phone)."""
    kw.setdefault("error_max_lines", ERROR_MAX_LINES)
    return ft.TextField(**kw)


def secret_field(i18n: I18n, *, label: str, what: str | None = None, scale: float = 1.0,
                 wrap: Callable[[Callable], Callable] = lambda f: f, **kw) -> ft.TextField:
    """A passphrase or PIN field with an eye button that shows and hides what is typed. The button is the
    field's own (not ``can_reveal_password``, whose button Flutter leaves without an accessible name): its
    name and tooltip say what a tap does ("Wachtwoordzin tonen" / "... verbergen"); ``what`` names the
    secret there when the label is a sentence ("Kies een wachtwoordzin")."""
    tf = text_field(label=label, password=True, **kw)
    button = ft.IconButton(icon=ft.Icons.VISIBILITY_OUTLINED, icon_size=22 * scale,
                           size_constraints=ft.BoxConstraints(min_width=theme.TOUCH, min_height=theme.TOUCH))
    named = ft.Semantics(content=button, button=True, container=True, exclude_semantics=True)

    def show(hidden: bool) -> None:
        name = i18n.t("secret.show" if hidden else "secret.hide", label=what or label)
        tf.password = hidden
        button.icon = ft.Icons.VISIBILITY_OUTLINED if hidden else ft.Icons.VISIBILITY_OFF_OUTLINED
        button.tooltip = named.label = name

    def toggle(e=None) -> None:
        show(not tf.password)

    button.on_click = named.on_tap = wrap(toggle)
    show(True)
    tf.suffix_icon = named
    return tf


# The session-store key of the app's "put the keyboard focus back in the app" (VeldwerkApp.focus_keys): a
# dropdown's menu that closes leaves the focus nowhere, where Escape no longer reaches the app's listener.
FOCUS_BACK = "veldwerk.focus_back"


def focus_back(control: ft.Control) -> None:
    """After a dropdown's menu closed with a choice: the focus back in the app, so one Escape goes back."""
    try:
        hook = control.page.session.store.get(FOCUS_BACK)
    except RuntimeError:  # no longer on a page
        return
    if hook is not None:
        hook()


class Choice:
    """A Dropdown whose accessible name says what it is, what is chosen and what is wrong
    ("Soort contact, Telefonisch contact"), with a stable Semantics identifier for tests.
    Flutter's DropdownMenu alone exposes neither its label, its value nor its error text.

    Its error message is a wrapping line under the dropdown (``error``), not the dropdown's own error
    text: Flutter draws that on one line, cut off with an ellipsis, and the DropdownMenu has no
    ``error_max_lines``. The dropdown's border turns red while there is a message."""

    def __init__(self, label: str, options: list[tuple[str, str]], value: str | None, identifier: str,
                 on_select: Callable, scale: float = 1.0, wrap: Callable[[Callable], Callable] = lambda f: f):
        self.label = label
        self.texts = dict(options)
        self.scale = scale
        self.error: str | None = None
        self._on_select = on_select
        self.dropdown = ft.Dropdown(
            label=label, value=value, expand=True, menu_height=420, enable_search=False,
            options=[ft.DropdownOption(key=k, text=v) for k, v in options],
            on_select=wrap(self._selected), text_size=16 * scale,
        )
        self.named = ft.Semantics(content=ft.Row([self.dropdown]), identifier=identifier, container=True)
        self.error_box = ft.Container(visible=False, padding=ft.Padding.only(left=12))
        self.control = ft.Column([self.named, self.error_box], spacing=4)
        self.describe()

    @property
    def value(self) -> str | None:
        return self.dropdown.value

    def set_error(self, message: str | None) -> None:
        self.error = message or None
        self.error_box.content = error_line(message, self.scale) if message else None
        self.error_box.visible = bool(message)
        self.dropdown.border = {
            ft.ControlState.DEFAULT: ft.OutlineInputBorder(side=ft.BorderSide(1, theme.DANGER.fg)),
            ft.ControlState.FOCUSED: ft.OutlineInputBorder(side=ft.BorderSide(2, theme.DANGER.fg)),
        } if message else None
        self.describe()

    def describe(self) -> None:
        parts = [self.label]
        if self.dropdown.value:
            parts.append(self.texts.get(self.dropdown.value, self.dropdown.value))
        if self.error:
            parts.append(self.error)
        self.named.label = ", ".join(parts)

    def _selected(self, e=None) -> None:
        focus_back(self.dropdown)
        self.set_error(None)  # a new choice answers the error
        self._on_select(e)


def icon_button(icon: ft.IconData, tooltip: str, on_click: Callable, scale: float = 1.0) -> ft.Control:
    """An icon button with a 48 x 48 px touch target, named by its tooltip. Flutter web gives the button
    itself no name (the tooltip is a separate node), so one semantics node says the name and takes the tap."""
    button = ft.IconButton(icon=icon, tooltip=tooltip, on_click=on_click, icon_size=24 * scale,
                           size_constraints=ft.BoxConstraints(min_width=theme.TOUCH, min_height=theme.TOUCH))
    return ft.Semantics(content=button, tooltip=tooltip, button=True, container=True,
                        exclude_semantics=True, on_tap=on_click)


def pinned_action(label: str, icon: ft.IconData, on_click: Callable, *, identifier: str, scale: float = 1.0
                  ) -> ft.Control:
    """The primary action in a bar pinned under a long scrolling form, for touch, mouse and screen
    readers, but not a Tab stop: Flutter's Tab order is by position on the screen, so a focusable button
    pinned at the bottom came right after the last field in view, in the middle of the form. The form
    ends with the same action as an ordinary button, which Tab reaches after the last field."""
    face = ft.Container(
        ft.Row([ft.Icon(icon, color=ft.Colors.ON_PRIMARY, size=18 * scale),
                ft.Text(label, color=ft.Colors.ON_PRIMARY, theme_style=ft.TextThemeStyle.LABEL_LARGE)],
               alignment=ft.MainAxisAlignment.CENTER, spacing=8),
        bgcolor=ft.Colors.PRIMARY, border_radius=ft.BorderRadius.all(24),
        padding=ft.Padding.symmetric(horizontal=20, vertical=16), expand=True,
        on_click=on_click,  # a GestureDetector (ink=False): no focus node, so no Tab stop
    )
    return ft.Semantics(content=ft.Row([face]), label=label, button=True, on_tap=on_click, container=True,
                        exclude_semantics=True, identifier=identifier)


def primary_button(label: str, icon: ft.IconData | None, on_click: Callable, *,
                   identifier: str | None = None, disabled: bool = False) -> ft.Control:
    """A full-width primary action at the bottom of a screen (≥ 48 px high)."""
    button = ft.FilledButton(content=label, icon=icon, on_click=on_click, disabled=disabled,
                             expand=True, style=ft.ButtonStyle(
                                 padding=ft.Padding.symmetric(horizontal=20, vertical=16)))
    return ft.Semantics(content=ft.Row([button]), identifier=identifier) if identifier else ft.Row([button])
