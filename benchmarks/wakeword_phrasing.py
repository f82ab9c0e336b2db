"""Wake-word detection by how the word is said: punctuation, a lead-in word, a command after it, speaking rate.

Runs the satellite's streaming detector (ONNX, numpy) at the model's stored threshold on clean files (the word alone,
peak -6 dBFS, one second of digital silence around) said by held-out espeak-ng English voices only (families
en-gb-scotland and en-029, in the held-out variants klatt3, Annie, grandma, travis, zac, iven3, m7, f5 and the plain
voice; never in training or threshold choice), and prints one line per way of saying it, e.g.

    "Hey Trixie" (lead-in, one breath): 18.5 % of 54 detected (median peak 0.401)

Still espeak-ng (the training engine, voices it never trained on): these figures isolate how the phrase is said,
they are not accuracy on people.

    .venv/bin/python benchmarks/wakeword_phrasing.py [--model models/wakeword/trixy/trixy.onnx] [--files 54]
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

from wakeword_bench import as_file, scores  # noqa: E402  (this folder's benchmark: the same files and stream)

from trixy_satellite.wakeword import DetectorSettings, WakewordDetector, load_wakeword_model  # noqa: E402
from trixy_trainer.data.synth import espeak_binary, speak  # noqa: E402
from trixy_trainer.wakeword.detection import smooth  # noqa: E402
from trixy_trainer.wakeword.voice_augment import trim  # noqa: E402

BASES = ["en-gb-scotland", "en-029"]
VARIANTS = ["klatt3", "Annie", "grandma", "travis", "zac", "iven3", "m7", "f5", ""]
SPELLINGS = ["Trixie", "Tricksy", "Trixi", "Tricksie"]  # how espeak-ng is told to say "trick-see"
NORMAL, SLOW, FAST = (120, 200), (80, 110), (220, 300)  # espeak-ng rates, words per minute
#: name -> (text with {w} for the word, espeak-ng rate range)
PHRASINGS = {
    "Trixie (the word alone)": ("{w}", NORMAL),
    "Trixie.": ("{w}.", NORMAL),
    "Trixie!": ("{w}!", NORMAL),
    "Trixie?": ("{w}?", NORMAL),
    "Trixie,": ("{w},", NORMAL),
    "Hey Trixie (lead-in, one breath)": ("Hey {w}.", NORMAL),
    "Okay Trixie (lead-in, one breath)": ("Okay {w}.", NORMAL),
    "Hey, Trixie (lead-in, comma: a short pause)": ("Hey, {w}.", NORMAL),
    "Okay, Trixie (lead-in, comma: a short pause)": ("Okay, {w}.", NORMAL),
    "Hey Trixie, what time is it (lead-in, command after)": ("Hey {w}, what time is it", NORMAL),
    "Trixie. what time is it": ("{w}. what time is it", NORMAL),
    "Trixie what time is it (run together)": ("{w} what time is it", NORMAL),
    "please say Trixie now (mid-sentence)": ("please say {w} now", NORMAL),
    "Trixie., slow (80-110 words/min)": ("{w}.", SLOW),
    "Trixie., fast (220-300 words/min)": ("{w}.", FAST),
}


def phrase_file(text: str, index: int, speed: tuple[int, int], binary: str) -> np.ndarray:
    """File ``index`` of a phrasing: a held-out voice and pitch by index, the word spelled one of four ways."""
    rng = np.random.default_rng([91, index])
    variant = VARIANTS[index % len(VARIANTS)]
    voice = BASES[(index // len(VARIANTS)) % len(BASES)] + (f"+{variant}" if variant else "")
    said = text.format(w=SPELLINGS[index % len(SPELLINGS)])
    return as_file(trim(speak(said, voice, int(rng.integers(20, 80)), int(rng.integers(*speed)), binary)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", default=str(REPO / "models" / "wakeword" / "trixy" / "trixy.onnx"))
    parser.add_argument("--files", type=int, default=54, help="files per phrasing")
    args = parser.parse_args()
    model = load_wakeword_model(Path(args.model), threads=1)
    threshold = float(np.array(model.class_thresholds)[0])
    smoothing = int((model.metadata.get("detector") or {}).get("smoothing_hops", 2))
    detector = WakewordDetector(model, DetectorSettings(threshold=1.01, hop_samples=1280, smoothing_hops=1))
    binary = espeak_binary()
    print(f"{Path(args.model).name}: class {model.classes[0]!r} at its stored threshold {threshold:.4f}, smoothing {smoothing} hops; "
          f"held-out espeak-ng voices {BASES} x variants {[v or 'plain' for v in VARIANTS]}")
    for name, (text, speed) in PHRASINGS.items():
        peaks = np.array([smooth(scores(detector, phrase_file(text, i, speed, binary)), smoothing)[:, 0].max() for i in range(args.files)])
        print(f"{name}: {np.mean(peaks >= threshold) * 100:.1f} % of {args.files} detected (median peak {np.median(peaks):.3f})", flush=True)


if __name__ == "__main__":
    main()
