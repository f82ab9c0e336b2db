"""TRXI wire protocol: sans-IO frame codec, short commands and the command-class registry."""

__version__ = "0.1.0"
