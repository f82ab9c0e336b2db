"""Event handler throughput and latency, each next to the bare cost of calling the same handlers directly.

    .venv/bin/python benchmarks/events_bench.py [--seconds 0.5]

One line per figure: events/s through `await event_handler.trigger(...)` with 1, 10 and 100 subscribers (plain
handlers in worker threads, plain handlers inline on the loop, async handlers), the direct-call baseline and the
ratio; then the latency from `trigger()` to the first handler starting (median and p99).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time

from trixy_core.events import EventHandler


def sync_handler(name, data):
    return data


async def async_handler(name, data):
    return data


async def measure(seconds: float, step) -> float:
    """Calls of `step` per second, run for about `seconds`."""
    count = 0
    start = time.perf_counter()
    deadline = start + seconds
    while True:
        for _ in range(20):
            await step()
        count += 20
        now = time.perf_counter()
        if now >= deadline:
            return count / (now - start)


async def throughput(seconds: float) -> None:
    for kind in ("sync-thread", "sync-inline", "async"):
        for subscribers in (1, 10, 100):
            handler = EventHandler()
            func = async_handler if kind == "async" else sync_handler
            funcs = [func] * subscribers
            for f in funcs:
                handler.subscribe("bench event", f, threaded=(kind == "sync-thread"))

            async def via_events(handler=handler) -> None:
                await handler.trigger("bench event", 1)

            if kind == "async":

                async def direct(funcs=funcs) -> None:
                    for f in funcs:
                        await f("bench event", 1)
            else:

                async def direct(funcs=funcs) -> None:
                    for f in funcs:
                        f("bench event", 1)

            events_per_s = await measure(seconds, via_events)
            direct_per_s = await measure(seconds, direct)
            await handler.close()
            print(
                f"trigger {kind:<11} {subscribers:>3} subscribers: {events_per_s:>10,.0f} events/s "
                f"(direct calls: {direct_per_s:>12,.0f}/s, ratio {direct_per_s / events_per_s:,.1f})"
            )


async def latency(samples: int) -> None:
    for kind in ("async", "sync-inline", "sync-thread"):
        handler = EventHandler()
        delays: list[float] = []

        def record(name, data, delays=delays):
            delays.append(time.perf_counter() - data)

        async def arecord(name, data, delays=delays):
            delays.append(time.perf_counter() - data)

        handler.subscribe("latency", arecord if kind == "async" else record, threaded=(kind == "sync-thread"))
        for _ in range(samples):
            await handler.trigger("latency", time.perf_counter())
        await handler.close()
        direct: list[float] = []
        for _ in range(samples):
            stamp = time.perf_counter()
            if kind == "async":
                await arecord("latency", stamp, direct)
            else:
                record("latency", stamp, direct)
        delays.sort()
        direct.sort()
        p99 = delays[int(len(delays) * 0.99) - 1]
        median = statistics.median(delays)
        base = statistics.median(direct)
        print(
            f"latency trigger->handler {kind:<11}: median {median * 1e6:,.1f} us, p99 {p99 * 1e6:,.1f} us "
            f"(direct call: {base * 1e6:,.2f} us, ratio {median / base:,.0f})"
        )


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=0.5, help="measuring time per figure")
    parser.add_argument("--samples", type=int, default=2000, help="latency samples per handler kind")
    args = parser.parse_args()
    await throughput(args.seconds)
    await latency(args.samples)


if __name__ == "__main__":
    asyncio.run(main())
