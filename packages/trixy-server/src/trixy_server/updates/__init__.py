"""Pushing updates (models, assets, plugins, scripts) and reboot requests to satellites."""

from trixy_server.updates.config import UPDATE_PUSH_SECTION
from trixy_server.updates.methods import SatelliteUpdateMethods
from trixy_server.updates.packing import build_archive, folder_files
from trixy_server.updates.pusher import PushSettings, UpdatePusher

__all__ = ["UPDATE_PUSH_SECTION", "PushSettings", "SatelliteUpdateMethods", "UpdatePusher", "build_archive",
           "folder_files"]
