"""Reusable widgets of the Trixy TUI."""

from trixy_tui.widgets.config_editor import ConfigEditor
from trixy_tui.widgets.info_table import InfoTable
from trixy_tui.widgets.log_view import LogView
from trixy_tui.widgets.plugin_config_editor import PluginConfigEditor
from trixy_tui.widgets.remote_config_editor import RemoteConfigEditor
from trixy_tui.widgets.training_plot import TrainingPlot

__all__ = ["ConfigEditor", "InfoTable", "LogView", "PluginConfigEditor", "RemoteConfigEditor", "TrainingPlot"]
