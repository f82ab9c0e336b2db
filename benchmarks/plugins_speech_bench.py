"""Speech plugins: STT accuracy on espeak-ng phrases (grammar vs general model) and per-stage latency of one turn.

Run: .venv/bin/python benchmarks/plugins_speech_bench.py [--quick]
Prints one line per figure. Baselines are measured in the same run: the general model alone (accuracy and STT time)
and the utterance's own duration (real-time factor).
"""

from __future__ import annotations

import argparse
import importlib
import subprocess
import sys
import time
from pathlib import Path

from trixy_core.plugins.loader import import_plugin_main, import_plugin_submodule
from trixy_server.audio_convert import resample_clip

ROOT = Path(__file__).resolve().parents[1]
PLUGINS = ROOT / "plugins"
PHRASES = [
    "please order a pizza",
    "a spicy one",
    "what time is it",
    "set a timer for five minutes",
    "order a margherita pizza",
    "stop the music",
    "cancel the timer",
    "what's the date today",
]
VOICES = [("en-us", 175), ("en", 175), ("en-gb-x-rp", 140), ("en-us+f3", 190), ("en-us", 150), ("en-gb", 150)]


def module(plugin: str, name: str):
    if f"trixy_plugins.{plugin}" not in sys.modules:
        import_plugin_main(plugin, PLUGINS / plugin)
    return importlib.import_module(import_plugin_submodule(plugin, name).__name__)


def espeak(text: str, voice: str, speed: int) -> bytes:
    wav = subprocess.run(["espeak-ng", "-v", voice, "-s", str(speed), "--stdout", text], capture_output=True,
                         check=True).stdout
    samples, rate = module("tts_espeak", "engine").parse_wav(wav)
    return resample_clip(samples, rate, 16000).tobytes()


