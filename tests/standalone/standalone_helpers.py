"""Helpers shared by the standalone / sync / update end-to-end tests (imported by conftest and the tests)."""

from __future__ import annotations

import asyncio
import shutil
import socket
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
MAC = "aa:bb:cc:00:11:22"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def wait_for(predicate, wait_s: float = 10.0, what: str = "condition") -> None:
    deadline = time.monotonic() + wait_s
    while time.monotonic() < deadline:
        if predicate():
            return
        await asyncio.sleep(0.02)
    raise AssertionError(f"timed out after {wait_s:g} s waiting for {what}")


def record_rounds(standalone: Any) -> list[Any]:
    """Every `SyncFinished` the standalone emits from now on, in order.

    `standalone.sync.last_round` is only the latest: with a short `sync.interval_s` a quick, empty second round can
    replace the first before a test looks at it."""
    from trixy_standalone.sync_client import SYNC_FINISHED

    rounds: list[Any] = []
    standalone.event_handler.subscribe(SYNC_FINISHED, lambda _name, result: rounds.append(result), threaded=False)
    return rounds


async def first_ok_round(rounds: list[Any], wait_s: float, what: str) -> Any:
    """The first successful round in `rounds` (from `record_rounds`), waiting up to `wait_s` for it."""
    await wait_for(lambda: any(r.ok for r in rounds), wait_s, what)
    return next(r for r in rounds if r.ok)


def copy_plugins(root: Path, *names: str) -> None:
    for name in names:
        shutil.copytree(REPO / "plugins" / name, root / "plugins" / name,
                        ignore=shutil.ignore_patterns("__pycache__"))


def server_overrides(port: int = 0) -> list[str]:
    return ["network.bind_address=127.0.0.1", f"network.command_port={port}", "network.audio_input_port=0",
            "network.audio_output_port=0", "network.music_port=0", "network.ping_interval_s=5",
            "scheduler.enabled=false"]


def build_server(root: Path, port: int = 0, extra: list[str] | None = None) -> Any:
    """A real server application: network, update pusher, sync service (plugins from root/plugins)."""
    import trixy_server.config
    import trixy_server.sync  # noqa: F401
    from trixy_core.application import create_application
    from trixy_server.component import SatelliteNetwork
    from trixy_server.sync import SyncService
    from trixy_server.updates import UpdatePusher

    (root / "plugins").mkdir(parents=True, exist_ok=True)
    app = create_application("server", root=root, overrides=server_overrides(port) + (extra or []),
                             setup_logging=False)
    SatelliteNetwork.from_application(app)
    UpdatePusher.from_application(app)
    SyncService.from_application(app)
    return app


def client_config(root: Path, port: int, record: Any, *, extra: dict[str, Any] | None = None) -> Any:
    """A client-mode Config (in memory) for a satellite registered as `record`."""
    import trixy_satellite.config
    import trixy_satellite.updates  # noqa: F401
    from trixy_core.config import Config

    data: dict[str, Any] = {
        "server": {"host": "127.0.0.1", "port": port, "retry_interval_s": 0.2, "keepalive_s": 5},
        "satellite": {"room": record.room, "alias": record.alias, "mac": record.mac, "id": record.id,
                      "secret": record.secret},
        "audio": {"input": "silence", "output": "null"},
        "models": {"wakeword": "models/wakeword/default", "voice_recognition": "models/voice_recognition/default"},
        # scripts go to <root>/scripts here: the default (the running trixy_satellite package) is the checkout's code
        "updates": {"reboot_command": ["sh", "-c", "echo rebooted > reboot-marker.txt"], "scripts_folder": "scripts"},
    }
    for section, values in (extra or {}).items():
        data.setdefault(section, {}).update(values)
    return Config(root / "config" / "client_config.json", "client", data)


STANDALONE_MAC = "aa:bb:cc:00:33:44"


def register_standalone(server_root: Path) -> Any:
    """Pre-register the standalone on the server (as the registration dialogue would) and return the record."""
    from trixy_server.registry import SatelliteRegistry

    return SatelliteRegistry(server_root / "state" / "satellites").register(STANDALONE_MAC, "Office", "Laptop")


def build_standalone_app(root: Path, port: int, record: Any, *, interval_s: float = 0.2,
                         extra: dict[str, Any] | None = None) -> Any:
    """The real composed standalone (local satellite on silence, sync every `interval_s`)."""
    from trixy_standalone.compose import build_standalone

    overrides = {"sync.port": port, "sync.host": "127.0.0.1", "sync.interval_s": interval_s,
                 "sync.connect_timeout_s": 1.0, "sync.reply_timeout_s": 10.0, "sync.mac": record.mac,
                 "sync.id": record.id, "sync.secret": record.secret, "standalone.input": "silence",
                 "standalone.output": "null", "scheduler.enabled": False, **(extra or {})}
    (root / "plugins").mkdir(parents=True, exist_ok=True)
    return build_standalone(str(root), overrides=overrides, setup_logging=False)
