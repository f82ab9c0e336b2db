"""The trixy-server version (its own module, so that submodules need not import the package back)."""

__version__ = "0.1.0"
