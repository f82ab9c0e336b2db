"""Standalone <-> server sync end to end: the real composed standalone and a real server on loopback."""

from __future__ import annotations

from pathlib import Path

from standalone_helpers import (
    build_server,
    build_standalone_app,
    copy_plugins,
    first_ok_round,
    free_port,
    record_rounds,
    register_standalone,
    wait_for,
)
from standalone_onnx_models import detections, loud_model, loud_noise, quiet_model

PLUGINS = ("notes", "address_book")


def notes_texts(app) -> dict[str, str]:
    return {i: n["text"] for i, n in app.plugin_manager.get("notes").notes().items()}


async def synced_after(standalone, rounds_before: int) -> None:
    """Wait for a complete, successful round that started after `rounds_before` rounds."""
    await wait_for(lambda: standalone.sync.status.rounds > rounds_before + 1 and standalone.sync.last_round.ok,
                   15, "a successful sync round")


async def test_standalone_runs_with_the_server_down_and_syncs_when_it_comes_up(tmp_path: Path):
    server_root, sa_root = tmp_path / "server", tmp_path / "standalone"
    copy_plugins(server_root, *PLUGINS)
    copy_plugins(sa_root, *PLUGINS)
    record = register_standalone(server_root)
    port = free_port()  # nobody listens there yet
    standalone = build_standalone_app(sa_root, port, record)
    async with standalone:
        notes = standalone.plugin_manager.get("notes")
        note = notes.add("buy milk")
        book = standalone.plugin_manager.get("address_book")
        peter = book.add("Peter", phone="0123")
        await wait_for(lambda: "cannot connect" in (standalone.sync.client.last_error or ""), 10, "a failed attempt")
        await wait_for(lambda: standalone.satellite.client.connected, 10, "the local satellite")
        assert standalone.sync.status.state == "idle" and standalone.sync.status.rounds == 0
        assert notes_texts(standalone) == {note: "buy milk"}            # local operation is undisturbed

        server = build_server(server_root, port)
        async with server:
            await wait_for(lambda: standalone.sync.last_round is not None and standalone.sync.last_round.ok, 15,
                           "the first sync round")
            assert notes_texts(server) == {note: "buy milk"}
            assert server.plugin_manager.get("address_book").contacts()[peter]["phone"] == "0123"
            assert standalone.satellite_manager.find(record.mac) is None     # the server knows the standalone...
            assert server.satellite_manager.get(record.mac).connected        # ...as a registered, connected peer

            from_server = server.plugin_manager.get("notes").add("call mum")
            rounds = standalone.sync.status.rounds
            await synced_after(standalone, rounds)
            assert notes_texts(standalone) == {note: "buy milk", from_server: "call mum"}

        await wait_for(lambda: not standalone.sync.connected, 10, "the server to be gone")
        notes.add("still works offline")
        assert len(notes_texts(standalone)) == 3


async def test_changes_on_both_sides_while_apart_lose_nothing(tmp_path: Path):
    server_root, sa_root = tmp_path / "server", tmp_path / "standalone"
    copy_plugins(server_root, *PLUGINS)
    copy_plugins(sa_root, *PLUGINS)
    record = register_standalone(server_root)
    port = free_port()
    standalone = build_standalone_app(sa_root, port, record)
    async with standalone:
        notes = standalone.plugin_manager.get("notes")
        shopping, todo, keep = notes.add("shopping: milk"), notes.add("todo: taxes"), notes.add("unchanged")
        contact = standalone.plugin_manager.get("address_book").add("Anna", phone="111")
        server = build_server(server_root, port)
        async with server:
            await wait_for(lambda: standalone.sync.last_round is not None and standalone.sync.last_round.ok, 15,
                           "the first sync round")
            assert set(notes_texts(server)) == {shopping, todo, keep}
        await wait_for(lambda: not standalone.sync.connected, 10, "the server to be gone")

        # apart: both edit `shopping` (the server last), the standalone deletes `todo` while the server edits it,
        # the server deletes the contact the standalone left alone
        notes.edit(shopping, "shopping: milk, eggs")
        notes.delete(todo)
        offline_server = build_server(server_root, free_port())        # the server's side, still apart
        async with offline_server:
            srv_notes = offline_server.plugin_manager.get("notes")
            srv_notes.edit(shopping, "shopping: bread")
            srv_notes.edit(todo, "todo: taxes by Friday")
            assert offline_server.plugin_manager.get("address_book").delete(contact)
        assert notes_texts(standalone)[shopping] == "shopping: milk, eggs" and todo not in notes_texts(standalone)

        server = build_server(server_root, port)
        async with server:
            rounds = standalone.sync.status.rounds
            await wait_for(lambda: standalone.sync.connected, 10, "reconnect")
            await synced_after(standalone, rounds)
            here, there = notes_texts(standalone), notes_texts(server)
            assert here == there
            assert here[shopping] == "shopping: bread"                      # last writer wins the record...
            copies = {i: t for i, t in here.items() if i.startswith(shopping + "~")}
            assert list(copies.values()) == ["shopping: milk, eggs"]          # ...and the other edit is kept
            assert standalone.plugin_manager.get("notes").notes()[next(iter(copies))]["conflict_of"] == shopping
            assert here[todo] == "todo: taxes by Friday"                      # an edit beats a concurrent delete
            assert here[keep] == "unchanged"
            assert standalone.plugin_manager.get("address_book").contacts() == {}   # a plain delete travels
            assert server.plugin_manager.get("address_book").contacts() == {}


