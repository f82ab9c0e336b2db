import json

from trixy_server.blacklist import Blacklist
from trixy_server.registration import RegistrationWindow


def test_window_closes_by_itself_after_its_duration(clock):
    window = RegistrationWindow(60, clock=clock)
    assert not window.is_open
    window.open()
    clock.advance(59.9)
    assert window.is_open and 0 < window.remaining <= 0.1 + 1e-9
    clock.advance(0.2)
    assert not window.is_open and window.remaining == 0


def test_only_the_first_unknown_satellite_gets_the_window(clock):
    window = RegistrationWindow(60, clock=clock)
    window.open()
    assert window.claim("aa:bb:cc:00:00:01")
    assert not window.claim("aa:bb:cc:00:00:02")
    window.release("aa:bb:cc:00:00:01")
    assert window.claim("aa:bb:cc:00:00:02")
    window.complete("aa:bb:cc:00:00:02")
    assert not window.is_open
    assert not window.claim("aa:bb:cc:00:00:03")


def test_a_claimed_window_outlives_expiry_until_the_dialogue_ends(clock):
    window = RegistrationWindow(1, clock=clock)
    window.open()
    assert window.claim("aa:bb:cc:00:00:01")
    clock.advance(5)
    assert window.is_open
    window.release("aa:bb:cc:00:00:01")
    assert not window.is_open


def test_blacklist_persists_and_notifies(tmp_path):
    path = tmp_path / "bl.json"
    seen = []
    bl = Blacklist.from_file(path)
    bl.subscribe(lambda mac, blocked: seen.append((mac, blocked)))
    assert bl.add("AA-BB-CC-00-00-01")
    assert not bl.add("aa:bb:cc:00:00:01")
    assert "aa:bb:cc:00:00:01" in bl and "garbage" not in bl
    assert json.loads(path.read_text()) == {"blacklist": ["aa:bb:cc:00:00:01"]}
    assert "aa:bb:cc:00:00:01" in Blacklist.from_file(path)
    assert bl.remove("aa:bb:cc:00:00:01")
    assert seen == [("aa:bb:cc:00:00:01", True), ("aa:bb:cc:00:00:01", False)]
