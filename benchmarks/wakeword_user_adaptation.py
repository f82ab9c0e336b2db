"""How much a household's own recordings help: fine-tune a wake-word model with and without them and compare.

The "household" is one espeak-ng voice family of the trainer's held-out test split (default en-gb-scotland, the
family the shipped model misses most): 20 takes of the wake word and 2 minutes of talk in that family's base voice
(no variant), written in the spec's raw/ layout. The model is fine-tuned twice with the same command, once with
``data.user_recordings.raw_dir`` pointing there and once without, and both are scored on the test split: detection
of that family's held-out clips (other variants, rooms and noise than the recordings) and of every other family,
and false accepts per hour of held-out speech, at fixed thresholds. espeak-ng throughout: a stand-in for a person.

With ``--satellite`` the household's recordings are also collected the way a satellite collects them instead of
on purpose: the 20 takes (1.5 s of room noise before each) and the talk are played through the real streaming
detector (the model's .onnx, stored settings) with a `DetectionKeeper` (`audio.keep_detections`), and what it kept is
sorted as a person would sort it in the TUI: takes into custom/, anything from the talk into negative/ (the talk
files go there too). Two more fine-tunes: with the detections alone (`audio.keep_near_misses=0`) and with the
detections and near misses (the default floor): what the near misses add to the household's training data.

    .venv/bin/python benchmarks/wakeword_user_adaptation.py [--family en-gb-scotland] [--epochs 6] [--lr 0.001]
        [--satellite]
"""

from __future__ import annotations

import argparse
import logging
import os
import subprocess
import sys
import tempfile
import warnings
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "packages" / "trixy-trainer" / "src"))
sys.path.insert(0, str(REPO / "packages" / "trixy-core" / "src"))

import numpy as np  # noqa: E402
import torch  # noqa: E402

from trixy_trainer.config import load_config  # noqa: E402
from trixy_trainer.data.audio_io import write_wav  # noqa: E402
from trixy_trainer.data.synth import speak  # noqa: E402
from trixy_trainer.wakeword.embedding_corpus import _sentence  # noqa: E402
from trixy_trainer.wakeword.embedding_evaluate import (  # noqa: E402
    THRESHOLDS,
    clip_probabilities,
    false_accept_counts,
    load_head,
    peak_near_wake,
)
from trixy_trainer.wakeword.embedding_train import _negatives, load_corpus  # noqa: E402

PASSWORD = "trixy-default-model"


def record_household(voice: str, out: Path, takes: int = 20, talk_files: int = 3, talk_s: float = 40.0) -> None:
    """The simulated household's recordings: wake-word takes and talk, a little room noise, in raw/ layout."""
    rng = np.random.default_rng(7)
    pad = np.zeros(8000, np.float32)
    for i in range(takes):
        said = speak(str(rng.choice(["Trixie", "Trixy", "Tricksy"])), voice, int(rng.integers(30, 70)), int(rng.integers(140, 190)))
        audio = np.concatenate([pad, said, pad])
        write_wav(out / "custom" / f"take{i:02d}.wav", audio + rng.normal(0, 0.002, audio.size).astype(np.float32))
    for j in range(talk_files):
        parts: list[np.ndarray] = []
        while sum(p.size for p in parts) < talk_s * 16000:
            parts += [speak(_sentence(rng), voice, int(rng.integers(30, 70)), int(rng.integers(140, 190))),
                      np.zeros(int(rng.uniform(0.1, 0.8) * 16000), np.float32)]
        audio = np.concatenate(parts)
        write_wav(out / "negative" / f"talk{j}.wav", audio + rng.normal(0, 0.002, audio.size).astype(np.float32))


def collect_with_satellite(model_onnx: Path, recorded: Path, out: Path, floor: float) -> str:
    """Play the household's recordings through the detector and a `DetectionKeeper`, sort what it kept into
    ``out`` (raw/ layout) and say what happened to the takes."""
    import shutil

    from trixy_satellite.listening import DetectionKeeper, kept_detections
    from trixy_satellite.wakeword import WakewordDetector, load_wakeword_model
    from trixy_trainer.data.audio_io import read_audio

    detector = WakewordDetector(load_wakeword_model(model_onnx, threads=1))
    rng = np.random.default_rng(11)
    counts = {"detected": 0, "near miss": 0, "lost": 0}
    for kind in ("custom", "negative"):
        keeper = DetectionKeeper(out.parent / f"kept_{kind}", max_files=10_000, near_miss_floor=floor)
        detector.watch_near_misses(floor or None)
        for wav in sorted((recorded / kind).glob("*.wav")):
            audio = read_audio(wav, 16000)
            events: list[bool] = []  # True: a detection, False: a near miss
            stream = np.concatenate([rng.normal(0, 0.002, 24000).astype(np.float32), audio, rng.normal(0, 0.002, 24000).astype(np.float32)])
            pcm = (np.clip(stream, -1, 1) * 32767).astype("<i2").tobytes()
            detector.reset()
            for start in range(0, len(pcm), 640):  # 20 ms chunks, as the microphone gives them
                chunk = pcm[start : start + 640]
                keeper.feed(chunk)
                for d in detector.feed(chunk):
                    keeper.detected(d.name, d.score)
                    events.append(True)
                for m in detector.take_near_misses():
                    keeper.detected(m.name, m.score, near_miss=True)
                    events.append(False)
            if kind == "custom":
                counts["detected" if any(events) else "near miss" if events else "lost"] += 1
        for kept in kept_detections(keeper.folder):
            if kept.wake_class != "trixy":
                continue
            target = out / kind
            target.mkdir(parents=True, exist_ok=True)
            shutil.copy(kept.path, target / f"{kind}_{kept.path.name}")
    shutil.copytree(recorded / "negative", out / "negative", dirs_exist_ok=True)  # the talk itself, as before
    takes = len(list((out / "custom").glob("*.wav"))) if (out / "custom").is_dir() else 0
    return (f"of the 20 takes the detector fired on {counts['detected']}, kept {counts['near miss']} more as near "
            f"misses and lost {counts['lost']}; {takes} wake-word files and "
            f"{len(list((out / 'negative').glob('negative_*.wav')))} kept from the talk")


