"""Shared fixtures: a real Trixy root folder, real in-process applications (core, server + satellite, client) and
a helper that drives the TUI with Textual's pilot."""

from __future__ import annotations

import asyncio
import json
import shutil
import textwrap
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

from trixy_core.application import create_application
from trixy_tui.hostinfo import HostInfo

REPO = Path(__file__).resolve().parents[3]
HOST = HostInfo(hostname="trixy-test", address="192.0.2.10", os="Linux 6.1", python="3.11")
SIZE = (120, 40)

GREETER_MAIN = '''
from trixy_core import TrixyPlugin, TrixyEvent


class Greeter(TrixyPlugin):
    """Says hello when a satellite connects."""

    version = "1.2.0"
    description = "Greets every satellite that connects."

    @TrixyEvent("satellite connected")
    def greet(self, event_name, data):
        return "hello"
'''
GREETER_CONFIG = {"enabled": True, "greeting": "Hello", "repeat": 2, "volume": 0.5, "loud": False,
                  "rooms": ["kitchen"], "voice": {"pitch": 40}}


def write_root(root: Path) -> Path:
    """A Trixy root folder: a plugin with typed settings, a broken plugin, assets and two schedules."""
    plugins = root / "plugins"
    (plugins / "greeter").mkdir(parents=True)
    (plugins / "greeter" / "main.py").write_text(textwrap.dedent(GREETER_MAIN))
    (plugins / "greeter" / "config.json").write_text(json.dumps(GREETER_CONFIG, indent=2))
    (plugins / "broken").mkdir()
    (plugins / "broken" / "main.py").write_text("this is not python\n")
    audio = root / "assets" / "default" / "audio"
    audio.mkdir(parents=True)
    shutil.copy(REPO / "assets" / "default" / "audio" / "test.wav", audio / "test.wav")
    (root / "config").mkdir()
    schedules = [
        {"name": "greet on connect", "description": "Log when a satellite connects.", "enabled": True,
         "triggers": [{"type": "event", "event": "satellite connected"}],
         "actions": [{"type": "function", "function": "log_message", "args": {"message": "satellite here"}}]},
        {"name": "nightly reload", "description": "Reload plugins.", "enabled": False,
         "triggers": [{"type": "time", "at": "03:00"}],
         "actions": [{"type": "function", "function": "reload_plugins", "args": {}}]},
    ]
    (root / "config" / "schedules.json").write_text(json.dumps({"schedules": schedules}, indent=2))
    return root


@pytest.fixture
def trixy_root(tmp_path: Path) -> Path:
    return write_root(tmp_path / "trixy")


def fixed_clock(application: Any, uptime_s: float = 3723.0) -> Callable[[], float]:
    """A clock that makes the application look up for exactly `uptime_s` (stable snapshots)."""
    return lambda: (application.started_at or 0.0) + uptime_s


@pytest.fixture
def core_app(trixy_root: Path) -> Any:
    """A real core server application (event handler, plugins, scheduler, assets, conversations, logging)."""
    return create_application("server", root=trixy_root)


def make_tui(application: Any, mode: str = "server") -> Any:
    from trixy_tui import TrixyApp

    return TrixyApp(application, mode, host_info=HOST, clock=fixed_clock(application))


