"""The shipped plugins keep the declared-events contract: every exact name they subscribe to is declared by someone."""

from __future__ import annotations

import logging
from typing import Any


async def test_shipped_plugins_subscribe_only_to_declared_events(app: Any) -> None:
    undeclared = app.event_handler.check_subscriptions()
    assert undeclared == [], "\n".join(p.message() for p in undeclared)


async def test_shipped_plugins_declare_the_events_only_they_raise(app: Any, caplog) -> None:
    contract = app.event_handler.contract
    assert contract.declared_by("intents") >= {"intents changed", "intent received"}
    assert contract.declared_by("timer") >= {"timer finished"}
    assert contract.declared_by("music") == {"music play", "music stop", "slot values changed"}
    # the stt plugin hears "intents changed" only because the intents plugin declares it
    await app.plugin_manager.unload("intents")
    with caplog.at_level(logging.WARNING):
        problems = app.event_handler.check_subscriptions("stt_pocketsphinx")
    assert [p.event for p in problems] == ["intents changed"]
    assert any("plugin 'stt_pocketsphinx'" in r.getMessage() for r in caplog.records)
