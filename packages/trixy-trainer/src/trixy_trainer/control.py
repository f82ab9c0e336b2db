"""`TrainingControl`: stop/pause/resume a running training from another thread (no torch/lightning import, so the
server can hold one without loading them; re-exported by `trixy_trainer.progress`)."""

from __future__ import annotations

import threading


class TrainingControl:
    """Thread-safe handle the caller keeps to stop, pause and resume a running training."""

    def __init__(self) -> None:
        self._stop = threading.Event()
        self._running = threading.Event()
        self._running.set()

    def stop(self) -> None:
        """Finish the current batch, save the last checkpoint and end the run."""
        self._stop.set()
        self._running.set()

    def pause(self) -> None:
        """Block the training loop after the current batch until :meth:`resume` (or :meth:`stop`)."""
        self._running.clear()

    def resume(self) -> None:
        """Continue a paused training."""
        self._running.set()

    @property
    def stopped(self) -> bool:
        """True once stop() was called."""
        return self._stop.is_set()

    @property
    def paused(self) -> bool:
        """True while paused."""
        return not self._running.is_set()

    def wait_if_paused(self) -> None:
        """Called by the training loop between batches."""
        self._running.wait()
