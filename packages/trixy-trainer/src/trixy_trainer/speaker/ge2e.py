"""Pretrained GE2E speaker encoder (Resemblyzer's, trained on real speech) rebuilt as our own torch module.

Why: a model trained only on espeak-ng voices learns espeak-ng, not people; an encoder trained on thousands of real
speakers generalises to voices we cannot train on. Resemblyzer 0.1.4 ships its weights (``pretrained.pt``, a plain
state dict) inside its wheel on the package index, so nothing downloads at run time. We rebuild its network (3-layer
LSTM 256 + linear 256 + ReLU on a 40-band power mel, 25 ms / 10 ms) and its mel front end in pure torch, so the
whole thing exports into the ONNX graph and satellites need neither torch nor librosa nor resemblyzer.

The weights are read from the installed wheel located with ``importlib.util.find_spec`` (importing resemblyzer
would pull librosa and webrtcvad), with ``torch.load(weights_only=True)``: never unpickled objects.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import math
from pathlib import Path

import torch
from torch import nn

from trixy_trainer.speaker.errors import SpeakerConfigError

#: Package that ships the weights, and the name recorded in model metadata (``pretrained``).
RESEMBLYZER = "resemblyzer"
RESEMBLYZER_VERSION = "0.1.4"
INSTALL_HINT = f"pip install --no-deps {RESEMBLYZER}=={RESEMBLYZER_VERSION}"
#: Resemblyzer's volume target (dBFS) before the mel spectrogram.
TARGET_DBFS = -30.0


def _hz_to_mel_slaney(hz: torch.Tensor) -> torch.Tensor:
    f_sp = 200.0 / 3
    min_log_hz, min_log_mel, logstep = 1000.0, 1000.0 / f_sp, math.log(6.4) / 27.0
    linear = hz / f_sp
    return torch.where(hz >= min_log_hz, min_log_mel + torch.log(hz.clamp(min=1e-10) / min_log_hz) / logstep, linear)


def _mel_to_hz_slaney(mel: torch.Tensor) -> torch.Tensor:
    f_sp = 200.0 / 3
    min_log_hz, min_log_mel, logstep = 1000.0, 1000.0 / f_sp, math.log(6.4) / 27.0
    return torch.where(mel >= min_log_mel, min_log_hz * torch.exp(logstep * (mel - min_log_mel)), f_sp * mel)


def slaney_mel_filterbank(n_fft: int, n_mels: int, sample_rate: int, f_min: float = 0.0, f_max: float | None = None) -> torch.Tensor:
    """Slaney-scale, area-normalised mel filterbank ``[n_mels, n_fft // 2 + 1]`` (librosa's ``filters.mel`` default)."""
    f_max = sample_rate / 2 if f_max is None else f_max
    fft_freqs = torch.linspace(0, sample_rate / 2, n_fft // 2 + 1, dtype=torch.float64)
    lo, hi = _hz_to_mel_slaney(torch.tensor(f_min, dtype=torch.float64)), _hz_to_mel_slaney(torch.tensor(f_max, dtype=torch.float64))
    mel_f = _mel_to_hz_slaney(torch.linspace(float(lo), float(hi), n_mels + 2, dtype=torch.float64))
    fdiff = mel_f[1:] - mel_f[:-1]
    ramps = mel_f[:, None] - fft_freqs[None, :]
    lower = -ramps[:-2] / fdiff[:-1, None]
    upper = ramps[2:] / fdiff[1:, None]
    weights = torch.clamp(torch.minimum(lower, upper), min=0.0)
    enorm = 2.0 / (mel_f[2 : n_mels + 2] - mel_f[:n_mels])
    return (weights * enorm[:, None]).to(torch.float32)


def dft_kernels(n_fft: int) -> torch.Tensor:
    """Periodic-Hann-windowed DFT basis ``[2 * (n_fft // 2 + 1), 1, n_fft]`` (cos rows, then -sin rows).

    A convolution with these is an STFT that both ONNX exporters handle (the LSTM needs the TorchScript exporter,
    which has no complex STFT).
    """
    n = torch.arange(n_fft, dtype=torch.float64)
    k = torch.arange(n_fft // 2 + 1, dtype=torch.float64)[:, None]
    window = torch.hann_window(n_fft, periodic=True, dtype=torch.float64)
    angle = 2 * math.pi * k * n / n_fft
    basis = torch.cat([torch.cos(angle), -torch.sin(angle)]) * window
    return basis.unsqueeze(1).to(torch.float32)


class Ge2eMel(nn.Module):
    """``audio [batch, samples]`` -> power mel ``[batch, 40, frames]`` as Resemblyzer computes it (not a log-mel).

    Centred frames (zero padding of half a window, ``frames = 1 + samples // hop``), periodic Hann window, power 2,
    Slaney mel. The input is first brought up to -30 dBFS RMS when quieter (``volume_norm=increase_only``, as
    Resemblyzer does) or always (``volume_norm=always``: louder input is turned down too).
    """

    def __init__(self, sample_rate: int = 16000, n_mels: int = 40, win_ms: float = 25.0, hop_ms: float = 10.0,
                 volume_norm: str = "increase_only") -> None:
        super().__init__()
        if volume_norm not in ("increase_only", "always", "none"):
            raise SpeakerConfigError(f"ge2e volume_norm must be increase_only, always or none, got {volume_norm!r}")
        self.n_fft = int(round(sample_rate * win_ms / 1000))
        self.hop = int(round(sample_rate * hop_ms / 1000))
        self.n_mels = n_mels
        self.volume_norm = volume_norm
        self.register_buffer("dft", dft_kernels(self.n_fft), persistent=False)
        self.register_buffer("filterbank", slaney_mel_filterbank(self.n_fft, n_mels, sample_rate), persistent=False)

    @property
    def min_samples(self) -> int:
        """Shortest input that yields one frame (centred frames: any length does; keep one window for sanity)."""
        return self.n_fft

    def forward(self, audio: torch.Tensor) -> torch.Tensor:
        if self.volume_norm != "none":
            rms = torch.sqrt(torch.mean(audio * audio, dim=1, keepdim=True)).clamp(min=1e-8)
            gain = (10 ** (TARGET_DBFS / 20)) / rms
            if self.volume_norm == "increase_only":
                gain = gain.clamp(min=1.0)
            audio = audio * gain
        half = self.n_fft // 2
        padded = nn.functional.pad(audio, (half, half)).unsqueeze(1)
        # the STFT as a strided convolution with windowed DFT kernels: real and imaginary parts stacked
        spec = nn.functional.conv1d(padded, self.dft, stride=self.hop)  # [batch, 2 * n_freqs, frames]
        bins = self.n_fft // 2 + 1
        power = spec[:, :bins].pow(2) + spec[:, bins:].pow(2)
        return torch.matmul(self.filterbank, power)


class Ge2eEncoder(nn.Module):
    """GE2E speaker encoder: LSTM over mel frames, last layer's final hidden state -> linear -> ReLU.

    Input ``[batch, n_features, frames]`` (the :class:`Ge2eMel` output); returns the unnormalised embedding
    ``[batch, embedding_dim]`` (the :class:`SpeakerModel` normalises it). Resemblyzer embeds 1.6 s partials and
    averages them; the satellite does the same with the ``embedding_window_s`` metadata key.
    """

    def __init__(self, n_features: int = 40, hidden: int = 256, layers: int = 3, embedding_dim: int = 256,
                 pretrained: str | None = RESEMBLYZER) -> None:
        super().__init__()
        self.lstm = nn.LSTM(n_features, hidden, layers, batch_first=True)
        self.linear = nn.Linear(hidden, embedding_dim)
        self.embedding_dim = embedding_dim
        self.pretrained = pretrained

    def forward(self, features: torch.Tensor) -> torch.Tensor:
        _, (hidden, _) = self.lstm(features.transpose(1, 2))
        return torch.relu(self.linear(hidden[-1]))

    def load_pretrained(self, password: str | None = None) -> str:
        """Load (and freeze) the pretrained weights named by ``pretrained``; returns ``"<package> <version> ..."``
        for the model metadata (``pretrained`` key)."""
        if self.pretrained != RESEMBLYZER:
            raise SpeakerConfigError(f"unknown pretrained GE2E weights {self.pretrained!r}; use {RESEMBLYZER!r}")
        state = load_resemblyzer_state()
        self.load_state_dict({k: v for k, v in state.items() if k.startswith(("lstm.", "linear."))})
        self.requires_grad_(False)
        return f"{RESEMBLYZER} {importlib.metadata.version(RESEMBLYZER)} (GE2E encoder, pretrained.pt, real speech)"


def resemblyzer_weights_path() -> Path:
    """``pretrained.pt`` inside the installed resemblyzer wheel, found without importing the package."""
    spec = importlib.util.find_spec(RESEMBLYZER)
    if spec is None or not spec.submodule_search_locations:
        raise SpeakerConfigError(
            f"the GE2E encoder's pretrained weights ship in the {RESEMBLYZER} wheel, which is not installed: {INSTALL_HINT}"
        )
    path = Path(next(iter(spec.submodule_search_locations))) / "pretrained.pt"
    if not path.is_file():
        raise SpeakerConfigError(f"{path} is missing: reinstall with {INSTALL_HINT}")
    return path


def load_resemblyzer_state(path: str | Path | None = None) -> dict[str, torch.Tensor]:
    """The GE2E weights as a plain tensor dict (``torch.load(weights_only=True)``: no arbitrary unpickling)."""
    path = Path(path) if path else resemblyzer_weights_path()
    try:
        checkpoint = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:  # torch raises UnpicklingError/RuntimeError for corrupt or unsafe files
        raise SpeakerConfigError(f"{path}: not a readable weights file ({exc}); reinstall with {INSTALL_HINT}") from exc
    state = checkpoint.get("model_state", checkpoint) if isinstance(checkpoint, dict) else None
    if not isinstance(state, dict) or "linear.weight" not in state:
        raise SpeakerConfigError(f"{path}: no GE2E state dict (lstm.*, linear.*) inside; reinstall with {INSTALL_HINT}")
    return state
