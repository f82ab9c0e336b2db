"""The monorepo's shape: separately installable packages whose dependencies point one way."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ["protocol", "core", "server", "satellite", "standalone", "trainer", "tui", "models", "plugins"]
IMPORT_NAMES = {"plugins": "trixy_default_plugins"}  # trixy_plugins is the loader's namespace for plugin folders
#: data distributions: shipped files found by path (trixy_core.shipped), tested by tests/install and the fallback
#: tests; their dependents never import them, and trixy-plugins' dependencies serve the plugin folders it ships
DATA_PACKAGES = {"models", "plugins"}

# Which trixy packages each package may depend on (the arrows of the design card).
ALLOWED = {
    "protocol": set(),
    "core": set(),
    "server": {"protocol", "core", "models", "plugins"},
    "satellite": {"protocol", "core", "models"},
    "standalone": {"protocol", "core", "server", "satellite"},
    "trainer": {"protocol", "core"},
    "tui": {"protocol", "core"},
    "models": set(),
    "plugins": {"core", "server"},
}


def _pyproject(name: str) -> dict:
    return tomllib.loads((ROOT / "packages" / f"trixy-{name}" / "pyproject.toml").read_text())


def _hook(name: str) -> dict:
    """The shared metadata hook's table: dependencies live there (packages/hatch_trixy.py pins the siblings)."""
    return _pyproject(name)["tool"]["hatch"]["metadata"]["hooks"]["custom"]


def _requirements(name: str) -> list[str]:
    hook = _hook(name)
    return list(hook.get("dependencies", [])) + [r for reqs in hook.get("optional-dependencies", {}).values()
                                                  for r in reqs]


def _trixy_deps(name: str) -> set[str]:
    return {re.split(r"[\[<>=~ ]", d)[0].removeprefix("trixy-") for d in _requirements(name)
            if d.startswith("trixy-")}


@pytest.mark.parametrize("name", PACKAGES)
def test_package_has_hatchling_src_layout_and_tests(name: str) -> None:
    pkg = ROOT / "packages" / f"trixy-{name}"
    meta = _pyproject(name)
    assert meta["build-system"]["build-backend"] == "hatchling.build"
    assert meta["project"]["name"] == f"trixy-{name}"
    assert (pkg / "src" / IMPORT_NAMES.get(name, f"trixy_{name}") / "__init__.py").is_file()
    assert (pkg / "tests").is_dir() or name in DATA_PACKAGES
    assert (pkg / "LICENSE").read_text() == (ROOT / "LICENSE").read_text()
    assert set(meta["project"]["dynamic"]) == {"version", "dependencies", "optional-dependencies"}
    assert _hook(name)["path"] == "../hatch_trixy.py"  # one version source: the repository's VERSION


@pytest.mark.parametrize("name", PACKAGES)
def test_sibling_requirements_are_written_bare_so_the_hook_pins_them(name: str) -> None:
    for requirement in _requirements(name):
        if requirement.startswith("trixy-"):
            assert re.fullmatch(r"trixy-[a-z]+(\[[a-z,]+\])?", requirement), requirement


@pytest.mark.parametrize("name", PACKAGES)
def test_declared_dependencies_point_one_way(name: str) -> None:
    assert _trixy_deps(name) <= ALLOWED[name], f"trixy-{name} depends on {_trixy_deps(name) - ALLOWED[name]}"


def _imported_trixy_packages(src: Path) -> set[str]:
    found: set[str] = set()
    for path in src.rglob("*.py"):
        tree = ast.parse(path.read_text(), filename=str(path))
        for node in ast.walk(tree):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            for n in names:
                top = n.split(".")[0]
                if top.startswith("trixy_"):
                    found.add(top.removeprefix("trixy_"))
    return found


@pytest.mark.parametrize("name", PACKAGES)
def test_source_imports_only_declared_trixy_packages(name: str) -> None:
    src = ROOT / "packages" / f"trixy-{name}" / "src"
    imported = _imported_trixy_packages(src) - {name}
    assert imported <= _trixy_deps(name), f"trixy-{name} imports undeclared {imported - _trixy_deps(name)}"


