"""Cliënten: the caseload with search, filters (signaal, contact te laat, in overgang, fase), sorting,
badges per client, intake of a new client ("Nieuwe cliënt") and assignment ("Toewijzen aan…")."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import flet as ft

from field_app.app_api import may_assign
from field_app.domain.vocab import (
    CasusFase,
    Ernst,
    KaderFase,
    Veiligheidswaarschuwing,
)
from field_app.ui import components as c
from field_app.ui import fmt, theme
from field_app.ui.views.caseload_dialogs import (  # noqa: F401
    AddClientDialog,
    BreakGlassDialog,
    IntakeDialog,
    _date_to_iso,
)
from field_app.ui.views.worker_dialogs import AssignDialog
from field_app.views_model import CaseloadItem

if TYPE_CHECKING:
    from field_app.ui.app import VeldwerkApp

FILTERS = ("flagged", "overdue", "transition")
SORTS = ("name", "risk", "days", "flags")
ALL_PHASES = "ALLE"
NEVER = 10**6  # "no contact yet" sorts as the longest ago


def badge(label: str, icon: ft.IconData, tone: theme.Tone, scale: float) -> ft.Control:
    """Like ``components.badge`` (icon + word, coloured by meaning), but a long word wraps inside the
    badge instead of being cut off at 200 % text."""
    box = ft.Container(
        content=ft.Row(
            [ft.Icon(icon, color=tone.fg, size=16 * scale),
             ft.Text(label, color=tone.fg, theme_style=ft.TextThemeStyle.LABEL_LARGE, weight=ft.FontWeight.W_600,
                     expand=True, expand_loose=True)],
            spacing=4, tight=True, vertical_alignment=ft.CrossAxisAlignment.START,
        ),
        bgcolor=tone.bg,
        padding=ft.Padding.symmetric(horizontal=8, vertical=4),
        border_radius=ft.BorderRadius.all(12),
    )
    return ft.Semantics(content=box, label=label, container=True, exclude_semantics=True)


def caseload_items(services: Any) -> list[CaseloadItem]:
    """The services' caseload overview."""
    return services.caseload_items()


def phase_label(i18n, code: str | None) -> str:
    """A phase is a ZVH case phase or a framework phase; the code says which."""
    if not code:
        return ""
    for vocab in (CasusFase, KaderFase):
        try:
            return i18n.label(vocab.parse(code))
        except ValueError:
            continue
    return code


def risk_rank(code: str | None) -> int:
    try:
        return Ernst.parse(code).rank if code else -1
    except ValueError:
        return -1


def sort_items(items: list[CaseloadItem], how: str) -> list[CaseloadItem]:
    by_name = sorted(items, key=lambda i: (i.display_name.casefold(), i.id))
    if how == "risk":
        return sorted(by_name, key=lambda i: -risk_rank(i.risk_level))
    if how == "days":
        return sorted(by_name, key=lambda i: -(NEVER if i.days_since_contact is None else i.days_since_contact))
    if how == "flags":
        return sorted(by_name, key=lambda i: (-i.urgent_flags, -i.open_flags))
    return by_name


@dataclass
class CaseloadFilters:
    """What the caseload is narrowed to (search, filters, order). Kept by the app, not by the view: the
    view is rebuilt when the language or text size changes, and the filters reset then (found in the
    browser)."""

    query: str = ""
    active: dict[str, bool] = field(default_factory=lambda: dict.fromkeys(FILTERS, False))
    phase: str = ALL_PHASES
    sort: str = "name"


