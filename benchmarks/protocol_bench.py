"""TRXI codec throughput next to baselines measured in the same run on the same data.

Prints one line per figure: round trips/s (encode + decode) of a small command in binary, JSON and
gzip+encrypted form, beside bare msgpack.packb/unpackb and the Wyoming protocol's
write_event/read_event on a BytesIO; and MB/s for a 1 MiB multipart message beside bare msgpack.
Timing is CPU time of this process (time.process_time), best batch of interleaved rounds.
Run: .venv/bin/python benchmarks/protocol_bench.py [--quick]
"""

from __future__ import annotations

import dataclasses
import io
import os
import sys
import time
from collections.abc import Callable

import msgpack
from wyoming.event import Event as WyomingEvent
from wyoming.event import read_event, write_event

from trixy_protocol import Flags, FrameDecoder, UpdateChunk, WakeWordDetected, encode_frame, encode_message

QUICK = "--quick" in sys.argv
# CPU time of this process: the machine is shared, and wall time would count the time other
# processes held the CPU.  Every figure and its baselines are measured the same way.
_clock = time.process_time
BATCH_TIME = 0.02 if QUICK else 0.05
ROUNDS = 10 if QUICK else 40


def calibrate(fn: Callable[[], object], target: float) -> int:
    """Number of calls that take about ``target`` seconds."""
    n = 1
    while True:
        t0 = _clock()
        for _ in range(n):
            fn()
        dt = _clock() - t0
        if dt > target / 4:
            return max(1, int(n * target / dt))
        n *= 2


def rates(candidates: dict[str, Callable[[], object]], rounds: int = ROUNDS) -> dict[str, float]:
    """Calls/s of each candidate: best batch over interleaved rounds.

    Candidates are timed in alternation (CPU time) and each keeps its best batch, so every figure
    comes from the same conditions as its baselines.
    """
    sizes = {name: calibrate(fn, BATCH_TIME) for name, fn in candidates.items()}
    best = dict.fromkeys(candidates, 0.0)
    for _ in range(rounds):
        for name, fn in candidates.items():
            n = sizes[name]
            t0 = _clock()
            for _ in range(n):
                fn()
            best[name] = max(best[name], n / (_clock() - t0))
    return best


def main() -> None:
    small = WakeWordDetected(
        wake_word_id=0,
        wake_word_name="custom",
        speaker_id=3,
        speaker_name="Johannes",
        score=0.973,
        loudness_db=-21.5,
        timestamp_us=1_764_000_000_000_000,
    )
    data = {f.name: getattr(small, f.name) for f in dataclasses.fields(small)}
    key = os.urandom(32)

    def msgpack_rt() -> object:
        return msgpack.unpackb(msgpack.packb(data, use_bin_type=True), raw=False)

    def wyoming_rt() -> object:
        buf = io.BytesIO()
        write_event(WyomingEvent(type="wake-word-detected", data=data), buf)
        buf.seek(0)
        return read_event(buf)

    def trxi(flags: Flags, key: bytes | None = None) -> Callable[[], object]:
        decoder = FrameDecoder(key=key)

        def rt() -> object:
            return decoder.feed(encode_frame(small, flags=flags, key=key))

        assert rt()[0].message == small
        return rt

    small_rates = rates(
        {
            "msgpack": msgpack_rt,
            "wyoming": wyoming_rt,
            "binary (msgpack)": trxi(Flags.NONE),
            "JSON": trxi(Flags.JSON),
            "gzip+encrypted": trxi(Flags.GZIP | Flags.ENCRYPTED, key),
        }
    )
    base_mp = small_rates.pop("msgpack")
    base_wy = small_rates.pop("wyoming")
    print(f"baseline bare msgpack packb+unpackb (same 9 fields): {base_mp:,.0f} round trips/s")
    print(f"baseline Wyoming write_event+read_event on BytesIO (same 9 fields): {base_wy:,.0f} round trips/s")
    for label, r in small_rates.items():
        print(
            f"TRXI small command {label}: {r:,.0f} round trips/s "
            f"(Wyoming: {base_wy:,.0f}/s, ratio {r / base_wy:.2f}; bare msgpack: {base_mp:,.0f}/s, "
            f"{base_mp / r:.2f}x faster than TRXI)"
        )

    blob = os.urandom(1024 * 1024)
    big = UpdateChunk(update_id="u1", index=0, offset=0, data=blob)
    big_data = {"update_id": "u1", "index": 0, "offset": 0, "data": blob, "last": False}
    mib = len(blob) / 1e6

    def big_msgpack() -> object:
        return msgpack.unpackb(msgpack.packb(big_data, use_bin_type=True), raw=False)

    def big_trxi(flags: Flags, key: bytes | None = None) -> Callable[[], object]:
        decoder = FrameDecoder(key=key)

        def rt() -> object:
            out = []
            for frame in encode_message(big, flags=flags, key=key):
                out += decoder.feed(frame)
            return out

        events = rt()
        assert len(events) == 1 and events[0].message == big and events[0].parts > 1
        return rt

    def big_wyoming() -> object:
        buf = io.BytesIO()
        write_event(WyomingEvent(type="update-chunk", data={"update_id": "u1"}, payload=blob), buf)
        buf.seek(0)
        return read_event(buf)

    big_rates = rates(
        {
            "msgpack": big_msgpack,
            "wyoming": big_wyoming,
            "binary": big_trxi(Flags.NONE),
            "encrypted": big_trxi(Flags.ENCRYPTED, key),
        },
        rounds=max(3, ROUNDS // 4),
    )
    mp_rate = big_rates.pop("msgpack") * mib
    wy_rate = big_rates.pop("wyoming") * mib
    print(f"baseline 1 MiB bare msgpack packb+unpackb: {mp_rate:,.0f} MB/s")
    print(f"baseline 1 MiB Wyoming event with binary payload: {wy_rate:,.0f} MB/s")
    for label, r in big_rates.items():
        print(
            f"TRXI 1 MiB multipart {label} (256 KiB parts, MD5 per part): {r * mib:,.0f} MB/s "
            f"(bare msgpack: {mp_rate:,.0f} MB/s; Wyoming: {wy_rate:,.0f} MB/s)"
        )


if __name__ == "__main__":
    main()
