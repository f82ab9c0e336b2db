"""Imports inside each package run one way: no module reaches itself again through its own imports.

Read from the AST, so imports made only for type checking (`if TYPE_CHECKING:`) and imports inside functions count
too: an import circle that merely happens to work at run time today is still a circle the next change trips over.
A lower module that needs a higher one's type declares a `typing.Protocol` instead.

Rule for edges: `import a.b` and `from a.b import c` point at `a.b.c` when that is a module of the package, else at
the nearest enclosing module (`a.b`, whose `__init__` runs). The implicit import of parent packages is not an edge
(every submodule would otherwise form a circle with a package `__init__` that re-exports it).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SOURCES = sorted(p for p in (ROOT / "packages").glob("trixy-*/src/trixy_*") if p.is_dir())


def package_modules(src: Path) -> dict[str, Path]:
    """Dotted module name -> file, for every module of the package rooted at `src` (`__init__` as the package)."""
    modules: dict[str, Path] = {}
    for path in sorted(src.rglob("*.py")):
        parts = list(path.relative_to(src.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        modules[".".join(parts)] = path
    return modules


def _imported_names(node: ast.AST, module: str, is_package: bool, modules: dict[str, Path]) -> list[str]:
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if not isinstance(node, ast.ImportFrom):
        return []
    if node.level:
        base = (module if is_package else module.rpartition(".")[0]).split(".")
        base = base[: len(base) - (node.level - 1)]
        target = ".".join(base + ([node.module] if node.module else []))
    else:
        target = node.module or ""
    return [f"{target}.{a.name}" if f"{target}.{a.name}" in modules else target for a in node.names]


def import_graph(modules: dict[str, Path]) -> dict[str, set[str]]:
    """Module -> the package's modules it imports (anywhere in its AST)."""
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for name, path in modules.items():
        is_package = path.name == "__init__.py"
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            for target in _imported_names(node, name, is_package, modules):
                while target and target not in modules:
                    target = target.rpartition(".")[0]
                if target and target != name:
                    graph[name].add(target)
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import circle as `[a, b, ..., a]`, or None (iterative depth-first search, deterministic order)."""
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done
    for start in sorted(graph):
        if state.get(start):
            continue
        path = [start]
        stack = [iter(sorted(graph[start]))]
        state[start] = 1
        while stack:
            nxt = next(stack[-1], None)
            if nxt is None:
                state[path.pop()] = 2
                stack.pop()
            elif state.get(nxt) == 1:
                return path[path.index(nxt):] + [nxt]
            elif not state.get(nxt):
                state[nxt] = 1
                path.append(nxt)
                stack.append(iter(sorted(graph[nxt])))
    return None


def test_cycle_finder_sees_a_type_checking_only_circle(tmp_path: Path) -> None:
    src = tmp_path / "trixy_demo"
    (src / "sub").mkdir(parents=True)
    (src / "__init__.py").write_text("")
    (src / "sub" / "__init__.py").write_text("")
    (src / "sub" / "low.py").write_text("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from ..high import H\n")
    (src / "high.py").write_text("from trixy_demo.sub import low\n")
    cycle = find_cycle(import_graph(package_modules(src)))
    assert cycle is not None and set(cycle) == {"trixy_demo.high", "trixy_demo.sub.low"}
    (src / "sub" / "low.py").write_text("from typing import Protocol\nclass H(Protocol): ...\n")
    assert find_cycle(import_graph(package_modules(src))) is None


@pytest.mark.parametrize("src", SOURCES, ids=[s.name for s in SOURCES])
def test_imports_inside_each_package_form_no_cycle(src: Path) -> None:
    cycle = find_cycle(import_graph(package_modules(src)))
    assert cycle is None, f"import circle in {src.name}: {' -> '.join(cycle)}"
