"""One tiny real training run on CPU: Hydra overrides, progress, export to ONNX/.pth/.pt, ONNX == torch, stop/resume."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import onnxruntime as ort
import pytest
import torch
from torch.package import PackageImporter

from trixy_core.modelfiles import WAKEWORD_REQUIRED_KEYS, read_metadata, read_pt, read_pth
from trixy_trainer.cli import main as cli_main
from trixy_trainer.config import load_config
from trixy_trainer.features.logmel import FeatureSettings
from trixy_trainer.progress import EpochReport, TrainingControl
from trixy_trainer.wakeword.module import build_wakeword_net
from trixy_trainer.wakeword.train import train_wakeword

CONFIG_DIR = Path(__file__).resolve().parents[4] / "config" / "trainer"


def _overrides(chunked: Path, tmp: Path, *extra: str) -> list[str]:
    return [
        "data=wakeword",
        "model=repcnn",
        f"data.chunked_dir={chunked}",
        "data.batch_size=8",
        "data.num_workers=0",
        "data.samples_per_epoch=16",
        f"run_dir={tmp / 'run'}",
        f"output_dir={tmp / 'out'}",
        "trainer.accelerator=cpu",
        "trainer.devices=1",
        "evaluation.split=train",
        "evaluation.max_positives=4",
        "export.password=test-pw",
        *extra,
    ]


def test_command_line_overrides_win_over_config_files() -> None:
    cfg = load_config("wakeword", ["data=wakeword", "model=tcresnet", "trainer.max_epochs=3", "data.batch_size=5"], CONFIG_DIR)
    assert cfg.model.architecture == "tcresnet" and cfg.trainer.max_epochs == 3 and cfg.data.batch_size == 5
    default = load_config("wakeword", [], CONFIG_DIR)
    assert default.model.architecture == "speech_embedding" and default.data.batch_size == 512


def test_train_one_epoch_exports_models_that_match_torch(tiny_chunked: Path, tmp_path: Path) -> None:
    reports: list[EpochReport] = []
    cfg = load_config("wakeword", _overrides(tiny_chunked, tmp_path, "trainer.max_epochs=1", "export.formats=[onnx,pth,pt]"), CONFIG_DIR)
    result = train_wakeword(cfg, progress=reports.append)
    assert [r.epoch for r in reports] == [1] and reports[0].max_epochs == 1 and reports[0].loss > 0
    assert reports[0].eta_s == 0 and reports[0].epoch_s > 0
    assert {"onnx", "stream_onnx", "pth", "pt"} <= set(result.files)
    assert (tmp_path / "run" / "det_curve.png").stat().st_size > 1000

    meta = read_metadata(result.files["onnx"], required=WAKEWORD_REQUIRED_KEYS)
    assert meta["classes"] == ["trixy", "system_command", "none"] and meta["technology"] == "repcnn"
    assert meta["architecture"]["name"] == "repcnn" and 0 < meta["threshold"] <= 1
    for key in ("training_date", "author", "description", "results", "computer_name", "duration_s", "epochs", "features", "trixy_version"):
        assert key in meta
    assert read_metadata(result.files["pt"], required=WAKEWORD_REQUIRED_KEYS)["chunk_samples"] == meta["chunk_samples"]

    pth_meta, state = read_pth(result.files["pth"], "test-pw", WAKEWORD_REQUIRED_KEYS)
    net = build_wakeword_net(
        {"architecture": pth_meta["architecture"]["name"], "params": pth_meta["architecture"]["params"]},
        3,
        FeatureSettings(**pth_meta["features"]),
    )
    net.load_state_dict(state)
    net.eval()
    audio = (np.random.default_rng(1).normal(size=(3, meta["chunk_samples"])) * 0.1).astype(np.float32)
    session = ort.InferenceSession(str(result.files["onnx"]), providers=["CPUExecutionProvider"])
    assert [i.name for i in session.get_inputs()] == ["audio"]
    assert [o.name for o in session.get_outputs()] == ["probabilities"]
    onnx_probs = session.run(None, {"audio": audio})[0]
    with torch.no_grad():
        torch_probs = torch.softmax(net(torch.from_numpy(audio)), dim=-1).numpy()
    assert onnx_probs.shape == (3, 3)
    assert np.allclose(onnx_probs, torch_probs, atol=1e-4)
    assert np.allclose(onnx_probs.sum(axis=1), 1.0, atol=1e-5)
    # the .pt (torch.package, reparameterised) loads on its own and gives the same probabilities
    pt_meta, packaged = read_pt(result.files["pt"], WAKEWORD_REQUIRED_KEYS)
    assert pt_meta["reparameterized"] is True and pt_meta["classes"] == meta["classes"]
    with torch.no_grad():
        pt_probs = torch.softmax(packaged.eval()(torch.from_numpy(audio)), dim=-1).numpy()
    assert np.allclose(pt_probs, torch_probs, atol=1e-4)
    assert not [m for m in PackageImporter(str(result.files["pt"])).extern_modules if m.startswith("trixy")]
    # the mel filterbank is computed by the graph from its band edges, not stored as a 40 x 201 weight
    import onnx

    graph = onnx.load(str(result.files["onnx"])).graph
    assert all(np.prod(i.dims) < 40 * 201 for i in graph.initializer)
    assert {"Range", "Min", "Max"} <= {n.op_type for n in graph.node}
    assert set(meta["class_thresholds"]) == {"trixy", "system_command"}


def test_evaluate_on_own_negative_audio_writes_thresholds_into_the_model(tiny_chunked: Path, tmp_path: Path, capsys, monkeypatch) -> None:
    import soundfile as sf

    cfg = load_config("wakeword", _overrides(tiny_chunked, tmp_path, "trainer.max_epochs=1", "export.formats=[onnx,pth]"), CONFIG_DIR)
    files = train_wakeword(cfg).files
    rng = np.random.default_rng(4)
    negatives = tmp_path / "negatives"
    negatives.mkdir()
    for k in range(2):  # a folder of WAVs is one stream: 2 x 90 s of noise
        sf.write(negatives / f"n{k}.wav", (rng.normal(0, 0.05, 16000 * 90)).astype(np.float32), 16000)
    monkeypatch.setenv("TRIXY_TRAINER_CONFIG_DIR", str(CONFIG_DIR))
    args = _overrides(tiny_chunked, tmp_path, f"evaluation.model={files['pth']}", f"evaluation.negative_audio={negatives}", "evaluation.update_model=true")
    assert cli_main(["evaluate", "--quiet", *args]) == 0
    printed = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert printed["negative_hours"] == pytest.approx(180 / 3600, abs=1e-3)
    for path in (files["onnx"], files["stream_onnx"]):
        meta = read_metadata(path, required=WAKEWORD_REQUIRED_KEYS)
        assert meta["threshold"] == printed["threshold"] and meta["class_thresholds"] == printed["class_thresholds"]
        assert meta["results"]["negative_hours"] == printed["negative_hours"]
    pth_meta, _ = read_pth(files["pth"], "test-pw", WAKEWORD_REQUIRED_KEYS)
    assert pth_meta["class_thresholds"] == printed["class_thresholds"]
    assert cli_main(["evaluate", "--quiet", *args[:-2], f"evaluation.negative_audio={tmp_path / 'none.wav'}"]) == 2


def test_stop_then_resume_from_checkpoint_and_finetune(tiny_chunked: Path, tmp_path: Path) -> None:
    control = TrainingControl()
    seen: list[int] = []

    def on_progress(report: EpochReport) -> None:
        seen.append(report.epoch)
        control.stop()

    cfg = load_config("wakeword", _overrides(tiny_chunked, tmp_path, "trainer.max_epochs=3", "export.formats=[pth]"), CONFIG_DIR)
    first = train_wakeword(cfg, progress=on_progress, control=control)
    assert first.stopped and seen == [1]
    assert first.checkpoint is not None and first.checkpoint.is_file()

    resumed: list[int] = []
    cfg = load_config("wakeword", _overrides(tiny_chunked, tmp_path, "trainer.max_epochs=2", "resume=last", "export.formats=[pth]"), CONFIG_DIR)
    train_wakeword(cfg, progress=lambda r: resumed.append(r.epoch))
    assert resumed == [2]  # continued after the stopped epoch instead of starting over

    pth = tmp_path / "out" / "trixy.pth"
    tuned_dir = tmp_path / "tuned"
    cfg = load_config(
        "wakeword",
        _overrides(tiny_chunked, tmp_path, "trainer.max_epochs=1", f"finetune_from={pth}", f"output_dir={tuned_dir}", "run_dir=" + str(tmp_path / "run2"), "export.formats=[pth]"),
        CONFIG_DIR,
    )
    assert train_wakeword(cfg).files["pth"].is_file()
    with pytest.raises(Exception, match="classes"):
        bad = load_config("wakeword", _overrides(tiny_chunked, tmp_path, f"finetune_from={pth}", "classes=[a,b,c,d]"), CONFIG_DIR)
        train_wakeword(bad)


def test_cli_prepare_reports_json(tiny_raw: Path, tmp_path: Path, capsys, monkeypatch) -> None:
    monkeypatch.setenv("TRIXY_TRAINER_CONFIG_DIR", str(CONFIG_DIR))
    code = cli_main(["prepare", "--quiet", f"data.raw_dir={tiny_raw}", f"data.chunked_dir={tmp_path / 'c'}", "data.test_voices=[en-029]"])
    assert code == 0
    report = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert report["chunk_samples"] > 16000 and report["processed"] > 0
    assert cli_main(["prepare", "--quiet", f"data.raw_dir={tmp_path / 'missing'}"]) == 2
