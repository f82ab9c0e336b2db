"""The satellite's `updates` config section (client mode): where updates go and what "reboot" runs."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from trixy_core.config import ConfigField, ConfigSection, register_section

UPDATES_SECTION = ConfigSection(
    "updates",
    "Updates pushed by the server (models, assets, plugins, scripts) and the reboot command.",
    (
        ConfigField("enabled", bool, True, "Accept updates from the server this satellite is registered with."),
        ConfigField("reboot_command", list, ["sudo", "systemctl", "reboot"],
                    "Command (argument list, no shell) run when the server asks for a reboot; [] disables it."),
        ConfigField("scripts_folder", str, "",
                    "Folder replaced by a scripts update; empty = the running trixy_satellite package (pip or checkout)."),
        ConfigField("restart_after_scripts", bool, False,
                    "After a scripts update, stop (SIGTERM) so the service manager restarts with the new code."),
        ConfigField("plugins_folder", str, "plugins", "Folder replaced by a plugins update (relative to the root)."),
        ConfigField("assets_folder", str, "assets", "Asset profiles folder (assets/<profile>/ is replaced)."),
        ConfigField("max_bytes", int, 256 * 1024 * 1024, "Largest update (and unpacked archive) accepted.",
                    minimum=1024),
        ConfigField("allow_unencrypted", bool, False,
                    "Accept updates on a connection without frame encryption (not recommended)."),
    ),
    modes=("client",),
)

register_section(UPDATES_SECTION)


@dataclass(slots=True)
class UpdateSettings:
    """Typed view of the `updates` section (defaults are the schema's)."""

    enabled: bool = True
    reboot_command: list[str] = field(default_factory=lambda: ["sudo", "systemctl", "reboot"])
    scripts_folder: str = ""
    restart_after_scripts: bool = False
    plugins_folder: str = "plugins"
    assets_folder: str = "assets"
    max_bytes: int = 256 * 1024 * 1024
    allow_unencrypted: bool = False
    wakeword_folder: str = "models/wakeword/trixy"
    voice_folder: str = "models/voice_recognition/default"

    @classmethod
    def from_config(cls, config: Any) -> UpdateSettings:
        """Read `updates` and the model folders of `models` from a client Config."""
        section = config.section("updates")
        settings = cls(**{k: v for k, v in section.items() if k in cls.__dataclass_fields__})
        try:
            settings.wakeword_folder = config.get("models.wakeword")
            settings.voice_folder = config.get("models.voice_recognition")
        except KeyError:
            pass
        return settings