async def test_newer_models_and_assets_flow_both_ways_and_the_local_detector_reloads(tmp_path: Path):
    server_root, sa_root = tmp_path / "server", tmp_path / "standalone"
    quiet_model(sa_root / "models" / "wakeword" / "trixy" / "trixy.onnx", trained="2026-01-01T00:00:00+00:00")
    loud_model(server_root / "models" / "wakeword" / "trixy" / "trixy.onnx", trained="2026-06-01T00:00:00+00:00")
    loud_model(sa_root / "models" / "wakeword" / "kitchen" / "kitchen.onnx")   # only here: pushed
    (server_root / "assets" / "default" / "audio").mkdir(parents=True)
    (server_root / "assets" / "default" / "audio" / "chime.wav").write_bytes(b"RIFF-chime")
    record = register_standalone(server_root)
    port = free_port()
    standalone = build_standalone_app(sa_root, port, record)
    rounds = record_rounds(standalone)
    async with standalone:
        local = standalone.satellite.app
        assert detections(local.detector, loud_noise()) == []
        async with build_server(server_root, port):
            done = await first_ok_round(rounds, 20, "the first sync round")
            assert "models/wakeword/trixy/trixy.onnx" in done.pulled
            assert "assets/default/audio/chime.wav" in done.pulled
            assert done.pushed == ["models/wakeword/kitchen/kitchen.onnx"]
        pulled = sa_root / "models" / "wakeword" / "trixy" / "trixy.onnx"
        assert pulled.read_bytes() == (server_root / "models" / "wakeword" / "trixy" / "trixy.onnx").read_bytes()
        assert (server_root / "models" / "wakeword" / "kitchen" / "kitchen.onnx").is_file()
        assert (sa_root / "assets" / "default" / "audio" / "chime.wav").read_bytes() == b"RIFF-chime"
        assert [d.name for d in detections(local.detector, loud_noise())][:1] == ["trixy"]   # reloaded live


async def test_a_new_standalone_registers_in_registration_mode_and_stores_its_credentials(tmp_path: Path):
    from trixy_standalone.compose import build_standalone

    server = build_server(tmp_path / "server")
    async with server:
        port = server.network.ports["command"]
        standalone = build_standalone(str(tmp_path / "standalone"), setup_logging=False, overrides={
            "sync.port": port, "sync.interval_s": 0.2, "sync.mac": "aa:bb:cc:00:55:66",
            "standalone.input": "silence", "standalone.output": "null", "scheduler.enabled": False})
        async with standalone:
            await wait_for(lambda: standalone.sync.client.last_denial is not None, 10, "a denial")  # not registered
            server.satellite_manager.enter_registration_mode()
            await wait_for(lambda: standalone.sync.last_round is not None and standalone.sync.last_round.ok, 15,
                           "a sync round after registration")
        record = server.satellite_manager.get("aa:bb:cc:00:55:66").record
        import json

        saved = json.loads((tmp_path / "standalone" / "config" / "standalone_config.json").read_text())["sync"]
        assert (saved["id"], saved["secret"]) == (record.id, record.secret)
