"""The monorepo's shape: separately installable packages whose dependencies point one way."""

from __future__ import annotations

import ast
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ["protocol", "core", "server", "satellite", "standalone", "trainer", "tui"]

# Which trixy packages each package may depend on (the arrows of the design card).
ALLOWED = {
    "protocol": set(),
    "core": set(),
    "server": {"protocol", "core"},
    "satellite": {"protocol", "core"},
    "standalone": {"protocol", "core", "server", "satellite"},
    "trainer": {"protocol", "core"},
    "tui": {"protocol", "core"},
}


def _pyproject(name: str) -> dict:
    return tomllib.loads((ROOT / "packages" / f"trixy-{name}" / "pyproject.toml").read_text())


def _trixy_deps(name: str) -> set[str]:
    deps = _pyproject(name)["project"].get("dependencies", [])
    return {d.split()[0].removeprefix("trixy-") for d in deps if d.startswith("trixy-")}


@pytest.mark.parametrize("name", PACKAGES)
def test_package_has_hatchling_src_layout_and_tests(name: str) -> None:
    pkg = ROOT / "packages" / f"trixy-{name}"
    meta = _pyproject(name)
    assert meta["build-system"]["build-backend"] == "hatchling.build"
    assert meta["project"]["name"] == f"trixy-{name}"
    assert (pkg / "src" / f"trixy_{name}" / "__init__.py").is_file()
    assert (pkg / "tests").is_dir()


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
    src = ROOT / "packages" / f"trixy-{name}" / "src"
    unused = _trixy_deps(name) - _imported_trixy_packages(src)
    assert not unused, f"trixy-{name} declares {sorted(unused)} but never imports it: drop the dependency"


def test_satellite_does_not_require_torch() -> None:
    deps = _pyproject("satellite")["project"]["dependencies"]
    assert not any(d.split("[")[0].split(">")[0].split("=")[0].strip() == "torch" for d in deps)


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
    assert f"trixy_{name}/__init__.py" in names
    assert not any("/tests/" in n for n in names)
