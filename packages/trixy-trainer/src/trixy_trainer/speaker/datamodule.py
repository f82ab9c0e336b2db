"""Lightning data module over prepared speaker slices: P speakers x K utterances per training batch.

The P x K sampler serves every loss (GE2E and triplet need several utterances of each speaker in a batch;
AAM-softmax does not mind). Slices are small, so they are read once into memory; augmentation runs per draw.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import lightning as L
import numpy as np
import soundfile as sf
import torch
from torch.utils.data import DataLoader, Dataset, Sampler

from trixy_trainer.speaker.augment import augment, build_augmentation
from trixy_trainer.speaker.errors import SpeakerDatasetError
from trixy_trainer.speaker.prepare import load_manifest

logger = logging.getLogger(__name__)


def load_split(chunked_dir: str | Path, split: str, speakers: Sequence[str] | None = None) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Read every slice of ``split``: ``(audio [n, samples], labels [n], speaker list)``.

    Labels are indices into ``speakers`` (default: the manifest's list); slices of other speakers are skipped.
    """
    manifest = load_manifest(chunked_dir)
    names = list(speakers) if speakers is not None else list(manifest["speakers"])
    index = {name: i for i, name in enumerate(names)}
    chunk = int(manifest["chunk_samples"])
    audio, labels = [], []
    for item in manifest["items"]:
        if item["split"] != split or item["speaker"] not in index:
            continue
        data, _ = sf.read(str(Path(chunked_dir) / item["path"]), dtype="float32")
        if data.ndim > 1:
            data = data.mean(axis=1)
        audio.append(np.pad(data[:chunk], (0, max(0, chunk - data.size))))
        labels.append(index[item["speaker"]])
    if not audio:
        return np.zeros((0, chunk), np.float32), np.zeros(0, np.int64), names
    return np.stack(audio).astype(np.float32), np.asarray(labels, np.int64), names


class SliceDataset(Dataset):
    """In-memory slices with labels; ``augmentation`` (an audiomentations pipeline) is applied per access."""

    def __init__(
        self, audio: np.ndarray, labels: np.ndarray, augmentation: Any = None, sample_rate: int = 16000, crop: int | None = None
    ) -> None:
        self.audio, self.labels = audio, labels
        self.augmentation = augmentation
        self.sample_rate = sample_rate
        self.crop = crop if crop and crop < audio.shape[1] else None

    def __len__(self) -> int:
        return len(self.labels)

    def __getitem__(self, index: int) -> tuple[torch.Tensor, int]:
        x = self.audio[index]
        if self.crop is not None:  # random crop: cheaper steps, and the model sees varied alignments
            start = np.random.randint(0, x.size - self.crop + 1)
            x = x[start : start + self.crop]
        if self.augmentation is not None:
            x = augment(self.augmentation, x, self.sample_rate)
        return torch.from_numpy(np.ascontiguousarray(x, dtype=np.float32)), int(self.labels[index])


class SpeakerBatchSampler(Sampler[list[int]]):
    """Yields batches of ``speakers_per_batch`` speakers x ``utterances_per_speaker`` slices (with replacement
    when a speaker has fewer slices)."""

    def __init__(self, labels: np.ndarray, speakers_per_batch: int, utterances_per_speaker: int, batches: int, seed: int = 0) -> None:
        self.by_speaker = {int(s): np.flatnonzero(labels == s) for s in np.unique(labels)}
        self.p = min(speakers_per_batch, len(self.by_speaker))
        self.k = utterances_per_speaker
        self.batches = batches
        self.seed = seed
        self.epoch = 0

    def __len__(self) -> int:
        return self.batches

    def __iter__(self) -> Iterator[list[int]]:
        rng = np.random.default_rng([self.seed, self.epoch])
        self.epoch += 1
        speakers = np.array(sorted(self.by_speaker))
        for _ in range(self.batches):
            batch: list[int] = []
            for s in rng.choice(speakers, size=self.p, replace=False):
                pool = self.by_speaker[int(s)]
                batch.extend(int(i) for i in rng.choice(pool, size=self.k, replace=pool.size < self.k))
            yield batch


class SpeakerDataModule(L.LightningDataModule):
    """Train (augmented, P x K batches) and validation loaders over ``chunked/`` for a given speaker list."""

    def __init__(self, data_cfg: Mapping[str, Any], augmentation_cfg: Mapping[str, Any] | None, speakers: Sequence[str]) -> None:
        super().__init__()
        self.cfg = dict(data_cfg)
        self.augmentation_cfg = augmentation_cfg
        self.speakers = list(speakers)
        self.train_set: SliceDataset | None = None
        self.val_set: SliceDataset | None = None

    def setup(self, stage: str | None = None) -> None:
        if self.train_set is not None:
            return
        chunked = self.cfg["chunked_dir"]
        audio, labels, _ = load_split(chunked, "train", self.speakers)
        if labels.size == 0:
            raise SpeakerDatasetError(f"{chunked}: no training slices; run `trixy-train speaker prepare`")
        missing = sorted(set(range(len(self.speakers))) - set(labels.tolist()))
        if missing:
            logger.warning("speakers without training slices: %s", [self.speakers[i] for i in missing])
        crop = self.cfg.get("train_crop_samples")
        self.train_set = SliceDataset(audio, labels, build_augmentation(self.augmentation_cfg), crop=int(crop) if crop else None)
        val_audio, val_labels, _ = load_split(chunked, "val", self.speakers)
        if val_labels.size == 0:  # tiny corpora: validate on (unaugmented) training slices
            val_audio, val_labels = audio[: max(1, min(len(audio), 256))], labels[: max(1, min(len(audio), 256))]
        self.val_set = SliceDataset(val_audio, val_labels)

    def _batches_per_epoch(self) -> int:
        assert self.train_set is not None
        per_batch = int(self.cfg.get("speakers_per_batch", 32)) * int(self.cfg.get("utterances_per_speaker", 2))
        configured = self.cfg.get("batches_per_epoch")
        return int(configured) if configured else max(1, len(self.train_set) // per_batch)

    def train_dataloader(self) -> DataLoader:
        assert self.train_set is not None
        sampler = SpeakerBatchSampler(
            self.train_set.labels,
            int(self.cfg.get("speakers_per_batch", 32)),
            int(self.cfg.get("utterances_per_speaker", 2)),
            self._batches_per_epoch(),
            int(self.cfg.get("seed", 0)),
        )
        workers = int(self.cfg.get("num_workers", 0))
        return DataLoader(self.train_set, batch_sampler=sampler, num_workers=workers, persistent_workers=workers > 0)

    def val_dataloader(self) -> DataLoader:
        assert self.val_set is not None
        return DataLoader(self.val_set, batch_size=int(self.cfg.get("eval_batch_size", 128)), shuffle=False)
