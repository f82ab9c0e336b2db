"""``trixy-train speaker {synth,prepare,train,enroll,export,evaluate} [key=value ...]`` (Hydra overrides win).

Examples::

    trixy-train speaker synth synth.speakers=100
    trixy-train speaker prepare data.chunk_samples=25680
    trixy-train speaker train model=titanet_lite loss=ge2e trainer.max_epochs=20
    trixy-train speaker enroll enroll.name=alice 'enroll.files=[a1.wav,a2.wav,a3.wav]'
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

logger = logging.getLogger("trixy_trainer.speaker")

COMMANDS = {
    "synth": "generate N synthetic espeak-ng speakers (raw/) and held-out speakers for evaluation",
    "prepare": "trim, slice to the wake-word chunk length and split raw/<speaker>/*.wav by recording",
    "train": "train (or with finetune_from=<.pth> grow and fine-tune) a speaker model, evaluate, export",
    "enroll": "add a speaker from a few recordings without training (enroll.name=..., enroll.files=[...])",
    "export": "re-export a .pth (export.model=...) to the formats in export.formats",
    "evaluate": "evaluate a .pth (export.model=...) on the test split and calibration speakers; prints JSON "
    "(evaluate.update_model=true stores the re-calibrated unknown_threshold in the model files)",
}


OPTIONS = argparse.Namespace(quiet=False)
"""The parsed common flags, for the handlers' progress bars."""


def _out(text: str) -> None:
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def _model_path(cfg) -> Path:
    return Path(cfg.export.model) if cfg.export.get("model") else Path(cfg.output_dir) / f"{cfg.name}.pth"


def cmd_synth(cfg) -> int:
    from trixy_trainer.speaker.errors import SpeakerConfigError
    from trixy_trainer.speaker.synth import make_speakers, revoice_speakers, synthesize_speakers

    s = cfg.synth
    copies = int(s.get("revoiced_copies") or 0)
    if copies < 0:
        raise SpeakerConfigError(f"synth.revoiced_copies must be 0 or more, got {copies}")
    voices = make_speakers(int(s.speakers), "train", int(s.seed))
    # benchmark and calibration speakers: both from the held-out pool, no (base, variant) pair shared
    bench = make_speakers(int(s.heldout_speakers), "heldout", int(s.seed))
    calib = make_speakers(int(s.calibration_speakers), "heldout", int(s.seed) + 1, prefix="cal", exclude=bench)
    bar = Bar("speakers", "speaker", quiet=OPTIONS.quiet)
    try:
        written = synthesize_speakers(s.out_dir, voices, int(s.utterances), seed=int(s.seed), progress=bar.files)
        total = sum(written.values())
        twins: list[dict] = []
        if copies:
            bar.close()
            bar = Bar("re-voiced twins", "speaker", quiet=OPTIONS.quiet)
            twin_written, twins = revoice_speakers(s.out_dir, [v.name for v in voices], copies, progress=bar.files)
            total += sum(twin_written.values())
        for folder, specs in ((Path(s.heldout_dir), bench), (Path(s.calibration_dir), calib)):
            bar.close()
            bar = Bar(f"speakers ({folder.name})", "speaker", quiet=OPTIONS.quiet)
            total += sum(synthesize_speakers(folder, specs, int(s.heldout_utterances), seed=int(s.seed) + 1,
                                             progress=bar.files).values())
            folder.mkdir(parents=True, exist_ok=True)  # also when no speaker was asked for (heldout_speakers=0)
            (folder / ".gitignore").write_text("# generated evaluation speakers\n*\n")
    finally:
        bar.close()
    for folder, entries in ((Path(s.out_dir), [v.to_dict() for v in voices] + twins),
                            (Path(s.heldout_dir), [v.to_dict() for v in bench]),
                            (Path(s.calibration_dir), [v.to_dict() for v in calib])):
        (folder / "voices.json").write_text(json.dumps(entries, indent=1))
        if folder != Path(s.out_dir):  # the training corpus may hold recordings of people on purpose
            _warn_unlisted_speakers(folder, {str(e["name"]) for e in entries})
    _out(json.dumps({"speakers": len(voices), "revoiced_twins": len(twins), "heldout_speakers": len(bench),
                     "calibration_speakers": len(calib), "files_written": total}))
    return 0


