"""Wake-word detection under the conditions of files and of a satellite's life, on clean espeak-ng words.

Runs the satellite's streaming detector (ONNX, numpy) on espeak-ng "Trixie" in 13 voices (7 of training families,
i.e. in-domain; 6 of the held-out families en-gb-scotland, en-029, nl, hu), speeds and pitches, and prints one line per condition:

- digital silence (exact zeros, as text-to-speech files have) around "Trixie, what time is it", against the same
  files over a noise floor of -101 / -90 dBFS;
- the file's peak level, and how much audio follows the word before the stream ends (a satellite always has more),
  without and with ``WakewordDetector.flush()`` at the end (what a caller scoring a file does);
- a wake word spoken 0.1-0.8 s after a conversation, with the detector reset (the state before priming) or primed
  with the last window of room audio (what the WakeListener does when detection resumes).
- one window through the ONNX contract (``<model>.onnx``, input ``audio`` [1, chunk_samples], no stream state), the
  word placed at its start (a short file padded after it), centred, or at its end (padded before it), and ending
  0-1.4 s before the window's end: what a tool that scores one padded window per file sees.

Still espeak-ng, partly training voices: these figures isolate the conditions, they are not accuracy on people.

    .venv/bin/python benchmarks/wakeword_conditions.py [--model models/wakeword/trixy/trixy.onnx]
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "packages" / "trixy-trainer" / "src"))

from trixy_satellite.wakeword import WakewordDetector, load_wakeword_model  # noqa: E402
from trixy_trainer.data.synth import espeak_binary, speak  # noqa: E402
from trixy_trainer.wakeword.voice_augment import trim  # noqa: E402

SR = 16000
VOICES = ["en-us", "en-gb", "en-gb-x-rp", "en-us-nyc", "en-gb-scotland", "en-029", "en-us+m3", "en-gb+f3", "en-us+klatt",
          "en-gb-scotland+f5", "en-029+m7", "nl", "hu"]


def detected(model, audio: np.ndarray, prime: np.ndarray | None = None, flush: bool = False) -> bool:
    detector = WakewordDetector(model)
    if prime is not None:
        detector.prime(prime)
    audio = np.concatenate([audio, np.zeros((-audio.size) % 1280, np.float32)]).astype(np.float32)
    hits = any([bool(detector.feed(audio[i : i + 1280])) for i in range(0, audio.size, 1280)])
    return hits or (flush and bool(detector.flush()))


def line(name: str, hits: list[bool]) -> None:
    print(f"{name}: {np.mean(hits) * 100:.1f} % of {len(hits)} detected")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", default=str(REPO / "models" / "wakeword" / "trixy" / "trixy.onnx"))
    args = parser.parse_args()
    model = load_wakeword_model(args.model, threads=1)
    binary = espeak_binary()
    rng = np.random.default_rng(0)
    zeros = lambda seconds: np.zeros(int(seconds * SR), np.float32)  # noqa: E731

    sentences = [speak("Trixie, what time is it", v, p, s, binary) for v in VOICES for s in (130, 160, 190) for p in (35, 60)]
    framed = [np.concatenate([zeros(1.5), a / np.abs(a).max() * 0.4, zeros(1.0)]) for a in sentences]
    line("files framed by digital silence", [detected(model, a) for a in framed])
    for dbfs in (-101, -90):
        line(f"same over a {dbfs} dBFS noise floor", [detected(model, a + rng.normal(0, 10 ** (dbfs / 20), a.size).astype(np.float32)) for a in framed])

    words = [trim(speak("Trixie", v, p, s, binary)) for v in VOICES for s in (130, 175) for p in (35, 60)]
    for peak in (-40, -20, -1):
        line(f"word at peak {peak} dBFS in digital silence", [detected(model, np.concatenate([zeros(1), w / np.abs(w).max() * 10 ** (peak / 20), zeros(1)])) for w in words])
    for tail in (0.05, 0.2, 0.4):
        clips = [np.concatenate([zeros(1), w / np.abs(w).max() * 0.5, zeros(tail)]) for w in words]
        line(f"stream ends {tail} s after the word", [detected(model, c) for c in clips])
        line(f"file ends {tail} s after the word, then flush()", [detected(model, c, flush=True) for c in clips])

    answer = speak("It is twenty past nine.", "en-gb", 50, 160, binary) * 0.3
    reset, primed = [], []
    for level, floor in ((0.5, 0.003), (0.1, 0.001), (0.05, 0.002)):
        for w in words[::2]:
            for delay in (0.1, 0.4, 0.8):
                noise = lambda n: rng.normal(0, floor, n).astype(np.float32)  # noqa: E731, B023
                before = np.concatenate([answer + noise(answer.size), noise(8000)])[-(model.chunk_samples + 5120):]
                after = np.concatenate([noise(int(delay * SR)), w / np.abs(w).max() * level + noise(w.size), noise(24000)])
                reset.append(detected(model, after))
                primed.append(detected(model, after, prime=before))
    line("wake word 0.1-0.8 s after a conversation, detector reset", reset)
    line("same, detector primed with the last window of audio", primed)

    threshold = model.class_thresholds[0]
    size = model.chunk_samples

    def window_hit(word: np.ndarray, end: int) -> bool:
        window = np.zeros(size, np.float32)
        begin = max(0, end - word.size)
        window[begin:end] = word[word.size - (end - begin):]
        return bool(model.predict(window[None])[0, 0] >= threshold)

    placed = [w / np.abs(w).max() * 0.5 for w in words]
    line("one window (ONNX contract), word at its start (0.1 s in)", [window_hit(w, int(0.1 * SR) + w.size) for w in placed])
    line("one window, word centred", [window_hit(w, (size + w.size) // 2) for w in placed])
    line("one window, word at its end (0.1 s before it)", [window_hit(w, size - int(0.1 * SR)) for w in placed])
    for before_end in (0.0, 0.2, 0.4, 0.7, 1.0, 1.2, 1.4):
        fits = [w for w in placed if w.size <= size - int(before_end * SR)]
        line(f"one window, word ending {before_end} s before its end", [window_hit(w, size - int(before_end * SR)) for w in fits])


if __name__ == "__main__":
    main()
