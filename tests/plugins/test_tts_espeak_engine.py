"""espeak-ng TTS engine: real synthesis to 16 kHz mono PCM, config applied, clear errors."""

from __future__ import annotations

import numpy as np
import pytest

from trixy_server.audio_convert import resample_clip


@pytest.fixture(scope="module")
def tts(load_plugin_module):
    return load_plugin_module("tts_espeak", "engine")


def test_speech_is_16k_mono_pcm_of_plausible_length(tts):
    speech = tts.EspeakSynthesiser().synthesise("Ok, what kind of pizza do you want?")
    samples = np.frombuffer(speech.pcm, dtype="<i2")
    assert speech.sample_rate == 16000
    assert 1.5 < speech.duration_s < 4.0
    assert np.abs(samples).max() > 3000  # real speech, not silence


def test_speed_changes_the_duration(tts):
    slow = tts.EspeakSynthesiser(speed_wpm=100).synthesise("set a timer for five minutes")
    fast = tts.EspeakSynthesiser(speed_wpm=250).synthesise("set a timer for five minutes")
    assert slow.duration_s > 1.6 * fast.duration_s


def test_text_starting_with_a_dash_is_spoken_not_parsed_as_an_option(tts):
    assert tts.EspeakSynthesiser().synthesise("-v xx hello").duration_s > 0.5


def test_bad_input_gives_clear_errors(tts):
    with pytest.raises(tts.TtsError, match="empty"):
        tts.EspeakSynthesiser().synthesise("   ")
    with pytest.raises(tts.TtsError, match="voice 'xx-nope'"):
        tts.EspeakSynthesiser(voice="xx-nope").synthesise("hello")
    with pytest.raises(tts.TtsError, match="not found"):
        tts.EspeakSynthesiser(executable="espeak-ng-that-does-not-exist")
    with pytest.raises(tts.TtsError, match="WAV"):
        tts.parse_wav(b"not a wav file at all, definitely not" * 2)


def test_resampling_22050_to_16000_keeps_pitch(tts, load_plugin_module):
    stt_engine = load_plugin_module("stt_pocketsphinx", "engine")
    assert tts.resample_clip is stt_engine.resample_clip is resample_clip, "one resampler for both speech plugins"
    t = np.arange(22050) / 22050
    tone = (10000 * np.sin(2 * np.pi * 1000 * t)).astype(np.int16)
    out = resample_clip(tone, 22050, 16000)
    assert out.size == 16000
    assert abs(np.argmax(np.abs(np.fft.rfft(out))) - 1000) <= 1
