"""Wake-word benchmark on voices never used in training (espeak-ng held-out accents).

Prints one line per figure: false-reject rate at <= 1 false accept per hour (negative hours stated), detection
rate and false accepts at the model's stored threshold, and detector CPU seconds per audio second on one core
(streaming, next to the full-window baseline measured in the same run). With --peers it also runs
pymicro-wakeword and pyopen-wakeword ("hey jarvis") on the same negative audio (install them in the venv first:
they are benchmark-only, not product dependencies).

    .venv/bin/python benchmarks/wakeword_bench.py [--negative-hours 1.0] [--positives 150] [--peers]
"""

from __future__ import annotations

import argparse
import hashlib
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "packages" / "trixy-trainer" / "src"))

from trixy_satellite.wakeword import DetectorSettings, WakewordDetector, load_wakeword_model  # noqa: E402
from trixy_trainer.data.synth import HOLDOUT_VOICES, background_noise, speak  # noqa: E402
from trixy_trainer.data.synth_texts import CONFUSABLES, SENTENCE_WORDS, SYSTEM_CONFUSABLES, says_wake_phrase  # noqa: E402
from trixy_trainer.wakeword.detection import choose_class_thresholds, smooth  # noqa: E402
from trixy_trainer.wakeword.detection import count_triggers as triggers  # noqa: E402

SR = 16000
VARIANTS = ["", "m1", "m3", "f1", "f2", "f4", "klatt", "Andy", "linda", "steph", "grandpa", "rob"]
CACHE = Path(os.environ.get("TRIXY_BENCH_CACHE", "/tmp/trixy_wakeword_bench"))


def _voice(rng: np.random.Generator) -> tuple[str, bool]:
    base, variant = str(rng.choice(HOLDOUT_VOICES)), str(rng.choice(VARIANTS))
    return (f"{base}+{variant}" if variant else base), base.startswith("en")


def _clip(rng: np.random.Generator, text: str, voice: str) -> np.ndarray:
    audio = speak(text, voice, int(rng.integers(30, 75)), int(rng.integers(130, 200)))
    return (audio / max(float(np.max(np.abs(audio))), 1e-6) * 10 ** (rng.uniform(-14, -3) / 20)).astype(np.float32)


def positives(kind: str, count: int, seed: int) -> list[np.ndarray]:
    """Held-out-voice clips of the wake phrase ``kind``, cached on disk."""
    path = CACHE / f"pos_{kind}_{count}_{seed}.npz"
    if path.is_file():
        return list(np.load(path)["clips"])
    rng = np.random.default_rng(seed)
    texts = {"trixy": (["Trixie", "Tricksy", "Trixi"], ["Trixi", "Trixie"]), "system_command": (["system command"], ["system command"]), "hey_jarvis": (["hey Jarvis"], ["hey Jarvis"])}[kind]
    clips = []
    for _ in range(count):
        voice, english = _voice(rng)
        clips.append(_clip(rng, str(rng.choice(texts[0] if english else texts[1])), voice))
    width = max(c.size for c in clips)
    CACHE.mkdir(parents=True, exist_ok=True)
    np.savez(path, clips=np.stack([np.pad(c, (0, width - c.size)) for c in clips]))
    return clips


