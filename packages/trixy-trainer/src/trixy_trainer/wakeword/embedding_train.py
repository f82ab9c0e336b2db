"""``trixy-train wakeword`` with ``model=speech_embedding`` (the default recipe): corpus -> head -> thresholds -> export.

1. Corpus: espeak-ng clips for every wake class and for negatives (confusable words, streams of talk in many
   languages, noise), re-voiced and put in rooms, turned into speech embeddings once and cached (see
   :mod:`trixy_trainer.wakeword.embedding_corpus`).
2. Head: trained on 16-embedding windows with balanced batches, re-mined hard negatives and voice shifts
   (``data.voice_shift_p``: windows moved along the differences between wake-phrase clips' mean embeddings).
3. Thresholds: per class, chosen on the ``calibration`` split (training voices, other clips; or voices in variants
   no split trains on, ``data.calibration_voices=unseen_variants``) for the target false
   accepts per hour and confusable fire rate; the ``test`` split (held-out voice families and variants) is scored at
   those thresholds and stored in the model's ``results``.
4. Export: full-window and streaming ONNX with the frozen front end inside, and the head as encrypted .pth.

With ``data.extra_corpus_seeds`` the ensemble's members are shared out among several corpora built with the same
recipe and other seeds (other clips, voices drawn again): member ``k`` of ``n`` trains on corpus ``k * c // n`` of
``c``, the calibration splits are joined for the thresholds, and the test split stays ``data.corpus_seed``'s.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import lightning as L
import numpy as np
import torch
from omegaconf import DictConfig, ListConfig, OmegaConf
from torch.utils.data import DataLoader

from trixy_core.modelfiles import WAKEWORD_REQUIRED_KEYS, base_metadata, read_pth
from trixy_trainer.config import instantiate_section, to_container
from trixy_trainer.data.synth import VARIANTS
from trixy_trainer.data.synth_texts import CONFUSABLES, SYSTEM_CONFUSABLES
from trixy_trainer.errors import ConfigError
from trixy_trainer.lightning_trainer import build_trainer
from trixy_trainer.models.embedding_wakeword import DITHER_DBFS, EmbeddingHead, EmbeddingWakewordNet
from trixy_trainer.pretrained import speech_embedding as se
from trixy_trainer.progress import EpochReport, ProgressCallback, ProgressReporter, TrainingControl
from trixy_trainer.result import TrainResult
from trixy_trainer.schedules import build_optimization
from trixy_trainer.wakeword.calibration_voices import calibration_voices, split_corpus
from trixy_trainer.wakeword.embedding_corpus import (
    EXTRA_NEGATIVE_LANGUAGES,
    EXTRA_VARIANTS,
    NEGATIVE_LANGUAGES,
    PHRASE_HELD,
    POSITIVE_LANGUAGES,
    SPEED,
    ClipSet,
    CorpusConfig,
    Revoice,
    build_clips,
    join_clips,
    window_labels,
)
from trixy_trainer.wakeword.embedding_evaluate import (
    EmbeddingEvaluation,
    choose_thresholds,
    evaluate_split,
    single_threshold,
)
from trixy_trainer.wakeword.embedding_export import export_embedding_wakeword
from trixy_trainer.wakeword.embedding_module import HeadModule, WindowBatches
from trixy_trainer.wakeword.user_recordings import (
    UserCorpus,
    UserRecordingsConfig,
    load_user_recordings,
    repeats,
)

logger = logging.getLogger(__name__)

ARCHITECTURE = "speech_embedding"


def corpus_config(cfg: DictConfig) -> CorpusConfig:
    """The corpus recipe from the composed config (``data`` group plus the top-level phrases)."""
    d = cfg.data
    confusables = list(cfg.get("confusables") or (CONFUSABLES + SYSTEM_CONFUSABLES))
    corpus = CorpusConfig(
        cache_dir=Path(d.cache_dir),
        classes=list(cfg.classes),
        phrases={k: list(v) for k, v in to_container(cfg.synth_phrases).items()},
        accent_phrases={k: list(v) for k, v in to_container(cfg.get("accent_phrases") or {}).items()},
        confusables=confusables,
        speech_seconds=float(d.speech_seconds),
        test_voices=list(d.test_voices),
        test_variants=list(d.test_variants),
        test_languages=list(d.test_languages),
        voice_change_p=float(d.voice_change_p),
        speed_p=float(d.speed_p),
        follow_command_p=float(d.follow_command_p),
        seed=int(d.corpus_seed),
        workers=int(d.workers),
        negative_languages=negative_languages(d.get("negative_languages", "default")),
        negative_revoice=negative_revoice(d.get("negative_revoice")),
        variants=voice_variants(d.get("voice_variants", "default")),
        lead_in_p=lead_in_probability(d.get("lead_in_p")),
        phrase_speed=phrase_speed(d.get("phrase_speed")),
        language_phrases={k: list(v) for k, v in to_container(cfg.get("language_phrases") or {}).items()},
        positive_languages=positive_languages(d.get("positive_languages")),
        positive_language_p=positive_language_probability(d.get("positive_language_p")),
        clean_file_p=clean_file_probability(d.get("clean_file_p")),
        confusable_command_p=confusable_command_probability(d.get("confusable_command_p")),
    )
    held_out = sorted(set(corpus.positive_languages) & {*corpus.test_voices, *corpus.test_languages})
    if held_out:
        raise ConfigError(f"data.positive_languages: {held_out} are held out for the test split (data.test_voices, "
                          "data.test_languages); a voice the test split scores must not say the wake word in training")
    return corpus


def positive_after_samples(value: Any, sample_rate: int = 16000) -> int:
    """``data.positive_after_s`` (seconds after the phrase's end that windows stay positive) in samples."""
    try:
        seconds = float(0.4 if value is None else value)
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"data.positive_after_s: a number of seconds, got {value!r}") from exc
    if not 0.1 <= seconds <= PHRASE_HELD / sample_rate:
        raise ConfigError(f"data.positive_after_s: between 0.1 and {PHRASE_HELD / sample_rate:g} s, got {seconds:g}")
    return int(round(seconds * sample_rate))


