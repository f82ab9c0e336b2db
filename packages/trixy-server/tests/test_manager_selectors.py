import asyncio

import pytest

from trixy_server.errors import SatelliteNotConnectedError, SelectorError, UnknownSatelliteError
from trixy_server.group import SatelliteGroup
from trixy_server.selector import parse_selector


class RecordingLink:
    """A stand-in for the network session: records what the satellite was asked to do."""

    def __init__(self, loop):
        self.loop = loop
        self.calls = []

    async def send_command(self, command):
        self.calls.append(("command", command))

    async def play_pcm(self, pcm, *, stream):
        self.calls.append(("play", stream, len(pcm)))

    async def stop_stream(self, stream):
        self.calls.append(("stop", stream))

    async def close(self, reason):
        self.calls.append(("close", reason))

    async def request_reconnect(self):
        self.calls.append(("reconnect",))


@pytest.fixture
def three(manager):
    manager.register("aa:bb:cc:00:00:01", "Kitchen", "Fridge")
    manager.register("aa:bb:cc:00:00:02", "kitchen", "Window")
    manager.register("aa:bb:cc:00:00:03", "Living Room", "TV")
    return manager


def test_index_and_selectors_are_case_insensitive(three):
    assert three[0].alias == "Fridge"
    group = three["ROOM = KITCHEN"]
    assert isinstance(group, SatelliteGroup)
    assert [s.alias for s in group] == ["Fridge", "Window"]
    assert [s.alias for s in three["room = 'living room'"]] == ["TV"]
    assert [s.alias for s in three["room = kitchen, alias != window"]] == ["Fridge"]
    assert [s.alias for s in three["room = kitchen|living room, alias ~ w|tv"]] == ["Window", "TV"]
    assert len(three["status = registered"]) == 3
    assert len(three["status = not connected"]) == 3
    assert len(three["status = connected, room = kitchen"]) == 0
    assert three.by_room("KITCHEN").alias == ["Fridge", "Window"]


@pytest.mark.parametrize("text,msg", [
    ("", "empty selector"),
    ("room kitchen", "cannot read term"),
    ("colour = red", "unknown field 'colour'"),
    ("room = ", "has no value"),
    ("room = kitchen,", "empty term"),
    ("room = 'kitchen", "unterminated quote"),
    ("room = a||b", "empty alternative"),
])
def test_malformed_selectors_say_what_is_wrong(text, msg):
    with pytest.raises(SelectorError, match=msg):
        parse_selector(text)


def test_unknown_index_and_key(three):
    with pytest.raises(UnknownSatelliteError, match="index 7"):
        three[7]
    with pytest.raises(UnknownSatelliteError):
        three.get("aa:bb:cc:00:00:09")
    assert three.find(three[1].id) is three[1]


async def test_group_method_applies_to_every_connected_member_and_reports_the_others(three):
    link = RecordingLink(asyncio.get_running_loop())
    three[0].attach(link)
    three[1].attach(link)
    connected = three["status = connected, room = kitchen"]
    assert len(connected) == 2
    results = three["room = kitchen|living room"].play(b"\x00\x00" * 160)
    await asyncio.gather(*[r for r in results if r is not None])
    assert [c for c in link.calls if c[0] == "play"] == [("play", "tts_out", 320)] * 2
    assert isinstance(results.errors[three[2].id], SatelliteNotConnectedError)
    with pytest.raises(SatelliteNotConnectedError, match="not connected"):
        three[2].stop_audio()


def test_group_call_from_another_thread_returns_futures(three):
    loop = asyncio.new_event_loop()
    import threading

    t = threading.Thread(target=loop.run_forever, daemon=True)
    t.start()
    try:
        link = RecordingLink(loop)
        three[2].attach(link)
        result = three["alias = tv"].stop_music()
        result[0].result(timeout=5)
        assert link.calls == [("stop", "music_out")]
    finally:
        loop.call_soon_threadsafe(loop.stop)
        t.join()
        loop.close()


async def test_blacklisting_a_connected_satellite_drops_it(three):
    link = RecordingLink(asyncio.get_running_loop())
    three[0].attach(link)
    three.blacklist_add(three[0].mac)
    await asyncio.sleep(0)
    assert link.calls == [("close", "blacklisted")]
    assert three[0].blacklisted
    assert [s.alias for s in three["blacklisted = yes"]] == ["Fridge"]


def test_room_setter_persists_and_delete_registration_removes(three):
    three[0].room = "Hall"
    from trixy_server.registry import SatelliteRegistry

    assert SatelliteRegistry(three.registry.folder).get(three[0].mac).room == "Hall"
    mac = three[0].mac
    three.delete_registration(mac)
    assert three.by_mac(mac) is None and len(three) == 2
