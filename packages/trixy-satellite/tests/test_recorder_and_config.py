import numpy as np
import pytest
from satellite_test_doubles import LOUD, QUIET, FakeClient

from trixy_core.config import Config
from trixy_protocol import (
    AbortStreaming,
    ListenAgain,
    RecordingDone,
    StandDown,
    StartStreaming,
    StopStreaming,
    TriggerWakeWord,
    WakeWordDetected,
)
from trixy_satellite.config import ClientSettings, store_identity
from trixy_satellite.errors import ClientConfigError
from trixy_satellite.recorder import ConversationRecorder, chunk_dbfs


class Clock:
    now = 0.0

    def __call__(self):
        return self.now


def test_wake_word_then_selection_streams_buffer_and_stops_after_silence():
    client, clock = FakeClient(), Clock()
    rec = ConversationRecorder(client, pre_roll_s=0.04, clock=clock)
    for _ in range(5):
        rec.feed(LOUD)
    assert rec.wake_word_detected(0, "custom", score=0.9)
    assert isinstance(client.sent[0], WakeWordDetected) and client.sent[0].loudness_db > -20
    rec.feed(LOUD)
    client.fire(StartStreaming(conversation_id="c1", silence_s=0.1, max_duration_s=10))
    assert rec.state == "streaming" and len(client.audio) == 3  # 2 pre-roll chunks + 1 since the wake word
    for _ in range(4):
        rec.feed(QUIET)
    assert rec.state == "streaming"
    rec.feed(QUIET)
    assert rec.state == "idle"
    done = client.sent[-1]
    assert isinstance(done, RecordingDone) and done.reason.value == "silence" and done.audio_bytes == 8 * 640


def _kept(rec, chunks):
    """Feed ``chunks`` numbered 20 ms chunks (chunk i holds the value i), so a buffer says where it starts."""
    for i in range(chunks):
        rec.feed(np.full(320, i + 1, "<i2").tobytes())


def _first_chunk(client) -> int:
    return int(np.frombuffer(client.audio[0], "<i2")[0])


def test_after_a_detection_the_buffer_reaches_the_lead_further_back_and_the_server_is_told_how_far():
    client = FakeClient()
    rec = ConversationRecorder(client, command_lead_s=0.1)
    _kept(rec, 40)  # 0.8 s, chunks 1..40
    assert rec.wake_word_detected(0, "custom", score=0.9, audio_since_s=0.2)
    assert client.sent[0].command_lead_ms == 100
    client.fire(StartStreaming(conversation_id="c1", silence_s=10, max_duration_s=10))
    assert len(client.audio) == 15 and _first_chunk(client) == 26  # 0.1 s of lead, then the 0.2 s since the cut


def test_the_lead_is_sent_but_neither_its_speech_nor_its_loudness_counts_for_the_command():
    client = FakeClient()
    rec = ConversationRecorder(client, command_lead_s=0.2)
    for chunk in [LOUD] * 20 + [QUIET] * 10:  # the wake word's tail in the lead, then 0.2 s of pause
        rec.feed(chunk)
    assert rec.wake_word_detected(0, "custom", score=0.9, audio_since_s=0.2)
    client.fire(StartStreaming(conversation_id="c1", silence_s=0.1, max_duration_s=10))
    assert len(client.audio) == 20 and client.audio[0] == LOUD
    assert rec.state == "streaming"  # the pause did not end it: no speech of the command was heard yet
    client.fire(StopStreaming(conversation_id="c1"))
    done = client.sent[-1]
    assert isinstance(done, RecordingDone) and done.audio_bytes == 20 * 640 and done.peak_db < -60


def test_the_lead_is_only_what_was_kept_and_none_without_a_detection_or_when_off():
    client = FakeClient()
    rec = ConversationRecorder(client, command_lead_s=0.2)
    _kept(rec, 15)  # 0.3 s kept: 0.25 s since the cut leaves 0.05 s of lead
    assert rec.wake_word_detected(0, "custom", score=0.9, audio_since_s=0.25)
    assert client.sent[0].command_lead_ms == 50
    client.fire(StartStreaming(conversation_id="c1", silence_s=10, max_duration_s=10))
    assert len(client.audio) == 15 and _first_chunk(client) == 1

    for kwargs, since in (({"command_lead_s": 0.2}, 0.0), ({"command_lead_s": 0.0}, 0.2)):
        client = FakeClient()
        rec = ConversationRecorder(client, **kwargs)
        _kept(rec, 40)
        assert rec.wake_word_detected(0, "custom", score=0.9, audio_since_s=since)
        assert client.sent[0].command_lead_ms == 0  # a wake word by hand (no cut), or the lead turned off
        client.fire(StartStreaming(conversation_id="c1", silence_s=10, max_duration_s=10))
        assert len(client.audio) == int(since / 0.02)


def test_silence_before_any_speech_does_not_stop_and_max_duration_does():
    client = FakeClient()
    rec = ConversationRecorder(client)
    client.fire(ListenAgain(conversation_id="c2", silence_s=0.02, max_duration_s=0.1, after_playback=False))
    for _ in range(4):
        rec.feed(QUIET)
    assert rec.state == "streaming"
    rec.feed(QUIET)
    assert client.sent[-1].reason.value == "timeout" and client.sent[-1].conversation_id == "c2"


def test_no_selection_in_time_drops_the_buffer_and_stand_down_or_abort_end_it():
    client, clock = FakeClient(), Clock()
    rec = ConversationRecorder(client, clock=clock, selection_timeout_s=10)
    client.fire(TriggerWakeWord(wake_word_name="system_command"))
    assert client.sent[-1].system_command and rec.state == "waiting"
    clock.now = 11
    rec.feed(LOUD)
    assert rec.state == "idle"
    rec.wake_word_detected(0, "custom")
    client.fire(StandDown(reason="kitchen was louder"))
    assert rec.state == "idle"
    rec.wake_word_detected(0, "custom")
    client.fire(StartStreaming(conversation_id="c3"))
    client.fire(AbortStreaming(conversation_id="c3"))
    assert client.sent[-1].reason.value == "aborted" and rec.state == "idle"
    assert chunk_dbfs(QUIET) == -120.0


def test_settings_read_the_sections_and_identity_is_written_back(tmp_path):
    import trixy_satellite.config  # noqa: F401

    path = tmp_path / "client_config.json"
    config = Config.load(path, "client", overrides={"server.port": 3101, "satellite.room": "Attic"})
    settings = ClientSettings.from_config(config)
    assert (settings.port, settings.room, settings.secret) == (3101, "Attic", b"")
    store_identity(config, "sat-1", b"\x01" * 32, room="Attic", alias="Owl")
    again = ClientSettings.from_config(Config.load(path, "client"))
    assert (again.satellite_id, again.secret, again.alias) == ("sat-1", b"\x01" * 32, "Owl")
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    broken = Config.load(path, "client", overrides={"satellite.secret": "zz"})
    with pytest.raises(ClientConfigError, match="not hex"):
        ClientSettings.from_config(broken)