async def wait_for(condition: Callable[[], Any], pilot: Any = None, timeout: float = 5.0) -> Any:  # noqa: ASYNC109
    """Poll `condition` (letting the app run) until it is truthy; fail the test after `timeout`."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        value = condition()
        if value:
            return value
        if loop.time() > deadline:
            raise AssertionError(f"condition not met within {timeout} s")
        if pilot is not None:
            await pilot.pause(0.05)
        else:
            await asyncio.sleep(0.05)


async def click(pilot: Any, selector: str) -> None:
    """Press a button by its id even when it is scrolled out of view."""
    widget = pilot.app.screen.query_one(selector)
    widget.scroll_visible(animate=False)
    await pilot.pause()
    widget.press()
    await pilot.pause()


def network_overrides() -> dict[str, Any]:
    """Loopback sockets on free ports with fast keep-alive, so tests never wait long."""
    return {"network.bind_address": "127.0.0.1", "network.command_port": 0, "network.audio_input_port": 0,
            "network.audio_output_port": 0, "network.music_port": 0, "network.ping_interval_s": 0.2,
            "network.dead_after_s": 3.0, "network.handshake_timeout_s": 2.0}


@pytest.fixture
def server_app(trixy_root: Path) -> Any:
    """A real server application with its network component (sockets start with the application)."""
    server_config = pytest.importorskip("trixy_server.config", reason="trixy-server is not installed")
    assert server_config.NETWORK_SECTION
    from trixy_server.component import SatelliteNetwork

    try:
        from trixy_server.updates import UpdatePusher
    except ImportError:  # an older trixy-server without update pushing
        UpdatePusher = None
    overrides = network_overrides()
    if UpdatePusher is not None:
        overrides |= {"update_push.reply_timeout_s": 1.0, "update_push.install_timeout_s": 2.0}
    application = create_application("server", root=trixy_root, overrides=overrides)
    SatelliteNetwork.from_application(application)
    if UpdatePusher is not None and application.get("update_pusher") is None:
        UpdatePusher.from_application(application)
    return application


async def connect_satellite(server_application: Any, mac: str = "aa:bb:cc:00:00:01") -> tuple[Any, Any]:
    """Register and connect a real satellite (trixy-satellite's SatelliteApp: client, recorder, config handling,
    silent microphone, null speaker) to the running server; returns (client, satellite app)."""
    pytest.importorskip("trixy_satellite.app", reason="trixy-satellite is not installed")
    import trixy_satellite.config  # noqa: F401 - registers the client's config sections
    from trixy_satellite.app import SatelliteApp

    root = Path(server_application.root) / f"satellite-{mac.replace(':', '')}"
    root.mkdir(exist_ok=True)
    port = server_application.network.ports["command"]
    client_app = create_application("client", root=root, setup_logging=False, overrides={
        "server.host": "127.0.0.1", "server.port": port, "server.retry_interval_s": 0.1,
        "server.connect_timeout_s": 2.0, "server.keepalive_s": 0.2, "server.dead_after_s": 3.0,
        "satellite.mac": mac, "satellite.room": "Kitchen", "satellite.alias": "Fridge",
        "audio.input": "silence", "audio.output": "null"})
    satellite = SatelliteApp(client_app.config, root=root)
    server_application.satellite_manager.enter_registration_mode()
    await satellite.start()
    assert await satellite.client.wait_connected(5), "the satellite did not connect"
    return satellite.client, satellite


async def disconnect_satellite(client: Any, satellite: Any) -> None:
    await satellite.stop()


Step = Callable[[Any], Awaitable[None]]


class TuiKit:
    """The helpers above as one fixture (test modules cannot import conftest under --import-mode=importlib)."""

    HOST = HOST
    SIZE = SIZE
    make_tui = staticmethod(make_tui)
    wait_for = staticmethod(wait_for)
    click = staticmethod(click)
    connect_satellite = staticmethod(connect_satellite)
    disconnect_satellite = staticmethod(disconnect_satellite)
    fixed_clock = staticmethod(fixed_clock)
    write_root = staticmethod(write_root)


@pytest.fixture
def kit() -> type[TuiKit]:
    return TuiKit


class LoopTrainer:
    """A trainer handle with the contract the TUI reads (docs/tui.md, "Trainer handle"), training a tiny
    closed-form model in a thread: used until trixy-trainer registers its own `trainers` component. Like the real
    handle it raises a `training progress` event per epoch and one when the run ends (`emit`, e.g. the application's
    `event_handler.emit`): the views are driven by those events, not by polling."""

    def __init__(self, name: str, model_path: Path | None = None, epoch_s: float = 0.05,
                 emit: Any = None) -> None:
        import threading

        self.name = name
        self.description = f"{name} trainer used by the TUI tests"
        self.model_path = model_path
        self.default_params = {"batch_size": 16, "min_epochs": 1, "max_epochs": 5, "resume": False}
        self.epoch_s = epoch_s
        self.emit = emit
        self.progress: Any = None
        self.history: list[Any] = []
        self.last_run: dict[str, Any] | None = None
        self.started_with: dict[str, Any] | None = None
        self._run = threading.Event()
        self._run.set()
        self._stop = threading.Event()
        self._thread: Any = None

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    @property
    def paused(self) -> bool:
        return not self._run.is_set()

    def start(self, params: dict[str, Any]) -> None:
        import threading

        if self.running:
            raise RuntimeError(f"trainer {self.name} is already running")
        self.started_with = dict(params)
        self.history = []
        self._stop.clear()
        self._run.set()
        self._thread = threading.Thread(target=self._train, args=(int(params["max_epochs"]),), daemon=True)
        self._thread.start()

    def _train(self, max_epochs: int) -> None:
        import time

        from trixy_core.events.data import TrainingProgress

        started = time.time()
        weight, status = 0.0, "finished"
        for epoch in range(1, max_epochs + 1):
            self._run.wait()
            if self._stop.is_set():
                status = "stopped"
                break
            begin = time.perf_counter()
            time.sleep(self.epoch_s)
            weight += 0.5 * (1.0 - weight)  # gradient step towards the optimum 1.0
            loss = (1.0 - weight) ** 2
            self.progress = TrainingProgress(self.name, epoch, max_epochs, loss, weight,
                                             time.perf_counter() - begin, (max_epochs - epoch) * self.epoch_s)
            self.history.append(self.progress)
            self._raise(self.progress)
        self.last_run = {"finished_at": time.time(), "status": status, "epochs": len(self.history),
                         "duration_s": time.time() - started}
        last = self.progress
        self._raise(TrainingProgress(self.name, last.epoch if last else 0, max_epochs, status=status))

    def _raise(self, progress: Any) -> None:
        if self.emit is not None:
            self.emit("training progress", progress)

    def pause(self) -> None:
        self._run.clear()

    def resume(self) -> None:
        self._run.set()

    def stop(self) -> None:
        self._stop.set()
        self._run.set()

    def join(self) -> None:
        if self._thread is not None:
            self._thread.join(5)


def write_model(path: Path, **meta: Any) -> Path:
    """A real Trixy .pth model file (AES zip with metafile.json) holding `meta`."""
    from trixy_core.modelfiles import base_metadata, write_pth

    path.parent.mkdir(parents=True, exist_ok=True)
    return write_pth(path, base_metadata(**meta), b"\x00" * 16, password="trixy-test")


TuiKit.write_model = staticmethod(write_model)
TuiKit.LoopTrainer = LoopTrainer
