"""Trailing silence is cut before speech-to-text; the `pipeline` config section feeds PipelineSettings."""

import numpy as np

from trixy_core.config import Config
from trixy_server.pipeline import PipelineSettings
from trixy_server.pipeline.recording import MAX_LEAD_MS, split_lead, trim_trailing_silence


def tone(seconds, amp=8000.0):
    t = np.arange(int(16000 * seconds)) / 16000
    return (amp * np.sin(2 * np.pi * 300 * t)).astype("<i2").tobytes()


def quiet(seconds):
    return np.random.default_rng(0).normal(0, 20, int(16000 * seconds)).astype("<i2").tobytes()


def test_trailing_silence_is_cut_to_the_margin_and_speech_is_kept():
    pcm = quiet(0.5) + tone(1.0) + quiet(3.0)
    trimmed = trim_trailing_silence(pcm, keep_s=0.3)
    assert len(trimmed) == len(quiet(0.5) + tone(1.0)) + int(0.3 * 16000) * 2
    assert trimmed == pcm[: len(trimmed)]


def test_all_quiet_or_tiny_audio_is_left_alone():
    assert trim_trailing_silence(quiet(2.0)) == quiet(2.0)
    assert trim_trailing_silence(b"\x01\x00" * 10) == b"\x01\x00" * 10


def test_the_lead_is_split_off_in_whole_samples_and_never_takes_everything():
    pcm = tone(1.0) + quiet(2.0)
    lead, command = split_lead(pcm, 200)
    assert len(lead) == 6400 and lead + command == pcm
    assert split_lead(pcm, 0) == (b"", pcm) and split_lead(pcm, -5) == (b"", pcm)
    lead, _ = split_lead(pcm, 10_000)  # a peer's absurd lead counts only up to MAX_LEAD_MS
    assert len(lead) == MAX_LEAD_MS * 32
    assert split_lead(tone(0.1), 200) == (b"", tone(0.1))  # all of it lead: treated as the command
    lead, command = split_lead(tone(0.5) + b"\x01", 100)  # an odd trailing byte stays with the command
    assert len(lead) == 3200 and lead + command == tone(0.5) + b"\x01"


def test_settings_come_from_the_config_section(tmp_path):
    import trixy_server.pipeline.config  # noqa: F401 - registers the section

    config = Config.load(tmp_path / "server_config.json", "server", overrides={
        "pipeline.arbitration_window_s": 0.2, "pipeline.admin_speakers": ["Johannes"]})
    settings = PipelineSettings.from_config(config)
    assert settings.arbitration_window_s == 0.2 and settings.silence_s == 3.0 and settings.max_recording_s == 60.0
    assert settings.admin_speakers == ["Johannes"] and "Reboot" in settings.admin_intents
