"""Speaker recognition on voices the model never trained on: top-1, EER, stranger rejection, cost (one line each).

Generalisation check within the data rule (espeak-ng only): the test voices come from espeak-ng **languages and
variants that no training corpus uses** (``UNSEEN_BASES`` x ``HELDOUT_VARIANTS``; training uses
``synth.BASE_VOICES`` x ``synth.TRAIN_VARIANTS``), each at **3 pitch levels that count as 3 different speakers**
(as in the independent check), and every utterance passes one random transformation (telephone band, room reverb,
cheap-microphone EQ, noise at 20 dB SNR, or none). The same utterances are scored once more framed by 0.5 s of
digital silence, as files are, and once more **re-voiced**: each speaker spoken through its own fixed formant and
pitch change (Praat "Change gender", ``trixy_trainer.speaker.revoice``; throats espeak-ng never makes; since
2026-12-08 the shipped ECAPA branch trains on the same kind of change, applied to its own speakers with other
throats, so these figures are partly in-domain). 14 voices x 3 pitches = 42 speakers: the first 30 are enrolled
from 3 utterances each and identified on their other 12; the last 12 are strangers. The satellite path
(``SpeakerIdentifier``: numpy + onnxruntime, one thread; speakers enrolled as its ``enroll`` does, with enrolment
views, and once more without) is measured beside two peers on the same clips:
Resemblyzer (the ``resemblyzer`` package, its own preprocessing and partials; benchmark-only dependency) and the
previous shipped model when given (``--previous``, e.g. the ECAPA-TDNN:
``git show c27e279:models/voice_recognition/default/default.onnx > /tmp/ecapa.onnx``).

    .venv/bin/python benchmarks/speaker_bench.py [--model models/voice_recognition/default/default.onnx]
        [--previous path/to/old.onnx] [--voices benchmark|tune1|tune2|tune3]

``--voices tune1`` (``tune2``, ``tune3``) scores one of the three tuning sets instead (10 voices x 3 pitches, 21
enrolled and 9 strangers): the espeak-ng voices that scoring rules and weights are chosen on, so that the
benchmark's own figures are not tuned to it.
"""

from __future__ import annotations

import argparse
import json
import time
import zlib
from collections.abc import Callable
from pathlib import Path

import numpy as np

from trixy_satellite.speaker import SpeakerIdentifier

ROOT = Path(__file__).resolve().parents[1]
#: espeak-ng languages that read English and that no Trixy training corpus uses (training: synth.BASE_VOICES).
UNSEEN_BASES = ["fr-fr", "ca", "eu", "et", "lv", "lt", "sl", "sq", "sw", "tr", "is", "mt", "ms", "eo"]
#: one held-out variant per unseen voice (synth.HELDOUT_VARIANTS: never in training).
UNSEEN_VARIANTS = ["m8", "f5", "croak", "klatt4", "grandma", "Alex", "Alicia", "Andrea", "robert", "pablo", "paul",
                   "Hugo", "Lee", "Gene"]
#: the tuning sets that scoring and weight choices are made on, so that the benchmark's figures are not chosen on
#: it (docs/speaker.md): espeak-ng languages and variants in neither training, the benchmark nor each other;
#: name -> (languages, variants, speakers enrolled of the 30; the rest are strangers)
VOICE_SETS = {
    "benchmark": (UNSEEN_BASES, UNSEEN_VARIANTS, 30),
    "tune1": (["an", "ia", "io", "lfn", "pap", "ht", "ga", "gd", "mi", "tn"],
              ["iven2", "iven3", "pedro", "michel", "miguel", "marcelo", "Denis", "steph2", "edward2", "sandro"], 21),
    "tune2": (["la", "lb", "az", "vi", "qu", "om", "kl", "ltg", "nci", "jbo"],
              ["Diogo", "Henrique", "Jacky", "Marco", "Mario", "Michael", "Nguyen", "anika", "gustave", "steph3"], 21),
    "tune3": (["bs", "fr-be", "es-419", "pt-br", "fr-ch", "haw", "py", "tk", "smj", "sr"],
              ["Gene2", "kaukovalta", "iven", "iven4", "klatt5", "klatt6", "Storm", "AnxiousAndy", "announcer",
               "RicishayMax"], 21),
}
PITCHES = (20, 50, 80)
UTTERANCES = 15
ENROL = 3
Embed = Callable[[np.ndarray], np.ndarray]
#: scores [n, k] of embeddings [n, d] against speaker centres [k, d]
Score = Callable[[np.ndarray, np.ndarray], np.ndarray]