class CaseloadView:
    title_key = "caseload.title"
    back = False
    nav = True
    chip = True

    def __init__(self, app: VeldwerkApp):
        self.app = app
        t = app.i18n.t
        # the filters live in the app's CaseloadFilters, so a rebuilt view (another language) keeps them
        self.state: CaseloadFilters = app.caseload_filters
        self.search = c.text_field(label=t("caseload.search"), prefix_icon=ft.Icons.SEARCH,
                                   value=self.state.query, on_change=app.handler(self.on_search), expand=True,
                                   text_size=16 * app.scale)
        self.chips: dict[str, ft.Chip] = {}
        self.chip_nodes: dict[str, ft.Semantics] = {}
        # the chosen phase is an option from the start; _update_phases adds the others (or drops a gone one)
        phases = [(ALL_PHASES, t("lists.filter.phase_all"))] + (
            [(self.state.phase, phase_label(app.i18n, self.state.phase))] if self.state.phase != ALL_PHASES else [])
        self.phase_choice = c.Choice(t("lists.filter.phase"), phases, self.state.phase, "filter-phase", self.on_phase,
                                     app.scale, app.handler)
        self.sort_choice = c.Choice(t("lists.sort"), [(s, t(f"lists.sort.{s}")) for s in SORTS], self.state.sort,
                                    "caseload-sort", self.on_sort, app.scale, app.handler)
        self.clear = ft.TextButton(content=t("lists.filter.clear"), icon=ft.Icons.FILTER_ALT_OFF,
                                   on_click=app.handler(self.clear_filters), visible=False)
        self.list = ft.Column(spacing=6, key="caseload-list")
        self.count = c.text("", ft.TextThemeStyle.BODY_MEDIUM, color=ft.Colors.ON_SURFACE_VARIANT)
        self._phases: tuple[str, ...] = ()
        self._search_suffix()

    def build(self) -> ft.Control:
        t = self.app.i18n.t
        for key in FILTERS:
            self.chips[key] = ft.Chip(label=ft.Text(t(f"lists.filter.{key}"),
                                                    theme_style=ft.TextThemeStyle.LABEL_LARGE),
                                      selected=False, show_checkmark=True, height=theme.TOUCH * self.app.scale,
                                      on_select=self.app.handler(lambda e, k=key: self.toggle(k)))
            self.chip_nodes[key] = ft.Semantics(content=self.chips[key], identifier=f"filter-{key}")
        self._describe_chips()
        # one row on top: search, and a filter button that says how many filters are on (the sheet holds them)
        self.filter_button = ft.OutlinedButton(content=t("lists.filter.button"), icon=ft.Icons.FILTER_LIST,
                                               on_click=self.app.handler(self.open_filters))
        self.filter_node = ft.Semantics(content=self.filter_button, identifier="caseload-filters")
        self.refresh()
        self.list_view = ft.ListView([c.node(self.count), self.list, ft.Container(height=88 * self.app.scale)],
                                     padding=ft.Padding.symmetric(horizontal=16, vertical=4), expand=True,
                                     spacing=4, on_scroll=self._on_scroll, scroll_interval=100)
        search = ft.Semantics(content=self.search, container=True, expand=True)  # own node (see c.field)
        top = ft.Row([search, self.filter_node], spacing=8, vertical_alignment=ft.CrossAxisAlignment.CENTER)
        if self.app.scale > 1.5:  # at 200 % the field needs the whole width: the button goes below it
            top = ft.Column([c.field(self.search), ft.Row([self.filter_node])], spacing=4)
        return ft.Column(
            [ft.Container(top, padding=ft.Padding.only(left=16, right=16, top=8, bottom=4)), self.list_view],
            expand=True, spacing=0,
        )

    def fab(self) -> ft.FloatingActionButton | None:
        """"Nieuwe cliënt" floats at the bottom; the end of the list leaves room for it, and while the list
        scrolls it shrinks to its icon (its name stays for screen readers). None for a reading role."""
        t = self.app.i18n.t
        if not self.app.may_record:
            self.add = None
            return None
        self.add = ft.FloatingActionButton(icon=ft.Icons.PERSON_ADD_ALT, content=t("caseload.add"),
                                           on_click=self.app.handler(self.open_add_dialog))
        return self.add

    def _on_scroll(self, e: ft.OnScrollEvent) -> None:
        add = getattr(self, "add", None)
        if add is None:
            return
        compact = (e.pixels or 0) > 8
        if compact == (not isinstance(add.content, str)):
            return
        word = self.app.i18n.t("caseload.add")
        if compact:  # the round button with only the icon, still named for a screen reader
            add.icon, add.content = None, ft.Icon(ft.Icons.PERSON_ADD_ALT, semantics_label=word)
        else:
            add.icon, add.content = ft.Icons.PERSON_ADD_ALT, word
        add.update()

    def open_filters(self, e=None) -> None:
        """The bottom sheet with the filters and the order."""
        t = self.app.i18n.t

        def done(e=None) -> None:
            self.app.page.pop_dialog()

        self.sheet = ft.BottomSheet(
            content=ft.Container(ft.Column([
                c.section_title(t("lists.filter.title")),
                ft.Row(list(self.chip_nodes.values()), wrap=True, spacing=8, run_spacing=8),
                self.phase_choice.control,
                self.sort_choice.control,
                ft.Row([self.clear], wrap=True),
                c.primary_button(t("lists.filter.done"), ft.Icons.CHECK, self.app.handler(done),
                                 identifier="filters-done"),
            ], spacing=12, tight=True, scroll=ft.ScrollMode.AUTO), padding=ft.Padding.all(16)),
            scrollable=True, show_drag_handle=True,
        )
        self.app.page.show_dialog(self.sheet)

    def active_count(self) -> int:
        return sum(self.state.active.values()) + (self.state.phase != ALL_PHASES)

    def _describe_filter_button(self) -> None:
        button = getattr(self, "filter_button", None)
        if button is None:
            return
        t, n = self.app.i18n.t, self.active_count()
        button.content = t("lists.filter.button_n", n=n) if n else t("lists.filter.button")
        self.filter_node.label = self.app.i18n.n("lists.filter.button_semantic", n)

    # -- data
    def shown(self, items: list[CaseloadItem]) -> list[CaseloadItem]:
        """Search, the filters (combined: all must hold) and the chosen order."""
        query = (self.search.value or "").strip().casefold()
        out = [i for i in items if query in i.display_name.casefold()] if query else list(items)
        if self.state.active["flagged"]:
            out = [i for i in out if i.open_flags]
        if self.state.active["overdue"]:
            out = [i for i in out if i.overdue_days]
        if self.state.active["transition"]:
            out = [i for i in out if i.in_transition]
        if self.state.phase != ALL_PHASES:
            out = [i for i in out if i.phase == self.state.phase]
        return sort_items(out, self.state.sort)

    def filtering(self) -> bool:
        return any(self.state.active.values()) or self.state.phase != ALL_PHASES

    def refresh(self) -> None:
        app, t = self.app, self.app.i18n.t
        items = caseload_items(app.services)
        query = (self.search.value or "").strip()
        state = (tuple(items), query.casefold(), tuple(self.state.active.items()), self.state.phase, self.state.sort,
                 fmt.local(fmt.now_ms()).date())
        if state == getattr(self, "_shown", None):
            return  # nothing new: leave the list alone (no redraw while someone types or listens)
        self._shown = state
        self._update_phases(items)
        self.clear.visible = self.filtering()
        self._describe_filter_button()
        shown = self.shown(items)
        if not items:
            self.count.value = ""
            self.list.controls = [self._empty(t("caseload.empty_title"), t("caseload.empty_body"))]
        elif not shown and query and not self.filtering():
            self.count.value = ""
            self.list.controls = [self._empty(t("caseload.no_match_title", query=query),
                                              t("caseload.no_match_body"),
                                              (t("caseload.search_clear"), ft.Icons.CLEAR, self.clear_search))]
        elif not shown:  # the way out is here, not only inside the filter sheet (found in the browser)
            self.count.value = ""
            self.list.controls = [self._empty(t("lists.filter.none_title"), t("lists.filter.none_body"),
                                              (t("lists.filter.clear"), ft.Icons.FILTER_ALT_OFF, self.clear_filters))]
        else:
            self.count.value = app.i18n.n("caseload.count", len(shown))
            me = app.services.user_name
            self.list.controls = [self._tile(i, me) for i in shown]

    def _update_phases(self, items: list[CaseloadItem]) -> None:
        phases = tuple(sorted({i.phase for i in items if i.phase}, key=lambda p: phase_label(self.app.i18n, p)))
        if phases == self._phases:
            return
        self._phases = phases
        t = self.app.i18n.t
        options = [(ALL_PHASES, t("lists.filter.phase_all"))] + [(p, phase_label(self.app.i18n, p)) for p in phases]
        self.phase_choice.texts = dict(options)
        self.phase_choice.dropdown.options = [ft.DropdownOption(key=k, text=v) for k, v in options]
        if self.state.phase not in dict(options):
            self.state.phase = ALL_PHASES
            self.phase_choice.dropdown.value = ALL_PHASES
        self.phase_choice.describe()

    def _empty(self, title: str, body: str, action: tuple[str, ft.IconData, Callable] | None = None) -> ft.Control:
        """What the empty list says, with the one step out of it (``action``: label, icon, handler)."""
        rows: list[ft.Control] = [ft.Icon(ft.Icons.PEOPLE_OUTLINE, size=40 * self.app.scale),
                                  c.text(title, ft.TextThemeStyle.TITLE_MEDIUM, weight=ft.FontWeight.W_600),
                                  c.text(body, ft.TextThemeStyle.BODY_LARGE)]
        empty = ft.Semantics(content=ft.Container(ft.Column(rows, spacing=8), padding=ft.Padding.symmetric(vertical=24)),
                             identifier="caseload-empty", container=True)
        if action is None:
            return empty
        label, icon, fn = action  # beside the group, not in it: in it, the texts became only its name
        button = ft.Semantics(content=ft.Row([ft.OutlinedButton(content=label, icon=icon, on_click=self.app.handler(fn))]),
                              identifier="caseload-empty-action")
        return ft.Column([empty, button], spacing=0)

    def badges(self, item: CaseloadItem) -> list[tuple[str, ft.IconData, theme.Tone]]:
        """The row's signals as (word, icon, tone): colour never alone."""
        i18n, t = self.app.i18n, self.app.i18n.t
        out: list[tuple[str, ft.IconData, theme.Tone]] = []
        if item.risk_level:
            out.append((t("risk.badge", severity=i18n.code_label(Ernst, item.risk_level)),
                        theme.severity_icon(item.risk_level), theme.severity_tone(item.risk_level)))
        if item.urgent_flags:
            out.append((t(f"lists.row.urgent.{'one' if item.open_flags == 1 else 'other'}", n=item.open_flags,
                          u=item.urgent_flags), ft.Icons.NOTIFICATION_IMPORTANT, theme.DANGER))
        elif item.open_flags:
            out.append((i18n.n("lists.row.flags", item.open_flags), ft.Icons.FLAG_OUTLINED, theme.WARNING))
        if item.overdue_days:
            tone = theme.DANGER if item.overdue_days >= 7 else theme.WARNING
            out.append((i18n.n("lists.row.overdue", item.overdue_days), ft.Icons.EVENT_BUSY, tone))
        if item.in_transition:
            out.append((t("lists.row.in_transition"), ft.Icons.SWAP_HORIZ, theme.NEUTRAL))
        if item.returned:
            out.append((t("review.returned_badge"), ft.Icons.UNDO, theme.WARNING))
        if getattr(item, "conflicts", 0):  # two changes at once: open the file to pick (#11)
            out.append((t("conflict.badge"), ft.Icons.CALL_SPLIT, theme.WARNING))
        if item.safety_warning and item.safety_warning != "GEEN":
            out.append((i18n.code_label(Veiligheidswaarschuwing, item.safety_warning), ft.Icons.SHIELD_OUTLINED,
                        theme.DANGER))
        return out

    def _last_contact(self, item: CaseloadItem) -> str:
        i18n = self.app.i18n
        days = item.days_since_contact
        if days is None:
            return i18n.t("caseload.no_contact")
        if days <= 0:
            return i18n.t("caseload.last_contact_today")
        if days == 1:
            return i18n.t("caseload.last_contact_yesterday")
        return i18n.n("caseload.last_contact_days", days)

    def _tile(self, item: CaseloadItem, me: str) -> ft.Control:
        """One client, compact: the name, then the last contact and the badges that need action. The rest
        (framework, phase, cover, case manager) is on the client screen."""
        app, i18n, t = self.app, self.app.i18n, self.app.i18n.t
        scale = app.scale
        name_row: list[ft.Control] = [
            c.text(item.display_name, ft.TextThemeStyle.TITLE_MEDIUM, weight=ft.FontWeight.W_600),
        ]
        if item.fictional:
            name_row.append(c.fictional_badge(i18n, scale))
        badges = self.badges(item)
        last = self._last_contact(item)
        line = ft.Row([c.text(last, ft.TextThemeStyle.BODY_MEDIUM, color=ft.Colors.ON_SURFACE_VARIANT),
                       *[badge(w, icon, tone, scale) for w, icon, tone in badges]],
                      wrap=True, spacing=6, run_spacing=4, vertical_alignment=ft.CrossAxisAlignment.CENTER)
        spoken = [item.display_name, last, *[w for w, _, _ in badges]]
        if item.fictional:
            spoken.append(t("client.fictional_semantic"))
        open_it = app.handler(lambda e=None, cid=item.id: app.open_client(cid))
        tap = ft.Container(ft.Column([ft.Row(name_row, spacing=8, run_spacing=4, wrap=True), line], spacing=4),
                           padding=ft.Padding.only(left=12, top=8, bottom=8, right=0), on_click=open_it, ink=True)
        # a screen reader hears one button, in the visual order: "Henk V., Laatste contact: 118 dagen geleden,
        # 1 signaal, Contact te laat (111 dagen), ..."
        main = ft.Semantics(content=tap, button=True, container=True, exclude_semantics=True,
                            label=", ".join(spoken), on_tap=open_it, expand=True)
        # an icon button (its tooltip is its accessible name) that opens the row's actions
        menu = c.icon_button(ft.Icons.MORE_VERT, t("lists.row.menu", name=item.display_name),
                             app.handler(lambda e=None, i=item: RowActions(app, i).open()), scale)
        return ft.Card(
            content=ft.Row([main, menu], vertical_alignment=ft.CrossAxisAlignment.CENTER, spacing=0),
            margin=ft.Margin.all(0),
            key=f"client-{item.id}",
        )

    def _describe_chips(self) -> None:
        # a filter chip is a checkbox for a screen reader: "Signaal, aangevinkt"
        for key, chip in self.chips.items():
            chip.selected = self.state.active[key]

    # -- events
    def on_search(self, e=None) -> None:
        self.state.query = self.search.value or ""
        self._search_suffix()
        self.refresh()

    def _search_suffix(self) -> None:
        """A clear button in the search field while it holds text."""
        t = self.app.i18n.t
        self.search.suffix = c.icon_button(ft.Icons.CLEAR, t("caseload.search_clear"),
                                           self.app.handler(self.clear_search), self.app.scale) \
            if self.search.value else None

    def clear_search(self, e=None) -> None:
        self.search.value = self.state.query = ""
        self._search_suffix()
        self.refresh()

    def toggle(self, key: str) -> None:
        self.state.active[key] = not self.state.active[key]
        self._describe_chips()
        self.refresh()

    def on_phase(self, e=None) -> None:
        self.state.phase = self.phase_choice.value or ALL_PHASES
        self.refresh()

    def on_sort(self, e=None) -> None:
        self.state.sort = self.sort_choice.value or "name"
        self.refresh()

    def clear_filters(self, e=None) -> None:
        self.state.active = dict.fromkeys(FILTERS, False)
        self.state.phase = ALL_PHASES
        self.phase_choice.dropdown.value = ALL_PHASES
        self.phase_choice.describe()
        self._describe_chips()
        self.refresh()

    def open_add_dialog(self, e=None) -> None:
        IntakeDialog(self.app).open()


