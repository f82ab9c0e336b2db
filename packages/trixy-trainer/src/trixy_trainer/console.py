"""What `trixy-train` shows while it works, and the flags both trainers share.

Long work gets a progress bar on stderr (tqdm: done/total, rate, ETA; the epoch bar adds loss and accuracy); the
JSON result stays alone on stdout, so scripts can still parse it. `--quiet` shows warnings only and no bars.
`--cfg job` prints the composed Hydra configuration and exits, as a Hydra application does.
"""

from __future__ import annotations

import argparse
import logging
import sys
from typing import Any

from omegaconf import DictConfig, OmegaConf

NOISY_LOGGERS = ("onnx_ir", "onnxscript", "torch.onnx", "lightning.pytorch.utilities.rank_zero")


def add_common_flags(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """The one flag set of `trixy-train` and `trixy-train speaker`."""
    parser.add_argument("--quiet", action="store_true", help="warnings only, no progress bars")
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    parser.add_argument("--config-dir", default=None, help="folder with the Hydra YAML (default: config/trainer)")
    parser.add_argument("--cfg", choices=("job",), default=None,
                        help="print the composed configuration (job) and exit, like Hydra's --cfg job")
    return parser


def configure(args: argparse.Namespace) -> None:
    """Logging for the flags: INFO by default, WARNING with --quiet, DEBUG with --verbose."""
    level = logging.WARNING if args.quiet else logging.DEBUG if args.verbose else logging.INFO
    if not logging.getLogger().handlers:  # a host that set up logging (the TUI, pytest) keeps its own levels
        logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for noisy in NOISY_LOGGERS:
        logging.getLogger(noisy).setLevel(logging.WARNING)


def config_yaml(cfg: DictConfig) -> str:
    """The composed configuration as YAML (interpolations left as written, like Hydra's `--cfg job`)."""
    return OmegaConf.to_yaml(cfg)


class Bar:
    """A tqdm bar created on the first report (the total is known then); a no-op when quiet."""

    def __init__(self, description: str, unit: str, *, quiet: bool = False) -> None:
        self.description, self.unit, self.quiet = description, unit, quiet
        self._bar: Any = None

    def _ensure(self, total: int) -> Any:
        if self._bar is None and not self.quiet:
            from tqdm import tqdm

            self._bar = tqdm(total=total, desc=self.description, unit=self.unit, file=sys.stderr, dynamic_ncols=True,
                             mininterval=0.5)
        if self._bar is not None and self._bar.total != total:
            self._bar.total = total
        return self._bar

    def files(self, done: int, total: int, label: str = "") -> None:
        """Report `done` of `total` (files, speakers, recordings)."""
        bar = self._ensure(total)
        if bar is None:
            return
        if label:
            bar.set_postfix_str(str(label), refresh=False)
        bar.update(max(0, done - bar.n))

    def epoch(self, progress: Any) -> None:
        """Report a `TrainingProgress` (after each epoch): epochs done, loss, accuracy, val accuracy, ETA."""
        bar = self._ensure(int(progress.max_epochs))
        if bar is None:
            return
        val = "-" if progress.val_accuracy is None else f"{progress.val_accuracy:.3f}"
        bar.set_postfix_str(f"loss {progress.loss:.4f} acc {progress.accuracy:.3f} val_acc {val}", refresh=False)
        bar.update(max(0, int(progress.epoch) - bar.n))

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None
