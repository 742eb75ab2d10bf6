"""The import graph of jobkit/: no cycles, and every layer imports only what is below it.

The graph is read from the source with ``ast`` (nothing is imported): every ``import`` and
``from ... import`` anywhere in a module, inside functions and ``if TYPE_CHECKING:`` blocks
too, because a deferred import is still a dependency and a type-only one still couples the
layers. Importing ``a.b.c`` also runs the package ``a.b``'s ``__init__``, so that is an edge
as well (except the root ``jobkit``, which every module's import runs and which nothing inside
jobkit may import from; that is a rule below).
"""

from __future__ import annotations

import ast
import fnmatch
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

#: Who may import what, by module pattern: a module matching a key imports only modules
#: matching one of its patterns (its own layer included). Unlisted modules are free, within
#: the no-cycle rule.
LAYERS: dict[str, tuple[str, ...]] = {
    "jobkit.errors": (),
    "jobkit.model": ("jobkit.errors",),
    "jobkit.core": ("jobkit.core.*", "jobkit.model", "jobkit.errors"),
    "jobkit.core.*": ("jobkit.core", "jobkit.core.*", "jobkit.model", "jobkit.errors"),
    "jobkit.present": (),
    "jobkit.present.*": (
        "jobkit.present",
        "jobkit.present.*",
        "jobkit.core",
        "jobkit.core.*",
        "jobkit.model",
        "jobkit.errors",
    ),
}

#: Left out of the cycle check (the lead's call): the emulator's data modules, where
#: ``_data`` imports ``_generic`` inside a function because ``_generic`` builds on ``_data``.
NOT_CYCLE_CHECKED = frozenset({"jobkit.testing._data", "jobkit.testing._generic"})

#: Modules on top: only the root package (the public API) and each other may import them.
#: ``jobkit.adapters._generate`` is a developer command (it regenerates the adapters' data
#: files and docs/adapters.md, the latter through the command line's renderer).
TOP = ("jobkit.cli", "jobkit.notebook", "jobkit.adapters._generate")


