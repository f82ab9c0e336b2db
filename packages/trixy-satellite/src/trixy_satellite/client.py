"""`SatelliteClient`: connects to the server, registers or authenticates, opens the audio sockets, keeps the
connection alive and reconnects after a failure or loss: exponential back-off with jitter, first retry within
`retry_interval_s` (see `backoff.ReconnectBackoff`).

Other parts plug in without touching the connection:
    client.on(StartStreaming, recorder.start)     # handler(command) for any command from the server
    client.send(WakeWordDetected(...))            # any command to the server (queued, never blocks)
    client.send_audio(pcm)                        # microphone PCM on the input socket (False when dropped)
    client.connected_callbacks.append(fn)         # fn(client) after each accept; disconnected_callbacks too
"""

from __future__ import annotations

import asyncio
import collections
import inspect
import logging
import time
from collections.abc import Callable
from typing import Any

from trixy_protocol import (
    Accepted,
    AudioStream,
    Challenge,
    ChallengeResponse,
    Denied,
    ErrorCommand,
    Flags,
    Frame,
    Goodbye,
    Hello,
    PlayAudio,
    PlayMusic,
    ProtocolError,
    Reconnect,
    Registered,
    RegistrationAnswer,
    RegistrationField,
    RegistrationKeyOffer,
    RegistrationQuestion,
    SatelliteStatus,
    ShortCommand,
    ShortKind,
    StatusRequest,
    StopAudio,
    StopMusic,
)
from trixy_protocol.auth import RegistrationKeyExchange, challenge_digest, session_key
from trixy_satellite import __version__
from trixy_satellite.audio.player import AudioPlayer
from trixy_satellite.backoff import ReconnectBackoff
from trixy_satellite.config import ClientSettings
from trixy_satellite.connection import ClientConnection, LinkLost
from trixy_satellite.downlink import DownlinkGate
from trixy_satellite.errors import ConnectionDenied
from trixy_satellite.identity import hostname, machine_mac, platform_string
from trixy_satellite.status import build_status
from trixy_satellite.streams import MicUplink, open_audio_socket, pump_downlink

logger = logging.getLogger(__name__)

Handler = Callable[[Any], Any]


