"""The sync bandwidth cap: a token bucket with one second of burst, paced on an injected clock."""

from __future__ import annotations

from trixy_standalone.ratelimit import ByteRateLimiter


class FakeTime:
    def __init__(self) -> None:
        self.now = 0.0
        self.slept: list[float] = []

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


async def test_transfers_over_the_cap_wait_so_the_average_stays_under_it():
    t = FakeTime()
    limiter = ByteRateLimiter(100_000, clock=t.clock, sleep=t.sleep)
    for _ in range(10):
        await limiter.take(50_000)  # 500 kB at 100 kB/s: 1 s of burst, then 4 s of waiting
    assert round(t.now, 6) == 4.0 and round(limiter.waited_s, 6) == 4.0
    assert limiter.chunk(1 << 20) == 25_000  # a quarter second's worth per slice


async def test_no_cap_never_waits_and_idle_time_refills_only_one_second():
    t = FakeTime()
    free = ByteRateLimiter(0, clock=t.clock, sleep=t.sleep)
    await free.take(10**9)
    assert t.slept == [] and free.chunk(1 << 20) == 1 << 20
    capped = ByteRateLimiter(1000, clock=t.clock, sleep=t.sleep)
    t.now += 3600  # an idle hour buys no more than one second of burst
    await capped.take(1000)
    assert t.slept == []
    await capped.take(500)
    assert t.slept == [0.5]
