"""Base classes of the views: a main view (F-keys of the app) and a sub-main view (its own F-keys, Esc back).

Both have the header (title), a scrollable content area and the footer that lists the F-keys. A view reads the
application in `refresh_view()`, which runs when it is shown and whenever one of its `LIVE_EVENTS` happens (the app
forwards the application's events, see `trixy_tui.live`): live values are pushed, not polled. Only values that no
event reports (byte counters, ping, up-times) get a slow poll, `POLL_S`. A view whose component is missing shows
"not available" instead of failing.
"""

from __future__ import annotations

import logging
from typing import Any, ClassVar, cast

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.reactive import reactive
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import ContentSwitcher, DataTable, Footer, Header, Label

from trixy_core.application_protocol import TrixyApplication
from trixy_core.events.names import normalise_pattern, pattern_matches
from trixy_tui.access import NotAvailable, component, invoke, settle
from trixy_tui.host import TuiHost

logger = logging.getLogger(__name__)


class TrixyView(Screen):
    """Common parts: access to the application, live events, the slow poll and running component calls safely."""

    LIVE_EVENTS: ClassVar[tuple[str, ...]] = ()
    """Event patterns that change what this view shows; each one that happens refreshes it while it is on screen."""
    POLL_S: ClassVar[float | None] = None
    """Seconds between polls of the values no event reports (byte counters, ping, up-time); None: no poll."""

    LIVE_REDRAW_DELAY_S: ClassVar[float] = 0.1
    """Live events within this window are drawn together: 200 satellites connecting at once cost one redraw."""

    live_revision: reactive[int] = reactive(0, init=False)
    """Counts the redraws live events asked for; watching it redraws the view."""

    _redraw_timer: Timer | None = None

    @property
    def trixy(self) -> TuiHost:
        """The running TrixyApp (typed by what views use of it)."""
        return cast(TuiHost, self.app)

    @property
    def application(self) -> TrixyApplication:
        """The Trixy application whose components this view shows."""
        return self.trixy.application

    def component(self, name: str) -> Any:
        """A component of the application, or None."""
        return component(self.application, name)

    def on_mount(self) -> None:
        """Start the slow poll, when the view has one."""
        if self.POLL_S:
            self.set_interval(self.POLL_S, self._timed_refresh)

    def on_screen_resume(self) -> None:
        """Refresh whenever the view becomes visible."""
        self._safe_refresh()

    def _timed_refresh(self) -> None:
        if self.is_current:
            self.poll()

    def poll(self) -> None:
        """What the slow poll refreshes (default: the whole view)."""
        self._safe_refresh()

    # -- live events ---------------------------------------------------------------------------------------------

    def live_event(self, event_name: str, data: Any) -> bool:
        """An application event forwarded by the app; True when it is one of this view's `LIVE_EVENTS`."""
        if not any(pattern_matches(normalise_pattern(p), event_name) for p in self.LIVE_EVENTS):
            return False
        try:
            redraw = self.on_live_event(event_name, data)
        except Exception:  # a view must never take the TUI down
            logger.exception("%s: handling %s failed", type(self).__name__, event_name)
            return True
        if redraw and self._redraw_timer is None:
            self._redraw_timer = self.set_timer(self.LIVE_REDRAW_DELAY_S, self._live_redraw)
        return True

    def _live_redraw(self) -> None:
        self._redraw_timer = None
        self.live_revision += 1

    def on_live_event(self, event_name: str, data: Any) -> bool:
        """Take a live event (override to keep what it says); True redraws the whole view (the default)."""
        return True

    def watch_live_revision(self) -> None:
        """Redraw after a live event, when on screen (a hidden view redraws when shown again)."""
        if self.is_current:
            self._safe_refresh()

    def _safe_refresh(self) -> None:
        try:
            self.refresh_view()
        except Exception as exc:  # a view must never take the TUI down
            logger.exception("refreshing %s failed", type(self).__name__)
            self.notify(f"{type(self).__name__}: {exc}", severity="error")

    def refresh_view(self) -> None:
        """Read the application and update the widgets (override)."""

    async def run_action(self, label: str, function: Any, *args: Any, wait: bool = True, background: bool = False,
                         **kwargs: Any) -> Any:
        """Call a component method; report the outcome in the status line and as a notification, never raise.

        With `wait=False` a returned task/future (e.g. music that plays for minutes) runs on; a later failure is
        still reported. With `background=True` the whole call runs in a worker (long transfers such as a model
        update) so the view stays responsive; the status line says "running" until it ends.
        """
        if background:
            self.set_status(f"{label}: running")
            self.run_worker(self.run_action(label, function, *args, wait=wait, **kwargs), group="actions")
            return None
        try:
            if wait:
                result = await invoke(function, *args, **kwargs)
            else:
                result = function(*args, **kwargs)
                self._watch(label, result)
                self.set_status(f"{label}: started")
                return result
        except NotAvailable as exc:
            self.set_status(f"{label}: {exc}", error=True)
            return None
        except Exception as exc:  # component errors are shown to the user, not raised
            logger.warning("%s failed: %s", label, exc)
            self.set_status(f"{label} failed: {exc}", error=True)
            return None
        self.set_status(f"{label}: done")
        self._safe_refresh()
        return result

    def _watch(self, label: str, result: Any) -> None:
        async def report() -> None:
            try:
                await settle(result)
            except Exception as exc:
                self.set_status(f"{label} failed: {exc}", error=True)

        self.run_worker(report(), exclusive=False, group="actions")

    def set_status(self, message: str, *, error: bool = False) -> None:
        """Show `message` in the view's status line (and as a notification)."""
        self.status_message = message
        for label in self.query("#status").results(Label):
            label.update(message)
            label.set_class(error, "error")
        self.notify(message, severity="error" if error else "information", timeout=4)

    status_message: str = ""


