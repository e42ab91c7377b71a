"""The package's shape: every module named in the README's Development section; no import cycle."""

from __future__ import annotations

import ast
from pathlib import Path

from tests.conftest import ROOT

PACKAGE = ROOT / "wsdiag"
#: The benchmark and its log generator: not the package, but held to its size and README rules.
BENCHMARKS = ROOT / "benchmarks"


def _modules() -> dict[str, Path]:
    """Dotted name -> file of every module of the package."""
    out = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(ROOT).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        out[name] = path
    return out


def _defines_something(tree: ast.Module) -> bool:
    return any(isinstance(node, (ast.FunctionDef, ast.ClassDef)) for node in ast.walk(tree))


def test_every_module_is_in_the_readme_development_section() -> None:
    """Each module that defines a function or class is named, by its path, in "Development"."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    development = readme.split("\n## Development\n", 1)[1].split("\n## ", 1)[0]
    missing = [
        path.relative_to(ROOT).as_posix()
        for path in [*_modules().values(), *sorted(BENCHMARKS.rglob("*.py"))]
        if _defines_something(ast.parse(path.read_text(encoding="utf-8")))
        and f"`{path.relative_to(ROOT).as_posix()}`" not in development
    ]
    assert missing == []


def _imports(path: Path, modules: dict[str, Path]) -> set[str]:
    """The package's modules that ``path`` imports when it is imported (not inside functions,
    nor under ``if TYPE_CHECKING``)."""
    found: set[str] = set()
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.update(f"{node.module}.{a.name}" for a in node.names)
            found.add(node.module)
    return {name for name in found if name in modules}


def _cycle(graph: dict[str, set[str]]) -> list[str]:
    """One import cycle of the graph, or []."""
    done: set[str] = set()

    def visit(name: str, stack: list[str]) -> list[str]:
        if name in stack:
            return [*stack[stack.index(name) :], name]
        if name in done:
            return []
        for dep in sorted(graph[name]):
            found = visit(dep, [*stack, name])
            if found:
                return found
        done.add(name)
        return []

    for name in sorted(graph):
        found = visit(name, [])
        if found:
            return found
    return []


def test_no_import_cycle() -> None:
    """No module imports, at import time, one that imports it back (the package root aside:
    it re-exports the API)."""
    modules = _modules()
    graph = {name: _imports(path, modules) - {"wsdiag"} for name, path in modules.items()}
    assert _cycle(graph) == []


def test_the_cycle_finder_finds_a_cycle() -> None:
    """The check above can fail: a -> b -> a is a cycle."""
    assert _cycle({"a": {"b"}, "b": {"a"}, "c": set()}) == ["a", "b", "a"]


#: The most lines a module holds: past that, it holds more than one job.
MAX_LINES = 400


def test_modules_stay_small() -> None:
    """No module of the package or the benchmarks passes 400 lines."""
    long = {}
    for path in [*_modules().values(), *sorted(BENCHMARKS.rglob("*.py"))]:
        name = path.relative_to(ROOT).as_posix()
        n = len(path.read_text(encoding="utf-8").splitlines())
        if n > MAX_LINES:
            long[name] = n
    assert long == {}
