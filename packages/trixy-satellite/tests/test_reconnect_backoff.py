"""Reconnecting after a server restart: exponential back-off with jitter, first retry within the interval."""

from __future__ import annotations

import asyncio
import random
import socket

from trixy_satellite.backoff import ReconnectBackoff
from trixy_satellite.client import SatelliteClient
from trixy_satellite.config import ClientSettings


def test_delays_double_up_to_the_cap_and_the_first_comes_within_the_base() -> None:
    backoff = ReconnectBackoff(5.0, 60.0, rng=random.Random(1))
    delays = [backoff.next_delay() for _ in range(8)]
    assert 2.5 <= delays[0] <= 5.0
    for n, delay in enumerate(delays):
        top = min(60.0, 5.0 * 2**n)
        assert top / 2 <= delay <= top
    assert max(delays) <= 60.0 and delays[-1] >= 30.0
    backoff.reset()
    assert backoff.next_delay() <= 5.0


def test_satellites_restarting_together_do_not_retry_in_lockstep() -> None:
    firsts = [ReconnectBackoff(5.0, 60.0, rng=random.Random(seed)).next_delay() for seed in range(50)]
    assert max(firsts) <= 5.0 and max(firsts) - min(firsts) > 1.0
    assert len({round(d, 1) for d in firsts}) >= 15  # spread over 2.5-5 s, not one instant


async def test_the_client_backs_off_while_the_server_is_down() -> None:
    with socket.socket() as probe:  # a port with nothing listening
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    client = SatelliteClient(ClientSettings(host="127.0.0.1", port=port, retry_interval_s=0.02, retry_max_s=0.08,
                                            connect_timeout_s=1.0, mac="aa:bb:cc:00:15:30"))
    task = asyncio.get_running_loop().create_task(client.run())
    try:
        async with asyncio.timeout(5):
            while client.backoff.failures < 4:  # noqa: ASYNC110 - polling a counter the client bumps
                await asyncio.sleep(0.01)
        assert client.backoff.ceiling() == 0.08 and "cannot connect" in (client.last_error or "")
    finally:
        await client.stop()
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


async def test_a_repeated_failure_is_logged_once_then_at_debug_level(caplog) -> None:
    with socket.socket() as probe:  # a port with nothing listening
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    client = SatelliteClient(ClientSettings(host="127.0.0.1", port=port, retry_interval_s=0.02, retry_max_s=0.04,
                                            connect_timeout_s=1.0, mac="aa:bb:cc:00:15:31"))
    caplog.set_level("DEBUG", logger="trixy_satellite.client")
    task = asyncio.get_running_loop().create_task(client.run())
    try:
        async with asyncio.timeout(5):
            while client.backoff.failures < 4:  # noqa: ASYNC110 - polling a counter the client bumps
                await asyncio.sleep(0.01)
    finally:
        await client.stop()
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
    ended = [r for r in caplog.records if r.name == "trixy_satellite.client" and "connection to the server ended" in r.message]
    assert len(ended) >= 3 and ended[0].levelname == "INFO" and "cannot connect" in ended[0].message
    assert {r.levelname for r in ended[1:]} == {"DEBUG"}  # the same failure again: the debug log only
