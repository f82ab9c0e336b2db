"""The server's sync endpoint refuses what a standalone may not do, with a reason, and serves what it may."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

import pytest

from trixy_server.errors import SyncError
from trixy_server.sync import SyncServerSettings, SyncService


@dataclass
class Peer:
    """The fields of a Satellite the endpoint looks at."""

    id: str = "sat-1"
    capabilities: list[str] = field(default_factory=lambda: ["sync"])


@pytest.fixture
def service(tmp_path):
    (tmp_path / "models" / "wakeword" / "w").mkdir(parents=True)
    (tmp_path / "models" / "wakeword" / "w" / "w.onnx").write_bytes(b"0123456789")
    (tmp_path / "assets" / "default").mkdir(parents=True)
    return SyncService(tmp_path / "models", tmp_path / "assets")


async def test_a_connection_without_the_sync_capability_is_refused(service):
    with pytest.raises(SyncError, match="capability"):
        await service.serve(Peer(capabilities=["music"]), "inventory", {})


@pytest.mark.parametrize("payload", [
    {"area": "models", "path": "../../etc/passwd"},
    {"area": "models", "path": "wakeword/w/../../../x.onnx"},
    {"area": "models", "path": "wakeword/w/notes.txt"},
    {"area": "secrets", "path": "x"},
    {"area": "assets", "path": "/etc/passwd"},
])
async def test_reads_outside_models_and_assets_are_refused(service, payload):
    with pytest.raises(SyncError):
        await service.serve(Peer(), "read", {**payload, "offset": 0, "length": 10})


async def test_reads_slices_and_uploads_are_checked_and_installed_atomically(service, tmp_path):
    reply = await service.serve(Peer(), "read", {"area": "models", "path": "wakeword/w/w.onnx", "offset": 2,
                                                 "length": 3})
    assert reply == {"data": b"234", "size": 10}
    data = b"new model"
    args = {"area": "models", "path": "wakeword/n/n.onnx", "sha256": hashlib.sha256(data).hexdigest()}
    await service.serve(Peer(), "write", {**args, "offset": 0, "data": data[:4], "last": False})
    assert not (tmp_path / "models" / "wakeword" / "n" / "n.onnx").exists()      # nothing until complete
    await service.serve(Peer(), "write", {**args, "offset": 4, "data": data[4:], "last": True})
    assert (tmp_path / "models" / "wakeword" / "n" / "n.onnx").read_bytes() == data
    bad = {**args, "sha256": "0" * 64}
    await service.serve(Peer(), "write", {**bad, "offset": 0, "data": b"other", "last": False})
    with pytest.raises(SyncError, match="checksum"):
        await service.serve(Peer(), "write", {**bad, "offset": 5, "data": b"!", "last": True})
    assert (tmp_path / "models" / "wakeword" / "n" / "n.onnx").read_bytes() == data   # old file kept


async def test_uploads_are_refused_when_the_server_does_not_accept_them(tmp_path):
    service = SyncService(tmp_path / "models", tmp_path / "assets", settings=SyncServerSettings(accept_models=False))
    with pytest.raises(SyncError, match="accept_models"):
        await service.serve(Peer(), "write", {"area": "models", "path": "wakeword/a/a.onnx", "offset": 0,
                                              "data": b"x", "last": True, "sha256": ""})
    with pytest.raises(SyncError, match="accept_assets"):
        await service.serve(Peer(), "write", {"area": "assets", "path": "default/a.wav", "offset": 0,
                                              "data": b"x", "last": True, "sha256": ""})
    with pytest.raises(SyncError, match="unknown sync action"):
        await service.serve(Peer(), "delete", {})
    with pytest.raises(SyncError, match="not active"):
        await service.serve(Peer(), "plugin", {"plugin": "notes", "data": {}})


async def test_music_is_read_only_stays_inside_the_library_and_can_be_switched_off(tmp_path):
    from types import SimpleNamespace

    music = tmp_path / "music"
    (music / "jazz").mkdir(parents=True)
    (music / "jazz" / "a.flac").write_bytes(b"fLaC-a")
    (music / "rock.mp3").write_bytes(b"ID3-rock")
    service = SyncService(tmp_path / "models", tmp_path / "assets", music=music)
    peer = SimpleNamespace(id="sa-1", capabilities=["sync"])
    inventory = await service.serve(peer, "inventory", {"music": True, "music_folders": ["jazz"]})
    assert list(inventory["music"]) == ["jazz/a.flac"]
    assert (music / ".trixy-sync-hashes.json").is_file()  # hashes cached for the next round
    assert (await service.serve(peer, "inventory", {})).get("music") is None  # old clients: unchanged reply
    read = await service.serve(peer, "read", {"area": "music", "path": "rock.mp3", "offset": 0, "length": 4096})
    assert read["data"] == b"ID3-rock"
    for payload, message in (
        ({"area": "music", "path": "../models/x.onnx"}, "inside"),
        ({"area": "music", "path": ".trixy-sync-hashes.json"}, "inside"),
    ):
        with pytest.raises(SyncError, match=message):
            await service.serve(peer, "read", {**payload, "offset": 0, "length": 10})
    with pytest.raises(SyncError, match="only flows from the server"):
        await service.serve(peer, "write", {"area": "music", "path": "new.mp3", "offset": 0, "data": b"x"})
    with pytest.raises(SyncError, match="relative folder"):
        await service.serve(peer, "inventory", {"music": True, "music_folders": ["../etc"]})
    closed = SyncService(tmp_path / "models", tmp_path / "assets", settings=SyncServerSettings(share_music=False),
                         music=music)
    with pytest.raises(SyncError, match="share_music"):
        await closed.serve(peer, "inventory", {"music": True})
