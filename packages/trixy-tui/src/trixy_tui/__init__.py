"""Trixy TUI: the Textual interface for server, client and standalone.

Runners call `run_tui(application, mode)` in normal (non-debug) mode; `TrixyApp(application, mode)` is the app
itself (tests drive it with `run_test()`). The TUI only reads and calls the application's components.
"""

__version__ = "0.1.0"

from trixy_tui.app import TrixyApp, run_tui

__all__ = ["TrixyApp", "__version__", "run_tui"]
