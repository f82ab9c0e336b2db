"""Trixy server: network servers, satellite manager, registration, arbitration, audio routing.

Public API (what plugins and other packages use):
    SatelliteManager, Satellite, SatelliteGroup      -- application.satellite_manager and what it returns
    NetworkServer, NetworkConfig, SatelliteNetwork   -- the sockets (component registered as `network`)
    SatelliteRegistry, Blacklist, RegistrationWindow -- registration files, blacklist, registration mode
"""

from importlib.metadata import PackageNotFoundError as _NotInstalled
from importlib.metadata import version as _installed_version

try:  # the one version source is the repository's VERSION file (packages/hatch_trixy.py)
    __version__ = _installed_version("trixy-server")
except _NotInstalled:  # imported from a source tree that was never installed
    __version__ = "0+unknown"


from trixy_server.blacklist import Blacklist
from trixy_server.capture import AudioCapture
from trixy_server.component import SatelliteNetwork
from trixy_server.config import NETWORK_SECTION, NetworkConfig
from trixy_server.errors import (
    InvalidMacError,
    RegistryError,
    SatelliteNotConnectedError,
    SelectorError,
    TrixyServerError,
    UnknownSatelliteError,
)
from trixy_server.group import GroupResult, SatelliteGroup
from trixy_server.manager import SatelliteManager
from trixy_server.network import NetworkServer
from trixy_server.registration import RegistrationWindow
from trixy_server.registry import SatelliteRecord, SatelliteRegistry
from trixy_server.satellite import Satellite

__all__ = [
    "NETWORK_SECTION",
    "AudioCapture",
    "Blacklist",
    "GroupResult",
    "InvalidMacError",
    "NetworkConfig",
    "NetworkServer",
    "RegistrationWindow",
    "RegistryError",
    "Satellite",
    "SatelliteGroup",
    "SatelliteManager",
    "SatelliteNetwork",
    "SatelliteNotConnectedError",
    "SatelliteRecord",
    "SatelliteRegistry",
    "SelectorError",
    "TrixyServerError",
    "UnknownSatelliteError",
]