def negative_stream(hours: float, seed: int) -> np.ndarray:
    """Speech (sentences, confusables) of held-out voices with pauses over background noise, ``hours`` long."""
    path = CACHE / f"neg2_{hours}_{seed}.npy"  # neg2: streams without wake phrases strung from confusables
    if path.is_file():
        return np.load(path).astype(np.float32) / 32768.0
    rng = np.random.default_rng(seed)
    total = int(hours * 3600 * SR)
    pieces, size = [], 0
    while size < total:
        voice, _ = _voice(rng)
        if rng.random() < 0.25:
            text = " ".join(rng.choice(CONFUSABLES + SYSTEM_CONFUSABLES, size=int(rng.integers(1, 4))))
            while says_wake_phrase(text):  # "system commands" strung from confusables is a wake phrase
                text = " ".join(rng.choice(CONFUSABLES + SYSTEM_CONFUSABLES, size=int(rng.integers(1, 4))))
        else:
            text = " ".join(rng.choice(SENTENCE_WORDS, size=int(rng.integers(5, 16))))
        piece = np.concatenate([_clip(rng, text, voice), np.zeros(int(rng.uniform(0.2, 1.5) * SR), np.float32)])
        pieces.append(piece)
        size += piece.size
    speech = np.concatenate(pieces)[:total]
    kinds = ["white", "pink", "brown", "hum", "tones", "silence"]
    noise = np.concatenate([background_noise(rng, 30.0, kinds[i % 6]) * 0.3 for i in range(total // (30 * SR) + 1)])[:total]
    audio = np.clip(speech + noise, -1, 1)
    CACHE.mkdir(parents=True, exist_ok=True)
    np.save(path, (audio * 32767).astype(np.int16))
    return audio.astype(np.float32)


def scene(clip: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    pad = np.zeros(SR, np.float32)
    audio = np.concatenate([pad, clip, pad])
    return (audio + rng.normal(0, 10 ** (rng.uniform(-65, -45) / 20), audio.size)).astype(np.float32)


def trixy_scores(detector: WakewordDetector, audio: np.ndarray) -> np.ndarray:
    """Raw per-hop probabilities of the streaming detector (threshold set out of reach)."""
    detector.reset()
    hop = detector.settings.hop_samples
    out = []
    for start in range(0, audio.size - hop + 1, hop):
        detector.feed(audio[start : start + hop])
        out.append(detector.last_scores())
    return np.array(out)


def bench_trixy(args: argparse.Namespace, negatives: np.ndarray, hours: float) -> None:
    model = load_wakeword_model(args.model, threads=1)
    settings = DetectorSettings(threshold=1.01)
    detector = WakewordDetector(model, settings)
    meta_det = model.metadata.get("detector") or {}
    smoothing = int(meta_det.get("smoothing_hops", 2))
    refractory = int(float(meta_det.get("refractory_s", 1.5)) * SR / settings.hop_samples)
    rng = np.random.default_rng(11)
    maxima: dict[str, np.ndarray] = {}
    for index, kind in enumerate(("trixy", "system_command")):
        clips = positives(kind, args.positives, 100 + index)
        maxima[kind] = np.array([smooth(trixy_scores(detector, scene(c, rng)), smoothing)[:, index].max() for c in clips])
    t0 = time.process_time()
    neg = smooth(trixy_scores(detector, negatives), smoothing)
    cpu = (time.process_time() - t0) / (negatives.size / SR)
    wake = neg[:, :2].max(axis=1)
    thresholds = np.unique(np.concatenate([np.linspace(0.05, 0.99, 380), 1.0 - np.logspace(-2, -4, 60)]))
    fa = np.array([triggers(wake, t, refractory) for t in thresholds]) / hours
    ok = np.flatnonzero(fa <= 1.0)
    best = thresholds[ok[0]] if ok.size else 1.0
    for kind, m in maxima.items():
        print(f"trixy {kind}: FRR at <=1 FA/h = {np.mean(m < best) * 100:.1f} % (threshold {best:.3f}, {fa[ok[0]] if ok.size else 0:.2f} FA/h over {hours:.2f} h of negatives, {m.size} held-out positives)")
    # per-class thresholds (what the satellite's detector uses when the metadata has class_thresholds)
    class_fa = np.array([[triggers(neg[:, c], t, refractory) for t in thresholds] for c in range(2)]) / hours
    class_frr = np.array([[np.mean(maxima[k] < t) for t in thresholds] for k in maxima])
    picks = choose_class_thresholds(class_fa, class_frr, 1.0)
    total = sum(class_fa[c][k] for c, k in enumerate(picks))
    for c, (kind, k) in enumerate(zip(maxima, picks, strict=True)):
        print(f"trixy {kind}: FRR at <=1 FA/h with per-class thresholds = {class_frr[c][k] * 100:.1f} % (threshold {thresholds[k]:.4f}; both classes together {total:.2f} FA/h over {hours:.2f} h)")
    stored = model.threshold
    fa_stored = triggers(wake, stored, refractory) / hours
    for kind, m in maxima.items():
        print(f"trixy {kind}: detection rate at stored threshold {stored:.3f} = {np.mean(m >= stored) * 100:.1f} % ({fa_stored:.2f} FA/h)")
    per_class = model.class_thresholds
    fa_classes = sum(triggers(neg[:, c], per_class[c], refractory) for c in range(2)) / hours
    for c, (kind, m) in enumerate(maxima.items()):
        print(f"trixy {kind}: detection rate at stored class threshold {per_class[c]:.4f} = {np.mean(m >= per_class[c]) * 100:.1f} % (both classes {fa_classes:.2f} FA/h)")
    full = WakewordDetector(load_wakeword_model(args.model, threads=1, use_stream=False), settings)
    sample = negatives[: 60 * SR]
    t0 = time.process_time()
    trixy_scores(full, sample)
    cpu_full = (time.process_time() - t0) / 60
    size = Path(args.model).stat().st_size
    stream_size = Path(args.model).with_name(Path(args.model).stem + ".stream.onnx").stat().st_size
    print(f"trixy detector CPU: {cpu:.4f} s per audio s, streaming, 80 ms hop, 1 thread (full-window baseline: {cpu_full:.4f} s/s, ratio {cpu_full / cpu:.1f}); model {size / 1000:.0f} kB (+ streaming graph {stream_size / 1000:.0f} kB)")


def bench_trixy_jarvis(path: Path, negatives: np.ndarray, count: int, minutes: float) -> None:
    """The Trixy trainer's "hey jarvis" model on the same clips and negative audio as the peers."""
    if not path.is_file():
        print(f"trixy hey_jarvis: no model at {path} (train it as described in docs/wakeword.md)")
        return
    model = load_wakeword_model(path, threads=1)
    detector = WakewordDetector(model)
    rng = np.random.default_rng(12)
    clips = [scene(c, rng) for c in positives("hey_jarvis", count, 300)]
    detected = 0
    for clip in clips:
        detector.reset()
        detected += any(d.wakeword_id == 0 for d in detector.feed(clip))
    neg = negatives[: int(minutes * 60 * SR)]
    detector.reset()
    t0 = time.process_time()
    fa = 0
    for start in range(0, neg.size, 1280):
        fa += sum(d.wakeword_id == 0 for d in detector.feed(neg[start : start + 1280]))
    cpu = (time.process_time() - t0) / (neg.size / SR)
    print(f"trixy hey_jarvis: detection rate {detected / len(clips) * 100:.1f} % on {len(clips)} held-out espeak clips, {fa / (minutes / 60):.1f} FA/h over {minutes:.0f} min, CPU {cpu:.4f} s/s (threshold {model.threshold:.3f})")


def bench_peers(args: argparse.Namespace, negatives: np.ndarray) -> None:
    try:
        from pymicro_wakeword import MicroWakeWord, MicroWakeWordFeatures
        from pymicro_wakeword import Model as MicroModel
        from pyopen_wakeword import Model as OpenModel
        from pyopen_wakeword import OpenWakeWord, OpenWakeWordFeatures
    except ImportError:
        print("peers: pymicro-wakeword / pyopen-wakeword not installed (pip install pymicro-wakeword pyopen-wakeword)")
        return
    minutes = args.peer_minutes
    neg = (negatives[: int(minutes * 60 * SR)] * 32767).astype(np.int16)
    rng = np.random.default_rng(12)
    clips = [(scene(c, rng) * 32767).astype(np.int16) for c in positives("hey_jarvis", args.positives, 300)]
    chunk = 1280 * 2  # 80 ms of 16-bit samples

    def run_micro(pcm: np.ndarray) -> int:
        mww, feats = MicroWakeWord.from_builtin(MicroModel.HEY_JARVIS), MicroWakeWordFeatures()
        hits, blocked, pos = 0, -1, 0
        data = pcm.tobytes()
        for i in range(0, len(data), chunk):
            for f in feats.process_streaming(data[i : i + chunk]):
                if mww.process_streaming(f) and i > blocked:
                    hits, blocked = hits + 1, i + int(1.5 * SR * 2)
            pos = i
        return hits if pos >= 0 else 0

    def run_open(pcm: np.ndarray) -> int:
        oww, feats = OpenWakeWord.from_builtin(OpenModel.HEY_JARVIS), OpenWakeWordFeatures.from_builtin()
        hits, blocked = 0, -1
        data = pcm.tobytes()
        for i in range(0, len(data), chunk):
            for emb in feats.process_streaming(data[i : i + chunk]):
                for prob in oww.process_streaming(emb):
                    if prob > 0.5 and i > blocked:
                        hits, blocked = hits + 1, i + int(1.5 * SR * 2)
        return hits

    for name, run in (("microWakeWord hey_jarvis", run_micro), ("openWakeWord hey_jarvis", run_open)):
        detected = sum(run(c) > 0 for c in clips)
        t0 = time.process_time()
        fa = run(neg)
        cpu = (time.process_time() - t0) / (neg.size / SR)
        print(f"{name}: detection rate {detected / len(clips) * 100:.1f} % on {len(clips)} held-out espeak clips, {fa / (minutes / 60):.1f} FA/h over {minutes:.0f} min, CPU {cpu:.4f} s/s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", default=str(REPO / "models" / "wakeword" / "trixy" / "trixy.onnx"))
    parser.add_argument("--negative-hours", type=float, default=1.0)
    parser.add_argument("--positives", type=int, default=150)
    parser.add_argument("--peers", action="store_true")
    parser.add_argument("--peer-minutes", type=float, default=10.0)
    parser.add_argument("--jarvis-model", default=str(REPO / "trainer" / "runs" / "jarvis" / "model" / "hey_jarvis.onnx"))
    parser.add_argument("--write-negatives", metavar="WAV", help="only write a negative stream (seed --negative-seed) as a WAV for threshold calibration, then exit")
    parser.add_argument("--negative-seed", type=int, default=7, help="seed of the negative stream (the benchmark's own is 7)")
    args = parser.parse_args()
    if args.write_negatives:
        import soundfile as sf

        audio = negative_stream(args.negative_hours, args.negative_seed)
        Path(args.write_negatives).parent.mkdir(parents=True, exist_ok=True)
        sf.write(args.write_negatives, audio, SR, subtype="PCM_16")
        print(f"wrote {audio.size / SR / 3600:.2f} h of held-out-voice negatives (seed {args.negative_seed}) to {args.write_negatives}")
        return
    if args.negative_seed != 7:
        parser.error("the benchmark always scores on its own negative stream (seed 7); --negative-seed is for --write-negatives")
    t0 = time.time()
    negatives = negative_stream(args.negative_hours, 7)
    hours = negatives.size / SR / 3600
    digest = hashlib.sha1(negatives[:100000].tobytes()).hexdigest()[:8]
    print(f"held-out voices {HOLDOUT_VOICES}; negative audio {hours:.2f} h (sha {digest}); data ready in {time.time() - t0:.0f} s")
    bench_trixy(args, negatives, hours)
    if args.peers:
        bench_trixy_jarvis(Path(args.jarvis_model), negatives, args.positives, args.peer_minutes)
        bench_peers(args, negatives)


if __name__ == "__main__":
    main()
