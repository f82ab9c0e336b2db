"""Import a plugin folder as the package `trixy_plugins.<name>` so its main.py can use relative imports."""

from __future__ import annotations

import importlib.util
import re
import sys
import types
from pathlib import Path

from trixy_core.errors import PluginLoadError

PACKAGE_ROOT = "trixy_plugins"
MAIN_FILE = "main.py"


def module_name_for(plugin: str) -> str:
    """The package name a plugin folder is imported as, e.g. `trixy_plugins.my_plugin`."""
    ident = re.sub(r"\W", "_", plugin)
    if not ident or ident[0].isdigit():
        ident = "_" + ident
    return f"{PACKAGE_ROOT}.{ident}"


def _ensure_root() -> None:
    if PACKAGE_ROOT not in sys.modules:
        root = types.ModuleType(PACKAGE_ROOT)
        root.__path__ = []  # a namespace of plugin packages; each plugin adds itself below
        root.__doc__ = "Namespace under which Trixy imports plugin folders."
        sys.modules[PACKAGE_ROOT] = root


def purge_plugin_modules(plugin: str) -> None:
    """Forget the plugin's package and submodules so the next import reads the files again."""
    base = module_name_for(plugin)
    for key in [k for k in sys.modules if k == base or k.startswith(base + ".")]:
        del sys.modules[key]
    root = sys.modules.get(PACKAGE_ROOT)
    if root is not None and hasattr(root, base.rsplit(".", 1)[1]):
        delattr(root, base.rsplit(".", 1)[1])


def import_plugin_main(plugin: str, folder: Path) -> types.ModuleType:
    """Import `<folder>/main.py` as `trixy_plugins.<plugin>.main`; errors become `PluginLoadError` with the reason."""
    folder = Path(folder)
    main = folder / MAIN_FILE
    if not main.is_file():
        raise PluginLoadError(plugin, f"missing {MAIN_FILE} in {folder}", "import")
    _ensure_root()
    purge_plugin_modules(plugin)
    package_name = module_name_for(plugin)
    init = folder / "__init__.py"
    if init.is_file():
        spec = importlib.util.spec_from_file_location(package_name, init, submodule_search_locations=[str(folder)])
    else:
        spec = importlib.util.spec_from_loader(package_name, loader=None, is_package=True)
    if spec is None:
        raise PluginLoadError(plugin, f"cannot create a package for {folder}", "import")
    package = importlib.util.module_from_spec(spec)
    package.__path__ = [str(folder)]
    sys.modules[package_name] = package
    try:
        if spec.loader is not None:
            spec.loader.exec_module(package)
        main_spec = importlib.util.spec_from_file_location(f"{package_name}.main", main)
        if main_spec is None or main_spec.loader is None:
            raise PluginLoadError(plugin, f"cannot import {main}", "import")
        module = importlib.util.module_from_spec(main_spec)
        sys.modules[main_spec.name] = module
        main_spec.loader.exec_module(module)
    except PluginLoadError:
        purge_plugin_modules(plugin)
        raise
    except SyntaxError as exc:
        purge_plugin_modules(plugin)
        where = Path(exc.filename).name if exc.filename else MAIN_FILE
        raise PluginLoadError(plugin, f"syntax error in {where} line {exc.lineno}: {exc.msg}", "import") from exc
    except Exception as exc:
        purge_plugin_modules(plugin)
        raise PluginLoadError(
            plugin, f"importing {MAIN_FILE} raised {type(exc).__name__}: {exc}", "import"
        ) from exc
    setattr(sys.modules[package_name], "main", module)  # noqa: B010 - attribute named like the file
    return module


def import_plugin_submodule(plugin: str, submodule: str) -> types.ModuleType | None:
    """Import `trixy_plugins.<plugin>.<submodule>` (e.g. config_view) if the file exists, else None."""
    package_name = module_name_for(plugin)
    package = sys.modules.get(package_name)
    if package is None:
        return None
    folder = Path(package.__path__[0])
    if not (folder / f"{submodule}.py").is_file():
        return None
    try:
        return importlib.import_module(f"{package_name}.{submodule}")
    except SyntaxError as exc:
        raise PluginLoadError(plugin, f"syntax error in {submodule}.py line {exc.lineno}: {exc.msg}", submodule) from exc
    except Exception as exc:
        raise PluginLoadError(plugin, f"importing {submodule}.py raised {type(exc).__name__}: {exc}", submodule) from exc
