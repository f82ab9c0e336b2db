"""Trixy standalone: server and satellite in one process, plus sync with a server."""

from importlib.metadata import PackageNotFoundError as _NotInstalled
from importlib.metadata import version as _installed_version

try:  # the one version source is the repository's VERSION file (packages/hatch_trixy.py)
    __version__ = _installed_version("trixy-standalone")
except _NotInstalled:  # imported from a source tree that was never installed
    __version__ = "0+unknown"

