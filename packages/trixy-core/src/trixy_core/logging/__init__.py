"""Logging: `debug_print` for debug output, rotating log files and the ring buffer behind the TUI's log view."""

from trixy_core.logging.debug_output import debug_print, is_debug, set_debug
from trixy_core.logging.ring_buffer import LogLine, RingBufferHandler
from trixy_core.logging.setup import LOG_FORMAT, LoggingSetup, configure_logging

__all__ = [
    "LOG_FORMAT",
    "LogLine",
    "LoggingSetup",
    "RingBufferHandler",
    "configure_logging",
    "is_debug",
    "debug_print",
    "set_debug",
]