class SatelliteClient:
    """The satellite's side of the network: one command connection plus three audio sockets."""

    def __init__(self, settings: ClientSettings, *, player: AudioPlayer | None = None,
                 on_registered: Callable[[Registered], None] | None = None,
                 capabilities: tuple[str, ...] = ("music",), speech_recorder: Callable[[bytes], None] | None = None,
                 ) -> None:
        self.settings = settings
        self.player = player
        self.on_registered = on_registered
        self.capabilities = list(capabilities)
        self.speech_recorder = speech_recorder
        """Called with every accepted speech byte (debug WAV, tests)."""
        self.mac = settings.mac or machine_mac()
        self.state = "disconnected"
        self.last_denial: Denied | None = None
        self.last_error: str | None = None
        self.server_version = ""
        self.connections = 0
        """Successful accepts since start."""
        self.connected_callbacks: list[Callable[[SatelliteClient], Any]] = []
        self.disconnected_callbacks: list[Callable[[SatelliteClient, str], Any]] = []
        self.status_providers: list[Callable[[], dict[str, Any]]] = []
        """Each returns `SatelliteStatus` fields (models, last wake word...) merged into `status()`."""
        self.started = time.monotonic()
        self._handlers: dict[type, list[Handler]] = collections.defaultdict(list)
        self._conn: ClientConnection | None = None
        self._uplink: MicUplink | None = None
        self._tasks: list[asyncio.Task] = []
        self._stopping = asyncio.Event()
        self._connected = asyncio.Event()
        self._next_delay: float | None = None
        self._logged_failure: str | None = None  # a failure repeated since the last accept is logged at debug level
        self.backoff = ReconnectBackoff(settings.retry_interval_s, settings.retry_max_s)
        """Waits between attempts; reset by each accept."""
        self._gate = DownlinkGate()

    # -- public API -----------------------------------------------------------------------------------------------
    @property
    def connected(self) -> bool:
        return self.state == "connected"

    @property
    def satellite_id(self) -> str:
        return self.settings.satellite_id

    def on(self, command_type: type, handler: Handler) -> None:
        """Call `handler(command)` (sync or async) for each `command_type` the server sends."""
        self._handlers[command_type].append(handler)

    def send(self, command: Any, *, flags: int = Flags.NONE) -> None:
        """Queue a command to the server; raises LinkLost when not connected."""
        if self._conn is None or not self.connected:
            raise LinkLost("not connected to the server")
        self._conn.send(command, flags=flags)

    def send_audio(self, pcm: bytes) -> bool:
        """Send microphone PCM (16 kHz mono s16le) on the input socket; False when not connected or dropped."""
        uplink = self._uplink
        return uplink.send(pcm) if uplink is not None and self.connected else False

    async def wait_connected(self, wait_s: float | None = None) -> bool:
        """True once connected (False on timeout)."""
        try:
            async with asyncio.timeout(wait_s):
                await self._connected.wait()
        except TimeoutError:
            return False
        return True

    async def run(self) -> None:
        """Connect, serve, and reconnect (back-off with jitter, first retry within `retry_interval_s`) until
        `stop()`."""
        while not self._stopping.is_set():
            reason = "stopped"
            try:
                await self._session()
            except ConnectionDenied as exc:
                reason = f"denied: {exc.reason}"
                logger.warning("server denied this satellite: %s", exc.reason)
            except LinkLost as exc:
                reason = exc.reason
            except ProtocolError as exc:
                reason = f"protocol error: {exc}"
            except OSError as exc:
                reason = f"cannot connect to {self.settings.host}:{self.settings.port}: {exc}"
            except asyncio.CancelledError:
                await self._teardown("cancelled")
                raise
            self.last_error = reason
            await self._teardown(reason)
            if self._stopping.is_set():
                break
            backoff = self.backoff.next_delay()
            delay = self._next_delay if self._next_delay is not None else backoff
            self._next_delay = None
            # the same failure again (a server that is down, the standalone's optional sync server that is not
            # there) goes to the debug log: one line when it starts, not one every retry for hours
            again = reason == self._logged_failure
            (logger.debug if again else logger.info)(
                "connection to the server ended (%s); retrying in %.1f s%s", reason, delay,
                "" if again else " (the same failure again is logged at debug level)")
            self._logged_failure = reason
            try:
                await asyncio.wait_for(self._stopping.wait(), delay)
            except TimeoutError:
                pass

    async def stop(self) -> None:
        """Say goodbye and stop reconnecting."""
        self._stopping.set()
        if self._conn is not None and not self._conn.closed:
            try:
                self._conn.send(Goodbye(reason="satellite stopping"))
                self._conn.send_short(ShortKind.BYE)
            except LinkLost:
                pass
            await self._conn.close("satellite stopping")

    # -- one connection -------------------------------------------------------------------------------------------
    async def _session(self) -> None:
        s = self.settings
        self.state = "connecting"
        async with asyncio.timeout(s.connect_timeout_s):
            reader, writer = await asyncio.open_connection(s.host, s.port)
        conn = ClientConnection(reader, writer)
        self._conn = conn
        exchange = RegistrationKeyExchange()
        conn.send(Hello(mac=self.mac, satellite_id=s.satellite_id, room=s.room, alias=s.alias or hostname(),
                        version=__version__, hostname=hostname(), platform=platform_string(),
                        capabilities=self.capabilities, x25519_public_key=exchange.public_key))
        events: collections.deque = collections.deque()
        accepted = await self._handshake(conn, events, exchange)
        await self._open_streams(accepted)
        self.state = "connected"
        self.connections += 1
        self.backoff.reset()
        self._logged_failure = None
        self._connected.set()
        logger.info("connected to %s:%d as %s (encryption %s)", s.host, s.port, s.satellite_id,
                    "on" if conn.encrypt else "off")
        for callback in list(self.connected_callbacks):
            await _call(callback, self)
        keepalive = asyncio.get_running_loop().create_task(self._keepalive(conn))
        self._tasks.append(keepalive)
        while True:
            while not events:  # the session answers PINGs, acks and bad frames (and gives up after 20)
                events.extend(await conn.read_events(s.dead_after_s))
            event = events.popleft()
            if isinstance(event, ShortCommand):
                self._short(conn, event)
            else:
                await self._frame(conn, event)

    async def _handshake(self, conn: ClientConnection, events: collections.deque,
                         exchange: RegistrationKeyExchange) -> Accepted:
        s = self.settings
        while True:
            while not events:
                events.extend(await conn.read_events(max(s.dead_after_s, 60.0)))
            event = events.popleft()
            if isinstance(event, ShortCommand):
                self._short(conn, event)
                continue
            message = event.message
            if isinstance(message, RegistrationKeyOffer):
                try:
                    conn.key = exchange.key_for(message.public_key)  # decrypts the coming Registered
                except ValueError as exc:
                    raise LinkLost(f"the server's registration key is unusable: {exc}") from None
            elif isinstance(message, RegistrationQuestion):
                conn.send(RegistrationAnswer(field=message.field, value=self._answer(message)))
            elif isinstance(message, Registered):
                if not event.flags & Flags.ENCRYPTED:
                    logger.warning("the server sent this satellite's secret unencrypted (old server?)")
                s.satellite_id = message.satellite_id
                s.secret = bytes(message.secret)
                if message.room:
                    s.room = message.room
                if message.alias:
                    s.alias = message.alias
                logger.info("registered with the server as %s (room %s)", message.satellite_id, message.room)
                if self.on_registered is not None:
                    self.on_registered(message)
            elif isinstance(message, Challenge):
                if not s.secret or not s.satellite_id:
                    logger.error("the server asks for credentials but this satellite has no id/secret; register it "
                                 "again (clear satellite.id and satellite.secret, put the server in registration mode)")
                nonce = bytes(message.nonce)
                conn.send(ChallengeResponse(satellite_id=s.satellite_id,
                                            digest=challenge_digest(s.secret, nonce, s.satellite_id)))
                conn.key = session_key(s.secret, nonce) if s.secret else None
            elif isinstance(message, Accepted):
                if not event.flags & Flags.ENCRYPTED:
                    raise LinkLost("the server's accept was not encrypted with this satellite's key: not our server")
                conn.encrypt = bool(message.encrypted)
                self.server_version = message.server_version
                self.last_denial = None
                return message
            elif isinstance(message, Denied):
                self.last_denial = message
                self.state = "denied"
                if message.retry_after_s is not None:
                    self._next_delay = max(self.settings.retry_interval_s, float(message.retry_after_s))
                raise ConnectionDenied(f"{message.reason.value}: {message.message}")
            else:
                logger.debug("ignoring %s during the handshake", event.class_name)

    def _answer(self, question: RegistrationQuestion) -> str:
        s = self.settings
        if question.field is RegistrationField.ROOM:
            return s.room or question.default
        if question.field is RegistrationField.ALIAS:
            return s.alias or question.default or hostname()
        return self.mac

    async def _open_streams(self, accepted: Accepted) -> None:
        s = self.settings
        ports = accepted.audio_ports
        tokens = accepted.stream_tokens
        wait = s.connect_timeout_s
        sid = accepted.satellite_id
        loop = asyncio.get_running_loop()
        _, writer, _ = await open_audio_socket(s.host, ports["input"], sid, AudioStream.INPUT,
                                               bytes(tokens["input"]), wait_s=wait)
        self._uplink = MicUplink(writer, int(s.audio_send_buffer_s * 32000))
        for kind in (AudioStream.OUTPUT, AudioStream.MUSIC):
            reader, w, first = await open_audio_socket(s.host, ports[kind.value], sid, kind, bytes(tokens[kind.value]),
                                                       wait_s=wait)
            self._gate.counted[kind] = [0]
            sink = self._speech_in if kind is AudioStream.OUTPUT else self._music_in
            task = loop.create_task(self._watch_downlink(kind, reader, w, first, sink))
            self._tasks.append(task)

    async def _watch_downlink(self, kind: AudioStream, reader, writer, first: bytes, sink) -> None:
        reason = await pump_downlink(reader, first, sink, self._gate.counted[kind])
        writer.close()
        if self._conn is not None and not self._conn.closed and not self._stopping.is_set():
            logger.info("%s audio socket lost (%s): reconnecting", kind.value, reason)
            self._conn.abort(f"{kind.value} audio socket lost: {reason}")

    def _speech_in(self, data: bytes) -> None:
        data = self._gate.accept(AudioStream.OUTPUT, data)
        if not data:
            return
        if self.speech_recorder is not None:
            self.speech_recorder(data)
        if self.player is not None:
            self.player.push_speech(data)

    def _music_in(self, data: bytes) -> None:
        data = self._gate.accept(AudioStream.MUSIC, data)
        if data and self.player is not None:
            self.player.push_music(data)

    # -- serving --------------------------------------------------------------------------------------------------
    def _short(self, conn: ClientConnection, event: ShortCommand) -> None:
        if event.kind is ShortKind.PRNT:  # PING is answered by the session already
            logger.info("server says: %s", event.text)
        elif event.kind is ShortKind.HELO:
            logger.info("Hello from the server")
        elif event.kind is ShortKind.BYE:
            raise LinkLost("the server said goodbye")

    async def _frame(self, conn: ClientConnection, frame: Frame) -> None:
        if conn.encrypt and not frame.flags & Flags.ENCRYPTED:
            logger.warning("dropping unencrypted %s from the server", frame.class_name)
            return
        message = frame.message
        if isinstance(message, Goodbye):
            raise LinkLost(f"the server said goodbye: {message.reason}")
        if isinstance(message, Reconnect):
            self._next_delay = max(0.0, float(message.delay_s))
            raise LinkLost(f"the server asked to reconnect: {message.reason}")
        if isinstance(message, StopAudio):
            self._stop_downlink(AudioStream.MUSIC if message.stream is AudioStream.MUSIC else AudioStream.OUTPUT)
        elif isinstance(message, StopMusic):
            self._stop_downlink(AudioStream.MUSIC)
        elif isinstance(message, (PlayAudio, PlayMusic)):
            kind = AudioStream.MUSIC if isinstance(message, PlayMusic) else message.stream
            self._gate.play(kind)
            if isinstance(message, PlayAudio) and message.interrupt and self.player is not None:
                self.player.stop_speech()
        elif isinstance(message, StatusRequest):
            conn.send(self.status())
        elif isinstance(message, ErrorCommand):
            logger.warning("the server reports an error (%s): %s", message.code, message.message)
        for handler in list(self._handlers.get(type(message), ())):
            try:
                await _call(handler, message)
            except Exception:
                logger.exception("handler for %s failed", type(message).__name__)

    def _stop_downlink(self, kind: AudioStream) -> None:
        self._gate.stop(kind)
        if self.player is not None:
            (self.player.stop_music if kind is AudioStream.MUSIC else self.player.stop_speech)()

    def status(self) -> SatelliteStatus:
        """What the server's TUI shows about this satellite (plus the fields of `status_providers`)."""
        return build_status(time.monotonic() - self.started, bool(self.player and self.player.conversation_active),
                            self.status_providers)

    async def _keepalive(self, conn: ClientConnection) -> None:
        try:
            while not conn.closed:
                await asyncio.sleep(self.settings.keepalive_s)
                conn.send_short(ShortKind.NOOP)
        except LinkLost:
            pass

    async def _teardown(self, reason: str) -> None:
        was_connected = self.state == "connected"
        self.state = "denied" if self.state == "denied" else "disconnected"
        self._connected.clear()
        for task in self._tasks:
            task.cancel()
        self._tasks.clear()
        if self._uplink is not None:
            self._uplink.close()
            self._uplink = None
        if self._conn is not None:
            await self._conn.close(reason)
            self._conn = None
        if was_connected:
            for callback in list(self.disconnected_callbacks):
                try:
                    await _call(callback, self, reason)
                except Exception:
                    logger.exception("disconnected callback failed")


async def _call(fn: Callable[..., Any], *args: Any) -> Any:
    result = fn(*args)
    if inspect.isawaitable(result):
        result = await result
    return result
