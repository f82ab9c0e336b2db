"""QueuedConnection (the non-blocking connection server and satellite share) over real sockets on 127.0.0.1."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

import pytest

from trixy_protocol import (
    Flags,
    Frame,
    Hello,
    LinkLostError,
    QueuedConnection,
    ShortCommand,
    ShortKind,
    encode_short,
    session_key,
)


class SideLost(LinkLostError):
    """A subclass, as server and satellite define theirs."""


class Side(QueuedConnection):
    lost_error = SideLost
    peer_label = "the other side"


@contextlib.asynccontextmanager
async def pair(**kwargs) -> AsyncIterator[tuple[Side, Side]]:
    """Two connected `Side`s (client, server) on an ephemeral port."""
    accepted: asyncio.Future[Side] = asyncio.get_running_loop().create_future()

    async def on_client(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        accepted.set_result(Side(reader, writer, **kwargs))

    server = await asyncio.start_server(on_client, "127.0.0.1", 0)
    reader, writer = await asyncio.open_connection("127.0.0.1", server.sockets[0].getsockname()[1])
    a = Side(reader, writer, **kwargs)
    b = await asyncio.wait_for(accepted, 5)
    try:
        yield a, b
    finally:
        a.abort("test over")
        b.abort("test over")
        server.close()
        await server.wait_closed()


async def read_until(conn: QueuedConnection, count: int) -> list:
    events: list = []
    while len(events) < count:
        events.extend(await conn.read_events(5.0))
    return events


async def test_frames_and_short_commands_arrive_in_order_and_bytes_are_counted() -> None:
    async with pair() as (a, b):
        a.send(Hello(mac="aa:bb:cc:dd:ee:ff", room="Kitchen"))
        a.send_short(ShortKind.PING)
        first, second = await read_until(b, 2)
        assert isinstance(first, Frame) and first.message.room == "Kitchen" and not first.flags & Flags.ENCRYPTED
        assert isinstance(second, ShortCommand) and second.kind is ShortKind.PING
        assert a.bytes_sent == b.bytes_received > len(encode_short(ShortKind.PING))
        assert b.peer is not None and b.peer[0] == "127.0.0.1"


async def test_encrypt_uses_the_key_and_an_explicit_key_overrides_it() -> None:
    async with pair() as (a, b):
        key, other = session_key(b"s" * 32, b"n" * 32), session_key(b"s" * 32, b"m" * 32)
        a.key = b.key = key
        a.send(Hello(mac="aa:bb:cc:dd:ee:01"))  # encrypt is off: plain even with a key set
        a.encrypt = True
        a.send(Hello(mac="aa:bb:cc:dd:ee:02"))
        plain, encrypted = await read_until(b, 2)
        assert not plain.flags & Flags.ENCRYPTED and encrypted.flags & Flags.ENCRYPTED
        assert encrypted.message.mac == "aa:bb:cc:dd:ee:02"
        a.send(Hello(mac="aa:bb:cc:dd:ee:03"), key=other)
        b.key = other
        (third,) = await read_until(b, 1)
        assert third.flags & Flags.ENCRYPTED and third.message.mac == "aa:bb:cc:dd:ee:03"


async def test_silence_and_peer_close_raise_the_subclass_with_a_reason() -> None:
    async with pair() as (a, b):
        with pytest.raises(SideLost, match="no data for 0.05 s"):
            await b.read_events(0.05)
        await a.close("done")
        assert a.closed and a.close_reason == "done"
        with pytest.raises(SideLost, match="closed by the other side"):
            await read_until(b, 1)
        with pytest.raises(SideLost, match="done"):
            a.send_short(ShortKind.NOOP)


async def test_close_flushes_what_is_queued() -> None:
    async with pair() as (a, b):
        for i in range(50):
            a.send(Hello(mac=f"aa:bb:cc:dd:ee:{i:02x}"))
        await a.close("bye")
        events = await read_until(b, 50)
        assert [e.message.mac for e in events] == [f"aa:bb:cc:dd:ee:{i:02x}" for i in range(50)]


async def test_a_full_queue_drops_the_connection_instead_of_blocking() -> None:
    async with pair(max_queue=2) as (a, _b):
        a.send_bytes(b"x")
        a.send_bytes(b"y")
        with pytest.raises(SideLost, match="send queue full"):
            a.send_bytes(b"z")
        assert a.closed and a.close_reason == "send queue full: the other side does not read"


async def test_a_peer_that_does_not_read_is_dropped_after_the_write_timeout() -> None:
    async with pair(write_timeout=0.2) as (a, _b):
        a.send_bytes(b"\0" * (32 * 1024 * 1024))  # far more than the socket buffers; _b never reads
        async with asyncio.timeout(5):
            while not a.closed:  # noqa: ASYNC110 (the connection offers no event to wait on)
                await asyncio.sleep(0.02)
        assert a.close_reason == "write timeout (0.2 s): the other side does not read"
        with pytest.raises(SideLost):
            await a.read_events(1.0)
