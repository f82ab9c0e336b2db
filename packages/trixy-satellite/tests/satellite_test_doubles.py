"""Shared test doubles for the satellite's unit tests: the client surface the recorder and wake listener use."""

from __future__ import annotations

import numpy as np

LOUD = (8000 * np.sin(np.arange(320) / 3)).astype("<i2").tobytes()
QUIET = b"\x00" * 640


class FakeClient:
    """The surface of ``SatelliteClient`` the recorder uses: handlers in, commands and audio out."""

    def __init__(self) -> None:
        self.handlers: dict = {}
        self.sent: list = []
        self.audio: list[bytes] = []
        self.connected = True
        self.player = None
        self.disconnected_callbacks: list = []

    def on(self, cls, handler) -> None:
        self.handlers.setdefault(cls, []).append(handler)

    def fire(self, command) -> None:
        for handler in self.handlers.get(type(command), []):
            handler(command)

    def send(self, command) -> None:
        self.sent.append(command)

    def send_audio(self, pcm: bytes) -> bool:
        self.audio.append(pcm)
        return True
