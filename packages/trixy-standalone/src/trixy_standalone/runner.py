"""Entry point for `trixy standalone` (registered in the `trixy.modes` entry-point group)."""

from __future__ import annotations

import argparse
import sys


def run(args: argparse.Namespace) -> int:
    """Start this mode; the full implementation lands with its issue."""
    sys.stderr.write(f"trixy {args.mode}: not implemented yet (config={args.config or 'default'}, debug={args.debug})\n")
    return 3
