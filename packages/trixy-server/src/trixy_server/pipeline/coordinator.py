"""`VoicePipeline`: the server's half of a conversation, from "wake word detected" to speech on the satellite.

    pipeline = VoicePipeline.from_application(app)      # after SatelliteNetwork.from_application(app)

- `WakeWordDetected` -> arbitration (loudest in `arbitration_window_s`) -> new conversation id -> `StartStreaming`
  to the winner, `StandDown` to the others -> `wakeword received` (ArbitratedWakeword, all candidates).
- `RecordingDone` -> the captured PCM -> `raw audio input received`.
- `tts received` -> SpeechRouter -> satellite; after a question, `ListenAgain` (same conversation, no wake word).
- Failures: a recording that never ends, a satellite that drops, an utterance that gets no reply -> short spoken
  answer where possible, conversation closed, cause logged with the conversation id.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass, field
from typing import Any

from trixy_core.application_protocol import TrixyApplication
from trixy_core.conversation import new_conversation_id
from trixy_core.events import names
from trixy_core.events.data import RawAudioInputReceived
from trixy_protocol import (
    AbortStreaming,
    ListenAgain,
    RecordingDone,
    StandDown,
    StartStreaming,
    WakeWordDetected,
)
from trixy_server.pipeline.admin import GATE_PRIORITY, AdminGate
from trixy_server.pipeline.arbitration import WakeArbiter, WakeCandidate, choose_loudest
from trixy_server.pipeline.config import PipelineSettings
from trixy_server.pipeline.describe import PIPELINE_EVENTS, describe_event
from trixy_server.pipeline.events import ArbitratedWakeword
from trixy_server.pipeline.recording import (
    STOP_REASONS,
    ActiveRecording,
    RecordingBook,
    split_lead,
    trim_trailing_silence,
)
from trixy_server.pipeline.replies import answer_and_close
from trixy_server.pipeline.speech_out import SpeechRouter

logger = logging.getLogger(__name__)

OWNER = "trixy-pipeline"


@dataclass(slots=True)
class ArbitrationResult:
    """What one arbitration round decided (kept for the TUI, the demo and tests)."""

    conversation_id: str
    chosen: WakeCandidate
    candidates: list[WakeCandidate]
    decided_at: float = field(default_factory=time.monotonic)

    @property
    def stood_down(self) -> list[str]:
        """Satellites told to stand down."""
        return [c.satellite_id for c in self.candidates if c is not self.chosen]


def _spoken_turns(conversation: Any) -> int:
    """How often Trixy has spoken in a conversation so far (0 for None)."""
    return 0 if conversation is None else sum(1 for turn in conversation.turns if turn.role == "trixy")


class VoicePipeline:
    """Wires the network server's commands and the event handler into one conversation flow."""

    def __init__(self, application: TrixyApplication, network: Any, settings: PipelineSettings | None = None) -> None:
        self.application = application
        self.network = network
        self.server = network.server
        self.manager = network.manager
        self.settings = settings or PipelineSettings.from_config(application.config)
        s = self.settings
        self.recordings = RecordingBook(self.server)
        self.arbiter = WakeArbiter(s.arbitration_window_s, self._decide)
        self.speech = SpeechRouter(self.manager, self._listen_again)
        self.admin = AdminGate(application, s.admin_intents, s.admin_speakers, s.not_allowed_reply)
        self.decisions: list[ArbitrationResult] = []
        self._turns: dict[str, int] = {}
        self._watchdogs: dict[str, asyncio.TimerHandle] = {}
        self._tasks: set[asyncio.Task[Any]] = set()
        self._subscriptions: list[Any] = []
        self.server.add_command_handler(WakeWordDetected, self.on_wake_word)
        self.server.add_command_handler(RecordingDone, self.on_recording_done)

    @classmethod
    def from_application(cls, application: TrixyApplication, settings: PipelineSettings | None = None) -> VoicePipeline:
        """Build on `application.network` (SatelliteNetwork) and register as the `pipeline` component."""
        network = application.get("network")
        if network is None:
            raise RuntimeError("the voice pipeline needs the network: call SatelliteNetwork.from_application first")
        pipeline = cls(application, network, settings)
        application.register("pipeline", pipeline)
        return pipeline

    # -- lifecycle ------------------------------------------------------------------------------------------------
    def start(self) -> None:
        """Subscribe to the events the server handles natively (tts received, ends, disconnects, admin gate)."""
        if self._subscriptions:
            return
        eh = self.application.event_handler
        self._subscriptions = [
            eh.subscribe(names.TTS_RECEIVED, self.speech.on_tts, owner=OWNER),
            eh.subscribe(names.CONVERSATION_ENDED, self._on_conversation_ended, owner=OWNER, priority=100),
            eh.subscribe(names.SATELLITE_DISCONNECTED, self._on_satellite_lost, owner=OWNER),
            eh.subscribe(names.INTENT_RECEIVED, self.admin.on_intent, owner=OWNER, priority=GATE_PRIORITY),
        ]
        if getattr(self.application, "debug", False):  # dev mode: every step on the console
            from trixy_core.logging import debug_print

            def show(event_name: str, data: Any) -> None:
                line = describe_event(event_name, data)
                if line:
                    debug_print(f"[{event_name}] {line}")

            self._subscriptions += [eh.subscribe(name, show, owner=OWNER, threaded=False, priority=9_000)
                                    for name in PIPELINE_EVENTS]

    async def stop(self) -> None:
        """Unsubscribe, drop the open arbitration round and any queued speech."""
        for sub in self._subscriptions:
            sub.cancel()
        self._subscriptions = []
        for timer in self._watchdogs.values():
            timer.cancel()
        self._watchdogs.clear()
        await self.arbiter.close()
        await self.speech.close()
        self.recordings.close()
        for task in list(self._tasks):
            task.cancel()
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)

    # -- wake word and arbitration --------------------------------------------------------------------------------
    def on_wake_word(self, satellite: Any, command: WakeWordDetected) -> None:
        """A satellite heard a wake word: join (or open) the arbitration round."""
        candidate = WakeCandidate(
            satellite_id=satellite.id, wake_word_id=int(command.wake_word_id),
            wake_word_name=command.wake_word_name,
            speaker_id=-1 if command.speaker_id is None else int(command.speaker_id),
            speaker_name=command.speaker_name, score=float(command.score), loudness_db=float(command.loudness_db),
            timestamp_us=int(getattr(command, "timestamp_us", 0) or 0),
            system_command=bool(getattr(command, "system_command", False)
                                or command.wake_word_name == "system_command"),
            received_at=time.monotonic(), command_lead_ms=int(command.command_lead_ms))
        logger.info("wake word %r from %s (speaker %s, score %.2f, %.1f dBFS)", candidate.wake_word_name,
                    satellite.id, candidate.speaker_name or "unknown", candidate.score, candidate.loudness_db)
        self.arbiter.offer(candidate)

    async def _decide(self, candidates: list[WakeCandidate]) -> None:
        connected = [c for c in candidates if self.speech.satellite_for(c.satellite_id) is not None]
        if not connected:
            logger.warning("wake word from %s, but none is still connected", ", ".join(c.satellite_id for c in candidates))
            return
        chosen = choose_loudest(connected)
        conversations = self.application.get("conversations")
        previous = conversations.for_satellite(chosen.satellite_id) if conversations is not None else None
        if previous is not None:
            await previous.end("interrupted by a new wake word")
        conversation_id = new_conversation_id()
        result = ArbitrationResult(conversation_id, chosen, candidates)
        self.decisions.append(result)
        del self.decisions[:-20]
        satellite = self.speech.satellite_for(chosen.satellite_id)
        self._turns[conversation_id] = 0
        self.recordings.start(satellite, conversation_id, 0, speaker_id=chosen.speaker_id,
                              speaker_name=chosen.speaker_name, wake_word_id=chosen.wake_word_id,
                              max_seconds=self.settings.max_recording_s + 10, lead_ms=chosen.command_lead_ms)
        await satellite.send(StartStreaming(conversation_id=conversation_id, send_buffer=True,
                                            max_duration_s=self.settings.max_recording_s,
                                            silence_s=self.settings.silence_s, turn=0))
        for other in candidates:
            if other is chosen:
                continue
            loser = self.speech.satellite_for(other.satellite_id)
            if loser is not None:
                loser.send(StandDown(reason=f"{chosen.satellite_id} heard it louder", conversation_id=conversation_id))
        logger.info("conversation %s: %s chosen (%.1f dBFS) of %d satellite(s)", conversation_id, chosen.satellite_id,
                    chosen.loudness_db, len(candidates))
        self._arm_watchdog(conversation_id, self.settings.max_recording_s + self.settings.capture_wait_s + 5,
                           "no recording arrived")
        data = ArbitratedWakeword(
            satellite_id=chosen.satellite_id, wake_word_id=chosen.wake_word_id, wake_word_name=chosen.wake_word_name,
            is_system_command=chosen.system_command, speaker_id=chosen.speaker_id, speaker_name=chosen.speaker_name,
            confidence=chosen.score, volume=10 ** (chosen.loudness_db / 20), conversation_id=conversation_id,
            candidates=list(candidates))
        self.application.event_handler.trigger(names.WAKEWORD_RECEIVED, data)
        if conversations is not None:
            await conversations.open_for_wakeword(data)

    # -- recordings -----------------------------------------------------------------------------------------------
    async def on_recording_done(self, satellite: Any, done: RecordingDone) -> None:
        """The satellite stopped recording: collect the bytes and raise `raw audio input received`."""
        recording = self.recordings.finish(satellite.id, done.conversation_id)
        if recording is None:
            logger.info("recording done from %s for %s, which is no longer recorded: ignored", satellite.id,
                        done.conversation_id)
            return
        pcm = await recording.capture.wait_for(done.audio_bytes, self.settings.capture_wait_s)
        recording.capture.close()
        cid = recording.conversation_id
        if len(pcm) < done.audio_bytes:
            logger.warning("conversation %s: %d of %d audio bytes arrived from %s", cid, len(pcm), done.audio_bytes,
                           satellite.id)
        lead, pcm = split_lead(pcm, recording.lead_ms)
        conversations = self.application.get("conversations")
        conversation = conversations.get(cid) if conversations is not None else None
        if conversations is not None and conversation is None:
            logger.info("conversation %s ended while %s recorded: audio dropped", cid, satellite.id)
            return
        reason = STOP_REASONS.get(str(done.reason), str(done.reason))
        if not pcm:
            logger.warning("conversation %s: empty recording from %s (%s)", cid, satellite.id, reason)
            self._cancel_watchdog(cid)
            await answer_and_close(self.application, self.settings.not_understood_reply, conversation_id=cid,
                                   satellite_id=satellite.id, reason="nothing recorded")
            return
        recorded_s = len(pcm) / 32000
        if self.settings.trim_silence and reason == "silence":
            pcm = trim_trailing_silence(pcm, threshold_db=self.settings.speech_threshold_db)
        speaker_id = recording.speaker_id if done.speaker_id is None else int(done.speaker_id)
        speaker_name = done.speaker_name or recording.speaker_name
        logger.info("conversation %s: %.2f s recorded on %s (%s), %.2f s to speech-to-text", cid, recorded_s,
                    satellite.id, reason, len(pcm) / 32000)
        self._arm_watchdog(cid, self.settings.response_timeout_s, "no reply to the utterance")
        await self.application.event_handler.trigger(names.RAW_AUDIO_INPUT_RECEIVED, RawAudioInputReceived(
            conversation_id=cid, pcm=pcm, sample_rate=16000, speaker_id=speaker_id, speaker_name=speaker_name,
            satellite_id=satellite.id, wake_word_id=recording.wake_word_id, duration_s=len(pcm) / 32000,
            stop_reason=reason, lead_pcm=lead))

    async def _listen_again(self, satellite: Any, conversation_id: str) -> None:
        """A question was sent: record the answer in the same conversation, without a wake word."""
        conversations = self.application.get("conversations")
        conversation = conversations.get(conversation_id) if conversations is not None else None
        if conversation is None or not conversation.waiting_for_answer:
            return
        turn = self._turns.get(conversation_id, 0) + 1
        self._turns[conversation_id] = turn
        self.recordings.start(satellite, conversation_id, turn, speaker_id=conversation.speaker_id,
                              speaker_name=conversation.speaker_name, wake_word_id=conversation.wake_word_id,
                              max_seconds=self.settings.max_recording_s + 10)
        self._cancel_watchdog(conversation_id)  # ask() has its own answer timeout
        await satellite.send(ListenAgain(conversation_id=conversation_id, max_duration_s=self.settings.max_recording_s,
                                         silence_s=self.settings.silence_s, turn=turn, after_playback=True))
        logger.info("conversation %s: %s listens for the answer (turn %d)", conversation_id, satellite.id, turn)

    # -- failures and ends ----------------------------------------------------------------------------------------
    def _arm_watchdog(self, conversation_id: str, after_s: float, why: str) -> None:
        self._cancel_watchdog(conversation_id)
        conversations = self.application.get("conversations")
        conversation = conversations.get(conversation_id) if conversations is not None else None
        mark = _spoken_turns(conversation)
        loop = asyncio.get_running_loop()
        self._watchdogs[conversation_id] = loop.call_later(after_s, self._watchdog_fired, conversation_id, mark, why)

    def _cancel_watchdog(self, conversation_id: str) -> None:
        timer = self._watchdogs.pop(conversation_id, None)
        if timer is not None:
            timer.cancel()

    def _watchdog_fired(self, conversation_id: str, mark: int, why: str) -> None:
        self._watchdogs.pop(conversation_id, None)
        conversations = self.application.get("conversations")
        conversation = conversations.get(conversation_id) if conversations is not None else None
        if conversation is None or conversation.waiting_for_answer:
            return
        if _spoken_turns(conversation) > mark:
            return  # something answered meanwhile; the conversation's own idle timer closes it
        logger.error("conversation %s on %s: %s; closing it", conversation_id, conversation.satellite_id, why)
        self.recordings.cancel(conversation.satellite_id)
        self._spawn(answer_and_close(self.application, self.settings.failure_reply, conversation_id=conversation_id,
                                     satellite_id=conversation.satellite_id, reason=why))

    def _spawn(self, coro: Any) -> None:
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _on_conversation_ended(self, event_name: str, data: Any) -> None:
        """Stop a recording that still runs for the ended conversation (the satellite resumes wake-word detection)."""
        self._cancel_watchdog(data.conversation_id)
        self._turns.pop(data.conversation_id, None)
        for recording in self.recordings.for_conversation(data.conversation_id):
            self.recordings.cancel(recording.satellite.id)
            satellite = self.speech.satellite_for(recording.satellite.id)
            if satellite is not None:
                satellite.send(AbortStreaming(conversation_id=data.conversation_id,
                                              reason=f"conversation ended ({data.reason})"))

    async def _on_satellite_lost(self, event_name: str, data: Any) -> None:
        """A satellite dropped: its recording is lost and its conversation closed (logged with the id)."""
        recording: ActiveRecording | None = self.recordings.cancel(data.satellite_id)
        conversations = self.application.get("conversations")
        if conversations is None:
            return
        conversation = conversations.for_satellite(data.satellite_id)
        if conversation is None:
            return
        logger.error("conversation %s: satellite %s dropped%s (%s); conversation closed", conversation.id,
                     data.satellite_id, " while recording" if recording else "", data.reason)
        await conversation.end("satellite lost")