def command_positive_samples(value: Any, sample_rate: int = 16000) -> int | None:
    """``data.command_positive_s``: for wake phrases followed by a command, how long after the command starts windows
    stay positive (None: off, the phrase's positive span alone decides)."""
    if value is None:
        return None
    seconds = _number_setting("command_positive_s", value, 0.0, 0.0, PHRASE_HELD / sample_rate,
                              "seconds after a following command's start that windows stay positive")
    return int(round(seconds * sample_rate))


def _number_setting(key: str, value: Any, default: float, low: float, high: float, meaning: str,
                    open_low: bool = False) -> float:
    """A numeric ``data.<key>`` within [low, high] (or (low, high] with ``open_low``); null gives ``default``."""
    if value is None:
        return default
    number = isinstance(value, (int, float)) and not isinstance(value, bool)
    if not number or not (low < float(value) if open_low else low <= float(value)) or float(value) > high:
        raise ConfigError(f"data.{key}: {meaning}, in {'(' if open_low else '['}{low:g}, {high:g}], got {value!r}")
    return float(value)


def voice_shift_probability(value: Any) -> float:
    """``data.voice_shift_p``: the share of training windows moved by a voice shift (null or 0: none)."""
    return _number_setting("voice_shift_p", value, 0.0, 0.0, 1.0, "the share of training windows shifted")


def voice_shift_scale(value: Any) -> float:
    """``data.voice_shift_scale``: the largest part of a clip-mean difference a voice shift adds (null: 1)."""
    return _number_setting("voice_shift_scale", value, 1.0, 0.0, 3.0, "the largest part of a voice difference added",
                           open_low=True)


