"""`NetworkServer`: the four listening sockets, the live sessions, and the hooks the voice pipeline plugs into.

    server = NetworkServer(manager, NetworkConfig(command_port=0, ...))
    await server.start()
    server.add_command_handler(WakeWordDetected, on_wake)        # (satellite, command) -> None | awaitable
    server.add_audio_listener(lambda satellite, pcm: ...)        # every byte of every microphone stream
    capture = server.capture(satellite); ...; pcm = await capture.wait_for(done.audio_bytes)
"""

from __future__ import annotations

import asyncio
import inspect
import logging
from collections.abc import Callable
from typing import Any

from trixy_protocol import AudioStream
from trixy_server.audio_streams import AudioStreamProtocol
from trixy_server.budget import ConnectionBudget
from trixy_server.capture import AudioCapture
from trixy_server.command_session import CommandSession
from trixy_server.config import NetworkConfig
from trixy_server.logthrottle import ThrottledLog
from trixy_server.manager import SatelliteManager
from trixy_server.satellite import Satellite
from trixy_server.tokens import TokenBook

logger = logging.getLogger(__name__)

CommandHandler = Callable[[Satellite, Any], Any]
AudioListener = Callable[[Satellite, bytes], None]
#: StreamReader buffer before reading pauses (a session reads continuously; this only bounds a burst)
COMMAND_READ_LIMIT = 64 * 1024