def _warn_unlisted_speakers(folder: Path, listed: set[str]) -> None:
    """Warn about evaluation speaker folders ``synth`` did not make this time: the evaluation would use them too.

    A ``synth`` run with another ``synth.heldout_speakers`` draws other calibration voices and writes them beside the
    earlier ones (60 instead of 30); the folders are left alone (they may be recordings put there on purpose).
    """
    others = sorted(d.name for d in folder.iterdir() if d.is_dir() and d.name not in listed) if folder.is_dir() else []
    if others:
        logger.warning("%s holds %d speaker folder(s) that this synth did not make (%s%s): they are used as well; delete "
                       "them if they came from a synth with other settings", folder, len(others), ", ".join(others[:3]),
                       ", ..." if len(others) > 3 else "")


def cmd_prepare(cfg) -> int:
    from trixy_trainer.speaker.prepare import PrepareConfig, prepare_speakers, resolve_chunk_samples

    d = cfg.data
    chunk = resolve_chunk_samples(d.get("chunk_samples"), d.get("wakeword_model"))
    bar = Bar("prepare", "recording", quiet=OPTIONS.quiet)
    report = prepare_speakers(
        PrepareConfig(
            raw_dir=Path(d.raw_dir),
            out_dir=Path(d.chunked_dir),
            chunk_samples=chunk,
            sample_rate=int(d.sample_rate),
            hop_fraction=float(d.hop_fraction),
            min_speech_fraction=float(d.min_speech_fraction),
            val_fraction=float(d.val_fraction),
            test_fraction=float(d.test_fraction),
        ),
        progress=bar.files,
    )
    bar.close()
    _out(json.dumps({"chunk_samples": chunk, "speakers": len(report.speakers), "recordings": report.recordings,
                     "slices": report.slices, "skipped_unchanged": report.skipped_unchanged, "bad_files": report.bad_files}))
    return 0


def cmd_train(cfg) -> int:
    import signal

    from trixy_trainer.progress import TrainingControl
    from trixy_trainer.speaker.train import train_speakers

    control = TrainingControl()

    def stop(signum: int, frame: object) -> None:  # Ctrl-C / kill: finish the batch, then evaluate and export
        logger.warning("stop requested (signal %d): finishing the current batch, then evaluating and exporting", signum)
        control.stop()

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGINT, signal.SIGTERM)}

    bar = Bar("speaker", "epoch", quiet=OPTIONS.quiet)

    def progress(p) -> None:
        bar.epoch(p)
        logger.debug("epoch %d/%d loss %.4f acc %.3f val_acc %s (%.0f s, eta %.0f s)", p.epoch, p.max_epochs, p.loss,
                     p.accuracy, p.val_accuracy, p.epoch_s, p.eta_s)

    try:
        result = train_speakers(cfg, progress=progress, control=control)
    finally:
        bar.close()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    from trixy_trainer.plots import plot_run

    plot_run(Path(cfg.run_dir))
    _out(json.dumps({"files": {k: str(v) for k, v in result.files.items()}, "evaluation": result.evaluation,
                     "stopped": result.stopped}, default=str))
    return 0


def cmd_enroll(cfg) -> int:
    from trixy_trainer.speaker.enroll import enroll_speaker, utterance_slices
    from trixy_trainer.speaker.errors import EnrolmentError
    from trixy_trainer.speaker.export import export_speaker_model, load_speaker_pth

    e = cfg.enroll
    if not e.get("name") or not e.get("files"):
        raise EnrolmentError("give enroll.name=<speaker> and enroll.files=[a.wav,b.wav,...] (a few recordings)")
    views = e.get("views", True)
    if not isinstance(views, bool):
        raise EnrolmentError(f"enroll.views must be true or false, got {views!r}")
    path = _model_path(cfg)
    model, meta = load_speaker_pth(path, cfg.export.get("password"))
    utterances = utterance_slices(list(e.files), int(meta.get("chunk_samples") or 16000 * 2), int(meta["sample_rate"]))
    new_meta = enroll_speaker(model, meta, str(e.name), utterances, bool(e.get("replace", False)), views)
    files = export_speaker_model(model, path.parent, path.stem, new_meta, list(cfg.export.formats), cfg.export.get("password"))
    _out(json.dumps({"speaker": str(e.name), "id": new_meta["speaker"].index(str(e.name)), "num_speaker": new_meta["num_speaker"],
                     "files": {k: str(v) for k, v in files.items()}}))
    return 0


