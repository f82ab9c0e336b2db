"""The pretrained GE2E encoder (Resemblyzer's weights in our own module), the pitch code and the ge2e_fusion model:
features equal to the reference implementations, weights loaded safely with clear errors, ONNX export with the
usual contract, and a training run that records its pretrained parts in the metadata."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import numpy as np
import pytest
import torch

from trixy_trainer.config import to_container
from trixy_trainer.speaker import ge2e
from trixy_trainer.speaker.errors import SpeakerConfigError
from trixy_trainer.speaker.export import export_speaker_model
from trixy_trainer.speaker.frontend import SpeakerFrontEnd
from trixy_trainer.speaker.fusion import ConvLogMel
from trixy_trainer.speaker.model import build_model
from trixy_trainer.speaker.pitch import PitchCode
from trixy_trainer.speaker.train import speaker_config

TINY_ECAPA = {"channels": 16, "embedding_dim": 16, "scale": 4, "mfa_channels": 32, "attention_channels": 8, "se_bottleneck": 8}
TINY_ECAPA_OVERRIDES = [f"model.encoder.ecapa.{k}={v}" for k, v in TINY_ECAPA.items()]


def harmonic(f0: float, seconds: float = 1.0, rate: int = 16000) -> torch.Tensor:
    """A voiced-like test tone: 10 harmonics of ``f0`` with falling amplitude."""
    t = torch.arange(int(seconds * rate)) / rate
    return sum(torch.sin(2 * torch.pi * f0 * k * t) / k for k in range(1, 11)) * 0.1


def test_ge2e_mel_equals_librosa_melspectrogram() -> None:
    librosa = pytest.importorskip("librosa")
    wav = (np.random.default_rng(0).normal(size=25680) * 0.05).astype(np.float32)
    ref = librosa.feature.melspectrogram(y=wav, sr=16000, n_fft=400, hop_length=160, n_mels=40)
    got = ge2e.Ge2eMel(volume_norm="none")(torch.from_numpy(wav)[None])[0].numpy()
    assert got.shape == ref.shape == (40, 161)
    assert np.abs(got - ref).max() < 1e-5 * np.abs(ref).max()


def test_volume_normalisation_raises_quiet_input_only_when_asked() -> None:
    quiet = harmonic(150.0)[None] * 0.01
    raised = ge2e.Ge2eMel(volume_norm="increase_only")(quiet)
    plain = ge2e.Ge2eMel(volume_norm="none")(quiet)
    assert raised.sum() > 10 * plain.sum()
    loud = harmonic(150.0)[None] * 5
    assert torch.allclose(ge2e.Ge2eMel(volume_norm="increase_only")(loud), ge2e.Ge2eMel(volume_norm="none")(loud))
    with pytest.raises(SpeakerConfigError, match="volume_norm"):
        ge2e.Ge2eMel(volume_norm="sometimes")


@pytest.mark.skipif(importlib.util.find_spec("resemblyzer") is None, reason="resemblyzer (requirements/bench.txt) not installed")
def test_our_ge2e_module_gives_resemblyzers_embedding() -> None:
    from resemblyzer import VoiceEncoder, wav_to_mel_spectrogram

    wav = (harmonic(120.0, 1.6) + torch.randn(25600) * 0.01).numpy().astype(np.float32)
    reference = VoiceEncoder("cpu", verbose=False)
    with torch.no_grad():
        expected = reference(torch.from_numpy(wav_to_mel_spectrogram(wav)[None])).numpy()[0]
    model = build_model(to_container(speaker_config(["model=ge2e", "model.frontend.volume_norm=none"]).model), 1).eval()
    source = model.encoder.load_pretrained()
    assert source.startswith("resemblyzer 0.1.4")
    with torch.no_grad():
        got = model(torch.from_numpy(wav)[None])[0].numpy()[0]
    # our mel keeps all centred frames (161) where resemblyzer's slice has 160: cosine, not bit equality
    assert float(got @ expected) > 0.999
    assert not any(p.requires_grad for p in model.encoder.parameters())


def test_missing_or_corrupt_weights_say_what_to_install(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ge2e.importlib.util, "find_spec", lambda name: None)
    with pytest.raises(SpeakerConfigError, match=r"pip install --no-deps resemblyzer==0\.1\.4"):
        ge2e.resemblyzer_weights_path()
    bad = tmp_path / "pretrained.pt"
    bad.write_bytes(b"\x80\x04not a checkpoint")
    with pytest.raises(SpeakerConfigError, match="not a readable weights file"):
        ge2e.load_resemblyzer_state(bad)
    torch.save({"model_state": {"something": torch.zeros(1)}}, bad)
    with pytest.raises(SpeakerConfigError, match="no GE2E state dict"):
        ge2e.load_resemblyzer_state(bad)
    with pytest.raises(SpeakerConfigError, match="unknown pretrained"):
        ge2e.Ge2eEncoder(pretrained="somewhere").load_pretrained()


def test_pitch_code_tells_pitches_apart_and_ignores_loudness() -> None:
    code = PitchCode()
    low, near, high = (code(harmonic(f)[None])[0] for f in (110.0, 116.0, 220.0))
    assert float(low @ near) > 0.8 > 0.2 > float(low @ high)
    assert torch.allclose(code(harmonic(110.0)[None] * 0.1)[0], low, atol=1e-4)
    assert float(code(torch.zeros(1, 16000))[0].norm()) == 0.0  # silence: no voiced frame, no pitch evidence
    assert code(torch.zeros(2, 500)).shape == (2, 16)  # shorter than one frame still gives a code


def test_conv_log_mel_equals_the_shared_front_end() -> None:
    x = torch.randn(2, 20000) * 0.1
    assert torch.allclose(ConvLogMel()(x), SpeakerFrontEnd()(x), atol=1e-4)


def test_fusion_model_exports_with_the_usual_onnx_contract(trained, tmp_path: Path) -> None:
    """ECAPA branch read from a trained ECAPA .pth; the ONNX file keeps input audio -> embedding + logits."""
    import onnxruntime

    cfg = to_container(speaker_config(["model=ge2e_fusion", *TINY_ECAPA_OVERRIDES]).model)
    cfg["encoder"]["ecapa_from"] = str(trained.files["pth"])
    cfg["encoder"]["ge2e"]["pretrained"] = None  # random GE2E weights: the contract, not the accuracy
    model = build_model(cfg, 3)
    with pytest.raises(SpeakerConfigError, match="unknown pretrained"):
        model.encoder.load_pretrained("test-password")
    from trixy_core.modelfiles import read_pth

    _, state = read_pth(trained.files["pth"], "test-password")
    model.encoder.ge2e.pretrained = ge2e.RESEMBLYZER
    model.encoder.ge2e.load_pretrained = lambda password=None: "stub"  # type: ignore[method-assign]
    assert "ecapa_tdnn from" in model.encoder.load_pretrained("test-password")
    assert torch.equal(model.encoder.ecapa.embed.weight, state["encoder.embed.weight"])
    model.train()
    assert not model.encoder.ecapa.training  # frozen branch keeps its BatchNorm statistics
    meta = {"sample_rate": 16000, "technology": "ge2e_fusion", "num_speaker": 3, "unknown_threshold": 0.5,
            "model_config": cfg, "speaker001": "a", "speaker002": "b", "speaker003": "c"}
    files = export_speaker_model(model, tmp_path, "fusion", meta, ["onnx", "pth"], "pw")
    session = onnxruntime.InferenceSession(str(files["onnx"]), providers=["CPUExecutionProvider"])
    assert [i.name for i in session.get_inputs()] == ["audio"]
    assert [o.name for o in session.get_outputs()] == ["embedding", "logits"]
    for n in (4000, 30000):
        emb, logits = session.run(None, {"audio": (np.random.default_rng(n).normal(size=(2, n)) * 0.1).astype(np.float32)})
        assert emb.shape == (2, 256 + 16 + 16) and logits.shape == (2, 3)
        assert np.allclose(np.linalg.norm(emb, axis=1), 1.0, atol=1e-4)
    # a fusion .pth can itself be the ECAPA source of the next fusion model
    again = build_model(cfg, 1)
    again.encoder.ecapa_from = str(files["pth"])
    again.encoder.ge2e.load_pretrained = lambda password=None: "stub"  # type: ignore[method-assign]
    again.encoder.load_pretrained("pw")
    assert torch.equal(again.encoder.ecapa.embed.weight, state["encoder.embed.weight"])


@pytest.mark.skipif(importlib.util.find_spec("resemblyzer") is None, reason="resemblyzer (requirements/bench.txt) not installed")
def test_training_a_fusion_model_records_its_pretrained_parts(trained, corpus: Path, prepared: Path, tmp_path: Path, speaker_overrides) -> None:
    from trixy_trainer.speaker.train import train_speakers

    overrides = speaker_overrides(corpus, tmp_path, "model=ge2e_fusion", f"model.encoder.ecapa_from={trained.files['pth']}",
                                  *TINY_ECAPA_OVERRIDES)
    overrides = [o for o in overrides if not o.startswith("model.encoder.") or o.startswith(("model.encoder.ecapa", "model.encoder.ge2e"))]
    result = train_speakers(overrides)
    meta = result.metadata
    assert meta["technology"] == "ge2e_fusion" and meta["pretrained"].startswith("resemblyzer 0.1.4")
    assert meta["embedding_window_s"] == 1.6 and meta["runtime_requires"] == ["onnxruntime>=1.16"]
    assert meta["parameters"] > 1_000_000 > meta["trainable_parameters"]
    from trixy_core.modelfiles import read_pth

    _, state = read_pth(result.files["pth"], "test-password")
    weights = ge2e.load_resemblyzer_state()
    assert torch.equal(state["encoder.ge2e.lstm.weight_hh_l2"], weights["lstm.weight_hh_l2"])  # frozen in training
    import onnxruntime

    props = onnxruntime.InferenceSession(str(result.files["onnx"]), providers=["CPUExecutionProvider"]).get_modelmeta().custom_metadata_map
    assert props["technology"] == "ge2e_fusion" and json.loads(props["runtime_requires"]) == ["onnxruntime>=1.16"]
    # enrolment without training works on a fusion model read back from its .pth (no resemblyzer needed for it)
    from trixy_trainer.speaker.enroll import enroll_speaker, utterance_slices
    from trixy_trainer.speaker.export import load_speaker_pth

    model, meta = load_speaker_pth(result.files["pth"], "test-password")
    wavs = sorted((corpus / "heldout").glob("*/*.wav"))[:2]
    new_meta = enroll_speaker(model, meta, "dana", utterance_slices(wavs, 12000, 16000))
    files = export_speaker_model(model, tmp_path / "enrolled", "tiny", new_meta, ["onnx"], "test-password")
    session = onnxruntime.InferenceSession(str(files["onnx"]), providers=["CPUExecutionProvider"])
    props = session.get_modelmeta().custom_metadata_map
    assert json.loads(props["speaker"])[-1] == "dana" and props["technology"] == "ge2e_fusion"
    (_, logits) = session.run(None, {"audio": utterance_slices(wavs, 12000, 16000)[:1].astype(np.float32)})
    assert logits.shape[1] == int(props["num_speaker"]) == len(json.loads(props["speaker"]))
