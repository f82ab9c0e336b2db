"""pocketsphinx STT engine: grammar compiled from the shipped sentence templates, tested on real espeak-ng audio."""

from __future__ import annotations

import numpy as np
import pytest
from hassil import Intents

from trixy_server.audio_convert import resample_clip

IN_DOMAIN = ("please order a pizza", "a spicy one", "what time is it", "set a timer for five minutes",
             "order a margherita pizza")


@pytest.fixture(scope="module")
def jsgf(load_plugin_module):
    return load_plugin_module("stt_pocketsphinx", "jsgf")


@pytest.fixture(scope="module")
def audio(load_plugin_module):
    return load_plugin_module("stt_pocketsphinx", "audio")


@pytest.fixture(scope="module")
def engine(load_plugin_module):
    return load_plugin_module("stt_pocketsphinx", "engine")


@pytest.fixture(scope="module")
def pronounce(load_plugin_module):
    return load_plugin_module("stt_pocketsphinx", "pronounce")

TEMPLATES = {
    "language": "en",
    "intents": {
        "SetTimer": {"data": [{"sentences": ["set [a] timer for {minutes} minute[s]"]}]},
        "Play": {"data": [{"sentences": ["play {song}", "play (some | the) music"]}]},
        "Order": {"data": [{"sentences": ["order [a] {kind} pizza", "order a zxqvbn pizza"]}]},
    },
    "lists": {
        "minutes": {"range": {"from": 1, "to": 25}},
        "song": {"wildcard": True},
        "kind": {"values": ["spicy", {"in": "(salami | pepperoni)", "out": "pepperoni"}]},
    },
}


def test_templates_become_jsgf_rules_with_numbers_in_words_and_suffixes_as_words(jsgf):
    grammar = jsgf.compile_jsgf(Intents.from_dict(TEMPLATES), pronounceable=lambda w: w != "zxqvbn")
    text = grammar.text
    assert "public <command> = ( <intent_SetTimer> | <intent_Play> | <intent_Order> );" in text
    assert "( minutes | minute )" in text  # minute[s] is two words, not "minute s"
    assert "twenty five" in text and "<list_minutes> = ( one | two |" in text
    assert "<list_kind> = ( spicy | ( salami | pepperoni ) );" in text
    assert "zxqvbn" not in text and "{song}" not in text
    assert any("wildcard" in s.lower() or "free text" in s for s in grammar.skipped)
    assert any("zxqvbn" in s for s in grammar.skipped)
    assert {"timer", "minutes", "twenty", "pepperoni"} <= grammar.words


def test_shipped_catalogue_compiles_without_unpronounceable_words(recogniser, catalogue):
    grammar = recogniser.grammar
    not_in_grammar = {"PlayTitle", "PlayArtist", "PlayAlbum",  # no music library here: no names to say yet
                      "CalendarAdd", "CalendarCancel"}       # free-text titles: the general model takes them
    assert set(grammar.intents) == set(catalogue.intent_names) - not_in_grammar
    shipped = {"OrderPizza", "GetTime", "GetDate", "SetTimer", "CancelTimer", "TimerStatus", "PlayMusic",
               "PauseMusic", "ResumeMusic", "StopMusic", "Cancel"}
    assert shipped <= set(grammar.intents)
    assert [s for s in grammar.skipped if s.split(":")[0] in shipped] == []
    # out-of-dictionary pizza names got espeak-ng pronunciations
    assert recogniser.added_words["margherita"].startswith("M AA R G")


def test_espeak_symbols_map_to_arpabet(pronounce):
    assert pronounce.to_arpabet(["m", ",A@", "g", "3", "r", "'i:", "t#", "@"]) == "M AA R G ER R IY T AH".split()
    assert pronounce.guess_pronunciations(["funghi"])["funghi"].startswith("F AH NG")


@pytest.mark.parametrize("phrase", IN_DOMAIN)
def test_in_domain_commands_are_recognised_from_espeak_audio(recogniser, speech, phrase):
    transcript = recogniser.transcribe(speech(phrase))
    assert transcript.source == "grammar"
    # "minute" for "minutes" is the same intent; everything else must be exact
    assert transcript.text.replace("minute", "minutes").replace("minutess", "minutes") == phrase
    assert 0.0 < transcript.confidence <= 1.0


def test_a_leading_wake_word_is_allowed_and_removed(recogniser, speech, jsgf):
    transcript = recogniser.transcribe(speech("trixy please order a pizza"))
    assert transcript.text == "please order a pizza" and transcript.grammar_text == "trixy please order a pizza"
    grammar = jsgf.compile_jsgf(Intents.from_dict(TEMPLATES), optional_prefixes=["Trixy", "hey trixy"])
    assert "public <command> = <commands> | ( trixy <commands> ) | ( hey trixy <commands> );" in grammar.text
    assert "<commands> = ( <intent_SetTimer> | <intent_Play> | <intent_Order> );" in grammar.text
    assert grammar.accepts("hey trixy set a timer for two minutes") and grammar.accepts("set a timer for two minutes")
    assert not grammar.accepts("trixy") and not grammar.accepts("trixy trixy play some music")


