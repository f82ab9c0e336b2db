"""Music decode benchmark: a 3-minute 44.1 kHz stereo MP3 and FLAC (made here with libsndfile) to the 48 kHz stereo
s16le of the music stream, as the music plugin does before a track starts.

Figures: seconds per file and times faster than real time; baseline in the same run: libsndfile's decode alone
(what any player must at least do), so the ratio is the cost of our resampling and conversion.

    .venv/bin/python benchmarks/music_decode_bench.py
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
SECONDS = 180.0


def main() -> None:
    import soundfile

    sys.path.insert(0, str(REPO / "tests" / "plugins"))
    from conftest import plugin_module

    decode = plugin_module("music", "decode")
    rng = np.random.default_rng(3)
    t = np.arange(int(44100 * SECONDS)) / 44100
    music = 0.2 * np.stack([np.sin(2 * np.pi * 440 * t), np.sin(2 * np.pi * 554 * t)], axis=1)
    music += 0.02 * rng.standard_normal(music.shape)
    with tempfile.TemporaryDirectory() as tmp:
        for suffix, fmt, subtype in ((".mp3", "MP3", "MPEG_LAYER_III"), (".flac", "FLAC", "PCM_16")):
            path = Path(tmp) / f"song{suffix}"
            soundfile.write(str(path), music.astype(np.float32), 44100, format=fmt, subtype=subtype)
            started = time.perf_counter()
            soundfile.read(str(path), dtype="float32", always_2d=True)
            base = time.perf_counter() - started
            started = time.perf_counter()
            pcm = decode.load_music(path)
            ours = time.perf_counter() - started
            assert abs(len(pcm) / 4 / 48000 - SECONDS) < 0.2
            print(f"decode+resample {SECONDS:.0f} s {suffix[1:].upper()} to 48 kHz stereo: {ours:.2f} s "
                  f"({SECONDS / ours:.0f}x real time; libsndfile decode alone: {base:.2f} s, ratio {ours / base:.2f})")


if __name__ == "__main__":
    main()
