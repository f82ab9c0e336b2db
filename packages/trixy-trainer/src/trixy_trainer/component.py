"""The `trainers` component: the wake-word and speaker trainers as handles the server TUI and the scheduler drive.

Installed through the core's `trixy.components` entry point (`install(application)`), on servers and standalones:
- `application.trainers`: {"wakeword": TrainerHandle, "speaker": TrainerHandle}, each following the "Trainer handle"
  contract of docs/tui.md (start/pause/resume/stop, live progress, history, last run, model file);
- `application.trainer_runner`: `fn(trainer_name, params)` used by schedule actions of type "training"; it returns
  the run's outcome future at once, which the scheduler watches to record a failure that happens in the background.
Every finished epoch (and the end of a run) raises a `training progress` event with
`trixy_core.events.data.TrainingProgress`.
"""

from __future__ import annotations

import concurrent.futures
import logging
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from trixy_core.application_protocol import TrixyApplication
from trixy_core.events.data import TrainingProgress
from trixy_core.events.names import TRAINING_PROGRESS
from trixy_trainer.errors import ConfigError, TrainingFailedError

if TYPE_CHECKING:  # torch and lightning load only when a training starts, not with every server
    from trixy_trainer.control import TrainingControl
    from trixy_trainer.progress import EpochReport

logger = logging.getLogger(__name__)

FULL_MODES = ("server", "standalone")
MODEL_SUFFIXES = (".onnx", ".pth", ".pt")  # .onnx first: its metadata needs no password
PATH_KEYS = ("output_dir", "run_dir", "finetune_from", "resume", "data.raw_dir", "data.chunked_dir",
             "data.calibration_dir", "data.wakeword_model")
PARAM_KEYS = ("batch_size", "min_epochs", "max_epochs", "resume")

Emit = Callable[[str, Any], None]


