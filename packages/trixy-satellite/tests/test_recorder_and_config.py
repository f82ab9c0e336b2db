import pytest
from satellite_test_doubles import LOUD, QUIET, FakeClient

from trixy_core.config import Config
from trixy_protocol import (
    AbortStreaming,
    ListenAgain,
    RecordingDone,
    StandDown,
    StartStreaming,
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
