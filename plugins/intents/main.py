"""Intent recognition plugin: `text received` -> `intent received`, with hassil templates from every plugin.

- Templates: each enabled plugin's `sentences.yaml` (see catalogue.py); rebuilt when plugins load or unload, and
  announced with the `intents changed` event so speech-to-text can recompile its grammar.
- Conversations: while a plugin's question is open, sentences with `requires_context: {asked_by: <plugin>}` match
  too, and an answer that matches nothing is still passed on as intent `Unknown` so the asking plugin decides.
- Failures: nothing understood -> "Sorry, I didn't catch that"; a skill plugin that raises or takes longer than
  `plugin_timeout_s` (time spent waiting for the user's answer does not count) -> "That didn't work". Either way the
  conversation is closed and the cause is logged with the conversation id.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass, field
from typing import Any

from trixy_core.errors import ConversationError
from trixy_core.events import TrixyEvent, names
from trixy_core.events.data import IntentReceived, PluginLoaded, PluginUnloaded, TextReceived
from trixy_core.plugins import TrixyPlugin, load_plugin_config

from .catalogue import SENTENCES_FILE, SentenceCatalogue, build_catalogue
from .recogniser import IntentMatch, IntentRecogniser
from .replies import reply_and_close

logger = logging.getLogger(__name__)

INTENTS_CHANGED = "intents changed"
SLOT_VALUES_CHANGED = "slot values changed"
UNKNOWN_INTENT = "Unknown"
CANCEL_INTENT = "Cancel"


@dataclass(slots=True)
class IntentsChanged:
    """The sentence catalogue was rebuilt: speech-to-text plugins recompile their grammar from `catalogue`."""

    revision: int
    intents: list[str] = field(default_factory=list)
    catalogue: Any = None
    """The `SentenceCatalogue` (in-process only; never sent over the network)."""


class IntentsPlugin(TrixyPlugin):
    """hassil templates + fuzzy fallback, conversation-aware, with a watchdog on the skill plugins."""

    version = "1.0.0"
    description = "Text to intent with slots (hassil templates from every plugin's sentences.yaml, fuzzy fallback)."
    raises_events = (INTENTS_CHANGED, names.INTENT_RECEIVED, names.SAY)

    def on_load(self) -> None:
        """Build the catalogue from the plugin folders whose config enables them."""
        self._revision = 0
        self._tasks: set[asyncio.Task[Any]] = set()
        self._unloaded: set[str] = set()
        self._pending_rebuild: asyncio.Task[None] | None = None
        self.catalogue: SentenceCatalogue
        self.recogniser: IntentRecogniser
        self.rebuild(announce=False)

    async def on_unload(self) -> None:
        """Cancel the supervision of intents still running."""
        if self._pending_rebuild is not None:
            self._pending_rebuild.cancel()
        for task in list(self._tasks):
            task.cancel()
        if self._tasks:
            await asyncio.wait(list(self._tasks), timeout=2)

    # -- catalogue ---------------------------------------------------------------------------------------------

    def _sources(self) -> list[tuple[str, Any]]:
        manager = self.application.get("plugin_manager")
        sources = []
        for folder in sorted(self.path.parent.iterdir()):
            if not (folder / SENTENCES_FILE).is_file():
                continue
            name = folder.name
            plugin = manager.get(name) if manager is not None else None
            if folder == self.path:
                sources.append((self.name, folder))
            elif plugin is not None:
                if plugin.enabled:  # loaded (or loading) and enabled
                    sources.append((name, folder))
            elif name not in self._unloaded:  # not loaded yet: its config decides
                try:
                    enabled = bool(load_plugin_config(name, folder).get("enabled", True))
                except Exception as exc:  # a broken config.json is the plugin manager's to report
                    logger.debug("plugin %s: config unreadable (%s); its sentences are not used", name, exc)
                    enabled = False
                if enabled:
                    sources.append((name, folder))
        return sources

    @staticmethod
    def _fingerprint(sources: list[tuple[str, Any]]) -> tuple[tuple[str, int, int], ...]:
        stamps = []
        for name, folder in sources:
            stat = (folder / SENTENCES_FILE).stat()
            stamps.append((name, stat.st_mtime_ns, stat.st_size))
        return tuple(stamps)

    def rebuild(self, announce: bool = True, *, force: bool = False) -> SentenceCatalogue:
        """Re-read every sentences.yaml when the set of files (or a file) changed; with `announce`, raise
        `intents changed` (call on the event loop)."""
        sources = self._sources()
        slot_values = self._slot_values()
        fingerprint = (self._fingerprint(sources), tuple((k, tuple(v)) for k, v in sorted(slot_values.items())))
        if not force and fingerprint == getattr(self, "_fingerprint_in_use", None):
            return self.catalogue
        self._fingerprint_in_use = fingerprint
        self._revision += 1
        self.catalogue = build_catalogue(sources, self._revision, slot_values)
        self.recogniser = IntentRecogniser(
            self.catalogue.intents,
            fuzzy=bool(self.config.get("fuzzy", True)),
            fuzzy_cutoff=float(self.config.get("fuzzy_cutoff", 0.75)),
        )
        logger.info(
            "intent catalogue %d: %d intents from %d files", self._revision, len(self.catalogue.intents.intents),
            len(self.catalogue.files),
        )
        if announce and not self.application.event_handler.closed:
            self.trigger(INTENTS_CHANGED, IntentsChanged(self._revision, self.catalogue.intent_names, self.catalogue))
        return self.catalogue

    def _slot_values(self) -> dict[str, list[str]]:
        """Slot values that active plugins compute at run time (`slot_lists()`: the music library's names...)."""
        manager = self.application.get("plugin_manager")
        values: dict[str, list[str]] = {}
        for plugin in list(manager) if manager is not None else []:
            provider = getattr(plugin, "slot_lists", None)
            if plugin is self or not callable(provider) or not manager.is_active(plugin.name):
                continue
            try:
                for name, items in dict(provider()).items():
                    values.setdefault(str(name), []).extend(str(i) for i in items)
            except Exception as exc:  # one plugin's broken list must not break recognition for all
                logger.error("plugin %s: slot_lists() failed: %s", plugin.name, exc)
        return values

    @TrixyEvent([SLOT_VALUES_CHANGED])
    async def on_slot_values_changed(self, event_name: str, event_data: Any) -> None:
        """A plugin's run-time slot values changed (a rescanned music library): rebuild and announce."""
        if hasattr(self, "catalogue"):
            self.rebuild()

    @TrixyEvent([names.PLUGIN_LOADED, names.PLUGIN_UNLOADED])
    async def on_plugins_changed(self, event_name: str, event_data: PluginLoaded | PluginUnloaded) -> None:
        """Another plugin came or went: its sentences join or leave the catalogue. Bursts (start-up loads every
        plugin) are coalesced into one rebuild a moment later."""
        name = str(getattr(event_data, "name", ""))
        if name == self.name or not (self.path.parent / name / SENTENCES_FILE).is_file():
            return
        if not hasattr(self, "_unloaded"):
            return  # an event queued before our on_load ran: on_load's own build already sees that plugin
        if event_name == names.PLUGIN_UNLOADED:
            self._unloaded.add(name)
        else:
            self._unloaded.discard(name)
        if self._pending_rebuild is None or self._pending_rebuild.done():
            self._pending_rebuild = asyncio.get_running_loop().create_task(self._rebuild_soon())

    async def _rebuild_soon(self) -> None:
        await asyncio.sleep(float(self.config.get("rebuild_delay_s", 0.1)))
        self.rebuild()

    # -- recognition -------------------------------------------------------------------------------------------

    def recognise(self, text: str, asked_by: str | None = None) -> IntentMatch | None:
        """The intent for `text`; `asked_by` (the plugin whose question is open) enables its answer sentences."""
        return self.recogniser.recognise(text, {"asked_by": asked_by} if asked_by else None)

    @TrixyEvent([names.TEXT_RECEIVED])
    async def on_text(self, event_name: str, event_data: TextReceived) -> None:
        """Turn text into an intent and start the skill plugins on it (supervised in a task of its own)."""
        conversations = self.application.get("conversations")
        conversation = conversations.get(event_data.conversation_id) if conversations is not None else None
        question = conversation.question if conversation is not None else None
        asked_by = question.owner if question is not None else None
        started = time.perf_counter()
        match = self.recognise(event_data.text, asked_by)
        logger.debug(
            "conversation %s: %r -> %s in %.1f ms", event_data.conversation_id, event_data.text,
            match.intent if match else None, (time.perf_counter() - started) * 1000,
        )
        if match is None and question is None:
            logger.info("conversation %s: not understood: %r", event_data.conversation_id, event_data.text)
            await self._close(event_data, "not_understood_reply", "Sorry, I didn't catch that", "not understood")
            return
        if match is not None and match.intent == CANCEL_INTENT:
            await self._close(event_data, "cancel_reply", "Okay", "cancelled")
            return
        if match is None:
            match = IntentMatch(UNKNOWN_INTENT, {}, event_data.text, 0.0, "none")
        elif question is None and not self._has_handler(match.intent):
            logger.info("conversation %s: intent %s has no active plugin", event_data.conversation_id, match.intent)
            await self._close(event_data, "unsupported_reply", "Sorry, I can't do that yet", "no plugin")
            return
        intent = IntentReceived(
            intent=match.intent,
            slots=dict(match.slots),
            text=match.text,
            conversation_id=event_data.conversation_id,
            satellite_id=event_data.satellite_id,
            speaker_id=event_data.speaker_id,
            speaker_name=event_data.speaker_name,
            confidence=min(float(event_data.confidence), match.confidence),
            is_system_command=bool(conversation.is_system_command) if conversation is not None else False,
            source=self.name,
        )
        task = asyncio.get_running_loop().create_task(self._run_intent(intent), name=f"intent:{match.intent}")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _has_handler(self, intent: str) -> bool:
        owner = self.catalogue.owners.get(intent)
        manager = self.application.get("plugin_manager")
        if owner is None or manager is None or manager.get(owner) is None:
            return True  # declared outside the plugin folders, or no manager to ask: let the event decide
        return bool(manager.is_active(owner))

    async def _run_intent(self, intent: IntentReceived) -> None:
        """Raise `intent received` and watch it: errors or a stuck plugin end the conversation with a reply."""
        dispatch = self.trigger(names.INTENT_RECEIVED, intent)
        limit = float(self.config.get("plugin_timeout_s", 10.0))
        conversations = self.application.get("conversations")
        last_progress = time.monotonic()
        while True:
            conversation = conversations.get(intent.conversation_id) if conversations is not None else None
            if conversation is not None:
                if conversation.waiting_for_answer:
                    last_progress = time.monotonic()
                else:
                    last_progress = max(last_progress, conversation.last_activity)
            remaining = limit - (time.monotonic() - last_progress)
            if remaining <= 0:
                dispatch.cancel()
                logger.error(
                    "conversation %s: intent %s took longer than %.1f s; cancelled", intent.conversation_id,
                    intent.intent, limit,
                )
                await self._close(intent, "failure_reply", "That didn't work", "plugin timeout")
                return
            done, _ = await asyncio.wait({dispatch}, timeout=min(remaining, 0.25))
            if done:
                break
        try:
            outcome = dispatch.result()
        except asyncio.CancelledError:
            return
        if outcome.stopped:
            return  # the intent was an answer, routed to the asking plugin
        if outcome.errors:
            failed = outcome.errors[0]
            conversation = conversations.get(intent.conversation_id) if conversations is not None else None
            if isinstance(failed.error, ConversationError) and conversation is None:
                logger.info("conversation %s ended while %s handled it: %s", intent.conversation_id, failed.owner,
                            failed.error)
                return
            logger.error(
                "conversation %s: plugin %s failed on intent %s: %s: %s", intent.conversation_id, failed.owner,
                intent.intent, type(failed.error).__name__, failed.error,
            )
            await self._close(intent, "failure_reply", "That didn't work", f"plugin error ({failed.owner})")
            return
        if intent.intent == UNKNOWN_INTENT:
            return
        conversation = conversations.get(intent.conversation_id) if conversations is not None else None
        if conversation is not None and conversation.is_open and not conversation.waiting_for_answer:
            await conversation.end("finished")

    async def _close(self, data: Any, reply_key: str, default: str, reason: str) -> None:
        await reply_and_close(
            self.application,
            str(self.config.get(reply_key, default)),
            conversation_id=data.conversation_id,
            satellite_id=data.satellite_id,
            reason=reason,
            source=self.name,
        )
