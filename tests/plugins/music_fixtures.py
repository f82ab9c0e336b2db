"""Small music files made at test time: tones in MP3/FLAC/OGG Vorbis/Opus/WAV (libsndfile) with tags (mutagen)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

FORMATS = {".mp3": ("MP3", "MPEG_LAYER_III"), ".flac": ("FLAC", "PCM_16"), ".ogg": ("OGG", "VORBIS"),
           ".opus": ("OGG", "OPUS"), ".wav": ("WAV", "PCM_16")}


def write_song(path: Path, *, freq: float = 440.0, seconds: float = 1.0, rate: int = 44100, channels: int = 1,
               title: str = "", artist: str = "", album: str = "", track: int = 0) -> Path:
    """A sine tone file (format by suffix) with optional tags."""
    import mutagen
    import soundfile

    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix == ".opus":
        rate = 48000  # Opus only codes 8/12/16/24/48 kHz
    t = np.arange(int(rate * seconds)) / rate
    tone = (0.3 * np.sin(2 * np.pi * freq * t)).astype(np.float32)
    data = np.stack([tone] * channels, axis=1) if channels > 1 else tone
    fmt, subtype = FORMATS[path.suffix]
    soundfile.write(str(path), data, rate, format=fmt, subtype=subtype)
    if (title or artist or album) and path.suffix != ".wav":
        tagged = mutagen.File(str(path), easy=True)
        if tagged.tags is None:
            tagged.add_tags()
        for key, value in (("title", title), ("artist", artist), ("album", album),
                           ("tracknumber", str(track) if track else "")):
            if value:
                tagged[key] = value
        tagged.save()
    return path


def dominant_hz(pcm: bytes, rate: int = 48000) -> float:
    """The strongest frequency of the left channel of 48 kHz stereo s16le."""
    left = np.frombuffer(pcm, dtype="<i2").reshape(-1, 2)[:, 0].astype(np.float64)
    spectrum = np.abs(np.fft.rfft(left * np.hanning(len(left))))
    return float(np.argmax(spectrum) * rate / len(left))


def library(folder: Path) -> dict[str, Path]:
    """A little library: two artists, an album of two tracks, every format, one untagged file in Artist/Album/."""
    return {
        "yellow": write_song(folder / "a.mp3", freq=440, title="Yellow Submarine", artist="The Beatles",
                             album="Revolver", track=2),
        "taxman": write_song(folder / "b.flac", freq=550, title="Taxman", artist="The Beatles", album="Revolver",
                             track=1),
        "so_what": write_song(folder / "jazz" / "c.ogg", freq=660, title="So What", artist="Miles Davis",
                              album="Kind of Blue", channels=2),
        "blue": write_song(folder / "jazz" / "d.opus", freq=770, title="Blue in Green", artist="Miles Davis",
                           album="Kind of Blue", track=3),
        "untagged": write_song(folder / "Zorblax" / "Night Tapes" / "01_moon_song.wav", freq=880, rate=22050),
    }
