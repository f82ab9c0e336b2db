"""Running the app leaves the shipped configuration alone: runtime state goes to the git-ignored state folder."""

from __future__ import annotations

import asyncio
import hashlib
import os
import shutil
import stat
import subprocess
from pathlib import Path

import trixy_server.config  # noqa: F401 - registers the `network` config section
from trixy_core.application import create_application
from trixy_server.component import SatelliteNetwork

ROOT = Path(__file__).resolve().parents[2]


def snapshot(folder: Path) -> dict[str, tuple[str, int]]:
    return {str(p.relative_to(folder)): (hashlib.sha256(p.read_bytes()).hexdigest(), stat.S_IMODE(p.stat().st_mode))
            for p in sorted(folder.rglob("*")) if p.is_file()}


async def test_a_server_run_with_the_shipped_config_writes_only_into_the_state_folder(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "config", tmp_path / "config")
    for path in (tmp_path / "config").rglob("*.json"):
        os.chmod(path, 0o644)
    # an enabled schedule that fires at once, so the run state really changes
    schedules = tmp_path / "config" / "schedules.json"
    text = schedules.read_text().replace('"enabled": false', '"enabled": true', 1)
    text = text.replace('"days": ["sun"], "at": "03:00"', '"days": ["mon","tue","wed","thu","fri","sat","sun"], "at": "00:00"')
    schedules.write_text(text)
    before = snapshot(tmp_path / "config")
    ports = [f"network.{p}=0" for p in ("command_port", "audio_input_port", "audio_output_port", "music_port")]
    app = create_application("server", root=tmp_path, setup_logging=False, overrides=[
        f"paths.plugins={tmp_path / 'no-plugins'}", "network.bind_address=127.0.0.1", *ports,
        "scheduler.misfire_grace_s=90000"])
    network = SatelliteNetwork.from_application(app)
    app.trainer_runner = None  # type: ignore[attr-defined] - the training action fails and is recorded, not run
    async with app:
        await app.scheduler.run_now("greet new satellites")
        network.registry.register("aa:bb:cc:00:11:22", "Kitchen", "Fridge")
        await asyncio.sleep(0)
    assert snapshot(tmp_path / "config") == before
    state = tmp_path / "state"
    assert (state / "schedules.json").is_file()
    registration = state / "satellites" / "aa-bb-cc-00-11-22.json"
    assert stat.S_IMODE(registration.stat().st_mode) == 0o600


def test_git_ignores_the_state_folder_and_old_registration_files() -> None:
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        import pytest

        pytest.skip("not a git checkout")
    paths = ["state/schedules.json", "state/satellites/aa-bb-cc-00-11-22.json", "config/satellites/aa.json"]
    out = subprocess.run(["git", "check-ignore", *paths], cwd=ROOT, capture_output=True, text=True)
    assert out.stdout.split() == paths
