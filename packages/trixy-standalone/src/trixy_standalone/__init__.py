"""Trixy standalone: server and satellite in one process, plus sync with a server."""

__version__ = "0.1.0"
