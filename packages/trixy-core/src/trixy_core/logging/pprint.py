"""`pprint(text)`: the spec's debug output. In `--debug` mode it prints; otherwise it goes to the log (and TUI)."""

from __future__ import annotations

import logging
import sys

logger = logging.getLogger("trixy")

_debug = False


def set_debug(enabled: bool) -> None:
    """Switch pprint between printing (debug / dev mode) and logging (production, TUI)."""
    global _debug
    _debug = bool(enabled)


def is_debug() -> bool:
    """True in debug / dev mode (`--debug`)."""
    return _debug


def pprint(text: object) -> None:
    """Debug output: printed to stdout in debug mode, logged at INFO on the `trixy` logger otherwise."""
    if _debug:
        print(text, file=sys.stdout, flush=True)  # noqa: T201 - the one allowed print, debug mode only
    else:
        logger.info("%s", text)
