"""Server-pushed updates end to end: real server, real satellite, encrypted TRXI connection on loopback."""

from __future__ import annotations

import hashlib
import io
import zipfile
from pathlib import Path

import pytest
from standalone_helpers import wait_for
from standalone_onnx_models import detections, loud_model, loud_noise

from trixy_protocol import UpdateChunk, UpdateKind, UpdateOffer, UpdateResponse, UpdateResult
from trixy_server.errors import UpdatePushError


async def test_pushed_wakeword_model_changes_the_live_detector_and_keeps_the_old_one(server_and_satellite, tmp_path):
    app, sat, satellite, installer, root = server_and_satellite
    assert detections(satellite.detector, loud_noise()) == []          # the quiet model never fires
    new = loud_model(tmp_path / "push" / "loud" / "loud.onnx")

    result = await sat.push_model(new)

    assert result.success, result.message
    folder = root / "models" / "wakeword" / "default"
    assert sorted(p.name for p in folder.iterdir()) == ["README.md", "loud.onnx"]
    assert (root / "models" / "wakeword" / ".default.previous" / "quiet.onnx").is_file()   # kept for rollback
    assert satellite.detector.model.path.name == "loud.onnx"
    assert satellite.listener is not None and satellite.listener.detector is satellite.detector
    assert [d.name for d in detections(satellite.detector, loud_noise())][:1] == ["trixy"]   # live, no restart
    assert satellite.client.connected and app.update_pusher.history[-1]["ok"]

    assert installer.rollback(UpdateKind.WAKEWORD_MODEL)                 # and back again
    assert satellite.detector.model.path.name == "quiet.onnx"


async def test_corrupt_model_archive_is_refused_and_the_old_model_stays(server_and_satellite):
    app, sat, satellite, installer, root = server_and_satellite
    before = satellite.detector
    broken = b"PK\x03\x04" + b"\x00garbage" * 50
    with pytest.raises(UpdatePushError, match="damaged"):
        await app.update_pusher.push_bytes(sat, UpdateKind.WAKEWORD_MODEL, "model.zip", broken)
    with pytest.raises(UpdatePushError, match="cannot load|does not work"):
        await app.update_pusher.push_bytes(sat, UpdateKind.WAKEWORD_MODEL, "model.onnx", b"not an onnx graph")
    assert satellite.detector is before
    assert sorted(p.name for p in (root / "models" / "wakeword" / "default").iterdir()) == ["README.md", "quiet.onnx"]
    assert not (root / "models" / "wakeword" / ".default.previous").exists()
    assert [r.success for r in installer.history] == [False, False]


async def test_update_corrupted_on_the_way_fails_the_checksum_and_installs_nothing(server_and_satellite, tmp_path):
    app, sat, satellite, installer, root = server_and_satellite
    data = loud_model(tmp_path / "loud.onnx").read_bytes()
    link = sat._require_link()
    offer = UpdateOffer(update_id="tampered1", kind=UpdateKind.WAKEWORD_MODEL, filename="loud.onnx", size=len(data),
                        sha256=hashlib.sha256(data).digest())
    assert (await link.request(offer, UpdateResponse)).accepted
    flipped = bytes([data[0] ^ 0xFF]) + data[1:]
    result = await link.request(UpdateChunk(update_id="tampered1", index=0, offset=0, data=flipped, last=True),
                                UpdateResult)
    assert not result.success and "SHA-256 mismatch" in result.message
    assert satellite.detector.model.path.name == "quiet.onnx"
    assert not list((root / ".trixy-updates").iterdir())                # the staging file is gone


async def test_archive_with_paths_escaping_the_target_is_refused(server_and_satellite):
    app, sat, satellite, installer, root = server_and_satellite
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("audio/ok.wav", b"RIFF")
        archive.writestr("../../escaped.txt", b"owned")
    with pytest.raises(UpdatePushError, match=r"'\.\.'"):
        await app.update_pusher.push_bytes(sat, UpdateKind.ASSETS, "assets.zip", buffer.getvalue())
    assert not list(root.parent.rglob("escaped.txt"))
    assert not (root / "assets" / "default").exists()


async def test_assets_plugins_and_scripts_are_installed_as_archives(server_and_satellite):
    app, sat, satellite, installer, root = server_and_satellite
    server_root = Path(app.root)
    (server_root / "assets" / "default" / "audio").mkdir(parents=True)
    (server_root / "assets" / "default" / "audio" / "test.wav").write_bytes(b"RIFF-default")
    (server_root / "plugins" / "hello").mkdir(parents=True)
    (server_root / "plugins" / "hello" / "main.py").write_text("# plugin\n")
    scripts = server_root / "satellite-code" / "trixy_satellite"
    scripts.mkdir(parents=True)
    for name in ("__init__.py", "runner.py"):
        (scripts / name).write_text("")
    (scripts / "app.py").write_text("# new satellite code\n")

    results = await sat.update_assets()
    assert [r.success for r in results] == [True]
    assert (root / "assets" / "default" / "audio" / "test.wav").read_bytes() == b"RIFF-default"
    assert (await sat.update_plugins()).success
    assert (root / "plugins" / "hello" / "main.py").read_text() == "# plugin\n"
    result = await sat.push_scripts(scripts)
    assert result.success and result.restart_required
    assert (root / "scripts" / "app.py").read_text() == "# new satellite code\n"


async def test_scripts_that_are_not_a_working_satellite_package_are_refused(server_and_satellite):
    app, sat, satellite, installer, root = server_and_satellite
    folder = Path(app.root) / "half" / "trixy_satellite"
    folder.mkdir(parents=True)
    (folder / "app.py").write_text("# no __init__.py, no runner.py\n")
    with pytest.raises(UpdatePushError, match="not a trixy_satellite package"):
        await sat.push_scripts(folder)
    for name in ("__init__.py", "runner.py"):
        (folder / name).write_text("")
    (folder / "app.py").write_text("def broken(:\n")
    with pytest.raises(UpdatePushError, match="app.py does not compile"):
        await sat.push_scripts(folder)
    assert not (root / "scripts").exists()  # nothing was swapped in


async def test_reboot_runs_the_configured_command(server_and_satellite):
    app, sat, satellite, installer, root = server_and_satellite
    answer = await sat.reboot(reason="test")
    assert answer.success
    marker = root / "reboot-marker.txt"
    await wait_for(lambda: marker.exists() and marker.read_text().strip() == "rebooted", 15, "the reboot command")
    assert installer.reboots == 1
