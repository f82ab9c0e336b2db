"""The server's `update_push` config section: chunking, timeouts and where the pushed artefacts come from."""

from __future__ import annotations

from trixy_core.config import ConfigField, ConfigSection, register_section

UPDATE_PUSH_SECTION = ConfigSection(
    "update_push",
    "Pushing models, assets, plugins and scripts to satellites (TUI satellite view, F5 Updates).",
    (
        ConfigField("chunk_bytes", int, 1024 * 1024,
                    "Bytes per UpdateChunk (each travels as a multipart message of 256 KiB parts).",
                    minimum=1024, maximum=16 * 1024 * 1024),
        ConfigField("reply_timeout_s", float, 30.0, "Wait for the satellite's answer to an offer or a chunk.",
                    minimum=0.1),
        ConfigField("install_timeout_s", float, 120.0, "Wait for the satellite to verify and install.", minimum=0.1),
        ConfigField("scripts_source", str, "",
                    "Folder or .zip/.tar.gz sent by 'Update scripts' (relative to the root); empty = the "
                    "trixy_satellite package installed beside the server (same release as the satellites)."),
        ConfigField("archive_format", str, "zip", "Archive format for folders.", choices=("zip", "tar.gz")),
    ),
    modes=("server", "standalone"),
)

register_section(UPDATE_PUSH_SECTION)