def cosine(x: np.ndarray, centres: np.ndarray) -> np.ndarray:
    """Plain cosine scores (the embeddings are normalised)."""
    return x @ centres.T


def model_scoring(ident: SpeakerIdentifier) -> Score:
    """The model's own scoring rule: T-norm against its cohort when its metadata has ``score_norm``, else cosine."""
    if ident.score_norm is None:
        return cosine
    from trixy_core.speaker_score_norm import tnorm_scores

    return lambda x, centres: tnorm_scores(x, centres, ident.cohort)


def other_rule(ident: SpeakerIdentifier) -> tuple[str, Score] | None:
    """The scoring rule the model does not use, for comparison: plain cosine for a T-norm model; T-norm against the
    model's synthetic training voices for a cosine model that has at least 10 of them stored."""
    if ident.score_norm is not None:
        return "plain cosine", cosine
    from trixy_core.speaker_score_norm import MIN_COHORT, tnorm_scores

    sources = ident.metadata.get("speaker_source") or []
    synthetic = [i for i, source in enumerate(sources) if source == "synthetic" and i < len(ident.centroids)]
    if len(synthetic) < MIN_COHORT or ident.centroids.shape[1] == 0:
        return None
    cohort = ident.centroids[synthetic]
    return f"T-norm against its {len(synthetic)} synthetic voices", lambda x, centres: tnorm_scores(x, centres, cohort)


def unseen_voices(voice_set: str = "benchmark") -> list:
    """The set's speakers: each unseen (language, variant) voice at 3 pitch levels, siblings adjacent (42 for the
    benchmark, 30 for a tuning set)."""
    from trixy_trainer.speaker.synth import VoiceSpec

    bases, variants, _ = VOICE_SETS[voice_set]
    prefix = "unseen" if voice_set == "benchmark" else f"{voice_set}-"
    voices = []
    for i, (base, variant) in enumerate(zip(bases, variants, strict=True)):
        for pitch in PITCHES:
            voices.append(VoiceSpec(f"{prefix}{i:02d}-{base}-{variant}-p{pitch}", base, variant, pitch,
                                    speed=150 + 5 * (i % 5), amplitude=100, word_gap=1))
    return voices


def ensure_clips(folder: Path, voice_set: str = "benchmark") -> None:
    """Synthesise the set's speakers once (trainer's espeak-ng generator; seeded, so identical every run)."""
    voices = unseen_voices(voice_set)
    if folder.is_dir() and all(len(list((folder / v.name).glob("*.wav"))) >= UTTERANCES for v in voices):
        return
    from trixy_trainer.speaker.synth import synthesize_speakers

    synthesize_speakers(folder, voices, UTTERANCES, wake_fraction=0.2, seed=21)
    (folder / ".gitignore").write_text("*\n")


def transform(audio: np.ndarray, key: str) -> tuple[np.ndarray, str]:
    """One seeded transformation per clip: what a kitchen, a phone or a cheap microphone does to a voice."""
    from scipy.signal import butter, fftconvolve, sosfilt

    rng = np.random.default_rng(zlib.crc32(key.encode()))
    kind = ["none", "phone", "reverb", "eq", "noise"][int(rng.integers(0, 5))]
    x = audio.astype(np.float64)
    if kind == "phone":
        x = sosfilt(butter(4, [300, 3400], "bandpass", fs=16000, output="sos"), x)
    elif kind == "reverb":
        rt60 = rng.uniform(0.2, 0.6)
        t = np.arange(int(rt60 * 16000)) / 16000
        ir = rng.normal(size=t.size) * np.exp(-6.9 * t / rt60) * 0.3
        ir[0] = 1.0
        x = fftconvolve(x, ir)[: x.size]
    elif kind == "eq":
        for _ in range(3):
            f = rng.uniform(200, 6000)
            band = sosfilt(butter(2, [f / 1.4, min(f * 1.4, 7900)], "bandpass", fs=16000, output="sos"), x)
            x = x + (10 ** (rng.uniform(-9, 9) / 20) - 1) * band
    elif kind == "noise":
        n = np.cumsum(rng.normal(size=x.size)) * 0.02 + rng.normal(size=x.size)  # pinkish
        x = x + n * np.sqrt(np.mean(x**2) / np.mean(n**2) / 10**2.0)
    peak = float(np.max(np.abs(x))) or 1.0
    return (x / peak * 0.5 * rng.uniform(0.3, 1.0)).astype(np.float32), kind