class TrainerHandle:
    """One trainer (wake word or speaker) run in a background thread, with the state the TUI shows."""

    def __init__(
        self,
        name: str,
        description: str,
        train: Callable[..., Any],
        compose: Callable[[Sequence[str]], Any],
        *,
        root: Path,
        model_dir: Path,
        default_params: Mapping[str, Any],
        batch_setter: Callable[[Any, int], None],
        overrides: Sequence[str] = (),
        emit: Emit | None = None,
    ) -> None:
        self.name = name
        self.description = description
        self.root = Path(root)
        self.model_dir = Path(model_dir)
        self.default_params = dict(default_params)
        self.overrides = list(overrides)
        self.progress: TrainingProgress | None = None
        self.history: list[TrainingProgress] = []
        self.last_run: dict[str, Any] | None = None
        self.plots: list[str] = []
        """PNGs of the last run (training curves, the model folder's DET curve): the TUI's trainer view lists them."""
        self.started_with: dict[str, Any] | None = None
        self.result: Any = None
        self.outcome: concurrent.futures.Future[dict[str, Any]] | None = None
        """The current run's end: `last_run` when it finished or stopped, `TrainingFailedError` when it failed."""
        self._train = train
        self._compose = compose
        self._set_batch = batch_setter
        self._emit = emit
        self._control: TrainingControl | None = None
        self._thread: threading.Thread | None = None
        self._recorded = threading.Event()  # the run's outcome is recorded: it no longer counts as running
        self._lock = threading.Lock()

    # -- state --------------------------------------------------------------------------------------------------

    @property
    def running(self) -> bool:
        """True while a training run's thread is alive and its outcome is not recorded yet (the final `training
        progress` event, raised as the thread ends, already sees the run as over)."""
        return self._thread is not None and self._thread.is_alive() and not self._recorded.is_set()

    @property
    def paused(self) -> bool:
        """True while the running training waits in pause."""
        return self.running and self._control is not None and self._control.paused

    @property
    def model_path(self) -> Path | None:
        """The trained model file in the model folder (.onnx, else .pth, else .pt), or None before the first one."""
        if not self.model_dir.is_dir():
            return None
        for suffix in MODEL_SUFFIXES:
            files = sorted(p for p in self.model_dir.glob(f"*{suffix}") if not p.name.endswith(".stream.onnx"))
            if files:
                return files[0]
        return None

    def model_info(self) -> dict[str, Any]:
        """The model file's metadata (trixy_core.modelfiles.read_metadata); raises with the reason when unreadable."""
        from trixy_core.modelfiles import read_metadata

        path = self.model_path
        if path is None:
            raise ConfigError(f"trainer {self.name}: no model file in {self.model_dir} yet; train one first")
        return read_metadata(path, required=())

    # -- control ------------------------------------------------------------------------------------------------

    def config_overrides(self, params: Mapping[str, Any]) -> list[str]:
        """The Hydra overrides for `params` (after this handle's own overrides, so the form's values win)."""
        unknown = set(params) - set(PARAM_KEYS) - {"overrides"}
        if unknown:
            raise ConfigError(f"trainer {self.name}: unknown parameter(s) {sorted(unknown)}; use {list(PARAM_KEYS)}")
        values = {**self.default_params, **params}
        for key in ("batch_size", "min_epochs", "max_epochs"):
            if not isinstance(values[key], int) or isinstance(values[key], bool) or values[key] < 1:
                raise ConfigError(f"trainer {self.name}: {key} must be a whole number >= 1, got {values[key]!r}")
        if values["min_epochs"] > values["max_epochs"]:
            raise ConfigError(f"trainer {self.name}: min_epochs ({values['min_epochs']}) > max_epochs ({values['max_epochs']})")
        out = [*self.overrides, *list(values.get("overrides") or [])]
        out += [f"trainer.min_epochs={values['min_epochs']}", f"trainer.max_epochs={values['max_epochs']}"]
        if values["resume"]:
            out.append("resume=last")
        return out

    def start(self, params: Mapping[str, Any] | None = None) -> concurrent.futures.Future[dict[str, Any]]:
        """Compose the config now (a bad value raises here) and train in a background thread; returns `outcome`."""
        from trixy_trainer.control import TrainingControl

        params = dict(params or {})
        with self._lock:
            if self.running:
                raise ConfigError(f"trainer {self.name} is already running; stop it first")
            cfg = self._compose(self.config_overrides(params))
            self._set_batch(cfg, int({**self.default_params, **params}["batch_size"]))
            _absolute_paths(cfg, self.root)
            self.model_dir = Path(cfg.output_dir)
            self.started_with = params
            self.history = []
            self.progress = None
            self.result = None
            self._control = TrainingControl()
            self._recorded.clear()
            outcome: concurrent.futures.Future[dict[str, Any]] = concurrent.futures.Future()
            outcome.set_running_or_notify_cancel()
            self.outcome = outcome
            self._thread = threading.Thread(target=self._run, args=(cfg, self._control, outcome),
                                            name=f"trixy-trainer-{self.name}", daemon=True)
            self._thread.start()
        logger.info("training %s started (%s)", self.name, params)
        return outcome

    def pause(self) -> None:
        """Pause the running training after its current batch."""
        if self._control is not None and self.running:
            self._control.pause()

    def resume(self) -> None:
        """Continue a paused training."""
        if self._control is not None:
            self._control.resume()

    def stop(self) -> None:
        """Stop the running training after its current batch (the model is still evaluated and exported)."""
        if self._control is not None:
            self._control.stop()

    def join(self, timeout: float | None = None) -> bool:
        """Wait for the current run to end; True when no run is left."""
        if self._thread is not None:
            self._thread.join(timeout)
        return not self.running

    # -- the run ------------------------------------------------------------------------------------------------

    def _run(self, cfg: Any, control: TrainingControl, outcome: concurrent.futures.Future[dict[str, Any]]) -> None:
        try:
            self._train_and_record(cfg, control)
        finally:
            last = dict(self.last_run or {"status": "failed", "error": "the run ended without a record"})
            if last.get("status") == "failed":
                outcome.set_exception(TrainingFailedError(f"training {self.name} failed: {last.get('error')}"))
            else:
                outcome.set_result(last)

    def _train_and_record(self, cfg: Any, control: TrainingControl) -> None:
        started = time.time()
        status, error = "finished", None
        try:
            self.result = self._train(cfg, progress=self._on_epoch, control=control)
            if control.stopped or getattr(self.result, "stopped", False):
                status = "stopped"
        except Exception as exc:  # a failed run is reported in the view, never raised into the app
            logger.exception("training %s failed", self.name)
            status, error = "failed", f"{type(exc).__name__}: {exc}"
        last = self.progress
        self.plots = self._write_plots(cfg)
        self.last_run = {
            "finished_at": time.time(), "status": status, "epochs": len(self.history),
            "duration_s": time.time() - started, "error": error,
            "files": {k: str(v) for k, v in (getattr(self.result, "files", None) or {}).items()},
        }
        self._recorded.set()
        self._raise(TrainingProgress(self.name, last.epoch if last else 0, last.max_epochs if last else 0,
                                     last.loss if last else None, last.accuracy if last else None,
                                     last.epoch_s if last else None, 0.0, status=status))
        logger.info("training %s %s after %d epoch(s)", self.name, status, len(self.history))

    def _write_plots(self, cfg: Any) -> list[str]:
        """The run's PNGs for the TUI: loss/accuracy curves (written now), the run's and the model folder's DET."""
        from trixy_trainer.plots import plot_training_curves

        found: list[Path] = []
        try:
            curves = plot_training_curves(Path(cfg.run_dir))
        except Exception as exc:  # a plot never fails a finished training
            logger.warning("training %s: no training curves: %s", self.name, exc)
            curves = None
        if curves is not None:
            found.append(curves)
        for folder in (Path(cfg.run_dir), self.model_dir):  # DET curves: the run's evaluation, the shipped model's
            found += sorted(p for p in folder.glob("*.png") if p not in found) if folder.is_dir() else []
        return [str(p) for p in found]

    def _on_epoch(self, report: EpochReport) -> None:
        progress = TrainingProgress(self.name, report.epoch, report.max_epochs, report.loss, report.accuracy,
                                    report.epoch_s, report.eta_s)
        self.progress = progress
        self.history.append(progress)
        self._raise(progress)

    def _raise(self, progress: TrainingProgress) -> None:
        if self._emit is None:
            return
        try:
            self._emit(TRAINING_PROGRESS, progress)
        except Exception as exc:  # no running loop (application not started) or closed: the view still polls
            logger.debug("training progress event not raised: %s", exc)

    def __repr__(self) -> str:
        return f"TrainerHandle({self.name!r}, running={self.running})"


