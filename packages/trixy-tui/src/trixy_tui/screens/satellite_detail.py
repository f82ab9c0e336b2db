"""Sub-main view of one satellite: F1 Info, F2 Connection (four streams), F3 Conversation (live), F4 Configuration,
F5 Updates (buttons that call the server's satellite methods)."""

from __future__ import annotations

from typing import Any, ClassVar

from textual.app import ComposeResult
from textual.containers import Grid, Horizontal, Vertical
from textual.widgets import Button, Input, Label

from trixy_tui import format as fmt
from trixy_tui.access import NotAvailable, attr, method
from trixy_tui.screens.base import SubMainView
from trixy_tui.widgets import InfoTable, RemoteConfigEditor

STREAMS = (
    ("command", "Command socket"),
    ("audio_in", "Raw audio input"),
    ("tts_out", "Raw audio output"),
    ("music_out", "Raw music output"),
)

UPDATE_BUTTONS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("upd-wakeword", "Update wake-word model", ("update_wakeword_model", "update_wake_word_model")),
    ("upd-voice", "Update voice-recognition model", ("update_voice_model", "update_voice_recognition_model")),
    ("upd-scripts", "Update scripts", ("update_scripts",)),
    ("upd-reboot", "Reboot satellite", ("reboot",)),
    ("upd-assets", "Update assets", ("update_assets",)),
    ("upd-plugins", "Update plugins", ("update_plugins",)),
)
"""(button id, label, Satellite method names tried in order) of the update buttons."""

TEST_SOUND = "audio/test.wav"
MUSIC_SOUNDS = ("audio/music.wav", "audio/test.wav")


