import json

import pytest

import trixy_server.config  # noqa: F401 - registers the network section
from trixy_core.config import Config
from trixy_server.component import SatelliteNetwork
from trixy_server.config import NetworkConfig
from trixy_server.errors import InvalidMacError, NetworkConfigError


def test_network_section_defaults_are_the_spec_ports(tmp_path):
    config = Config.load(tmp_path / "server_config.json", "server")
    section = config.section("network")
    assert [section[k] for k in ("command_port", "audio_input_port", "audio_output_port", "music_port")] == [
        2101, 2102, 2103, 2104]
    assert section["registration_window_s"] == 60 and section["encryption"] is True
    with pytest.raises(NetworkConfigError, match="network.command_port"):
        NetworkConfig.from_mapping({"command_port": "x"})


async def test_blacklist_changes_are_saved_into_the_server_config(tmp_path):
    config = Config.load(tmp_path / "server_config.json", "server")
    net = SatelliteNetwork(NetworkConfig.from_mapping(config.section("network")), tmp_path, app_config=config)
    net.manager.blacklist_add("AA-BB-CC-00-00-07")
    saved = json.loads((tmp_path / "server_config.json").read_text())["network"]["blacklist"]
    assert saved == ["aa:bb:cc:00:00:07"]
    again = Config.load(tmp_path / "server_config.json", "server")
    net2 = SatelliteNetwork(NetworkConfig.from_mapping(again.section("network")), tmp_path)
    assert net2.manager.is_blacklisted("aa:bb:cc:00:00:07")
    with pytest.raises(InvalidMacError):
        SatelliteNetwork(NetworkConfig(blacklist=["nonsense"]), tmp_path)
