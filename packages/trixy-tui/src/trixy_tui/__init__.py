"""Trixy TUI: the Textual interface for server, client and standalone.

Runners call `run_tui(application, mode)` in normal (non-debug) mode; `TrixyApp(application, mode)` is the app
itself (tests drive it with `run_test()`). The TUI only reads and calls the application's components.
"""

from importlib.metadata import PackageNotFoundError as _NotInstalled
from importlib.metadata import version as _installed_version

try:  # the one version source is the repository's VERSION file (packages/hatch_trixy.py)
    __version__ = _installed_version("trixy-tui")
except _NotInstalled:  # imported from a source tree that was never installed
    __version__ = "0+unknown"


from trixy_tui.app import TrixyApp, run_tui

__all__ = ["TrixyApp", "__version__", "run_tui"]
