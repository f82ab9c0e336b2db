import json
import stat

import pytest

from trixy_server.errors import AlreadyRegisteredError, InvalidMacError, RegistryError, UnknownSatelliteError
from trixy_server.mac import is_valid_mac, normalize_mac
from trixy_server.registry import SatelliteRegistry


@pytest.mark.parametrize("raw", ["AA:BB:CC:DD:EE:F0", "aa-bb-cc-dd-ee-f0", "aabbccddeef0", "aabb.ccdd.eef0"])
def test_mac_forms_normalise_to_lower_colon(raw):
    assert normalize_mac(raw) == "aa:bb:cc:dd:ee:f0"


@pytest.mark.parametrize("raw", ["", "aa:bb:cc:dd:ee", "aa:bb-cc:dd:ee:ff", "zz:bb:cc:dd:ee:ff", "00:00:00:00:00:00",
                                 "ff:ff:ff:ff:ff:ff", "01:00:5e:00:00:01", 42, None])
def test_bad_macs_are_refused_with_a_reason(raw):
    assert not is_valid_mac(raw)
    with pytest.raises(InvalidMacError, match="MAC"):
        normalize_mac(raw)


def test_register_writes_a_private_file_that_a_new_registry_reads_back(tmp_path):
    reg = SatelliteRegistry(tmp_path)
    rec = reg.register("AA:BB:CC:00:11:22", "Kitchen", "Fridge")
    path = tmp_path / "aa-bb-cc-00-11-22.json"
    data = json.loads(path.read_text())
    assert data == {"mac": "aa:bb:cc:00:11:22", "id": rec.id, "room": "Kitchen", "alias": "Fridge",
                    "created": rec.created, "secret": rec.secret}
    assert len(bytes.fromhex(rec.secret)) == 32
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    again = SatelliteRegistry(tmp_path)
    assert again.get("aa-bb-cc-00-11-22") == rec
    assert again.by_id(rec.id) == rec


def test_second_registration_of_same_mac_is_refused(registry):
    registry.register("aa:bb:cc:00:11:22", "Kitchen", "A")
    with pytest.raises(AlreadyRegisteredError, match="already registered"):
        registry.register("AA:BB:CC:00:11:22", "Hall", "B")


def test_broken_file_is_skipped_and_kept(tmp_path, caplog):
    (tmp_path / "aa-bb-cc-00-11-22.json").write_text("{not json")
    (tmp_path / "aa-bb-cc-00-11-23.json").write_text(json.dumps({"mac": "aa:bb:cc:00:11:23", "id": "x"}))
    reg = SatelliteRegistry(tmp_path)
    assert reg.all() == []
    assert (tmp_path / "aa-bb-cc-00-11-22.json").exists()
    assert "field 'room'" in caplog.text


def test_update_and_delete(registry):
    rec = registry.register("aa:bb:cc:00:11:22", "Kitchen", "A")
    registry.update(rec.mac, room="Hall")
    assert SatelliteRegistry(registry.folder).get(rec.mac).room == "Hall"
    registry.delete(rec.mac)
    assert not registry.path_for(rec.mac).exists()
    with pytest.raises(UnknownSatelliteError):
        registry.delete(rec.mac)
    with pytest.raises(RegistryError, match="room"):
        registry.register("aa:bb:cc:00:11:22", "  ", "A")


def test_registrations_in_the_old_config_folder_move_to_the_state_folder_with_their_mode(tmp_path):
    """Registrations hold secrets: they leave the tracked config/ for the git-ignored state folder, still readable."""
    from trixy_server.component import SatelliteNetwork
    from trixy_server.config import NetworkConfig

    old = SatelliteRegistry(tmp_path / "config" / "satellites")
    rec = old.register("AA:BB:CC:00:11:22", "Kitchen", "Fridge")
    config = NetworkConfig(bind_address="127.0.0.1", command_port=0, audio_input_port=0, audio_output_port=0,
                           music_port=0)
    assert config.satellites_folder == "state/satellites"
    network = SatelliteNetwork(config, tmp_path)
    moved = tmp_path / "state" / "satellites" / "aa-bb-cc-00-11-22.json"
    assert network.registry.get("aa:bb:cc:00:11:22") == rec
    assert moved.is_file() and stat.S_IMODE(moved.stat().st_mode) == 0o600
    assert not (tmp_path / "config" / "satellites").exists()
