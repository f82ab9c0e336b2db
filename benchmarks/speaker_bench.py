"""Speaker recognition benchmark: accuracy, EER, unknown rejection, cost, size, training time (one line each).

Runs the satellite path (SpeakerIdentifier: numpy + onnxruntime, one thread) on held-out synthetic speakers the
model never heard (``trainer/data/voice_recognition/heldout``, synthesised if missing). The first 50 speakers are
enrolled from 3 recordings each and tested on wake-word-length slices of their other recordings; the rest are
never-seen "unknown" speakers. The baseline, measured in the same run on the same audio, is a classic
MFCC-statistics speaker model (mean + std of 20 MFCC, cosine scoring) in numpy.

    .venv/bin/python benchmarks/speaker_bench.py [--model models/voice_recognition/default/default.onnx]
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np

from trixy_satellite.speaker import SpeakerIdentifier

ROOT = Path(__file__).resolve().parents[1]


def ensure_heldout(folder: Path, speakers: int, utterances: int) -> None:
    """Synthesise the held-out speakers with the trainer's generator when they are not there."""
    if folder.is_dir() and sum(1 for p in folder.iterdir() if p.is_dir()) >= speakers:
        return
    from trixy_trainer.speaker.synth import make_speakers, synthesize_speakers

    synthesize_speakers(folder, make_speakers(speakers, "heldout", 7), utterances, seed=8)
    (folder / ".gitignore").write_text("*\n")


def read_speech(path: Path) -> np.ndarray:
    """Float32 16 kHz audio trimmed to speech (the trainer's energy VAD)."""
    from trixy_trainer.data.audio_io import read_audio
    from trixy_trainer.data.vad import trim_silence

    return trim_silence(read_audio(path))


def wake_slice(audio: np.ndarray, samples: int) -> np.ndarray:
    """The first ``samples`` of an utterance (what the satellite has after a wake word)."""
    return audio[:samples] if audio.size > samples else audio


