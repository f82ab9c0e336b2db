"""Registration, denial, wrong secret and blacklist with real satellite processes against the real server code."""

import json

from trixy_protocol.auth import new_secret


async def test_satellite_registers_inside_the_window_and_stores_id_and_secret(network, tools):
    network.manager.enter_registration_mode()
    sat_proc = tools.satellite(network, "sat1", "aa:bb:cc:00:01:01", "Kitchen", alias="Fridge")
    await tools.async_wait_until(lambda: len(network.manager.connected) == 1, 20, "the satellite to connect")
    sat = network.manager[0]
    assert (sat.room, sat.alias, sat.mac) == ("Kitchen", "Fridge", "aa:bb:cc:00:01:01")
    assert not network.manager.registration_mode
    record = json.loads((network.registry.folder / "aa-bb-cc-00-01-01.json").read_text())
    client_cfg = json.loads(sat_proc.config_path.read_text())["satellite"]
    assert client_cfg["id"] == record["id"] == sat.id
    assert client_cfg["secret"] == record["secret"]
    assert sat.version and sat.hostname and sat.os


async def test_unknown_satellite_is_denied_outside_the_window(network, tools):
    proc = tools.satellite(network, "sat1", "aa:bb:cc:00:01:02", "Hall")
    await tools.async_wait_until(lambda: "unknown_satellite" in proc.log, 20, "the denial in the satellite's log")
    assert len(network.manager) == 0
    assert not list(network.registry.folder.glob("*.json")) if network.registry.folder.exists() else True


async def test_wrong_secret_is_denied_and_the_right_one_accepted(network, tools):
    bad = tools.satellite(network, "bad", "aa:bb:cc:00:01:03", "Hall", registered=True, secret=new_secret().hex())
    await tools.async_wait_until(lambda: "bad_credentials" in bad.log, 20, "bad_credentials in the satellite log")
    assert len(network.manager.connected) == 0
    bad.stop()
    tools.satellite(network, "good", "aa:bb:cc:00:01:03", "Hall", registered=True)
    await tools.async_wait_until(lambda: len(network.manager.connected) == 1, 20, "the right secret to connect")


async def test_blacklisting_drops_a_connected_satellite_and_denies_it_until_removed(network, tools):
    proc = tools.satellite(network, "sat", "aa:bb:cc:00:01:04", "Hall", registered=True)
    await tools.async_wait_until(lambda: len(network.manager.connected) == 1, 20, "connect")
    sat = network.manager[0]
    network.manager.blacklist_add(sat.mac)
    await tools.async_wait_until(lambda: not sat.connected, 5, "the blacklisted satellite to be dropped")
    await tools.async_wait_until(lambda: "blacklisted" in proc.log, 10, "the blacklisted denial")
    assert not sat.connected
    network.manager.blacklist_remove(sat.mac)
    await tools.async_wait_until(lambda: sat.connected, 10, "reconnect after removal from the blacklist")
