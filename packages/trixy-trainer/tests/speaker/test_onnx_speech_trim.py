"""The speaker ONNX graph cuts its input to the speech: silence around an utterance no longer changes its embedding,
audio without silence is unchanged, the cut equals the satellite's, and adding it twice does nothing."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort
import pytest

from trixy_satellite.speaker.speech_region import speech_bounds
from trixy_trainer.speaker.onnx_speech_trim import MARKER, add_speech_trim

SHIPPED = Path(__file__).resolve().parents[4] / "models" / "voice_recognition" / "default" / "default.onnx"


def embed(session: ort.InferenceSession, audio: np.ndarray) -> np.ndarray:
    return session.run(["embedding"], {"audio": np.atleast_2d(audio).astype(np.float32)})[0]


def voice(seconds: float = 1.5) -> np.ndarray:
    """A voiced, syllable-like signal (harmonics under a 4 Hz envelope) with quiet edges."""
    t = np.arange(int(seconds * 16000)) / 16000
    f0 = 140 + 20 * np.sin(2 * np.pi * 1.5 * t)
    wave = sum(np.sin(2 * np.pi * k * np.cumsum(f0) / 16000) / k for k in range(1, 12))
    return (0.2 * wave * (0.55 + 0.45 * np.sin(2 * np.pi * 4 * t)) * np.hanning(t.size)).astype(np.float32)


@pytest.fixture(scope="module")
def graphs(tmp_path_factory) -> tuple[ort.InferenceSession, ort.InferenceSession]:
    """The shipped graph (which has the cut) and the same graph without it."""
    model = onnx.load(str(SHIPPED))
    assert any(n.name.startswith(MARKER) for n in model.graph.node), "the shipped speaker model must cut to speech"
    plain = tmp_path_factory.mktemp("plain") / "plain.onnx"
    keep = [n for n in model.graph.node if not n.name.startswith(MARKER)]
    for node in keep:
        node.input[:] = ["audio" if name == "audio_speech" else name for name in node.input]
    del model.graph.node[:]
    model.graph.node.extend(keep)
    onnx.save(model, str(plain))
    options = ["CPUExecutionProvider"]
    return ort.InferenceSession(str(SHIPPED), providers=options), ort.InferenceSession(str(plain), providers=options)


def test_silence_around_an_utterance_no_longer_changes_its_embedding(graphs) -> None:
    cut, plain = graphs
    spoken = voice()
    start, end = speech_bounds(spoken)
    spoken = spoken[start:end]
    framed = np.concatenate([np.zeros(8000, np.float32), spoken, np.zeros(12000, np.float32)])
    assert float(embed(cut, framed)[0] @ embed(plain, spoken)[0]) > 0.9999
    assert float(embed(plain, framed)[0] @ embed(plain, spoken)[0]) < 0.99  # what silence did before


def test_audio_without_silence_is_unchanged_and_silence_alone_is_kept(graphs) -> None:
    cut, plain = graphs
    noise = np.random.default_rng(0).normal(0, 0.1, (3, 12321)).astype(np.float32)  # not a multiple of 10 ms
    assert np.allclose(embed(cut, noise), embed(plain, noise), atol=1e-6)
    silence = np.zeros((1, 16000), np.float32)
    assert np.allclose(embed(cut, silence), embed(plain, silence), atol=1e-6)  # nothing to cut to: kept whole


def test_the_graph_cuts_where_the_satellite_does(graphs, tmp_path: Path) -> None:
    cut, _ = graphs
    spoken = voice(1.0)
    for lead, tail in ((0, 0), (4000, 0), (0, 3337), (2345, 6789)):
        framed = np.concatenate([np.zeros(lead, np.float32), spoken, np.zeros(tail, np.float32)])
        start, end = speech_bounds(framed)
        assert np.allclose(embed(cut, framed), embed(cut, framed[start:end]), atol=1e-5), (lead, tail)


def test_adding_it_twice_does_nothing_and_other_inputs_are_refused(tmp_path: Path) -> None:
    copy = tmp_path / "model.onnx"
    shutil.copy(SHIPPED, copy)
    assert add_speech_trim(copy) is False  # the shipped graph has it already
    model = onnx.load(str(copy))
    model.graph.input[0].name = "wave"
    onnx.save(model, str(tmp_path / "other.onnx"))
    with pytest.raises(ValueError, match="'audio'"):
        add_speech_trim(tmp_path / "other.onnx")
