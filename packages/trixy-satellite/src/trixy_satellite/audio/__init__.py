"""Audio I/O for the satellite: microphone sources, speaker sinks, jitter buffer and the speech/music player."""

from trixy_satellite.audio.format import MIC_FORMAT, MUSIC_FORMAT, SPEECH_FORMAT, AudioFormat
from trixy_satellite.audio.jitter import JitterBuffer
from trixy_satellite.audio.player import AudioPlayer
from trixy_satellite.audio.sinks import AudioSink, NullSink, WavFileSink, open_sink
from trixy_satellite.audio.sources import AudioSource, RawPcmSource, SilenceSource, WavFileSource, open_source

__all__ = [
    "MIC_FORMAT",
    "MUSIC_FORMAT",
    "SPEECH_FORMAT",
    "AudioFormat",
    "AudioPlayer",
    "AudioSink",
    "AudioSource",
    "JitterBuffer",
    "NullSink",
    "RawPcmSource",
    "SilenceSource",
    "WavFileSink",
    "WavFileSource",
    "open_sink",
    "open_source",
]
