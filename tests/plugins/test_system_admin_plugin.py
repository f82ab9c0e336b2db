"""system_admin: its sentences give administrative intents, and in a real server application (network on port 0,
voice pipeline with its AdminGate) they run only after the system-command wake word for an allowed speaker."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from typing import Any

import pytest

import trixy_server.config  # noqa: F401 - registers the `network` config section
from trixy_core.application import create_application
from trixy_core.events import names
from trixy_core.events.data import TextReceived
from trixy_server.component import SatelliteNetwork
from trixy_server.pipeline import PipelineSettings, VoicePipeline

PLUGINS = Path(__file__).resolve().parents[2] / "plugins"
ADMIN = ("EnterRegistrationMode", "RebootSatellite", "SetTime", "ReloadPlugins")
NOT_ALLOWED = "Sorry, you are not allowed to do that"


@pytest.mark.parametrize(("text", "intent", "slots"), [
    ("start registration mode", "EnterRegistrationMode", {}),
    ("register a new satellite", "EnterRegistrationMode", {}),
    ("reboot this satellite", "RebootSatellite", {}),
    ("restart the satellite", "RebootSatellite", {}),
    ("set the time to seven thirty", "SetTime", {"clock_hour": 7, "clock_minute": 30}),
    ("set the time to 23 5", "SetTime", {"clock_hour": 23, "clock_minute": 5}),
    ("set the time to nine", "SetTime", {"clock_hour": 9}),
    ("reload all plugins", "ReloadPlugins", {}),
    ("reload the plugins", "ReloadPlugins", {}),
])
def test_templates_give_the_admin_intents(catalogue, load_plugin_module, text, intent, slots):
    recogniser = load_plugin_module("intents", "recogniser").IntentRecogniser(catalogue.intents)
    match = recogniser.recognise(text)
    assert match is not None and match.intent == intent and match.method == "template"
    assert {k: int(v) for k, v in match.slots.items()} == slots
    assert catalogue.owners[intent] == "system_admin" and not catalogue.problems


def test_admin_intents_are_in_the_default_gate_list_and_the_grammar_compiles(catalogue, load_plugin_module):
    assert set(ADMIN) <= set(PipelineSettings().admin_intents)
    grammar = load_plugin_module("stt_pocketsphinx", "jsgf").compile_jsgf(catalogue.intents)
    assert set(ADMIN) <= set(grammar.intents)
    assert not [s for s in grammar.skipped if s.split(":")[0] in ADMIN]
    assert {"registration", "reboot", "satellite", "plugins", "clock"} <= grammar.words


@pytest.mark.parametrize("phrase", ["register a new satellite", "reload all plugins"])
def test_spoken_admin_commands_are_recognised_by_the_grammar(recogniser, speech, phrase):
    transcript = recogniser.transcribe(speech(phrase))
    assert transcript.text == phrase and transcript.source == "grammar"


def test_clock_command_arguments_are_checked(load_plugin_module):
    main = sys.modules.get("trixy_plugins.system_admin.main") or load_plugin_module("system_admin", "main")
    assert main.clock_arguments(["set-clock", "{time}", "{hour}h{minute}"], 7, 5) == ["set-clock", "07:05", "07h05"]
    assert main.clock_arguments([], 7, 5) == []
    with pytest.raises(main.SystemAdminError, match="not a time of day"):
        main.clock_arguments(["x"], 24, 0)
    with pytest.raises(main.SystemAdminError, match="argument list"):
        main.clock_arguments("date -s {time}", 1, 0)  # type: ignore[arg-type]


@pytest.fixture
async def server(tmp_path: Path):
    """A started server Application: real plugins/, real network on port 0, voice pipeline allowing 'Johannes'."""
    ports = [f"network.{p}=0" for p in ("command_port", "audio_input_port", "audio_output_port", "music_port")]
    app = create_application("server", root=tmp_path, setup_logging=False, overrides=[
        f"paths.plugins={PLUGINS}", "scheduler.enabled=false", "network.bind_address=127.0.0.1", *ports])
    SatelliteNetwork.from_application(app)
    VoicePipeline.from_application(app, PipelineSettings(admin_speakers=["Johannes"]))
    reloads: list[str] = []

    async def reload_plugins() -> list[str]:  # the real one reloads every plugin (pocketsphinx...): seconds of CPU
        reloads.append("called")
        return []

    app.functions.register("reload_plugins", reload_plugins, "test: record the call", replace=True)
    async with app:
        app.test_reloads = reloads  # type: ignore[attr-defined]
        yield app


async def _turn(app: Any, text: str, *, system_command: bool, speaker: str, speaker_id: int = 0) -> tuple[list[str], str]:
    """Open a conversation, send the text through the intents plugin, wait for its end: (spoken texts, end reason)."""
    said: list[str] = []
    sub = app.event_handler.subscribe(names.SAY, lambda n, d: said.append(d.text), threaded=False, priority=10_000)
    try:
        conversation = await app.conversations.open("kitchen", speaker_id=speaker_id, speaker_name=speaker,
                                                    is_system_command=system_command)
        await app.event_handler.trigger(names.TEXT_RECEIVED, TextReceived(
            text, conversation_id=conversation.id, satellite_id="kitchen", speaker_id=speaker_id, speaker_name=speaker))
        for _ in range(500):
            if app.conversations.get(conversation.id) is None:
                break
            await asyncio.sleep(0.01)
        ended = [c for c in app.conversations.ended if c.id == conversation.id]
        assert ended, f"conversation not closed; said {said}"
        return said, ended[-1].end_reason
    finally:
        sub.cancel()


async def test_registration_mode_by_system_command_from_an_allowed_speaker(server):
    manager = server.satellite_manager
    assert not manager.registration_mode
    said, reason = await _turn(server, "start registration mode", system_command=True, speaker="Johannes")
    assert manager.registration_mode and said == ["Registration mode is on for 60 seconds"] and reason == "answered"


@pytest.mark.parametrize(("system_command", "speaker", "speaker_id"), [
    (False, "Johannes", 0),   # the normal wake word
    (True, "Eve", 3),         # system command, speaker not in admin_speakers
    (True, "", -1),           # system command, unidentified speaker
])
async def test_refused_without_system_command_or_for_other_speakers(server, system_command, speaker, speaker_id):
    manager = server.satellite_manager
    said, reason = await _turn(server, "register a new satellite", system_command=system_command, speaker=speaker,
                               speaker_id=speaker_id)
    assert said == [NOT_ALLOWED] and reason == "not allowed" and not manager.registration_mode
    said, reason = await _turn(server, "reload all plugins", system_command=system_command, speaker=speaker,
                               speaker_id=speaker_id)
    assert said == [NOT_ALLOWED] and reason == "not allowed"
    assert server.test_reloads == [] and server.pipeline.admin.refused == 2


async def test_reload_plugins_calls_the_registered_function_after_answering(server):
    said, reason = await _turn(server, "reload the plugins", system_command=True, speaker="johannes")
    assert said == ["Okay, reloading all plugins"] and reason == "answered"
    for _ in range(200):
        if server.test_reloads:
            break
        await asyncio.sleep(0.01)
    assert server.test_reloads == ["called"]


async def test_set_time_runs_the_configured_command_or_only_logs(server, tmp_path):
    plugin = server.plugin_manager.get("system_admin")
    said, _ = await _turn(server, "set the time to seven thirty", system_command=True, speaker="Johannes")
    assert said == ["I would set the time to 7:30, but no clock command is configured"]
    marker = tmp_path / "clock.txt"
    plugin.config["set_time_command"] = [sys.executable, "-c",
                                         f"open({str(marker)!r}, 'w').write('{{time}}')"]
    said, reason = await _turn(server, "set the clock to nine 5", system_command=True, speaker="Johannes")
    assert said == ["Okay, the time is set to 9:05"] and reason == "answered" and marker.read_text() == "09:05"
    plugin.config["set_time_command"] = [sys.executable, "-c", "raise SystemExit(3)"]
    said, reason = await _turn(server, "set the time to ten", system_command=True, speaker="Johannes")
    assert said == ["That didn't work"] and reason.startswith("plugin error")


async def test_reboot_of_an_unknown_satellite_is_answered(server):
    said, reason = await _turn(server, "reboot this satellite", system_command=True, speaker="Johannes")
    assert said == ["The satellite could not be restarted"] and reason == "answered"


async def test_plugin_refuses_on_its_own_without_the_gate(server):
    """Standalone has no server gate: the plugin applies the rule itself (here with the gate unsubscribed)."""
    await server.pipeline.stop()
    said, reason = await _turn(server, "start registration mode", system_command=False, speaker="Johannes")
    assert said == [NOT_ALLOWED] and reason == "not allowed" and not server.satellite_manager.registration_mode
    assert server.pipeline.admin.refused == 0


async def test_standalone_default_lets_the_system_command_word_authorise(app):
    """The conftest's standalone Application: no pipeline gate, `pipeline.admin_speakers` empty (the default): the
    system-command wake word authorises (spec), the normal wake word does not."""
    assert app.get("pipeline") is None
    reloads: list[str] = []

    async def reload_plugins() -> list[str]:  # the real one reloads every plugin: seconds of CPU
        reloads.append("called")
        return []

    app.functions.register("reload_plugins", reload_plugins, "test: record the call", replace=True)
    said, reason = await _turn(app, "reload all plugins", system_command=False, speaker="Johannes")
    assert said == [NOT_ALLOWED] and reason == "not allowed"
    said, reason = await _turn(app, "reload all plugins", system_command=True, speaker="", speaker_id=-1)
    assert said == ["Okay, reloading all plugins"] and reason == "answered"
