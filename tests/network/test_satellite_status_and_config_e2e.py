"""The TUI's satellite sub-views need status and configuration from the real satellite process."""

import json

import pytest


async def test_status_and_config_round_trip_with_a_real_satellite(network, tools):
    proc = tools.satellite(network, "sat", "aa:bb:cc:00:06:01", "Study", registered=True)
    await tools.async_wait_until(lambda: len(network.manager.connected) == 1, 20, "connect")
    sat = network.manager[0]
    await tools.async_wait_until(lambda: sat.last_status is not None, 5, "the status asked for at accept")
    assert sat.satellite_uptime > 0 and sat.status()["satellite_uptime_s"] is not None
    status = await sat.refresh_status()
    assert status.version and status.hostname == sat.hostname
    config = (await sat.fetch_config()).values
    assert config["satellite"]["room"] == "Study" and "secret" not in config["satellite"]
    assert config["audio"]["duck_gain"] == 0.2
    reply = await sat.update_config({"audio.duck_gain": 0.5, "audio.music_mode": "pause"})
    assert reply.values["audio"]["duck_gain"] == 0.5
    on_disk = json.loads(proc.config_path.read_text())["audio"]
    assert (on_disk["duck_gain"], on_disk["music_mode"]) == (0.5, "pause")
    with pytest.raises(ValueError, match="cannot be set remotely"):
        await sat.update_config({"satellite.secret": "00" * 32})
    with pytest.raises(ValueError, match="duck_gain"):
        await sat.update_config({"audio.duck_gain": 7})
    assert json.loads(proc.config_path.read_text())["audio"]["duck_gain"] == 0.5
