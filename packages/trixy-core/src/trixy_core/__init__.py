"""Trixy core: application container, event handler, plugins, config, assets, scheduler, conversations, logging, model files.

The names a plugin needs most are re-exported here: `from trixy_core import TrixyPlugin, TrixyEvent` (and `TrixyApplication`, the type of
`self.application`).
"""

__version__ = "0.1.0"

from trixy_core.application_protocol import TrixyApplication
from trixy_core.errors import TrixyError
from trixy_core.events.decorator import TrixyEvent
from trixy_core.plugins.base import TrixyPlugin

__all__ = ["TrixyApplication", "TrixyError", "TrixyEvent", "TrixyPlugin", "__version__"]