def clean_file_probability(value: Any) -> float:
    """``data.clean_file_p``: the share of training/calibration wake phrases and confusables made as clean
    text-to-speech files."""
    return _number_setting("clean_file_p", value, 0.0, 0.0, 1.0, "the share of words made as clean files")


def confusable_command_probability(value: Any) -> float:
    """``data.confusable_command_p``: the share of training/calibration confusables followed by a command."""
    return _number_setting("confusable_command_p", value, 0.0, 0.0, 1.0, "the share of confusables followed by a command")


def lead_in_probability(value: Any) -> float:
    """``data.lead_in_p``: the share of training/calibration wake phrases and confusables said after a lead-in word."""
    return _number_setting("lead_in_p", value, 0.0, 0.0, 1.0, "the share of phrases said after a lead-in word")


def phrase_speed(value: Any) -> tuple[int, int]:
    """``data.phrase_speed``: espeak-ng rates ``[low, high)`` in words per minute for the training/calibration wake
    phrases and confusables (null: the corpus's 95-230)."""
    if value is None:
        return SPEED
    pair = OmegaConf.to_container(value) if isinstance(value, ListConfig) else value
    if (not isinstance(pair, (list, tuple)) or len(pair) != 2 or not all(isinstance(v, int) and not isinstance(v, bool) for v in pair)
            or not 80 <= pair[0] < pair[1] <= 450):
        raise ConfigError(f"data.phrase_speed: [low, high] words per minute, 80 <= low < high <= 450, got {value!r}")
    return int(pair[0]), int(pair[1])


def negative_revoice(value: Any) -> Revoice:
    """``data.negative_revoice``: how the training and calibration negatives are re-voiced (null: like the phrases)."""
    if value is None:
        return Revoice()
    settings = to_container(value) if isinstance(value, DictConfig) else value
    if not isinstance(settings, Mapping) or set(settings) - {"voice_change_p", "formant_range", "pitch_hz"}:
        raise ConfigError(f"data.negative_revoice: voice_change_p, formant_range and pitch_hz, got {value!r}")
    p = settings.get("voice_change_p")
    if p is not None and (not isinstance(p, (int, float)) or not 0.0 <= float(p) <= 1.0):
        raise ConfigError(f"data.negative_revoice.voice_change_p: null or a probability in [0, 1], got {p!r}")
    ranges = {}
    for key, low_limit, high_limit in (("formant_range", 0.5, 2.0), ("pitch_hz", 40.0, 600.0)):
        pair = settings.get(key, getattr(Revoice(), key))
        if (not isinstance(pair, (list, tuple)) or len(pair) != 2 or not all(isinstance(v, (int, float)) for v in pair)
                or not low_limit <= float(pair[0]) <= float(pair[1]) <= high_limit):
            raise ConfigError(f"data.negative_revoice.{key}: [low, high] within [{low_limit}, {high_limit}], got {pair!r}")
        ranges[key] = (float(pair[0]), float(pair[1]))
    return Revoice(None if p is None else float(p), ranges["formant_range"], ranges["pitch_hz"])


def extra_corpus_seeds(value: Any, primary: int) -> list[int]:
    """``data.extra_corpus_seeds``: seeds of more training corpora built with the same recipe (null or [] = one corpus).

    Each seed is a whole number, given once, and not ``data.corpus_seed`` (``primary``): the same seed would be the
    same clips."""
    if value is None:
        return []
    if isinstance(value, str | bytes) or not isinstance(value, Sequence):
        raise ConfigError(f"data.extra_corpus_seeds: a list of whole numbers (seeds of more training corpora), got {value!r}")
    seeds = list(value)
    if not all(isinstance(seed, int) and not isinstance(seed, bool) for seed in seeds):
        raise ConfigError(f"data.extra_corpus_seeds: a list of whole numbers (seeds of more training corpora), got {seeds!r}")
    if len(set(seeds)) != len(seeds) or primary in seeds:
        raise ConfigError(f"data.extra_corpus_seeds: each seed once and none equal to data.corpus_seed ({primary}): "
                          f"the same seed builds the same clips; got {seeds!r}")
    return [int(seed) for seed in seeds]


