"""Config: the extensible declarative schema and the per-mode JSON config file."""

from trixy_core.config.schema import MODES, ConfigField, ConfigSchema, ConfigSection
from trixy_core.config.sections import CONFIG_SCHEMA, CORE_SECTIONS, register_section
from trixy_core.config.store import Config, default_config_path, parse_override

__all__ = [
    "CONFIG_SCHEMA",
    "CORE_SECTIONS",
    "MODES",
    "Config",
    "ConfigField",
    "ConfigSchema",
    "ConfigSection",
    "default_config_path",
    "parse_override",
    "register_section",
]
