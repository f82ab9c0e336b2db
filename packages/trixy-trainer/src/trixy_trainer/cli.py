"""``trixy-train``: synth | prepare | wakeword | export | evaluate | speaker ..., each taking Hydra overrides.

Example: ``trixy-train wakeword model=repcnn trainer.max_epochs=30 data.batch_size=64``. Both trainers share one
flag set (`trixy_trainer.console`): --quiet, -v, --config-dir, --cfg job.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from trixy_trainer.console import Bar, add_common_flags, config_yaml, configure
from trixy_trainer.errors import TrainerError

logger = logging.getLogger("trixy_trainer")

COMMANDS = {
    "synth": "generate the synthetic espeak-ng starter corpus (config/trainer/synth.yaml)",
    "prepare": "cut raw wake-word WAVs into constant-length chunks and train/val/test splits",
    "wakeword": "train (then evaluate and export) a wake-word model",
    "export": "export a checkpoint (export.checkpoint=..., default: last) to .onnx/.pth/.pt; a speech-embedding .pth is re-exported with the installed front end",
    "evaluate": "evaluate a .pth model (evaluation.model=...) on the test split; prints JSON",
    "speaker": "the speaker trainer: trixy-train speaker {synth,prepare,train,enroll,export,evaluate} (--help)",
}

OPTIONS = argparse.Namespace(quiet=False, config_dir=None)
"""The parsed common flags, for the handlers (progress bars, --config-dir)."""


def _out(text: str) -> None:
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def cmd_synth(overrides: Sequence[str]) -> int:
    from trixy_trainer.config import load_config, to_container
    from trixy_trainer.data.synth import SynthConfig, synthesize_corpus

    cfg = to_container(load_config("synth", overrides, OPTIONS.config_dir))
    workers = int(cfg.pop("workers", 2))
    bar = Bar("synth", "file", quiet=OPTIONS.quiet)
    try:
        counts = synthesize_corpus(SynthConfig(out_dir=Path(cfg.pop("out_dir")), **cfg), workers=workers,
                                   progress=lambda folder, i, n: bar.files(i, n, folder))
    finally:
        bar.close()
    _out(json.dumps({"written": counts}))
    return 0


def prepare_from_config(cfg, progress=None) -> object:
    """Run preparation with the ``data`` group of a composed wake-word config."""
    from trixy_trainer.data.prepare import PrepareConfig, prepare_wakeword_data

    d = cfg.data
    return prepare_wakeword_data(
        PrepareConfig(
            raw_dir=Path(d.raw_dir),
            chunked_dir=Path(d.chunked_dir),
            sample_rate=int(d.sample_rate),
            chunk_seconds=d.chunk_seconds,
            margin_seconds=float(d.margin_seconds),
            max_chunk_seconds=float(d.max_chunk_seconds),
            val_fraction=float(d.val_fraction),
            test_fraction=float(d.test_fraction),
            test_voices=list(d.test_voices or []),
            max_windows_per_file=int(d.max_windows_per_file),
        ),
        progress=progress or (lambda i, n: logger.info("prepare %d/%d", i, n)),
    )


def cnn_recipe(overrides: Sequence[str]) -> list[str]:
    """``prepare``/``export``/``evaluate`` belong to the all-trained CNN recipe (chunked WAVs): its data and model
    groups unless the command line names others."""
    named = {o.split("=", 1)[0].lstrip("+~") for o in overrides}
    return [*(["data=wakeword"] if "data" not in named else []), *(["model=repcnn"] if "model" not in named else []), *overrides]


def cmd_prepare(overrides: Sequence[str]) -> int:
    from dataclasses import asdict

    from trixy_trainer.wakeword.train import wakeword_config

    bar = Bar("prepare", "file", quiet=OPTIONS.quiet)
    try:
        report = prepare_from_config(wakeword_config(cnn_recipe(overrides), OPTIONS.config_dir), progress=bar.files)
    finally:
        bar.close()
    _out(json.dumps({k: v for k, v in asdict(report).items() if k != "bad_files"} | {"bad_files": len(report.bad_files)}))
    return 0


def cmd_wakeword(overrides: Sequence[str]) -> int:
    from trixy_trainer.wakeword.train import train_wakeword, wakeword_config

    bar = Bar("wakeword", "epoch", quiet=OPTIONS.quiet)

    def show(p) -> None:
        bar.epoch(p)
        logger.debug("epoch %d/%d loss %.4f acc %.3f val_acc %s (%.1f s/epoch, ETA %.0f s)", p.epoch, p.max_epochs,
                     p.loss, p.accuracy, p.val_accuracy, p.epoch_s, p.eta_s)

    cfg = wakeword_config(overrides, OPTIONS.config_dir)
    try:
        result = train_wakeword(cfg, progress=show)
    finally:
        bar.close()
    _plot_run(cfg)
    _out(json.dumps({"files": {k: str(v) for k, v in result.files.items()}, "results": result.evaluation}, default=str))
    return 0


def cmd_export(overrides: Sequence[str]) -> int:
    from omegaconf import OmegaConf

    from trixy_trainer.data.prepare import read_manifest
    from trixy_trainer.wakeword.train import (
        build_module,
        checkpoint_model_cfg,
        finish_wakeword,
        load_checkpoint_weights,
        wakeword_config,
    )

    cfg = wakeword_config(cnn_recipe(overrides), OPTIONS.config_dir)
    ckpt = Path(cfg.export.checkpoint or Path(cfg.run_dir) / "checkpoints" / "last.ckpt")
    if not ckpt.is_file():
        raise TrainerError(f"checkpoint {ckpt} not found; train first or pass export.checkpoint=PATH")
    if ckpt.suffix == ".pth":  # a speech-embedding model's heads: new ONNX graphs with the installed front end
        from trixy_trainer.wakeword.embedding_export import reexport_embedding_model

        files = reexport_embedding_model(ckpt, cfg.output_dir, cfg.export.get("password"))
        _out(json.dumps({"files": {k: str(v) for k, v in files.items()}}))
        return 0
    trained = checkpoint_model_cfg(ckpt)
    if trained:  # the network the checkpoint holds, whatever model group the command line names
        cfg.model.architecture, cfg.model.params = trained["architecture"], OmegaConf.create(trained.get("params") or {})
    module = build_module(cfg)
    epochs = load_checkpoint_weights(module, ckpt)
    chunk = int(read_manifest(cfg.data.chunked_dir)["chunk_samples"])
    files, _, evaluation = finish_wakeword(cfg, module, chunk, epochs, 0.0)
    _out(json.dumps({"files": {k: str(v) for k, v in files.items()}, "results": evaluation}, default=str))
    return 0


def cmd_evaluate(overrides: Sequence[str]) -> int:
    from trixy_core.modelfiles import WAKEWORD_REQUIRED_KEYS, read_pth
    from trixy_trainer.features.logmel import FeatureSettings
    from trixy_trainer.wakeword.evaluate import evaluate_wakeword, load_negative_audio
    from trixy_trainer.wakeword.module import build_wakeword_net
    from trixy_trainer.wakeword.train import wakeword_config

    cfg = wakeword_config(cnn_recipe(overrides), OPTIONS.config_dir)
    path = Path(cfg.evaluation.model or Path(cfg.output_dir) / f"{cfg.name}.pth")
    meta, state = read_pth(path, cfg.export.get("password"), WAKEWORD_REQUIRED_KEYS)
    net = build_wakeword_net(
        {"architecture": meta["architecture"]["name"], "params": meta["architecture"]["params"]},
        len(meta["classes"]),
        FeatureSettings(**meta["features"]),
    )
    net.load_state_dict(state)
    net.reparameterize()  # same outputs, ~3x faster
    ev = cfg.evaluation
    result = evaluate_wakeword(
        net, cfg.data.chunked_dir, int(meta["chunk_samples"]), list(meta["classes"]), split=str(ev.split),
        hop_samples=int(ev.hop_ms) * 16, smoothing_hops=int(ev.smoothing_hops), refractory_s=float(ev.refractory_s),
        target_fa_per_hour=float(ev.target_fa_per_hour), det_png=Path(cfg.run_dir) / "det_curve_eval.png",
        max_positives=int(ev.max_positives),
        negative_audio=load_negative_audio(ev.negative_audio, int(meta["sample_rate"])) if ev.get("negative_audio") else None,
    )
    if ev.get("update_model"):
        _update_thresholds(path, cfg.export.get("password"), meta, state, result)
    _out(json.dumps(result.summary()))
    return 0


def _update_thresholds(pth: Path, password: str | None, meta: dict, state: dict, result) -> None:
    """Write a new evaluation's thresholds and results into ``pth`` and its .onnx/.stream.onnx companions."""
    from trixy_core.modelfiles import WAKEWORD_REQUIRED_KEYS, read_metadata, write_onnx_metadata, write_pth

    update = {"threshold": float(result.threshold), "class_thresholds": dict(result.class_thresholds), "results": result.summary()}
    write_pth(pth, {**meta, **update}, state, password, required=WAKEWORD_REQUIRED_KEYS)
    for onnx_path in (pth.with_suffix(".onnx"), pth.with_name(pth.stem + ".stream.onnx")):
        if onnx_path.is_file():
            onnx_meta = read_metadata(onnx_path, required=WAKEWORD_REQUIRED_KEYS)
            write_onnx_metadata(onnx_path, {**onnx_meta, **update}, WAKEWORD_REQUIRED_KEYS)
    logger.info("wrote thresholds %s (single %.4f) into %s and its ONNX files", result.class_thresholds, result.threshold, pth)


