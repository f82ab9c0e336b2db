"""Trixy satellite: audio I/O, wake-word and speaker inference (numpy + onnxruntime), server connection."""

__version__ = "0.1.0"
