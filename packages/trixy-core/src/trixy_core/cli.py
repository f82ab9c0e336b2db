"""The `trixy` command line: `trixy server|client|standalone [--debug] [--config FILE]`.

Each mode is provided by the package that implements it (trixy-server, trixy-satellite, trixy-standalone) through
the `trixy.modes` entry-point group, so the core never imports those packages and a Pi that only has
trixy-satellite installed still gets `trixy client`.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from importlib.metadata import entry_points

from trixy_core import __version__
from trixy_core.errors import TrixyError

MODES: dict[str, tuple[str, str]] = {
    "server": ("trixy-server", "run the server: command and audio sockets, plugins, scheduler"),
    "client": ("trixy-satellite", "run a satellite: microphone, wake word, speaker id, streams to the server"),
    "standalone": ("trixy-standalone", "run server and satellite in one process, no server needed"),
}

ENTRY_POINT_GROUP = "trixy.modes"

ModeRunner = Callable[[argparse.Namespace], int]


def build_parser() -> argparse.ArgumentParser:
    """The argument parser shared by `main.py` and the `trixy` console script."""
    parser = argparse.ArgumentParser(
        prog="trixy",
        description="Trixy: a private, offline, self-hosted voice assistant.",
    )
    parser.add_argument("--version", action="version", version=f"trixy {__version__}")
    sub = parser.add_subparsers(dest="mode", metavar="{server,client,standalone}", required=True)
    for mode, (_package, help_text) in MODES.items():
        p = sub.add_parser(mode, help=help_text, description=help_text)
        p.add_argument("--debug", action="store_true", help="dev mode: no TUI; INFO log lines and debug output on the console, DEBUG in the log file")
        p.add_argument(
            "--config",
            metavar="FILE",
            help=f"configuration file (default: config/{mode}_config.json)",
        )
        p.add_argument(
            "--set",
            metavar="KEY=VALUE",
            action="append",
            default=[],
            dest="overrides",
            help="override one configuration value (dotted key, JSON value); wins over the file; repeatable",
        )
        p.add_argument("--root", metavar="DIR", default=".", help="Trixy's root folder (plugins/, models/, ...)")
        if mode in ("client", "standalone"):
            p.add_argument(
                "--input-wav",
                metavar="FILE",
                help="use a 16 kHz WAV file as the microphone instead of the sound card",
            )
        if mode == "standalone":
            p.add_argument(
                "--demo",
                action="store_true",
                help="run the built-in demo conversation on embedded defaults and exit",
            )
    return parser


def find_mode_runner(mode: str) -> ModeRunner | None:
    """The runner registered for `mode` by an installed Trixy package, or None when none is installed."""
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        if ep.name == mode:
            return ep.load()
    return None


def main(argv: Sequence[str] | None = None) -> int:
    """Parse the command line and hand over to the mode's runner; returns the process exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    runner = find_mode_runner(args.mode)
    if runner is None:
        package = MODES[args.mode][0]
        sys.stderr.write(
            f"trixy: mode '{args.mode}' needs the {package} package, which is not installed "
            f"(pip install {package}, or `make setup` in the repo)\n"
        )
        return 2
    try:
        return int(runner(args) or 0)
    except KeyboardInterrupt:
        return 130
    except TrixyError as exc:  # e.g. an invalid config file: say what to fix instead of a traceback
        sys.stderr.write(f"trixy {args.mode}: {exc}\n")
        return 2


if __name__ == "__main__":
    sys.exit(main())
