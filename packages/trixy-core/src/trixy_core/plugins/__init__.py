"""Plugins: the `TrixyPlugin` base class, the plugin manager and the config-editor rule."""

from trixy_core.plugins.base import TrixyPlugin, load_plugin_config
from trixy_core.plugins.config_editor import (
    EditableField,
    apply_text_edits,
    cast_text,
    editable_fields,
    json_type_name,
    value_to_text,
)
from trixy_core.plugins.loader import PACKAGE_ROOT, module_name_for
from trixy_core.plugins.manager import PluginManager, PluginProblem, PluginStatus

__all__ = [
    "PACKAGE_ROOT",
    "EditableField",
    "PluginManager",
    "PluginProblem",
    "PluginStatus",
    "TrixyPlugin",
    "apply_text_edits",
    "cast_text",
    "editable_fields",
    "json_type_name",
    "load_plugin_config",
    "module_name_for",
    "value_to_text",
]
