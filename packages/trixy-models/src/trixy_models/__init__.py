"""Trixy's default models as a package, so a pip install (a Pi without the checkout) has them.

The wheel carries the checkout's `models/` folder as `trixy_models/data/` (`wakeword/trixy/`,
`voice_recognition/default/`). Trixy finds it through the `trixy.data` entry point: a relative model path such as
`models/wakeword/trixy` that does not exist under Trixy's root resolves here (`trixy_core.shipped`).
"""

from __future__ import annotations

from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"


def folder() -> Path:
    """The shipped models folder (holds `wakeword/` and `voice_recognition/`); absent in an editable checkout."""
    return DATA