class SatelliteView(SubMainView):
    """Everything the server knows about one satellite, and the actions on it."""

    KIND = "Satellites"
    PANES = (("f1", "info", "Info"), ("f2", "connection", "Connection"), ("f3", "conversation", "Conversation"),
             ("f4", "configuration", "Configuration"), ("f5", "updates", "Updates"))
    LIVE_EVENTS: ClassVar[tuple[str, ...]] = ("conversation *", "wakeword received", "satellite *")
    POLL_S: ClassVar[float | None] = 10.0
    """Only for the byte counters, ping and up-times: they change without an event."""

    def __init__(self, item_name: str, mac: str) -> None:
        super().__init__(item_name)
        self.mac = mac
        self.last_events: dict[str, Any] = {}

    @property
    def satellite(self) -> Any:
        """The satellite shown (None when its registration was deleted)."""
        return self.component("satellite_manager").find(self.mac)

    # -- layout -------------------------------------------------------------------------------------------------

    def compose_pane(self, pane: str) -> ComposeResult:
        if pane == "info":
            yield InfoTable("Satellite", id="sat-info")
        elif pane == "connection":
            for key, title in STREAMS:
                yield InfoTable(title, id=f"stream-{key}")
        elif pane == "conversation":
            yield InfoTable("Wake word", id="conv-wakeword")
            yield InfoTable("Voice recognition", id="conv-voice")
            yield InfoTable("Conversation", id="conv-state")
        elif pane == "configuration":
            yield InfoTable("Registration", id="sat-registration")
            with Horizontal(classes="field"):
                yield Label("Room", classes="key")
                yield Input(id="sat-room")
            with Horizontal(classes="field"):
                yield Label("Alias", classes="key")
                yield Input(id="sat-alias")
            yield Button("Save room and alias", id="sat-save-registration", variant="primary")
            yield Label("Client configuration", classes="section")
            yield InfoTable(id="sat-client-config")
            yield Button("Fetch client configuration", id="sat-fetch-config")
            yield Vertical(id="sat-client-config-form")
        elif pane == "updates":
            with Grid(id="update-buttons"):
                for button_id, label, _names in UPDATE_BUTTONS:
                    yield Button(label, id=button_id)
                yield Button("Fake wake word", id="upd-fake-wakeword", variant="warning")
                yield Button(f"Play {TEST_SOUND}", id="upd-play-test")
                yield Button("Play music", id="upd-play-music", variant="success")
                yield Button("Stop music", id="upd-stop-music", variant="error")
                yield Button("Stop audio", id="upd-stop-audio")

    def on_mount(self) -> None:
        super().on_mount()
        sat = self.satellite
        if sat is not None:
            self.query_one("#sat-room", Input).value = str(attr(sat, "room", default=""))
            self.query_one("#sat-alias", Input).value = str(attr(sat, "alias", default=""))

    def on_live_event(self, event_name: str, data: Any) -> bool:
        """Keep the last event of each kind for this satellite (shown in the conversation pane); redraw."""
        sat = self.satellite
        if sat is None or attr(data, "satellite_id") != sat.id:
            return False
        self.last_events[event_name] = data
        return True

    # -- refresh ------------------------------------------------------------------------------------------------

    def refresh_view(self) -> None:
        sat = self.satellite
        if sat is None:
            self.query_one("#sat-info", InfoTable).show([("Satellite", f"{self.mac}: registration deleted")])
            return
        status = attr(sat, "last_status") or attr(sat, "info", "status")
        rtt = attr(sat, "rtt")
        uptime = attr(sat, "satellite_uptime")
        self.query_one("#sat-info", InfoTable).show([
            ("Alias / room", f"{fmt.text(sat.alias)} / {fmt.text(sat.room)}"),
            ("Id", str(sat.id)),
            ("State", "blacklisted" if attr(sat, "blacklisted") else str(attr(sat, "state", default="?"))),
            ("Satellite up-time", fmt.duration(uptime if uptime is not None else attr(status, "uptime_s"))),
            ("Connected for", fmt.duration(attr(sat, "uptime")) if attr(sat, "connected") else "not connected"),
            ("Host name", fmt.text(attr(sat, "hostname"))),
            ("IP", fmt.text(attr(sat, "ip"))),
            ("Ping", f"{rtt * 1000:.1f} ms" if rtt is not None else fmt.NOT_AVAILABLE),
            ("MAC address", str(sat.mac)),
            ("Version", fmt.text(attr(sat, "version"))),
            ("OS", fmt.text(attr(sat, "os"))),
            ("Registered", fmt.moment(attr(sat, "created"))),
        ])
        for key, _title in STREAMS:
            self.query_one(f"#stream-{key}", InfoTable).show(self._stream_rows(sat, key))
        self._refresh_conversation(sat, status)
        self.query_one("#sat-registration", InfoTable).show([
            ("MAC", str(sat.mac)), ("Id", str(sat.id)), ("Room", fmt.text(sat.room)), ("Alias", fmt.text(sat.alias)),
            ("Capabilities", ", ".join(attr(sat, "capabilities", default=[])) or fmt.NOT_AVAILABLE),
        ])

    @staticmethod
    def _stream_rows(sat: Any, key: str) -> list[tuple[str, str]]:
        stats = attr(sat, "streams", key)
        if stats is None:
            return [("Status", fmt.NOT_AVAILABLE)]
        snap = stats.snapshot()
        host, port = snap.get("remote_host"), snap.get("remote_port")
        return [
            ("IP / port", f"{host}:{port}" if host else fmt.NOT_AVAILABLE),
            ("Up-time", fmt.duration(snap.get("uptime_s")) if snap.get("since") else "closed"),
            ("Status", str(snap.get("status"))),
            ("Bytes sent total / today", f"{fmt.size(snap.get('sent_total'))} / {fmt.size(snap.get('sent_today'))}"),
            ("Bytes received total / today",
             f"{fmt.size(snap.get('received_total'))} / {fmt.size(snap.get('received_today'))}"),
        ]

    def _refresh_conversation(self, sat: Any, status: Any) -> None:
        wake = self.last_events.get("wakeword received")
        last_wake_time = attr(wake, "timestamp")
        if last_wake_time is None and attr(status, "last_wake_word_us"):
            last_wake_time = status.last_wake_word_us / 1_000_000
        extra = attr(status, "extra")
        reported = extra.get("last_wake_word") if isinstance(extra, dict) else None
        rows = [
            ("Model", fmt.text(attr(status, "wakeword_model"))),
            ("Last detection", fmt.moment(last_wake_time)),
            ("Last wake word", fmt.text(attr(wake, "wake_word_name") or attr(status, "last_wake_word"))),
        ]
        if isinstance(reported, dict):  # the satellite's own record of its last wake word (SatelliteStatus.extra)
            score = reported.get("score")
            rows.append(("Last score / trigger", f"{fmt.text(score if score is None else round(float(score), 2))} / "
                         f"{'by hand' if reported.get('triggered_by_hand') else 'by the detector'}"))
        self.query_one("#conv-wakeword", InfoTable).show(rows)
        self.query_one("#conv-voice", InfoTable).show([
            ("Model", fmt.text(attr(status, "voice_model"))),
            ("Last speaker", fmt.text(attr(wake, "speaker_name") or attr(status, "last_speaker"))),
        ])
        conversations = self.component("conversations")
        open_now = conversations.for_satellite(sat.id) if conversations is not None else None
        ended = self.last_events.get("conversation ended")
        last = attr(sat, "last_conversation") or open_now
        started = attr(self.last_events.get("conversation started"), "timestamp") or attr(last, "started_at")
        if open_now is not None:
            active = f"yes ({open_now.id})"
        elif attr(status, "conversation_active"):
            active = "yes (recording on the satellite)"
        else:
            active = "no"
        length = attr(ended, "duration_s") if ended is not None else attr(last, "duration_s")
        self.query_one("#conv-state", InfoTable).show([
            ("Conversation active", active),
            ("Last conversation", fmt.moment(started)),
            ("Duration", fmt.duration(length) if length is not None else fmt.NOT_AVAILABLE),
        ])

    # -- actions ------------------------------------------------------------------------------------------------

    async def on_button_pressed(self, event: Button.Pressed) -> None:
        """Call the satellite method behind each button."""
        sat = self.satellite
        button = event.button.id or ""
        if sat is None:
            self.set_status("The satellite's registration was deleted.", error=True)
            return
        for button_id, label, names in UPDATE_BUTTONS:
            if button == button_id:
                await self._call(label, sat, names, background=True)
                return
        if button == "upd-fake-wakeword":
            await self.fake_wake_word(sat)
        elif button == "upd-play-test":
            await self._play(sat, (TEST_SOUND,), "play", "Play " + TEST_SOUND)
        elif button == "upd-play-music":
            await self._play(sat, MUSIC_SOUNDS, "play_music", "Play music")
        elif button == "upd-stop-music":
            await self._call("Stop music", sat, ("stop_music",))
        elif button == "upd-stop-audio":
            await self._call("Stop audio", sat, ("stop_audio",))
        elif button == "sat-save-registration":
            await self.save_registration(sat)
        elif button == "sat-fetch-config":
            await self.fetch_config(sat)

    async def _call(self, label: str, target: Any, names: tuple[str, ...], *args: Any, background: bool = False) -> Any:
        try:
            function = method(target, *names)
        except NotAvailable as exc:
            self.set_status(f"{label}: not available: {exc}", error=True)
            return None
        return await self.run_action(label, function, *args, background=background)

    async def fake_wake_word(self, sat: Any) -> None:
        """Make the satellite behave as if its wake word was heard (server method, else the protocol command)."""
        try:
            function = method(sat, "trigger_wake_word", "fake_wake_word")
        except NotAvailable:
            from trixy_protocol import TriggerWakeWord

            await self.run_action("Fake wake word", sat.send, TriggerWakeWord("custom"))
            return
        await self.run_action("Fake wake word", function)

    async def _play(self, sat: Any, names: tuple[str, ...], how: str, label: str) -> None:
        assets = self.component("asset_manager")
        if assets is None:
            self.set_status(f"{label}: not available: no asset manager", error=True)
            return
        path = next((p for p in (assets.get(n) for n in names) if p), None)
        if path is None:
            self.set_status(f"{label}: none of {', '.join(names)} exists in the assets", error=True)
            return
        try:
            function = method(sat, how)
        except NotAvailable as exc:
            self.set_status(f"{label}: not available: {exc}", error=True)
            return
        await self.run_action(f"{label} ({path.name})", function, path, wait=False)

    async def save_registration(self, sat: Any) -> None:
        """Store the edited room and alias in the satellite's registration file."""
        room = self.query_one("#sat-room", Input).value.strip()
        alias = self.query_one("#sat-alias", Input).value.strip()
        if not room or not alias:
            self.set_status("Room and alias must not be empty.", error=True)
            return

        def store() -> None:
            sat.room = room
            sat.alias = alias

        await self.run_action("Save room and alias", store)

    async def fetch_config(self, sat: Any) -> None:
        """Ask the satellite for its configuration and show it as an editor (saved through the server)."""
        try:
            function = method(sat, "fetch_config", "request_config", "get_config")
        except NotAvailable as exc:
            self.query_one("#sat-client-config", InfoTable).show([("Configuration", f"not available: {exc}")])
            self.set_status(f"Client configuration: not available: {exc}", error=True)
            return
        result = await self.run_action("Fetch client configuration", function)
        values = attr(result, "values", default=result)
        if not isinstance(values, dict):
            return
        self.query_one("#sat-client-config", InfoTable).show([("Keys", str(len(values)))])
        form = self.query_one("#sat-client-config-form", Vertical)
        await form.remove_children()

        async def submit(changes: dict[str, Any]) -> bool:
            return await self._update_config(sat, changes)

        await form.mount(RemoteConfigEditor(values, submit, id="sat-client-config-editor"))

    async def _update_config(self, sat: Any, changes: dict[str, Any]) -> bool:
        try:
            function = method(sat, "update_config")
        except NotAvailable as exc:
            self.set_status(f"Save client configuration: not available: {exc}", error=True)
            return False
        result = await self.run_action(f"Save client configuration ({', '.join(changes)})", function, changes)
        return result is not None
