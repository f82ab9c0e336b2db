"""TrainingControl: pause blocks the training loop until resume or stop (driven from another thread)."""

from __future__ import annotations

import threading

from trixy_trainer.progress import TrainingControl


def test_pause_blocks_until_resume_and_stop_releases_a_paused_run() -> None:
    control = TrainingControl()
    control.wait_if_paused()  # not paused: returns at once
    control.pause()
    assert control.paused
    released = threading.Event()

    def loop() -> None:
        control.wait_if_paused()
        released.set()

    worker = threading.Thread(target=loop)
    worker.start()
    assert not released.wait(0.05)  # still blocked while paused
    control.resume()
    assert released.wait(2.0)
    worker.join()

    control.pause()
    control.stop()  # a stop must never leave the loop hanging in pause
    control.wait_if_paused()
    assert control.stopped and not control.paused