@pytest.mark.parametrize("name", PACKAGES)
def test_every_declared_trixy_dependency_is_imported(name: str) -> None:
    if name in DATA_PACKAGES:
        pytest.skip("a data distribution: its dependencies serve the files it ships")
    src = ROOT / "packages" / f"trixy-{name}" / "src"
    unused = _trixy_deps(name) - DATA_PACKAGES - _imported_trixy_packages(src)
    assert not unused, f"trixy-{name} declares {sorted(unused)} but never imports it: drop the dependency"


def test_satellite_does_not_require_torch() -> None:
    deps = _hook("satellite")["dependencies"]
    assert not any(d.split("[")[0].split(">")[0].split("=")[0].strip() == "torch" for d in deps)


def test_installed_siblings_carry_compatible_release_pins() -> None:
    """What pip sees (the editable installs' metadata): every sibling pinned to this release's minor series."""
    from importlib.metadata import requires, version

    release = (ROOT / "VERSION").read_text().strip()
    major, minor = release.split(".")[:2]
    for name in PACKAGES:
        assert version(f"trixy-{name}") == release
        for requirement in requires(f"trixy-{name}") or []:
            if requirement.startswith("trixy-"):
                assert f"~={major}.{minor}.0" in requirement, (name, requirement)


def test_satellite_imports_with_torch_blocked() -> None:
    """A Pi has no torch: importing the satellite package (and its submodules) must not need it."""
    code = (
        "import sys, importlib, pkgutil\n"
        "class Block:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name == 'torch' or name.startswith('torch.'):\n"
        "            raise ImportError('torch is blocked for this test')\n"
        "sys.meta_path.insert(0, Block())\n"
        "import trixy_satellite\n"
        "for m in pkgutil.walk_packages(trixy_satellite.__path__, 'trixy_satellite.'):\n"
        "    importlib.import_module(m.name)\n"
        "print('ok')\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().endswith("ok")


@pytest.mark.parametrize("name", PACKAGES)
def test_package_builds_a_wheel_on_its_own(name: str, tmp_path: Path) -> None:
    out = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation", "-w", str(tmp_path),
         str(ROOT / "packages" / f"trixy-{name}")],
        capture_output=True, text=True, timeout=300,
    )
    assert out.returncode == 0, out.stderr
    wheels = list(tmp_path.glob(f"trixy_{name}-*.whl"))
    assert len(wheels) == 1
    with zipfile.ZipFile(wheels[0]) as zf:
        names = zf.namelist()
    assert f"{IMPORT_NAMES.get(name, f'trixy_{name}')}/__init__.py" in names
    assert not any("/tests/" in n or "__pycache__" in n for n in names)
    assert any(n.endswith(".dist-info/licenses/LICENSE") for n in names)
    if name == "protocol":
        assert "trixy_protocol/py.typed" in names
    if name == "models":  # the checkout's models/ folder, by directory
        assert {"trixy_models/data/wakeword/trixy/trixy.onnx",
                "trixy_models/data/voice_recognition/default/default.onnx"} <= set(names)
    if name == "trainer":  # the Hydra YAML, so trixy-train works without a checkout
        assert {"trixy_trainer/conf/wakeword.yaml", "trixy_trainer/conf/speaker/config.yaml",
                "trixy_trainer/conf/optimizer/adamw.yaml", "trixy_trainer/conf/scheduler/cosine.yaml",
                "trixy_trainer/conf/speaker/optimizer/adamw.yaml",
                "trixy_trainer/conf/speaker/scheduler/one_cycle.yaml"} <= set(names)
    if name == "plugins":
        assert {"trixy_default_plugins/data/time_date/main.py",
                "trixy_default_plugins/data/stt_pocketsphinx/main.py"} <= set(names)