def corpus_seeds(cfg: DictConfig) -> list[int]:
    """Every training corpus's seed: ``data.corpus_seed`` (the first; its test split scores the model), then
    ``data.extra_corpus_seeds``."""
    primary = int(cfg.data.corpus_seed)
    return [primary, *extra_corpus_seeds(cfg.data.get("extra_corpus_seeds"), primary)]


def member_corpus(member: int, members: int, corpora: int) -> int:
    """Which of ``corpora`` training corpora ensemble member ``member`` of ``members`` trains on (shared out evenly, in order)."""
    return member * corpora // members


def _default_extended_or_list(key: str, value: Any, default: list[str], extra: list[str], items: str) -> list[str]:
    """A ``data.<key>`` list setting: ``default``, ``extended`` (the default plus ``extra``) or an explicit list."""
    if value in (None, "default"):
        return list(default)
    if value == "extended":
        return list(default) + list(extra)
    if isinstance(value, str) or not isinstance(value, Sequence) or not list(value) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"data.{key}: default, extended or a list of espeak-ng {items}, got {value!r}")
    return list(value)


def positive_languages(value: Any) -> list[str]:
    """``data.positive_languages``: null or ``none`` (off), ``extended`` (the built-in list) or a list of espeak-ng voices
    that say the wake word in the training and calibration splits; test-split languages and families are refused."""
    if value in (None, "none"):
        return []
    return _default_extended_or_list("positive_languages", value, [], POSITIVE_LANGUAGES, "voices")


def positive_language_probability(value: Any) -> float:
    """``data.positive_language_p``: the share of a wake class's phrases said by ``positive_languages`` voices."""
    return _number_setting("positive_language_p", value, 0.0, 0.0, 1.0, "the share of phrases said by those languages")


def negative_languages(value: Any) -> list[str]:
    """``data.negative_languages``: ``default`` (48 languages), ``extended`` (100) or an explicit list."""
    return _default_extended_or_list("negative_languages", value, NEGATIVE_LANGUAGES, EXTRA_NEGATIVE_LANGUAGES, "voices")


def voice_variants(value: Any) -> list[str]:
    """``data.voice_variants``: ``default`` (41 variants), ``extended`` (76) or an explicit list ("" is the plain voice)."""
    return _default_extended_or_list("voice_variants", value, VARIANTS, EXTRA_VARIANTS, "variants")


def _split(corpus: CorpusConfig, split: str, counts: Mapping[str, int], report: Any) -> dict[str, ClipSet]:
    return {kind: build_clips(corpus, split, kind, int(n), report) for kind, n in counts.items() if int(n) > 0}


def load_corpus(
    cfg: DictConfig, splits: tuple[str, ...] = ("train", "calibration", "test"), seed: int | None = None
) -> dict[str, dict[str, ClipSet]]:
    """Every split's clips (computed on first use, then read from the cache); ``seed`` builds the same recipe with
    another corpus seed (``data.extra_corpus_seeds``) instead of ``data.corpus_seed``."""
    corpus = corpus_config(cfg)
    if seed is not None:
        corpus = replace(corpus, seed=int(seed))
    voices = calibration_voices(cfg.data.get("calibration_voices"))
    counts = to_container(cfg.data.counts)
    for split in splits:
        for cls in corpus.classes[:-1]:
            if cls not in counts.get(split, {}):
                raise ConfigError(f"data.counts.{split} names no clip count for wake class {cls!r}")

    def report(what: str, done: int, total: int) -> None:
        logger.info("corpus %s: %d/%d clips", what, done, total)

    recipes = {split: split_corpus(corpus, split, voices) for split in splits}  # a bad choice stops before any clip
    return {split: _split(recipes[split], split, counts[split], report) for split in splits}


