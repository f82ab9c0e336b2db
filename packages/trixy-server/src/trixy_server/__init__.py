"""Trixy server: network servers, satellite manager, registration, arbitration, audio routing."""

__version__ = "0.1.0"
