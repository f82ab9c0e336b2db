"""Which voices the calibration split (where thresholds are chosen) speaks with (``data.calibration_voices``).

``training`` (the default): the training voices, other clips. ``unseen_variants``: the training voice families and
the negative-speech languages, each in one of the espeak-ng variants that training does not use, so the thresholds
are chosen on voices no head heard, as a household's will be. The same set is the third curve of
``benchmarks/wakeword_head_curve.py --unseen-variants``.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from trixy_trainer.errors import ConfigError
from trixy_trainer.wakeword.embedding_corpus import EXTRA_VARIANTS, CorpusConfig

CALIBRATION_VOICES = ("training", "unseen_variants")


def calibration_voices(value: Any) -> str:
    """``data.calibration_voices``: ``training`` (null too) or ``unseen_variants``."""
    if value is None:
        return "training"
    if value not in CALIBRATION_VOICES:
        raise ConfigError(f"data.calibration_voices: one of {', '.join(CALIBRATION_VOICES)}, got {value!r}")
    return str(value)


def unseen_variant_corpus(corpus: CorpusConfig) -> CorpusConfig:
    """The recipe spoken in the extra variants that neither the training voices nor the test split use; the
    negative-speech languages take those variants too."""
    unseen = [v for v in EXTRA_VARIANTS if v not in corpus.variants and v not in corpus.test_variants]
    if not unseen:
        raise ConfigError("data.calibration_voices=unseen_variants: training already uses every extra variant "
                          "(data.voice_variants); use training calibration voices or fewer training variants")
    return replace(corpus, variants=unseen, language_variants=True)


def split_corpus(corpus: CorpusConfig, split: str, voices: str) -> CorpusConfig:
    """The recipe of one split: the calibration split's voices follow ``voices``; train and test never change."""
    return unseen_variant_corpus(corpus) if split == "calibration" and voices == "unseen_variants" else corpus
