"""The declared-events contract: plugins declare what they raise; a subscription to a name nobody declares is reported."""

from __future__ import annotations

import logging
import types

import pytest

from trixy_core.errors import EventError, PluginLoadError
from trixy_core.events import EventHandler, names
from trixy_core.events.contract import CORE_OWNER, EventContract
from trixy_core.plugins import PluginManager

TYPO = """
from trixy_core import TrixyEvent, TrixyPlugin

class Typo(TrixyPlugin):
    @TrixyEvent(["satelite connected"])
    def on_connect(self, event_name, event_data):
        return "heard"
"""

# "zz_raiser" loads after "listener" (alphabetical): the check must wait until every plugin has declared.
LISTENER = """
from trixy_core import TrixyEvent, TrixyPlugin

class Listener(TrixyPlugin):
    @TrixyEvent(["pizza ready", "satellite *"])
    def on_pizza(self, event_name, event_data):
        return event_name
"""

RAISER = """
from trixy_core import TrixyPlugin

class Raiser(TrixyPlugin):
    raises_events = ("Pizza_Ready",)
"""

BAD_DECLARATION = """
from trixy_core import TrixyPlugin

class Bad(TrixyPlugin):
    raises_events = ("pizza *",)
"""


def manager_for(plugin_folders, handler: EventHandler) -> PluginManager:
    return PluginManager(types.SimpleNamespace(event_handler=handler), plugin_folders.root, handler)


def warnings_of(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]


async def test_typo_subscription_warns_naming_plugin_and_closest_declared_name(plugin_folders, handler, caplog):
    plugin_folders.write("typo", TYPO)
    manager = manager_for(plugin_folders, handler)
    with caplog.at_level(logging.WARNING):
        assert await manager.load_all() == ["typo"]
    [message] = warnings_of(caplog)
    assert "plugin 'typo'" in message and "'satelite connected'" in message
    assert "did you mean 'satellite connected'?" in message
    # the subscription still works (event names are plain strings): the warning is the whole effect
    outcome = await handler.trigger("satelite connected", None)
    assert outcome.values == ["heard"]


async def test_event_declared_by_a_later_plugin_is_not_reported(plugin_folders, handler, caplog):
    plugin_folders.write("listener", LISTENER)
    plugin_folders.write("zz_raiser", RAISER)
    manager = manager_for(plugin_folders, handler)
    with caplog.at_level(logging.WARNING):
        assert await manager.load_all() == ["listener", "zz_raiser"]
    assert warnings_of(caplog) == []
    assert handler.contract.declared_by("zz_raiser") == {"pizza ready"}


async def test_unloading_the_raiser_makes_a_reloaded_listener_report_again(plugin_folders, handler, caplog):
    plugin_folders.write("listener", LISTENER)
    plugin_folders.write("zz_raiser", RAISER)
    manager = manager_for(plugin_folders, handler)
    await manager.load_all()
    await manager.unload("zz_raiser")
    assert not handler.contract.is_declared("pizza ready")
    with caplog.at_level(logging.WARNING):
        await manager.reload("listener")
    [message] = warnings_of(caplog)
    assert "plugin 'listener'" in message and "'pizza ready'" in message


async def test_a_pattern_in_raises_events_is_a_load_error_naming_the_class(plugin_folders, handler):
    plugin_folders.write("bad", BAD_DECLARATION)
    manager = manager_for(plugin_folders, handler)
    with pytest.raises(PluginLoadError, match=r"Bad\.raises_events.*not patterns"):
        await manager.load("bad")
    assert "bad" not in manager and manager.problems[0].phase == "import"


async def test_typo_is_reported_again_after_a_reload(plugin_folders, handler, caplog):
    plugin_folders.write("typo", TYPO)
    manager = manager_for(plugin_folders, handler)
    await manager.load_all()
    with caplog.at_level(logging.WARNING):
        await manager.reload("typo")
    assert any("'satelite connected'" in m for m in warnings_of(caplog))


async def test_component_declaration_and_once_only_warning(handler, caplog):
    handler.subscribe("sync finishd", lambda n, d: None, owner="tui")
    handler.declare_events("standalone sync", ["sync finished"])
    with caplog.at_level(logging.WARNING):
        first = handler.check_subscriptions()
        second = handler.check_subscriptions()
    assert [p.closest for p in first] == ["sync finished"] and len(second) == 1
    assert len(warnings_of(caplog)) == 1


def test_core_names_are_declared_and_patterns_never_reported() -> None:
    contract = EventContract()
    assert contract.declared_by(CORE_OWNER) == set(names.ALL_EVENTS)
    assert contract.check("p", "satellite connected") is None
    assert contract.check("p", "satelite *") is None
    assert contract.check("p", "completely different thing").closest is None
    contract.forget(CORE_OWNER)
    assert contract.is_declared("say")
    with pytest.raises(EventError, match="declares a bad event name"):
        contract.declare("p", [""])
    with pytest.raises(EventError, match="give a list of event names"):
        contract.declare("p", 42)
