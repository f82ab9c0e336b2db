"""The template plugin is reachable: its sentences.yaml gives the `hello` intent it listens for."""

from __future__ import annotations

import json
from pathlib import Path

PLUGINS = Path(__file__).resolve().parents[2] / "plugins"


def test_example_sentences_are_collected_and_owned_by_the_example(catalogue):
    assert catalogue.owners["hello"] == "example"


def test_example_hello_phrases_give_the_intent_the_plugin_waits_for(catalogue, load_plugin_module):
    nlu = load_plugin_module("intents", "recogniser").IntentRecogniser(catalogue.intents)
    wanted = json.loads((PLUGINS / "example" / "config.json").read_text())["intent"]
    for text in ("hello", "hi there", "say hello"):
        match = nlu.recognise(text)
        assert match is not None and match.intent == wanted, text
