"""Configure standard logging for a Trixy process: a rotating file under a folder plus the in-memory ring buffer."""

from __future__ import annotations

import logging
import logging.handlers
from dataclasses import dataclass, field
from pathlib import Path

from trixy_core.logging.debug_output import set_debug
from trixy_core.logging.ring_buffer import RingBufferHandler

LOG_FORMAT = "%(asctime)s %(levelname)-7s %(name)s: %(message)s"
TRIXY_LOGGERS = (
    "trixy",
    "trixy_protocol",
    "trixy_core",
    "trixy_server",
    "trixy_satellite",
    "trixy_standalone",
    "trixy_trainer",
    "trixy_tui",
    "trixy_plugins",
)


@dataclass(slots=True)
class LoggingSetup:
    """The handlers a process installed; `close()` removes them again (tests, orderly shutdown)."""

    buffer: RingBufferHandler
    file_path: Path | None
    handlers: list[logging.Handler] = field(default_factory=list)
    logger_name: str = ""
    previous_level: int = logging.WARNING
    debug_levels: dict[str, int] = field(default_factory=dict)

    def close(self) -> None:
        """Detach and close every handler this setup added."""
        target = logging.getLogger(self.logger_name)
        for handler in self.handlers:
            target.removeHandler(handler)
            handler.close()
        target.setLevel(self.previous_level)
        for name, level in self.debug_levels.items():
            logging.getLogger(name).setLevel(level)
        self.debug_levels.clear()
        self.handlers.clear()


def configure_logging(
    *,
    folder: Path | None,
    file_name: str = "trixy.log",
    level: str | int = "INFO",
    max_bytes: int = 1_000_000,
    backup_count: int = 5,
    buffer_size: int = 2000,
    debug: bool = False,
    logger_name: str = "",
) -> LoggingSetup:
    """Install the rotating file handler (when `folder` is given), the ring buffer and, in debug, a console handler."""
    set_debug(debug)
    target = logging.getLogger(logger_name)
    formatter = logging.Formatter(LOG_FORMAT)
    buffer = RingBufferHandler(buffer_size)
    buffer.setFormatter(formatter)
    handlers: list[logging.Handler] = [buffer]
    file_path: Path | None = None
    if folder is not None:
        Path(folder).mkdir(parents=True, exist_ok=True)
        file_path = Path(folder) / file_name
        rotating = logging.handlers.RotatingFileHandler(
            file_path, maxBytes=max_bytes, backupCount=backup_count, encoding="utf-8"
        )
        rotating.setFormatter(formatter)
        handlers.append(rotating)
    if debug:
        console = logging.StreamHandler()
        console.setFormatter(formatter)
        console.setLevel(logging.INFO)  # what --debug promises: INFO and above on the console (DEBUG: the file)
        handlers.append(console)
    previous = target.level
    target.setLevel(level)
    debug_levels: dict[str, int] = {}
    if debug:  # Trixy's own loggers go to DEBUG; third-party libraries stay at the configured level
        for name in TRIXY_LOGGERS:
            debug_levels[name] = logging.getLogger(name).level
            logging.getLogger(name).setLevel(logging.DEBUG)
    for handler in handlers:
        target.addHandler(handler)
    return LoggingSetup(buffer, file_path, handlers, logger_name, previous, debug_levels)
