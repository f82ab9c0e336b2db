"""Both sides as real processes: first-time registration through `network.registration_on_start`, then the
satellite finds the server again after the server process restarts."""


def server_sets(tools, ports):
    return {"network.bind_address": "127.0.0.1", "network.command_port": ports[0],
            "network.audio_input_port": ports[1], "network.audio_output_port": ports[2], "network.music_port": ports[3],
            "network.ping_interval_s": 0.5, "network.dead_after_s": 3.0, "logging.level": "DEBUG"}


def test_satellite_reconnects_after_the_server_restarts(tools):
    ports = [tools.free_port() for _ in range(4)]
    server = tools.process("server", "server", {**server_sets(tools, ports), "network.registration_on_start": True})
    client = tools.process("client", "client", tools.satellite_sets(ports[0], "aa:bb:cc:00:03:01", "Office"))
    tools.wait_until(lambda: "sat-" in server.log and " connected from " in server.log, 30, "first connection")
    registration = list((tools.tmp_path / "server" / "state" / "satellites").glob("*.json"))
    assert [p.name for p in registration] == ["aa-bb-cc-00-03-01.json"]
    assert server.stop() == 0
    tools.wait_until(lambda: "retrying in" in client.log, 15, "the satellite to notice the lost server")
    server2 = tools.process("server", "server", server_sets(tools, ports))  # registration mode off this time
    tools.wait_until(lambda: server2.log.count(" connected from ") >= 2, 30, "the reconnection")
    tools.wait_until(lambda: client.log.count("connected to 127.0.0.1") >= 2, 10, "the satellite's side of it")
    assert client.running()
