"""Update actions on `Satellite` (mixed into the class): what the TUI's F5 Updates buttons and plugins call.

    sat.push_model("models/wakeword/trixy")    sat.push_voice_model()     sat.push_assets()
    sat.push_plugins(["notes"])               sat.push_scripts()         sat.reboot(delay_s=2)
    sat.update_wakeword_model() / update_voice_model() / update_assets() / update_plugins() / update_scripts()

Like every Satellite method they return an asyncio Task on the server's loop and a concurrent Future elsewhere.
The pusher is the application's `update_pusher` component (see `UpdatePusher.from_application`).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
from pathlib import Path
from typing import Any

from trixy_protocol import UpdateKind

Pending = asyncio.Future | concurrent.futures.Future


class SatelliteUpdateMethods:
    """Mixin for `Satellite`: pushes through the manager's `update_pusher`."""

    def _update_pusher(self) -> Any:
        manager = getattr(self, "_manager", None)
        pusher = getattr(manager, "update_pusher", None)
        if pusher is None:
            from trixy_server.updates.pusher import PushSettings, UpdatePusher

            pusher = UpdatePusher(PushSettings.for_root(Path.cwd()))
            if manager is not None:
                manager.update_pusher = pusher
        return pusher

    def _run_update(self, action: str, *args: Any, **kwargs: Any) -> Pending:
        link = self._require_link()  # type: ignore[attr-defined]
        coro = getattr(self._update_pusher(), action)(self, *args, **kwargs)
        return self._dispatch(link, coro)  # type: ignore[attr-defined]

    def push_model(self, path: str | Path | None = None, kind: UpdateKind | str = UpdateKind.WAKEWORD_MODEL) -> Pending:
        """Push a model file or folder (wake word by default); the satellite checks, installs and reloads it live."""
        return self._run_update("push_model", path, UpdateKind(kind))

    def push_wakeword_model(self, path: str | Path | None = None) -> Pending:
        """Push a wake-word model (default: the newest under models/wakeword/)."""
        return self.push_model(path, UpdateKind.WAKEWORD_MODEL)

    def push_voice_model(self, path: str | Path | None = None) -> Pending:
        """Push a voice-recognition model (default: the newest under models/voice_recognition/)."""
        return self.push_model(path, UpdateKind.VOICE_MODEL)

    def push_assets(self, profile: str | None = None) -> Pending:
        """Push assets/default and the satellite's profile."""
        return self._run_update("push_assets", profile)

    def push_plugins(self, names: list[str] | None = None) -> Pending:
        """Push the plugins folder (or only the named plugins)."""
        return self._run_update("push_plugins", names)

    def push_scripts(self, path: str | Path | None = None) -> Pending:
        """Push the satellite's scripts (folder or .zip/.tar.gz); the satellite reports restart_required."""
        return self._run_update("push_scripts", path)

    def reboot(self, delay_s: float = 0.0, reason: str = "") -> Pending:
        """Ask the satellite to run its configured reboot command."""
        return self._run_update("reboot", delay_s, reason)

    # the TUI's button names (no arguments: newest model, satellite's profile, all plugins, configured scripts)
    def update_wakeword_model(self) -> Pending:
        """F5 'Update wake-word model'."""
        return self.push_wakeword_model()

    def update_voice_model(self) -> Pending:
        """F5 'Update voice-recognition model'."""
        return self.push_voice_model()

    def update_assets(self) -> Pending:
        """F5 'Update assets' (default + the satellite's profile)."""
        return self.push_assets()

    def update_plugins(self) -> Pending:
        """F5 'Update plugins'."""
        return self.push_plugins()

    def update_scripts(self) -> Pending:
        """F5 'Update scripts'."""
        return self.push_scripts()
