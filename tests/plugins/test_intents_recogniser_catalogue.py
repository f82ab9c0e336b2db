"""Intent engine: the catalogue built from the plugins' sentences.yaml, hassil matching, context answers, fuzzy."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="module")
def nlu(catalogue, load_plugin_module):
    return load_plugin_module("intents", "recogniser").IntentRecogniser(catalogue.intents)


def test_catalogue_collects_every_plugins_sentences_with_owners(catalogue):
    assert catalogue.problems == []
    assert catalogue.owners["OrderPizza"] == "pizza_order"
    assert catalogue.owners["SetTimer"] == "timer"
    assert catalogue.owners["GetTime"] == "time_date"
    assert catalogue.owners["PlayMusic"] == "music"
    assert catalogue.owners["Cancel"] == "intents"


@pytest.mark.parametrize(
    ("text", "intent", "slots"),
    [
        ("Please order a pizza", "OrderPizza", {}),
        ("order a spicy pizza", "OrderPizza", {"pizza_kind": "spicy"}),
        ("i'd like a salami pizza", "OrderPizza", {"pizza_kind": "pepperoni"}),
        ("what time is it", "GetTime", {}),
        ("what's the date today", "GetDate", {}),
        ("set a timer for five minutes", "SetTimer", {"minutes": 5}),
        ("set a timer for one hour and twenty five minutes", "SetTimer", {"hours": 1, "minutes": 25}),
        ("set a timer for 90 seconds", "SetTimer", {"seconds": 90}),
        ("cancel the timer", "CancelTimer", {}),
        ("pause the music", "PauseMusic", {}),
        ("never mind", "Cancel", {}),
    ],
)
def test_templates_give_intents_and_slots(nlu, text, intent, slots):
    match = nlu.recognise(text)
    assert match is not None and match.intent == intent and match.method == "template"
    assert {k: (int(v) if isinstance(v, float) and v.is_integer() else v) for k, v in match.slots.items()} == slots


def test_answer_only_sentences_need_the_asking_plugins_context(nlu):
    assert nlu.recognise("a spicy one") is None
    match = nlu.recognise("a spicy one", {"asked_by": "pizza_order"})
    assert match.intent == "OrderPizza" and match.slots == {"pizza_kind": "spicy"}
    assert nlu.recognise("a spicy one", {"asked_by": "timer"}) is None


def test_fuzzy_fallback_corrects_misheard_words_and_drops_fillers(nlu):
    match = nlu.recognise("plese ordr a spicey pizza")
    assert match.intent == "OrderPizza" and match.slots == {"pizza_kind": "spicy"}
    assert match.method == "fuzzy" and match.confidence < 1.0
    padded = nlu.recognise("um could you plese order a pizza for me")
    assert padded is not None and padded.intent == "OrderPizza" and padded.method == "fuzzy"


def test_unrelated_text_matches_nothing(nlu):
    assert nlu.recognise("sing me the song of the volga boatmen") is None
    assert nlu.recognise("") is None
    assert nlu.recognise("   ") is None


def test_bad_sentences_file_is_skipped_and_reported_the_others_load(tmp_path, load_plugin_module):
    catalogue_module = load_plugin_module("intents", "catalogue")
    good = tmp_path / "good"
    good.mkdir()
    (good / "sentences.yaml").write_text("intents:\n  Hello:\n    data:\n      - sentences: ['hello there']\n")
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "sentences.yaml").write_text("intents:\n  Bad:\n    data: [oops]\n")
    unparsable = tmp_path / "unparsable"
    unparsable.mkdir()
    (unparsable / "sentences.yaml").write_text("intents: [\n")
    built = catalogue_module.build_catalogue([("broken", broken), ("good", good), ("unparsable", unparsable)])
    assert built.intent_names == ["Hello"]
    assert len(built.problems) == 2
    assert "broken/sentences.yaml" in built.problems[0] and "'sentences' list" in built.problems[0]
    assert "cannot read YAML" in built.problems[1]
