"""The exported speaker model: raw PCM -> (L2-normalised embedding, cosine logits per known speaker).

The classifier is a matrix of speaker prototypes (one row per speaker id); logits are ``scale * cos(embedding,
prototype)``. AAM-softmax trains these rows; enrolment without training appends a row equal to the speaker's mean
embedding, so trained and enrolled speakers are scored the same way and the head always follows ``num_speaker``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import torch
from torch import nn

from trixy_trainer.speaker.ecapa import EcapaTdnn
from trixy_trainer.speaker.frontend import SpeakerFrontEnd
from trixy_trainer.speaker.fusion import Ge2eFusionEncoder
from trixy_trainer.speaker.ge2e import Ge2eEncoder
from trixy_trainer.speaker.titanet import TitaNetLite

ARCHITECTURES = {"ecapa_tdnn": EcapaTdnn, "titanet_lite": TitaNetLite, "ge2e": Ge2eEncoder, "ge2e_fusion": Ge2eFusionEncoder}
FRONTEND_KEYS = ("sample_rate", "n_mels", "win_ms", "hop_ms", "kind", "n_mfcc", "mean_norm", "volume_norm")


class SpeakerModel(nn.Module):
    """Front end + encoder + prototype classifier; ``forward(audio)`` returns ``(embedding, logits)``."""

    def __init__(self, model_config: Mapping[str, Any], num_speaker: int) -> None:
        super().__init__()
        cfg = dict(model_config)
        arch = cfg.get("architecture", "ecapa_tdnn")
        if arch not in ARCHITECTURES:
            raise ValueError(f"unknown speaker architecture {arch!r}; choose one of {sorted(ARCHITECTURES)}")
        if num_speaker < 1:
            raise ValueError("num_speaker must be at least 1")
        self.model_config = cfg
        self.frontend = SpeakerFrontEnd(**{k: v for k, v in dict(cfg.get("frontend", {})).items() if k in FRONTEND_KEYS})
        encoder_args = dict(cfg.get("encoder", {}))
        self.encoder = ARCHITECTURES[arch](n_features=self.frontend.n_features, **encoder_args)
        self.embedding_dim = int(self.encoder.embedding_dim)
        self.logit_scale = float(cfg.get("logit_scale", 30.0))
        self.prototypes = nn.Parameter(torch.empty(num_speaker, self.embedding_dim))
        nn.init.xavier_uniform_(self.prototypes)

    @property
    def num_speaker(self) -> int:
        """Rows in the classifier = speakers known to the model."""
        return int(self.prototypes.shape[0])

    def embed(self, audio: torch.Tensor) -> torch.Tensor:
        """Unnormalised embedding of ``audio`` ``[batch, samples]``."""
        return self.encoder(self.frontend(audio))

    def cosine(self, embedding: torch.Tensor) -> torch.Tensor:
        """Cosine similarity of (any) embeddings to every prototype ``[batch, num_speaker]``."""
        return nn.functional.normalize(embedding, dim=1) @ nn.functional.normalize(self.prototypes, dim=1).t()

    def forward(self, audio: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        raw = self.embed(audio)
        embedding = nn.functional.normalize(raw, dim=1)
        logits = self.logit_scale * (embedding @ nn.functional.normalize(self.prototypes, dim=1).t())
        return embedding, logits

    @torch.no_grad()
    def grow(self, new_rows: torch.Tensor | int) -> None:
        """Append speakers to the classifier; existing rows (ids) are kept unchanged.

        ``new_rows`` is either a count (random init) or a ``[n, dim]`` tensor (e.g. mean embeddings).
        """
        if isinstance(new_rows, int):
            rows = torch.empty(new_rows, self.embedding_dim)
            nn.init.xavier_uniform_(rows)
        else:
            rows = new_rows.detach().to(self.prototypes.dtype).reshape(-1, self.embedding_dim)
        self.prototypes = nn.Parameter(torch.cat([self.prototypes.data, rows.to(self.prototypes.device)], dim=0))


def build_model(model_config: Mapping[str, Any], num_speaker: int) -> SpeakerModel:
    """Construct a :class:`SpeakerModel` from the ``model`` config group (a plain mapping)."""
    return SpeakerModel(model_config, num_speaker)


def speaker_model(num_speaker: int, **model_config: Any) -> SpeakerModel:
    """The speaker ``model`` group's ``_target_``: ``hydra.utils.instantiate(cfg.model, num_speaker=N)``."""
    return SpeakerModel(model_config, num_speaker)


def count_parameters(model: nn.Module, trainable_only: bool = True) -> int:
    """Trainable (or, with ``trainable_only=False``, all: frozen pretrained parts too) parameter count."""
    return sum(p.numel() for p in model.parameters() if p.requires_grad or not trainable_only)
