"""openWakeWord's speech embedding (trained by Google on real speech) rebuilt as torch modules.

The ``pyopen-wakeword`` wheel on the package index ships two TFLite graphs: a mel spectrogram (512-point STFT as a
convolution, 32 mel bands, dB) and a 20-layer convolutional embedding (76 mel frames -> 96 values). Both are rebuilt
here from their stored weights, so a Trixy wake-word model carries them inside its own ONNX graph and a satellite runs
it with onnxruntime alone. The embedding is convolutional in time with a total stride of 8 frames (80 ms): run on a
longer mel sequence it returns exactly the sliding-window embeddings openWakeWord computes one by one.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from trixy_trainer.errors import TrainerError
from trixy_trainer.pretrained.tflite_reader import TfliteGraph, read_tflite

PACKAGE = "pyopen-wakeword"
MODULE = "pyopen_wakeword"
TECHNOLOGY = "oww-embedding"
SAMPLE_RATE = 16000
N_FFT = 512
HOP = 160
N_MELS = 32
WINDOW_FRAMES = 76  # mel frames per embedding (~775 ms)
STEP_FRAMES = 8  # embedding step (80 ms)
EMBEDDING_DIM = 96


def package_version() -> str:
    """Installed version of the package that ships the weights (recorded in model metadata)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(PACKAGE)
    except PackageNotFoundError:
        return "unknown"


def model_dir() -> Path:
    """Folder of the installed ``pyopen_wakeword`` models, found without importing the package."""
    spec = importlib.util.find_spec(MODULE)
    if spec is None or not spec.submodule_search_locations:
        raise TrainerError(
            f"the speech-embedding front end needs the '{PACKAGE}' package for its pretrained weights: "
            f"pip install 'trixy-trainer[pretrained]' (or pip install {PACKAGE})"
        )
    folder = Path(next(iter(spec.submodule_search_locations))) / "models"
    for name in ("melspectrogram.tflite", "embedding_model.tflite"):
        if not (folder / name).is_file():
            raise TrainerError(f"{folder / name}: missing from the installed {PACKAGE}; reinstall it")
    return folder


class SpeechMel(nn.Module):
    """``audio [batch, samples]`` in [-1, 1] -> mel ``[batch, frames, 32]`` scaled as the embedding expects.

    Frame ``t`` covers samples ``160 t .. 160 t + 512`` (no padding). openWakeWord's extra floor at 80 dB below the
    loudest value of each 8-frame block is left out: it only acts on blocks spanning more than 80 dB.
    """

    def __init__(self, basis: torch.Tensor, filterbank: torch.Tensor) -> None:
        super().__init__()
        self.register_buffer("basis", basis)  # [2 * 257, 1, 512]: real rows, then imaginary rows
        self.register_buffer("filterbank", filterbank)  # [257, 32]
        self.n_bins = filterbank.shape[0]

    def forward(self, audio: torch.Tensor) -> torch.Tensor:
        spectrum = F.conv1d(audio.unsqueeze(1) * 32768.0, self.basis, stride=HOP)  # [B, 514, T]
        real, imag = spectrum[:, : self.n_bins], spectrum[:, self.n_bins :]
        power = (real * real + imag * imag).transpose(1, 2)  # [B, T, 257]
        mel = torch.matmul(power, self.filterbank).clamp_min(1e-10)
        return torch.log10(mel) + 2.0  # 10 log10(mel) / 10 + 2


def frames_for(samples: int) -> int:
    """Mel frames in ``samples`` of audio."""
    return (samples - N_FFT) // HOP + 1


def samples_for_embeddings(count: int) -> int:
    """Samples needed for ``count`` consecutive embeddings."""
    frames = WINDOW_FRAMES + (count - 1) * STEP_FRAMES
    return N_FFT + (frames - 1) * HOP


class SpeechEmbedding(nn.Module):
    """mel ``[batch, frames, 32]`` -> embeddings ``[batch, (frames - 76) // 8 + 1, 96]`` (one per 80 ms)."""

    def __init__(self, layers: nn.ModuleList) -> None:
        super().__init__()
        self.layers = layers

    def forward(self, mel: torch.Tensor) -> torch.Tensor:
        x = mel.unsqueeze(1)  # [B, 1, T, 32]: NCHW with H = time, W = mel band
        for layer in self.layers:
            x = layer(x)
        return x.squeeze(3).transpose(1, 2)  # [B, T', 96]


