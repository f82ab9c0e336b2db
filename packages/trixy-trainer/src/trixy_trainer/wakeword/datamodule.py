"""Lightning data module over the prepared ``chunked/`` wake-word data (class-balanced sampling, augmentation)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import lightning as L
import numpy as np
import soundfile as sf
import torch
from torch.utils.data import DataLoader, Dataset, WeightedRandomSampler

from trixy_trainer.augmentation import Augment, build_augmentation
from trixy_trainer.data.prepare import read_manifest
from trixy_trainer.errors import DatasetError

#: Folder in chunked/<split>/ -> class index (class names are in the metadata, index 2 is "none").
FOLDER_CLASS = {"custom": 0, "system_command": 1, "negative": 2, "background": 2}


def list_chunks(chunked_dir: str | Path, split: str) -> list[tuple[Path, int]]:
    """All chunk files of ``split`` with their class index."""
    root = Path(chunked_dir) / split
    items: list[tuple[Path, int]] = []
    for folder, label in FOLDER_CLASS.items():
        items.extend((path, label) for path in sorted((root / folder).glob("*.wav")))
    return items


class ChunkDataset(Dataset):
    """Reads chunk WAVs lazily; applies ``augment`` (train split only)."""

    def __init__(self, items: Sequence[tuple[Path, int]], chunk_samples: int, augment: Augment | None = None) -> None:
        self.items = list(items)
        self.chunk_samples = chunk_samples
        self.augment = augment

    def __len__(self) -> int:
        return len(self.items)

    def __getitem__(self, index: int) -> tuple[torch.Tensor, int]:
        path, label = self.items[index]
        audio, _ = sf.read(str(path), dtype="float32")
        if audio.ndim > 1:
            audio = audio.mean(axis=1)
        audio = np.pad(audio[: self.chunk_samples], (0, max(0, self.chunk_samples - audio.size)))
        if self.augment is not None:
            audio = self.augment(audio, 16000)
        return torch.from_numpy(np.ascontiguousarray(audio, dtype=np.float32)), label


class WakewordDataModule(L.LightningDataModule):
    """Train/val/test loaders; training draws ``samples_per_epoch`` clips with the configured class balance."""

    def __init__(self, data_cfg: Mapping[str, Any], augmentation_cfg: Mapping[str, Any] | None = None) -> None:
        super().__init__()
        self.cfg = data_cfg
        self.augmentation_cfg = augmentation_cfg or {"enabled": False}
        self.chunked_dir = Path(data_cfg["chunked_dir"])
        manifest = read_manifest(self.chunked_dir)
        self.chunk_samples = int(manifest["chunk_samples"])
        self.sample_rate = int(manifest["sample_rate"])

    def setup(self, stage: str | None = None) -> None:
        self.train_items = list_chunks(self.chunked_dir, "train")
        self.val_items = list_chunks(self.chunked_dir, "val") or list_chunks(self.chunked_dir, "test")
        self.test_items = list_chunks(self.chunked_dir, "test")
        labels = {label for _, label in self.train_items}
        if not {0, 2} <= labels:
            raise DatasetError(f"{self.chunked_dir}: training split needs wake-word and negative chunks (has classes {sorted(labels)})")
        noise_dirs = [self.chunked_dir / "train" / "background", self.chunked_dir / "train" / "negative"]
        self.augment = build_augmentation(self.augmentation_cfg, noise_dirs)

    def _sampler(self) -> WeightedRandomSampler:
        balance = list(self.cfg.get("class_balance", [0.25, 0.25, 0.5]))
        counts = np.bincount([label for _, label in self.train_items], minlength=len(balance)).astype(np.float64)
        weights = [balance[label] / counts[label] for _, label in self.train_items]
        total = int(self.cfg.get("samples_per_epoch") or len(self.train_items))
        return WeightedRandomSampler(weights, num_samples=total, replacement=True)

    def _loader(self, items: Sequence[tuple[Path, int]], augment: Augment | None, sampler: Any = None) -> DataLoader:
        workers = int(self.cfg.get("num_workers", 0))
        return DataLoader(
            ChunkDataset(items, self.chunk_samples, augment),
            batch_size=int(self.cfg.get("batch_size", 64)),
            sampler=sampler,
            shuffle=False,
            num_workers=workers,
            persistent_workers=workers > 0,
        )

    def train_dataloader(self) -> DataLoader:
        return self._loader(self.train_items, self.augment, self._sampler())

    def val_dataloader(self) -> DataLoader:
        return self._loader(self.val_items, None)

    def test_dataloader(self) -> DataLoader:
        return self._loader(self.test_items, None)