def cmd_export(cfg) -> int:
    from trixy_trainer.speaker.export import export_speaker_model, load_speaker_pth

    path = _model_path(cfg)
    model, meta = load_speaker_pth(path, cfg.export.get("password"))
    formats = [f for f in cfg.export.formats if f != "pth"] or ["onnx"]
    files = export_speaker_model(model, path.parent, path.stem, meta, formats, cfg.export.get("password"))
    _out(json.dumps({k: str(v) for k, v in files.items()}))
    return 0


def cmd_evaluate(cfg) -> int:
    import numpy as np

    from trixy_trainer.speaker.evaluate import evaluate_model
    from trixy_trainer.speaker.export import load_speaker_pth
    from trixy_trainer.speaker.score_norm import choose_cohort
    from trixy_trainer.speaker.speakers import speakers_from_metadata

    path = _model_path(cfg)
    model, meta = load_speaker_pth(path, cfg.export.get("password"))
    speakers = speakers_from_metadata(meta)
    centres = np.asarray(meta["speaker_embeddings"], dtype=np.float32)
    sources = list(meta.get("speaker_source") or ["trained"] * len(speakers))
    cohort = choose_cohort(cfg.get("score_norm"), sources, centres)
    evaluation = evaluate_model(model, cfg, speakers, centres, cohort)
    if cfg.get("evaluate", {}).get("update_model"):
        # re-calibrate: store the new threshold (in the units of the new score_norm) and figures in every format
        from trixy_trainer.speaker.export import export_speaker_model

        meta = {**meta, "unknown_threshold": evaluation["unknown_threshold"], "results": {**dict(meta.get("results") or {}), **evaluation}}
        meta.pop("score_norm", None)
        if cohort is not None:
            meta["score_norm"] = cohort.to_score_norm().to_metadata()
        formats = [f for f in ("pth", "onnx", "pt") if path.with_suffix(f".{f}").is_file()]
        export_speaker_model(model, path.parent, path.stem, meta, formats, cfg.export.get("password"))
    _out(json.dumps(evaluation, default=str))
    return 0


HANDLERS = {"synth": cmd_synth, "prepare": cmd_prepare, "train": cmd_train, "enroll": cmd_enroll,
            "export": cmd_export, "evaluate": cmd_evaluate}


def build_parser() -> argparse.ArgumentParser:
    """Argument parser for ``trixy-train speaker``."""
    parser = argparse.ArgumentParser(prog="trixy-train speaker", description="Trixy speaker-recognition trainer")
    parser.add_argument("command", choices=sorted(COMMANDS), help="; ".join(f"{k}: {v}" for k, v in COMMANDS.items()))
    parser.add_argument("overrides", nargs="*", help="Hydra overrides key=value (win over config/trainer/speaker)")
    return add_common_flags(parser)  # --config-dir: the folder holding config.yaml (default config/trainer/speaker)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; returns the process exit code (2 for configuration/data errors the user can fix)."""
    args = build_parser().parse_intermixed_args(list(sys.argv[1:] if argv is None else argv))
    configure(args)
    OPTIONS.quiet = args.quiet
    from trixy_core.modelfiles import ModelFileError
    from trixy_trainer.speaker.train import speaker_config

    try:
        cfg = speaker_config(args.overrides, args.config_dir)
        if args.cfg == "job":
            _out(config_yaml(cfg).rstrip())
            return 0
        return HANDLERS[args.command](cfg)
    except (TrainerError, ModelFileError) as exc:
        logger.error("%s", exc)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
