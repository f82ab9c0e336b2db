import asyncio
import io
import wave

import numpy as np
import pytest

from trixy_satellite.audio import (
    MUSIC_FORMAT,
    SPEECH_FORMAT,
    AudioFormat,
    AudioPlayer,
    JitterBuffer,
    NullSink,
    RawPcmSource,
    WavFileSink,
    WavFileSource,
    open_source,
)
from trixy_satellite.audio.format import CLIP_BLOCK_S, MIC_FORMAT, convert, resample_clip
from trixy_satellite.errors import AudioDeviceError, AudioFormatError


def write_wav(path, samples: np.ndarray, rate: int, channels: int = 1, width: int = 2) -> None:
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(channels)
        wav.setsampwidth(width)
        wav.setframerate(rate)
        wav.writeframes(samples.astype("<i2").tobytes() if width == 2 else samples.astype("u1").tobytes())


def tone(rate: int, seconds: float, freq: float = 440.0, amp: float = 8000) -> np.ndarray:
    t = np.arange(int(rate * seconds)) / rate
    return (amp * np.sin(2 * np.pi * freq * t)).astype(np.int16)


async def test_wav_source_resamples_and_then_keeps_giving_silence(tmp_path):
    write_wav(tmp_path / "a.wav", np.repeat(tone(8000, 0.1), 2), 8000, channels=2)
    source = WavFileSource(tmp_path / "a.wav", chunk_ms=20, realtime=False)
    chunks = []
    async for chunk in source.chunks():
        chunks.append(chunk)
        if len(chunks) == 8:
            source.close()
    assert all(len(c) == 640 for c in chunks)
    assert max(abs(np.frombuffer(b"".join(chunks[:5]), "<i2"))) > 5000
    assert chunks[6] == b"\x00" * 640


async def test_a_wav_microphone_waits_for_the_satellite_to_listen_before_playing(tmp_path):
    """open_source(<file>.wav) is a satellite's microphone: nothing of the file is played before begin() (the
    satellite connected), so a wake word at its start is not heard while nobody could answer."""
    import asyncio

    write_wav(tmp_path / "a.wav", tone(16000, 0.1), 16000)
    source = open_source(str(tmp_path / "a.wav"), realtime=False)
    chunks: list[bytes] = []

    async def read() -> None:
        async for chunk in source.chunks():
            chunks.append(chunk)
            if len(chunks) == 6:
                source.close()

    task = asyncio.create_task(read())
    await asyncio.sleep(0.05)
    assert chunks == []  # still waiting
    source.begin()
    await asyncio.wait_for(task, 2)
    assert max(abs(np.frombuffer(chunks[0], "<i2"))) > 5000  # the file from its first sample
    # closing a source that is still waiting ends it
    waiting = open_source(str(tmp_path / "a.wav"), realtime=False)
    reader = asyncio.create_task(anext(waiting.chunks(), None))
    await asyncio.sleep(0.01)
    waiting.close()
    assert await asyncio.wait_for(reader, 2) is None


def test_24_bit_wav_is_refused_with_advice(tmp_path):
    path = tmp_path / "x.wav"
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(3)
        wav.setframerate(16000)
        wav.writeframes(b"\x00" * 300)
    with pytest.raises(AudioFormatError, match="16-bit"):
        WavFileSource(path)
    with pytest.raises(AudioDeviceError, match="unknown audio input"):
        open_source("foo.mp3")


