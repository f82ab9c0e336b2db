"""Trixy TUI: the Textual interface for server, client and standalone."""

__version__ = "0.1.0"
