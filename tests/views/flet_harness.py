"""Client-less harness for unit-testing Flet 1.0.x views in pure Python.

It drives a real `flet.messaging.session.Session` (the same object the web
server creates per browser tab) through a recording fake `Connection`, and
replays the message sequence the Flutter client would produce:

  REGISTER_CLIENT      -> session.apply_page_patch(...) + session.get_page_patch()
  run main(page)       -> like flet_web's FletApp.__on_session_created
  UPDATE_CONTROL_PROPS -> session.apply_patch(control_id, {...})   (e.g. typing)
  CONTROL_EVENT        -> session.dispatch_event(control_id, name, data)

Uses only flet internals that flet's own test-suite uses (Connection, Session,
PubSubHub); pin the flet version, these are not documented public API.
"""

import asyncio
import dataclasses
import inspect
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import flet as ft
import msgpack
from flet.controls.base_control import BaseControl
from flet.controls.context import _context_page, context
from flet.messaging.connection import Connection
from flet.messaging.protocol import (
    Message,
    MessageAction,
    RegisterClientResponseBody,
    configure_encode_object_for_msgpack,
)
from flet.messaging.session import Session
from flet.pubsub.pubsub_hub import PubSubHub

_encode = configure_encode_object_for_msgpack(BaseControl)


class RecordingConnection(Connection):
    """Fake transport: records outbound messages instead of sending them."""

    def __init__(self):
        super().__init__()
        self.messages: list = []
        self.invoked: list[str] = []  # names of client-side methods the app called (scroll_to, focus, ...)
        self.session: Session | None = None
        self.pubsubhub = PubSubHub()

    def send_message(self, message):
        # Serialize exactly like flet_web's FletApp.send_message does, so a
        # value the real client could not receive fails the test here.
        msgpack.packb([message.action, message.body], default=_encode)
        self.messages.append(message)
        if message.action == MessageAction.INVOKE_METHOD:
            # Answer like a client that did it (result None), so awaiting handlers finish.
            body = message.body
            self.invoked.append(body.name)
            self.loop.call_soon(self.session.handle_invoke_method_results, body.control_id, body.call_id,
                                None, None)


class AppCrashed(AssertionError):
    pass


class FakeClient:
    def __init__(self, main: Callable, width: float = 390, height: float = 844,
                 platform: str = "android"):
        self.main = main
        self.page_props = {"width": width, "height": height, "web": True,
                           "platform": platform, "route": "/"}
        self.conn = RecordingConnection()
        self.session: Session | None = None

    @property
    def page(self) -> ft.Page:
        return self.session.page

    async def start(self) -> "FakeClient":
        self.conn.loop = asyncio.get_running_loop()
        self.conn.executor = ThreadPoolExecutor(max_workers=2)
        self.session = Session(self.conn)
        self.conn.session = self.session
        self.session.apply_page_patch(self.page_props)
        # Register response. It MUST go through msgpack serialization (done in
        # RecordingConnection.send_message): the encoder records the list/dict
        # snapshots that later in-place diffs (page.add, list.append) rely on.
        # Calling get_page_patch() without serializing it => later updates
        # silently send nothing and new controls are never indexed.
        self.conn.send_message(Message(
            MessageAction.REGISTER_CLIENT,
            RegisterClientResponseBody(session_id=self.session.id,
                                       page_patch=self.session.get_page_patch(),
                                       error=""),
        ))
        _context_page.set(self.page)           # what flet does before main()
        context.reset_auto_update()
        res = self.main(self.page)
        if inspect.isawaitable(res):
            await res
        await self.session.after_event(self.page)
        self.raise_if_crashed()
        return self

    # --- simulated user input --------------------------------------------
    async def event(self, control: BaseControl, name: str, data: Any = None):
        """Fire `on_<name>` the way a client CONTROL_EVENT message does."""
        await self.session.dispatch_event(control._i, name, data)
        self.raise_if_crashed()

    async def settle(self, rounds: int = 10):
        """Let the session's background update scheduler (used by declarative
        components / use_state) run its re-render."""
        for _ in range(rounds):
            await asyncio.sleep(0)
        self.raise_if_crashed()

    async def click(self, control: BaseControl):
        await self.event(control, "click")

    async def type(self, field: ft.TextField, text: str):
        """Client pushes the new value (UPDATE_CONTROL_PROPS) then fires change."""
        self.session.apply_patch(field._i, {"value": text})
        await self.event(field, "change", text)

    async def select_nav(self, nav: ft.NavigationBar, index: int):
        self.session.apply_patch(nav._i, {"selected_index": index})
        await self.event(nav, "change", index)

    # --- inspection ---------------------------------------------------------
    def raise_if_crashed(self):
        for m in self.conn.messages:
            if m.action == MessageAction.SESSION_CRASHED:
                raise AppCrashed(m.body.message)

    def walk(self, root: Any = None) -> Iterator[BaseControl]:
        """Depth-first walk over every control reachable from the page,
        including page.navigation_bar / appbar / dialogs / overlay and the
        rendered bodies of @ft.component components."""
        seen: set[int] = set()

        def _walk(v):
            if id(v) in seen or v is None:
                return
            if isinstance(v, BaseControl):
                seen.add(id(v))
                yield v
                for f in dataclasses.fields(v):
                    # `_b` = rendered body of a declarative Component
                    if f.name.startswith("_") and f.name not in ("_overlay", "_dialogs", "_b"):
                        continue
                    if f.metadata.get("skip"):
                        continue
                    yield from _walk(getattr(v, f.name, None))
            elif isinstance(v, (list, tuple)):
                for x in v:
                    yield from _walk(x)
            elif isinstance(v, dict):
                for x in v.values():
                    yield from _walk(x)

        yield from _walk(root if root is not None else self.page)

    def find_all(self, cls: type = BaseControl, **attrs) -> list:
        return [c for c in self.walk() if isinstance(c, cls)
                and all(getattr(c, k, None) == v for k, v in attrs.items())]

    def find(self, cls: type = BaseControl, **attrs):
        found = self.find_all(cls, **attrs)
        assert len(found) == 1, f"expected 1 {cls.__name__} {attrs}, got {len(found)}"
        return found[0]

    def texts(self, root: Any = None, visible_only: bool = True) -> list[str]:
        """Values of all ft.Text controls (optionally only those whose whole
        ancestor chain is visible)."""
        out = []

        def is_shown(c):
            while c is not None:
                if getattr(c, "visible", True) is False:
                    return False
                c = c.parent
            return True

        for c in self.walk(root):
            if isinstance(c, ft.Text) and (not visible_only or is_shown(c)):
                out.append(c.value)
        return out

    def patches_sent(self) -> int:
        return sum(1 for m in self.conn.messages
                   if m.action == MessageAction.PATCH_CONTROL)
