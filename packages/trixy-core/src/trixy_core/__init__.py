"""Trixy core: application container, event handler, plugins, config, assets, scheduler, conversations, logging, model files.

The names a plugin needs most are re-exported here: `from trixy_core import TrixyPlugin, TrixyEvent` (and `TrixyApplication`, the type of
`self.application`).
"""

from importlib.metadata import PackageNotFoundError as _NotInstalled
from importlib.metadata import version as _installed_version

try:  # the one version source is the repository's VERSION file (packages/hatch_trixy.py)
    __version__ = _installed_version("trixy-core")
except _NotInstalled:  # imported from a source tree that was never installed
    __version__ = "0+unknown"


from trixy_core.application_protocol import TrixyApplication
from trixy_core.errors import TrixyError
from trixy_core.events.decorator import TrixyEvent
from trixy_core.plugins.base import TrixyPlugin

__all__ = ["TrixyApplication", "TrixyError", "TrixyEvent", "TrixyPlugin", "__version__"]