def intent_key(nlu, text: str, context=None):
    match = nlu.recognise(text, context)
    if match is None:
        return None
    return match.intent, {k: float(v) if isinstance(v, int | float) else v for k, v in match.slots.items()}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="4 phrases, 2 voices")
    args = parser.parse_args()
    phrases, voices = (PHRASES[:4], VOICES[:2]) if args.quick else (PHRASES, VOICES)

    catalogue_mod = module("intents", "catalogue")
    sources = [(p.name, p) for p in sorted(PLUGINS.iterdir()) if (p / "sentences.yaml").is_file()]
    catalogue = catalogue_mod.build_catalogue(sources)
    nlu = module("intents", "recogniser").IntentRecogniser(catalogue.intents)
    engine = module("stt_pocketsphinx", "engine")
    grammar_stt = engine.PocketsphinxRecogniser()
    started = time.perf_counter()
    grammar_stt.set_grammar(grammar_stt.compile_grammar(catalogue.intents))
    print(f"grammar compile: {time.perf_counter() - started:.2f} s for {len(catalogue.intent_names)} intents, "
          f"{len(grammar_stt.grammar.words)} words")
    general_stt = engine.PocketsphinxRecogniser(None)
    general_stt.warm_up()

    results = {"grammar": [0, 0, 0.0], "general": [0, 0, 0.0]}  # exact, intent-correct, seconds
    total = 0
    for voice, speed in voices:
        for phrase in phrases:
            pcm = espeak(phrase, voice, speed)
            context = {"asked_by": "pizza_order"}
            want = intent_key(nlu, phrase, context)
            total += 1
            for name, stt in (("grammar", grammar_stt), ("general", general_stt)):
                t = stt.transcribe(pcm)
                results[name][0] += t.text == phrase
                results[name][1] += intent_key(nlu, t.text, context) == want
                results[name][2] += t.decode_s
                if name == "grammar" and t.text != phrase:
                    print(f"  grammar heard {t.text!r} for {phrase!r} ({voice}, ratio {t.score_ratio:.2f})")
    for name, (exact, right, seconds) in results.items():
        label = "grammar + fallback" if name == "grammar" else "general model only (baseline)"
        print(f"STT {label}: exact {exact}/{total} ({100 * exact / total:.0f}%), intent correct {right}/{total} "
              f"({100 * right / total:.0f}%), mean decode {1000 * seconds / total:.0f} ms")

    # one turn, stage by stage: "please order a pizza" -> OrderPizza -> the question spoken
    pcm = espeak("please order a pizza", "en-us", 175)
    tts = module("tts_espeak", "engine").EspeakSynthesiser()
    tts.synthesise("warm up")
    audio_s = len(pcm) / 32000
    runs = 5
    stt_s = min(_timed(lambda: grammar_stt.transcribe(pcm)) for _ in range(runs))
    general_s = min(_timed(lambda: general_stt.transcribe(pcm)) for _ in range(2))
    nlu_s = min(_timed(lambda: nlu.recognise("please order a pizza")) for _ in range(runs))
    fuzzy_s = min(_timed(lambda: nlu.recognise("um plese order a pizza for me")) for _ in range(runs))
    tts_s = min(_timed(lambda: tts.synthesise("Ok, what kind of pizza do you want?")) for _ in range(runs))
    print(f"STT (grammar) one utterance: {1000 * stt_s:.0f} ms for {audio_s:.2f} s of audio "
          f"(RTF {stt_s / audio_s:.2f}; general model alone: {1000 * general_s:.0f} ms, ratio {general_s / stt_s:.1f})")
    print(f"intent (template match): {1000 * nlu_s:.2f} ms (fuzzy path: {1000 * fuzzy_s:.2f} ms)")
    print(f"TTS 'Ok, what kind of pizza do you want?': {1000 * tts_s:.0f} ms")
    print(f"STT + intent + TTS: {1000 * (stt_s + nlu_s + tts_s):.0f} ms (target for the whole pipeline: < 1000 ms)")

    import asyncio

    marks = asyncio.run(pipeline_turn(espeak("what time is it", "en-us", 175)))
    if "tts received" in marks:
        t0 = marks["start"]
        stages = [("STT", "text received"), ("intent", "intent received"), ("plugin", "say"), ("TTS", "tts received")]
        previous = t0
        parts = []
        for label, event in stages:
            parts.append(f"{label} {1000 * (marks[event] - previous):.0f} ms")
            previous = marks[event]
        print(f"in-app turn 'what time is it' (events, no network): {', '.join(parts)}; "
              f"audio event -> tts received {1000 * (marks['tts received'] - t0):.0f} ms")
    else:
        print("in-app turn: no tts received (see the log)")


async def pipeline_turn(pcm: bytes) -> dict[str, float]:
    """One turn through a real standalone Application with the real plugins: stage times from the audio event."""
    import asyncio
    import tempfile

    from trixy_core.application import create_application
    from trixy_core.events import names
    from trixy_core.events.data import RawAudioInputReceived

    marks: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        app = create_application("standalone", root=tmp, overrides=[f"paths.plugins={PLUGINS}"], setup_logging=False)
        await app.start()
        try:
            await asyncio.sleep(0.5)  # let the start-up catalogue rebuild settle
            for name in (names.TEXT_RECEIVED, names.INTENT_RECEIVED, names.SAY, names.TTS_RECEIVED):
                app.event_handler.subscribe(
                    name, lambda n, d: marks.setdefault(n, time.perf_counter()), threaded=False, priority=10_000
                )
            conversation = await app.conversations.open("bench")
            marks["start"] = time.perf_counter()
            await app.event_handler.trigger(
                names.RAW_AUDIO_INPUT_RECEIVED, RawAudioInputReceived(conversation.id, pcm, 16000, satellite_id="bench")
            )
            for _ in range(1000):
                if names.TTS_RECEIVED in marks:
                    break
                await asyncio.sleep(0.005)
        finally:
            await app.stop()
    return marks


def _timed(fn) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


if __name__ == "__main__":
    main()
