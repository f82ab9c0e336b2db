"""Voice pipeline latency: end of the user's utterance (the satellite's silence cut) -> first TTS byte at the satellite.

Runs the pizza conversation (espeak-ng audio, the shipped plugins, real sockets on 127.0.0.1, one process) ROUNDS
times and splits every turn into stages, all on one clock (time.perf_counter):

  capture    silence cut on the satellite -> `raw audio input received` on the server (RecordingDone + last bytes)
  stt        -> `text received`            (pocketsphinx plugin)
  intent     -> `intent received`          (intents plugin)
  plugin     -> `say`                      (pizza_order plugin)
  tts        -> `tts received`             (espeak-ng plugin)
  transport  -> first speech byte at the satellite (speech socket)

Baselines in the same run: the recogniser alone on the same PCM, espeak-ng alone on the same text.

    .venv/bin/python benchmarks/pipeline_bench.py [ROUNDS]
"""

from __future__ import annotations

import asyncio
import logging
import statistics
import sys
import tempfile
import time
from pathlib import Path

from trixy_server.pipeline import PipelineSettings
from trixy_standalone.demo import LoopbackAssistant, pizza_conversation

STAGES = ("capture", "stt", "intent", "plugin", "tts", "transport")
EVENTS = ("raw audio input received", "text received", "intent received", "say", "tts received")


def turns(assistant: LoopbackAssistant, cuts: list[float], speech: list[tuple[float, int]]) -> list[dict[str, float]]:
    """Stage durations (ms) of every turn that ended with speech."""
    results = []
    for cut in cuts:
        marks = [cut]
        for name in EVENTS:
            later = [t for t, n, _ in assistant.events if n == name and t >= marks[-1]]
            if not later:
                break
            marks.append(later[0])
        else:
            first_byte = [t for t, _ in speech if t >= marks[-1]]
            if first_byte:
                marks.append(first_byte[0])
                results.append({s: (b - a) * 1000 for s, a, b in zip(STAGES, marks, marks[1:], strict=False)})
    return results


async def one_round(root: Path, index: int, settings: PipelineSettings) -> tuple[list[dict[str, float]], dict]:
    assistant = LoopbackAssistant(root / f"r{index}", settings=settings)
    await assistant.start()
    try:
        kitchen = await assistant.add_satellite("kitchen", "Kitchen", "aa:bb:cc:be:00:01")
        await assistant.add_satellite("living room", "Living room", "aa:bb:cc:be:00:02")
        cuts: list[float] = []
        recorder = kitchen.app.recorder
        recorder.on_state_change.append(lambda state: state == "idle" and cuts.append(time.perf_counter()))
        order = await pizza_conversation(assistant, root / f"r{index}")
        measured = turns(assistant, cuts, kitchen.speech_chunks)
        baseline = {}
        stt = assistant.app.plugin_manager.get("stt_pocketsphinx")
        tts = assistant.app.plugin_manager.get("tts_espeak")
        for raw, say in zip(assistant.of("raw audio input received"), assistant.of("say"), strict=False):
            started = time.perf_counter()
            await asyncio.to_thread(stt.recogniser.transcribe, raw.pcm)
            baseline.setdefault("stt", []).append((time.perf_counter() - started) * 1000)
            started = time.perf_counter()
            await asyncio.to_thread(tts.synthesiser.synthesise, say.text)
            baseline.setdefault("tts", []).append((time.perf_counter() - started) * 1000)
        if not order.get("kind"):
            print(f"round {index}: no order placed", file=sys.stderr)
        return measured, baseline
    finally:
        await assistant.stop()


async def main(rounds: int) -> None:
    settings = PipelineSettings(silence_s=1.5)
    samples: list[dict[str, float]] = []
    baselines: dict[str, list[float]] = {}
    with tempfile.TemporaryDirectory(prefix="trixy-bench-") as tmp:
        for index in range(rounds):
            measured, baseline = await one_round(Path(tmp), index, settings)
            samples += measured
            for key, values in baseline.items():
                baselines.setdefault(key, []).extend(values)
    if not samples:
        print("no turn was measured")
        return
    median = {s: statistics.median(x[s] for x in samples) for s in STAGES}
    total = [sum(x.values()) for x in samples]
    print(f"turns measured: {len(samples)} (pizza dialogue x {rounds}; silence cut {settings.silence_s:g} s)")
    for stage in STAGES:
        base = ""
        if stage in baselines:
            base = f"  ({stage} engine alone on the same input: median {statistics.median(baselines[stage]):7.1f} ms)"
        worst = max(x[stage] for x in samples)
        print(f"{stage:<9} median {median[stage]:7.1f} ms, worst {worst:7.1f} ms{base}")
    print(f"silence cut -> first TTS byte at the satellite: median {statistics.median(total):7.1f} ms, "
          f"worst {max(total):7.1f} ms (target < 1000 ms)")


if __name__ == "__main__":
    logging.basicConfig(level=logging.WARNING)
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 2))
