"""Errors of the satellite's wake-word engine."""

from __future__ import annotations


class WakewordError(Exception):
    """The wake-word model cannot be used; the message says what to fix."""


class WakewordModelError(WakewordError):
    """The ONNX model is missing, unreadable or does not follow the Trixy wake-word interface."""