def merge_user_recordings(
    cfg: DictConfig, corpus: dict[str, dict[str, ClipSet]], classes: list[str], more_train: Sequence[dict[str, ClipSet]] = ()
) -> UserCorpus:
    """Add the user's own recordings (``data.user_recordings``) to the train and calibration splits, in place, and
    to every train split of ``more_train`` (the extra corpora: each trains its own members).

    In training, a kind's user clips are repeated until they are at least ``share`` of that kind's clips (a few
    dozen real recordings would otherwise vanish among thousands of synthetic ones)."""
    settings = UserRecordingsConfig.from_mapping(to_container(cfg.data.get("user_recordings")))
    user = load_user_recordings(settings, classes, Path(cfg.data.cache_dir), float(cfg.data.speech_seconds))
    for train in (corpus["train"], *more_train):
        for kind, clips in user.splits["train"].items():
            synthetic = train.get(kind)
            times = repeats(clips.clips, synthetic.clips if synthetic is not None else 0, settings.share)
            train[kind] = join_clips(([synthetic] if synthetic is not None else []) + [clips] * times)
            logger.info("user recordings: %d %s clips, repeated %d times in training", clips.clips, kind, times)
    for kind, clips in user.splits["calibration"].items():
        held = corpus["calibration"].get(kind)
        corpus["calibration"][kind] = join_clips(([held] if held is not None else []) + [clips])
    return user


def join_splits(splits: Sequence[Mapping[str, ClipSet]]) -> dict[str, ClipSet]:
    """The same split of several corpora as one: each kind's clips joined, in corpus order."""
    kinds = list(dict.fromkeys(kind for split in splits for kind in split))
    return {kind: join_clips([split[kind] for split in splits if kind in split]) for kind in kinds}


def _positives(clips: Mapping[str, ClipSet], classes: list[str]) -> dict[str, ClipSet]:
    return {name: clips[name] for name in classes[:-1] if name in clips}


def _negatives(clips: Mapping[str, ClipSet], kinds: tuple[str, ...]) -> ClipSet:
    return join_clips([clips[k] for k in kinds if k in clips])


def build_net(head: EmbeddingHead) -> EmbeddingWakewordNet:
    """The whole network: the installed front end around a trained head."""
    mel, embedding = se.load_speech_frontend()
    return EmbeddingWakewordNet(mel, embedding, head).eval()


def clip_means(clips: ClipSet) -> np.ndarray:
    """Each clip's mean embedding ``[clips, 96]`` (float32)."""
    sums = np.add.reduceat(clips.embeddings.astype(np.float32), clips.offsets[:-1], axis=0)
    return sums / np.maximum(np.diff(clips.offsets), 1)[:, None]


def member_progress(progress: ProgressCallback | None, index: int, members: int) -> ProgressCallback | None:
    """Progress of ensemble member ``index`` as part of the whole run (epochs of all members counted together)."""
    if progress is None or members == 1:
        return progress

    def report(epoch: EpochReport) -> None:
        left = members - index - 1
        progress(replace(
            epoch, epoch=index * epoch.max_epochs + epoch.epoch, max_epochs=members * epoch.max_epochs,
            eta_s=epoch.eta_s + left * epoch.max_epochs * epoch.epoch_s,
        ))

    return report