# --- baseline: MFCC statistics + cosine -------------------------------------------------------------------------
def _mel_fb(n_mels: int = 40, n_fft: int = 400, sr: int = 16000) -> np.ndarray:
    mel = lambda f: 2595 * np.log10(1 + f / 700)  # noqa: E731
    pts = 700 * (10 ** (np.linspace(mel(20), mel(sr / 2), n_mels + 2) / 2595) - 1)
    freqs = np.linspace(0, sr / 2, n_fft // 2 + 1)
    lo, c, hi = pts[:-2, None], pts[1:-1, None], pts[2:, None]
    return np.maximum(0, np.minimum((freqs - lo) / (c - lo), (hi - freqs) / (hi - c)))


FB = _mel_fb()
N = np.arange(40)
DCT = np.cos(np.pi / 40 * (N + 0.5) * np.arange(20)[:, None])


def baseline_embed(audio: np.ndarray) -> np.ndarray:
    """Mean and std of 20 MFCCs (CMN), normalised: the classic pre-neural speaker signature."""
    frames = np.lib.stride_tricks.sliding_window_view(audio, 400)[::160] * np.hanning(400)
    power = np.abs(np.fft.rfft(frames, axis=1)) ** 2
    mfcc = np.log(power @ FB.T + 1e-6) @ DCT.T
    mfcc -= mfcc.mean(axis=0)
    v = np.concatenate([mfcc.std(axis=0), np.abs(mfcc).mean(axis=0)])
    return v / np.linalg.norm(v)


# --- metrics -------------------------------------------------------------------------------------------------------
def eer(target: np.ndarray, nontarget: np.ndarray) -> float:
    thresholds = np.unique(np.concatenate([target, nontarget]))
    far = 1 - np.searchsorted(np.sort(nontarget), thresholds) / len(nontarget)
    frr = np.searchsorted(np.sort(target), thresholds) / len(target)
    i = int(np.argmin(np.abs(far - frr)))
    return float((far[i] + frr[i]) / 2)


def evaluate(embed, data: dict[str, list[np.ndarray]], names: list[str], unknown: list[str], chunk: int, enrol: int):
    """Centroids from ``enrol`` recordings; returns per-count top-1, EER, and unknown/known score arrays."""
    centres, tests, labels = [], [], []
    for i, name in enumerate(names):
        recs = data[name]
        c = np.mean([embed(r) for r in recs[:enrol]], axis=0)
        centres.append(c / np.linalg.norm(c))
        for r in recs[enrol:]:
            tests.append(embed(wake_slice(r, chunk)))
            labels.append(i)
    centres, tests, labels = np.stack(centres), np.stack(tests), np.asarray(labels)
    unk = np.stack([embed(wake_slice(r, chunk)) for n in unknown for r in data[n][enrol:]]) if unknown else None
    return centres, tests, labels, unk


def top1(centres, tests, labels, count: int) -> float:
    keep = labels < count
    return float(np.mean(np.argmax(tests[keep] @ centres[:count].T, axis=1) == labels[keep]))


def verification_eer(centres, tests, labels) -> float:
    scores = tests @ centres.T
    mask = np.zeros_like(scores, bool)
    mask[np.arange(len(labels)), labels] = True
    return eer(scores[mask], scores[~mask])


def cost_per_call(fn, audio: np.ndarray, repeats: int = 30) -> float:
    fn(audio)
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn(audio)
        times.append(time.perf_counter() - t)
    return float(np.median(times))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default=str(ROOT / "models/voice_recognition/default/default.onnx"))
    parser.add_argument("--heldout", default=str(ROOT / "trainer/data/voice_recognition/heldout"))
    parser.add_argument("--speakers", type=int, default=80, help="held-out speakers (first 50 enrolled, rest unknown)")
    parser.add_argument("--utterances", type=int, default=14)
    parser.add_argument("--enrol", type=int, default=3, help="recordings used to enrol each speaker")
    parser.add_argument("--json", action="store_true", help="also print all figures as one JSON line")
    args = parser.parse_args()

    heldout = Path(args.heldout)
    ensure_heldout(heldout, args.speakers, args.utterances)
    ident = SpeakerIdentifier(args.model, threads=1)
    chunk = int(ident.metadata.get("chunk_samples", 25680))
    names = sorted(p.name for p in heldout.iterdir() if p.is_dir())[: args.speakers]
    data = {n: [a for a in (read_speech(p) for p in sorted((heldout / n).glob("*.wav"))) if a.size > 1600] for n in names}
    names = [n for n in names if len(data[n]) > args.enrol]
    enrolled, unknown = names[:50], names[50:]
    figures: dict[str, float] = {}

    results = {}
    for label, embed in (("trixy", lambda a: ident.embed(a)), ("mfcc-stats baseline", baseline_embed)):
        results[label] = evaluate(embed, data, enrolled, unknown, chunk, args.enrol)
    tc, tt, tl, tu = results["trixy"]
    bc, bt, bl, bu = results["mfcc-stats baseline"]
    for count in (10, 50):
        if len(enrolled) >= count:
            a, b = top1(tc, tt, tl, count), top1(bc, bt, bl, count)
            figures[f"top1_{count}"] = a
            print(f"top-1 identification, {count} enrolled speakers: {a:.2%} (mfcc-stats baseline: {b:.2%})")
    e_t, e_b = verification_eer(tc, tt, tl), verification_eer(bc, bt, bl)
    figures["eer"] = e_t
    print(f"verification EER ({len(enrolled)} speakers, {len(tl)} test utterances): {e_t:.2%} (mfcc-stats baseline: {e_b:.2%})")
    if tu is not None:
        rejected = float(np.mean((tu @ tc.T).max(axis=1) < ident.threshold))
        false_reject = float(np.mean((tt @ tc.T)[np.arange(len(tl)), tl] < ident.threshold))
        figures["unknown_rejection"], figures["known_false_reject"] = rejected, false_reject
        print(f"unknown-speaker rejection, 50 enrolled, threshold {ident.threshold:.3f} ({len(unknown)} never-seen speakers, "
              f"{len(tu)} utterances): {rejected:.2%} (enrolled speakers falsely rejected: {false_reject:.2%})")
        keep = tl < 10
        rejected10 = float(np.mean((tu @ tc[:10].T).max(axis=1) < ident.threshold))
        false_reject10 = float(np.mean((tt[keep] @ tc[:10].T)[np.arange(int(keep.sum())), tl[keep]] < ident.threshold))
        base_thr = float(np.quantile((bt[bl < 10] @ bc[:10].T)[np.arange(int((bl < 10).sum())), bl[bl < 10]], false_reject10))
        base_rej = float(np.mean((bu @ bc[:10].T).max(axis=1) < base_thr))
        figures["unknown_rejection_10"] = rejected10
        print(f"unknown-speaker rejection, 10 enrolled (a household): {rejected10:.2%} at {false_reject10:.2%} false rejects "
              f"(mfcc-stats baseline at the same false-reject rate: {base_rej:.2%})")
    # wake word + command audio together
    fresh = SpeakerIdentifier(args.model, threads=1, include_trained=False)
    for n in enrolled[:10]:
        fresh.enroll(n, data[n][: args.enrol])
    with_cmd = [
        fresh.identify(wake_slice(r, chunk), r[chunk:] if r.size > chunk + 1600 else None).name == n
        for n in enrolled[:10]
        for r in data[n][args.enrol :]
    ]
    print(f"top-1 identification, 10 speakers, wake word + command audio (satellite identify()): {np.mean(with_cmd):.2%} "
          f"(wake word only: {figures.get('top1_10', float('nan')):.2%})")
    # robustness: the same test with noise at 15 dB SNR
    rng = np.random.default_rng(0)

    def noisy(a: np.ndarray) -> np.ndarray:
        n = rng.normal(size=a.size).astype(np.float32)
        return (a + n * np.sqrt(np.mean(a**2) / np.mean(n**2) / 10 ** 1.5)).astype(np.float32)

    noisy_hits = [np.argmax(tc[:10] @ ident.embed(noisy(wake_slice(r, chunk)))) == i for i, n in enumerate(enrolled[:10]) for r in data[n][args.enrol:]]
    noisy_base = [np.argmax(bc[:10] @ baseline_embed(noisy(wake_slice(r, chunk)))) == i for i, n in enumerate(enrolled[:10]) for r in data[n][args.enrol:]]
    print(f"top-1 identification, 10 speakers, white noise at 15 dB SNR: {np.mean(noisy_hits):.2%} (mfcc-stats baseline: {np.mean(noisy_base):.2%})")
    # cost, size, training time
    utt = wake_slice(data[enrolled[0]][-1], chunk)
    utt = np.pad(utt, (0, max(0, chunk - utt.size)))
    c_model, c_base = cost_per_call(ident.embed, utt), cost_per_call(baseline_embed, utt)
    figures["cost_ms"] = c_model * 1000
    print(f"inference per utterance ({chunk / 16000:.2f} s, 1 thread): {c_model * 1000:.1f} ms = {c_model / (chunk / 16000):.4f} s/s "
          f"(mfcc-stats baseline: {c_base * 1000:.2f} ms)")
    model = Path(args.model)
    sizes = {p.suffix: p.stat().st_size for p in model.parent.glob(model.stem + ".*")}
    params = ident.metadata.get("parameters")
    print(f"model size: {sizes.get('.onnx', 0) / 1e6:.2f} MB onnx, {sizes.get('.pth', 0) / 1e6:.2f} MB pth, {params} parameters "
          f"({ident.metadata.get('technology')}, embedding {ident.centroids.shape[1]})")
    figures["size_mb"] = sizes.get(".onnx", 0) / 1e6
    duration = ident.metadata.get("duration_s")
    print(f"training time: {duration} s for {ident.metadata.get('epochs')} epochs on {ident.metadata.get('computer_name')} "
          f"({ident.metadata.get('num_speaker')} training speakers)")
    if args.json:
        print(json.dumps(figures))


if __name__ == "__main__":
    main()
