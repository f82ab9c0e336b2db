"""Composing the standalone from trixy-server's and trixy-satellite's components (nothing copied):

    core application (mode standalone): event handler, assets, conversations, plugins, scheduler
    + SatelliteNetwork (loopback, free ports; or the `network` ports with standalone.serve_satellites)
    + VoicePipeline (arbitration, recording, STT -> intent -> TTS through plugins)
    + UpdatePusher (push updates to satellites served by this standalone)
    + LocalSatellite (SatelliteApp: microphone, wake word, speaker id, player) on loopback
    + StandaloneSync (every sync.interval_s: reach the server, sync models, assets, plugin data)
"""

from __future__ import annotations

import logging
from typing import Any

from trixy_core.application import Application, create_application

logger = logging.getLogger(__name__)


def register_sections() -> None:
    """Import every package whose config sections the standalone's file holds (before loading it)."""
    import trixy_satellite.config  # noqa: F401
    import trixy_server.config
    import trixy_server.updates
    import trixy_standalone.config  # noqa: F401

    try:
        import trixy_server.pipeline.config  # noqa: F401
    except ImportError:  # the voice pipeline is optional for sync-only tests
        pass


def build_network(app: Application) -> Any:
    """The built-in server's sockets: loopback on free ports unless standalone.serve_satellites."""
    from trixy_server.component import SatelliteNetwork
    from trixy_server.config import NetworkConfig

    if app.config.get("standalone.serve_satellites"):
        return SatelliteNetwork.from_application(app)
    section = app.config.section("network")
    section.pop("registration_on_start", None)
    section.update(bind_address="127.0.0.1", command_port=0, audio_input_port=0, audio_output_port=0, music_port=0)
    network = SatelliteNetwork(NetworkConfig.from_mapping(section), app.root, event_handler=app.event_handler,
                               app_config=app.config)
    app.register("satellite_manager", network.manager)
    app.register("network", network)
    return network


def compose(app: Application, *, input_wav: str | None = None, source: Any = None, sink: Any = None,
            detector: Any = None, pipeline: bool = True) -> Application:
    """Add the server, pipeline, local satellite and sync components to a standalone application."""
    from trixy_server.updates import UpdatePusher
    from trixy_standalone.local_satellite import LocalSatellite
    from trixy_standalone.sync_client import StandaloneSync

    network = build_network(app)
    if pipeline:
        try:
            from trixy_server.pipeline import VoicePipeline
        except ImportError as exc:
            logger.warning("voice pipeline not available (%s): wake words are not answered", exc)
        else:
            VoicePipeline.from_application(app)
    UpdatePusher.from_application(app)
    local = LocalSatellite.from_application(app, network, input_wav=input_wav, source=source, sink=sink,
                                            detector=detector)
    StandaloneSync.from_application(app, on_files_pulled=local.files_pulled)
    return app


def build_standalone(root: str = ".", config_path: str | None = None, overrides: list[str] | None = None, *,
                     debug: bool = False, input_wav: str | None = None, **kwargs: Any) -> Application:
    """The whole standalone application, built (not started)."""
    register_sections()
    app = create_application("standalone", root=root, config_path=config_path, overrides=overrides or [],
                             debug=debug, setup_logging=kwargs.pop("setup_logging", True))
    return compose(app, input_wav=input_wav, **kwargs)
