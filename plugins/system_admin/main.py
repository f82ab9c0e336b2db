"""System administration by voice: registration mode, satellite reboot, clock, plugin reload.

Every intent here is administrative: the server's `AdminGate` (pipeline.admin_intents) refuses it unless the
conversation was opened by the system-command wake word (and, when `pipeline.admin_speakers` is not empty, by a speaker
it lists). The plugin checks the same rule again before acting, so it stays safe where no gate is installed
(standalone) or the list was edited.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import inspect
import json
import logging
from pathlib import Path
from typing import Any

from trixy_core.events import TrixyEvent, names
from trixy_core.events.data import IntentReceived, SayRequested
from trixy_core.plugins import TrixyPlugin

logger = logging.getLogger(__name__)

ADMIN_INTENTS = ("EnterRegistrationMode", "RebootSatellite", "SetTime", "ReloadPlugins")
"""The intents this plugin handles; all must be listed in `pipeline.admin_intents`."""

DEFAULTS: dict[str, Any] = json.loads((Path(__file__).parent / "config.json").read_text(encoding="utf-8"))
"""The shipped config.json: the fallback for every reply text."""

_BACKGROUND: set[asyncio.Task[Any]] = set()
"""Tasks that must outlive a reload of this plugin (the plugin reload itself)."""


class SystemAdminError(Exception):
    """An administrative action could not be carried out (the message says what to fix)."""


def clock_arguments(command: list[str], hour: int, minute: int) -> list[str]:
    """Fill `{hour}`, `{minute}`, `{time}` (HH:MM) into each argument of `set_time_command`; checks the range."""
    if not (0 <= hour <= 23 and 0 <= minute <= 59):
        raise SystemAdminError(f"{hour}:{minute:02d} is not a time of day")
    if not isinstance(command, list) or not all(isinstance(arg, str) for arg in command):
        raise SystemAdminError("set_time_command must be a list of strings (an argument list, no shell)")
    time_text = f"{hour:02d}:{minute:02d}"
    return [arg.format(hour=f"{hour:02d}", minute=f"{minute:02d}", time=time_text) for arg in command]


async def _settle(pending: Any, timeout_s: float) -> Any:
    """Await what a `Satellite` method returns (an asyncio Task on the loop, a concurrent Future elsewhere)."""
    if isinstance(pending, concurrent.futures.Future):
        pending = asyncio.wrap_future(pending)
    return await asyncio.wait_for(pending, timeout_s) if inspect.isawaitable(pending) else pending


class SystemAdminPlugin(TrixyPlugin):
    """Handles `EnterRegistrationMode`, `RebootSatellite`, `SetTime` and `ReloadPlugins` by voice."""

    version = "1.0.0"
    description = "Administrative voice commands (system-command wake word only)."
    raises_events = (names.SAY,)

    def on_load(self) -> None:
        """Build the fallback gate from the `pipeline` config when the server's pipeline gate is not there."""
        self._own_gate: Any = None

    # -- who may ---------------------------------------------------------------------------------------------------
    def _gate(self) -> Any:
        pipeline = self.application.get("pipeline")
        gate = getattr(pipeline, "admin", None)
        if gate is not None:
            return gate
        if self._own_gate is None:
            try:
                from trixy_server.pipeline import AdminGate, PipelineSettings
            except ImportError:  # no trixy-server: the system-command wake word alone decides (the spec's rule)
                return None
            settings = PipelineSettings.from_config(self.application.config)
            self._own_gate = AdminGate(self.application, settings.admin_intents, settings.admin_speakers,
                                       settings.not_allowed_reply)
        return self._own_gate

    def allowed(self, data: IntentReceived, conversation: Any) -> str | None:
        """None when the speaker may run an administrative intent here, else why not."""
        system_command = bool(data.is_system_command) or bool(conversation is not None and conversation.is_system_command)
        if not system_command:
            return "not opened by the system-command wake word"
        speaker_id = conversation.speaker_id if conversation is not None else data.speaker_id
        speaker_name = conversation.speaker_name if conversation is not None else data.speaker_name
        gate = self._gate()
        if gate is not None and not gate.speaker_allowed(speaker_id, speaker_name):
            return f"speaker {speaker_name or 'unknown'!r} (id {speaker_id}) is not in pipeline.admin_speakers"
        return None

    # -- the handler -----------------------------------------------------------------------------------------------
    @TrixyEvent([names.INTENT_RECEIVED])
    async def on_intent(self, event_name: str, event_data: IntentReceived) -> None:
        """Check the speaker again, act, answer by speech and close the conversation."""
        if event_data.intent not in ADMIN_INTENTS:
            return
        conversation = self.application.conversations.get(event_data.conversation_id)
        why = self.allowed(event_data, conversation)
        if why is not None:
            logger.warning("conversation %s: %s refused: %s", event_data.conversation_id, event_data.intent, why)
            await self._answer(event_data, conversation, self._text("not_allowed_reply"), "not allowed")
            return
        logger.info("conversation %s: running %s for %s", event_data.conversation_id, event_data.intent,
                    event_data.speaker_name or (conversation.speaker_name if conversation else ""))
        action = {
            "EnterRegistrationMode": self._registration,
            "RebootSatellite": self._reboot,
            "SetTime": self._set_time,
            "ReloadPlugins": self._reload,
        }[event_data.intent]
        text, after = await action(event_data)
        await self._answer(event_data, conversation, text, "answered")
        if after is not None:
            task = asyncio.get_running_loop().create_task(after(), name=f"{self.name}:{event_data.intent}")
            _BACKGROUND.add(task)
            task.add_done_callback(_finished)

    async def _registration(self, data: IntentReceived) -> tuple[str, Any]:
        manager = self.application.get("satellite_manager")
        if manager is None:
            return self._text("no_network_reply"), None
        seconds = float(self.config.get("registration_window_s", 60.0))
        manager.enter_registration_mode(seconds)
        return self._text("registration_reply", seconds=round(seconds)), None

    async def _reboot(self, data: IntentReceived) -> tuple[str, Any]:
        manager = self.application.get("satellite_manager")
        if manager is None:
            return self._text("no_network_reply"), None
        delay = float(self.config.get("reboot_delay_s", 5.0))
        try:
            satellite = manager.get(data.satellite_id)
            result = await _settle(satellite.reboot(delay_s=delay, reason=f"voice command ({data.conversation_id})"),
                                   float(self.config.get("reboot_reply_timeout_s", 8.0)))
        except Exception as exc:  # unknown/disconnected satellite, declined, no answer in time
            logger.error("conversation %s: reboot of satellite %r failed: %s: %s", data.conversation_id,
                         data.satellite_id, type(exc).__name__, exc)
            return self._text("reboot_failed_reply"), None
        logger.info("satellite %s reboots in %.0f s: %s", data.satellite_id, delay, result)
        return self._text("reboot_reply", seconds=round(delay)), None

    async def _set_time(self, data: IntentReceived) -> tuple[str, Any]:
        hour = int(data.slots.get("clock_hour", -1))
        minute = int(data.slots.get("clock_minute", 0) or 0)
        command = clock_arguments(list(self.config.get("set_time_command", [])), hour, minute)
        if not command:
            logger.warning("SetTime %02d:%02d: set_time_command is empty, the clock was not changed", hour, minute)
            return self._text("set_time_disabled_reply", hour=hour, minute=minute), None
        process = await asyncio.create_subprocess_exec(
            *command, stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
        try:
            out, err = await asyncio.wait_for(process.communicate(), float(self.config.get("set_time_timeout_s", 10.0)))
        except TimeoutError:
            process.kill()
            await process.wait()
            raise SystemAdminError(f"set_time_command {command[0]!r} did not finish in time") from None
        if process.returncode != 0:
            raise SystemAdminError(f"set_time_command {command[0]!r} failed with exit code {process.returncode}: "
                                   f"{err.decode(errors='replace').strip()[:200]}")
        logger.info("clock set to %02d:%02d by %s", hour, minute, command[0])
        return self._text("set_time_reply", hour=hour, minute=minute), None

    async def _reload(self, data: IntentReceived) -> tuple[str, Any]:
        functions = self.application.functions
        if "reload_plugins" not in functions:
            raise SystemAdminError("no internal function 'reload_plugins' is registered")

        async def reload() -> None:  # after the answer: the reload also replaces this plugin and the intents plugin
            loaded = await functions.call("reload_plugins")
            logger.info("plugins reloaded by voice command: %s", loaded)

        return self._text("reload_reply"), reload

    # -- helpers ---------------------------------------------------------------------------------------------------
    def _text(self, key: str, **values: Any) -> str:
        return str(self.config.get(key, DEFAULTS[key])).format(**values)

    async def _answer(self, data: IntentReceived, conversation: Any, text: str, reason: str) -> None:
        if conversation is None:
            await self.trigger(names.SAY, SayRequested(text, satellite_id=data.satellite_id, source=self.name))
            return
        await conversation.say(text, source=self.name)
        await conversation.end(reason)


def _finished(task: asyncio.Task[Any]) -> None:
    _BACKGROUND.discard(task)
    if not task.cancelled() and task.exception() is not None:
        logger.error("system_admin background action %s failed: %s", task.get_name(), task.exception())
