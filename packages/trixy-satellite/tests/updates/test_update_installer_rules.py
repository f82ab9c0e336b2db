"""The installer's rules without a network: atomic swap with rollback, and refusals that keep the old version."""

from __future__ import annotations

import asyncio
import hashlib
from pathlib import Path

import pytest

from trixy_protocol import UpdateChunk, UpdateKind, UpdateOffer, UpdateResponse, UpdateResult
from trixy_satellite.updates import (
    UpdateError,
    UpdateInstaller,
    UpdateSettings,
    previous_of,
    roll_back,
    swap_in,
)
from trixy_satellite.updates.folders import repair


class RecordingClient:
    """Stands in for the connection: records what the installer answers."""

    def __init__(self, *, connected: bool = True, encrypted: bool = True) -> None:
        self.connected = connected
        self._conn = type("Conn", (), {"encrypt": encrypted})()
        self.sent: list = []
        self.handlers: dict = {}

    def on(self, kind, handler) -> None:
        self.handlers[kind] = handler

    def send(self, message) -> None:
        self.sent.append(message)


def folder(path: Path, **files: str) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (path / name).write_text(text)
    return path


def test_swap_keeps_one_backup_and_rollback_restores_it(tmp_path):
    target = folder(tmp_path / "assets", **{"a.txt": "v1"})
    swap_in(target, folder(tmp_path / "new2", **{"a.txt": "v2"}))
    swap_in(target, folder(tmp_path / "new3", **{"a.txt": "v3"}))
    assert (target / "a.txt").read_text() == "v3" and (previous_of(target) / "a.txt").read_text() == "v2"
    assert roll_back(target) and (target / "a.txt").read_text() == "v2"
    assert not roll_back(target)


def test_a_swap_interrupted_between_the_renames_is_repaired(tmp_path):
    target = folder(tmp_path / "plugins", **{"p.py": "old"})
    previous_of(target).parent.mkdir(exist_ok=True)
    target.rename(previous_of(target))          # the crash happened here
    repair(target)
    assert (target / "p.py").read_text() == "old"


def test_validator_failure_and_activation_failure_leave_the_old_version(tmp_path):
    client = RecordingClient()
    installer = UpdateInstaller(client, tmp_path, UpdateSettings(wakeword_folder="models/ww"))
    target = folder(tmp_path / "models" / "ww", **{"old.onnx": "old"})
    (tmp_path / "new.onnx").write_bytes(b"new")

    installer.validators[UpdateKind.WAKEWORD_MODEL] = lambda f: (_ for _ in ()).throw(ValueError("bad graph"))
    with pytest.raises(UpdateError, match="does not work: bad graph"):
        installer.install_file(UpdateKind.WAKEWORD_MODEL, tmp_path / "new.onnx", "new.onnx", "u1")
    assert sorted(p.name for p in target.iterdir()) == ["old.onnx"]

    installer.validators.clear()
    installer.activators[UpdateKind.WAKEWORD_MODEL] = lambda f: (_ for _ in ()).throw(RuntimeError("no"))
    with pytest.raises(UpdateError, match="rolled back"):
        installer.install_file(UpdateKind.WAKEWORD_MODEL, tmp_path / "new.onnx", "new.onnx", "u2")
    assert sorted(p.name for p in target.iterdir()) == ["old.onnx"]
    assert not list(tmp_path.glob("models/.ww.incoming-*"))


@pytest.mark.parametrize(("client", "offer_changes", "reason"), [
    (RecordingClient(encrypted=False), {}, "not encrypted"),
    (RecordingClient(connected=False), {}, "not connected"),
    (RecordingClient(), {"filename": "../x.onnx"}, "plain name"),
    (RecordingClient(), {"size": 10**12}, "max_bytes"),
    (RecordingClient(), {"kind": UpdateKind.ASSETS, "filename": "assets.rar"}, ".zip or .tar.gz"),
    (RecordingClient(), {"kind": UpdateKind.CONFIG, "filename": "c.zip"}, "ConfigUpdate"),
])
async def test_offers_that_cannot_be_trusted_or_installed_are_declined(tmp_path, client, offer_changes, reason):
    installer = UpdateInstaller(client, tmp_path).attach()
    values = {"update_id": "u1", "kind": UpdateKind.WAKEWORD_MODEL, "filename": "m.onnx", "size": 3,
              "sha256": hashlib.sha256(b"abc").digest(), **offer_changes}
    installer.on_offer(UpdateOffer(**values))
    answer = client.sent[-1]
    assert isinstance(answer, UpdateResponse) and not answer.accepted and reason in answer.reason


async def test_chunks_out_of_order_or_too_long_abort_the_update(tmp_path):
    client = RecordingClient()
    installer = UpdateInstaller(client, tmp_path).attach()
    offer = UpdateOffer(update_id="u1", kind=UpdateKind.WAKEWORD_MODEL, filename="m.onnx", size=3,
                        sha256=hashlib.sha256(b"abc").digest())
    installer.on_offer(offer)
    installer.on_chunk(UpdateChunk(update_id="u1", index=1, offset=1, data=b"b"))
    result = client.sent[-1]
    assert isinstance(result, UpdateResult) and not result.success and "out of order" in result.message
    installer.on_offer(offer)
    installer.on_chunk(UpdateChunk(update_id="u1", index=0, offset=0, data=b"abcdef", last=True))
    assert "more data" in client.sent[-1].message
    assert not list((tmp_path / ".trixy-updates").iterdir())


def test_attaching_restores_a_model_folder_left_out_by_a_crash(tmp_path):
    target = folder(tmp_path / "models" / "ww", **{"m.onnx": "model"})
    target.rename(previous_of(target))
    installer = UpdateInstaller(RecordingClient(), tmp_path, UpdateSettings(wakeword_folder="models/ww")).attach()
    assert installer.repaired == [UpdateKind.WAKEWORD_MODEL]
    assert (target / "m.onnx").read_text() == "model"


async def test_a_damaged_archive_is_reported_by_the_offered_name_not_the_download_file(tmp_path):
    client = RecordingClient()
    installer = UpdateInstaller(client, tmp_path).attach()
    data = b"PK\x03\x04 this is no zip archive at all"
    offer = UpdateOffer(update_id="u7", kind=UpdateKind.ASSETS, filename="assets-2026.zip", size=len(data),
                        sha256=hashlib.sha256(data).digest())
    installer.on_offer(offer)
    installer.on_chunk(UpdateChunk(update_id="u7", index=0, offset=0, data=data, last=True))
    for _ in range(500):  # installation runs in a worker thread
        if isinstance(client.sent[-1], UpdateResult):
            break
        await asyncio.sleep(0.01)
    result = client.sent[-1]
    assert isinstance(result, UpdateResult) and not result.success, result
    assert "assets-2026.zip" in result.message and "damaged" in result.message
    assert ".part" not in result.message and "u7" not in result.message
