"""Fixtures for the shipped plugins: espeak-ng audio (synthesised once per session), plugin modules imported the way
the core imports them, and a real standalone Application that loads the real plugins/ folder."""

from __future__ import annotations

import asyncio
import importlib
import shutil
import subprocess
import types
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from trixy_core.application import create_application
from trixy_core.events import names
from trixy_core.plugins.loader import import_plugin_main, import_plugin_submodule

REPO = Path(__file__).resolve().parents[2]
PLUGINS = REPO / "plugins"

pytestmark = pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng is not installed")


def plugin_module(plugin: str, submodule: str) -> types.ModuleType:
    """Import `plugins/<plugin>/<submodule>.py` as the core does (package `trixy_plugins.<plugin>`)."""
    import sys

    if f"trixy_plugins.{plugin}" not in sys.modules:
        import_plugin_main(plugin, PLUGINS / plugin)
    module = import_plugin_submodule(plugin, submodule)
    assert module is not None, f"plugins/{plugin}/{submodule}.py missing"
    return importlib.import_module(module.__name__)


def espeak_pcm(text: str, voice: str = "en-us", speed: int = 175) -> bytes:
    """espeak-ng speech as 16 kHz mono s16le, resampled with sox (independent of the plugins' own resampler).
    ``-R``: sox dithers its 16-bit output with a generator seeded from the clock unless told to repeat itself, and a
    one-step difference was enough to flip borderline tests (a cut command heard as "" or as "what time is it"
    where "stop it" is expected, once in a few full runs)."""
    wav = subprocess.run(
        ["espeak-ng", "-v", voice, "-s", str(speed), "--stdout", text], capture_output=True, check=True
    ).stdout
    return subprocess.run(
        ["sox", "-R", "-t", "wav", "-", "-t", "raw", "-r", "16000", "-e", "signed", "-b", "16", "-c", "1", "-"],
        input=wav, capture_output=True, check=True,
    ).stdout


def with_silence(pcm: bytes, before_s: float = 0.6, after_s: float = 1.0, noise: float = 30.0) -> bytes:
    """Pad with low background noise, as a satellite recording has (wake-word tail, 3 s silence cut)."""
    rng = np.random.default_rng(7)
    pad = lambda s: rng.normal(0, noise, int(16000 * s)).astype(np.int16)  # noqa: E731
    return np.concatenate([pad(before_s), np.frombuffer(pcm, dtype="<i2"), pad(after_s)]).astype("<i2").tobytes()


PHRASES = (
    "please order a pizza",
    "a spicy one",
    "what time is it",
    "set a timer for five minutes",
    "order a margherita pizza",
    "tell me a joke about cats",
    "trixy please order a pizza",
)


@pytest.fixture(scope="session")
def load_plugin_module() -> Callable[[str, str], types.ModuleType]:
    """`load_plugin_module("stt_pocketsphinx", "engine")`: a plugin's module, imported as the core imports it."""
    return plugin_module


@pytest.fixture(scope="session")
def espeak() -> types.SimpleNamespace:
    """Helpers: `espeak.pcm(text, voice=..., speed=...)` and `espeak.pad(pcm)`."""
    return types.SimpleNamespace(pcm=espeak_pcm, pad=with_silence, phrases=PHRASES)


@pytest.fixture(scope="session")
def speech() -> Callable[[str], bytes]:
    """Padded espeak-ng PCM per phrase, synthesised once per test session."""
    if shutil.which("sox") is None:
        pytest.skip("sox is not installed")
    cache: dict[str, bytes] = {}

    def get(text: str) -> bytes:
        if text not in cache:
            cache[text] = with_silence(espeak_pcm(text))
        return cache[text]

    return get


@pytest.fixture(scope="session")
def catalogue() -> Any:
    """The sentence catalogue of every shipped plugin."""
    module = plugin_module("intents", "catalogue")
    sources = [(p.name, p) for p in sorted(PLUGINS.iterdir()) if (p / "sentences.yaml").is_file()]
    return module.build_catalogue(sources)


@pytest.fixture(scope="session")
def recogniser(catalogue: Any) -> Any:
    """A pocketsphinx recogniser with the grammar compiled from the shipped plugins."""
    engine = plugin_module("stt_pocketsphinx", "engine")
    stt = engine.PocketsphinxRecogniser(wake_words=("trixy", "hey trixy"))
    stt.set_grammar(stt.compile_grammar(catalogue.intents))
    return stt


class FakeClock:
    """A settable wall clock for the scheduler (timezone-aware)."""

    def __init__(self) -> None:
        self.now = datetime(2026, 11, 25, 14, 5, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> datetime:
        self.now += timedelta(seconds=seconds)
        return self.now


@dataclass
class Recorder:
    """Collects event data per event name, in order."""

    events: dict[str, list[Any]] = field(default_factory=dict)
    order: list[tuple[str, Any]] = field(default_factory=list)

    def __call__(self, event_name: str, data: Any) -> None:
        self.events.setdefault(event_name, []).append(data)
        self.order.append((event_name, data))

    def of(self, name: str) -> list[Any]:
        return self.events.get(name, [])

    async def wait_for(self, name: str, count: int = 1, within_s: float = 20.0, where: Callable[[Any], bool] | None = None) -> list[Any]:
        deadline = asyncio.get_running_loop().time() + within_s
        while True:
            found = [d for d in self.of(name) if where is None or where(d)]
            if len(found) >= count:
                return found
            if asyncio.get_running_loop().time() > deadline:
                raise AssertionError(f"only {len(found)} of {count} {name!r} events; saw {[n for n, _ in self.order]}")
            await asyncio.sleep(0.01)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
async def app(tmp_path: Path, clock: FakeClock):
    """A started standalone Application (no server) with the real plugins/ folder, rooted in tmp_path."""
    application = create_application(
        "standalone",
        root=tmp_path,
        overrides=[f"paths.plugins={PLUGINS}", "conversation.idle_timeout_s=20", "conversation.answer_timeout_s=10"],
        setup_logging=False,
        clock=clock,
    )
    await application.start()
    try:
        yield application
    finally:
        await application.stop()


@pytest.fixture
def recorder(app: Any) -> Recorder:
    """Records the pipeline's events (subscribed first, on the loop, so answers routed to an asker are seen too)."""
    rec = Recorder()
    for name in (
        names.RAW_AUDIO_INPUT_RECEIVED, names.TEXT_RECEIVED, names.INTENT_RECEIVED, names.SAY, names.TTS_RECEIVED,
        names.CONVERSATION_ENDED, "music play", "music stop", "timer finished",
    ):
        app.event_handler.subscribe(name, rec, threaded=False, priority=10_000, owner="test-recorder")
    return rec