def _module_name(path: Path, base: Path) -> str:
    parts = list(path.relative_to(base).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _targets(node: ast.Import | ast.ImportFrom, module: str, is_package: bool) -> list[str]:
    """The dotted names an import statement may load, most specific first per name."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if node.level:
        package = module if is_package else module.rpartition(".")[0]
        for _ in range(node.level - 1):
            package = package.rpartition(".")[0]
        base = f"{package}.{node.module}" if node.module else package
    else:
        base = node.module or ""
    return [f"{base}.{alias.name}" for alias in node.names] + [base]


def _resolve(name: str, modules: set[str]) -> str | None:
    """The module ``name`` loads: the longest prefix of it that is a module of the tree."""
    parts = name.split(".")
    for end in range(len(parts), 0, -1):
        candidate = ".".join(parts[:end])
        if candidate in modules:
            return candidate
    return None


def import_graph(base: Path, package: str = "jobkit") -> dict[str, set[str]]:
    """Every module of ``base/package`` -> the modules of the tree it imports."""
    files = {_module_name(path, base): path for path in sorted((base / package).rglob("*.py"))}
    modules = set(files)
    graph: dict[str, set[str]] = {}
    for module, path in files.items():
        is_package = path.name == "__init__.py"
        edges: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if not isinstance(node, ast.Import | ast.ImportFrom):
                continue
            names = _targets(node, module, is_package)
            if isinstance(node, ast.ImportFrom):
                # ``from pkg import name``: a submodule if one is called so, else pkg itself.
                found = {_resolve(n, modules) for n in names[:-1]}
                resolved = {m for m in found if m is not None and m != names[-1]}
                if not resolved or any(m is None or m == names[-1] for m in found):
                    resolved.add(_resolve(names[-1], modules) or "")
            else:
                resolved = {_resolve(n, modules) or "" for n in names}
            for target in resolved - {""}:
                edges.add(target)
                # Loading a.b.c runs a.b's __init__ first (unless we are inside a.b).
                parent = target.rpartition(".")[0]
                while parent and parent != package:
                    if not (module == parent or module.startswith(parent + ".")):
                        edges.add(parent)
                    parent = parent.rpartition(".")[0]
        edges.discard(module)
        graph[module] = edges
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle as a path ``[a, b, ..., a]``, or None when the graph has none."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for target in sorted(graph.get(node, ())):
            if state.get(target) == 1:
                return [*path[path.index(target) :], target]
            if target not in state and (cycle := visit(target)):
                return cycle
        path.pop()
        state[node] = 2
        return None

    for start in sorted(graph):
        if start not in state and (cycle := visit(start)):
            return cycle
    return None


def _violations(graph: dict[str, set[str]]) -> list[str]:
    out = []
    for module, targets in sorted(graph.items()):
        rules = [allowed for key, allowed in LAYERS.items() if fnmatch.fnmatchcase(module, key)]
        for target in sorted(targets):
            if rules and not any(fnmatch.fnmatchcase(target, p) for p in rules[0]):
                out.append(f"{module} imports {target}")
            if target in TOP and module != "jobkit" and module not in TOP:
                out.append(f"{module} imports {target}, which sits on top")
            if target == "jobkit" and module not in TOP:
                out.append(f"{module} imports the root package jobkit")
    return out


@pytest.fixture(scope="module")
def graph() -> dict[str, set[str]]:
    return import_graph(ROOT)


def test_jobkit_import_graph_has_no_cycle(graph: dict[str, set[str]]) -> None:
    """No chain of imports inside jobkit/ (deferred and type-only ones included) comes back,
    the emulator's data modules aside."""
    assert len(graph) > 40 and "jobkit.present.joblist" in graph["jobkit"]
    checked = {m: t - NOT_CYCLE_CHECKED for m, t in graph.items() if m not in NOT_CYCLE_CHECKED}
    assert find_cycle(checked) is None, " -> ".join(find_cycle(checked) or [])


def test_every_layer_imports_only_what_is_below_it(graph: dict[str, set[str]]) -> None:
    """model, errors, core and present import only their layer and below; cli and notebook
    are imported by the root package only."""
    assert _violations(graph) == []


def test_model_imports_nothing_from_jobkit(graph: dict[str, set[str]]) -> None:
    """jobkit.model, the bottom layer beside errors, depends on no other jobkit module."""
    assert graph["jobkit.model"] <= {"jobkit.errors"}


def _tree(tmp_path: Path, files: dict[str, str]) -> dict[str, set[str]]:
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return import_graph(tmp_path)


def test_a_deferred_import_cycle_is_found(tmp_path: Path) -> None:
    """A cycle closed by an import inside a function (the old model <-> notebook) is caught."""
    graph = _tree(
        tmp_path,
        {
            "jobkit/__init__.py": "",
            "jobkit/model.py": "def f():\n    from jobkit.notebook import job_html\n",
            "jobkit/notebook.py": "from jobkit.model import Job\n",
        },
    )
    assert graph["jobkit.model"] == {"jobkit.notebook"}
    assert find_cycle(graph) == ["jobkit.model", "jobkit.notebook", "jobkit.model"]
    assert "jobkit.model imports jobkit.notebook" in _violations(graph)


def test_relative_package_and_type_only_imports_are_edges(tmp_path: Path) -> None:
    """``from . import x``, ``from pkg import submodule``, a package's __init__ and
    TYPE_CHECKING imports all count; a cycle through a package __init__ is caught."""
    graph = _tree(
        tmp_path,
        {
            "jobkit/__init__.py": "",
            "jobkit/present/__init__.py": "from jobkit.present import joblist\n",
            "jobkit/present/joblist.py": "from . import html\n",
            "jobkit/present/html.py": "",
            "jobkit/core/__init__.py": "",
            "jobkit/core/stats.py": (
                "from typing import TYPE_CHECKING\n"
                "if TYPE_CHECKING:\n    from jobkit.present.html import x\n"
            ),
            "jobkit/api.py": "from jobkit.core import stats\n",
        },
    )
    assert graph["jobkit.present"] == {"jobkit.present.joblist"}
    assert graph["jobkit.present.joblist"] == {"jobkit.present.html"}
    assert graph["jobkit.api"] == {"jobkit.core", "jobkit.core.stats"}
    assert graph["jobkit.core.stats"] == {"jobkit.present", "jobkit.present.html"}
    assert find_cycle(graph) is None
    assert "jobkit.core.stats imports jobkit.present.html" in _violations(graph)
    graph["jobkit.present.html"] = {"jobkit.core.stats"}
    assert find_cycle(graph) is not None