async def test_raw_pcm_pipe_source_yields_whole_chunks():
    data = bytes(range(256)) * 10
    source = RawPcmSource(io.BytesIO(data), chunk_ms=10)
    chunks = [c async for c in source.chunks()]
    assert b"".join(chunks) == data[: len(data) // 320 * 320]


def test_jitter_buffer_prefills_pads_and_bounds_memory():
    fmt = AudioFormat(16000, 1)
    jb = JitterBuffer(fmt, prefill_ms=40, max_ms=100)
    jb.push(b"\x01\x00" * 320)  # 20 ms: below prefill
    assert jb.pull(640) is None
    jb.push(b"\x01\x00" * 320)
    assert jb.pull(640) == b"\x01\x00" * 320
    assert jb.pull(1280) == b"\x01\x00" * 320 + b"\x00" * 640
    assert jb.underruns == 1
    jb.push(b"\x02\x00" * 16000)  # 1 s into a 100 ms buffer
    assert len(jb) == fmt.bytes_for(0.1) and jb.dropped_bytes > 0
    jb.clear()
    assert jb.pull(640) is None
    jb.push(b"\x03\x00" * 10)
    jb.end_of_stream()
    assert jb.pull(40) == b"\x03\x00" * 10 + b"\x00" * 20


def test_player_ducks_music_under_speech_and_pauses_when_asked(tmp_path):
    sink = NullSink(SPEECH_FORMAT)
    player = AudioPlayer(sink, speech_prefill_ms=0, music_prefill_ms=0)
    music = np.full(MUSIC_FORMAT.bytes_for(0.2) // 2, 10000, dtype="<i2").tobytes()
    player.push_music(music)
    loud = np.frombuffer(player.mix_tick(), "<i2")
    assert abs(loud.mean() - 10000) < 50
    player.push_speech(np.full(320, 1000, dtype="<i2").tobytes())
    ducked = np.frombuffer(player.mix_tick(), "<i2")
    assert abs(ducked.mean() - (1000 + 10000 * player.duck_gain)) < 50
    finished = []
    player.on_speech_finished = lambda: finished.append(True)
    player.mix_tick()
    assert finished == [True]
    player.music_mode = "pause"
    player.conversation_active = True
    before = len(player.music)
    assert player.mix_tick() is None and len(player.music) == before


async def test_player_loop_writes_speech_to_a_wav_file(tmp_path):
    sink = WavFileSink(tmp_path / "out.wav", SPEECH_FORMAT)
    player = AudioPlayer(sink, tick_ms=10)
    player.push_speech(tone(16000, 0.1).tobytes())
    player.speech.end_of_stream()
    player.start()
    for _ in range(100):
        await asyncio.sleep(0.01)
        if not player.speaking:
            break
    await player.stop()
    with wave.open(str(tmp_path / "out.wav")) as wav:
        assert wav.getnframes() >= 1600


def test_convert_up_and_down_keeps_length_ratio():
    pcm = tone(16000, 0.5).tobytes()
    up = convert(pcm, SPEECH_FORMAT, MUSIC_FORMAT)
    assert len(up) == len(pcm) * 6
    assert len(convert(up, MUSIC_FORMAT, SPEECH_FORMAT)) == len(pcm)


def level_db(samples: np.ndarray, rate: int, freq: float) -> float:
    """Level of ``freq`` in ``samples`` (dB, Hann-windowed spectrum peak within 30 Hz)."""
    spectrum = np.abs(np.fft.rfft(samples.astype(np.float64) * np.hanning(samples.size)))
    bins = np.fft.rfftfreq(samples.size, 1 / rate)
    return 20 * np.log10(spectrum[np.abs(bins - freq) < 30].max() + 1e-9)


def test_a_22_khz_wav_is_band_limited_not_folded_into_the_16_khz_band(tmp_path):
    # text-to-speech files are often 22.05 kHz; their 8-11 kHz must vanish, not fold down (10 kHz -> 6.05 kHz)
    rate = 22050
    t = np.arange(rate * 2) / rate
    mix = 6000 * np.sin(2 * np.pi * 1000 * t) + 6000 * np.sin(2 * np.pi * 10000 * t)
    write_wav(tmp_path / "tts.wav", mix.astype(np.int16), rate)
    heard = np.frombuffer(WavFileSource(tmp_path / "tts.wav").pcm, "<i2")[: 2 * 16000]
    assert level_db(heard, 16000, 1000) - level_db(heard, 16000, 16000 - 10000) > 60
    linear = np.frombuffer(convert(mix.astype(np.int16).tobytes(), AudioFormat(rate, 1), MIC_FORMAT), "<i2")
    assert level_db(linear, 16000, 1000) - level_db(linear, 16000, 16000 - 10000) < 30  # what the chunk converter folds


def test_a_long_wav_is_resampled_in_blocks_without_seams(tmp_path):
    rate = 44100
    t = np.arange(rate * (2 * round(CLIP_BLOCK_S) + 3) + 441 * 7) / rate  # three blocks; a whole number of 441ths
    # (the output length of a file is rounded to whole samples: a clip of any other length drifts by up to half a
    # sample towards its end, as one FFT of the whole clip would)
    tone_ = (8000 * np.sin(2 * np.pi * 440 * t)).astype(np.int16)
    stereo = np.stack([tone_, tone_], axis=1).ravel()
    write_wav(tmp_path / "long.wav", stereo, rate, channels=2)
    heard = np.frombuffer(WavFileSource(tmp_path / "long.wav").pcm, "<i2").astype(np.float64)
    assert abs(heard.size - round(tone_.size * 16000 / rate)) <= 320  # whole 20 ms chunks of padding at most
    expected = 8000 * np.sin(2 * np.pi * 440 * np.arange(heard.size) / 16000)
    inner = slice(16000, round(tone_.size * 16000 / rate) - 16000)  # away from the file's own ends
    assert np.max(np.abs(heard[inner] - expected[inner])) < 40  # no click where the blocks meet (0.5 % of the tone)


def test_resample_clip_keeps_a_short_clip_exact_and_multi_channel():
    data = np.random.default_rng(0).normal(0, 1000, (22050, 2))
    out = resample_clip(data, 22050, 16000)
    assert out.shape == (16000, 2) and resample_clip(data, 16000, 16000) is data
    back = resample_clip(out, 16000, 22050)
    low = np.fft.rfft(data[:, 0])[: 7000]  # below 7 kHz both agree
    assert np.allclose(np.fft.rfft(back[:, 0])[: 7000], low, rtol=0, atol=1e-6 * np.abs(low).max())
