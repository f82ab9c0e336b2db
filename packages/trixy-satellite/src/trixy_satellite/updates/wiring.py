"""Wiring the update installer into a running `SatelliteApp`: live model reload without a restart.

    installer = install_update_handlers(app, config, root)     # the client runner calls this once

A pushed wake-word model is loaded from the staging folder first (a model that does not load is refused and the old
one keeps running), then, after the swap, loaded again from its final place and handed to the live listener: the
next microphone chunk is scored by the new model.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

from trixy_protocol import UpdateKind
from trixy_satellite.updates.config import UpdateSettings
from trixy_satellite.updates.errors import UpdateError
from trixy_satellite.updates.installer import UpdateInstaller
from trixy_satellite.updates.scripts import restart_soon, validate_scripts

if TYPE_CHECKING:
    from trixy_satellite.app import SatelliteApp

logger = logging.getLogger(__name__)


def wakeword_file(folder: Path) -> Path:
    """The wake-word graph in a model folder (the first *.onnx that is not a *.stream.onnx companion)."""
    candidates = sorted(p for p in Path(folder).glob("*.onnx") if not p.name.endswith(".stream.onnx"))
    if not candidates:
        raise UpdateError(f"{folder.name}: no wake-word .onnx model in the update")
    return candidates[0]


def speaker_file(folder: Path) -> Path:
    """The speaker graph in a model folder (the first *.onnx)."""
    candidates = sorted(Path(folder).glob("*.onnx"))
    if not candidates:
        raise UpdateError(f"{folder.name}: no speaker .onnx model in the update")
    return candidates[0]


def load_detector(folder: Path) -> Any:
    """A streaming `WakewordDetector` for the model in `folder`; raises when it does not load."""
    from trixy_satellite.wakeword import WakewordDetector, load_wakeword_model

    return WakewordDetector(load_wakeword_model(wakeword_file(folder)))


def set_live_detector(app: SatelliteApp, detector: Any) -> None:
    """Make `detector` the one the satellite listens with, from the next microphone chunk on."""
    listener = getattr(app, "listener", None)
    if listener is not None:
        listener.use_detector(detector)
    elif hasattr(app, "pump") and hasattr(app, "recorder"):
        from trixy_satellite.listening import WakeListener

        client = app.client
        app.listener = WakeListener(detector, app.recorder, connected=lambda: client.connected,
                                    keeper=getattr(app, "detection_keeper", None),
                                    near_miss_floor=getattr(app, "near_miss_floor", None))
        app.pump.add_consumer(app.listener.feed)
    app.detector = detector
    logger.info("wake-word detector now uses %s", getattr(getattr(detector, "model", None), "path", detector))


def set_live_speaker(app: SatelliteApp, identifier: Any) -> None:
    """Make `identifier` the speaker model of the live listener."""
    listener = getattr(app, "listener", None)
    window = getattr(listener, "speaker", None)
    if window is not None:
        window.identifier = identifier
    app.speaker_identifier = identifier


def install_update_handlers(app: SatelliteApp, config: Any, root: Path) -> UpdateInstaller:
    """Create the installer for `app` (a SatelliteApp), register its handlers and the live model reloads."""
    settings = UpdateSettings.from_config(config)
    try:
        profile = config.get("general.profile")
    except KeyError:
        profile = "default"
    installer = UpdateInstaller(app.client, Path(root), settings, profile=profile).attach()
    capabilities = getattr(app.client, "capabilities", None)
    if isinstance(capabilities, list) and "updates" not in capabilities:
        capabilities.append("updates")  # announced in the next hello: the server's TUI can tell
    installer.validators[UpdateKind.WAKEWORD_MODEL] = load_detector
    # activators run in the installer's worker thread: load there, swap on the loop the microphone pump runs on
    installer.activators[UpdateKind.WAKEWORD_MODEL] = lambda folder: installer.call_on_loop(
        set_live_detector, app, load_detector(folder))

    def load_speaker(folder: Path) -> Any:
        from trixy_satellite.speaker import SpeakerIdentifier

        return SpeakerIdentifier(speaker_file(folder))

    installer.validators[UpdateKind.VOICE_MODEL] = load_speaker
    installer.activators[UpdateKind.VOICE_MODEL] = lambda folder: installer.call_on_loop(
        set_live_speaker, app, load_speaker(folder))
    installer.validators[UpdateKind.SCRIPTS] = validate_scripts
    if settings.restart_after_scripts:  # the new code runs once the service manager restarts the process
        installer.activators[UpdateKind.SCRIPTS] = lambda _folder: installer.call_on_loop(restart_soon)
    for kind in installer.repaired:  # a crash mid-update left the model folder out while the app loaded its models
        activator = installer.activators.get(kind)
        if activator is not None:
            try:
                activator(installer.target_for(kind))
            except Exception as exc:  # the satellite still runs; the server can push again
                logger.error("cannot load the restored %s: %s", kind.value, exc)
    app.updates = installer
    return installer
