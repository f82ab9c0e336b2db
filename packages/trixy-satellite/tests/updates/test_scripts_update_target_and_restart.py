"""Scripts updates replace the running trixy_satellite package (pip or checkout), never the checkout's scripts/
folder; with `restart_after_scripts` the satellite stops itself so its service manager starts the new code."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import trixy_satellite
from trixy_protocol import UpdateKind
from trixy_satellite.updates import UpdateInstaller
from trixy_satellite.updates.config import UpdateSettings
from trixy_satellite.updates.scripts import scripts_target


def test_default_target_is_the_running_package_not_the_checkouts_scripts_folder(tmp_path: Path):
    package = Path(trixy_satellite.__file__).resolve().parent
    installer = UpdateInstaller(client=None, root=tmp_path, settings=UpdateSettings())
    assert installer.target_for(UpdateKind.SCRIPTS) == package
    assert not (package / "trixy-tmux.sh").exists()
    assert scripts_target(tmp_path, "code/sat") == tmp_path / "code" / "sat"
    assert scripts_target(tmp_path, str(tmp_path / "abs")) == tmp_path / "abs"


def test_restart_soon_stops_the_process_gracefully_after_the_delay():
    code = (
        "import asyncio, signal\n"
        "from trixy_satellite.updates.scripts import restart_soon\n"
        "async def main():\n"
        "    stopped = asyncio.Event()\n"
        "    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stopped.set)\n"
        "    restart_soon(0.05)\n"
        "    await asyncio.wait_for(stopped.wait(), 10)\n"
        "    print('stopped by SIGTERM')\n"
        "asyncio.run(main())\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "stopped by SIGTERM"
