"""The server's `sync_server` config section: what standalones may sync with this server."""

from __future__ import annotations

from trixy_core.config import ConfigField, ConfigSection, register_section

SYNC_SERVER_SECTION = ConfigSection(
    "sync_server",
    "Standalones that connect with the capability 'sync' (models, assets, plugin data).",
    (
        ConfigField("enabled", bool, True, "Answer sync requests of registered standalones."),
        ConfigField("accept_models", bool, True, "Let standalones upload newer models into models/."),
        ConfigField("accept_assets", bool, False, "Let standalones upload assets into assets/."),
        ConfigField("max_read_bytes", int, 1024 * 1024, "Largest slice a standalone may read per request.",
                    minimum=1024, maximum=16 * 1024 * 1024),
        ConfigField("share_music", bool, True, "Let standalones copy the music library (the music plugin's folder)."),
    ),
    modes=("server",),
)

register_section(SYNC_SERVER_SECTION)
