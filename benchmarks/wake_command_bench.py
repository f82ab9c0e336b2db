"""Wake word + command, end to end on espeak-ng audio: does the command reach the right intent?

What a user meets first (issue 14's first table, here on espeak-ng voices): "Trixie" then a command, through the
satellite's real streaming detector, the satellite's cut (the command's recording starts at the quietest 30 ms of
the 0.3 s before the window that fired ended, `trixy_satellite.listening.command_start`; on the line before it, for
comparison, where that window ended, as before 2026-12-07), the pocketsphinx plugin built from its shipped
`config.json` (grammar of the shipped intents, wake words allowed in front) and the intent recogniser. The third rule
is what the satellite and the server do since 2026-12-07: the satellite also sends 0.2 s from before its cut, apart
from the command (`WakeWordDetected.command_lead_ms`), and the recogniser decodes again from 0.1 s before the cut
when the grammar rejects the command (its config's `earlier_starts_s`); the fourth also rechecks commands the grammar
accepted and keeps a longer sentence from the lead (`recheck_accepted`, off in the shipped config: one more decode
for every command after a wake word). One line per
pause between the wake word and the command: espeak-ng saying "Trixie. <command>" in one go (it leaves 40-60 ms
between the two), and the two said apart with 0.15 / 0.3 / 0.6 s of silence between them.

Voices: 9, of which 6 are training families of the wake-word model and 3 held out (en-gb-scotland, en-029 and the
f5 / m7 variants), so this is in-domain for the wake word (espeak-ng) and says nothing about other engines.

    .venv/bin/python benchmarks/wake_command_bench.py [--verbose]
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))

import plugins_speech_bench as psb  # noqa: E402

from trixy_satellite.listening.command_start import command_start_s  # noqa: E402
from trixy_satellite.wakeword import WakewordDetector, load_wakeword_model  # noqa: E402

SR = 16000
COMMANDS = ["what time is it", "set a timer for five minutes", "what is the date today"]
VOICES = [("en-us", 175), ("en-gb", 160), ("en-gb-x-rp", 140), ("en-us+f3", 190), ("en-us+m3", 150), ("en-gb+f4", 170),
          ("en-gb-scotland", 160), ("en-029+m7", 160), ("en-gb-scotland+f5", 150)]
PAUSES: list[float | None] = [None, 0.15, 0.3, 0.6]  # None: "Trixie. <command>" in one espeak-ng run
#: the satellite's lead before the cut (`ConversationRecorder.command_lead_s`), sent apart from the command
LEAD_S = 0.2


def pcm16(audio: np.ndarray) -> bytes:
    """Float audio as 16-bit PCM bytes."""
    return (np.clip(audio, -1, 1) * 32767).astype(np.int16).tobytes()


def voiced(pcm: bytes) -> np.ndarray:
    """espeak-ng PCM as float, its leading and trailing silence cut."""
    audio = np.frombuffer(pcm, np.int16).astype(np.float32) / 32768
    loud = np.flatnonzero(np.abs(audio) > 1e-3)
    return audio[loud[0] : loud[-1] + 1]


def utterance(voice: str, speed: int, command: str, pause: float | None) -> np.ndarray:
    """1 s of silence, the wake word and the command (``pause`` apart), 1 s of silence; peak -6 dBFS."""
    if pause is None:
        speech = voiced(psb.espeak(f"Trixie. {command}", voice, speed))
    else:
        gap = np.zeros(int(pause * SR), np.float32)
        speech = np.concatenate([voiced(psb.espeak("Trixie", voice, speed)), gap, voiced(psb.espeak(command, voice, speed))])
    silence = np.zeros(SR, np.float32)
    return np.concatenate([silence, speech / np.abs(speech).max() * 0.5, silence])


def recogniser():
    """The pocketsphinx plugin's recogniser as its shipped config builds it, with the shipped intents' grammar."""
    config = json.loads((psb.PLUGINS / "stt_pocketsphinx" / "config.json").read_text())
    catalogue = psb.module("intents", "catalogue")
    cat = catalogue.build_catalogue([(p.name, p) for p in sorted(psb.PLUGINS.iterdir()) if (p / "sentences.yaml").is_file()])
    engine = psb.module("stt_pocketsphinx", "engine")
    stt = engine.PocketsphinxRecogniser(
        min_score_ratio=float(config.get("min_score_ratio", engine.DEFAULT_MIN_SCORE_RATIO)),
        extra_pronunciations=dict(config.get("pronunciations", {}) or {}),
        wake_words=list(config.get("wake_words", []) or []),
        earlier_starts_s=config.get("earlier_starts_s", list(engine.DEFAULT_EARLIER_STARTS_S)),
        recheck_accepted=bool(config.get("recheck_accepted", False)),
    )
    stt.set_grammar(stt.compile_grammar(cat.intents))
    return stt, psb.module("intents", "recogniser").IntentRecogniser(cat.intents)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", default=str(REPO / "models" / "wakeword" / "trixy" / "trixy.onnx"))
    parser.add_argument("--verbose", action="store_true", help="one line per utterance")
    args = parser.parse_args()
    model = load_wakeword_model(args.model, threads=1)
    stt, nlu = recogniser()
    started = time.time()
    rules = ("where the window that fired ended", "the quietest moment before it",
             f"the quietest moment before it, {LEAD_S:g} s of lead audio for the recogniser's retries",
             "the quietest moment before it, the lead, and accepted commands rechecked too (recheck_accepted, off by default)")
    leads = (0, 0, int(LEAD_S * SR), int(LEAD_S * SR))
    rechecks = (False, False, stt.recheck_accepted, True)
    fired = dict.fromkeys(PAUSES, 0)
    right = {(rule, pause): 0 for rule in rules for pause in PAUSES}
    lag: list[float] = []
    for (voice, speed), command, pause in itertools.product(VOICES, COMMANDS, PAUSES):
        audio = utterance(voice, speed, command, pause)
        detector = WakewordDetector(model)
        detection = None
        for start in range(0, audio.size, 320):  # 20 ms microphone chunks, as the satellite feeds them
            hits = detector.feed(audio[start : start + 320])
            if hits:
                detection = hits[0]
                break
        if detection is None:
            if args.verbose:
                print(f"{voice} {command!r} pause {pause}: no wake word")
            continue
        fired[pause] += 1
        heard = int(round(detector.stream_time_s * SR))  # the microphone audio so far
        since = detector.stream_time_s - detection.stream_time_s
        lag.append(since)
        quiet = heard - int(round(command_start_s(audio[max(0, heard - 2 * SR) : heard], SR, since) * SR))
        cuts = (heard - int(round(since * SR)), quiet, quiet, quiet)
        for rule, cut, lead, recheck in zip(rules, cuts, leads, rechecks, strict=True):
            stt.recheck_accepted = recheck
            transcript = stt.transcribe(pcm16(audio[cut:]), lead_pcm=pcm16(audio[max(0, cut - lead) : cut]) if lead else b"")
            good = psb.intent_key(nlu, transcript.text) == psb.intent_key(nlu, command)
            right[(rule, pause)] += good
            if args.verbose:
                print(f"{voice} {command!r} pause {pause}, recording from {rule}: heard {transcript.text!r} "
                      f"({transcript.source}, from {transcript.earlier_s:g} s earlier){' ok' if good else ''}")
    total = len(VOICES) * len(COMMANDS)
    for rule in rules:
        for pause in PAUSES:
            what = "said in one run (\"Trixie. <command>\", 40-60 ms apart)" if pause is None else f"{pause:g} s apart"
            print(f"wake word + command, {what}, recording from {rule}: wake word fired {fired[pause]} of {total}, "
                  f"right intent {right[(rule, pause)]} of {total}")
        print(f"recording from {rule}: right intent in all {sum(right[(rule, p)] for p in PAUSES)} of {total * len(PAUSES)}")
    print(f"the detector reported {np.mean(lag) * 1000:.0f} ms after the window that fired ended (mean); {time.time() - started:.0f} s")

if __name__ == "__main__":
    main()