class MainView(TrixyView):
    """A main view: header, scrollable content, footer with the app's F-keys."""

    VIEW_NAME: ClassVar[str] = ""

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="content"):
            yield from self.compose_content()
            yield Label("", id="status", markup=False)
        yield Footer()

    def compose_content(self) -> ComposeResult:
        """The view's widgets (override)."""
        yield from ()


def selected_row_key(table: DataTable) -> str | None:
    """The key of the row under ``table``'s cursor (None when the table is empty or the cursor is outside it)."""
    if table.row_count == 0:
        return None
    try:
        return str(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value)
    except Exception:  # the cursor is outside the rows
        return None


class TableView(MainView):
    """A main view built around one DataTable of named rows (plugins, satellites, schedules): row selection by key."""

    TABLE_ID: ClassVar[str] = ""
    """The DataTable's id; its row keys are what `selected()` returns and `select()` takes."""

    def selected(self) -> str | None:
        """The key of the row under the cursor (None when the table is empty)."""
        return selected_row_key(self.query_one(f"#{self.TABLE_ID}", DataTable))

    def select(self, key: str) -> None:
        """Move the cursor to the row `key` (tests, scripted use)."""
        table = self.query_one(f"#{self.TABLE_ID}", DataTable)
        table.focus()
        table.move_cursor(row=table.get_row_index(key))


class SubMainView(TrixyView):
    """A sub-main view: takes over the F-keys for its own panes, extends the title, Esc goes back."""

    KIND: ClassVar[str] = ""
    PANES: ClassVar[tuple[tuple[str, str, str], ...]] = ()
    """(key, pane id, label) per pane, e.g. ("f1", "info", "Info")."""

    def __init__(self, item_name: str) -> None:
        super().__init__()
        self.item_name = item_name
        for key, pane, label in self.PANES:
            self._bindings.bind(key, f"pane('{pane}')", label)
        self._bindings.bind("escape", "back", "Back")

    BINDINGS: ClassVar[list[Binding]] = []

    def compose(self) -> ComposeResult:
        yield Header()
        with ContentSwitcher(initial=self.PANES[0][1] if self.PANES else None, id="panes"):
            for _key, pane, _label in self.PANES:
                with VerticalScroll(id=pane):
                    yield from self.compose_pane(pane)
        yield Label("", id="status", markup=False)
        yield Footer()

    def compose_pane(self, pane: str) -> ComposeResult:
        """The widgets of one pane (override)."""
        yield from ()

    def on_mount(self) -> None:
        """Extend the title with the view kind and the item's name."""
        super().on_mount()
        self.title = f"{self.trixy.base_title} - {self.KIND}: {self.item_name}"

    @property
    def pane(self) -> str | None:
        """The pane shown now."""
        return self.query_one("#panes", ContentSwitcher).current

    def action_pane(self, pane: str) -> None:
        """Show another pane (F-key)."""
        self.query_one("#panes", ContentSwitcher).current = pane
        self._safe_refresh()

    def action_back(self) -> None:
        """Back to the main view."""
        self.dismiss()