class RowActions:
    """The actions of one caseload row: open the file, "Toewijzen aan…"."""

    def __init__(self, app: VeldwerkApp, item: CaseloadItem):
        self.app = app
        t = app.i18n.t

        def open_file(e=None) -> None:
            app.page.pop_dialog()
            app.open_client(item.id)

        def routine(e=None) -> None:
            app.page.pop_dialog()
            app.open_routine_contact(item.id)

        def assign(e=None) -> None:
            app.page.pop_dialog()
            AssignDialog(app, item.id, item.display_name, item.assigned_to).open()

        def cancel(e=None) -> None:
            app.page.pop_dialog()

        def action(label: str, icon: ft.IconData, fn: Callable) -> ft.Control:
            return ft.Row([ft.OutlinedButton(content=label, icon=icon, on_click=app.handler(fn), expand=True)])

        self.dialog = c.dialog(
            item.display_name,
            content=ft.Column([action(t("lists.row.open"), ft.Icons.FOLDER_OPEN_OUTLINED, open_file),
                               *([action(t("routine.action"), ft.Icons.EVENT_AVAILABLE, routine)]
                                 if app.may_record else []),
                               *([action(t("lists.row.assign"), ft.Icons.ASSIGNMENT_IND_OUTLINED, assign)]
                                 if may_assign(app.services.role) else
                                 [c.para(t("lists.row.assign_by_supervisor"), ft.TextThemeStyle.BODY_MEDIUM)])],
                              tight=True, spacing=12, width=340),
            actions=[ft.TextButton(content=t("common.cancel"), on_click=app.handler(cancel))],
        )

    def open(self) -> None:
        self.app.page.show_dialog(self.dialog)