#: commands that the grammar with the wake words as an optional "[ trixy | hey trixy ]" prefix decoded as other
#: commands once silence came before them ("turn it up", "that's a little pond in it", "what i eat")
AFTER_SILENCE = [("set a timer for five minutes", "en-us+m3", 150), ("set a timer for five minutes", "en-gb+f4", 170),
                 ("what time is it", "en-us+f3", 190)]


@pytest.mark.parametrize(("phrase", "voice", "speed"), AFTER_SILENCE)
def test_a_command_after_silence_is_not_bent_by_the_wake_word_prefix(recogniser, espeak, phrase, voice, speed):
    pcm = espeak.pcm(phrase, voice=voice, speed=speed)
    silence = np.zeros(int(0.3 * 16000), dtype="<i2").tobytes()
    transcript = recogniser.transcribe(silence + pcm + silence + silence)
    assert transcript.text.replace("minute", "minutes").replace("minutess", "minutes") == phrase, transcript


def test_other_voice_and_speed_still_recognised(recogniser, espeak):
    pcm = espeak.pad(espeak.pcm("a spicy one", voice="en-gb-x-rp", speed=140))
    assert recogniser.transcribe(pcm).text == "a spicy one"


def test_out_of_grammar_sentence_is_rejected_by_the_grammar(recogniser, speech):
    recogniser.general_fallback = False  # the general model is slow; its own test is below
    try:
        transcript = recogniser.transcribe(speech("what is the weather like tomorrow"))
    finally:
        recogniser.general_fallback = True
    assert transcript.source == "none" and transcript.text == ""
    assert transcript.grammar_text == "" or transcript.score_ratio < recogniser.min_score_ratio


def test_rejected_utterance_is_decoded_by_the_general_model(recogniser, espeak):
    transcript = recogniser.transcribe(espeak.pcm("how old are you"))
    assert transcript.source == "general" and transcript.text  # free text (poorly, on a synthetic voice)


def test_partial_grammar_paths_are_not_complete_sentences(jsgf):
    grammar = jsgf.compile_jsgf(Intents.from_dict(TEMPLATES))
    assert grammar.accepts("set a timer for twenty five minutes")
    assert grammar.accepts("set timer for one minute")
    assert not grammar.accepts("set a")  # what pocketsphinx returns when no path reaches the grammar's end
    assert not grammar.accepts("twelve minute")
    assert not grammar.accepts("")


def test_silence_and_garbage_input_give_an_empty_transcript(recogniser, engine):
    assert recogniser.transcribe(b"").source == "none"
    assert recogniser.transcribe(np.zeros(16000, dtype="<i2").tobytes()).text == ""
    assert recogniser.transcribe(b"\x01").text == ""
    with pytest.raises(engine.SttError, match="sample rate"):
        recogniser.transcribe(b"\x00\x00" * 100, sample_rate=0)


def test_other_sample_rates_are_resampled(recogniser, speech, audio):
    pcm16 = np.frombuffer(speech("what time is it"), dtype="<i2")
    pcm48 = resample_clip(pcm16, 16000, 48000)
    assert recogniser.transcribe(pcm48.tobytes(), sample_rate=48000).text == "what time is it"


def test_resample_keeps_the_frequency_and_trim_keeps_the_speech(audio):
    t = np.arange(22050) / 22050
    tone = (8000 * np.sin(2 * np.pi * 440 * t)).astype(np.int16)
    out = resample_clip(tone, 22050, 16000)
    assert out.size == 16000
    assert abs(np.argmax(np.abs(np.fft.rfft(out))) - 440) <= 1
    padded = np.concatenate([np.zeros(8000, np.int16), out, np.zeros(8000, np.int16)])
    trimmed = audio.trim_silence(padded, 16000, margin_s=0.05)
    assert 16000 <= trimmed.size <= 16000 + 2 * 800 + 160
    assert audio.trim_silence(np.zeros(4000, np.int16)).size == 0


def test_grammar_can_be_replaced_and_cleared(catalogue, engine):
    stt = engine.PocketsphinxRecogniser()
    assert stt.grammar is None
    stt.set_grammar(stt.compile_grammar(catalogue.intents))
    assert stt.grammar is not None
    stt.set_grammar(None)
    assert stt.grammar is None


@pytest.mark.parametrize("voice", ["en-us", "en-gb"])
def test_commands_in_digital_silence_are_recognised(recogniser, espeak, voice):
    """Text-to-speech files and noise-gated microphones give exact zeros around and between words; the engine's
    dither makes them a quiet room (without it espeak-ng's "what time is it" at 150 wpm was heard as "why why")."""
    zeros = np.zeros(8000, dtype="<i2")
    pcm = np.concatenate([zeros, np.frombuffer(espeak.pcm("what time is it", voice=voice, speed=150), "<i2"), zeros])
    assert recogniser.transcribe(pcm.tobytes()).text == "what time is it"


