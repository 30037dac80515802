"""The app shell: top bar with the sync chip, bottom navigation, screens, locking.

``build(page, services)`` is called once per browser session (Flet's ``main``). The ``Services`` object
is the device and is shared by every session of the process; a :class:`SessionGuard` (also shared) makes
sure only one session at a time sees unlocked data.

Threading: Flet runs event handlers on its event loop. ``Services.subscribe`` callbacks arrive on a
background thread; they are handed to the loop and the page is updated explicitly there.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
from collections.abc import Callable
from typing import Any

import flet as ft

from field_app.app_api import (
    TEAM_TAB_ROLES,
    LockedError,
    StorageError,
    ValidationError,
    may_record,
)
from field_app.ui import app_unlock, chrome
from field_app.ui import components as c
from field_app.ui.i18n import I18n
from field_app.ui.keystore import FletKeystore, Keystore, is_phone
from field_app.ui.prefs import UiPrefs, shared_guard_and_prefs  # noqa: F401  (re-exported)
from field_app.ui.session_guard import SessionGuard
from field_app.ui.theme import apply_theme, clamp_scale
from field_app.ui.views.agenda import AgendaView
from field_app.ui.views.caseload import BreakGlassDialog, CaseloadFilters, CaseloadView
from field_app.ui.views.client import ClientView
from field_app.ui.views.contact_form import ContactFormView
from field_app.ui.views.devices import SecurityView
from field_app.ui.views.enrol import EnrolView
from field_app.ui.views.flags import FlagsView
from field_app.ui.views.more import MoreView
from field_app.ui.views.team import TeamView
from field_app.ui.views.unlock import UnlockView

log = logging.getLogger("veldwerk.ui")



def build(page: ft.Page, services: Any, guard: SessionGuard | None = None,
          prefs: UiPrefs | None = None) -> VeldwerkApp:
    """Flet entry point for one session: ``ft.run(lambda page: build(page, services))``."""
    if guard is None or prefs is None:
        shared_guard, shared_prefs = shared_guard_and_prefs(services)
        guard, prefs = guard or shared_guard, prefs or shared_prefs
    app = VeldwerkApp(page, services, guard, prefs)
    app.start()
    return app


class VeldwerkApp:
    """One browser session's UI. Implements the guard's ``Holder`` protocol."""

    TABS = ("caseload", "agenda", "flags", "more")
    TEAM_TABS = ("caseload", "agenda", "flags", "team", "more")  # supervising roles (TEAM_TAB_ROLES)
    TAB_VIEWS = {"caseload": CaseloadView, "agenda": AgendaView, "flags": FlagsView, "team": TeamView,
                 "more": MoreView}

    def __init__(self, page: ft.Page, services: Any, guard: SessionGuard, prefs: UiPrefs):
        self.page = page
        self.services = services
        self.guard = guard
        self.prefs = prefs
        self.i18n = I18n(prefs.lang)
        self.scale = clamp_scale(prefs.text_scale)
        self.loop = asyncio.get_running_loop()
        self.screen: Any = None
        self.stack: list[Any] = []  # screens below the current one (for "Terug")
        self.tab = 0
        self.caseload_filters = CaseloadFilters()  # survives the caseload view being rebuilt (language, text size)
        self.errors: list[str] = []  # unexpected handler errors (shown to the user; tests assert none)
        self._notice: tuple[str, str, str] | None = None  # (kind, note id, client id)
        self._refresh_scheduled = False
        self.top_key: tuple | None = None  # what the top bar shows now (see chrome.render_top)
        self._closed = False
        self._unsubscribe: Callable[[], None] | None = None
        self._keystore: Keystore | None = None
        self._forgetting: asyncio.Task | None = None
        self.top = ft.Container(padding=ft.Padding.only(left=4, right=8, top=6, bottom=6),
                                bgcolor=ft.Colors.SURFACE_CONTAINER)
        self.body = ft.Container(expand=True)
        # Hears the keys Flutter's widgets leave alone (_on_focus_key): an open dropdown menu takes its Escape,
        # so only this listener can tell that Escape was the menu's. It needs the keyboard focus in the app.
        self.keys: ft.KeyboardListener | None = None
        self._plain_escape = False  # the last Escape the page saw had no modifier (KeyDownEvent has none)

    # -- lifecycle -------------------------------------------------------------------------------------------
    def start(self) -> None:
        page = self.page
        page.title = "Veldwerk"
        page.padding = 0
        page.spacing = 0
        apply_theme(page, self.scale, self.prefs.theme_mode)
        self._apply_locale()
        page.on_disconnect = self._on_disconnect
        page.on_close = self._on_close
        page.on_app_lifecycle_state_change = self._on_lifecycle
        page.on_keyboard_event = self._on_key
        page.session.store.set(c.FOCUS_BACK, self.focus_keys)
        chrome.watch_width(self)
        self.keys = ft.KeyboardListener(content=ft.Column([self.top, self.body], expand=True, spacing=0),
                                        autofocus=True, include_semantics=False, on_key_down=self._on_focus_key)
        page.add(ft.SafeArea(self.keys, expand=True))
        self._unsubscribe = self.services.subscribe(self._on_services_changed)
        self.show_unlock(None)

    def _on_disconnect(self, e=None) -> None:
        """The tab closed or lost its connection: lock if this session held the unlocked device."""
        if self.guard.is_owner(self):
            self.lock("disconnected")

    def _on_lifecycle(self, e) -> None:
        """The app went to the background (phone) or its tab was hidden or closed (browser): lock, keep
        the form."""
        if getattr(e, "state", None) in (ft.AppLifecycleState.HIDE, ft.AppLifecycleState.PAUSE):
            if self.guard.is_owner(self) and self.services.unlocked:
                phone = self.page.platform in (ft.PagePlatform.ANDROID, ft.PagePlatform.IOS)
                self.lock("background" if phone else "hidden")

    # -- phone mode: the keystore secret ------------------------------------------------------------------
    @property
    def keystore(self) -> Keystore:
        """The phone's secure storage (flet-secure-storage), registered with this page on first use."""
        if self._keystore is None:
            self._keystore = FletKeystore()
        return self._keystore

    @keystore.setter
    def keystore(self, value: Keystore) -> None:
        self._keystore = value

    def phone_mode(self) -> bool:
        """Does this device (enrolled or about to be) unlock with PIN + keystore secret?"""
        mode = self.services.unlock_mode() if self.services.enrolled else None
        return mode == "pin" if mode else is_phone(self.page)

    async def platform_secret(self) -> bytes:
        """The keystore secret of a phone-mode vault; PlatformSecretMissing if it is gone."""
        return await app_unlock.platform_secret(self)

    async def enrol(self, **fields: Any) -> None:
        """Register this device (phone mode: with a fresh keystore secret; see ``app_unlock.enrol``)."""
        await app_unlock.enrol(self, **fields)

    async def change_secret(self, old: str, new: str) -> None:
        await app_unlock.change_secret(self, old, new)

    async def forget_platform_secret(self) -> None:
        await app_unlock.forget_platform_secret(self)

    async def _delete_platform_secret(self) -> None:
        await app_unlock._delete_platform_secret(self)

    def _on_close(self, e=None) -> None:
        self._closed = True
        if self._unsubscribe:
            self._unsubscribe()
            self._unsubscribe = None
        if self.guard.is_owner(self):  # no screen left to draw on: keep the draft and lock the device
            self._keep_draft(resume=True)
            self.services.lock()
        self.guard.release(self)

    # -- handlers ----------------------------------------------------------------------------------------------
    def handler(self, fn: Callable, *, needs_unlock: bool = True) -> Callable:
        """Wrap an event handler: count it as activity, refuse it when this session is not unlocked,
        turn an unexpected error into a visible message instead of a crashed session."""
        takes_event = len(inspect.signature(fn).parameters) > 0

        def allowed() -> bool:
            if needs_unlock and not self.is_unlocked():
                self.show_unlock("locked")
                return False
            self.guard.touch(self)
            return True

        if inspect.iscoroutinefunction(fn):
            async def async_wrapped(e=None):
                if not allowed():
                    return
                try:
                    await (fn(e) if takes_event else fn())
                except LockedError:
                    self.show_unlock("locked")
                except StorageError as exc:  # a full disk or read-only file: nothing stored, said in Dutch
                    self.toast(self.i18n.t(f"storage.{exc.kind}"), error=True)
                except Exception as exc:
                    self._report(exc)
                self._flush()
            return async_wrapped

        def wrapped(e=None):
            if not allowed():
                return
            try:
                fn(e) if takes_event else fn()
            except LockedError:
                self.show_unlock("locked")
            except StorageError as exc:
                self.toast(self.i18n.t(f"storage.{exc.kind}"), error=True)
            except Exception as exc:
                self._report(exc)
            self._flush()
        return wrapped

    def _flush(self) -> None:
        """Send what changed. Flet's auto-update is skipped once a handler called ``update()`` itself
        (e.g. to show "Bezig met ontgrendelen…" before an await), so every handler ends with this."""
        try:
            self.page.update()
        except RuntimeError:  # the session is gone
            pass

    def _report(self, exc: Exception) -> None:
        log.exception("unexpected error in the UI")
        self.errors.append(f"{type(exc).__name__}: {exc}")
        try:
            self.toast(self.i18n.t("error.unexpected"), error=True)
        except Exception:  # the session itself is gone
            log.exception("could not show the error")

    def is_unlocked(self) -> bool:
        return self.guard.is_owner(self) and self.services.unlocked

    # -- background updates ------------------------------------------------------------------------------------
    def _on_services_changed(self) -> None:
        """Runs on a background thread: hand over to the event loop (coalesced)."""
        if self._closed or self._refresh_scheduled:
            return
        self._refresh_scheduled = True
        try:
            self.loop.call_soon_threadsafe(self._refresh)
        except RuntimeError:  # loop closed: the process is shutting down
            self._refresh_scheduled = False

    def _session_gone(self) -> bool:
        """True once Flet destroyed this session (then stop listening to the device)."""
        try:
            self.page.session  # noqa: B018 - raises RuntimeError for a destroyed session
        except RuntimeError:
            self._on_close()
            return True
        return False

    def _refresh(self) -> None:
        self._refresh_scheduled = False
        if self._closed or self.screen is None or self.services.closed or self._session_gone():
            return
        try:
            if isinstance(self.screen, (UnlockView, EnrolView)):
                self.screen.refresh()
            elif not self.is_unlocked():
                self.show_unlock("locked")
                return
            else:
                self.screen.refresh()
                self._render_top()
            self.page.update()
        except LockedError:
            self.show_unlock("locked")
        except Exception as exc:
            if self._session_gone():  # the browser went away while we drew: nothing to tell anyone
                return
            self._report(exc)

    def _on_loop(self, fn: Callable[[], None]) -> None:
        """Run ``fn`` on this session's event loop (now, if we are already on it)."""
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is self.loop:
            fn()
        else:
            self.loop.call_soon_threadsafe(fn)

    # -- Holder protocol (SessionGuard) ------------------------------------------------------------------------
    def on_displaced(self) -> None:
        """Another browser session unlocks the device: keep the draft, show the unlock screen."""
        def run() -> None:
            kept = self._keep_draft(resume=True)
            self.show_unlock("elsewhere", draft_kept=kept)
        self._on_loop(run)

    def on_idle(self) -> None:
        self._on_loop(lambda: self.lock("idle"))

    # -- locking -------------------------------------------------------------------------------------------------
    async def unlock(self, passphrase: str) -> str | None:
        """Unlock the device for this session. Returns a sentence for the user on failure."""
        return await app_unlock.unlock(self, passphrase)

    async def _deliver_quietly(self) -> None:
        await app_unlock._deliver_quietly(self)

    def enrolled(self) -> None:
        """Just registered: show this device's fingerprint and "wacht op bevestiging" (Toestel en
        beveiliging); Terug leads to the client list."""
        self.tab = 0
        self.stack = [CaseloadView(self)]
        self.show(SecurityView(self))
        self.toast(self.i18n.t("enrol.done"))

    def unlock_problem(self, *, wrong: bool) -> str:
        """Why unlocking did not work and what happens next, from the device's own attempt counter."""
        return app_unlock.unlock_problem(self, wrong=wrong)

    def _after_unlock(self) -> None:
        app_unlock.after_unlock(self)

    def _keep_draft(self, *, resume: bool) -> bool:
        """Save a half-typed contact form as a sealed draft. True if there was one to keep."""
        return app_unlock.keep_draft(self, resume=resume)

    def lock(self, reason: str) -> None:
        """Keep a half-typed form as a draft, drop the keys, show the unlock screen."""
        log.info("screen locked: %s", reason)  # the reason is a fixed word, never user data
        kept = self._keep_draft(resume=True)
        if self.guard.is_owner(self) or self.guard.owner is None:
            self.services.lock()
        self.guard.release(self)
        self.show_unlock(reason, draft_kept=kept)

    # -- navigation ------------------------------------------------------------------------------------------------
    def show_unlock(self, reason: str | None, *, draft_kept: bool = False) -> None:
        self.stack = []
        self._notice = None
        self.caseload_filters = CaseloadFilters()  # after unlocking, the list starts whole
        self.page.pop_dialog()
        info = self.services.unlock_info()
        if not self.services.enrolled and not info.get("erased"):
            self.show(EnrolView(self))
            return
        self.show(UnlockView(self, reason, draft_kept=draft_kept))

    def show(self, screen: Any) -> None:
        self.screen = screen
        self.body.content = screen.build()
        fab = getattr(screen, "fab", None)  # a screen's floating action ("Nieuwe cliënt"), or none
        self.page.floating_action_button = fab() if fab is not None else None
        self._render_top()
        if screen.nav:
            self.page.navigation_bar = self._nav_bar()
        else:
            self.page.navigation_bar = None
        self.page.update()
        self.focus_keys()  # a new screen: the focus may be nowhere (a menu closed on the last one)

    def replace_screen(self, screen: Any) -> None:
        self.show(screen)

    def push(self, screen: Any) -> None:
        if getattr(screen, "writes", False) and not self.may_record:  # the screens leave these out; belt and braces
            self.toast(self.i18n.t("validation.role"), error=True)
            return
        if self.screen is not None and not isinstance(self.screen, UnlockView):
            self.stack.append(self.screen)
        self.show(screen)

    def back(self, e=None) -> None:
        if isinstance(self.screen, ContactFormView) and self.screen.dirty:
            self._keep_draft(resume=False)
            self._notice = ("draft_kept", "", self.screen.client_id)
        previous = self.stack.pop() if self.stack else CaseloadView(self)
        self.show(previous)

    def _on_key(self, e: ft.KeyboardEvent) -> None:
        """Every key reaches the page first, before Flutter's widgets, whether they then take it or not: an
        open dropdown menu closes on Escape and the page still hears that Escape (found in the browser: one
        Escape closed the menu and left the form; the web build sends no event when a menu opens). So here
        Escape is only noted; it is the back arrow when it also reaches the focus listener (_on_focus_key),
        which a key a menu or dialog took never does. And the focus goes back into the app: a menu that
        closed leaves it nowhere, where the listener hears nothing, so the next Escape must find it. (A menu
        closed by a tap beside it tells the app nothing: there the first Escape only brings the focus back.)"""
        if e.key != "Escape":
            return
        self._plain_escape = not (e.shift or e.ctrl or e.alt or e.meta)
        if self.screen is not None and getattr(self.screen, "back", False) and not self.dialog_open():
            self.focus_keys()

    def _on_focus_key(self, e: ft.KeyDownEvent) -> None:
        """A key nothing in the app took (it comes after the page's _on_key of the same press). Escape on a
        pushed screen is the back arrow (found in the browser: it did nothing). While a dialog or sheet is
        open, Escape is Flutter's to close it and nothing else happens."""
        if e.key != "Escape":
            ft.context.disable_auto_update()  # typing: nothing to send back
            return
        plain, self._plain_escape = self._plain_escape, False
        if not plain or self.screen is None or not getattr(self.screen, "back", False) or self.dialog_open():
            return
        self.handler(self.back)()

    def focus_keys(self) -> None:
        """Put the keyboard focus on the app's key listener (after a screen change, a dropdown choice or an
        Escape a menu took), so that the next Escape reaches it."""
        if self.keys is None or self._closed:
            return
        self.page.run_task(self._focus_keys)

    async def _focus_keys(self) -> None:
        try:
            await self.keys.focus()
        except Exception:  # the session went away meanwhile, or the browser did not answer: nothing to do
            log.debug("focus on the key listener failed", exc_info=True)

    def dialog_open(self) -> bool:
        """Is a dialog, bottom sheet or picker showing on this page?"""
        return any(getattr(d, "open", False) for d in self.page._dialogs.controls)

    def open_tab(self, index: int) -> None:
        self.tab = index
        self.stack = []
        self._notice = None
        self.show(self.TAB_VIEWS[self.tabs[index]](self))

    @property
    def tabs(self) -> tuple[str, ...]:
        """The bottom tabs of this user: supervising roles also get Team (review queue, dashboard)."""
        try:
            role = self.services.role if self.services.unlocked else None
        except Exception:  # not enrolled yet
            role = None
        return self.TEAM_TABS if role in TEAM_TAB_ROLES else self.TABS

    @property
    def may_record(self) -> bool:
        """Whether this user's role writes records. A partner reader and the DPO only read (DOMAIN.md roles,
        core/policy.py ``may_write``): every screen leaves out the actions the device would refuse them."""
        try:
            return self.services.unlocked and may_record(self.services.role)
        except Exception:  # not enrolled yet
            return False

    def open_client(self, client_id: str) -> None:
        """Open a client's file. The opening is logged by the services (access log); a file outside
        one's own caseload asks for a reason first (break the glass)."""
        try:
            self.log_file_opened(client_id)
        except ValidationError as exc:
            if "reason" not in exc.errors:
                raise
            BreakGlassDialog(self, client_id, self.validation_message(exc.errors, "reason")).open()
            return
        self.show_client(client_id)

    def show_client(self, client_id: str) -> None:
        self._notice = None
        self.push(ClientView(self, client_id))

    def log_file_opened(self, client_id: str, reason: str | None = None) -> None:
        self.services.open_client_file(client_id, reason)

    def open_contact_form(self, client_id: str) -> None:
        self._notice = None
        self.push(ContactFormView(self, client_id))

    def open_routine_contact(self, client_id: str) -> None:
        """*Alles volgens afspraak*: the contact form filled in for a routine visit. Opening it is logged
        like opening the file; a client outside one's caseload goes through the file (asks a reason)."""
        try:
            self.log_file_opened(client_id)
        except ValidationError as exc:
            if "reason" not in exc.errors:
                raise
            self.open_client(client_id)
            return
        self._notice = None
        self.push(ContactFormView(self, client_id, routine=True))

    def open_meldcode_for_flag(self, client_id: str, flag_id: str) -> None:
        """The meldcode weighing straight from a flag in the Signalen list: logged like opening the file
        (a client outside one's caseload goes through the file, which asks a reason)."""
        try:
            self.log_file_opened(client_id)
        except ValidationError as exc:
            if "reason" not in exc.errors:
                raise
            self.open_client(client_id)
            return
        self.open_meldcode(client_id, flag_id)

    def open_meldcode(self, client_id: str, flag_id: str | None = None) -> None:
        """The guided meldcode weighing for a client (optionally about one flag)."""
        from field_app.ui.views.meldcode import MeldcodeView  # area C

        self.push(MeldcodeView(self, client_id, flag_id))

    def contact_saved(self, client_id: str, note_id: str) -> None:
        """Back to the client's timeline with a quiet line saying what happens next."""
        self._notice = ("saved", note_id, client_id)
        while self.stack and not (isinstance(self.stack[-1], ClientView) and self.stack[-1].client_id == client_id):
            self.stack.pop()
        screen = self.stack.pop() if self.stack else ClientView(self, client_id)
        self.show(screen)

    def notice_for(self, client_id: str) -> tuple[str, str] | None:
        if self._notice and self._notice[2] == client_id:
            return self._notice[0], self._notice[1]
        return None

    # -- chrome (field_app.ui.chrome) ---------------------------------------------------------------------------
    def _nav_bar(self) -> ft.NavigationBar:
        """The bottom navigation (UX.md): Cliënten, Agenda, Signalen, Meer."""
        t = self.i18n.t
        looks = {"caseload": (ft.Icons.PEOPLE_OUTLINE, ft.Icons.PEOPLE, "nav.caseload"),
                 "agenda": (ft.Icons.EVENT_NOTE_OUTLINED, ft.Icons.EVENT_NOTE, "lists.nav.agenda"),
                 "flags": (ft.Icons.NOTIFICATION_IMPORTANT_OUTLINED, ft.Icons.NOTIFICATION_IMPORTANT, "lists.nav.flags"),
                 "team": (ft.Icons.GROUPS_OUTLINED, ft.Icons.GROUPS, "nav.team"),
                 "more": (ft.Icons.MORE_HORIZ, ft.Icons.MORE_HORIZ, "nav.more")}
        destinations = []
        for key in self.tabs:
            icon, selected, label = looks[key]
            count = self._tab_count(key)
            # the count rides on the icon as a badge (Flutter reads it out with the label)
            destinations.append(ft.NavigationBarDestination(
                icon=ft.Icon(icon, badge=str(count)) if count else icon,
                selected_icon=ft.Icon(selected, badge=str(count)) if count else selected, label=t(label)))
        return ft.NavigationBar(
            selected_index=self.tab, destinations=destinations,
            on_change=self.handler(lambda e: self.open_tab(e.control.selected_index)),
        )

    def _tab_count(self, key: str) -> int:
        """The badge of a tab: items waiting for review on Team."""
        if key != "team":
            return 0
        try:
            return len(self.services.review_queue())
        except Exception:  # locked or not enrolled: no badge
            return 0

    def _render_top(self) -> None:
        chrome.render_top(self)

    def open_sync_info(self, e=None) -> None:
        chrome.open_sync_info(self)

    def toast(self, message: str, *, error: bool = False) -> None:
        chrome.toast(self.page, message, error=error)

    # -- settings ------------------------------------------------------------------------------------------------------
    def set_language(self, lang: str) -> None:
        self.prefs.lang = lang
        self.i18n = I18n(lang)
        self._apply_locale()
        self._save_prefs()
        self._rerender()

    def _apply_locale(self) -> None:
        """Flutter's own words (the date and time pickers, a dialog's name for screen readers, "Sluiten")
        in the app's language: they were English in a Dutch app (found in the browser)."""
        current = ft.Locale("en", "GB") if self.prefs.lang == "en" else ft.Locale("nl", "NL")
        self.page.locale_configuration = ft.LocaleConfiguration(
            supported_locales=[ft.Locale("nl", "NL"), ft.Locale("en", "GB")], current_locale=current)

    def set_text_scale(self, scale: float) -> None:
        self.scale = clamp_scale(scale)
        self.prefs.text_scale = self.scale
        apply_theme(self.page, self.scale, self.prefs.theme_mode)
        self._save_prefs()
        self._rerender()

    def set_theme_mode(self, mode: str) -> None:
        """Light, dark or follow the phone (Meer → Weergave); the colours change in place."""
        self.prefs.theme_mode = mode if mode in ("system", "light", "dark") else "system"
        apply_theme(self.page, self.scale, self.prefs.theme_mode)
        self._save_prefs()
        self._rerender()

    def _save_prefs(self) -> None:
        """Remembered on the device, so the next start (and the unlock screen) uses them."""
        try:
            self.services.save_display_prefs(lang=self.prefs.lang, text_scale=self.prefs.text_scale, theme_mode=self.prefs.theme_mode)
        except (ValueError, OSError) as exc:
            log.warning("display preferences not saved: %s", type(exc).__name__)

    def _rerender(self) -> None:
        # rebuilt from state; only the Meer tab offers these settings, so no form is lost
        tab_views = tuple(self.TAB_VIEWS.values())
        self.show(type(self.screen)(self) if isinstance(self.screen, tab_views) else self.screen)

    # -- words ---------------------------------------------------------------------------------------------------------
    def validation_message(self, errors: dict[str, str], key: str) -> str:
        """The services' Dutch sentence in Dutch; a matching English sentence in English."""
        if self.i18n.lang == "nl":
            return errors[key]
        generic = self.i18n.t(f"validation.{key}")
        return generic if generic != f"validation.{key}" else errors[key]