def train_embedding_wakeword(
    cfg: DictConfig, progress: ProgressCallback | None = None, control: TrainingControl | None = None
) -> TrainResult:
    """Train the head, choose thresholds, score the held-out split and export; returns a ``TrainResult``."""
    started = time.monotonic()
    L.seed_everything(int(cfg.seed), workers=True, verbose=False)
    torch.set_num_threads(int(cfg.get("num_threads", 1)))
    se.model_dir()  # fail early, with the install hint, when the pretrained weights are missing
    classes = list(cfg.classes)
    if classes[-1] != "none" or len(classes) < 2:
        raise ConfigError(f"classes must end with 'none' and name at least one wake word, got {classes}")
    positive_after = positive_after_samples(cfg.data.get("positive_after_s"))  # a bad value stops before the corpus
    command_after = command_positive_samples(cfg.data.get("command_positive_s"))
    shift_p = voice_shift_probability(cfg.data.get("voice_shift_p"))
    shift_scale = voice_shift_scale(cfg.data.get("voice_shift_scale"))
    seeds = corpus_seeds(cfg)
    params = to_container(cfg.model.params)
    members = int(params.get("members", 1))
    if members < len(seeds):
        raise ConfigError(f"model.params.members={members} is fewer than the {len(seeds)} training corpora (data.corpus_seed "
                          f"and data.extra_corpus_seeds={seeds[1:]}): each corpus trains at least one member; raise "
                          "model.params.members or set data.extra_corpus_seeds=[]")
    head = instantiate_section(cfg, "model", num_classes=len(classes))
    windows = int(head.windows)
    corpus = load_corpus(cfg)
    extra = [load_corpus(cfg, ("train", "calibration"), seed) for seed in seeds[1:]]
    user = merge_user_recordings(cfg, corpus, classes, [more["train"] for more in extra])
    trains = [corpus["train"], *(more["train"] for more in extra)]
    calibration = join_splits([corpus["calibration"], *(more["calibration"] for more in extra)])
    if cfg.get("finetune_from"):
        meta, state = read_pth(cfg.finetune_from, cfg.export.get("password"), WAKEWORD_REQUIRED_KEYS)
        if list(meta["classes"]) != classes or meta.get("technology") != se.TECHNOLOGY:
            raise ConfigError(f"{cfg.finetune_from}: classes/technology {meta['classes']}/{meta.get('technology')} do not match this config")
        try:
            head.load_state_dict(state)
        except RuntimeError as exc:
            raise ConfigError(f"{cfg.finetune_from}: its head does not fit model.params {params}: {exc}") from exc
    run_dir = Path(cfg.run_dir)
    owners = [member_corpus(k, members, len(seeds)) for k in range(members)]
    trained: list[torch.nn.Module] = []
    for index, train in enumerate(trains):  # one corpus at a time: its windows, voice shifts and members
        joined = join_clips(list(train.values()))
        ends, labels = window_labels(joined, windows, len(classes) - 1, positive_after, command_after)
        own = [k for k in range(members) if owners[k] == index]
        logger.info("corpus seed %d: training windows %s (classes %s), members %s", seeds[index],
                    np.bincount(labels, minlength=len(classes)).tolist(), classes, own)
        voice_means = None
        if shift_p > 0:  # every wake phrase's clips (the user's own recordings included)
            voice_means = np.concatenate([clip_means(train[name]) for name in classes[:-1] if name in train])
        for k in own:  # one after another: own seed, batches, hard negatives
            seed = int(cfg.seed) + k
            L.seed_everything(seed, workers=True, verbose=False)
            member = instantiate_section(cfg, "model", num_classes=len(classes), params={**params, "members": 1})
            if cfg.get("finetune_from"):
                member.layers.load_state_dict(head.mlps[k].state_dict())
            batches = WindowBatches(
                joined.embeddings, ends, labels, len(classes), windows, int(cfg.data.batch_size), int(cfg.data.steps_per_epoch),
                list(cfg.data.class_balance), float(cfg.data.hard_negative_share), seed, voice_means, shift_p, shift_scale,
            )
            optimizer, scheduler = build_optimization(cfg)
            module = HeadModule(
                member, len(classes), optimizer, scheduler, negative_weight=float(cfg.data.negative_weight),
                feature_noise=float(cfg.data.feature_noise), mine_every=int(cfg.data.mine_every), mine_top=int(cfg.data.mine_top),
            )
            module.batches = batches
            trainer = build_trainer(
                cfg.trainer, run_dir, [ProgressReporter(member_progress(progress, k, members), control)], limit_val_batches=0,
                num_sanity_val_steps=0, enable_checkpointing=False,
            )
            trainer.fit(module, train_dataloaders=DataLoader(batches, batch_size=None))
            trained.append(module.head.eval())
            if control and control.stopped:
                break
        if control and control.stopped:
            break
    stopped = bool(control and control.stopped)
    if len(trained) < members:  # stopped early: the members trained so far make the model
        logger.warning("training stopped after %d of %d ensemble members", len(trained), members)
        members = len(trained)
        params["members"] = members
        head = instantiate_section(cfg, "model", num_classes=len(classes), params=params)
    for slot, member in zip(head.mlps, trained, strict=True):
        slot.load_state_dict(member.layers.state_dict())
    head = head.eval()
    ev = cfg.evaluation
    refractory_hops = int(round(float(ev.refractory_s) * 16000 / 1280))
    smoothing = int(ev.smoothing_hops)
    thresholds = choose_thresholds(
        head, _positives(calibration, classes), _negatives(calibration, ("speech", "noise")), calibration["confusable"], classes, windows,
        float(ev.target_fa_per_hour), float(ev.max_confusable_rate), smoothing, refractory_hops, float(ev.min_threshold),
    )
    results: dict[str, EmbeddingEvaluation] = {}
    for split, clips in (("calibration", calibration), ("test", corpus["test"])):
        results[split] = evaluate_split(
            head, split, _positives(clips, classes), _negatives(clips, ("speech", "noise")), clips["confusable"], classes,
            thresholds, windows, smoothing, refractory_hops,
        )
        logger.info("%s: %s", split, json.dumps({k: v for k, v in results[split].summary().items() if k != "per_voice"}))
    net = build_net(head)
    duration = time.monotonic() - started
    block_hops = int(cfg.export.get("stream_block_hops", 2))
    meta = base_metadata(
        sample_rate=16000,
        chunk_samples=int(net.chunk_samples),
        classes=classes,
        threshold=single_threshold(thresholds),
        class_thresholds=thresholds,
        technology=se.TECHNOLOGY,
        pretrained={
            "name": "openWakeWord speech embedding (melspectrogram + embedding_model)", "package": se.PACKAGE,
            "version": se.package_version(), "license": "Apache-2.0", "trained_on": "real speech (Google)",
        },
        architecture={"name": ARCHITECTURE, "params": params},
        training_corpora={"seeds": seeds, "members": [owners[:members].count(i) for i in range(len(seeds))]},
        features={"frontend": "openwakeword-mel", "sample_rate": 16000, "n_fft": se.N_FFT, "hop_length": se.HOP, "n_mels": se.N_MELS,
                  "dither_dbfs": DITHER_DBFS},
        wake_phrases=to_container(cfg.wake_phrases),
        author=str(cfg.author),
        description=str(cfg.description),
        results={split: r.summary() for split, r in results.items()},
        user_recordings=user.summary(),
        epochs=int(trainer.current_epoch),
        duration_s=round(duration, 1),
        detector={"hop_samples": 1280 * block_hops, "smoothing_hops": smoothing, "refractory_s": float(ev.refractory_s)},
        framework=f"torch {torch.__version__}",
    )
    files = export_embedding_wakeword(
        net, cfg.output_dir, str(cfg.name), meta, formats=list(cfg.export.formats), password=cfg.export.get("password"), block_hops=block_hops
    )
    logger.info("wake-word model %s written in %.0f s", files.get("onnx"), duration)
    return TrainResult(files=files, metadata=meta, checkpoint=None, stopped=stopped, evaluation={s: r.summary() for s, r in results.items()})
