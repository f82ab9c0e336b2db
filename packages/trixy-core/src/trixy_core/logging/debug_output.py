"""`debug_print(text)`: the spec's `debug_print` debug output. In `--debug` mode it prints; otherwise it goes to the log
(and the TUI's log view). Named so that it never shadows the standard library's `debug_print` in an import."""

from __future__ import annotations

import logging
import sys

logger = logging.getLogger("trixy")

_debug = False


def set_debug(enabled: bool) -> None:
    """Switch debug_print between printing (debug / dev mode) and logging (production, TUI)."""
    global _debug
    _debug = bool(enabled)


def is_debug() -> bool:
    """True in debug / dev mode (`--debug`)."""
    return _debug


def debug_print(text: object) -> None:
    """Debug output: printed to stdout in debug mode, logged at INFO on the `trixy` logger otherwise."""
    if _debug:
        print(text, file=sys.stdout, flush=True)  # noqa: T201 - the one allowed print, debug mode only
    else:
        logger.info("%s", text)
