"""Every ```python block of README.md and docs/*.md runs against the emulator (real clock).

Blocks of one file share a namespace, in order, like cells of a notebook; ``jobkit`` is
imported. A block preceded by ``<!-- not-run: reason -->`` is skipped (and must give a
reason). The emulator runs with its default clock, the real one, so ``since="7d"`` examples
must find jobs; the AWS profiles the docs name exist in a temporary config file, with fake
keys. Each block must produce something (jobs listed, lines printed) or, when it lists
nothing, run cleanly.
"""

from __future__ import annotations

import ast
import asyncio
import inspect
import os
import re
import types
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import jobkit
from jobkit.testing import NOW_ENV, Emulator

ROOT = Path(__file__).resolve().parent.parent
FILES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
_BLOCK = re.compile(
    r"(?:<!--\s*not-run:(?P<reason>[^>]*)-->\s*\n(?:[ \t]*\n)*)?```python\n(?P<code>.*?)^```",
    re.S | re.M,
)
_PROFILES = ("analytics", "prod", "staging")


def blocks(path: Path) -> list[tuple[str | None, str]]:
    """(not-run reason or None, code) of every python block of a markdown file."""
    text = path.read_text()
    return [(m["reason"], m["code"]) for m in _BLOCK.finditer(text)]


def _doctest_source(code: str) -> str:
    """The statements of a ``>>>`` session (its output lines dropped)."""
    lines = []
    for line in code.splitlines():
        if line.startswith(">>> ") or (line.startswith("... ") and lines):
            lines.append(line[4:])
    return "\n".join(lines) + "\n"


def _capture_expressions(tree: ast.Module) -> ast.Module:
    """Turn each top-level expression statement into ``_results.append(<expr>)``."""
    body: list[ast.stmt] = []
    for original in tree.body:
        stmt = original
        if isinstance(stmt, ast.Expr) and not isinstance(stmt.value, ast.Constant):
            call = ast.Call(
                func=ast.Attribute(
                    value=ast.Name(id="_results", ctx=ast.Load()), attr="append", ctx=ast.Load()
                ),
                args=[stmt.value],
                keywords=[],
            )
            stmt = ast.Expr(value=call)
        body.append(stmt)
    return ast.fix_missing_locations(ast.Module(body=body, type_ignores=[]))


def _listings(values: list[Any]) -> list[Any]:
    return [v for v in values if isinstance(v, jobkit.JobIterator | jobkit.AsyncJobIterator)]


def _produced(value: Any) -> int:
    """Jobs (or rows, entries) a value holds; listings are read by the caller."""
    if isinstance(value, list | tuple | dict):
        return len(value) if not isinstance(value, dict) else sum(map(int, value.values()))
    if type(value).__name__ == "DataFrame":
        return len(value)
    return 0


def run_block(code: str, ns: dict[str, Any]) -> int:
    """Run one block in ``ns``; how much it produced (jobs read, results held)."""
    source = _doctest_source(code) if code.lstrip().startswith(">>>") else code
    flags = ast.PyCF_ONLY_AST | ast.PyCF_ALLOW_TOP_LEVEL_AWAIT
    tree = _capture_expressions(compile(source, "<doc>", "exec", flags=flags))
    before = dict(ns)
    results: list[Any] = []
    ns["_results"] = results
    compiled = compile(tree, "<doc>", "exec", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT)
    outcome = eval(compiled, ns)
    if inspect.iscoroutine(outcome):
        asyncio.run(outcome)
    bound = [v for k, v in ns.items() if k != "_results" and before.get(k) is not v]
    for value in bound:
        if isinstance(value, types.FunctionType) and not any(
            p.default is p.empty for p in inspect.signature(value).parameters.values()
        ):
            result = value()
            results.append(asyncio.run(result) if inspect.iscoroutine(result) else result)
    produced = 0
    for listing in _listings([*results, *bound]):
        if listing.stats.requests == 0:  # built but not read by the block: read it here
            if isinstance(listing, jobkit.AsyncJobIterator):
                asyncio.run(listing.collect())
            else:
                listing.collect()
        produced += listing.stats.jobs
    return produced + sum(_produced(v) for v in results if not _listings([v]))


@pytest.fixture
def doc_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Emulator]:
    """An emulator on the real clock, its environment applied, and the docs' AWS profiles."""
    monkeypatch.delenv(NOW_ENV, raising=False)
    # Examples that write files (an inventory's jobkit.duckdb) write them here.
    monkeypatch.chdir(tmp_path)
    config = tmp_path / "config"
    config.write_text(
        "".join(
            f"[profile {name}]\naws_access_key_id = testing\n"
            "aws_secret_access_key = testing\nregion = us-east-1\n"
            for name in _PROFILES
        )
    )
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    with Emulator(seed=0) as emu, emu.environment(region="us-east-1"):
        yield emu


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_doc_examples_run_against_the_emulator(
    path: Path, doc_env: Emulator, capsys: pytest.CaptureFixture[str]
) -> None:
    """Each python block of a document runs as written and lists jobs (or runs cleanly)."""
    found = blocks(path)
    if not found:
        assert "```python" not in path.read_text(), f"{path.name}: a python block was not parsed"
        return
    ns: dict[str, Any] = {"jobkit": jobkit, "__name__": "__doc__"}
    environ = dict(os.environ)
    for number, (reason, code) in enumerate(found, 1):
        if reason is not None:
            assert reason.strip(), f"{path.name} block {number}: not-run needs a reason"
            continue
        produced = run_block(code, ns)
        printed = len(capsys.readouterr().out.splitlines())
        lists = re.search(r"\b(jobs|ajobs|explain)\(", code) is not None
        assert produced + printed > 0 or not lists, (
            f"{path.name} block {number} listed nothing:\n{code}"
        )
    assert dict(os.environ) == environ, f"{path.name}: an example left the environment changed"


def test_not_run_marks_are_few() -> None:
    """Blocks skipped with a not-run mark stay few (each carries its reason)."""
    skipped = [(p.name, r) for p in FILES for r, _ in blocks(p) if r is not None]
    assert len(skipped) <= 2, skipped
