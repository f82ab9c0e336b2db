"""The systemd units under deploy/systemd: a plain Type=simple unit for pip installs beside the tmux one."""

from __future__ import annotations

import configparser
import shlex
from pathlib import Path

from trixy_core.cli import build_parser

ROOT = Path(__file__).resolve().parents[2]


def _unit(name: str) -> configparser.RawConfigParser:
    parser = configparser.RawConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # systemd keys are case-sensitive
    parser.read(ROOT / "deploy" / "systemd" / name)
    return parser


def test_pip_unit_is_a_simple_service_logging_to_journald_and_restarting():
    service = _unit("trixy-pip@.service")["Service"]
    assert service["Type"] == "simple"
    assert service["Restart"] in ("always", "on-failure") and float(service["RestartSec"]) > 0
    assert service["StandardOutput"] == service["StandardError"] == "journal"
    assert "tmux" not in service["ExecStart"] and "/opt/trixy/scripts" not in service["ExecStart"]


def test_pip_unit_command_line_is_valid_for_both_instances():
    command = shlex.split(_unit("trixy-pip@.service")["Service"]["ExecStart"])
    assert command[0].endswith("/bin/trixy")
    for instance in ("client", "server"):
        args = build_parser().parse_args([a.replace("%i", instance) for a in command[1:]])
        assert args.mode == instance and args.debug and args.root == "/var/lib/trixy"


def test_tmux_unit_is_still_there_for_checkouts():
    assert _unit("trixy@.service")["Service"]["Type"] == "forking"