class NetworkServer:
    """Listens on the command and audio ports and runs one `CommandSession` per satellite connection."""

    def __init__(self, manager: SatelliteManager, config: NetworkConfig | None = None) -> None:
        self.manager = manager
        self.config = config or NetworkConfig()
        self.tokens = TokenBook(self.config.stream_token_ttl_s)
        self.sessions: dict[str, CommandSession] = {}
        """MAC -> the accepted session of that satellite."""
        self.retry_hint_s = 5.0
        self._servers: dict[str, asyncio.base_events.Server] = {}
        self._ports: dict[str, int] = {}
        self._handlers: dict[type, list[CommandHandler]] = {}
        self._audio_listeners: list[AudioListener] = []
        self._captures: dict[str, list[AudioCapture]] = {}
        self._session_tasks: set[asyncio.Task] = set()
        cfg = self.config
        self.budget = ConnectionBudget(max_pending=cfg.max_pending_connections,
                                       max_pending_per_address=cfg.max_pending_per_address,
                                       max_satellites=cfg.max_satellites)
        """Pending (not logged in) sockets per address and in total, and accepted satellites."""
        self.refusal_log = ThrottledLog(logger)
        """Refused sockets and bad handshakes are logged through this: at most 10 lines a minute."""

    # -- lifecycle ------------------------------------------------------------------------------------------------
    async def start(self) -> None:
        """Bind all four ports (port 0 picks a free one; see `ports`)."""
        cfg = self.config
        loop = asyncio.get_running_loop()
        self._servers["command"] = await asyncio.start_server(self._on_command_connection, cfg.bind_address,
                                                              cfg.command_port, limit=COMMAND_READ_LIMIT)
        for name, kind, port in (("input", AudioStream.INPUT, cfg.audio_input_port),
                                 ("output", AudioStream.OUTPUT, cfg.audio_output_port),
                                 ("music", AudioStream.MUSIC, cfg.music_port)):
            self._servers[name] = await loop.create_server(lambda k=kind: AudioStreamProtocol(self, k),
                                                           cfg.bind_address, port)
        for name, server in self._servers.items():
            self._ports[name] = server.sockets[0].getsockname()[1]
        logger.info("listening on %s: command %d, audio in %d, speech out %d, music out %d", cfg.bind_address,
                    self._ports["command"], self._ports["input"], self._ports["output"], self._ports["music"])

    async def stop(self) -> None:
        """Close the listeners and every satellite connection."""
        for server in self._servers.values():
            server.close()
        for session in list(self.sessions.values()):
            await session.close("server shutting down")
        for task in list(self._session_tasks):
            task.cancel()
        if self._session_tasks:
            await asyncio.gather(*self._session_tasks, return_exceptions=True)
        for server in self._servers.values():
            try:
                await asyncio.wait_for(server.wait_closed(), 2.0)
            except TimeoutError:
                pass
        self._servers.clear()

    @property
    def ports(self) -> dict[str, int]:
        """Bound ports: `command`, `input`, `output`, `music`."""
        return dict(self._ports)

    @property
    def audio_ports(self) -> dict[str, int]:
        """The audio ports as sent in `Accepted` (keys are AudioStream values)."""
        return {k: self._ports[k] for k in ("input", "output", "music")}

    # -- hooks for the pipeline -----------------------------------------------------------------------------------
    def add_command_handler(self, command_type: type, handler: CommandHandler) -> None:
        """Call `handler(satellite, command)` for every `command_type` frame from an accepted satellite."""
        self._handlers.setdefault(command_type, []).append(handler)

    def add_audio_listener(self, listener: AudioListener) -> None:
        """Call `listener(satellite, pcm)` for every piece of microphone audio (keep it fast: it runs inline)."""
        self._audio_listeners.append(listener)

    def capture(self, satellite: Satellite, *, max_seconds: float = 120.0) -> AudioCapture:
        """Start collecting `satellite`'s microphone audio from now; `close()` the capture when done."""
        capture = AudioCapture(satellite.id, max_bytes=int(max_seconds * 32000))
        self._captures.setdefault(satellite.mac, []).append(capture)
        return capture

    async def dispatch_command(self, satellite: Satellite, command: Any) -> None:
        """Hand a command from a satellite to its handlers (errors are logged, never kill the connection)."""
        handlers = self._handlers.get(type(command))
        if not handlers:
            logger.debug("satellite %s sent %s (no handler)", satellite.id, type(command).__name__)
            return
        for handler in handlers:
            try:
                result = handler(satellite, command)
                if inspect.isawaitable(result):
                    await result
            except Exception:
                logger.exception("handler for %s from satellite %s failed", type(command).__name__, satellite.id)

    # -- called by sessions and audio protocols -------------------------------------------------------------------
    def audio_received(self, satellite: Satellite, data: bytes) -> None:
        captures = self._captures.get(satellite.mac)
        if captures:
            for capture in list(captures):
                if capture.closed:
                    captures.remove(capture)
                else:
                    capture.feed(data)
        for listener in self._audio_listeners:
            try:
                listener(satellite, data)
            except Exception:
                logger.exception("audio listener failed for satellite %s", satellite.id)

    async def session_started(self, session: CommandSession) -> None:
        assert session.mac is not None
        old = self.sessions.get(session.mac)
        if old is not None and old is not session:
            logger.info("satellite %s connected again: dropping its older connection", session.mac)
            old.abort("replaced by a newer connection")
            await asyncio.sleep(0)
        self.sessions[session.mac] = session

    def session_ended(self, session: CommandSession) -> None:
        assert session.mac is not None
        if self.sessions.get(session.mac) is session:
            del self.sessions[session.mac]
            self.tokens.revoke(session.mac)

    def redeem_stream(self, satellite_id: str, kind: AudioStream, token: bytes) -> CommandSession | None:
        grant = self.tokens.redeem(satellite_id, kind, token)
        if grant is None:
            return None
        session = self.sessions.get(grant.mac)
        if session is None or not session.accepted or session.record is None or session.record.id != satellite_id:
            return None
        return session

    def admit_pending(self, address: str) -> bool:
        """Take a pending slot for a new socket (any port) from `address`; False (logged, throttled) when full."""
        refusal = self.budget.admit(address)
        if refusal is None:
            return True
        self.refusal_log.warning("refusing a connection from %s: %s", address, refusal)
        return False

    def release_pending(self, address: str) -> None:
        """A socket from `address` logged in or closed: its pending slot is free again."""
        self.budget.release(address)

    async def _on_command_connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        peer = writer.get_extra_info("peername")
        if not self.admit_pending(str(peer[0]) if peer else "?"):
            writer.transport.abort()
            return
        session = CommandSession(self, reader, writer)  # gives the pending slot back when accepted or closed
        task = asyncio.current_task()
        if task is not None:
            self._session_tasks.add(task)
        try:
            await session.run()
        except asyncio.CancelledError:
            # stop() cancels sessions still in their handshake; re-raising would make asyncio's stream callback
            # log a traceback per socket (the session cleaned up in its own finally already)
            pass
        finally:
            if task is not None:
                self._session_tasks.discard(task)