class Trainers(dict):
    """name -> TrainerHandle; closing the application stops running trainings."""

    async def close(self) -> None:
        """Stop every running training and wait (in a worker thread) for it to end."""
        import asyncio

        running = [h for h in self.values() if h.running]
        for handle in running:
            handle.stop()
        for handle in running:
            await asyncio.to_thread(handle.join, 30.0)


def _absolute_paths(cfg: Any, root: Path) -> None:
    """Relative data/model/run paths in the config are relative to the Trixy root folder."""
    from omegaconf import OmegaConf

    for key in PATH_KEYS:
        value = OmegaConf.select(cfg, key, default=None)
        if isinstance(value, str) and value and value != "last" and not Path(value).is_absolute():
            OmegaConf.update(cfg, key, str(root / value), merge=False)


def _config_dir(root: Path) -> Path | None:
    folder = root / "config" / "trainer"
    return folder if (folder / "wakeword.yaml").is_file() else None


def _wakeword_batch(cfg: Any, batch_size: int) -> None:
    cfg.data.batch_size = batch_size


def _speaker_batch(cfg: Any, batch_size: int) -> None:
    per_speaker = max(1, int(cfg.data.utterances_per_speaker))
    cfg.data.speakers_per_batch = max(2, batch_size // per_speaker)


def build_trainers(root: Path | str, emit: Emit | None = None, overrides: Mapping[str, Sequence[str]] | None = None) -> Trainers:
    """The wake-word and speaker handles for the Trixy root `root`; `overrides` adds Hydra overrides per trainer."""
    from trixy_trainer.config import find_config_dir

    root = Path(root)
    overrides = overrides or {}

    def config_dir() -> Path:
        return _config_dir(root) or find_config_dir()

    def compose_wakeword(values: Sequence[str]) -> Any:  # as wakeword_config(), without importing torch here
        from trixy_trainer.config import load_config

        return load_config("wakeword", values, config_dir())

    def compose_speaker(values: Sequence[str]) -> Any:  # as speaker_config()
        from trixy_trainer.config import load_config

        return load_config("config", values, config_dir() / "speaker")

    def train_wakeword(cfg: Any, **kwargs: Any) -> Any:
        from trixy_trainer.wakeword.train import train_wakeword as run

        return run(cfg, **kwargs)

    def train_speakers(cfg: Any, **kwargs: Any) -> Any:
        from trixy_trainer.speaker.train import train_speakers as run

        return run(cfg, **kwargs)

    common = {"min_epochs": 1, "max_epochs": 30, "resume": False}
    return Trainers(
        wakeword=TrainerHandle(
            "wakeword", "Wake-word model (RepCNN): the custom wake word and the system-command word",
            train_wakeword, compose_wakeword, root=root, model_dir=root / "models" / "wakeword" / "trixy",
            default_params={"batch_size": 64, **common}, batch_setter=_wakeword_batch,
            overrides=overrides.get("wakeword", ()), emit=emit),
        speaker=TrainerHandle(
            "speaker", "Speaker-recognition model (ECAPA-TDNN embeddings and enrolled speakers)",
            train_speakers, compose_speaker, root=root, model_dir=root / "models" / "voice_recognition" / "default",
            default_params={"batch_size": 64, **common}, batch_setter=_speaker_batch,
            overrides=overrides.get("speaker", ()), emit=emit),
    )


def make_trainer_runner(trainers: Mapping[str, TrainerHandle]) -> Callable[[str, dict[str, Any]], concurrent.futures.Future[dict[str, Any]]]:
    """The scheduler's `trainer_runner(name, params)`: starts the training in the background and returns its outcome
    future at once (the scheduler records a background failure in the schedule's `last_error`)."""

    def run_trainer(name: str, params: dict[str, Any]) -> concurrent.futures.Future[dict[str, Any]]:
        handle = trainers.get(name)
        if handle is None:
            raise ConfigError(f"no trainer named {name!r}; known: {', '.join(sorted(trainers))}")
        return handle.start(params)

    return run_trainer


def install(application: TrixyApplication) -> None:
    """`trixy.components` entry point: registers `trainers` and `trainer_runner` on servers and standalones."""
    if getattr(application, "mode", None) not in FULL_MODES:
        return
    handler = application.get("event_handler")
    emit = handler.emit if handler is not None else None
    trainers = build_trainers(application.root, emit=emit)
    application.register("trainers", trainers, replace=True)
    application.register("trainer_runner", make_trainer_runner(trainers), replace=True)