def load_clips(folder: Path, revoiced: bool = False, voice_set: str = "benchmark") -> dict[str, list[np.ndarray]]:
    """Speech-trimmed, transformed clips per speaker, in speaker order. With ``revoiced`` every speaker first speaks
    through its own fixed formant and pitch change (``trixy_trainer.speaker.revoice``), then passes the same
    transformation as without."""
    from trixy_trainer.data.audio_io import read_audio
    from trixy_trainer.data.vad import trim_silence
    from trixy_trainer.speaker.revoice import Revoicer, throat_for

    revoicer = Revoicer() if revoiced else None
    data = {}
    try:
        for voice in unseen_voices(voice_set):
            clips = []
            for path in sorted((folder / voice.name).glob("*.wav"))[:UTTERANCES]:
                clip = trim_silence(read_audio(path))
                if revoicer is not None:
                    clip = revoicer(clip, throat_for(voice.name))
                clips.append(transform(clip, f"{voice.name}/{path.name}")[0])
            data[voice.name] = clips
    finally:
        if revoicer is not None:
            revoicer.close()
    return data


# --- metrics -------------------------------------------------------------------------------------------------------
def eer(target: np.ndarray, nontarget: np.ndarray) -> float:
    """Equal error rate of target vs non-target trial scores."""
    thresholds = np.unique(np.concatenate([target, nontarget]))
    far = 1 - np.searchsorted(np.sort(nontarget), thresholds) / len(nontarget)
    frr = np.searchsorted(np.sort(target), thresholds) / len(target)
    i = int(np.argmin(np.abs(far - frr)))
    return float((far[i] + frr[i]) / 2)


def embed_all(embed: Embed, data: dict[str, list[np.ndarray]]) -> dict[str, np.ndarray]:
    """Normalised embedding of every clip, per speaker."""
    out = {}
    for name, clips in data.items():
        e = np.stack([embed(c) for c in clips])
        out[name] = e / np.linalg.norm(e, axis=1, keepdims=True)
    return out


def figures(
    emb: dict[str, np.ndarray],
    enrolled: list[str],
    strangers: list[str],
    score: Score = cosine,
    threshold: float | None = None,
    centres: np.ndarray | None = None,
) -> dict[str, float]:
    """Top-1 at 10 and all enrolled, EER, stranger rejection at <= 3 % false rejects (10 and all enrolled); with
    ``threshold`` (the model's stored one) also what the satellite decides there: right speaker accepted, enrolled
    speakers' utterances rejected, strangers rejected. ``centres``: the enrolled speakers' centres as the system
    makes them (default: the mean of their first ``ENROL`` embeddings)."""
    if centres is None:
        centres = np.stack([emb[n][:ENROL].mean(axis=0) for n in enrolled])
    centres /= np.linalg.norm(centres, axis=1, keepdims=True)
    tests = np.concatenate([emb[n][ENROL:] for n in enrolled])
    labels = np.concatenate([[i] * (len(emb[n]) - ENROL) for i, n in enumerate(enrolled)])
    unknown = np.concatenate([emb[n][ENROL:] for n in strangers])
    out: dict[str, float] = {}
    for count, key in ((10, "10"), (len(enrolled), "all")):
        keep = labels < count
        scores = score(tests[keep], centres[:count])  # only these are enrolled: T-norm does not see the others
        out[f"top1_{key}"] = float(np.mean(np.argmax(scores, axis=1) == labels[keep]))
        own = scores[np.arange(int(keep.sum())), labels[keep]]
        at_3 = float(np.quantile(own, 0.03))  # <= 3 % of enrolled speakers' utterances rejected
        best_stranger = score(unknown, centres[:count]).max(axis=1)
        out[f"reject_{key}"] = float(np.mean(best_stranger < at_3))
        out[f"false_reject_{key}"] = float(np.mean(own < at_3))
        if threshold is not None:
            right = np.argmax(scores, axis=1) == labels[keep]
            out[f"stored_accept_right_{key}"] = float(np.mean(right & (scores.max(axis=1) >= threshold)))
            out[f"stored_false_reject_{key}"] = float(np.mean(own < threshold))
            out[f"stored_reject_{key}"] = float(np.mean(best_stranger < threshold))
    scores = score(tests, centres)
    mask = np.zeros_like(scores, bool)
    mask[np.arange(len(labels)), labels] = True
    out["eer"] = eer(scores[mask], scores[~mask])
    return out


