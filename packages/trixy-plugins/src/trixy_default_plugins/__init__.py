"""Trixy's shipped plugins as a package, so a pip-installed server answers out of the box.

The wheel carries the checkout's `plugins/` folder as `trixy_default_plugins/data/`; `paths.plugins` (default
`plugins`) falls back to it when the server's root has no `plugins/` folder (`trixy_core.shipped`). To change or add
plugins, copy it: `cp -r "$(python -c 'import trixy_default_plugins as p; print(p.folder())')" <root>/plugins`.
(The import name is not `trixy_plugins`: that is the namespace the plugin loader imports plugin folders under.)
"""

from __future__ import annotations

from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"


def folder() -> Path:
    """The shipped plugins folder (one sub-folder per plugin); absent in an editable checkout."""
    return DATA