class _Conv(nn.Module):
    def __init__(self, weight: np.ndarray, bias: np.ndarray, same: bool) -> None:
        super().__init__()
        w = torch.from_numpy(weight.transpose(0, 3, 1, 2).copy())  # OHWI -> OIHW
        self.conv = nn.Conv2d(w.shape[1], w.shape[0], tuple(w.shape[2:]))
        self.conv.weight.data.copy_(w)
        self.conv.bias.data.copy_(torch.from_numpy(bias.copy()))
        kh, kw = w.shape[2:]
        self.pad = (kw // 2, kw // 2, kh // 2, kh // 2) if same else (0, 0, 0, 0)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if any(self.pad):
            x = F.pad(x, self.pad)
        return self.conv(x)


class _LeakyClamp(nn.Module):
    """LeakyReLU followed by ``max(x, floor)`` (the TFLite graph's LEAKY_RELU + MAXIMUM pair)."""

    def __init__(self, alpha: float, floor: float) -> None:
        super().__init__()
        self.alpha, self.floor = alpha, floor

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.clamp_min(F.leaky_relu(x, self.alpha), self.floor)


class _Pool(nn.Module):
    def __init__(self, kernel: tuple[int, int], stride: tuple[int, int]) -> None:
        super().__init__()
        self.kernel, self.stride = kernel, stride

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.max_pool2d(x, self.kernel, self.stride)


class _WidthPad(nn.Module):
    def __init__(self, left: int, right: int) -> None:
        super().__init__()
        self.pad = (left, right, 0, 0)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.pad(x, self.pad)


def _embedding_layers(graph: TfliteGraph) -> nn.ModuleList:
    layers: list[nn.Module] = []
    ops = graph.ops
    i = 0
    while i < len(ops):
        op = ops[i]
        if op.name == "PAD":
            pads = graph.constant(op.inputs[1]).reshape(4, 2)
            if pads[0].any() or pads[1].any() or pads[3].any():
                raise TrainerError("speech embedding: unexpected padding outside the mel axis")
            layers.append(_WidthPad(int(pads[2, 0]), int(pads[2, 1])))
        elif op.name == "CONV_2D":
            if op.options.get("stride_h", 1) != 1 or op.options.get("stride_w", 1) != 1 or op.options.get("activation"):
                raise TrainerError("speech embedding: unexpected convolution options")
            layers.append(_Conv(graph.constant(op.inputs[1]), graph.constant(op.inputs[2]), same=op.options["padding"] == 0))
        elif op.name == "LEAKY_RELU":
            nxt = ops[i + 1] if i + 1 < len(ops) else None
            if nxt is None or nxt.name != "MAXIMUM":
                raise TrainerError("speech embedding: LEAKY_RELU not followed by MAXIMUM")
            floor = float(graph.constant(nxt.inputs[1]).reshape(()))
            layers.append(_LeakyClamp(float(op.options["alpha"]), floor))
            i += 1
        elif op.name == "MAX_POOL_2D":
            same_needs_no_pad = op.options["filter_h"] == op.options["stride_h"] and op.options["filter_w"] == op.options["stride_w"]
            if op.options["padding"] != 1 and not same_needs_no_pad:  # SAME with kernel == stride pads nothing here
                raise TrainerError("speech embedding: only unpadded pooling is expected")
            layers.append(
                _Pool((int(op.options["filter_h"]), int(op.options["filter_w"])), (int(op.options["stride_h"]), int(op.options["stride_w"])))
            )
        else:
            raise TrainerError(f"speech embedding: unsupported TFLite operator {op.name}")
        i += 1
    return nn.ModuleList(layers)


def _mel_weights(graph: TfliteGraph) -> tuple[torch.Tensor, torch.Tensor]:
    convs = [op for op in graph.ops if op.name == "CONV_2D"]
    matmul = next(op for op in graph.ops if op.name == "BATCH_MATMUL")
    if len(convs) != 2 or any(op.options["stride_w"] != HOP for op in convs):
        raise TrainerError("mel spectrogram: expected two STFT convolutions with a 160-sample shift")
    # the graph squares the second convolution's output first; both are summed, so the order does not matter
    kernels = [graph.constant(op.inputs[1]).reshape(-1, N_FFT) for op in convs]  # [257, 512] each
    basis = torch.from_numpy(np.concatenate(kernels, axis=0)[:, None, :].astype(np.float32))
    filterbank = torch.from_numpy(graph.constant(matmul.inputs[1]).astype(np.float32).copy())
    return basis, filterbank


def load_speech_frontend(folder: str | Path | None = None) -> tuple[SpeechMel, SpeechEmbedding]:
    """The frozen mel + embedding modules, built from the installed package's TFLite weights."""
    folder = Path(folder) if folder is not None else model_dir()
    mel = SpeechMel(*_mel_weights(read_tflite(folder / "melspectrogram.tflite")))
    embedding = SpeechEmbedding(_embedding_layers(read_tflite(folder / "embedding_model.tflite")))
    for module in (mel, embedding):
        module.eval()
        for p in module.parameters():
            p.requires_grad_(False)
    return mel, embedding
