"""The asyncio layer over real sockets on 127.0.0.1 (port 0)."""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import AsyncIterator, Awaitable, Callable

import pytest

from trixy_protocol import (
    Accepted,
    AckTimeoutError,
    AudioStream,
    ConnectionClosedError,
    ErrorCommand,
    Flags,
    Frame,
    FrameDecoder,
    Hello,
    ShortCommand,
    ShortKind,
    StreamAccepted,
    StreamHello,
    TrixyConnection,
    UpdateChunk,
    connect,
    encode_frame,
    frame_key,
    read_frame,
)

Handler = Callable[[TrixyConnection], Awaitable[None]]


@contextlib.asynccontextmanager
async def serve(handler: Handler, **conn_kwargs) -> AsyncIterator[tuple[int, list[TrixyConnection]]]:
    """Run a TRXI server on an ephemeral port; yields (port, server-side connections)."""
    conns: list[TrixyConnection] = []
    tasks: list[asyncio.Task] = []

    async def on_client(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        conn = TrixyConnection(reader, writer, **conn_kwargs)
        conns.append(conn)
        tasks.append(asyncio.current_task())
        try:
            await handler(conn)
        finally:
            await conn.close(bye=False)

    server = await asyncio.start_server(on_client, "127.0.0.1", 0)
    try:
        yield server.sockets[0].getsockname()[1], conns
    finally:
        server.close()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(server.wait_closed(), 2)


async def echo_events(conn: TrixyConnection, sink: list) -> None:
    async for event in conn:
        sink.append(event)


async def test_request_ack_round_trip_and_byte_counters() -> None:
    received: list = []
    async with serve(lambda c: echo_events(c, received)) as (port, conns):
        client = await connect("127.0.0.1", port)
        reader_task = asyncio.create_task(echo_events(client, []))
        hello = Hello(mac="aa:bb:cc:dd:ee:ff", room="kitchen", capabilities=["wakeword"])
        ack = await client.request_ack(hello, timeout=5)
        frame = received[0]
        assert isinstance(frame, Frame) and frame.message == hello and frame.ack_requested
        assert ack.md5 == frame.md5 and ack.timestamp_us == frame.timestamp_us
        rtt = await client.ping(timeout=5)
        assert rtt > 0 and client.stats.rtt_s == rtt
        await client.close()
        await reader_task
        for _ in range(100):
            if conns[0].closed:
                break
            await asyncio.sleep(0.01)
        server_conn = conns[0]
        assert client.stats.bytes_sent == server_conn.stats.bytes_received > 0
        assert server_conn.stats.bytes_sent == client.stats.bytes_received > 0
        assert server_conn.stats.received.today == server_conn.stats.bytes_received
        assert ShortCommand(ShortKind.BYE) in received and server_conn.peer_said_bye


async def test_key_switch_after_hello_encrypts_both_directions() -> None:
    key = frame_key(os.urandom(32))
    seen: list = []

    async def server_side(conn: TrixyConnection) -> None:
        async for event in conn:
            seen.append(event)
            if isinstance(event, Frame) and isinstance(event.message, Hello):
                conn.set_key(key)  # from now on: encrypt and require encryption
                await conn.send(Accepted(satellite_id="sat-1", audio_ports={"input": 2102}))

    async with serve(server_side) as (port, _):
        client = await connect("127.0.0.1", port)
        await client.send(Hello(mac="aa:bb:cc:dd:ee:ff", satellite_id="sat-1"))
        client.set_key(key, encrypt=False)  # able to decrypt the reply before encrypting ourselves
        event = await client.receive()
        assert event.message.satellite_id == "sat-1" and event.flags & Flags.ENCRYPTED
        client.set_key(key)
        await client.send(UpdateChunk("u", 0, 0, os.urandom(600_000)))  # multipart + encrypted
        client.writer.write(encode_frame({"plain": True}))  # refused: the server requires encryption now
        reply = await client.receive()
        assert isinstance(reply.message, ErrorCommand) and reply.message.code == "decryption_failed"
        await client.close()
    frames = [e for e in seen if isinstance(e, Frame)]
    assert [type(f.message).__name__ for f in frames] == ["Hello", "UpdateChunk"]
    assert frames[1].flags & Flags.ENCRYPTED and frames[1].parts == 3


async def test_corrupted_frame_is_answered_with_error_and_the_connection_goes_on() -> None:
    seen: list = []
    async with serve(lambda c: echo_events(c, seen)) as (port, conns):
        client = await connect("127.0.0.1", port)
        bad = bytearray(encode_frame(Hello(mac="x")))
        bad[-1] ^= 0xFF
        client.writer.write(bytes(bad) + encode_frame(Hello(mac="good")))
        reply = await client.receive()
        assert isinstance(reply.message, ErrorCommand)
        assert reply.message.code == "bad_checksum" and reply.message.ref_class == "Hello"
        assert reply.message.ref_md5 == bytes(bad[28:44])
        await client.close()
        for _ in range(100):
            if conns[0].closed:
                break
            await asyncio.sleep(0.01)
        assert conns[0].stats.errors == 1
    assert [e.message.mac for e in seen if isinstance(e, Frame)] == ["good"]


async def test_ack_times_out_when_the_peer_does_not_acknowledge() -> None:
    async with serve(lambda c: echo_events(c, []), auto_ack=False) as (port, _):
        client = await connect("127.0.0.1", port)
        task = asyncio.create_task(echo_events(client, []))
        with pytest.raises(AckTimeoutError, match="no acknowledgement for Hello"):
            await client.request_ack(Hello(mac="x"), timeout=0.2)
        await client.close()
        await task


async def test_waiters_fail_when_the_peer_closes() -> None:
    async def close_at_once(conn: TrixyConnection) -> None:
        await conn.receive()
        await conn.close()

    async with serve(close_at_once, auto_ack=False) as (port, _):
        client = await connect("127.0.0.1", port)
        task = asyncio.create_task(echo_events(client, []))
        with pytest.raises(ConnectionClosedError):
            await client.request_ack(Hello(mac="x"), timeout=5)
        await task
        assert client.closed
        with pytest.raises(ConnectionClosedError):
            await client.send(Hello(mac="y"))


async def test_read_frame_consumes_exactly_the_handshake_and_leaves_raw_audio() -> None:
    pcm = os.urandom(3200)
    result: dict = {}

    async def audio_server(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        event = await read_frame(reader, FrameDecoder())
        result["hello"] = event.message
        writer.write(encode_frame(StreamAccepted(stream=AudioStream.INPUT)))
        await writer.drain()
        result["pcm"] = await reader.readexactly(len(pcm))
        writer.close()

    server = await asyncio.start_server(audio_server, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    hello = StreamHello(satellite_id="sat-1", stream=AudioStream.INPUT, token=b"\x01" * 16)
    writer.write(encode_frame(hello) + pcm)  # handshake and audio in one segment
    await writer.drain()
    accepted = await read_frame(reader)
    assert accepted.message == StreamAccepted(stream=AudioStream.INPUT)
    await reader.read()
    writer.close()
    server.close()
    await server.wait_closed()
    assert result == {"hello": hello, "pcm": pcm}


async def test_short_commands_are_delivered_and_ping_is_answered() -> None:
    seen: list = []
    async with serve(lambda c: echo_events(c, seen)) as (port, _):
        client = await connect("127.0.0.1", port)
        await client.send_short(ShortKind.HELO)
        await client.send_short(ShortKind.PRNT, "connection works")
        await client.send_short(ShortKind.NOOP)
        await client.send_short(ShortKind.PING)
        assert await client.receive() == ShortCommand(ShortKind.PONG)
        await client.close()
    assert seen[:4] == [
        ShortCommand(ShortKind.HELO),
        ShortCommand(ShortKind.PRNT, "connection works"),
        ShortCommand(ShortKind.NOOP),
        ShortCommand(ShortKind.PING),
    ]


async def test_write_times_out_when_the_peer_stops_reading() -> None:
    from trixy_protocol import WriteTimeoutError

    release = asyncio.Event()

    async def never_read(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await release.wait()
        writer.close()

    server = await asyncio.start_server(never_read, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    client = await connect("127.0.0.1", port, write_timeout=0.3)
    with pytest.raises(WriteTimeoutError, match="did not read"):
        for _ in range(8):  # more than the kernel buffers of both sockets hold
            await client.send(UpdateChunk("u", 0, 0, bytes(8 << 20)))
    release.set()
    await client.close(bye=False)
    server.close()
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(server.wait_closed(), 2)
