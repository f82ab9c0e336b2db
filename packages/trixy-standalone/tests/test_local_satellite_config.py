"""The standalone's own satellite gets the `standalone` section's microphone settings, the detection and near-miss
keeping included."""

from __future__ import annotations

from pathlib import Path

from trixy_core.application import create_application
from trixy_standalone.local_satellite import client_config_for


def test_the_local_satellite_keeps_detections_and_near_misses_as_the_standalone_section_says(tmp_path: Path):
    import trixy_standalone.config  # noqa: F401 - registers the standalone's sections

    app = create_application("standalone", root=tmp_path, setup_logging=False, overrides=[
        "standalone.keep_detections=kept", "standalone.keep_detections_max=9", "standalone.keep_near_misses=0.7"])
    audio = client_config_for(app, None).section("audio")
    assert (audio["keep_detections"], audio["keep_detections_max"], audio["keep_near_misses"]) == ("kept", 9, 0.7)
    plain = create_application("standalone", root=tmp_path, setup_logging=False)
    audio = client_config_for(plain, None).section("audio")
    assert (audio["keep_detections"], audio["keep_near_misses"]) == ("", 0.6)  # keeping is off unless a folder is set
