"""Where a command's recording starts after a wake word: the quietest moment of the 0.3 s before the window that
fired ended, so a command that began before the detector reported keeps its start and the wake word stays out."""

from types import SimpleNamespace

import numpy as np
from satellite_test_doubles import QUIET, FakeClient

from trixy_protocol import StartStreaming
from trixy_satellite.listening import WakeListener
from trixy_satellite.listening.command_start import command_start_s
from trixy_satellite.recorder import ConversationRecorder

SR = 16000


def tone(seconds, level=8000.0, hz=220.0):
    t = np.arange(int(seconds * SR)) / SR
    return (level * np.sin(2 * np.pi * hz * t)).astype(np.int16)


def noise(seconds, level=30.0, seed=3):
    return np.random.default_rng(seed).normal(0, level, int(seconds * SR)).astype(np.int16)


def test_a_command_that_began_before_the_window_that_fired_ended_keeps_its_start():
    # "wake word" 0.5 s, a 0.1 s pause, then the "command"; the window that fired ended 0.15 s into the command,
    # and the detector reported 0.2 s after that
    audio = np.concatenate([noise(1.0), tone(0.5), noise(0.1, seed=4), tone(0.15 + 0.2, hz=330)])
    back = command_start_s(audio, SR, since_fired_s=0.2)
    start = audio.size / SR - back
    assert 1.5 <= start <= 1.6  # inside the pause, not 0.15 s into the command (1.75) nor inside the wake word


def test_a_pause_after_the_wake_word_is_cut_right_after_the_word_when_it_is_digital_silence():
    audio = np.concatenate([np.zeros(SR, np.int16), tone(0.5), np.zeros(int(0.6 * SR), np.int16)])
    back = command_start_s(audio, SR, since_fired_s=0.4)  # the window ended 0.2 s into the pause
    start = audio.size / SR - back
    assert 1.5 <= start <= 1.53  # the earliest of the equally silent moments: the whole pause is kept


def test_the_quiet_moment_is_looked_for_only_shortly_before_the_window_that_fired():
    # a long silence 0.8 s before the window ended is out of reach: talk all the way from 0.3 s before it
    audio = np.concatenate([tone(0.5), np.zeros(int(0.2 * SR), np.int16), tone(1.0, level=3000), tone(0.3, level=9000)])
    back = command_start_s(audio, SR, since_fired_s=0.3)
    assert 0.3 <= back <= 0.6 + 1e-9
    assert command_start_s(audio[:100], SR, since_fired_s=0.3) == 0.3  # too little audio to search: as it fired
    assert command_start_s(audio, SR, since_fired_s=-1.0) >= 0.0


class FiresOnceDetector:
    """Scripted detector: the window that fired ended ``lag_s`` before the chunk that reports it ends."""

    def __init__(self, at_chunk, lag_s):
        self.at_chunk, self.lag_s, self.fed, self.samples = at_chunk, lag_s, 0, 0

    def feed(self, chunk):
        self.fed += 1
        self.samples += len(chunk) // 2
        if self.fed != self.at_chunk:
            return []
        return [SimpleNamespace(wakeword_id=0, name="trixy", score=0.95, loudness_dbfs=-14.0,
                                stream_time_s=self.stream_time_s - self.lag_s)]

    @property
    def stream_time_s(self):
        return self.samples / SR

    def reset(self):
        pass


def test_the_satellite_sends_the_command_from_the_pause_not_from_where_the_window_ended():
    client = FakeClient()
    recorder = ConversationRecorder(client)
    word, pause, command = tone(0.5), np.zeros(int(0.1 * SR), np.int16), tone(0.6, hz=330)
    audio = np.concatenate([noise(1.0), word, pause, command])
    chunks = [audio[i : i + 320].tobytes() for i in range(0, audio.size, 320)]
    # reported at the end of the audio; the window that fired ended 0.4 s before, 0.2 s into the command
    listener = WakeListener(FiresOnceDetector(len(chunks), lag_s=0.4), recorder)
    for chunk in chunks:
        recorder.feed(chunk)
        listener.feed(chunk)
    client.fire(StartStreaming(conversation_id="c1", silence_s=5.0, max_duration_s=5))
    streamed = np.frombuffer(b"".join(client.audio), np.int16)
    lead_ms = client.sent[0].command_lead_ms  # the recorder's lead before the cut, sent first and told apart
    assert 200 <= lead_ms < 220
    lead, sent = streamed[: lead_ms * SR // 1000], streamed[lead_ms * SR // 1000 :]
    assert 0.6 <= sent.size / SR <= 0.7 + 0.02  # the command and part of the pause (whole 20 ms chunks)
    assert sent.size / SR > 0.4 + 0.02  # from where the window that fired ended, 0.2 s of the command were lost
    assert np.abs(sent[: int(0.02 * SR)]).max() < 100  # it starts in the pause, before the command
    assert np.abs(lead[: int(0.1 * SR)]).max() > 1000  # the lead is the wake word's tail
    recorder.feed(QUIET)