def test_the_dither_is_fixed_and_one_16_bit_step(audio):
    silence = np.zeros(16000, dtype="<i2")
    once, again = audio.dither(silence), audio.dither(silence)
    assert np.array_equal(once, again) and once.dtype == np.dtype("<i2")  # the same audio gives the same text
    assert 0.8 < float(np.std(once.astype(np.float64))) < 1.3
    loud = np.full(100, 32767, dtype="<i2")
    assert audio.dither(loud).max() == 32767  # clipped, never wrapped


def _cut_command(espeak, cut_ms: int) -> tuple[bytes, bytes]:
    """espeak-ng "what time is it" after 0.5 s of room noise, cut ``cut_ms`` into its first sound:
    ``(lead, command)`` with 0.2 s of lead, as the satellite sends them after a wake word."""
    speech = np.frombuffer(espeak.pcm("what time is it", voice="en-us", speed=175), "<i2")
    speech = speech[np.flatnonzero(np.abs(speech) > 30)[0] :]
    audio = np.concatenate([np.random.default_rng(0).normal(0, 20, 8000).astype("<i2"), speech])
    cut = 8000 + cut_ms * 16
    return audio[cut - 3200 : cut].tobytes(), audio[cut:].tobytes()


def test_a_command_cut_inside_its_first_sound_is_decoded_again_from_the_lead(recogniser, espeak, engine):
    """Rejected from the cut (or, with recheck_accepted, accepted as a shorter command): decoded again from 0.1 s
    into the lead."""
    # a recogniser of its own: pocketsphinx's live cepstral mean carries over from every utterance a decoder heard
    # before, and these cuts are borderline, so with the session's shared recogniser the result depended on what
    # other tests had decoded; and the audio must be the same in every run (the conftest's sox -R: two fresh-clone
    # CI runs heard "what time is it" and "" where "stop it" is expected when sox's dither was seeded by the clock)
    shared = recogniser
    recogniser = engine.PocketsphinxRecogniser(wake_words=shared.wake_words)
    recogniser.added_words.update(shared.added_words)
    recogniser.set_grammar(shared.grammar)
    lead, command = _cut_command(espeak, 110)
    recogniser.general_fallback = False
    try:
        assert recogniser.transcribe(command).source == "none"  # "wh" is gone: the grammar finds no sentence
        transcript = recogniser.transcribe(command, lead_pcm=lead)
        assert (transcript.source, transcript.text, transcript.earlier_s) == ("grammar", "what time is it", 0.1)
        assert recogniser.transcribe(command, lead_pcm=lead[-1280:]).source == "none"  # 40 ms of lead: no retry
        later_lead, later = _cut_command(espeak, 170)  # "what" gone: the grammar takes the rest for another command
        assert recogniser.transcribe(later, lead_pcm=later_lead).text == "stop it"  # accepted: no retry by default
        recogniser.recheck_accepted = True
        transcript = recogniser.transcribe(later, lead_pcm=later_lead)  # from 0.1 s earlier: a longer sentence wins
        assert (transcript.text, transcript.earlier_s) == ("what time is it", 0.1)
        whole_lead, whole = _cut_command(espeak, 0)
        transcript = recogniser.transcribe(whole, lead_pcm=whole_lead)  # nothing cut: the lead is not used
        assert transcript.text == "what time is it" and transcript.earlier_s == 0.0
        recogniser.earlier_starts_s = ()
        assert recogniser.transcribe(command, lead_pcm=lead).source == "none"  # retries turned off
    finally:
        recogniser.general_fallback = True
        recogniser.earlier_starts_s = engine.DEFAULT_EARLIER_STARTS_S
        recogniser.recheck_accepted = False


@pytest.mark.parametrize("bad", [0.1, "0.1", [0.0], [0.1, 0.05], [1.5], [True], [0.1, 0.1]])
def test_bad_earlier_starts_are_refused_with_the_reason(engine, bad):
    with pytest.raises(engine.SttError, match="earlier_starts_s"):
        engine.check_earlier_starts(bad)
    assert engine.check_earlier_starts([0.05, 0.1]) == (0.05, 0.1) and engine.check_earlier_starts([]) == ()


@pytest.mark.parametrize("bad", ["false", 1, None])
def test_recheck_accepted_must_be_true_or_false(load_plugin_module, engine, bad):
    main = load_plugin_module("stt_pocketsphinx", "main")
    with pytest.raises(main.SttError, match="recheck_accepted must be true or false"):
        main._flag(bad, "recheck_accepted")
    assert main._flag(True, "recheck_accepted") is True