HANDLERS = {"synth": cmd_synth, "prepare": cmd_prepare, "wakeword": cmd_wakeword, "export": cmd_export, "evaluate": cmd_evaluate}


def _plot_run(cfg) -> None:
    """Loss/accuracy curves of the run just finished (see :func:`trixy_trainer.plots.plot_run`)."""
    from trixy_trainer.plots import plot_run

    plot_run(Path(cfg.run_dir))


def build_parser() -> argparse.ArgumentParser:
    """`trixy-train COMMAND [overrides] [flags]`; `speaker` hands the rest to the speaker trainer's parser."""
    parser = argparse.ArgumentParser(prog="trixy-train", description="Trixy trainers (Hydra overrides: key=value ...)")
    parser.add_argument("command", choices=[*sorted(HANDLERS), "speaker"],
                        help="; ".join(f"{k}: {v}" for k, v in COMMANDS.items()))
    parser.add_argument("overrides", nargs="*", help="Hydra overrides, e.g. trainer.max_epochs=30 data.batch_size=64")
    return add_common_flags(parser)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``trixy-train`` script (``trixy-train speaker ...`` goes to the speaker trainer)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["speaker"]:
        from trixy_trainer.speaker.cli import main as speaker_main

        return speaker_main(argv[1:])
    args = build_parser().parse_intermixed_args(argv)
    configure(args)
    OPTIONS.quiet, OPTIONS.config_dir = args.quiet, args.config_dir
    try:
        if args.cfg == "job":
            from trixy_trainer.config import load_config
            from trixy_trainer.wakeword.train import wakeword_config

            name = args.command
            cfg = load_config("synth", args.overrides, args.config_dir) if name == "synth" else wakeword_config(
                args.overrides, args.config_dir)
            _out(config_yaml(cfg).rstrip())
            return 0
        return HANDLERS[args.command](args.overrides)
    except TrainerError as exc:
        logger.error("%s", exc)
        return 2


if __name__ == "__main__":
    sys.exit(main())