def finetune(model: Path, raw: str, out: Path, epochs: int, lr: float) -> Path:
    command = [str(REPO / ".venv" / "bin" / "trixy-train"), "wakeword", f"finetune_from={model}",
               f"trainer.max_epochs={epochs}", f"optimizer.lr={lr}", f"output_dir={out / 'model'}",
               f"run_dir={out / 'run'}", f"data.user_recordings.raw_dir={raw}", "--quiet"]
    print("$", " ".join(command), flush=True)
    subprocess.run(command, check=True, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return out / "model" / f"{model.stem}.pth"


def score(pth: Path, family: str, clips: dict) -> list[str]:
    meta, head = load_head(pth, PASSWORD)
    p = meta["architecture"]["params"]
    pos, neg = clips["trixy"], _negatives(clips, ("speech", "noise"))
    mine = np.array([v.split("+")[0] == family for v in pos.voices])
    probs = clip_probabilities(head, pos, p["windows"])
    peaks = np.array([peak_near_wake(pr, int(we), 0, 2, p["windows"]) for pr, we in zip(probs, pos.wake_end, strict=True)])
    fa = false_accept_counts(clip_probabilities(head, neg, p["windows"]), 0, 2, 19) / (neg.seconds() / 3600)
    rows = []
    for t in (0.9, 0.95, 0.97, 0.99):
        i = int(np.argmin(np.abs(THRESHOLDS - t)))
        rows.append(f"  threshold {t:.2f}: {family} {100 * (peaks[mine] >= t).mean():5.1f} %  other families "
                    f"{100 * (peaks[~mine] >= t).mean():5.1f} %  false accepts {fa[i]:.2f}/h")
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--family", default="en-gb-scotland", help="a held-out test voice family (data.test_voices)")
    parser.add_argument("--model", default=str(REPO / "models" / "wakeword" / "trixy" / "trixy.pth"))
    parser.add_argument("--epochs", type=int, default=6)
    parser.add_argument("--lr", type=float, default=0.001)
    parser.add_argument("--satellite", action="store_true",
                        help="also fine-tune on what a satellite's keeper collects (detections; and near misses)")
    args = parser.parse_args()
    logging.disable(logging.WARNING)
    warnings.filterwarnings("ignore")
    os.chdir(REPO)
    torch.set_num_threads(2)
    clips = load_corpus(load_config("wakeword", []), ("test",))["test"]
    with tempfile.TemporaryDirectory() as tmp:
        raw = Path(tmp) / "raw"
        record_household(args.family, raw)
        print(f"household: 20 wake-word takes + 2 min of talk by espeak-ng {args.family} (base voice, no variant), "
              f"test: {sum(v.split('+')[0] == args.family for v in clips['trixy'].voices)} held-out clips of that "
              f"family, {len(clips['trixy'].voices)} in all")
        runs = [("without recordings", "null"), ("with the recordings", str(raw))]
        if args.satellite:
            from trixy_satellite.config import AUDIO_DEVICE_FIELDS

            floor = next(f.default for f in AUDIO_DEVICE_FIELDS if f.key == "keep_near_misses")
            for label, value in (("detections only (audio.keep_near_misses=0)", 0.0),
                                 (f"detections and near misses (audio.keep_near_misses={floor})", float(floor))):
                kept = Path(tmp) / f"kept{value}" / "raw"
                print(f"collected by the satellite, {label}: "
                      f"{collect_with_satellite(Path(args.model).with_suffix('.onnx'), raw, kept, value)}", flush=True)
                runs.append((f"with what the satellite kept, {label}", str(kept)))
        for n, (name, folder) in enumerate(runs):
            pth = finetune(Path(args.model), folder, Path(tmp) / f"run{n}", args.epochs, args.lr)  # plain paths for Hydra
            print(f"fine-tuned {name}:")
            print("\n".join(score(pth, args.family, clips)), flush=True)


if __name__ == "__main__":
    main()
