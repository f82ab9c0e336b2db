"""Trixy core: application container, event handler, plugins, config, assets, scheduler, conversations, logging, model files."""

__version__ = "0.1.0"