def enrolment_centres(ident: SpeakerIdentifier, data: dict[str, list[np.ndarray]], enrolled: list[str]) -> np.ndarray:
    """The enrolled speakers' centres as ``SpeakerIdentifier.enroll`` makes them (with enrolment views)."""
    return np.stack([ident.enrolment_centre(data[n][:ENROL]) for n in enrolled])


def cost_ms(embed: Embed, audio: np.ndarray, repeats: int = 20) -> float:
    """Median wall time of one embedding call."""
    embed(audio)
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        embed(audio)
        times.append(time.perf_counter() - t)
    return 1000 * float(np.median(times))


def resemblyzer_embed() -> Embed | None:
    """The peer: Resemblyzer's own pipeline (preprocess_wav: volume + VAD trim; embed_utterance: 1.6 s partials)."""
    try:
        import logging
        import warnings

        logging.getLogger("numba").setLevel(logging.WARNING)
        with warnings.catch_warnings():  # webrtcvad 2.0.10 imports the deprecated pkg_resources
            warnings.simplefilter("ignore")
            from resemblyzer import VoiceEncoder, preprocess_wav
    except ImportError:
        return None
    encoder = VoiceEncoder("cpu", verbose=False)

    def embed(audio: np.ndarray) -> np.ndarray:
        wav = preprocess_wav(audio)
        return encoder.embed_utterance(wav if wav.size > 1600 else audio)

    return embed


def print_figures(label: str, f: dict[str, float], n_all: int, peers: dict[str, dict[str, float]]) -> None:
    """One line per figure, each with the peers' value from the same run."""
    def peer(key: str) -> str:
        return ", ".join(f"{p}: {v[key]:.2%}" for p, v in peers.items())

    print(f"top-1 identification, 10 enrolled (3 voices x 3 pitches + 1): {f['top1_10']:.2%} ({peer('top1_10')})")
    print(f"top-1 identification, {n_all} enrolled: {f['top1_all']:.2%} ({peer('top1_all')})")
    print(f"verification EER, {n_all} enrolled: {f['eer']:.2%} ({peer('eer')})")
    for key, n in (("10", 10), ("all", n_all)):
        print(f"stranger rejection, {n} enrolled, at {f[f'false_reject_{key}']:.2%} false rejects: "
              f"{f[f'reject_{key}']:.2%} ({peer(f'reject_{key}')})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default=str(ROOT / "models/voice_recognition/default/default.onnx"))
    parser.add_argument("--previous", default=None, help="another speaker .onnx to compare (e.g. the previous model)")
    parser.add_argument("--voices", choices=list(VOICE_SETS), default="benchmark",
                        help="the benchmark's held-out voices, or one of the tuning sets that choices are made on")
    parser.add_argument("--clips", default=None, help="where the set's clips are made and read (default: "
                        "trainer/data/voice_recognition/unseen for the benchmark, .../<set> for a tuning set)")
    parser.add_argument("--json", action="store_true", help="also print all figures as one JSON line")
    args = parser.parse_args()

    from trixy_trainer.speaker.synth import BASE_VOICES, TRAIN_VARIANTS

    print(f"in training: espeak-ng languages {', '.join(BASE_VOICES)} x variants {', '.join(TRAIN_VARIANTS)}")
    bases, variants, enrol_count = VOICE_SETS[args.voices]
    print(f"not in training (tested here, {args.voices}): languages {', '.join(bases)} x variants {', '.join(variants)}, "
          f"pitch -p {'/'.join(map(str, PITCHES))} = {len(bases) * len(PITCHES)} speakers; "
          f"transformations: none/phone/reverb/eq/noise 20 dB")
    default_folder = "unseen" if args.voices == "benchmark" else args.voices
    folder = Path(args.clips or ROOT / "trainer/data/voice_recognition" / default_folder)
    ensure_clips(folder, args.voices)
    data = load_clips(folder, voice_set=args.voices)
    names = list(data)
    enrolled, strangers = names[:enrol_count], names[enrol_count:]
    print(f"{len(enrolled)} enrolled from {ENROL} utterances, {UTTERANCES - ENROL} identified each; "
          f"{len(strangers)} strangers x {UTTERANCES - ENROL} utterances")

    ident = SpeakerIdentifier(args.model, threads=1)
    systems: dict[str, Embed] = {"trixy": ident.embed}
    if args.previous:
        systems["previous model"] = SpeakerIdentifier(args.previous, threads=1).embed
    peer = resemblyzer_embed()
    if peer is not None:
        systems["resemblyzer"] = peer
    else:
        print("resemblyzer not installed (pip install -r requirements/bench.txt): peer figures skipped")
    embeddings = {label: embed_all(fn, data) for label, fn in systems.items()}
    rule = model_scoring(ident)
    results = {label: figures(e, enrolled, strangers) for label, e in embeddings.items()}
    results["trixy"] = figures(embeddings["trixy"], enrolled, strangers, rule, ident.threshold,
                               enrolment_centres(ident, data, enrolled))
    scoring = (f"T-norm against its {len(ident.score_norm.cohort)} cohort voices (metadata score_norm)" if ident.score_norm
               else "plain cosine (no score_norm in its metadata)")
    print(f"trixy scoring: {scoring}, enrolled as SpeakerIdentifier.enroll does (with enrolment views); peers: cosine,"
          f" centre = mean of the {ENROL} embeddings")
    print_figures("trixy", results["trixy"], len(enrolled), {k: v for k, v in results.items() if k != "trixy"})
    unviewed = figures(embeddings["trixy"], enrolled, strangers, rule)
    print(f"trixy, enrolled without views (centre = mean of the {ENROL} embeddings): top-1 {unviewed['top1_all']:.2%}, "
          f"EER {unviewed['eer']:.2%}, strangers rejected {unviewed['reject_10']:.2%} (10 enrolled) / "
          f"{unviewed['reject_all']:.2%} ({len(enrolled)}) at <= 3 % false rejects")
    other = other_rule(ident)
    if other is not None:
        o = figures(embeddings["trixy"], enrolled, strangers, other[1], centres=enrolment_centres(ident, data, enrolled))
        print(f"trixy, same embeddings scored by {other[0]}: top-1 {o['top1_all']:.2%}, EER {o['eer']:.2%}, "
              f"strangers rejected {o['reject_10']:.2%} (10 enrolled) / {o['reject_all']:.2%} ({len(enrolled)}) "
              f"at <= 3 % false rejects")
    for key, n in (("10", 10), ("all", len(enrolled))):
        f = results["trixy"]
        print(f"trixy at its stored unknown_threshold {ident.threshold:.4g}, {n} enrolled: right speaker accepted "
              f"{f[f'stored_accept_right_{key}']:.2%}, enrolled utterances rejected {f[f'stored_false_reject_{key}']:.2%}, "
              f"strangers rejected {f[f'stored_reject_{key}']:.2%}")
    # the same utterances as files are: 0.5 s of digital silence before and after each (the identifier and, since
    # 2026-12-06, the graph itself cut every utterance to its speech; trim=False leaves only the graph's cut)
    silence = np.zeros(8000, np.float32)
    framed = {name: [np.concatenate([silence, c, silence]) for c in clips] for name, clips in data.items()}
    untrimmed = SpeakerIdentifier(args.model, threads=1, trim=False)
    for label, fn in {"trixy": ident, "trixy, identifier's trim off (graph only)": untrimmed, **({"resemblyzer": peer} if peer else {})}.items():
        if isinstance(fn, SpeakerIdentifier):
            r = figures(embed_all(fn.embed, framed), enrolled, strangers, rule, centres=enrolment_centres(fn, framed, enrolled))
        else:
            r = figures(embed_all(fn, framed), enrolled, strangers)
        print(f"{label}, utterances framed by 0.5 s of digital silence: top-1 {r['top1_all'] * 100:.1f} % "
              f"({len(enrolled)} enrolled), EER {r['eer'] * 100:.1f} %, strangers rejected {r['reject_10'] * 100:.1f} % "
              f"(10 enrolled) / {r['reject_all'] * 100:.1f} % ({len(enrolled)}) at <= 3 % false rejects")

    # the same speakers through throats espeak-ng never makes: one fixed Praat formant/pitch change per speaker
    from trixy_trainer.speaker.revoice import FORMANT_RATIO, MEDIAN_PITCH_HZ, PITCH_RANGE

    throats = (f"each through its own formant ratio {FORMANT_RATIO[0]:g}-{FORMANT_RATIO[1]:g}, median pitch "
               f"{MEDIAN_PITCH_HZ[0]:g}-{MEDIAN_PITCH_HZ[1]:g} Hz, pitch range {PITCH_RANGE[0]:g}-{PITCH_RANGE[1]:g}")
    revoiced = load_clips(folder, revoiced=True, voice_set=args.voices)
    results["revoiced"] = {}
    for label, fn in systems.items():
        emb = embed_all(fn, revoiced)
        if label == "trixy":
            centres = enrolment_centres(ident, revoiced, enrolled)
            r = figures(emb, enrolled, strangers, rule, ident.threshold, centres)
        else:
            r = figures(emb, enrolled, strangers)
        results["revoiced"][label] = r
        print(f"{label}, re-voiced speakers ({throats}): top-1 {r['top1_all'] * 100:.1f} % ({len(enrolled)} enrolled), EER {r['eer'] * 100:.1f} %, "
              f"strangers rejected {r['reject_10'] * 100:.1f} % (10 enrolled) / {r['reject_all'] * 100:.1f} % "
              f"({len(enrolled)}) at <= 3 % false rejects")
        if label != "trixy":
            continue
        if other is not None:
            o = figures(emb, enrolled, strangers, other[1], centres=centres)
            print(f"trixy, re-voiced, same embeddings scored by {other[0]}: EER {o['eer'] * 100:.1f} %, strangers rejected "
                  f"{o['reject_10'] * 100:.1f} % (10 enrolled) / {o['reject_all'] * 100:.1f} % ({len(enrolled)}) at <= 3 % "
                  f"false rejects")
        print(f"trixy, re-voiced, at its stored unknown_threshold {ident.threshold:.4g}, {len(enrolled)} enrolled: right "
              f"speaker accepted {r['stored_accept_right_all']:.2%}, enrolled utterances rejected "
              f"{r['stored_false_reject_all']:.2%}, strangers rejected {r['stored_reject_all']:.2%}")

    utt = np.concatenate(data[enrolled[0]])[:25680]
    costs = {label: cost_ms(fn, utt) for label, fn in systems.items()}
    print(f"embedding per 1.6 s utterance, 1 thread: {costs['trixy']:.1f} ms "
          f"({', '.join(f'{k}: {v:.1f} ms' for k, v in costs.items() if k != 'trixy')})")
    enrolment = data[enrolled[0]][:ENROL]
    for views in (True, False):
        start = time.perf_counter()
        for _ in range(5):
            ident.enrolment_centre(enrolment, views=views)
        print(f"enrolment of one speaker from {ENROL} utterances ({sum(u.size for u in enrolment) / 16000:.1f} s), "
              f"{'with' if views else 'without'} enrolment views, 1 thread: {(time.perf_counter() - start) / 5 * 1000:.0f} ms")
    model = Path(args.model)
    sizes = {p.suffix: p.stat().st_size for p in model.parent.glob(model.stem + ".*")}
    print(f"model: {ident.metadata.get('technology')} ({ident.metadata.get('pretrained', 'no pretrained part')}), "
          f"{ident.metadata.get('parameters')} parameters, {sizes.get('.onnx', 0) / 1e6:.2f} MB onnx, "
          f"{sizes.get('.pth', 0) / 1e6:.2f} MB pth")
    if args.json:
        print(json.dumps({"results": results, "cost_ms": costs}))


if __name__ == "__main__":
    main()
